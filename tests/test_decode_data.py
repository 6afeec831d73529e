"""decode_dicom_data against pydicom, through tfdicom.numpy and the
TensorFlow op, for every open test file (tests/reference/open-test-files.tsv)
and pydicom's character set files.

Two comparisons per file and interface:
- a fixed list of tags (TAGS: strings, numbers, dates, multi-valued,
  absent, meta header, private, sequence paths), and
- every element of the file before its pixel data, and every element of
  every sequence item, by path ('(0008,1140)[0].(0008,1155)').

pydicom's values are normalised as tests/data_oracle.py lists (items 1-6 and
16): text trimmed per value as tfdicom documents it, binary values as
base64 of their little-endian bytes, sequences as their item count, absent
as ''. One more, for person names: a trailing empty component group ('=' at
the end) is compared without it (pydicom drops it; tfdicom keeps the value
as written).

One open file cannot be read by DCMTK (SC_rgb_jpeg.dcm: the meta header says
JPEG Baseline, the data set is implicit VR); it must fail with the
documented error, as it does for decode_dicom_image.
"""

import base64
import io
import math

import numpy as np
import pydicom
import pytest
from pydicom.data import get_charset_files
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

import data_oracle as oracle
from reference_files import OPEN_FILES, params, read_bytes
from tfdicom import errors

# The fixed list: at least one of each kind the contract names.
TAGS = [
    # text
    "PatientName", "PatientID", "PatientSex", "PatientAge", "Modality", "Manufacturer",
    "InstitutionName", "StudyDescription", "SeriesDescription", "BodyPartExamined",
    "PhotometricInterpretation", "DerivationDescription", "ImageComments",
    # UIDs
    "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID",
    # dates and times
    "PatientBirthDate", "StudyDate", "StudyTime", "SeriesDate", "ContentDate",
    "AcquisitionDateTime",
    # multi-valued text and numbers as the file writes them (CS, DS, IS)
    "SpecificCharacterSet", "ImageType", "PixelSpacing", "ImagePositionPatient",
    "ImageOrientationPatient", "WindowCenter", "WindowWidth", "SliceThickness",
    "RescaleIntercept", "RescaleSlope", "InstanceNumber", "SeriesNumber", "NumberOfFrames",
    "KVP", "ExposureTime", "XRayTubeCurrent", "LossyImageCompressionRatio",
    # binary numbers: US, SS/US (US or SS), SL, FL, FD, AT
    "Rows", "Columns", "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation",
    "SamplesPerPixel", "PlanarConfiguration", "AcquisitionMatrix",
    "SmallestImagePixelValue", "LargestImagePixelValue", "PixelPaddingValue",
    "RedPaletteColorLookupTableDescriptor", "ReferencePixelX0", "ReferencePixelPhysicalValueX",
    "PhysicalDeltaX", "CalciumScoringMassFactorDevice", "FrameIncrementPointer",
    # binary values (OW, OB with overlays)
    "RedPaletteColorLookupTableData", "(6000,0010)", "(6000,3000)",
    # the meta header, group 0002
    "TransferSyntaxUID", "MediaStorageSOPClassUID", "ImplementationVersionName",
    "FileMetaInformationVersion", "FileMetaInformationGroupLength",
    # private creators and elements
    "(0009,0010)", "(0019,0010)", "(0029,1010)",
    # absent in every file
    "PatientMotherBirthName", "(0011,1001)",
    # sequences: item counts and paths, nested two deep
    "ReferencedImageSequence", "ReferencedImageSequence[0].ReferencedSOPInstanceUID",
    "ReferencedImageSequence[5].ReferencedSOPInstanceUID",
    "SourceImageSequence[0].ReferencedSOPClassUID",
    "DimensionIndexSequence[0].DimensionIndexPointer",
    "SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0].PixelSpacing",
    "PerFrameFunctionalGroupsSequence[1].PlanePositionSequence[0].ImagePositionPatient",
]

MALFORMED = {"SC_rgb_jpeg.dcm": (errors.CorruptDicomError, "truncated or malformed")}

CHARSET_PATHS = sorted(p for p in get_charset_files() if p.endswith(".dcm"))


