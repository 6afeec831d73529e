"""Decodes one file in a loop through tfdicom.numpy, for `perf record`.

    perf record -g -o /tmp/perf.data -- python benchmarks/profile_loop.py FILE [SECONDS]
    perf report -i /tmp/perf.data --no-children --percent-limit 1

Prints the median ms per decode. Keyword arguments of decode_dicom_image
can follow as key=value (e.g. dtype=float32 values=modality).
"""
import statistics
import sys
import time

import tfdicom.numpy as tdn


def _own_dtype(data):
    bits, signed = tdn.decode_dicom_data(data, ["BitsAllocated", "PixelRepresentation"])
    bits = max(8, int(bits or 16))
    return f"{'int' if str(signed) == '1' else 'uint'}{bits}"


def main(argv):
    path = argv[1]
    seconds = float(argv[2]) if len(argv) > 2 and "=" not in argv[2] else 3.0
    data = open(path, "rb").read()
    kwargs = dict(on_error="strict", dtype=None)
    kwargs.update(a.split("=", 1) for a in argv[2:] if "=" in a)
    if kwargs["dtype"] is None:  # the file's own sample type, as the benchmark asks
        kwargs["dtype"] = _own_dtype(data)
    tdn.decode_dicom_image(data, color_dim=True, **kwargs)
    times = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        tdn.decode_dicom_image(data, color_dim=True, **kwargs)
        times.append(time.perf_counter() - t0)
    print(f"{path}: {statistics.median(times) * 1e3:.4f} ms median over {len(times)} decodes")


if __name__ == "__main__":
    main(sys.argv)
