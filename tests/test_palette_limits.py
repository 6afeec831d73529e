"""PALETTE COLOR and LUT limits (issue #13): segmented palettes whose
indirect segments point at indirect segments end fast with an error;
valid segmented palettes (nested indirect segments, 8-bit entries) still
equal pydicom's apply_color_lut; tables of different entry widths and LUT
descriptors with impossible bit counts are refused with the element named.
docs/robustness.md lists these limits."""

import io
import os
import struct

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_color_lut

from synthetic import dataset, phantom, to_bytes
from tfdicom import errors

HERE = os.path.dirname(os.path.abspath(__file__))
REGRESSION = os.path.join(HERE, "fuzz_regressions", "segmented_palette_nested_indirect.dcm")


def expect_error(decode, fragment, exception=errors.InvalidDicomError):
    """pytest.raises for the interface under test: the DicomError subclass
    through tfdicom.numpy, InvalidArgumentError through the TF op."""
    if decode.interface == "numpy":
        return pytest.raises(exception, match=fragment)
    import tensorflow as tf

    return pytest.raises(tf.errors.InvalidArgumentError, match=fragment)


def words(values, width=2):
    return struct.pack(f"<{len(values)}{'H' if width == 2 else 'B'}", *values)


def palette_file(indices, red, green=None, blue=None, *, descriptor, segmented=False):
    """A PALETTE COLOR file over `indices` whose tables are the given bytes."""
    ds = dataset(indices, photometric="PALETTE COLOR")
    for color, data in zip(("Red", "Green", "Blue"), (red, green or red, blue or red)):
        setattr(ds, f"{color}PaletteColorLookupTableDescriptor", list(descriptor))
        prefix = "Segmented" if segmented else ""
        setattr(ds, f"{prefix}{color}PaletteColorLookupTableData", data)
    return to_bytes(ds)


def nested_indirect(k, levels=7):
    """Segmented data whose indirect segments each copy `k` indirect
    segments of the next block, `levels` deep, over `k` empty discrete
    segments: about 30 k words, and k^(levels + 1) segment visits to expand
    recursively, as pydicom does (the table itself stays one entry long)."""
    head = [0, 1, 100]                     # one entry, so that indirect segments may follow
    block = 4 * k
    start = len(head) + 4                  # after the head and the top indirect segment
    data = head + [2, k, start & 0xFFFF, start >> 16]
    for level in range(levels):
        target = start + (level + 1) * block
        data += [2, k, target & 0xFFFF, target >> 16] * k
    data += [0, 0] * k                     # empty discrete segments: no entries at all
    return data


def nested_indirect_file():
    """The 4 KB file of tests/fuzz_regressions/: K = 60, 60^8 (1.7e14)
    segment visits for a recursive expansion, which did not end."""
    small = words([0, 1, 7])
    return palette_file(np.zeros((2, 2), np.uint8), words(nested_indirect(60)), small, small,
                        descriptor=(1, 0, 16), segmented=True)


NESTED = r"an indirect segment copies another indirect segment \(PS3.3 C.7.9.2.3 forbids it\)"


def test_nested_indirect_segments_fail_fast(decode):
    """The test asserts the error; it has no time limit, it simply must end."""
    data = nested_indirect_file()
    assert len(data) < 8 * 1024
    with expect_error(decode, NESTED):
        decode(data, color_dim=True, on_error="strict")


def test_nested_indirect_regression_file_fails_fast(decode):
    with open(REGRESSION, "rb") as f:
        data = f.read()
    assert data == nested_indirect_file()
    with expect_error(decode, NESTED):
        decode(data, color_dim=True, on_error="strict")
    with pytest.warns() if decode.interface == "numpy" else __import__("contextlib").nullcontext():
        assert decode(data, color_dim=True, on_error="skip").shape == (0, 0, 0, 0)


def test_self_copying_indirect_segment_is_an_error(decode):
    # item 3: an indirect segment that copies itself
    data = palette_file(np.zeros((2, 2), np.uint8), words([0, 1, 5, 2, 1, 3, 0]),
                        descriptor=(1, 0, 16), segmented=True)
    with expect_error(decode, NESTED):
        decode(data, color_dim=True, on_error="strict")