class Interface:
    """decode_data(data, tags) -> object array of str, through one interface;
    `raises(numpy_error, match)` expects the error that interface raises."""

    def __init__(self, name):
        self.name = name

    def __call__(self, data, tags):
        if self.name == "numpy":
            import tfdicom.numpy

            out = tfdicom.numpy.decode_dicom_data(data, tags)
            assert all(isinstance(v, str) for v in out.reshape(-1))
            return out
        import tensorflow as tf

        import tfdicom

        tensor = tfdicom.decode_dicom_data(tf.constant(data), tags)
        assert tensor.dtype == tf.string
        return as_text(tensor.numpy())

    def raises(self, numpy_error, match):
        if self.name == "numpy":
            return pytest.raises(numpy_error, match=match)
        import tensorflow as tf

        error = tf.errors.InvalidArgumentError if issubclass(numpy_error, errors.DicomError) \
            else (ValueError, TypeError, tf.errors.InvalidArgumentError)
        return pytest.raises(error, match=match)


def as_text(values):
    """A string tensor's numpy() (bytes, or an object array of bytes) as an
    object array of str in the same shape."""
    array = np.asarray(values, dtype=object)
    out = np.empty(array.shape, dtype=object)
    for index in np.ndindex(array.shape):
        out[index] = array[index].decode("utf-8")
    return out


@pytest.fixture(params=["numpy", "tensorflow"])
def decode_data(request):
    return Interface(request.param)


def normalise(value, element):
    if element is not None and element.VR == "PN":
        return "\\".join(v.rstrip("=") for v in value.split("\\"))
    return value


def expected_values(ds, paths):
    big_endian = oracle.is_big_endian(ds)
    out = []
    for path in paths:
        element, from_meta = oracle.find(ds, path)
        out.append(oracle.render(element, big_endian and not from_meta))
    return out


