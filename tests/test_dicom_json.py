"""decode_dicom_json: for every open test file and pydicom's character set
files, the output parses as JSON and every element equals pydicom's
DataElement.to_json_dict(), after the normalisations listed in
tests/data_oracle.py (items 7-16). The TensorFlow op and tfdicom.numpy give
the same text."""

import io
import json
import math

import pydicom
import pytest
from pydicom.data import get_charset_files
from pydicom.dataset import Dataset
from pydicom.uid import ExplicitVRBigEndian, ImplicitVRLittleEndian

import data_oracle as oracle
from reference_files import OPEN_FILES, read_bytes
from test_decode_data import MALFORMED, make_file
from tfdicom import errors

PATHS = ([f.path() for f in OPEN_FILES if f.name not in MALFORMED]
         + sorted(p for p in get_charset_files() if p.endswith(".dcm")))


def decode_json(data, interface):
    if interface == "numpy":
        import tfdicom.numpy

        text = tfdicom.numpy.decode_dicom_json(data)
        assert isinstance(text, str)
        return text
    import tensorflow as tf

    import tfdicom

    return tfdicom.decode_dicom_json(tf.constant(data)).numpy().decode("utf-8")


def compare(ours, theirs, where=""):
    """Differences between normalised tfdicom JSON and pydicom's, as text."""
    problems = []
    for key in sorted(set(ours) | set(theirs)):
        if key not in theirs:
            problems.append(f"{where}{key}: only in tfdicom: {str(ours[key])[:100]}")
            continue
        if key not in ours:
            problems.append(f"{where}{key}: only in pydicom: {str(theirs[key])[:100]}")
            continue
        mine, want = ours[key], theirs[key]
        if isinstance(want, oracle.Unconvertible):  # 14
            if mine.get("Value") != [want.text]:
                problems.append(f"{where}{key}: {mine} != the file's text {want.text!r}")
            continue
        if mine.get("vr") == want.get("vr") == "SQ":
            items, wanted = mine.get("Value", []), want.get("Value", [])
            if len(items) != len(wanted):
                problems.append(f"{where}{key}: {len(items)} items != {len(wanted)}")
            for i, (a, b) in enumerate(zip(items, wanted)):
                problems += compare(a, b, f"{where}{key}[{i}].")
            continue
        if mine != want:
            problems.append(f"{where}{key}: tfdicom {str(mine)[:150]} != pydicom {str(want)[:150]}")
    return problems


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.rsplit("/", 1)[-1])
def test_json_equals_pydicom_to_json_dict(path):
    data = read_bytes(path)
    text = decode_json(data, "numpy")
    ours = json.loads(text)
    assert isinstance(ours, dict) and ours
    assert not [k for k in ours if k.startswith("0002")], "the meta header is left out"
    assert not [k for k in ours if int(k, 16) >= 0x7FE00008], "pixel data is left out"
    ds = oracle.read(path)
    problems = compare(oracle.normalise_ours(ours), oracle.pydicom_json(ds, oracle.is_big_endian(ds)))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PATHS[::7], ids=lambda p: p.rsplit("/", 1)[-1])
def test_tensorflow_and_numpy_give_the_same_json(path):
    data = read_bytes(path)
    assert decode_json(data, "tensorflow") == decode_json(data, "numpy")


def test_malformed_file_raises_as_decode_dicom_data_does():
    import tfdicom.numpy

    (name, (error, match)), = MALFORMED.items()
    path = next(f.path() for f in OPEN_FILES if f.name == name)
    with pytest.raises(error, match=match):
        tfdicom.numpy.decode_dicom_json(read_bytes(path))


@pytest.mark.parametrize("interface", ["numpy", "tensorflow"])
def test_text_is_utf8_and_character_set_says_so(interface):
    path = next(p for p in get_charset_files() if p.endswith("/chrH31.dcm"))
    parsed = json.loads(decode_json(read_bytes(path), interface))
    assert parsed["00080005"] == {"vr": "CS", "Value": ["ISO_IR 192"]}
    assert parsed["00100010"]["Value"] == [{"Alphabetic": "Yamada^Tarou",
                                            "Ideographic": "山田^太郎",
                                            "Phonetic": "やまだ^たろう"}]


