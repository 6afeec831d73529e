"""A minimal PNG writer (8/16-bit grey or RGB) so that the command line
converts DICOM to PNG without TensorFlow or Pillow."""

import struct
import zlib

import numpy as np


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(image, compression=6):
    """PNG bytes of `image`: uint8 or uint16, [rows, cols] or [rows, cols, 1 or 3]."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.dtype not in (np.uint8, np.uint16) or image.ndim not in (2, 3):
        raise ValueError(f"PNG needs uint8/uint16 grey or RGB, got {image.dtype} {image.shape}")
    rows, cols = image.shape[:2]
    color_type = 0 if image.ndim == 2 else 2
    depth = 8 * image.dtype.itemsize
    raw = image.astype(image.dtype.newbyteorder(">")).reshape(rows, -1)
    scanlines = np.concatenate([np.zeros((rows, 1), np.uint8), raw.view(np.uint8)], axis=1)
    header = struct.pack(">IIBBBBB", cols, rows, depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) +
            _chunk(b"IDAT", zlib.compress(scanlines.tobytes(), compression)) +
            _chunk(b"IEND", b""))
