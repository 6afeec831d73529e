"""JPEG 2000 (.90, .91) through tfdicom's DCMTK codec, and HTJ2K (.201,
.202, .203) straight through OpenJPEG: lossless exact, lossy equal to
pylibjpeg-openjpeg (the same library), multi-frame and fragmented frames,
corrupt codestreams under strict and skip. (The open JPEG 2000 files are
compared bit for bit in test_decode_values.py.)"""

import io
import os
import subprocess
import sys

import numpy as np
import openjpeg
import pydicom
import pytest
from pydicom.encaps import encapsulate

import tfdicom.numpy
from reference_files import OPEN_FILES, read_bytes
from synthetic import dataset, phantom, to_bytes
from tfdicom import errors

HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K_LOSSY = "1.2.840.10008.1.2.4.203"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"


def netpbm(array):
    """PGM (grey) or PPM (RGB) bytes of an 8- or 16-bit unsigned image."""
    rows, cols = array.shape[:2]
    magic = b"P6" if array.ndim == 3 else b"P5"
    maxval = 255 if array.dtype == np.uint8 else 65535
    body = array.astype(">u2" if maxval == 65535 else "u1").tobytes()
    return magic + f"\n{cols} {rows}\n{maxval}\n".encode() + body


def ojph_compress(array, tmp_path, *options):
    src = tmp_path / ("in.ppm" if array.ndim == 3 else "in.pgm")
    dst = tmp_path / "out.j2c"
    src.write_bytes(netpbm(array))
    subprocess.run(["ojph_compress", "-i", str(src), "-o", str(dst), *options], check=True,
                   capture_output=True)
    return dst.read_bytes()


def wrap(frames, codestreams, uid, *, fragments_per_frame=1, photometric=None):
    """A DICOM file holding `codestreams` (one per frame) under `uid`."""
    ds = dataset(frames if frames.ndim == 3 and frames.shape[-1] != 3 else frames[..., 0])
    if frames.shape[-1] == 3 and frames.ndim >= 3:
        ds.SamplesPerPixel = 3
        ds.PhotometricInterpretation = photometric or "RGB"
        ds.PlanarConfiguration = 0
        ds.Rows, ds.Columns = frames.shape[-3:-1]
        if frames.ndim == 4:
            ds.NumberOfFrames = frames.shape[0]
    ds.file_meta.TransferSyntaxUID = uid
    # More than one fragment per frame: an empty Basic Offset Table.
    ds.PixelData = encapsulate(codestreams, fragments_per_frame=fragments_per_frame,
                               has_bot=fragments_per_frame == 1)
    ds["PixelData"].VR = "OB"
    buffer = io.BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue()


def ojph_expand(codestream, like, tmp_path):
    """OpenJPH's own decode of `codestream`, shaped and typed like `like`."""
    src, dst = tmp_path / "in.j2c", tmp_path / ("out.ppm" if like.ndim == 3 else "out.pgm")
    src.write_bytes(codestream)
    subprocess.run(["ojph_expand", "-i", str(src), "-o", str(dst)], check=True, capture_output=True)
    body = dst.read_bytes()[-like.size * like.itemsize:]
    return np.frombuffer(body, ">u2" if like.itemsize == 2 else "u1").reshape(like.shape)


GREY8 = phantom(1, 40, 52, 0, 255, np.uint8, seed=11)[0]
GREY16 = phantom(1, 36, 44, 0, 65535, np.uint16, seed=12)[0]
RGB8 = np.stack([phantom(1, 32, 48, 0, 255, np.uint8, seed=s)[0] for s in (13, 14, 15)], -1)


@pytest.mark.parametrize("image", [GREY8, GREY16, RGB8], ids=["grey8", "grey16", "rgb8"])
@pytest.mark.parametrize("uid,options", [
    (HTJ2K_LOSSLESS, ["-reversible", "true", "-prog_order", "LRCP"]),
    (HTJ2K_RPCL, ["-reversible", "true", "-prog_order", "RPCL"]),
], ids=["lossless", "rpcl"])
def test_htj2k_lossless_equals_the_source(image, uid, options, tmp_path, decode):
    codestream = ojph_compress(image, tmp_path, *options)
    data = wrap(image[np.newaxis], [codestream], uid)
    out = decode(data, dtype=image.dtype.name, color_dim=image.ndim == 3, on_error="strict")
    np.testing.assert_array_equal(out[0], image)


