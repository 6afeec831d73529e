"""How decode_dicom_json and decode_dicom_data scale with the number of
elements and items (issue 13: both were quadratic).

    PYTHONPATH=$PWD:$PWD/tests .venv/bin/python benchmarks/json_scaling.py [--quick]

Prints the seconds of one call (the best of `--repeat`) for data sets of
10,000 and 100,000 elements, 10,000 and 100,000 items, and 1,000,000 empty
items (8 MB). `decode_dicom_data` looks up 1,000 tags, or 1,000 item paths
spread over the sequence. Files are made by tests/limits_files.py.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

import limits_files as lf  # noqa: E402
import tfdicom.numpy as tn  # noqa: E402


def seconds(function, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="leave out the 1,000,000 items")
    args = parser.parse_args()
    cases = [
        ("elements", 10_000, lambda n: lf.many_elements(n)),
        ("elements", 100_000, lambda n: lf.many_elements(n)),
        ("items", 10_000, lambda n: lf.many_items(n)),
        ("items", 100_000, lambda n: lf.many_items(n)),
    ]
    if not args.quick:
        cases.append(("empty items", 1_000_000, lambda n: lf.many_items(n, empty=True)))
    print(f"{'case':<28} {'bytes':>10} {'json s':>8} {'data s':>8}")
    for kind, count, make in cases:
        data = make(count)
        if kind == "elements":
            step = max(1, count // 1000)
            tags = [(0x0011 + 2 * (i // 0xF000)) << 16 | (0x1000 + i % 0xF000)
                    for i in range(0, count, step)]
        else:
            step = max(1, count // 1000)
            tags = [f"ContentSequence[{i}].TextValue" for i in range(0, count, step)]
        json_s = seconds(lambda: tn.decode_dicom_json(data), args.repeat)
        data_s = seconds(lambda: tn.decode_dicom_data(data, tags), args.repeat)
        print(f"{f'{count:,} {kind}':<28} {len(data):>10,} {json_s:>8.3f} {data_s:>8.3f}")


if __name__ == "__main__":
    main()
