"""Structure limits (docs/robustness.md, "Limits"): nesting depth, element
and item counts, checked before DCMTK parses anything; DICOM JSON and tag
lookup linear in the elements and items; DS and IS written as valid JSON."""

import glob
import json
import os
import struct
import zlib

import pytest

import limits_files as lf
import tfdicom.numpy as tn
from tfdicom import errors

HERE = os.path.dirname(__file__)
REGRESSIONS = os.path.join(HERE, "fuzz_regressions")
DEPTH = "sequences nest deeper than 64 levels"


def tf_ops():
    import tensorflow as tf

    import tfdicom

    return tf, tfdicom


def entry_points():
    """(name, callable) for every entry point that parses the header."""
    return [
        ("numpy.image", lambda d: tn.decode_dicom_image(d, on_error="strict")),
        ("numpy.data", lambda d: tn.decode_dicom_data(d, [0x00280010])),
        ("numpy.data_all", lambda d: tn.decode_dicom_data(d, [0x7FE00010])),
        ("numpy.json", tn.decode_dicom_json),
    ]


def tf_entry_points():
    tf, tfdicom = tf_ops()
    return [
        ("tf.image", lambda d: tfdicom.decode_dicom_image(tf.constant(d), on_error="strict")),
        ("tf.data", lambda d: tfdicom.decode_dicom_data(tf.constant(d), tf.constant([0x00280010],
                                                                                    tf.uint32))),
        ("tf.json", lambda d: tfdicom.decode_dicom_json(tf.constant(d))),
    ]


def meta_end(data):
    """Where the data set of a file made by limits_files starts."""
    pos = 132
    while struct.unpack_from("<H", data, pos)[0] == 0x0002:
        if data[pos + 4:pos + 6] in (b"OB", b"UN"):
            pos += 12 + struct.unpack_from("<I", data, pos + 8)[0]
        else:
            pos += 8 + struct.unpack_from("<H", data, pos + 6)[0]
    return pos


def deflated(data):
    """The same file with its data set deflated (1.2.840.10008.1.2.1.99)."""
    start = meta_end(data)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(data[start:]) + compressor.flush()
    return lf.part10("1.2.840.10008.1.2.1.99", body)


NESTED = {
    "explicit_undefined": lambda n: lf.nested_sequences(n),
    "explicit_defined": lambda n: lf.nested_sequences(n, defined_length=True),
    "implicit_undefined": lambda n: lf.nested_sequences(n, syntax=lf.IMPLICIT_LE),
    "implicit_defined": lambda n: lf.nested_sequences(n, syntax=lf.IMPLICIT_LE,
                                                      defined_length=True),
    "big_endian_undefined": lambda n: lf.nested_sequences(n, syntax=lf.EXPLICIT_BE),
    "big_endian_defined": lambda n: lf.nested_sequences(n, syntax=lf.EXPLICIT_BE,
                                                        defined_length=True),
    "deflated_undefined": lambda n: deflated(lf.nested_sequences(n)),
    "no_preamble": lambda n: lf.nested_sequences(n)[132:],  # the meta header, no preamble
    "bare_data_set": lambda n: lf.nested_sequences(n)[meta_end(lf.nested_sequences(1)):],
}


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_deep_nesting_is_refused_before_dcmtk_parses(kind):
    data = NESTED[kind](7000)  # overflowed DCMTK's recursive parse (SIGSEGV)
    # The image decode's header scan skips a sequence of defined length by
    # its length (DCMTK never parses it): that image decodes. Everything
    # that reaches DCMTK's parse is refused.
    image_reads_it = kind.endswith("_defined")
    for name, decode in entry_points():
        if name == "numpy.image" and image_reads_it:
            assert decode(data).shape == (1, 1, 1)
            continue
        with pytest.raises(errors.InvalidDicomError, match=DEPTH) as caught:
            decode(data)
        assert "offset" in str(caught.value), name
    if not image_reads_it:
        assert tn.decode_dicom_image(data, on_error="skip").shape == (0, 0, 0)


