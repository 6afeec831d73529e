"""The tfdicom command line: `tfdicom info|convert|bench|demo` (also
`python -m tfdicom`). `info`, `convert` and `bench` use tfdicom.numpy and
never import TensorFlow; `demo` does.
"""

import argparse
import json
import math
import os
import stat
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


# The most bytes read from one input file: the library's default limit on an
# output (1 GiB); a DICOM file larger than that cannot decode within it anyway.
DEFAULT_MAX_FILE_BYTES = 1 << 30


class SkippedFile(OSError):
    """An entry of a folder that is not a regular file (a FIFO, a device, a
    socket, a dangling link): listed, never read."""


class FileTooLarge(OSError):
    """A file larger than --max-file-bytes: refused (a failure), not read."""


def iter_files(sources):
    """Every file under `sources` (files or folders, recursively), with the
    folder it was found under (for mirroring the layout) and whether it was
    named on the command line (False: found in a folder)."""
    for source in sources:
        if os.path.isdir(source):
            for root, _, names in sorted(os.walk(source)):
                for name in sorted(names):
                    yield os.path.join(root, name), source, False
        else:
            yield source, os.path.dirname(source), True


def _kind(mode):
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"


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


def read(path, max_bytes=DEFAULT_MAX_FILE_BYTES):
    """The bytes of a regular file (symbolic links followed), at most
    `max_bytes` of them. Anything else (a FIFO, a device such as /dev/zero, a
    socket) raises SkippedFile, a larger file FileTooLarge, without being
    read: the file is opened non-blocking (a FIFO does not wait for a
    writer) and checked with fstat before any read (no race between the
    check and the read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise SkippedFile(f"a symbolic link to a missing file ({os.readlink(path)})") from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkippedFile(f"{_kind(info.st_mode)}, not a regular file: not read")
        if info.st_size > max_bytes:
            raise FileTooLarge(f"{info.st_size} bytes, more than the limit of {max_bytes} "
                              f"(--max-file-bytes): not read")
        data = f.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew since fstat
        raise FileTooLarge(f"more than the limit of {max_bytes} bytes (--max-file-bytes): "
                          f"not read")
    return data


def cmd_info(args):
    import tfdicom.numpy as tdn

    status = 0
    for path in args.files:
        try:
            data = read(path, args.max_file_bytes)
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


def output_stem(path, base, keep_extension=False):
    """The output path of `path` without ".png": its path relative to the
    folder it was found under, less a .dcm/.dicom extension."""
    relative = os.path.relpath(path, base) if base else os.path.basename(path)
    if keep_extension or not relative.lower().endswith((".dcm", ".dicom")):
        return relative
    return os.path.splitext(relative)[0]


def plan_stems(files):
    """{path: stem}, with no two inputs sharing a stem: where inputs would
    share one (`x` and `x.dcm`; names that differ only in case, which share
    a file on case-insensitive file systems), each keeps its full name
    (`x.png`, `x.dcm.png`). Inputs that still collide are left out, to be
    refused with a message: no PNG is ever written twice in one run."""
    def key(stem):
        return os.path.normcase(stem).casefold()

    groups = {}
    for path, base, _ in files:
        groups.setdefault(key(output_stem(path, base)), []).append((path, base))
    stems = {}
    for members in groups.values():
        for path, base in members:
            stems[path] = output_stem(path, base, keep_extension=len(members) > 1)
    owners = {}
    for path, stem in stems.items():
        owners.setdefault(key(stem), []).append(path)
    for paths in owners.values():
        for path in paths[1:]:
            stems[path] = None
    return stems, {path: paths[0] for paths in owners.values() for path in paths[1:]}


def output_name(stem, out_dir, frame, frames):
    suffix = f"_frame{frame + 1:04d}" if frames > 1 else ""
    return os.path.join(out_dir, stem + suffix + ".png")


def convert_one(path, stem, args, written_names):
    """Writes the PNG(s) of one file; returns how many were written.
    `written_names` (normalised output paths already written in this run)
    is updated; a name in it is never written again."""
    import tfdicom.numpy as tdn
    from tfdicom._png import encode_png

    data = read(path, args.max_file_bytes)
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
    names = [output_name(stem, args.out, f, len(image)) for f in range(len(image))]
    keys = [os.path.normcase(os.path.abspath(n)).casefold() for n in names]
    clashes = [n for n, k in zip(names, keys) if k in written_names]
    if clashes:
        raise FileExistsError(f"{clashes[0]} was already written from another input in this "
                              f"run: not overwritten (rename one of the inputs)")
    existing = [n for n in names if os.path.exists(n)]
    if existing and not args.overwrite:
        raise FileExistsError(f"{existing[0]} exists (use --overwrite)")
    written_names.update(keys)
    for frame, name in zip(image, names):
        os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
        with open(name, "wb") as f:
            f.write(encode_png(frame))
    return len(names)


def cmd_convert(args):
    files = list(iter_files(args.sources))
    stems, collisions = plan_stems(files)
    progress = Progress(len(files))
    failures, skipped, written, written_names = [], [], 0, set()
    for path, base, named in files:
        try:
            if stems[path] is None:
                raise FileExistsError(f"its output name collides with that of "
                                      f"{collisions[path]}: not converted (rename one of them)")
            written += convert_one(path, stems[path], args, written_names)
        except SkippedFile as e:
            (failures if named else skipped).append((path, str(e)))
        except (OSError, ValueError) as e:
            failures.append((path, str(e)))
        progress.step(os.path.basename(path))
    considered = len(files) - len(skipped)
    print(f"converted {considered - len(failures)} of {considered} files into {written} "
          f"PNG files in {args.out}")
    if skipped:
        print(f"{len(skipped)} folder entr{'y' if len(skipped) == 1 else 'ies'} skipped:",
              file=sys.stderr)
        for path, reason in skipped:
            print(f"  {path}: {reason}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} file(s) not converted:", file=sys.stderr)
        for path, reason in failures:
            print(f"  {path}: {reason}", file=sys.stderr)
        return 1
    return 0


def cmd_bench(args):
    import tfdicom.numpy as tdn

    files = []
    for path, _, _ in iter_files(args.paths):
        try:
            files.append((path, read(path, args.max_file_bytes)))
        except OSError as e:
            print(f"skipping {path}: {e}", file=sys.stderr)
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


def finite_float(text):
    """An argparse type: a finite number (no nan, no inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def byte_count(text):
    """An argparse type: a positive number of bytes."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of bytes: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return value


CONVERT_EPILOG = """\
Output names: each input's path relative to the folder it was found under,
less a .dcm/.dicom extension, plus .png (_frame0001.png ... for multi-frame
files). Inputs whose names would give the same PNG (`x` and `x.dcm`, or names
that differ only in case) keep their full names instead (`x.png` and
`x.dcm.png`); an input whose PNG would still be one already written in this
run is refused and listed. Only regular files are read (symbolic links are
followed): FIFOs, devices and sockets found in a folder are listed as
skipped, never read; files larger than --max-file-bytes are refused."""


def build_parser():
    parser = argparse.ArgumentParser(prog="tfdicom", description="DICOM decoding for "
                                     "TensorFlow and NumPy.")
    files = argparse.ArgumentParser(add_help=False)
    files.add_argument("--max-file-bytes", type=byte_count, default=DEFAULT_MAX_FILE_BYTES,
                       metavar="N", help="refuse input files larger than N bytes (default "
                       f"{DEFAULT_MAX_FILE_BYTES}, 1 GiB)")
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="what a DICOM file holds", parents=[files])
    info.add_argument("files", nargs="+")
    info.add_argument("--json", action="store_true", help="the data set as DICOM JSON")
    info.set_defaults(run=cmd_info)
    convert = sub.add_parser("convert", help="DICOM to PNG, done right", parents=[files],
                             epilog=CONVERT_EPILOG,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    convert.add_argument("sources", nargs="+", help="files or folders (recursed)")
    convert.add_argument("--out", required=True, help="output folder")
    convert.add_argument("--format", choices=["png"], default="png")
    convert.add_argument("--values", choices=["display", "stored", "modality"],
                         default="display", help="display: 8-bit as a viewer shows it; "
                         "stored/modality: 16-bit")
    convert.add_argument("--scale", choices=["preserve", "auto"], default="preserve",
                         help="16-bit: keep values (refuses signed data) or stretch the "
                         "declared range onto 0..65535")
    convert.add_argument("--window", nargs=2, type=finite_float, metavar=("CENTER", "WIDTH"),
                         help="8-bit with this window on the modality values (WIDTH > 0)")
    convert.add_argument("--overwrite", action="store_true")
    convert.set_defaults(run=cmd_convert, check=check_convert, subparser=convert)
    bench = sub.add_parser("bench", help="decode throughput on your files", parents=[files])
    bench.add_argument("paths", nargs="+")
    bench.add_argument("--seconds-per-file", type=float, default=0.5)
    bench.set_defaults(run=cmd_bench)
    demo = sub.add_parser("demo", help="the bundled samples through Keras, a SavedModel "
                          "and back")
    demo.add_argument("--out", default="tfdicom-demo", help="where outputs go")
    demo.set_defaults(run=cmd_demo)
    return parser


def check_convert(args):
    """A problem with convert's arguments that argparse cannot see, or None."""
    if args.window is not None and args.window[1] <= 0:
        return f"argument --window: WIDTH must be positive, not {args.window[1]:g}"
    return None


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = args.check(args) if hasattr(args, "check") else None
    if problem:
        args.subparser.error(problem)  # usage and message on stderr, exit status 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