def assert_values_equal(paths, got, ds):
    mismatches = []
    for path, value, want in zip(paths, got, expected_values(ds, paths)):
        element, _ = oracle.find(ds, path)
        if normalise(value, element) != normalise(want, element):
            mismatches.append(f"{path}: tfdicom {value[:80]!r} != pydicom {want[:80]!r}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("f", params(OPEN_FILES))
def test_fixed_tags_equal_pydicom(f, decode_data):
    data = read_bytes(f.path())
    if f.name in MALFORMED:
        error, match = MALFORMED[f.name]
        with decode_data.raises(error, match):
            decode_data(data, TAGS)
        return
    got = decode_data(data, TAGS)
    assert got.shape == (len(TAGS),)
    assert_values_equal(TAGS, got, oracle.read(f.path()))


@pytest.mark.parametrize("path", CHARSET_PATHS + [f.path() for f in OPEN_FILES
                                                  if f.name not in MALFORMED],
                         ids=lambda p: p.rsplit("/", 1)[-1])
def test_every_element_equals_pydicom(path, decode_data):
    ds = oracle.read(path)
    paths = [p for p, _ in oracle.element_paths(ds)]
    got = decode_data(read_bytes(path), paths)
    assert_values_equal(paths, got, ds)


def test_integer_tags_equal_keyword_strings():
    import tfdicom.numpy
    from tfdicom import tags

    keywords = [t for t in TAGS if t[0].isalpha() and "." not in t]
    numbers = [getattr(tags, t) for t in keywords]
    for f in OPEN_FILES[:40]:
        if f.name in MALFORMED:
            continue
        data = read_bytes(f.path())
        np.testing.assert_array_equal(tfdicom.numpy.decode_dicom_data(data, numbers),
                                      tfdicom.numpy.decode_dicom_data(data, keywords))


# --- character sets -------------------------------------------------------

# pydicom's decoding of its own character set files, written out.
CHARSET_NAMES = {
    "chrArab.dcm": "قباني^لنزار",
    "chrFren.dcm": "Buc^Jérôme",
    "chrGerm.dcm": "Äneas^Rüdiger",
    "chrGreek.dcm": "Διονυσιος",
    "chrH31.dcm": "Yamada^Tarou=山田^太郎=やまだ^たろう",
    "chrH32.dcm": "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
    "chrHbrw.dcm": "שרון^דבורה",
    "chrI2.dcm": "Hong^Gildong=洪^吉洞=홍^길동",
    "chrJapMulti.dcm": "やまだ^たろう",
    "chrKoreanMulti.dcm": "김희중",
    "chrRuss.dcm": "Люкceмбypг",
    "chrX1.dcm": "Wang^XiaoDong=王^小東=",
    "chrX2.dcm": "Wang^XiaoDong=王^小东=",
}


@pytest.mark.parametrize("name", sorted(CHARSET_NAMES))
def test_specific_character_set_gives_utf8(name, decode_data):
    path = next(p for p in CHARSET_PATHS if p.endswith("/" + name))
    got = decode_data(read_bytes(path), ["PatientName"])[0]
    assert got == CHARSET_NAMES[name]
    assert got.rstrip("=") == str(pydicom.dcmread(path).PatientName).rstrip("=")


def test_sequence_items_use_their_own_character_set(decode_data):
    # chrSQEncoding1: the data set is ISO 2022 IR 13 + 87; its item, too.
    path = next(p for p in CHARSET_PATHS if p.endswith("/chrSQEncoding1.dcm"))
    ds = pydicom.dcmread(path)
    item_path = "(0032,1064)[0].PatientName"
    got = decode_data(read_bytes(path), [item_path])[0]
    assert got == str(ds[0x00321064].value[0].PatientName)
    assert "山田" in got


def make_file(ds, syntax=ExplicitVRLittleEndian, replace=()):
    """`ds` as Part 10 bytes; each (placeholder, raw) pair of `replace`
    swaps bytes of the same length in the result."""
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    data = buffer.getvalue()
    for placeholder, raw in replace:
        assert len(placeholder) == len(raw) and data.count(placeholder) == 1
        data = data.replace(placeholder, raw)
    return data


# (Specific Character Set, text) written by pydicom's encoder.
ROUND_TRIPS = [
    ("ISO_IR 100", "Buc^Jérôme"), ("ISO_IR 101", "Wałęsa^Lech"), ("ISO_IR 109", "Ħal^Għarb"),
    ("ISO_IR 110", "Ķēniņš^Jānis"), ("ISO_IR 144", "Люкceмбypг"), ("ISO_IR 127", "قباني^لنزار"),
    ("ISO_IR 126", "Διονυσιος"), ("ISO_IR 138", "שרון^דבורה"), ("ISO_IR 148", "Çavuşoğlu^Gül"),
    ("ISO_IR 166", "ภาษา^ไทย"), ("ISO_IR 13", "ﾔﾏﾀﾞ^ﾀﾛｳ"), ("ISO_IR 192", "Wang^XiaoDong=王^小東"),
    ("GB18030", "Wang^XiaoDong=王^小东"), ("GBK", "Wang^XiaoDong=王^小东"),
    (["", "ISO 2022 IR 87"], "Yamada^Tarou=山田^太郎=やまだ^たろう"),
    (["", "ISO 2022 IR 149"], "Hong^Gildong=洪^吉洞=홍^길동"),
    (["ISO 2022 IR 13", "ISO 2022 IR 87"], "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"),
    (["ISO 2022 IR 100", "ISO 2022 IR 144"], "Jérôme=Люкc"),
]


@pytest.mark.parametrize("charset,text", ROUND_TRIPS, ids=[str(c) for c, _ in ROUND_TRIPS])
def test_text_written_in_a_character_set_reads_back(charset, text, decode_data):
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.PatientName = text
    data = make_file(ds)
    assert decode_data(data, ["PatientName"])[0] == text
    assert str(pydicom.dcmread(io.BytesIO(data)).PatientName) == text


# Code elements pydicom 3.0.2 cannot encode (it writes '?' for JIS X 0212 and
# leaves GB 2312 bytes undecoded): the raw bytes are made with Python's codecs.
RAW_TEXT = [
    (["", "ISO 2022 IR 159"], "Mori^Ogai=森^鷗外",
     b"Mori^Ogai=" + "森".encode("iso2022_jp") + b"^" + "鷗".encode("iso2022_jp_2")
     + "外".encode("iso2022_jp")),
    (["", "ISO 2022 IR 58"], "Zhang^SanFeng=张^三丰",
     b"Zhang^SanFeng=\x1b$)A" + "张".encode("gb2312") + b"^\x1b$)A" + "三丰".encode("gb2312")),
]


@pytest.mark.parametrize("charset,text,raw", RAW_TEXT, ids=["ISO 2022 IR 159", "ISO 2022 IR 58"])
def test_code_extensions_pydicom_cannot_write(charset, text, raw, decode_data):
    ds = Dataset()
    ds.SpecificCharacterSet = charset
    ds.PatientName = "x" * len(raw)
    data = make_file(ds, replace=[(b"x" * len(raw), raw)])
    assert decode_data(data, ["PatientName"])[0] == text


def test_bytes_outside_the_character_set_become_replacement_characters(decode_data):
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = "ab^cd"
    data = make_file(ds, replace=[(b"ab^cd", b"a\xff^c\xc3")])
    assert decode_data(data, ["PatientName"])[0] == "a\ufffd^c\ufffd"


def test_no_character_set_reads_high_bytes_as_latin1(decode_data):
    ds = Dataset()
    ds.PatientName = "Buc^Jxrxme"
    data = make_file(ds, replace=[(b"Buc^Jxrxme", "Buc^Jérôme".encode("latin-1"))])
    assert decode_data(data, ["PatientName"])[0] == "Buc^Jérôme"


# --- value forms ----------------------------------------------------------


def test_binary_numbers_are_decimal_and_floats_are_python_repr(decode_data):
    ds = Dataset()
    ds.add_new(0x00189087, "FD", [0.1, 1e-5, 1e16, -0.0, 123.0, math.nan, -math.inf])  # DiffusionBValue
    ds.add_new(0x00189352, "FL", [0.3, 0.79, 2.5])  # CalciumScoringMassFactorDevice
    ds.add_new(0x00280010, "US", 65535)
    ds.add_new(0x00186020, "SL", [-2147483648, 7])  # ReferencePixelX0
    ds.add_new(0x00081161, "UL", [4294967295, 0])  # SimpleFrameList
    ds.add_new(0x00280009, "AT", [0x00540010, 0x00540020])
    data = make_file(ds)
    got = decode_data(data, ["DiffusionBValue", "CalciumScoringMassFactorDevice", "Rows",
                             "ReferencePixelX0", "FrameIncrementPointer", "SimpleFrameList"])
    assert list(got) == [
        "0.1\\1e-05\\1e+16\\-0.0\\123.0\\nan\\-inf",
        "0.30000001192092896\\0.7900000214576721\\2.5",
        "65535",
        "-2147483648\\7",
        "(0054,0010)\\(0054,0020)",
        "4294967295\\0",
    ]


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ExplicitVRBigEndian],
                         ids=["explicit_le", "explicit_be"])