def test_deep_nesting_raises_invalid_argument_in_tensorflow():
    tf, _ = tf_ops()
    data = lf.nested_sequences(7000, syntax=lf.IMPLICIT_LE)
    for name, decode in tf_entry_points():
        with pytest.raises(tf.errors.InvalidArgumentError, match=DEPTH):
            decode(data)
    _, tfdicom = tf_ops()
    skipped = tfdicom.decode_dicom_image(tf.constant(data), on_error="skip")
    assert skipped.shape == (0, 0, 0)


@pytest.mark.parametrize("kind", ["explicit_undefined", "implicit_defined", "big_endian_defined",
                                  "deflated_undefined"])
def test_nesting_at_the_limit_is_read(kind):
    data = NESTED[kind](64)
    parsed = json.loads(tn.decode_dicom_json(data))
    depth, node = 0, parsed
    while "0040A730" in node:
        node = node["0040A730"]["Value"][0]
        depth += 1
    assert depth == 64
    assert node["0040A160"]["Value"] == ["deep"]
    path = ".".join(["ContentSequence[0]"] * 64) + ".TextValue"
    assert tn.decode_dicom_data(data, [path, "Rows"]).tolist() == ["deep", "1"]
    assert tn.decode_dicom_image(data, on_error="strict").shape == (1, 1, 1)
    with pytest.raises(errors.InvalidDicomError, match=DEPTH):
        tn.decode_dicom_json(NESTED[kind](65))


def test_item_count_limit():
    # 2^22 + 1 empty items: 32 MiB, refused before DCMTK makes a node.
    data = lf.many_items((1 << 22) + 1, empty=True)
    with pytest.raises(errors.InvalidDicomError, match="more than 4194304 elements and items"):
        tn.decode_dicom_data(data, ["SOPClassUID"])


def test_fuzz_regression_files_are_refused():
    files = sorted(glob.glob(os.path.join(REGRESSIONS, "nested_sequences_*.dcm")))
    assert len(files) >= 2
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        assert len(data) < 64 * 1024
        for name, decode in entry_points():
            defined = path.endswith(("_defined.dcm", "_walker_bypass.dcm"))
            if name == "numpy.image" and defined:
                assert decode(data).shape == (1, 1, 1)  # as above
                continue
            with pytest.raises(errors.InvalidDicomError, match=DEPTH):
                decode(data)


def item_length_at(level, depth=4000):
    """The length of the item at `level` of the implicit VR nesting."""
    data = lf.nested_sequences(depth, syntax=lf.IMPLICIT_LE, defined_length=True)
    pos = data.find(b"\xfe\xff\x00\xe0") + 16 * level
    return struct.unpack_from("<I", data, pos + 4)[0]


def walker_bypass(item_length, depth=4000):
    """The shape of fuzz_regressions/nested_sequences_walker_bypass.dcm
    (tools/mutation_fuzz.py): implicit VR, defined-length nesting, an
    earlier element's value and length changed, and the item at level 38
    declaring `item_length` bytes instead of its content's."""
    return lf.nested_sequences(depth, syntax=lf.IMPLICIT_LE, defined_length=True,
                               photometric=b"YBR_PARTIAL_420 ", item_lengths={38: item_length})


@pytest.mark.parametrize("item_length", [1, 2, 7])
def test_nesting_past_an_item_shorter_than_its_first_header_is_refused(item_length):
    # DCMTK reads an item of defined length while it has read less than its
    # length: the element whose header starts inside the item is read whole,
    # with all the levels inside it (a warning, "Explicit item length too
    # large for the elements contained in the item"). The structure check
    # took the item's length for a bound and skipped the rest unchecked.
    data = walker_bypass(item_length)
    for name, decode in entry_points():
        if name == "numpy.image":
            # The header scan skips the outermost sequence by its length and
            # the image decodes without DCMTK's parse (as for the files above).
            assert decode(data).shape == (1, 1, 1)
            continue
        with pytest.raises(errors.InvalidDicomError, match=DEPTH):
            decode(data)


def test_item_longer_than_its_content_reads_on_and_is_refused():
    # An item that declares 2 bytes more than its content reads one element
    # more, from behind its end: still refused.
    data = lf.nested_sequences(4000, syntax=lf.IMPLICIT_LE, defined_length=True,
                               item_lengths={38: item_length_at(38) + 2})
    with pytest.raises(errors.InvalidDicomError, match=DEPTH):
        tn.decode_dicom_json(data)


