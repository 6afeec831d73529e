"""Bad input under on_error='strict' and 'skip': every failure names its
cause; 'skip' returns an empty array of the promised rank; nothing crashes."""

import io
import random
import warnings

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

import tfdicom.samples
from reference_files import read_bytes
from tfdicom import errors

CT = tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm")


def without_pixel_data():
    ds = pydicom.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.Modality = "OT"
    ds.PatientName = "No^Pixels"
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def pixel_data_offset(data):
    return data.rindex(b"\xe0\x7f\x10\x00") + 12


# name -> (bytes, numpy exception, message fragment)
def bad_inputs():
    ct = read_bytes(CT)
    pixels = pixel_data_offset(ct)
    return {
        "empty": (b"", errors.InvalidDicomError, "not DICOM: the input is empty"),
        "random_bytes": (random.Random(7).randbytes(4096), errors.InvalidDicomError,
                         "not DICOM"),
        "text": (b"hello, this is not a DICOM file\n" * 10, errors.InvalidDicomError,
                 "not DICOM"),
        "no_pixel_data": (without_pixel_data(), errors.InvalidDicomError, "no pixel data"),
        "truncated_in_header": (ct[:400], errors.CorruptDicomError, "truncated"),
        "truncated_in_pixels": (ct[:pixels + 1000], errors.CorruptDicomError,
                                "truncated pixel data (expected 32768 bytes"),
        "truncated_one_byte_short": (ct[:-1], errors.CorruptDicomError,
                                     "found 32767 before the end of the input"),
        "preamble_only": (ct[:132], errors.CorruptDicomError, "truncated"),
    }


CASES = bad_inputs()


@pytest.mark.parametrize("name", sorted(CASES))
def test_strict_names_the_cause_numpy(name):
    data, exception, fragment = CASES[name]
    with pytest.raises(exception, match=fragment.replace("(", r"\(")):
        tfdicom.numpy.decode_dicom_image(data, on_error="strict")


@pytest.mark.parametrize("name", sorted(CASES))
def test_strict_raises_invalid_argument_tensorflow(name):
    import tensorflow as tf

    data, _, fragment = CASES[name]
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tfdicom.decode_dicom_image(tf.constant(data), on_error="strict")
    assert fragment in info.value.message
    assert "decode_dicom_image: " in info.value.message


@pytest.mark.parametrize("color_dim", [False, True])
@pytest.mark.parametrize("name", sorted(CASES))
def test_skip_returns_empty_of_static_rank(name, color_dim, run_op):
    data, _, _ = CASES[name]
    image = run_op(tfdicom.decode_dicom_image, data, expect_rank=4 if color_dim else 3,
                   on_error="skip", color_dim=color_dim)
    assert image.shape == (0,) * (4 if color_dim else 3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_skip_warns_with_the_cause_numpy(name):
    data, _, fragment = CASES[name]
    with pytest.warns(errors.DicomSkipWarning, match=fragment.replace("(", r"\(")):
        image = tfdicom.numpy.decode_dicom_image(data, on_error="skip")
    assert image.shape == (0, 0, 0) and image.dtype == np.uint16


def test_truncated_never_returns_uninitialised_memory():
    ct = read_bytes(CT)
    pixels = pixel_data_offset(ct)
    for cut in range(pixels, len(ct), 997):
        with pytest.raises(errors.CorruptDicomError):
            tfdicom.numpy.decode_dicom_image(ct[:cut], on_error="strict", dtype="int16")


def test_lossy_keeps_the_complete_frames_of_truncated_native_data():
    cine = read_bytes(tfdicom.samples.path("us/us_cine8_explicit_le.dcm"))
    full = tfdicom.numpy.decode_dicom_image(cine, dtype="uint8")
    frame = 64 * 80
    cut = pixel_data_offset(cine) + 3 * frame + 100
    part = tfdicom.numpy.decode_dicom_image(cine[:cut], dtype="uint8", on_error="lossy")
    np.testing.assert_array_equal(part, full[:3])


def test_truncated_at_every_offset_never_crashes():
    """Cuts through meta header, data set and pixel data: an error or, where
    the cut leaves a whole image, a result; never a crash."""
    data = read_bytes(tfdicom.samples.path("mr/mr_slice2_rle.dcm"))
    for cut in range(0, len(data), 37):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", errors.DicomSkipWarning)
            image = tfdicom.numpy.decode_dicom_image(data[:cut])
        assert image.ndim == 3


def test_colour_without_color_dim_is_a_data_error():
    from pydicom.data import get_testdata_file

    data = read_bytes(get_testdata_file("SC_rgb.dcm", download=False))
    with pytest.raises(errors.InvalidDicomError, match="needs color_dim=True"):
        tfdicom.numpy.decode_dicom_image(data, on_error="strict", dtype="uint8")
    rgb = tfdicom.numpy.decode_dicom_image(data, color_dim=True, dtype="float64")
    luminance = tfdicom.numpy.decode_dicom_image(data, on_error="lossy", dtype="float64")
    assert luminance.shape == rgb.shape[:3]
    np.testing.assert_allclose(luminance, rgb @ np.array([0.299, 0.587, 0.114]))


@pytest.mark.parametrize("uid,name", [("1.2.840.10008.1.2.4.100", "MPEG2"),
                                      ("1.2.3.4.5.6", "unknown")])
def test_unsupported_transfer_syntax_names_its_uid(uid, name):
    ds = pydicom.dcmread(CT)
    ds.file_meta.TransferSyntaxUID = uid
    from pydicom.encaps import encapsulate

    ds.PixelData = encapsulate([b"\x00\x00\x01\xb3" + b"\x00" * 64])
    ds["PixelData"].VR = "OB"
    buffer = io.BytesIO()
    ds.save_as(buffer)
    with pytest.raises(errors.UnsupportedDicomError,
                       match=rf"unsupported transfer syntax {uid.replace('.', '[.]')} \({name}"):
        tfdicom.numpy.decode_dicom_image(buffer.getvalue(), on_error="strict")