@pytest.mark.parametrize("image", [GREY8, GREY16, RGB8], ids=["grey8", "grey16", "rgb8"])
def test_htj2k_lossy_equals_openjpeg_and_is_near_openjph(image, tmp_path, decode):
    codestream = ojph_compress(image, tmp_path, "-qstep", "0.002")
    data = wrap(image[np.newaxis], [codestream], HTJ2K_LOSSY)
    out = decode(data, dtype=image.dtype.name, color_dim=image.ndim == 3, on_error="strict")
    np.testing.assert_array_equal(out[0], openjpeg.decode(codestream).astype(image.dtype))
    # OpenJPH's own decoder rounds its 9/7 wavelet differently: within 1
    # for 8-bit samples, 2 for 16-bit.
    tolerance = 1 if image.itemsize == 1 else 2
    assert np.abs(out[0].astype(np.int64) - ojph_expand(codestream, image, tmp_path)).max() <= tolerance


def test_multi_frame_j2k_with_fragmented_frames_and_no_offset_table(tmp_path):
    frames = phantom(3, 64, 64, 0, 4095, np.uint16, seed=16)
    streams = [openjpeg.encode(f, bits_stored=12, photometric_interpretation=2, use_mct=False)
               for f in frames]
    for fragments in (1, 3):
        data = wrap(frames, streams, J2K_LOSSLESS, fragments_per_frame=fragments)
        out = tfdicom.numpy.decode_dicom_image(data, dtype="uint16", on_error="strict")
        np.testing.assert_array_equal(out, frames)


def test_multi_frame_htj2k(tmp_path):
    frames = phantom(4, 16, 24, 0, 255, np.uint8, seed=17)
    streams = []
    for i, frame in enumerate(frames):
        (tmp_path / str(i)).mkdir()
        streams.append(ojph_compress(frame, tmp_path / str(i), "-reversible", "true"))
    data = wrap(frames, streams, HTJ2K_LOSSLESS, fragments_per_frame=2)
    np.testing.assert_array_equal(
        tfdicom.numpy.decode_dicom_image(data, dtype="uint8", on_error="strict"), frames)


def test_open_j2k_files_equal_pylibjpeg_openjpeg():
    """pydicom with pylibjpeg-openjpeg decodes the open JPEG 2000 files live:
    every one that it decodes equals tfdicom exactly (lossy too: one library)."""
    compared = 0
    for f in OPEN_FILES:
        if f.ts_uid not in (J2K_LOSSLESS, "1.2.840.10008.1.2.4.91") or not f.pydicom_ok:
            continue
        expected = pydicom.dcmread(f.path()).pixel_array
        out = tfdicom.numpy.decode_dicom_image(read_bytes(f.path()), dtype=expected.dtype.name,
                                               color_dim=f.is_color, on_error="strict")
        np.testing.assert_array_equal(out.reshape(expected.shape), expected, err_msg=f.name)
        compared += 1
    assert compared >= 18


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
@pytest.mark.parametrize("uid", [J2K_LOSSLESS, HTJ2K_LOSSLESS])
def test_corrupt_codestream_is_an_error_never_a_crash(damage, uid, tmp_path):
    codestream = ojph_compress(GREY8, tmp_path, "-reversible", "true")
    if uid == J2K_LOSSLESS:
        codestream = openjpeg.encode(GREY8, photometric_interpretation=2)
    broken = {"truncated": codestream[: len(codestream) // 2],
              "garbage": codestream[:2] + bytes(range(256)) * 4,
              "empty": b"\x00\x00"}[damage]
    data = wrap(GREY8[np.newaxis], [broken], uid)
    with pytest.raises(errors.CorruptDicomError, match=r"cannot decompress frame 1 of 1 .*JPEG 2000"):
        tfdicom.numpy.decode_dicom_image(data, dtype="uint8", on_error="strict")
    with pytest.warns(errors.DicomSkipWarning):
        out = tfdicom.numpy.decode_dicom_image(data, dtype="uint8", on_error="skip")
    assert out.shape == (0, 0, 0)


def test_openjpeg_writes_nothing_to_stderr(tmp_path):
    script = (
        "import tfdicom.numpy, sys\n"
        f"data = open({str(tmp_path / 'bad.dcm')!r}, 'rb').read()\n"
        "tfdicom.numpy.decode_dicom_image(data, on_error='skip')\n")
    codestream = openjpeg.encode(GREY8, photometric_interpretation=2)
    (tmp_path / "bad.dcm").write_bytes(wrap(GREY8[np.newaxis], [codestream[:40]], J2K_LOSSLESS))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)),
               PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""
