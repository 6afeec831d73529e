"""Pixel values of every open test file (tests/reference/open-test-files.tsv),
through tfdicom.numpy and through the TensorFlow op:

- lossless transfer syntaxes, and JPEG 2000 lossy (pydicom decodes it with
  OpenJPEG too): bit for bit equal to pydicom's pixel_array (the table's
  SHA-256 of it, and a live comparison where pydicom decodes without
  plugins);
- PALETTE COLOR: equal to pydicom.pixels.apply_color_lut of the indices;
- lossy JPEG and JPEG-LS: within 1 of DCMTK's own dcmdjpeg/dcmdjpls;
- files pydicom cannot decode: a decode checked another way, or the
  documented error.
"""

import io
import os
import subprocess

import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_color_lut

from reference_files import (NATIVE_SYNTAXES, OPEN_FILES, as_reference_shape, params,
                             pydicom_pixels, read_bytes, sha256_of)
from tfdicom import errors

LOSSY = {"1.2.840.10008.1.2.4.50": "dcmdjpeg", "1.2.840.10008.1.2.4.51": "dcmdjpeg",
         "1.2.840.10008.1.2.4.81": "dcmdjpls"}

# Files whose pixel data pydicom 3.0.2 cannot give us, or gives wrongly.
MALFORMED = {
    # The meta header says JPEG Baseline, but the data set is encoded in
    # implicit VR: pydicom guesses; DCMTK cannot read it.
    "SC_rgb_jpeg.dcm": (errors.CorruptDicomError, "truncated or malformed"),
}
PYDICOM_FAILS = {
    "meta_missing_tsyntax.dcm": (errors.InvalidDicomError, r"missing required attribute \(0028,0010\) Rows"),
    "nested_priv_SQ.dcm": (errors.InvalidDicomError, r"missing required attribute \(0028,0010\) Rows"),
    "MR_truncated.dcm": (errors.CorruptDicomError,
                         r"expected 8192 bytes .* found 8130 before the end of the input"),
    "badVR.dcm": (errors.InvalidDicomError, r"\(0028,0008\) NumberOfFrames is not a number: '1A'"),
    # A sequence delimiter inside the pixel data cuts the codestream short.
    "JPEG2000-embedded-sequence-delimiter.dcm": (
        errors.CorruptDicomError, r"cannot decompress frame 1 of 1 .*invalid JPEG 2000 codestream"),
}


def category(f):
    if f.name in MALFORMED:
        return "malformed"
    if f.ts_uid in LOSSY:
        return "lossy"
    if not f.pydicom_ok:
        return "pydicom_fails"
    if f.photometric == "PALETTE COLOR":
        return "palette"
    return "lossless"


def files(kind):
    return [f for f in OPEN_FILES if category(f) == kind]


@pytest.mark.parametrize("f", params(files("lossless")))
def test_lossless_file_equals_pydicom(f, decode):
    image = decode(read_bytes(f.path()), dtype=f.dtype, color_dim=f.is_color, on_error="strict")
    assert image.ndim == (4 if f.is_color else 3) and image.shape[0] == f.frames
    assert image.dtype == np.dtype(f.dtype)
    ours = as_reference_shape(image, f)
    assert sha256_of(ours, f) == f.sha256
    if f.ts_uid in NATIVE_SYNTAXES:  # pydicom decodes these without plugins
        np.testing.assert_array_equal(ours, pydicom_pixels(f.path()))


def little_endian_twin(f):
    """pydicom 3.0.2 reads big-endian palette LUT data as little endian
    (every 16-bit entry byte-swapped); the little-endian twin is the oracle."""
    for suffix in ("_expb", "_big"):
        if suffix in f.name:
            return f.name.replace(suffix, "")
    return None


@pytest.mark.parametrize("f", params(files("palette")))
def test_palette_file_equals_apply_color_lut(f, decode):
    twin = little_endian_twin(f)
    ds = pydicom.dcmread(pydicom.data.get_testdata_file(twin or f.name, download=False))
    expected = apply_color_lut(ds.pixel_array, ds)
    image = decode(read_bytes(f.path()), dtype=expected.dtype.name, color_dim=True,
                   on_error="strict")
    np.testing.assert_array_equal(image, expected.reshape(image.shape))


def dcmtk_reference(f, tool, tmp_path):
    out = tmp_path / "plain.dcm"
    subprocess.run([tool, f.path(), str(out)], check=True, capture_output=True)
    array = pydicom.dcmread(out).pixel_array
    return array.reshape(f.frames, *array.shape[-3 if f.is_color else -2:])


