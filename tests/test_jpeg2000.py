"""JPEG 2000 (.90, .91) and HTJ2K (.201, .202, .203), all through OpenJPEG
(built with NDEBUG): lossless equal to the source, lossy equal to
pylibjpeg-openjpeg (the same library); multi-frame and fragmented frames,
corrupt codestreams under strict and skip, never an abort. (The open JPEG 2000 files are
compared bit for bit in test_decode_values.py.)"""

import io
import os
import subprocess
import sys
import threading

import numpy as np
import openjpeg
import pydicom
import pytest
from pydicom.encaps import encapsulate

import tfdicom.numpy
from tfdicom import _core
from reference_files import OPEN_FILES, read_bytes
from synthetic import dataset, phantom, to_bytes
from tfdicom import errors

HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K_LOSSY = "1.2.840.10008.1.2.4.203"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"


def run_silently(script):
    """Runs `script` in a fresh Python: it must succeed and print nothing
    (stdout and stderr are where C libraries would print)."""
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(__file__)),
               PYTHONWARNINGS="ignore")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""

def netpbm(array, maxval=None):
    """PGM (grey) or PPM (RGB) bytes of an 8- or 16-bit unsigned image;
    OpenJPH codes `maxval`'s bit depth (all of the dtype's by default)."""
    rows, cols = array.shape[:2]
    magic = b"P6" if array.ndim == 3 else b"P5"
    maxval = maxval or (255 if array.dtype == np.uint8 else 65535)
    body = array.astype(">u2" if maxval > 255 else "u1").tobytes()
    return magic + f"\n{cols} {rows}\n{maxval}\n".encode() + body


def ojph_compress(array, tmp_path, *options, maxval=None):
    src = tmp_path / ("in.ppm" if array.ndim == 3 else "in.pgm")
    dst = tmp_path / "out.j2c"
    src.write_bytes(netpbm(array, maxval))
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
    before = decoder_counts()
    out = decode(data, dtype=image.dtype.name, color_dim=image.ndim == 3, on_error="strict")
    np.testing.assert_array_equal(out[0], openjpeg.decode(codestream).astype(image.dtype))
    if decode.interface == "numpy":
        assert used_since(before) == {"openjpeg": 1}
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
    before = decoder_counts()
    np.testing.assert_array_equal(
        tfdicom.numpy.decode_dicom_image(data, dtype="uint8", on_error="strict"), frames)
    assert used_since(before) == {"openjpeg": 4}


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
    run_silently(script)


# HTJ2K with every coding option OpenJPH's encoder offers; the counts show
# the frames OpenJPEG decoded.
GREY12 = phantom(1, 33, 47, 0, 4095, np.uint16, seed=18)[0]
RGB16 = np.stack([phantom(1, 24, 20, 0, 65535, np.uint16, seed=s)[0] for s in (19, 20, 21)], -1)
LOSSLESS_IMAGES = {"grey8": (GREY8, None), "grey12": (GREY12, 4095), "grey16": (GREY16, None),
                   "rgb8": (RGB8, None), "rgb16": (RGB16, None)}


def decoder_counts():
    """Frames OpenJPEG has decoded in this process (through the pybind11
    module; the op library counts its own)."""
    return _core._j2k_decoder_counts()


def used_since(before):
    after = decoder_counts()
    return {key: after[key] - before[key] for key in after if key != "openjpeg_threaded"}


def signed_codestream(codestream):
    """`codestream` with every component marked signed in SIZ: the same
    coded values then decode to sample - 2**(bits - 1), a lossless signed
    HTJ2K image with negative samples (ojph_compress 0.9 cannot read signed
    input: its raw reader does not sign-extend)."""
    assert codestream[2:4] == b"\xff\x51", "SIZ right after SOC"
    data = bytearray(codestream)
    for c in range(int.from_bytes(data[40:42], "big")):  # Csiz, then Ssiz XRsiz YRsiz each
        data[42 + 3 * c] |= 0x80
    return bytes(data)


