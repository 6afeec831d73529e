"""What the open test files lack, made by tests/synthetic.py: JPEG process
14 (.57), deflate, fragmented frames with an empty offset table, 32-bit
signed, Float and Double Float Pixel Data, per-frame rescale that differs by
frame, a segmented palette, zero-length pixel data."""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.pixels import apply_color_lut

import jpeg_lossless_encoder
import tfdicom.numpy
from synthetic import dataset, dcmtk, phantom, to_bytes, transfer_syntax
from tfdicom import errors

MR12 = phantom(3, 48, 40, 0, 4095, np.uint16, seed=1)
CT16 = phantom(2, 32, 36, -2048, 3071, np.int16, seed=2)
CINE8 = phantom(4, 40, 56, 0, 255, np.uint8, seed=3)


def decode_exact(data, **attrs):
    return tfdicom.numpy.decode_dicom_image(data, on_error="strict", **attrs)


@pytest.mark.parametrize("name,array,tool,options,uid", [
    ("jpeg_process14_sv6", MR12, "dcmcjpeg", ["+el", "+sv", "6"], "1.2.840.10008.1.2.4.57"),
    ("jpeg_process14_sv1", CT16, "dcmcjpeg", ["+e1"], "1.2.840.10008.1.2.4.70"),
    ("jpeg_fragments_no_offsets", CINE8, "dcmcjpeg", ["+e1", "+fs", "1", "-ot"],
     "1.2.840.10008.1.2.4.70"),
    ("rle_fragments_no_offsets", MR12, "dcmcrle", ["-ot"], "1.2.840.10008.1.2.5"),
    ("jpegls_lossless", CT16, "dcmcjpls", [], "1.2.840.10008.1.2.4.80"),
    ("deflated", CT16, "dcmconv", ["+td"], "1.2.840.10008.1.2.1.99"),
    ("big_endian", MR12, "dcmconv", ["+tb"], "1.2.840.10008.1.2.2"),
    ("implicit", CINE8, "dcmconv", ["+ti"], "1.2.840.10008.1.2"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_lossless_encoding_decodes_to_the_source(name, array, tool, options, uid, decode):
    bits = 12 if array is MR12 else None
    data = dcmtk(tool, to_bytes(dataset(array, bits_stored=bits)), *options)
    assert transfer_syntax(data) == uid
    image = decode(data, dtype=array.dtype.name, on_error="strict")
    np.testing.assert_array_equal(image, array)


def test_32_bit_signed_keeps_its_sign():
    array = phantom(2, 16, 16, -2_000_000_000, 2_000_000_000, np.int32, seed=4)
    image = decode_exact(to_bytes(dataset(array)), dtype="int64")
    np.testing.assert_array_equal(image, array)
    with pytest.raises(errors.DicomRangeError, match=r"\[-2147483648, 2147483647\]"):
        decode_exact(to_bytes(dataset(array)), dtype="int16")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_float_pixel_data(dtype, decode):
    array = phantom(2, 12, 10, -5.5, 1e6, np.float64).astype(dtype) / 3
    data = to_bytes(dataset(array))
    np.testing.assert_array_equal(decode(data, dtype=dtype, on_error="strict"), array)
    np.testing.assert_array_equal(decode(data, dtype="float64", on_error="strict"),
                                  array.astype(np.float64))
    # Float data declares no range: integer dtypes need on_error='lossy'.
    with pytest.raises(Exception, match="unbounded"):
        decode(data, dtype="int32", on_error="strict")
    np.testing.assert_array_equal(decode(data, dtype="int32", on_error="lossy"),
                                  np.rint(array).astype(np.int32))


def test_float_pixel_data_big_endian():
    array = phantom(1, 8, 8, -1.0, 1.0, np.float32)
    data = dcmtk("dcmconv", to_bytes(dataset(array)), "+tb")
    np.testing.assert_array_equal(decode_exact(data, dtype="float32"), array)


def test_per_frame_rescale_differs_by_frame():
    ds = dataset(MR12, bits_stored=12)
    slopes, intercepts = [0.5, 1.25, 0.001], [-1024.0, 10.5, 0.0]
    ds.PerFrameFunctionalGroupsSequence = []
    for slope, intercept in zip(slopes, intercepts):
        transform = Dataset()
        transform.RescaleSlope, transform.RescaleIntercept = slope, intercept
        transform.RescaleType = "US"
        group = Dataset()
        group.PixelValueTransformationSequence = [transform]
        ds.PerFrameFunctionalGroupsSequence.append(group)
    data = to_bytes(ds)
    image = decode_exact(data, values="modality", dtype="float64")
    expected = np.stack([a * s + i for a, s, i in zip(MR12.astype(np.float64), slopes, intercepts)])
    np.testing.assert_array_equal(image, expected)
    # The declared range covers every frame: [-1024, 4095 * 1.25 + 10.5].
    with pytest.raises(errors.DicomRangeError, match=r"\[-1024, 5129\.25"):
        decode_exact(data, values="modality", dtype="uint16")


def test_fractional_slope_is_exact_with_float_dtype():
    """tensorflow-io quantised slope 0.001 to integers (0..4095 -> 0..6)."""
    data = to_bytes(dataset(MR12, bits_stored=12, RescaleSlope=0.001, RescaleIntercept=0))
    image = decode_exact(data, values="modality", dtype="float64")
    np.testing.assert_array_equal(image, MR12 * 0.001)


def segmented(lut):
    """Segmented LUT data (PS3.3 C.7.9.2) for `lut`: a discrete start, a
    linear run and an indirect copy of the first two segments."""
    head = [0, 2, int(lut[0]), int(lut[1])]
    linear = [1, len(lut) - 4, int(lut[-3])]
    indirect = [2, 2, 0, 0]   # copy 2 segments from word offset 0
    return np.array(head + linear + indirect, dtype="<u2")


def test_segmented_palette_equals_apply_color_lut():
    ramp = np.concatenate([[100, 200], np.linspace(200, 60000, 252), [60000, 60000]])
    ramp = np.rint(ramp).astype(np.uint16)
    indices = phantom(1, 20, 30, 0, 255, np.uint8, seed=5)[0]
    ds = dataset(indices, photometric="PALETTE COLOR")
    for color in ("Red", "Green", "Blue"):
        setattr(ds, f"{color}PaletteColorLookupTableDescriptor", [256, 0, 16])
        setattr(ds, f"Segmented{color}PaletteColorLookupTableData", segmented(ramp).tobytes())
    data = to_bytes(ds)
    expected = apply_color_lut(indices, pydicom.dcmread(__import__("io").BytesIO(data)))
    image = decode_exact(data, dtype="uint16", color_dim=True)
    np.testing.assert_array_equal(image[0], expected)


def test_zero_length_pixel_data_is_a_clear_error():
    ds = dataset(MR12[0], bits_stored=12)
    ds.PixelData = b""
    with pytest.raises(errors.CorruptDicomError,
                       match=r"pixel data shorter than the header declares \(expected 3840 bytes"
                             r".* found 0 in the element\)"):
        decode_exact(to_bytes(ds))


def test_wrong_number_of_fragments_is_an_error():
    data = dcmtk("dcmcrle", to_bytes(dataset(MR12, bits_stored=12)))
    ds = pydicom.dcmread(__import__("io").BytesIO(data))
    ds.NumberOfFrames = 5   # the data holds 3
    out = __import__("io").BytesIO()
    ds.save_as(out)
    with pytest.raises(errors.CorruptDicomError,
                       match=r"holds 3 fragment\(s\) for \(0028,0008\) NumberOfFrames=5"):
        decode_exact(out.getvalue())


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("high_bit", [11, 13])
def test_bits_outside_bits_stored_are_masked_and_sign_extended(signed, high_bit):
    """12 bits stored in 16 with garbage in the unused bits (overlay planes
    in old files): the value is the 12 bits ending at HighBit, sign-extended
    when PixelRepresentation is 1."""
    rng = np.random.default_rng(6)
    raw = rng.integers(0, 65536, size=(1, 16, 16), dtype=np.uint16)
    ds = dataset(raw, bits_stored=12, signed=signed)
    ds.HighBit = high_bit
    value = (raw >> (high_bit - 11)) & 0xFFF
    if signed:
        value = np.where(value >= 2048, value.astype(np.int32) - 4096, value)
    image = decode_exact(to_bytes(ds), dtype="int32")
    np.testing.assert_array_equal(image, value)
    assert image.min() >= (-2048 if signed else 0) and image.max() <= (2047 if signed else 4095)


@pytest.mark.parametrize("predictor", range(1, 8))
@pytest.mark.parametrize("name,array", [("ct16s", CT16), ("mr12", MR12), ("cine8", CINE8)])
def test_jpeg_lossless_every_predictor(predictor, name, array):
    """tfdicom's own lossless JPEG decoder, every selection value (T.81
    Table H.1), signed, 12- and 8-bit: bit for bit the source."""
    source = to_bytes(dataset(array, bits_stored=12 if array is MR12 else None))
    data = dcmtk("dcmcjpeg", source, "+el", "+sv", str(predictor))
    np.testing.assert_array_equal(decode_exact(data, dtype=array.dtype.name), array)


def test_jpeg_lossless_rgb_and_point_transform_free_streams():
    rgb = np.stack([phantom(2, 24, 32, 0, 255, np.uint8, seed=s) for s in (21, 22, 23)], -1)
    ds = dataset(rgb[..., 0])
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.PixelData = rgb.tobytes()
    data = dcmtk("dcmcjpeg", to_bytes(ds), "+e1")
    np.testing.assert_array_equal(decode_exact(data, dtype="uint8", color_dim=True), rgb)


def test_corrupt_lossless_jpeg_is_an_error():
    data = dcmtk("dcmcjpeg", to_bytes(dataset(CT16)), "+e1")
    start = data.index(b"\xff\xda")  # start of scan
    end = data.index(b"\xfe\xff\x00\xe0", start)  # the first frame's fragment ends here
    truncated = data[:start + 100] + b"\xff\xd9" + b"\x00" * (end - start - 102) + data[end:]
    with pytest.raises(errors.CorruptDicomError, match="cannot decompress frame 1 of 2"):
        decode_exact(truncated, dtype="int16")


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