def test_binary_values_are_base64_of_little_endian_bytes(syntax, decode_data):
    words = np.array([1, 2, 0x1234, 0xFFFF], dtype="<u2")
    floats = np.array([1.5, -2.25], dtype="<f4")
    ds = Dataset()
    ds.add_new(0x00281201, "OW", words.astype("<u2").tobytes() if syntax.is_little_endian
               else words.astype(">u2").tobytes())
    ds.add_new(0x00090010, "LO", "TFDICOM TEST")
    ds.add_new(0x00091001, "OB", b"\x00\x01\x02")
    ds.add_new(0x00660016, "OF", floats.tobytes() if syntax.is_little_endian
               else floats.astype(">f4").tobytes())  # PointCoordinatesData
    data = make_file(ds, syntax)
    got = decode_data(data, ["RedPaletteColorLookupTableData", "(0009,1001)",
                             "PointCoordinatesData"])
    assert base64.b64decode(got[0]) == words.tobytes()
    assert base64.b64decode(got[1]) == b"\x00\x01\x02\x00"  # pydicom pads to even length
    assert base64.b64decode(got[2]) == floats.tobytes()


@pytest.mark.parametrize("representation,expected", [(0, "65531\\5"), (1, "-5\\5")])
def test_us_or_ss_in_implicit_vr_follows_pixel_representation(representation, expected,
                                                               decode_data):
    ds = Dataset()
    ds.PixelRepresentation = representation
    ds.add_new(0x00280106, "US", 65531)  # SmallestImagePixelValue: bytes FB FF
    ds.add_new(0x00280107, "US", 5)
    data = make_file(ds, ImplicitVRLittleEndian)
    got = decode_data(data, ["SmallestImagePixelValue", "LargestImagePixelValue"])
    assert "\\".join(got) == expected


def test_a_sequence_gives_its_item_count(decode_data):
    ds = Dataset()
    items = []
    for uid in ("1.2.3.1", "1.2.3.2", "1.2.3.3"):
        item = Dataset()
        item.ReferencedSOPInstanceUID = uid
        items.append(item)
    ds.ReferencedImageSequence = Sequence(items)
    ds.ReferencedSeriesSequence = Sequence([])
    data = make_file(ds)
    got = decode_data(data, ["ReferencedImageSequence", "ReferencedSeriesSequence",
                             "ReferencedImageSequence[2].ReferencedSOPInstanceUID",
                             "ReferencedImageSequence[3].ReferencedSOPInstanceUID",
                             "ReferencedSeriesSequence[0].SeriesInstanceUID",
                             "PatientName[0].PatientID"])
    assert list(got) == ["3", "0", "1.2.3.3", "", "", ""]


