"""tfdicom's own lossless JPEG decoder (cc/core/jpeg_lossless_decoder.cc) on
streams from tests/jpeg_lossless_encoder.py: what DCMTK's dcmcjpeg never
writes (restart intervals, long Huffman codes, a table per component), point
transform, and damaged streams. (Every predictor on dcmcjpeg's own streams
is in test_synthetic_files.py.)"""

import numpy as np
import pytest
from pydicom.encaps import encapsulate

import jpeg_lossless_encoder
import tfdicom.numpy
from synthetic import dataset, phantom, to_bytes
from tfdicom import errors

MR12 = phantom(3, 48, 40, 0, 4095, np.uint16, seed=1)
CT16 = phantom(2, 32, 36, -2048, 3071, np.int16, seed=2)
CINE8 = phantom(4, 40, 56, 0, 255, np.uint8, seed=3)


def decode_exact(data, **attrs):
    return tfdicom.numpy.decode_dicom_image(data, on_error="strict", **attrs)


def lossless_jpeg_file(image, codestreams, *, bits_stored, signed=False):
    """A JPEG lossless (.57) file of `codestreams` (one per frame) that
    tests/jpeg_lossless_encoder.py wrote for `image` ([frames,] rows, cols[, 3])."""
    frames = len(codestreams)
    color = image.shape[-1] == 3 and image.ndim == (4 if frames > 1 else 3)
    ds = dataset(image[..., 0] if color else image, bits_stored=bits_stored, signed=signed)
    if color:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.57"
    ds.PixelData = encapsulate(list(codestreams))
    ds["PixelData"].VR = "OB"
    return to_bytes(ds)


def decode_frame(data, like):
    """The one frame of `data`, decoded as `like` is typed (with a color
    axis when `like` has one)."""
    return decode_exact(data, dtype=like.dtype.name, color_dim=like.ndim == 3)[0]


RGB8 = np.stack([phantom(1, 20, 24, 0, 255, np.uint8, seed=s)[0] for s in (31, 32, 33)], -1)
# Full-range noise: differences of every category, 16 (32768) among them.
NOISE16 = np.random.default_rng(7).integers(0, 65536, size=(9, 13), dtype=np.uint16)


@pytest.mark.parametrize("restart_rows", [0, 1, 3])
@pytest.mark.parametrize("predictor", range(1, 8))
@pytest.mark.parametrize("name,image,precision", [
    ("cine8", CINE8[0], 8), ("mr12", MR12[0], 12), ("noise16", NOISE16, 16), ("rgb8", RGB8, 8)])
def test_jpeg_lossless_restart_intervals(name, image, precision, predictor, restart_rows):
    """Restart intervals of whole lines (which dcmcjpeg never writes) with
    every predictor: each interval starts again from 2^(P-1)."""
    stream = jpeg_lossless_encoder.encode(image, precision=precision, predictor=predictor,
                                          restart_rows=restart_rows)
    data = lossless_jpeg_file(image, [stream], bits_stored=precision)
    np.testing.assert_array_equal(decode_frame(data, image), image)


@pytest.mark.parametrize("predictor", [1, 4, 7])
@pytest.mark.parametrize("name,image,precision", [
    ("cine8", CINE8[0], 8), ("noise16", NOISE16, 16), ("rgb8", RGB8, 8)])
def test_jpeg_lossless_long_codes_and_table_per_component(name, image, precision, predictor):
    """Huffman codes of up to 16 bits, the short ones for the large
    differences: most samples take the decoder's slow path."""
    order = list(range(16, -1, -1))  # category 16 gets the shortest code
    stream = jpeg_lossless_encoder.encode(
        image, precision=precision, predictor=predictor, lengths=jpeg_lossless_encoder.LONG_LENGTHS,
        symbol_order=order, table_per_component=True, restart_rows=2)
    data = lossless_jpeg_file(image, [stream], bits_stored=precision)
    np.testing.assert_array_equal(decode_frame(data, image), image)


