"""Hostile and broken inputs, by name: each gets a clear error (or, for
'lossy', what the docs promise), never a crash, a hang or uninitialised
memory. (Truncation at many offsets, empty input, zero-length pixel data and
a wrong number of fragments are in test_errors.py and
test_synthetic_files.py.)"""

import glob
import os
import random
import time

import numpy as np
import pytest

import tfdicom.numpy
import tfdicom.samples
from reference_files import read_bytes
from synthetic import dataset, dcmtk, phantom, to_bytes
from tfdicom import errors

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REGRESSIONS = sorted(glob.glob(os.path.join(ROOT, "tests", "fuzz_regressions",
                                          "huge_element_length_*.dcm")))


def decode(data, **attrs):
    return tfdicom.numpy.decode_dicom_image(data, on_error="strict", **attrs)


def test_huge_declared_size_fails_before_any_allocation():
    ds = dataset(phantom(1, 8, 8, 0, 255, np.uint8))
    ds.Rows, ds.Columns, ds.NumberOfFrames = 65535, 65535, 100000
    start = time.perf_counter()
    with pytest.raises(errors.DicomTooLargeError,
                       match=r"image too large: 100000 frame\(s\) of 65535x65535 as uint16 need "
                             r"858967245000000 bytes, more than the limit of 1073741824"):
        decode(to_bytes(ds))
    assert time.perf_counter() - start < 1.0


def test_size_limit_is_configurable():
    data = read_bytes(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
    with pytest.raises(errors.DicomTooLargeError, match="more than the limit of 10000"):
        decode(data, dtype="int16", max_output_bytes=10000)
    assert decode(data, dtype="int16", max_output_bytes=32768).shape == (1, 128, 128)


@pytest.mark.parametrize("path", REGRESSIONS, ids=os.path.basename)
def test_element_length_past_the_end_is_an_error(path):
    with pytest.raises(errors.CorruptDicomError, match="truncated or malformed"):
        decode(read_bytes(path))


def test_damaged_sequence_elsewhere_does_not_stop_the_image():
    """A sequence written as UN that holds no valid item: DCMTK refuses the
    header, the header scan skips the value by its length (as pydicom
    would) and the image decodes; decode_dicom_data, which reads every
    element through DCMTK, reports the damage."""
    data = read_bytes(os.path.join(ROOT, "tests", "fuzz_regressions",
                                   "header_scan_un_sequence_damaged.dcm"))
    image = decode(data, dtype="uint32")
    assert image.shape == (1, 10, 10)
    assert (image.min(), image.max()) == (795000, 1254000)
    with pytest.raises(errors.CorruptDicomError, match="Sequence Delimitation Item missing"):
        tfdicom.numpy.decode_dicom_data(data, ["Rows"])


def test_bad_jpeg_stream_is_an_error():
    data = dcmtk("dcmcjpeg", to_bytes(dataset(phantom(2, 32, 32, 0, 255, np.uint8))), "+e1")
    start = data.index(b"\xff\xd8")  # the first frame's JPEG stream
    no_start_marker = data[:start] + b"\x00\x00" + data[start + 2:]
    with pytest.raises(errors.DicomError, match=r"cannot decompress frame 1 of 2"):
        decode(no_start_marker, dtype="uint8")


def test_corrupt_jpeg_entropy_data_decodes_without_crashing():
    """libjpeg cannot tell corrupt entropy-coded data from image content: the
    frame decodes (to wrong values) with its declared shape."""
    data = dcmtk("dcmcjpeg", to_bytes(dataset(phantom(2, 32, 32, 0, 255, np.uint8))), "+e1")
    start = data.index(b"\xff\xd8")
    noise = bytes(random.Random(3).randrange(256) for _ in range(400))
    image = _decode_or_error(data[:start + 200] + noise + data[start + 600:])
    assert image is None or image.shape == (2, 32, 32)


def test_random_bytes_never_crash():
    rng = random.Random(11)
    ct = read_bytes(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
    for i in range(300):
        size = rng.randrange(0, 2000)
        noise = bytes(rng.randrange(256) for _ in range(size))
        if i % 3 == 1:
            noise = b"\0" * 128 + b"DICM" + noise           # a preamble, then garbage
        elif i % 3 == 2:
            cut = rng.randrange(len(ct))                    # a real header, then garbage
            noise = ct[:cut] + noise
        image = _decode_or_error(noise)
        assert image is None or image.ndim == 3


def _decode_or_error(data):
    try:
        return decode(data, dtype="int32")
    except errors.DicomError:
        return None


def test_flipped_bytes_in_every_codec_never_crash():
    """Each sample with bytes flipped through its pixel data: an error or an
    image of the declared shape, never a crash."""
    rng = random.Random(5)
    for path in tfdicom.samples.all_paths():
        data = bytearray(read_bytes(path))
        for _ in range(20):
            damaged = bytearray(data)
            for _ in range(8):
                damaged[rng.randrange(len(data) // 2, len(data))] ^= 1 << rng.randrange(8)
            _decode_or_error(bytes(damaged))
