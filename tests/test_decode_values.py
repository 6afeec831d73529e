"""Pixel values, bit for bit, against pydicom's pixel_array for every open
test file whose transfer syntax tfdicom decodes without lossy compression.
Runs through tfdicom.numpy and through the TensorFlow op."""

import numpy as np
import pytest

from reference_files import (NATIVE_SYNTAXES, OPEN_FILES, as_reference_shape, params,
                             pydicom_pixels, read_bytes, sha256_of)


def why_not_native(f):
    if f.ts_uid not in NATIVE_SYNTAXES:
        return None  # filtered out below, not skipped
    if not f.pydicom_ok:
        return "pydicom cannot decode it: no oracle (tests/test_errors.py covers such files)"
    if f.photometric == "PALETTE COLOR":
        return "PALETTE COLOR is not decoded yet (issue 3)"
    if f.photometric == "YBR_FULL_422":
        return "uncompressed YBR_FULL_422 is not decoded yet (issue 3)"
    return None


NATIVE = [f for f in OPEN_FILES if f.ts_uid in NATIVE_SYNTAXES]


@pytest.mark.parametrize("f", params(NATIVE, why_not_native))
def test_native_file_equals_pydicom(f, decode):
    path = f.path()
    image = decode(read_bytes(path), dtype=f.dtype, color_dim=f.is_color, on_error="strict")
    expected_rank = 4 if f.is_color else 3
    assert image.ndim == expected_rank
    assert image.shape[0] == f.frames
    assert image.dtype == np.dtype(f.dtype)
    ours = as_reference_shape(image, f)
    np.testing.assert_array_equal(ours, pydicom_pixels(path))
    assert sha256_of(ours, f) == f.sha256


def test_native_coverage_is_real():
    """Most native files are compared, not skipped."""
    compared = [f for f in NATIVE if why_not_native(f) is None]
    assert len(compared) >= 90
    assert {f.ts_uid for f in compared} == NATIVE_SYNTAXES
    assert {f.bits_allocated for f in compared} >= {1, 8, 16, 32}
    assert any(f.signed for f in compared) and any(f.frames > 1 for f in compared)