@pytest.mark.parametrize("point_transform", [1, 3])
@pytest.mark.parametrize("predictor", [1, 6])
@pytest.mark.parametrize("name,image,precision", [("mr12", MR12[0], 12), ("rgb8", RGB8, 8)])
def test_jpeg_lossless_point_transform(name, image, precision, predictor, point_transform):
    """Pt > 0 (T.81 H.1.2.3): the decoder gives the samples shifted back
    left, their low Pt bits zero."""
    stream = jpeg_lossless_encoder.encode(image, precision=precision, predictor=predictor,
                                          point_transform=point_transform)
    data = lossless_jpeg_file(image, [stream], bits_stored=precision)
    expected = (image >> point_transform) << point_transform
    np.testing.assert_array_equal(decode_frame(data, image), expected)


def test_jpeg_lossless_signed_16_bit_frames():
    frames = CT16.view(np.uint16)
    streams = [jpeg_lossless_encoder.encode(f, precision=16, restart_rows=5) for f in frames]
    data = lossless_jpeg_file(CT16, streams, bits_stored=16, signed=True)
    np.testing.assert_array_equal(decode_exact(data, dtype="int16"), CT16)


def _restart_stream():
    return jpeg_lossless_encoder.encode(MR12[0], precision=12, predictor=1, restart_rows=4)


@pytest.mark.parametrize("damage", ["marker_removed", "marker_replaced", "junk_before_marker"])
def test_jpeg_lossless_broken_restart_marker_is_an_error(damage):
    stream = _restart_stream()
    at = stream.index(b"\xff\xd0")
    broken = {"marker_removed": stream[:at] + stream[at + 2:],
              "marker_replaced": stream[:at] + b"\xff\xc8" + stream[at + 2:],
              "junk_before_marker": stream[:at] + b"\x12" * 20 + stream[at:]}[damage]
    with pytest.raises(errors.CorruptDicomError,
                       match=r"expected a restart marker \(RSTn\) before row 5 \(restart interval "
                             r"of 4 line\(s\)\), found none"):
        decode_exact(lossless_jpeg_file(MR12[0], [broken], bits_stored=12), dtype="uint16")


@pytest.mark.parametrize("restart_rows", [0, 3])
@pytest.mark.parametrize("name,image,precision", [("mr12", MR12[0], 12), ("rgb8", RGB8, 8),
                                                  ("noise16", NOISE16, 16)])
def test_jpeg_lossless_truncated_anywhere_is_an_error(name, image, precision, restart_rows):
    """Cut at every length: a clear error, never a crash. As with libjpeg,
    a scan (or restart interval) that ends early by up to 64 bytes' worth of
    zero bits decodes on those bits (the decoder's tolerance, unchanged)."""
    stream = jpeg_lossless_encoder.encode(image, precision=precision, predictor=4,
                                          restart_rows=restart_rows)
    failures = 0
    for cut in range(2, len(stream), 7):
        data = lossless_jpeg_file(image, [stream[:cut]], bits_stored=precision)
        try:
            out = decode_frame(data, image)
        except errors.CorruptDicomError as e:
            assert "cannot decompress frame 1" in str(e), str(e)
            failures += 1
        else:
            assert out.shape == image.shape
    assert failures > 0


def test_jpeg_lossless_table_with_too_many_codes_is_an_error():
    stream = jpeg_lossless_encoder.encode(CINE8[0], precision=8)
    at = stream.index(b"\xff\xc4") + 5  # the counts of codes of 1, 2, 3 bits: 0, 1, 5
    broken = stream[:at] + b"\x03\x01\x02" + stream[at + 3:]  # 3 codes of 1 bit
    with pytest.raises(errors.CorruptDicomError, match="invalid Huffman table"):
        decode_exact(lossless_jpeg_file(CINE8[0], [broken], bits_stored=8), dtype="uint8")


@pytest.mark.parametrize("image,precision", [(MR12[0], 12), (RGB8, 8)])
def test_jpeg_lossless_category_over_16_is_an_error(image, precision):
    stream = jpeg_lossless_encoder.encode(image, precision=precision, predictor=2)
    at = stream.index(b"\xff\xc4") + 5 + 16 + 1  # the symbol of category 1
    broken = stream[:at] + b"\x20" + stream[at + 1:]
    with pytest.raises(errors.CorruptDicomError, match="corrupt lossless JPEG data at row"):
        decode_frame(lossless_jpeg_file(image, [broken], bits_stored=precision), image)
