"""Seconds to plan values='modality' and 'display' for an enhanced
multi-frame file whose (5200,9230) PerFrameFunctionalGroupsSequence holds
one item per frame (each with its own Rescale and window): the per-frame
look-up must be linear in the frames (issue #13: it walked DCMTK's item list
once per frame, quadratic).

    PYTHONPATH=. python benchmarks/functional_groups.py [FRAMES ...]

Frames are 1 x 1 pixels, so the time is the header's, not the pixels'.
Prints one line per frame count and value level: frames, values, seconds
(best of 3), bytes of the file.
"""
import io
import struct
import sys
import time

from pydicom.dataset import Dataset
from pydicom.filewriter import write_dataset
from pydicom.filebase import DicomBytesIO
from pydicom.sequence import Sequence


def encode(ds):
    out = DicomBytesIO()
    out.is_little_endian, out.is_implicit_VR = True, False
    write_dataset(out, ds)
    return out.getvalue()


def enhanced_file(frames):
    """Explicit VR little endian bytes, built by concatenating one encoded
    per-frame item `frames` times (pydicom would take minutes to build 10^5
    Dataset items)."""
    import tfdicom  # noqa: F401  (fails early if the build is missing)
    from synthetic import dataset, to_bytes
    import numpy as np

    head = to_bytes(dataset(np.arange(frames, dtype=np.uint8).reshape(frames, 1, 1) % 251,
                            bits_stored=8))
    transform = Dataset()
    transform.RescaleSlope = "2"
    transform.RescaleIntercept = "-100"
    transform.RescaleType = "US"
    voi = Dataset()
    voi.WindowCenter = "150"
    voi.WindowWidth = "300"
    group = Dataset()
    group.PixelValueTransformationSequence = Sequence([transform])
    group.FrameVOILUTSequence = Sequence([voi])
    body = encode(group)
    item = struct.pack("<HHI", 0xFFFE, 0xE000, len(body)) + body
    sequence = (struct.pack("<HH", 0x5200, 0x9230) + b"SQ\0\0" + struct.pack("<I", 0xFFFFFFFF)
                + item * frames + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    # (5200,9230) sorts before (7FE0,0010) Pixel Data, the last element.
    pixel = head.rindex(struct.pack("<HH", 0x7FE0, 0x0010) + b"OB")
    return head[:pixel] + sequence + head[pixel:]


def seconds(data, values):
    import tfdicom.numpy

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        image = tfdicom.numpy.decode_dicom_image(data, values=values, dtype="float32",
                                                 on_error="strict")
        best = min(best, time.perf_counter() - start)
    return best, image


def main(argv):
    sys.path.insert(0, "tests")
    counts = [int(a) for a in argv[1:]] or [10000, 30000, 100000]
    for frames in counts:
        data = enhanced_file(frames)
        for values in ("modality", "display"):
            took, image = seconds(data, values)
            assert image.shape == (frames, 1, 1)
            print(f"frames={frames} values={values} seconds={took:.3f} bytes={len(data)}",
                  flush=True)


if __name__ == "__main__":
    main(sys.argv)
