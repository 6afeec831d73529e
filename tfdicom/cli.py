"""The tfdicom command line: `tfdicom info|convert|bench|demo` (also
`python -m tfdicom`). `info`, `convert` and `bench` use tfdicom.numpy and
never import TensorFlow; `demo` does.
"""

import argparse
import json
import os
import statistics
import sys
import time

# (tag, label) shown by `tfdicom info`, in order.
INFO_TAGS = [
    (0x00020010, "Transfer syntax"), (0x00080016, "SOP class"), (0x00080060, "Modality"),
    (0x00080070, "Manufacturer"), (0x00100020, "Patient ID"), (0x00080020, "Study date"),
    (0x0008103E, "Series description"), (0x00200013, "Instance number"),
    (0x00280010, "Rows"), (0x00280011, "Columns"), (0x00280008, "Frames"),
    (0x00280002, "Samples per pixel"), (0x00280004, "Photometric"),
    (0x00280100, "Bits allocated"), (0x00280101, "Bits stored"), (0x00280102, "High bit"),
    (0x00280103, "Pixel representation"), (0x00281053, "Rescale slope"),
    (0x00281052, "Rescale intercept"), (0x00281050, "Window center"),
    (0x00281051, "Window width"), (0x00280030, "Pixel spacing"),
    (0x00180050, "Slice thickness"),
]


def iter_files(sources):
    """Every file under `sources` (files or folders, recursively), with the
    folder it was found under (for mirroring the layout)."""
    for source in sources:
        if os.path.isdir(source):
            for root, _, names in sorted(os.walk(source)):
                for name in sorted(names):
                    yield os.path.join(root, name), source
        else:
            yield source, os.path.dirname(source)


class Progress:
    """A one-line progress bar on stderr when it is a terminal."""

    def __init__(self, total, enabled=None):
        self.total, self.done = total, 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def step(self, label=""):
        self.done += 1
        if self.enabled:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {label[:40]:40}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_info(args):
    import tfdicom.numpy as tdn

    status = 0
    for path in args.files:
        try:
            data = read(path)
            if args.json:
                print(tdn.decode_dicom_json(data))
                continue
            values = tdn.decode_dicom_data(data, [tag for tag, _ in INFO_TAGS])
        except (OSError, ValueError) as e:
            print(f"{path}: error: {e}", file=sys.stderr)
            status = 1
            continue
        print(path)
        print(f"  {'File size':22} {len(data)} bytes")
        for (tag, label), value in zip(INFO_TAGS, values):
            if tag == 0x00020010 and value:
                value = tdn.describe_transfer_syntax(str(value))
            if value != "":
                print(f"  {label:22} {value}")
    return status


def output_name(path, base, out_dir, frame, frames):
    relative = os.path.relpath(path, base) if base else os.path.basename(path)
    stem = os.path.splitext(relative)[0] if relative.lower().endswith((".dcm", ".dicom")) \
        else relative
    suffix = f"_frame{frame + 1:04d}" if frames > 1 else ""
    return os.path.join(out_dir, stem + suffix + ".png")


def convert_one(path, base, args):
    """Writes the PNG(s) of one file; returns how many were written."""
    import tfdicom.numpy as tdn
    from tfdicom._png import encode_png

    data = read(path)
    if args.window is not None:
        center, width = args.window
        values = tdn.decode_dicom_image(data, values="modality", dtype="float64",
                                        color_dim=True, on_error="strict")
        low = center - width / 2
        image = (values.clip(low, low + width) - low) / width * 255
        image = (image + 0.5).astype("uint8")
    elif args.values == "display":
        image = tdn.decode_dicom_image(data, values="display", dtype="uint8", scale="auto",
                                       color_dim=True, on_error="strict")
    else:
        image = tdn.decode_dicom_image(data, values=args.values, dtype="uint16",
                                       scale=args.scale, color_dim=True, on_error="strict")
    names = [output_name(path, base, args.out, f, len(image)) for f in range(len(image))]
    existing = [n for n in names if os.path.exists(n)]
    if existing and not args.overwrite:
        raise FileExistsError(f"{existing[0]} exists (use --overwrite)")
    for frame, name in zip(image, names):
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        with open(name, "wb") as f:
            f.write(encode_png(frame))
    return len(names)


