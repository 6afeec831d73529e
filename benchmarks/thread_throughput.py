"""Decodes one file from several Python threads at once through
tfdicom.numpy (the binding lets go of the GIL) and prints the decodes per
second, to check that a decoder's own threads do not oversubscribe the
cores when the caller already decodes in parallel.

    python benchmarks/thread_throughput.py FILE [THREADS] [SECONDS]

Compare builds back to back (PYTHONPATH=... for each); the machine's load
moves the numbers.
"""
import statistics
import sys
import threading
import time

import tfdicom.numpy as tdn


def main(argv):
    path = argv[1]
    threads = int(argv[2]) if len(argv) > 2 else 2
    seconds = float(argv[3]) if len(argv) > 3 else 5.0
    data = open(path, "rb").read()
    tdn.decode_dicom_image(data, on_error="strict")  # warm up
    times = [[] for _ in range(threads)]
    end = time.perf_counter() + seconds

    def work(mine):
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            tdn.decode_dicom_image(data, on_error="strict")
            mine.append(time.perf_counter() - t0)

    start = time.perf_counter()
    pool = [threading.Thread(target=work, args=(times[i],)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    everything = [t for mine in times for t in mine]
    print(f"{path}: {threads} threads, {len(everything) / elapsed:.2f} decodes/s, "
          f"median {statistics.median(everything) * 1e3:.1f} ms per decode{threaded(len(everything))}")


def threaded(decodes):
    """How many JPEG 2000 frames OpenJPEG decoded on more than one thread."""
    counts = getattr(tdn._core, "_j2k_decoder_counts", None)
    if counts is None:  # a build from before the counts
        return ""
    return f", {counts()['openjpeg_threaded']} of {decodes + 1} J2K frames on several threads"


if __name__ == "__main__":
    main(sys.argv)
