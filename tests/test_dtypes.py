"""dtype, scale and values: every output type, exact where values fit,
errors or clipping where they do not (decided from the header alone)."""

import ml_dtypes
import numpy as np
import pydicom
import pytest
from pydicom.pixels import apply_modality_lut

import tfdicom.numpy
import tfdicom.samples
from reference_files import read_bytes
from tfdicom import errors

MR = tfdicom.samples.path("mr/mr_slice1_explicit_le.dcm")   # 12-bit unsigned
CT = tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm")   # 16-bit signed, intercept -1024
US = tfdicom.samples.path("us/us_cine8_explicit_le.dcm")    # 8-bit, 8 frames

ALL_DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
              "float16", "bfloat16", "float32", "float64"]


def numpy_type(name):
    return ml_dtypes.bfloat16 if name == "bfloat16" else np.dtype(name)


def stored(path):
    """pydicom's stored values in our [frames, rows, columns] shape."""
    ds = pydicom.dcmread(path)
    return ds.pixel_array.reshape(int(ds.get("NumberOfFrames", 1)), ds.Rows, ds.Columns)


def fits(dtype, lo, hi):
    if dtype in ("float16", "bfloat16", "float32", "float64"):
        return True
    info = np.iinfo(dtype)
    return info.min <= lo and hi <= info.max


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("path,lo,hi", [(MR, 0, 4095), (CT, -32768, 32767), (US, 0, 255)],
                         ids=["mr12", "ct16s", "us8"])
def test_preserve_is_exact_or_refused(path, lo, hi, dtype, decode):
    data = read_bytes(path)
    reference = stored(path)
    if fits(dtype, lo, hi):
        image = decode(data, dtype=dtype, on_error="strict")
        assert image.dtype == numpy_type(dtype)
        np.testing.assert_array_equal(image, reference.astype(numpy_type(dtype)))
    else:
        with pytest.raises(Exception, match=r"value range does not fit the dtype \(declared"
                           rf" range=\[{lo}, {hi}\], dtype={dtype}\)"):
            decode(data, dtype=dtype, on_error="strict")


@pytest.mark.parametrize("dtype", ["uint8", "int8", "uint16"])
def test_lossy_clips_what_does_not_fit(dtype):
    image = tfdicom.numpy.decode_dicom_image(read_bytes(CT), dtype=dtype, on_error="lossy")
    info = np.iinfo(dtype)
    np.testing.assert_array_equal(image, np.clip(stored(CT), info.min, info.max).astype(dtype))


def test_decision_comes_from_the_header_not_the_values():
    """The CT sample's actual values fit int16 and even span less than
    uint16, but the header declares signed 16-bit: uint16 is refused."""
    with pytest.raises(errors.DicomRangeError, match="use a signed dtype"):
        tfdicom.numpy.decode_dicom_image(read_bytes(CT), dtype="uint16", on_error="strict")


def test_default_skip_of_a_range_error_returns_empty_and_warns():
    with pytest.warns(errors.DicomSkipWarning, match="does not fit"):
        image = tfdicom.numpy.decode_dicom_image(read_bytes(CT))
    assert image.shape == (0, 0, 0)


def test_auto_stretches_8_bit_onto_16_bit_exactly():
    image = tfdicom.numpy.decode_dicom_image(read_bytes(US), scale="auto", dtype="uint16")
    np.testing.assert_array_equal(image, stored(US).astype(np.uint16) * 257)
    assert image.max() == 65535


def test_auto_maps_the_declared_range_onto_0_1_for_floats():
    image = tfdicom.numpy.decode_dicom_image(read_bytes(MR), scale="auto", dtype="float64")
    np.testing.assert_allclose(image, stored(MR) / 4095.0, rtol=0, atol=1e-12)


def test_auto_maps_signed_range_onto_unsigned():
    image = tfdicom.numpy.decode_dicom_image(read_bytes(CT), scale="auto", dtype="uint8")
    expected = np.rint((stored(CT).astype(np.float64) + 32768) * 255 / 65535)
    np.testing.assert_array_equal(image, expected.astype(np.uint8))


def test_modality_gives_hounsfield_units_like_pydicom():
    ds = pydicom.dcmread(CT)
    image = tfdicom.numpy.decode_dicom_image(read_bytes(CT), values="modality",
                                             dtype="float64", on_error="strict")
    np.testing.assert_array_equal(image[0], apply_modality_lut(ds.pixel_array, ds))
    hu = tfdicom.numpy.decode_dicom_image(read_bytes(CT), values="modality", dtype="int32",
                                          on_error="strict")
    assert hu.min() == -2000 - 1024


def test_dtype_accepts_numpy_and_tensorflow_types():
    data = read_bytes(MR)
    a = tfdicom.numpy.decode_dicom_image(data, dtype=np.int32)
    b = tfdicom.numpy.decode_dicom_image(data, dtype=np.dtype("int32"))
    assert a.dtype == b.dtype == np.int32


def test_bad_attribute_values_are_refused_by_name():
    with pytest.raises(errors.InvalidDicomError, match="on_error must be one of"):
        tfdicom.numpy.decode_dicom_image(read_bytes(MR), on_error="ignore")
    with pytest.raises(errors.InvalidDicomError, match="dtype must be one of .* got 'complex64'"):
        tfdicom.numpy.decode_dicom_image(read_bytes(MR), dtype="complex64")