@pytest.mark.parametrize("f", params(files("lossy")))
def test_lossy_file_within_one_of_dcmtk(f, decode, tmp_path):
    expected = dcmtk_reference(f, LOSSY[f.ts_uid], tmp_path)
    image = decode(read_bytes(f.path()), dtype="int32", color_dim=f.is_color, on_error="strict")
    diff = np.abs(image.astype(np.int64) - expected.reshape(image.shape))
    assert diff.max() <= 1


@pytest.mark.parametrize("f", params(files("malformed")))
def test_malformed_file_gives_the_documented_error(f, decode):
    exception, fragment = MALFORMED[f.name]
    with pytest.raises(Exception, match=fragment):
        decode(read_bytes(f.path()), on_error="strict", color_dim=True)


def test_files_pydicom_cannot_decode_are_all_covered():
    assert {f.name for f in files("pydicom_fails")} == set(PYDICOM_FAILS) | {"OT-PAL-8-face.dcm"}


@pytest.mark.parametrize("f", params([f for f in files("pydicom_fails") if f.name in PYDICOM_FAILS]))
def test_file_pydicom_cannot_decode_gives_the_documented_error(f):
    import tfdicom.numpy

    exception, fragment = PYDICOM_FAILS[f.name]
    with pytest.raises(exception, match=fragment):
        tfdicom.numpy.decode_dicom_image(read_bytes(f.path()), on_error="strict", dtype="int32")


def test_bare_palette_without_transfer_syntax_is_decoded():
    """OT-PAL-8-face.dcm has no meta header transfer syntax: pydicom refuses
    it, DCMTK reads it as implicit VR little endian. Checked by giving
    pydicom that transfer syntax."""
    import tfdicom.numpy

    path = pydicom.data.get_testdata_file("OT-PAL-8-face.dcm", download=False)
    ds = pydicom.dcmread(path, force=True)
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ImplicitVRLittleEndian
    expected = apply_color_lut(ds.pixel_array, ds)
    image = tfdicom.numpy.decode_dicom_image(read_bytes(path), dtype=expected.dtype.name,
                                             color_dim=True, on_error="strict")
    np.testing.assert_array_equal(image[0], expected)


def test_every_open_file_has_an_expectation():
    counted = {kind: len(files(kind)) for kind in
               ("lossless", "palette", "lossy", "malformed", "pydicom_fails")}
    assert sum(counted.values()) == len(OPEN_FILES)
    assert counted["lossless"] >= 120 and counted["lossy"] >= 20


# (0028,0008) NumberOfFrames and the other image attributes (issue #13):
# read with range checks in MakeImageInfo, the one place both readers (the
# header scan and DCMTK) feed.

def frames_file(text, vr="IS", frames=2):
    """Two 2 x 2 frames whose (0028,0008) NumberOfFrames element holds the
    bytes of `text`, padded to even length (VR 'LO' makes the header scan
    decline the element, so DCMTK reads the header)."""
    import struct

    from pydicom.dataelem import DataElement

    from synthetic import dataset, to_bytes

    value = (text + " " * (len(text) % 2)).encode()
    ds = dataset(np.arange(4 * frames, dtype=np.uint16).reshape(frames, 2, 2))
    ds.add(DataElement(0x00280008, vr, "9" * len(value)))  # replaced below
    data = to_bytes(ds)
    header = struct.pack("<HH", 0x0028, 0x0008) + vr.encode() + struct.pack("<H", len(value))
    at = data.index(header) + len(header)
    return data[:at] + value + data[at + len(value):]


def expect_error(decode, fragment, exception=errors.InvalidDicomError):
    if decode.interface == "numpy":
        return pytest.raises(exception, match=fragment)
    import tensorflow as tf

    return pytest.raises(tf.errors.InvalidArgumentError, match=fragment)