def test_pixel_data_is_read_when_asked_for(decode_data):
    import pydicom.data

    path = pydicom.data.get_testdata_file("CT_small.dcm", download=False)
    got = decode_data(read_bytes(path), ["PixelData", "Rows"])
    assert base64.b64decode(got[0]) == pydicom.dcmread(path).PixelData
    assert got[1] == "128"


@pytest.mark.parametrize("f", params(OPEN_FILES))
def test_pixel_data_equals_pydicom(f):
    import tfdicom.numpy

    data = read_bytes(f.path())
    if f.name in MALFORMED or f.name == "MR_truncated.dcm":
        with pytest.raises(errors.CorruptDicomError, match="truncated"):
            tfdicom.numpy.decode_dicom_data(data, ["PixelData"])
        return
    ds = oracle.read(f.path())
    tag = next(t for t in ("PixelData", "FloatPixelData", "DoubleFloatPixelData") if t in ds)
    got = tfdicom.numpy.decode_dicom_data(data, [tag])[0]
    assert got == oracle.render(ds[tag], oracle.is_big_endian(ds))


def test_truncated_pixel_data_does_not_stop_the_header(decode_data):
    path = next(f.path() for f in OPEN_FILES if f.name == "MR_truncated.dcm")
    ds = pydicom.dcmread(path)
    got = decode_data(read_bytes(path), ["Rows", "Columns", "Modality"])
    assert list(got) == [str(ds.Rows), str(ds.Columns), ds.Modality]


# --- tags: forms, shapes, independence ------------------------------------


@pytest.fixture(scope="module")
def ct_small():
    """A small file with a sequence: (bytes, pydicom's Dataset)."""
    ds = Dataset()
    ds.Modality = "CT"
    ds.SeriesDescription = "Chest 1.0 B30f"
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "ID-1"
    ds.StudyDate = "20240102"
    ds.Rows = ds.Columns = 128
    items = []
    for i in (1, 2):
        item = Dataset()
        item.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        item.ReferencedSOPInstanceUID = f"1.2.3.4.{i}"
        items.append(item)
    ds.ReferencedImageSequence = Sequence(items)
    data = make_file(ds)
    return data, pydicom.dcmread(io.BytesIO(data))


def test_each_tag_is_looked_up_on_its_own(ct_small, decode_data):
    # tensorflow-io returned '' for every tag after a sequence path.
    data, ds = ct_small
    tags = ["(0008,1140)[0].(0008,1155)", "PatientName", "Rows", "(0008,1140)[0].(0008,1150)",
            "Columns"]
    got = decode_data(data, tags)
    item = ds.ReferencedImageSequence[0]
    assert list(got) == [item.ReferencedSOPInstanceUID, str(ds.PatientName), "128",
                         item.ReferencedSOPClassUID, "128"]


def test_tag_forms_are_equivalent(ct_small, decode_data):
    from tfdicom import tags

    data, ds = ct_small
    forms = ["SeriesDescription", "(0008,103E)", "(0008,103e)", "0008,103E", "0008103e",
             tags.SeriesDescription, np.uint32(0x0008103E), np.int64(0x0008103E)]
    got = decode_data(data, forms)
    assert list(got) == [ds.SeriesDescription] * len(forms)
    assert decode_data(data, [tags.PatientsName])[0] == str(ds.PatientName)


def test_retired_keywords_work_with_and_without_dcmtk_prefix(decode_data):
    ds = Dataset()
    ds.add_new(0x00080010, "SH", "RECOGNIZED")  # RecognitionCode, retired
    data = make_file(ds)
    assert list(decode_data(data, ["RecognitionCode", "RETIRED_RecognitionCode"])) == \
        ["RECOGNIZED", "RECOGNIZED"]


@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 1, 2), (0,), (2, 0)])
def test_output_has_the_shape_of_tags(shape, ct_small, decode_data):
    from tfdicom import tags

    data, ds = ct_small
    pool = [tags.Rows, tags.Columns, tags.Modality, tags.PatientName, tags.PatientID,
            tags.StudyDate]
    expected_pool = ["128", "128", ds.Modality, str(ds.PatientName), ds.PatientID, ds.StudyDate]
    count = int(np.prod(shape))
    tag_array = np.array([pool[i % len(pool)] for i in range(count)], dtype=np.uint32)
    got = decode_data(data, tag_array.reshape(shape))
    assert got.shape == shape
    expected = np.array([expected_pool[i % len(pool)] for i in range(count)],
                        dtype=object).reshape(shape)
    np.testing.assert_array_equal(got, expected)