def test_value_past_its_item_is_a_parse_error_not_nesting():
    # The item declares 2 bytes less than its content: DCMTK fails on the
    # element that runs past it (at level 39) and parses no deeper, and the
    # check leaves the diagnosis to DCMTK.
    data = lf.nested_sequences(4000, syntax=lf.IMPLICIT_LE, defined_length=True,
                               item_lengths={38: item_length_at(38) - 2})
    with pytest.raises(errors.CorruptDicomError,
                       match="Length of element larger than explicit length of surrounding item"):
        tn.decode_dicom_json(data)
    # So does an item that ends exactly after its first element's header.
    with pytest.raises(errors.CorruptDicomError, match="surrounding item"):
        tn.decode_dicom_json(walker_bypass(8))
    # Near the limit the same damage is not refused for nesting.
    data = lf.nested_sequences(64, syntax=lf.IMPLICIT_LE, defined_length=True,
                               item_lengths={1: 1})
    assert json.loads(tn.decode_dicom_json(data))


# JSON and lookups on many elements and items: linear (benchmarks/json_scaling.py
# measures it); here, that the results are complete.

def test_json_and_lookup_of_50k_elements():
    data = lf.many_elements(50_000)
    parsed = json.loads(tn.decode_dicom_json(data))
    assert len(parsed) == 50_001
    assert parsed["0011D34F"] == {"vr": "LO", "Value": ["v"]}
    tags = [0x00111000 + i for i in range(0, 50_000, 97)]
    assert set(tn.decode_dicom_data(data, tags).tolist()) == {"v"}


def test_json_and_lookup_of_50k_items():
    data = lf.many_items(50_000)
    parsed = json.loads(tn.decode_dicom_json(data))
    items = parsed["0040A730"]["Value"]
    assert len(items) == 50_000 and items[-1] == {"0040A160": {"vr": "UT", "Value": ["t"]}}
    paths = [f"ContentSequence[{i}].TextValue" for i in range(0, 50_000, 500)] + [
        "ContentSequence[50000].TextValue"]
    assert tn.decode_dicom_data(data, paths).tolist() == ["t"] * 100 + [""]


# DS and IS: DICOM's text forms as JSON numbers with the same value.

DECIMALS = ["1.", "1.e3", "+1", ".5", "1.E3", "  2 ", "-.5", "00012", "-007.250", "1e-3",
            "+.5E+2", "0", "-0", "12345678901234567", "1.5e308"]
INTEGERS = ["+5", "007", " -3", "0", "-0012", "2147483647"]


def _ds_file(ds_values, is_values, syntax=lf.EXPLICIT_LE):
    return lf.with_elements([
        (0x00181050, "DS", "\\".join(ds_values).encode()),
        (0x00200013, "IS", "\\".join(is_values).encode()),
    ], syntax=syntax)


@pytest.mark.parametrize("syntax", [lf.EXPLICIT_LE, lf.IMPLICIT_LE])
def test_decimal_strings_are_valid_json_numbers(syntax):
    data = _ds_file(DECIMALS, INTEGERS, syntax)
    parsed = json.loads(tn.decode_dicom_json(data))
    assert parsed["00181050"]["vr"] == "DS"
    # A JSON reader that reads numbers as doubles gets float(text).
    assert [float(v) for v in parsed["00181050"]["Value"]] == [float(t) for t in DECIMALS]
    assert all(isinstance(v, (int, float)) for v in parsed["00181050"]["Value"])
    assert parsed["00200013"]["Value"] == [int(t) for t in INTEGERS]
    # decode_dicom_data keeps the text as written.
    assert tn.decode_dicom_data(data, ["SpatialResolution"])[0] == "\\".join(
        t.strip() for t in DECIMALS)


def test_decimal_strings_agree_with_pydicom_and_the_tensorflow_op():
    import io

    import pydicom

    data = _ds_file(DECIMALS, INTEGERS)
    theirs = pydicom.dcmread(io.BytesIO(data)).to_json_dict()
    ours = json.loads(tn.decode_dicom_json(data))
    for key in ("00181050", "00200013"):
        assert [float(v) for v in ours[key]["Value"]] == theirs[key]["Value"]
    tf, tfdicom = tf_ops()
    assert tfdicom.decode_dicom_json(tf.constant(data)).numpy().decode() == tn.decode_dicom_json(
        data)