def test_indirect_copies_of_empty_segments_stop_at_the_visit_budget(decode):
    """Without nesting the work can still be quadratic: 500 indirect
    segments each copying 1,000 empty discrete segments is 500,000 visits
    for 4,000 items of data; the budget is 65536 + 4 x items."""
    empties, copies = 1000, 500
    head = [0, 1, 100]
    lut = head + [0, 0] * empties + [2, empties, len(head), 0] * copies
    assert 65536 + 4 * len(lut) < empties * copies
    data = palette_file(np.zeros((2, 2), np.uint8), words(lut), descriptor=(1, 0, 16),
                        segmented=True)
    with expect_error(decode, rf"expanding the table takes more than {65536 + 4 * len(lut)} "
                              rf"segment visits \(the limit for {len(lut)} items"):
        decode(data, color_dim=True, on_error="strict")


def test_more_than_65536_entries_are_refused(decode):
    lut = [0, 1, 0] + [1, 65535, 9] + [1, 2, 0]
    data = palette_file(np.zeros((2, 2), np.uint8), words(lut), descriptor=(0, 0, 16),
                        segmented=True)
    with expect_error(decode, "segmented palette: more than 65536 entries"):
        decode(data, color_dim=True, on_error="strict")


def check_equals_apply_color_lut(decode, data, indices):
    expected = apply_color_lut(indices, pydicom.dcmread(io.BytesIO(data)))
    image = decode(data, dtype=expected.dtype.name, color_dim=True, on_error="strict")
    np.testing.assert_array_equal(image[0], expected)
    return expected


def test_indirect_segments_equal_apply_color_lut(decode):
    """Indirect segments that copy discrete and linear segments, one from
    the middle of the data, then a final ramp."""
    lut = [0, 3, 1000, 2000, 3000,   # word 0: discrete
           1, 5, 8000,               # word 5: linear
           2, 2, 0, 0,               # word 8: indirect, the 2 segments at word 0
           1, 3, 100,                # word 12: linear, down
           2, 1, 5, 0,               # word 15: indirect, the linear at word 5
           1, 4, 65535]              # word 19: linear
    entries = 3 + 5 + 8 + 3 + 5 + 4
    indices = phantom(1, 6, 7, 0, entries - 1, np.uint8, seed=2)[0]
    data = palette_file(indices, words(lut), descriptor=(entries, 0, 16), segmented=True)
    expected = check_equals_apply_color_lut(decode, data, indices)
    assert expected.dtype == np.uint16 and len(np.unique(expected)) > 10


def test_eight_bit_segmented_palette_with_indirect_offsets_equals_apply_color_lut(decode):
    """8-bit segmented data: an indirect segment's offset takes four items
    (pydicom's reading), here pointing at item 5."""
    lut = [0, 3, 10, 20, 30,         # item 0: discrete
           1, 5, 80,                 # item 5: linear
           2, 2, 0, 0, 0, 0,         # item 8: indirect, 2 segments from item 0
           1, 2, 40,                 # item 14: linear, down
           2, 1, 5, 0, 0, 0,         # item 17: indirect, the linear at item 5
           1, 4, 255, 0]             # item 23: linear; a trailing null pads to even
    entries = 3 + 5 + 8 + 2 + 5 + 4
    indices = phantom(1, 5, 9, 0, entries - 1, np.uint8, seed=3)[0]
    data = palette_file(indices, words(lut, 1), descriptor=(entries, 0, 8), segmented=True)
    expected = check_equals_apply_color_lut(decode, data, indices)
    assert expected.dtype == np.uint8


def test_segmented_open_file_equals_apply_color_lut(decode):
    """gdcm-US-ALOKA-16.dcm: the open test files' segmented palette."""
    path = pydicom.data.get_testdata_file("gdcm-US-ALOKA-16.dcm", download=False)
    ds = pydicom.dcmread(path)
    assert "SegmentedRedPaletteColorLookupTableData" in ds
    expected = apply_color_lut(ds.pixel_array, ds)
    with open(path, "rb") as f:
        image = decode(f.read(), dtype="uint16", color_dim=True, on_error="strict")
    np.testing.assert_array_equal(image[0], expected)


def test_palette_tables_of_different_entry_widths_are_refused(decode):
    indices = phantom(1, 4, 4, 0, 255, np.uint8, seed=4)[0]
    ramp = np.arange(256)
    data = palette_file(indices, ramp.astype("<u1").tobytes(), (ramp * 257).astype("<u2").tobytes(),
                        (ramp * 257).astype("<u2").tobytes(), descriptor=(256, 0, 8))
    with pytest.raises(ValueError, match="LUT data must be the same length"):
        apply_color_lut(indices, pydicom.dcmread(io.BytesIO(data)))  # pydicom refuses too
    with expect_error(decode, r"PALETTE COLOR tables of different entry widths: \(0028,1201\) "
                              r"RedPaletteColorLookupTableData has 8-bit entries, \(0028,1202\) "
                              r"GreenPaletteColorLookupTableData 16-bit entries"):
        decode(data, color_dim=True, on_error="strict")


