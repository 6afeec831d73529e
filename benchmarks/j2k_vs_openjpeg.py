"""One JPEG 2000 file: tfdicom against OpenJPEG's own opj_decompress on the
same codestream, and against pylibjpeg-openjpeg, in one run (issue 5).

    python benchmarks/j2k_vs_openjpeg.py [NAME ...]   # pydicom test files

opj_decompress (Debian libopenjp2-tools) reports its own "decode time" per
run (reading the codestream and decoding, without process start-up); tfdicom
and pylibjpeg-openjpeg are timed in this process from bytes in memory
(tfdicom: the whole DICOM file; pylibjpeg-openjpeg: the codestream). All three
use the same OpenJPEG 2.5 decoder, single-threaded.
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import openjpeg
import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import generate_frames

import tfdicom.numpy


def median_ms(fn, seconds=2.0, at_least=5):
    fn()
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < at_least or time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def opj_decompress_ms(codestream, runs=15):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in.j2k")
        with open(src, "wb") as f:
            f.write(codestream)
        times = []
        for _ in range(runs):
            out = subprocess.run(["opj_decompress", "-i", src, "-o", os.path.join(tmp, "out.raw")],
                                 capture_output=True, text=True, check=True).stdout
            times.append(float(re.search(r"decode time: ([0-9.]+) ms", out).group(1)))
        return statistics.median(times)


def main(names):
    print("| file | size | tfdicom.numpy ms | opj_decompress ms | pylibjpeg-openjpeg ms | "
          "tfdicom / opj_decompress | tfdicom / pylibjpeg-openjpeg |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in names:
        path = get_testdata_file(name, download=False)
        data = open(path, "rb").read()
        ds = pydicom.dcmread(path)
        codestream = next(generate_frames(ds.PixelData, number_of_frames=1))
        color = ds.SamplesPerPixel == 3
        ours = median_ms(lambda: tfdicom.numpy.decode_dicom_image(data, color_dim=color,
                                                                  dtype="int32"))
        theirs = median_ms(lambda: openjpeg.decode(codestream))
        opj = opj_decompress_ms(codestream)
        print(f"| {name} | {ds.Columns}x{ds.Rows}x{ds.SamplesPerPixel}, {len(codestream)} bytes | "
              f"{ours:.1f} | {opj:.1f} | {theirs:.1f} | {ours / opj:.2f} | {ours / theirs:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or ["US1_J2KR.dcm", "MR2_J2KR.dcm", "RG3_J2KR.dcm"])