def test_decimal_strings_that_are_not_numbers_stay_strings():
    # pydicom's to_json_dict raises ValueError on these; tfdicom keeps the
    # text as a JSON string (and an empty value as null) so the output parses.
    odd = ["1A", "NaN", "inf", ".", "+", "1e", "1e+", "--1", "1 2", ""]
    data = _ds_file(odd, ["12", "x"])
    parsed = json.loads(tn.decode_dicom_json(data))
    assert parsed["00181050"]["Value"] == ["1A", "NaN", "inf", ".", "+", "1e", "1e+", "--1",
                                           "1 2", None]
    assert parsed["00200013"]["Value"] == [12, "x"]


# A header that cannot be read to its end (docs/robustness.md, "A damaged
# header"): one error, DataLoss naming the offset, from every entry point.

def _damaged_patient_name(length):
    """CT_small.dcm with (0010,0010) PatientName's length field set to
    `length`: DCMTK reads on from inside the value and stops silently at the
    first garbage tag at or above (7FE0,0008)."""
    from pydicom.data import get_testdata_file

    with open(get_testdata_file("CT_small.dcm"), "rb") as f:
        data = bytearray(f.read())
    pos = data.find(struct.pack("<HH", 0x0010, 0x0010), 132)
    assert data[pos + 4:pos + 6] == b"PN"
    data[pos + 6:pos + 8] = struct.pack("<H", length)
    return bytes(data)


DAMAGED = "data set damaged at offset"


@pytest.mark.parametrize("length", [0, 56, 84])
def test_damaged_length_is_one_error_on_every_entry_point(length):
    data = _damaged_patient_name(length)
    for name, decode in entry_points():
        if name == "numpy.data_all":  # reads everything: DCMTK's own error
            with pytest.raises(errors.CorruptDicomError):
                decode(data)
            continue
        with pytest.raises(errors.CorruptDicomError, match=DAMAGED) as caught:
            decode(data)
        assert "reading stopped there, before any pixel data" in str(caught.value), name
    assert tn.decode_dicom_image(data, on_error="skip").shape == (0, 0, 0)
    tf, _ = tf_ops()
    for name, decode in tf_entry_points():
        with pytest.raises(tf.errors.InvalidArgumentError, match=DAMAGED):
            decode(data)


def test_elements_after_the_pixel_data_or_without_it_are_not_damage():
    from pydicom.data import get_testdata_file

    with open(get_testdata_file("CT_small.dcm"), "rb") as f:
        good = f.read()
    w = lf.Writer(lf.EXPLICIT_LE)
    # Garbage after the pixel data: read up to it, as before.
    image = tn.decode_dicom_image(good, dtype="int16", on_error="strict")
    assert image.shape == (1, 128, 128)
    trailing = tn.decode_dicom_image(good + b"\x01\x02garbage!" * 3, dtype="int16",
                                     on_error="strict")
    assert (trailing == image).all()
    assert tn.decode_dicom_data(good + b"\x01\x02garbage!" * 3, ["Rows"]).tolist() == ["128"]
    # No pixel data, then private group 7FE1 and trailing padding: read.
    padded = lf.with_elements([(0x00100010, "PN", b"A^B "), (0x7FE10010, "LO", b"CREATOR "),
                               (0xFFFCFFFC, "OB", b"\x00" * 64)])
    assert tn.decode_dicom_data(padded, ["PatientName"]).tolist() == ["A^B"]
    assert json.loads(tn.decode_dicom_json(padded))["00100010"]["Value"] == [{"Alphabetic": "A^B"}]
    with pytest.raises(errors.InvalidDicomError, match="no pixel data"):
        tn.decode_dicom_image(padded, on_error="strict")
    # The same, but the element after the stop runs past the end: damaged.
    cut = padded + w.header(0xFFFCFFFD, "OB", 1000) + b"\x00" * 10
    with pytest.raises(errors.CorruptDicomError, match=DAMAGED):
        tn.decode_dicom_json(cut)