@pytest.mark.parametrize("vr", ["IS", "LO"], ids=["header_scan", "dcmtk"])
@pytest.mark.parametrize("text, fragment", [
    ("4294967296", r"\(0028,0008\) NumberOfFrames=4294967296 is out of range \(expected 1 to "
                   r"2147483647\)"),
    ("4294967298", r"NumberOfFrames=4294967298 is out of range"),
    ("2147483648", r"NumberOfFrames=2147483648 is out of range"),
    ("99999999999999999999", r"NumberOfFrames=99999999999999999999 is out of range"),
    ("-1", r"\(0028,0008\) NumberOfFrames=-1 is negative"),
    ("-4294967295", r"NumberOfFrames=-4294967295 is negative"),
    ("1.5", r"\(0028,0008\) NumberOfFrames is not a number: '1.5'"),
    ("+", r"NumberOfFrames is not a number: '\+'"),
    ("2 frames", r"NumberOfFrames is not a number: '2 frames'"),
])
def test_number_of_frames_out_of_range_is_an_error(text, fragment, vr, decode):
    """Once read modulo 2^32: '4294967296' gave shape (0, 2, 2) under
    'strict'."""
    with expect_error(decode, fragment):
        decode(frames_file(text, vr), on_error="strict")
    empty = decode(frames_file(text, vr), on_error="skip")
    assert empty.shape == (0, 0, 0)


@pytest.mark.parametrize("vr", ["IS", "LO"], ids=["header_scan", "dcmtk"])
@pytest.mark.parametrize("text, frames", [("2", 2), (" 2 ", 2), ("+2", 2), ("0", 1)])
def test_number_of_frames_in_range_is_read(text, frames, vr, decode):
    """Padding and a sign are allowed; 0 means one frame, as pydicom reads
    it."""
    image = decode(frames_file(text, vr, frames=frames), on_error="strict")
    assert image.shape == (frames, 2, 2)
    np.testing.assert_array_equal(image.ravel(), np.arange(4 * frames))


def attributes_file(**attrs):
    from synthetic import dataset, to_bytes

    ds = dataset(np.arange(12, dtype=np.uint16).reshape(3, 4))
    for key, value in attrs.items():
        setattr(ds, key, value)
    return to_bytes(ds)


@pytest.mark.parametrize("attrs, exception, fragment", [
    ({"Rows": 0}, errors.InvalidDicomError, r"empty image: \(0028,0010\) Rows=0"),
    ({"Columns": 0}, errors.InvalidDicomError, r"\(0028,0011\) Columns=0"),
    ({"BitsStored": 17}, errors.InvalidDicomError,
     r"inconsistent bit layout: \(0028,0100\) BitsAllocated=16, \(0028,0101\) BitsStored=17"),
    ({"BitsStored": 0}, errors.InvalidDicomError, r"\(0028,0101\) BitsStored=0"),
    ({"HighBit": 16}, errors.InvalidDicomError, r"\(0028,0102\) HighBit=16"),
    ({"BitsStored": 12, "HighBit": 10}, errors.InvalidDicomError, r"\(0028,0102\) HighBit=10"),
    ({"BitsAllocated": 0}, errors.InvalidDicomError,
     r"invalid \(0028,0100\) BitsAllocated=0 \(expected 1 or a multiple of 8\)"),
    ({"BitsAllocated": 12}, errors.InvalidDicomError, r"invalid \(0028,0100\) BitsAllocated=12"),
    ({"BitsAllocated": 24}, errors.UnsupportedDicomError,
     r"unsupported \(0028,0100\) BitsAllocated=24"),
    ({"SamplesPerPixel": 0}, errors.InvalidDicomError,
     r"invalid \(0028,0002\) SamplesPerPixel=0 \(expected 1, 3 or 4\)"),
    ({"SamplesPerPixel": 2}, errors.InvalidDicomError, r"invalid \(0028,0002\) SamplesPerPixel=2"),
    ({"SamplesPerPixel": 4}, errors.UnsupportedDicomError,
     r"unsupported \(0028,0002\) SamplesPerPixel=4"),
    ({"PixelRepresentation": 2}, errors.InvalidDicomError,
     r"invalid \(0028,0103\) PixelRepresentation=2 \(expected 0 or 1\)"),
    ({"SamplesPerPixel": 3, "PlanarConfiguration": 2, "PhotometricInterpretation": "RGB"},
     errors.InvalidDicomError, r"invalid \(0028,0006\) PlanarConfiguration=2 \(expected 0 or 1\)"),
], ids=["rows_0", "columns_0", "bits_stored_17", "bits_stored_0", "high_bit_16", "high_bit_10",
        "bits_allocated_0", "bits_allocated_12", "bits_allocated_24", "samples_0", "samples_2",
        "samples_4", "pixel_representation_2", "planar_configuration_2"])
def test_inconsistent_image_attributes_are_clear_errors(attrs, exception, fragment, decode):
    with expect_error(decode, fragment, exception):
        decode(attributes_file(**attrs), on_error="strict", color_dim=True)