def lossless(name, tmp_path, *options, signed=False):
    """(codestream, the samples it decodes to) for LOSSLESS_IMAGES[name]."""
    image, maxval = LOSSLESS_IMAGES[name]
    codestream = ojph_compress(image, tmp_path, "-reversible", "true", *options, maxval=maxval)
    if not signed:
        return codestream, image
    bits = (maxval or np.iinfo(image.dtype).max).bit_length()
    shifted = (image.astype(np.int32) - 2 ** (bits - 1)).astype(image.dtype.name[1:])
    return signed_codestream(codestream), shifted


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize("name", sorted(LOSSLESS_IMAGES))
def test_lossless_htj2k_equals_the_source(name, signed, tmp_path, decode):
    codestream, expected = lossless(name, tmp_path, signed=signed)
    np.testing.assert_array_equal(openjpeg.decode(codestream), expected)
    data = wrap(expected[np.newaxis], [codestream], HTJ2K_LOSSLESS)
    before = decoder_counts()
    out = decode(data, dtype=expected.dtype.name, color_dim=expected.ndim == 3, on_error="strict")
    np.testing.assert_array_equal(out[0], expected)
    if decode.interface == "numpy":
        assert used_since(before) == {"openjpeg": 1}


@pytest.mark.parametrize("options", [
    ["-block_size", "{8,16}", "-num_decomps", "2", "-prog_order", "PCRL"],
    ["-precincts", "{16,16}", "-prog_order", "RLCP"],
    ["-num_decomps", "0", "-prog_order", "CPRL"],
    ["-tile_size", "{16,16}"],
    ["-tile_size", "{64,16}"],
    ["-image_offset", "{5,3}"],
], ids=["small-blocks", "precincts", "no-wavelet", "tiles", "tile-rows", "image-offset"])
def test_htj2k_coding_options_decode_to_the_source(options, tmp_path):
    for name in ("grey16", "rgb8"):
        (tmp_path / name).mkdir()
        codestream, expected = lossless(name, tmp_path / name, *options)
        before = decoder_counts()
        out = tfdicom.numpy.decode_dicom_image(wrap(expected[np.newaxis], [codestream], HTJ2K_RPCL),
                                               dtype=expected.dtype.name,
                                               color_dim=expected.ndim == 3, on_error="strict")
        np.testing.assert_array_equal(out[0], expected)
        assert used_since(before) == {"openjpeg": 1}, name


def test_pixel_representation_decides_the_sign_of_htj2k_samples(tmp_path, decode):
    """As with OpenJPEG: each sample keeps the low bits of the decoded
    integer, and (0028,0103) says how to read them."""
    signed, as_signed = lossless("grey16", tmp_path, signed=True)
    out = decode(wrap(as_signed.view(np.uint16)[np.newaxis], [signed], HTJ2K_LOSSLESS),
                 dtype="uint16", on_error="strict")
    np.testing.assert_array_equal(out[0], as_signed.view(np.uint16))
    unsigned = ojph_compress(GREY8, tmp_path, "-reversible", "true")
    out = decode(wrap(GREY8.view(np.int8)[np.newaxis], [unsigned], HTJ2K_LOSSLESS),
                 dtype="int8", on_error="strict")
    np.testing.assert_array_equal(out[0], GREY8.view(np.int8))


def test_htj2k_that_disagrees_with_the_header_is_an_error(tmp_path):
    grey8 = ojph_compress(GREY8, tmp_path, "-reversible", "true")
    grey16 = ojph_compress(GREY16, tmp_path, "-reversible", "true")
    rgb8 = ojph_compress(RGB8, tmp_path, "-reversible", "true")
    cases = [
        (wrap(np.ascontiguousarray(GREY8[np.newaxis, :, :50]), [grey8], HTJ2K_LOSSLESS),
         r"component 0 is 52x40 \(columns x rows\), the header says 50x40"),
        (wrap(GREY16.astype(np.uint8)[np.newaxis], [grey16], HTJ2K_LOSSLESS),
         r"16-bit samples, more than \(0028,0100\) BitsAllocated=8"),
        (wrap(RGB8[np.newaxis, ..., 0], [rgb8], HTJ2K_LOSSLESS),
         r"3 component\(s\), \(0028,0002\) SamplesPerPixel says 1"),
    ]
    for data, message in cases:
        before = decoder_counts()
        with pytest.raises(errors.CorruptDicomError, match=r"cannot decompress frame 1 of 1 .*JPEG 2000 codestream.* " + message):
            tfdicom.numpy.decode_dicom_image(data, on_error="strict")
        assert used_since(before) == {"openjpeg": 0}