def test_a_utf8_file_keeps_its_character_set():
    import tfdicom.numpy

    path = next(p for p in get_charset_files() if p.endswith("/chrX1.dcm"))
    parsed = json.loads(tfdicom.numpy.decode_dicom_json(read_bytes(path)))
    assert parsed["00080005"] == {"vr": "CS", "Value": ["ISO_IR 192"]}
    assert parsed["00100010"]["Value"][0]["Ideographic"] == "王^小東"


def test_numbers_are_exact_and_non_finite_floats_are_null():
    import tfdicom.numpy

    ds = Dataset()
    ds.add_new(0x00189087, "FD", [0.02622878766196998, 1e-300, 5e-324, math.nan, math.inf])
    ds.add_new(0x00189352, "FL", [0.3, 1.401298464324817e-45])
    parsed = json.loads(tfdicom.numpy.decode_dicom_json(make_file(ds)))
    assert parsed["00189087"]["Value"] == [0.02622878766196998, 1e-300, 5e-324, None, None]
    assert parsed["00189352"]["Value"] == [0.30000001192092896, 1.401298464324817e-45]


def test_denormals_survive_the_tensorflow_kernel():
    # TensorFlow runs kernels with denormals flushed to zero.
    ds = Dataset()
    ds.add_new(0x00189352, "FL", [1.401298464324817e-45])
    ds.add_new(0x00189087, "FD", [5e-324])
    data = make_file(ds)
    parsed = json.loads(decode_json(data, "tensorflow"))
    assert parsed["00189352"]["Value"] == [1.401298464324817e-45]
    assert parsed["00189087"]["Value"] == [5e-324]


def test_us_or_ss_of_signed_pixels_is_ss():
    import tfdicom.numpy

    ds = Dataset()
    ds.PixelRepresentation = 1
    ds.add_new(0x00280106, "US", 65531)  # SmallestImagePixelValue, bytes FB FF
    parsed = json.loads(tfdicom.numpy.decode_dicom_json(make_file(ds, ImplicitVRLittleEndian)))
    assert parsed["00280106"] == {"vr": "SS", "Value": [-5]}


def test_binary_values_are_little_endian_inline_binary():
    import tfdicom.numpy

    ds = Dataset()
    ds.add_new(0x00281201, "OW", bytes([0x12, 0x34, 0x56, 0x78]))  # as written, big endian
    parsed = json.loads(tfdicom.numpy.decode_dicom_json(make_file(ds, ExplicitVRBigEndian)))
    assert parsed["00281201"] == {"vr": "OW", "InlineBinary": "NBJ4Vg=="}  # 34 12 78 56


def test_invalid_numbers_stay_strings_so_the_output_parses():
    import tfdicom.numpy

    path = next(f.path() for f in OPEN_FILES if f.name == "badVR.dcm")
    parsed = json.loads(tfdicom.numpy.decode_dicom_json(read_bytes(path)))
    assert parsed["00280008"] == {"vr": "IS", "Value": ["1A"]}


@pytest.mark.parametrize("interface", ["numpy", "tensorflow"])
def test_bytes_that_are_not_dicom_raise(interface):
    import tensorflow as tf

    error = errors.InvalidDicomError if interface == "numpy" else tf.errors.InvalidArgumentError
    with pytest.raises(error, match="decode_dicom_json: not DICOM"):
        decode_json(b"\x00" * 200, interface)


def test_a_bare_data_set_gives_its_elements():
    import tfdicom.numpy

    ds = Dataset()
    ds.Modality = "OT"
    ds.SeriesDescription = "bare data set, no meta header"
    buffer = io.BytesIO()
    fp = pydicom.filebase.DicomFileLike(buffer)
    fp.is_little_endian, fp.is_implicit_VR = True, False
    pydicom.filewriter.write_dataset(fp, ds)
    assert json.loads(tfdicom.numpy.decode_dicom_json(buffer.getvalue())) == {
        "00080060": {"vr": "CS", "Value": ["OT"]},
        "0008103E": {"vr": "LO", "Value": ["bare data set, no meta header"]}}