def cmd_convert(args):
    files = list(iter_files(args.sources))
    progress = Progress(len(files))
    failures, written = [], 0
    for path, base in files:
        try:
            written += convert_one(path, base, args)
        except (OSError, ValueError) as e:
            failures.append((path, str(e)))
        progress.step(os.path.basename(path))
    print(f"converted {len(files) - len(failures)} of {len(files)} files into {written} "
          f"PNG files in {args.out}")
    if failures:
        print(f"{len(failures)} file(s) not converted:", file=sys.stderr)
        for path, reason in failures:
            print(f"  {path}: {reason}", file=sys.stderr)
        return 1
    return 0


def cmd_bench(args):
    import tfdicom.numpy as tdn

    files = [(p, read(p)) for p, _ in iter_files(args.paths)]
    rows, total_bytes, total_time, decoded = [], 0, 0.0, 0
    for path, data in files:
        try:
            tdn.decode_dicom_image(data, dtype="float32", color_dim=True, on_error="strict")
        except ValueError as e:
            print(f"skipping {path}: {e}", file=sys.stderr)
            continue
        times = []
        deadline = time.perf_counter() + args.seconds_per_file
        while len(times) < 3 or (time.perf_counter() < deadline and len(times) < 1000):
            start = time.perf_counter()
            image = tdn.decode_dicom_image(data, dtype="float32", color_dim=True)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        rows.append((path, median, image.shape))
        total_bytes += len(data)
        total_time += median
        decoded += 1
    for path, median, shape in rows:
        print(f"{median * 1e3:9.3f} ms  {str(shape):22} {path}")
    if decoded:
        print(f"{decoded} files: {decoded / total_time:.1f} files/s, "
              f"{total_bytes / total_time / 1e6:.1f} MB/s of DICOM (median per file, 1 thread)")
    return 0 if decoded else 1


def cmd_demo(args):
    from tfdicom import demo

    return demo.run(args.out)


def build_parser():
    parser = argparse.ArgumentParser(prog="tfdicom", description="DICOM decoding for "
                                     "TensorFlow and NumPy.")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="what a DICOM file holds")
    info.add_argument("files", nargs="+")
    info.add_argument("--json", action="store_true", help="the data set as DICOM JSON")
    info.set_defaults(run=cmd_info)
    convert = sub.add_parser("convert", help="DICOM to PNG, done right")
    convert.add_argument("sources", nargs="+", help="files or folders (recursed)")
    convert.add_argument("--out", required=True, help="output folder")
    convert.add_argument("--format", choices=["png"], default="png")
    convert.add_argument("--values", choices=["display", "stored", "modality"],
                         default="display", help="display: 8-bit as a viewer shows it; "
                         "stored/modality: 16-bit")
    convert.add_argument("--scale", choices=["preserve", "auto"], default="preserve",
                         help="16-bit: keep values (refuses signed data) or stretch the "
                         "declared range onto 0..65535")
    convert.add_argument("--window", nargs=2, type=float, metavar=("CENTER", "WIDTH"),
                         help="8-bit with this window on the modality values")
    convert.add_argument("--overwrite", action="store_true")
    convert.set_defaults(run=cmd_convert)
    bench = sub.add_parser("bench", help="decode throughput on your files")
    bench.add_argument("paths", nargs="+")
    bench.add_argument("--seconds-per-file", type=float, default=0.5)
    bench.set_defaults(run=cmd_bench)
    demo = sub.add_parser("demo", help="the bundled samples through Keras, a SavedModel "
                          "and back")
    demo.add_argument("--out", default="tfdicom-demo", help="where outputs go")
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
