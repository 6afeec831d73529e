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
