"""What the open test files lack, made by tests/synthetic.py: JPEG process
14 (.57), deflate, fragmented frames with an empty offset table, 32-bit
signed, Float and Double Float Pixel Data, per-frame rescale that differs by
frame, a segmented palette, zero-length pixel data."""

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut

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
