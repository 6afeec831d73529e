"""Writes the first frame's codestream of an encapsulated DICOM file, and
prints the layout that benchmarks/frame_decoder_bench.cc takes after it.

    python benchmarks/extract_frame.py IN.dcm OUT.bin
    -> rows columns samples_per_pixel bits_allocated
"""
import sys

import pydicom
from pydicom.encaps import generate_frames


def main(argv):
    ds = pydicom.dcmread(argv[1])
    frame = next(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1))))
    with open(argv[2], "wb") as f:
        f.write(frame)
    print(ds.Rows, ds.Columns, ds.get("SamplesPerPixel", 1), ds.BitsAllocated)


if __name__ == "__main__":
    main(sys.argv)
