#!/usr/bin/env python3
"""The TensorFlow op in tf.data over many damaged files: does a pipeline run
to the end, and does its memory stay flat?

Mutants come from tools/mutation_fuzz.py's mutator (the same seeds, mutant i
of --seed s always the same bytes). They are mapped through
tfdicom.decode_dicom_image with num_parallel_calls (default 8) and an
on_error that must never raise ('skip' by default, or 'lossy'). An element
that raises anyway is a failure: it is recorded (index, error type, message)
and the run goes on with a fresh iterator from the next index, so that one
failure never hides the rest. RSS (VmRSS of this process) is sampled every
1,000 elements.

    python tools/tf_data_soak.py                       # 10,000 mutants, on_error='skip'
    python tools/tf_data_soak.py --on-error lossy --count 2000

Prints decoded / skipped counts, the failures (count by type, first
messages), RSS at 1k, 5k and the end and its growth over the second half;
exits 1 if any element raised.
"""

import argparse
import collections
import faulthandler
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mutation_fuzz  # noqa: E402


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--on-error", choices=["skip", "lossy"], default="skip")
    parser.add_argument("--color-dim", action="store_true")
    parser.add_argument("--dtype", default="float32",
                        help="default float32: holds every integer input, so a mutant is "
                        "skipped for damage, not for its value range")
    parser.add_argument("--values", choices=["stored", "modality", "display"], default="stored")
    parser.add_argument("--parallel", type=int, default=8, help="num_parallel_calls")
    parser.add_argument("--max-seed-bytes", type=int, default=2 << 20)
    parser.add_argument("--show", type=int, default=5, help="failure messages shown")
    parser.add_argument("--distinct", type=int, default=0,
                        help="element i decodes mutant i %% DISTINCT: with half of --count, the "
                        "second half repeats the first, so RSS growth there is a leak, not "
                        "the allocator reaching the high-water mark of new inputs")
    parser.add_argument("--control", action="store_true",
                        help="the same pipeline with tf.strings.length in place of the op: "
                        "the RSS that the harness itself (generator, mutator, tf.data) adds")
    args = parser.parse_args(argv)

    faulthandler.enable()  # a crash names its thread's stack before the process dies
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    import tfdicom

    seeds = mutation_fuzz.load_seeds(args.max_seed_bytes)
    mutator = mutation_fuzz.Mutator(seeds, args.seed)
    dtype = tf.as_dtype(args.dtype)

    def dataset_from(start):
        def generate():
            for index in range(start, args.count):
                yield index, mutator.mutant(index % args.distinct if args.distinct else index)[0]

        ds = tf.data.Dataset.from_generator(
            generate, output_signature=(tf.TensorSpec([], tf.int64), tf.TensorSpec([], tf.string)))

        def decode(index, contents):
            if args.control:
                return index, tf.cast(tf.strings.length(contents), tf.int64)
            image = tfdicom.decode_dicom_image(contents, color_dim=args.color_dim,
                                               on_error=args.on_error, dtype=dtype,
                                               values=args.values)
            return index, tf.size(image, out_type=tf.int64)

        return ds.map(decode, num_parallel_calls=args.parallel, deterministic=True)

    decoded = skipped = 0
    failures = collections.Counter()
    messages = []
    rss = {}
    next_index, done = 0, 0
    started = time.monotonic()

    def sample(done):
        if done % 1000 == 0 or done == args.count:
            rss[done] = rss_kib()
            print(f"tf_data_soak: {done} elements, RSS {rss[done] / 1024:.1f} MiB, "
                  f"{sum(failures.values())} failures", file=sys.stderr, flush=True)

    while next_index < args.count:
        iterator = iter(dataset_from(next_index))
        while True:
            try:
                index, size = next(iterator)
            except StopIteration:
                next_index = args.count
                break
            except tf.errors.OpError as e:
                done += 1
                # deterministic=True: the failing element is the next in order.
                failures[type(e).__name__] += 1
                if len(messages) < args.show:
                    text = e.message.strip().splitlines()[0] if e.message else ""
                    text = re.sub(r"^\{\{function_node [^}]*\}\} ", "", text)
                    messages.append(f"mutant {next_index}: {type(e).__name__}: {text[:300]}")
                next_index += 1
                sample(done)
                break
            index = int(index)
            if index != next_index:
                raise RuntimeError(f"tf_data_soak: element {index} came where {next_index} "
                                   f"was expected")
            decoded, skipped = (decoded + 1, skipped) if int(size) else (decoded, skipped + 1)
            next_index += 1
            done += 1
            sample(done)
    elapsed = time.monotonic() - started
    failed = sum(failures.values())
    print(f"tf_data_soak: {args.count} mutants (seed {args.seed}, {len(seeds)} seed files), "
          f"on_error={args.on_error!r}, color_dim={args.color_dim}, dtype={args.dtype}, "
          f"values={args.values!r}, num_parallel_calls={args.parallel}, {elapsed:.0f} s"
          + (" (control: tf.strings.length, no decode)" if args.control else ""))
    print(f"  decoded {decoded}, skipped {skipped}, raised {failed}"
          + (f" ({', '.join(f'{k} {v}' for k, v in failures.most_common())})" if failed else ""))
    for message in messages:
        print(f"  {message}")
    marks = sorted({m for m in (1000, 5000, args.count) if m in rss})
    if marks:
        print("  RSS " + ", ".join(f"at {m}: {rss[m] / 1024:.1f} MiB" for m in marks))
    half = (args.count // 2) // 1000 * 1000
    if half in rss and args.count in rss and half < args.count:
        print(f"  RSS growth over the second half ({half}..{args.count}): "
              f"{(rss[args.count] - rss[half]) / 1024:+.1f} MiB")
    print(f"totals: elements={decoded + skipped + failed} decoded={decoded} skipped={skipped} "
          f"failures={failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