@pytest.mark.parametrize("bits", [0, 64, 65535])
def test_palette_descriptor_bits_do_not_decide_a_plain_table(bits, decode):
    """Plain (not segmented) tables: the entry width comes from the data, as
    pydicom's apply_color_lut takes it; so scale='auto' stretches 16-bit
    entries over [0, 65535] whatever bits the descriptor declares."""
    indices = phantom(1, 4, 6, 0, 255, np.uint8, seed=6)[0]
    table = (np.arange(256) * 200).astype("<u2").tobytes()
    data = palette_file(indices, table, descriptor=(256, 0, bits))
    good = palette_file(indices, table, descriptor=(256, 0, 16))
    expected = apply_color_lut(indices, pydicom.dcmread(io.BytesIO(good)))
    preserve = decode(data, dtype="uint16", color_dim=True, on_error="strict")
    np.testing.assert_array_equal(preserve[0], expected)
    auto = decode(data, dtype="uint8", color_dim=True, scale="auto", on_error="strict")
    np.testing.assert_array_equal(auto[0], np.rint(expected * (255 / 65535)).astype(np.uint8))
    assert auto.max() > 0


@pytest.mark.parametrize("bits", [0, 17, 64, 65535])
@pytest.mark.parametrize("scale", ["preserve", "auto"])
def test_segmented_palette_descriptor_bits_outside_1_to_16_are_refused(bits, scale, decode):
    indices = np.zeros((2, 2), np.uint8)
    data = palette_file(indices, words([0, 2, 5, 6]), descriptor=(2, 0, bits), segmented=True)
    with expect_error(decode, rf"\(0028,1101\) RedPaletteColorLookupTableDescriptor declares "
                              rf"{bits} bits per entry \(expected 1 to 16"):
        decode(data, color_dim=True, scale=scale, on_error="strict")


def lut_file(sequence, bits, **attrs):
    """12-bit MONOCHROME2 with a Modality or VOI LUT of 4096 entries
    declaring `bits` bits per entry."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    image = phantom(1, 4, 5, 0, 4095, np.uint16, seed=7)[0]
    ds = dataset(image, bits_stored=12, **attrs)
    item = Dataset()
    item.LUTDescriptor = [4096, 0, bits]
    item.LUTData = np.arange(0, 4096 * 16, 16, dtype="<u2").tobytes()
    setattr(ds, sequence, Sequence([item]))
    return to_bytes(ds)


@pytest.mark.parametrize("bits", [0, 17, 64, 65535])
@pytest.mark.parametrize("values", ["modality", "display"])
@pytest.mark.parametrize("scale", ["preserve", "auto"])
def test_modality_lut_bits_outside_1_to_16_are_refused(bits, values, scale, decode):
    data = lut_file("ModalityLUTSequence", bits)
    with expect_error(decode, rf"\(0028,3000\) ModalityLUTSequence \(0028,3002\) LUTDescriptor "
                              rf"declares {bits} bits per entry \(expected 1 to 16"):
        decode(data, values=values, scale=scale, dtype="uint16", on_error="strict")


@pytest.mark.parametrize("bits", [0, 17, 64, 65535])
@pytest.mark.parametrize("scale", ["preserve", "auto"])
def test_voi_lut_bits_outside_1_to_16_are_refused(bits, scale, decode):
    data = lut_file("VOILUTSequence", bits)
    with expect_error(decode, rf"\(0028,3010\) VOILUTSequence \(0028,3002\) LUTDescriptor "
                              rf"declares {bits} bits per entry"):
        decode(data, values="display", scale=scale, dtype="uint16", on_error="strict")
    # 'modality' does not read the VOI LUT.
    modality = decode(data, values="modality", scale=scale, dtype="uint16", on_error="strict")
    assert modality.shape == (1, 4, 5) and modality.max() > 0


@pytest.mark.parametrize("sequence", ["ModalityLUTSequence", "VOILUTSequence"])
@pytest.mark.parametrize("bits", [1, 12, 16])
def test_lut_bits_1_to_16_declare_the_range_under_scale_auto(sequence, bits, decode):
    data = lut_file(sequence, bits)
    preserve = decode(data, values="display", dtype="float64", on_error="strict")
    auto = decode(data, values="display", scale="auto", dtype="float64", on_error="strict")
    np.testing.assert_allclose(auto, preserve / (2.0 ** bits - 1), rtol=1e-12)
