"""Writes the crafted inputs of the decode guarantees (issue "Robustness,
second pass") into tests/fuzz_regressions/, where the sanitized fuzz
harness runs them on every CI run. Each is built by the same code as its
test in tests/test_decode_guarantees.py; the byte at the middle of each
file picks the harness's second option set (bit 0 color_dim, bit 1 lossy).

    PYTHONPATH=. .venv/bin/python tests/make_decode_regressions.py
"""

import io
import os
import sys

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from synthetic import to_bytes  # noqa: E402
from test_decode_guarantees import (colour_dataset, jpeg_extended_12bit,  # noqa: E402
                                    jpeg_lossless, palette_file, with_attributes, COLOUR)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_regressions")


def with_middle_byte(data, value):
    """`data` whose pixel bytes are all `value`, so that the harness's
    selector (the byte at len/2) is `value`."""
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.PixelData = bytes([value]) * len(ds.PixelData)
    out = to_bytes(ds)
    assert out[len(out) // 2] == value
    return out


def main():
    files = {
        # lossy, color_dim=False: luminance of palette RGB (was a heap over-read)
        "palette_luminance_overread.dcm": with_middle_byte(palette_file(), 0x02),
        # color_dim=True: planar YBR_FULL_422 read three planes of a 2-plane value
        "ybr422_planar_overread.dcm": with_middle_byte(
            to_bytes(_ybr422_planar()), 0x01),
        # DCMTK wrote 32 of 40 rows: the rest of the frame was old memory
        "jpeg_extended_rows_beyond_stream.dcm": with_attributes(jpeg_extended_12bit(), Rows=40),
        # DCMTK wrote 16-bit samples into half of a 32-bit frame
        "jpeg_lossless_bits_allocated_32.dcm": with_attributes(jpeg_lossless("+e1"),
                                                               BitsAllocated=32),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


def _ybr422_planar():
    ds = colour_dataset(COLOUR, "YBR_FULL_422", planar=1)
    ds.PixelData = bytes(COLOUR.shape[0] * COLOUR.shape[1] * 2)
    return ds


if __name__ == "__main__":
    main()