def test_lossy_and_part1_codestreams_go_through_openjpeg(tmp_path):
    lossy = ojph_compress(GREY16, tmp_path, "-qstep", "0.002")
    part1 = openjpeg.encode(GREY16, photometric_interpretation=2)
    for codestream in (lossy, part1):
        before = decoder_counts()
        out = tfdicom.numpy.decode_dicom_image(wrap(GREY16[np.newaxis], [codestream], HTJ2K_LOSSY),
                                               dtype="uint16", on_error="strict")
        np.testing.assert_array_equal(out[0], openjpeg.decode(codestream))
        assert used_since(before) == {"openjpeg": 1}


@pytest.mark.parametrize("source", ["noise", "mel_assert"])
def test_corrupt_htj2k_coded_data_never_aborts_and_prints_nothing(source, tmp_path):
    """Corrupt coded data behind valid headers. Debian's OpenJPEG (and
    OpenJPH) check coded data with assert(): the process aborted on
    `mel_assert` (found by libFuzzer). tfdicom's OpenJPEG is built with
    NDEBUG: garbage or an error, in a fresh process that must live."""
    if source == "noise":
        codestream = ojph_compress(GREY8, tmp_path, "-reversible", "true")
        start = codestream.index(b"\xff\x93") + 2  # after SOD
        noise = np.random.default_rng(0).integers(0, 256, len(codestream) - start - 2, np.uint8)
        broken = codestream[:start] + noise.tobytes() + codestream[-2:]
        (tmp_path / "bad.dcm").write_bytes(wrap(GREY8[np.newaxis], [broken], HTJ2K_LOSSLESS))
    else:
        (tmp_path / "bad.dcm").write_bytes(read_bytes(os.path.join(
            os.path.dirname(__file__), "fuzz_regressions", "htj2k_mel_assert.dcm")))
    run_silently(
        "import tfdicom.numpy\n"
        f"data = open({str(tmp_path / 'bad.dcm')!r}, 'rb').read()\n"
        "tfdicom.numpy.decode_dicom_image(data, on_error='skip')\n")


# OpenJPEG spreads a big frame over the cores that no other decode is using.
def big_j2k():
    """A 12-bit 1024x1024 lossless JPEG 2000 file (over the threading
    threshold) and its samples."""
    image = phantom(1, 1024, 1024, 0, 4095, np.uint16, seed=22)[0]
    codestream = openjpeg.encode(image, bits_stored=12, photometric_interpretation=2,
                                 use_mct=False)
    return wrap(image[np.newaxis], [codestream], J2K_LOSSLESS), image


def test_a_big_frame_alone_decodes_on_every_cpu_bit_exact():
    data, image = big_j2k()
    before = decoder_counts()
    out = tfdicom.numpy.decode_dicom_image(data, dtype="uint16", on_error="strict")
    np.testing.assert_array_equal(out[0], image)
    threaded = decoder_counts()["openjpeg_threaded"] - before["openjpeg_threaded"]
    assert threaded == (1 if len(os.sched_getaffinity(0)) > 1 else 0)


def test_big_frames_decoded_in_parallel_threads_are_bit_exact():
    """Python threads (the binding lets go of the GIL) share the cores out:
    every decode still equals the source."""
    data, image = big_j2k()
    results = []

    def work():
        for _ in range(3):
            results.append(tfdicom.numpy.decode_dicom_image(data, dtype="uint16", on_error="strict"))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 9
    for out in results:
        np.testing.assert_array_equal(out[0], image)


def test_htj2k_from_several_threads_is_bit_exact(tmp_path):
    """Small frames from four Python threads at once: every decode equals
    the source."""
    files = []
    for name in ("grey8", "grey16", "rgb16"):
        (tmp_path / name).mkdir()
        codestream, expected = lossless(name, tmp_path / name, signed=name == "grey16")
        files.append((wrap(expected[np.newaxis], [codestream], HTJ2K_LOSSLESS), expected))
    mismatches = []

    def work(k):
        for i in range(40):
            data, expected = files[(i + k) % len(files)]
            out = tfdicom.numpy.decode_dicom_image(data, dtype=expected.dtype.name,
                                                   color_dim=expected.ndim == 3, on_error="strict")
            if not np.array_equal(out[0], expected):
                mismatches.append((k, i))

    before = decoder_counts()
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not mismatches
    assert used_since(before) == {"openjpeg": 160}