def test_a_python_int_and_a_python_str_give_0d(ct_small, decode_data):
    data, _ = ct_small
    assert decode_data(data, 0x00280010).shape == ()
    assert decode_data(data, 0x00280010)[()] == "128"
    assert decode_data(data, "Rows")[()] == "128"


def test_mixed_list_of_ints_and_strings(ct_small, decode_data):
    data, ds = ct_small
    got = decode_data(data, [[0x00280010, "Columns"], ["(0008,1140)[0].(0008,1150)", 0x00080060]])
    np.testing.assert_array_equal(
        got, np.array([["128", "128"], [ds.ReferencedImageSequence[0].ReferencedSOPClassUID,
                                         ds.Modality]], dtype=object))


def test_absent_tags_give_empty_strings(ct_small, decode_data):
    data, _ = ct_small
    got = decode_data(data, ["PatientMotherBirthName", "(0011,1001)", 0x00091234,
                             "ReferencedImageSequence[99].ReferencedSOPInstanceUID",
                             "(FFFA,FFFA)"])
    assert list(got) == ["", "", "", "", ""]


def test_meta_header_tags_come_from_the_meta_header(ct_small, decode_data):
    data, ds = ct_small
    got = decode_data(data, ["TransferSyntaxUID", "MediaStorageSOPInstanceUID",
                             "FileMetaInformationVersion"])
    assert list(got) == [ds.file_meta.TransferSyntaxUID, ds.file_meta.MediaStorageSOPInstanceUID,
                         base64.b64encode(ds.file_meta.FileMetaInformationVersion).decode()]


def test_a_bare_data_set_has_no_meta_header(decode_data):
    ds = Dataset()
    ds.Modality = "OT"
    ds.PatientName = "Bare^Set"
    buffer = io.BytesIO()
    fp = pydicom.filebase.DicomFileLike(buffer)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    pydicom.filewriter.write_dataset(fp, ds)
    got = decode_data(buffer.getvalue(), ["PatientName", "TransferSyntaxUID"])
    assert list(got) == ["Bare^Set", ""]


# --- errors ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"not a DICOM file at all" * 20, bytes(300)],
                         ids=["empty", "text", "zeros"])
def test_bytes_that_are_not_dicom_raise(data, decode_data):
    with decode_data.raises(errors.InvalidDicomError, "not DICOM"):
        decode_data(data, ["PatientName"])


def test_a_header_cut_short_raises_data_loss(ct_small, decode_data):
    data, _ = ct_small
    with decode_data.raises(errors.CorruptDicomError, "truncated"):
        decode_data(data[:-15], ["PatientName"])  # inside the last element


@pytest.mark.parametrize("tag,match", [
    ("PatientNam", "unknown keyword 'PatientNam'"),
    ("(0010,001G)", "neither a keyword nor a tag"),
    ("ReferencedImageSequence.ReferencedSOPInstanceUID", "item index missing"),
    ("ReferencedImageSequence[0]", "ends the path with an item"),
    ("ReferencedImageSequence[-1].ReferencedSOPInstanceUID", "is not a number >= 0"),
    ("", "empty"),
])
def test_malformed_string_tags_raise(tag, match, ct_small, decode_data):
    data, _ = ct_small
    with decode_data.raises(ValueError, match) as raised:
        decode_data(data, ["Rows", tag])
    assert not isinstance(raised.value, errors.DicomError)  # the caller's mistake, not the file's


@pytest.mark.parametrize("tag", [-1, 1 << 32])
def test_integers_outside_32_bits_raise(tag, ct_small, decode_data):
    data, _ = ct_small
    with decode_data.raises(ValueError, "is not a tag"):
        decode_data(data, [0x00280010, tag])


@pytest.mark.parametrize("tags", [[1.5], [True], [[0x00280010], [0x00280011, 0x00280010]]],
                         ids=["float", "bool", "ragged"])
def test_tags_of_other_types_raise(tags, ct_small, decode_data):
    data, _ = ct_small
    with pytest.raises((TypeError, ValueError)):
        decode_data(data, tags)
