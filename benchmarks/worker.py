"""One decoder in one process: times it on every file of a manifest, or
measures the peak RSS of one decode (--memory).

Run by bench.py, never imported by it: each decoder gets a fresh interpreter
so that imports (TensorFlow's thread pools, GDCM's and DCMTK's globals) do
not interfere. Needs only the standard library, NumPy and the decoder's own
packages, so it also runs under another interpreter (tensorflow-io's venv).

Output: one JSON object per line, appended and flushed as each file is done
({"start": key} before it), so that bench.py can resume after a crash and
blame the file that crashed.
"""

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
import traceback

import numpy as np

SAMPLE_POINTS = 4096  # values kept per output to compare decoders


# ------------------------------------------------------------------ decoders
#
# Each decoder is a function setup(entry, data) -> callable; the callable
# decodes `data` once and returns the pixels (NumPy array or tensor).
# Anything before the callable (tf.constant of the bytes, parsing options)
# is outside the timing, as a pipeline would have it already.

def _tfdicom_numpy():
    import tfdicom.numpy as tdn

    def setup(entry, data):
        kw = dict(dtype=entry["dtype"], color_dim=entry["color_dim"], on_error="strict")
        return lambda: tdn.decode_dicom_image(data, **kw)
    return setup


def _tf_op():
    import tensorflow as tf

    import tfdicom

    def setup(entry, data):
        contents = tf.constant(data)
        kw = dict(dtype=tf.dtypes.as_dtype(entry["dtype"]), color_dim=entry["color_dim"],
                  on_error="strict")
        return lambda: tfdicom.decode_dicom_image(contents, **kw)
    return setup, tf


def _tfdicom_tf_eager():
    return _tf_op()[0]


def _pydicom(plugin=None):
    import pydicom
    from pydicom import dcmread

    def setup(entry, data):
        if plugin is not None and entry["ts_uid"] not in NATIVE:
            from pydicom.pixels import get_decoder
            from pydicom.uid import UID

            decoder = get_decoder(UID(entry["ts_uid"]))
            if plugin not in decoder.available_plugins:
                raise RuntimeError(f"pydicom has no {plugin!r} plugin for {entry['ts_name']}")

            def run():
                ds = dcmread(io.BytesIO(data))
                ds.pixel_array_options(decoding_plugin=plugin)
                return ds.pixel_array
            return run
        return lambda: dcmread(io.BytesIO(data)).pixel_array
    del pydicom
    return setup


NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
          "1.2.840.10008.1.2.1.99", ""}


def _dicomsdl():
    import dicomsdl

    def setup(entry, data):
        def run():
            # copy_data=False: dicomsdl parses the caller's bytes in place,
            # its fastest way (the bytes outlive the data set here).
            ds = dicomsdl.open_memory(data, copy_data=False)
            info = ds.getPixelDataInfo()
            frames = int(info.get("NumberOfFrames") or 1)
            shape = [frames, info["Rows"], info["Cols"]]
            if info["SamplesPerPixel"] > 1:
                if info["PlanarConfiguration"] == "RRRGGGBBB":
                    shape = [frames, 3, info["Rows"], info["Cols"]]
                else:
                    shape.append(3)
            out = np.empty(shape, dtype=info["dtype"])
            for i in range(frames):
                ds.copyFrameData(i, out[i])
            return out
        return run
    return setup


def _gdcm():
    import gdcm

    gdcm.Trace.SetWarning(False)
    gdcm.Trace.SetDebug(False)
    gdcm.Trace.SetError(False)
    formats = {
        gdcm.PixelFormat.UINT8: "u1", gdcm.PixelFormat.INT8: "i1",
        gdcm.PixelFormat.UINT12: "u2", gdcm.PixelFormat.INT12: "i2",
        gdcm.PixelFormat.UINT16: "u2", gdcm.PixelFormat.INT16: "i2",
        gdcm.PixelFormat.UINT32: "u4", gdcm.PixelFormat.INT32: "i4",
        gdcm.PixelFormat.FLOAT32: "f4", gdcm.PixelFormat.FLOAT64: "f8",
    }

    def setup(entry, data):
        path = entry["path"]  # python-gdcm reads from a file (here: in the page cache)

        def run():
            reader = gdcm.ImageReader()
            reader.SetFileName(path)
            if not reader.Read():
                raise RuntimeError("gdcm.ImageReader.Read() failed")
            image = reader.GetImage()
            pf = image.GetPixelFormat()
            dtype = formats.get(pf.GetScalarType())
            if dtype is None:
                raise RuntimeError(f"unhandled GDCM pixel format {pf.GetScalarTypeAsString()}")
            photometric = str(image.GetPhotometricInterpretation()).strip()
            if photometric.startswith("YBR_FULL"):
                # ImageChangePhotometricInterpretation does not convert
                # YBR_FULL_422; GDCM's pixels are Y Cb Cr (less work).
                run.note = f"GDCM returns {photometric}, not RGB (no colour conversion timed)"
            dims = image.GetDimensions()
            cols, rows = dims[0], dims[1]
            frames = dims[2] if len(dims) > 2 else 1
            # python-gdcm returns the char* buffer as a str (surrogateescape),
            # as pydicom's gdcm plugin also has to undo.
            buffer = image.GetBuffer().encode("utf-8", "surrogateescape")
            shape = [frames, rows, cols] + ([pf.GetSamplesPerPixel()] if pf.GetSamplesPerPixel() > 1 else [])
            return np.frombuffer(buffer, dtype).reshape(shape)
        return run
    return setup


def _tensorflow_io():
    import tensorflow as tf
    import tensorflow_io as tfio

    def setup(entry, data):
        contents = tf.constant(data)
        # tfio has no signed dtypes: it offsets signed data into uint16.
        dtype = {"int8": tf.uint8, "int16": tf.uint16, "int32": tf.uint32}.get(
            entry["dtype"], tf.dtypes.as_dtype(entry["dtype"]))
        return lambda: tfio.image.decode_dicom_image(contents, dtype=dtype, color_dim=entry["color_dim"],
                                                     on_error="strict")
    return setup


def _copy():
    """The floor: a plain copy of a decoded output of the same size."""
    def setup(entry, data):
        array = None
        try:
            import tfdicom.numpy as tdn
            array = tdn.decode_dicom_image(data, dtype=entry["dtype"], color_dim=entry["color_dim"],
                                           on_error="strict")
        except Exception:
            from pydicom import dcmread
            array = dcmread(io.BytesIO(data)).pixel_array
        array = np.ascontiguousarray(array)
        return lambda: np.copy(array)
    return setup


DECODERS = {
    "tfdicom-numpy": _tfdicom_numpy,
    "tfdicom-tf": _tfdicom_tf_eager,
    "pydicom": _pydicom,
    "pydicom-pylibjpeg": lambda: _pydicom("pylibjpeg"),
    "dicomsdl": _dicomsdl,
    "gdcm": _gdcm,
    "tensorflow-io": _tensorflow_io,
    "copy": _copy,
}
TFDATA = ("tfdicom-tfdata-1", "tfdicom-tfdata-2")


# ------------------------------------------------------------------- versions

def _version(module):
    try:
        mod = __import__(module)
    except Exception:
        return None
    for attr in ("__version__", "DICOMSDL_VERSION", "VERSION"):
        if hasattr(mod, attr):
            return str(getattr(mod, attr))
    try:
        from importlib.metadata import version
        return version({"gdcm": "python-gdcm", "openjpeg": "pylibjpeg-openjpeg",
                        "libjpeg": "pylibjpeg-libjpeg", "rle": "pylibjpeg-rle"}.get(module, module))
    except Exception:
        return "?"


def versions(decoder):
    out = {"python": sys.version.split()[0], "numpy": np.__version__}
    if decoder.startswith("tfdicom") or decoder == "copy":
        out["tfdicom"] = _version("tfdicom")
        try:
            from tfdicom import _core
            out["dcmtk"] = str(getattr(_core, "DCMTK_VERSION", "") or "")
            out["openjpeg (tfdicom)"] = str(getattr(_core, "OPENJPEG_VERSION", "") or "")
        except Exception:
            pass
        out = {k: v for k, v in out.items() if v}
    if decoder.startswith("tfdicom-tf") or decoder == "tensorflow-io":
        out["tensorflow"] = _version("tensorflow")
    if decoder == "tensorflow-io":
        out["tensorflow-io"] = _version("tensorflow_io")
    if decoder.startswith("pydicom"):
        out["pydicom"] = _version("pydicom")
        for plugin in ("pylibjpeg", "openjpeg", "libjpeg", "rle", "gdcm", "PIL", "jpeg_ls"):
            v = _version(plugin)
            if v is not None:
                out[{"openjpeg": "pylibjpeg-openjpeg", "libjpeg": "pylibjpeg-libjpeg",
                     "rle": "pylibjpeg-rle", "gdcm": "python-gdcm", "PIL": "pillow",
                     "jpeg_ls": "pyjpegls"}.get(plugin, plugin)] = v
    if decoder == "dicomsdl":
        out["dicomsdl"] = _version("dicomsdl")
    if decoder == "gdcm":
        import gdcm
        out["gdcm"] = gdcm.Version.GetVersion()
    return out


def pydicom_plugin_used(entry):
    """Which plugin pydicom's default order picks for this file's syntax
    (the first available one that decodes it)."""
    if entry["ts_uid"] in NATIVE:
        return "native"
    try:
        from pydicom.pixels import get_decoder
        from pydicom.uid import UID
        return ",".join(sorted(get_decoder(UID(entry["ts_uid"])).available_plugins))
    except Exception:
        return ""


# --------------------------------------------------------------------- timing

def _as_numpy(result):
    if hasattr(result, "numpy"):
        return result.numpy()
    return np.asarray(result)


def fingerprint(result):
    """Shape, dtype and an evenly strided sample of the values, to check
    that decoders agree without shipping whole arrays between processes."""
    array = _as_numpy(result)
    flat = array.reshape(-1)
    step = max(1, flat.size // SAMPLE_POINTS)
    sample = flat[::step][:SAMPLE_POINTS].astype(np.float64)
    return {"shape": list(array.shape), "dtype": str(array.dtype), "size": int(flat.size),
            "sum": float(flat.sum(dtype=np.float64)) if flat.size else 0.0,
            "sample": [round(v, 4) for v in sample.tolist()]}


def time_calls(fn, budget, min_reps, max_reps):
    """Warm-up, then repetitions until `budget` seconds are spent (at least
    min_reps, at most max_reps); returns per-call seconds. Garbage collection
    is off during the loop; freeing each result is outside the timing."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    del result
    if first < budget / 20:
        fn()  # a second warm-up for quick calls (caches, lazy init)
    if first > budget:
        min_reps = max(1, min(min_reps, 3))
    times = []
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start < budget):
            t0 = time.perf_counter_ns()
            result = fn()
            t1 = time.perf_counter_ns()
            del result
            times.append((t1 - t0) / 1e9)
    finally:
        gc.enable()
    return times


def summary(times):
    times = sorted(times)
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))]  # noqa: E731
    return {"median_ms": statistics.median(times) * 1e3, "min_ms": times[0] * 1e3,
            "p25_ms": q(0.25) * 1e3, "p75_ms": q(0.75) * 1e3, "reps": len(times)}


_PIPELINES = {}
BATCH_BYTES = 8 << 20  # batch outputs up to this size, as an input pipeline would


def _pipeline(tf, tfdicom, dtype, color_dim, parallel, batch, op=None):
    """A tf.function running the whole pipeline for (contents, n), traced
    once per set of attributes: n copies of the string, mapped by the op,
    batched (map and batch fuse, so the copy into the batch runs in the
    parallel calls), consumed in C++ by Dataset.reduce (no Python per
    element)."""
    key = (dtype, color_dim, parallel, batch, op is None)
    if key not in _PIPELINES:
        kw = dict(dtype=tf.dtypes.as_dtype(dtype), color_dim=color_dim, on_error="strict")
        fn = op or (lambda c: tfdicom.decode_dicom_image(c, **kw))

        @tf.function(input_signature=[tf.TensorSpec([], tf.string), tf.TensorSpec([], tf.int64)])
        def run(contents, n):
            ds = tf.data.Dataset.from_tensors(contents).repeat(n)
            ds = ds.map(fn, num_parallel_calls=parallel, deterministic=False)
            if batch > 1:
                ds = ds.batch(batch)
            return ds.reduce(tf.constant(0, tf.int64),
                             lambda acc, x: acc + tf.cast(tf.size(x), tf.int64))
        _PIPELINES[key] = run
    return _PIPELINES[key]


def _median_time(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def tfdata_cell(entry, data, parallel, pass_seconds, min_reps, tf, tfdicom):
    """Steady-state time per file in a tf.data pipeline that maps the op
    over a repeated in-memory string: (T(n) - T(0)) / n, T(0) being the
    pipeline's start-up."""
    contents = tf.constant(data)
    batch = int(max(1, min(32, BATCH_BYTES // max(1, entry["output_bytes"]))))
    run = _pipeline(tf, tfdicom, entry["dtype"], entry["color_dim"], parallel, batch)
    elements = int(run(contents, tf.constant(1, tf.int64)))  # traces; also the warm-up
    if elements == 0:
        raise RuntimeError("the op returned an empty tensor")
    zero = tf.constant(0, tf.int64)
    one = tf.constant(1, tf.int64)
    startup = _median_time(lambda: run(contents, zero), 3)
    per_file = _median_time(lambda: run(contents, one), 1) - startup
    if per_file < 0.02:  # quick files: estimate from a longer probe
        probe = max(16, 2 * batch)
        per_file = (_median_time(lambda: run(contents, tf.constant(probe, tf.int64)), 1)
                    - startup) / probe
    per_file = max(per_file, 5e-6)
    # n for passes of about pass_seconds, long enough that the start-up
    # (and its jitter) is a small part of a pass, and at least 4 elements
    # (2 per parallel call).
    n = int(min(20000, max(4, max(pass_seconds, 10 * startup) / per_file)))
    n = -(-n // batch) * batch
    if n * per_file > 1.0:
        min_reps = min(min_reps, 3)
    # A pass must be long against the start-up, whose jitter would otherwise
    # swamp the difference: a short estimate of per_file makes n too small,
    # so lengthen the passes until they are (at most three times).
    for _ in range(4):
        n_tensor = tf.constant(n, tf.int64)
        totals = []

        def one_pass():
            totals.append(int(run(contents, n_tensor)))
        passes = time_calls(one_pass, pass_seconds * min_reps, min_reps, 50)
        startup = _median_time(lambda: run(contents, zero), 5)
        if any(t != n * elements for t in totals):
            raise RuntimeError(f"tf.data produced {totals[-1]} values, expected {n * elements}")
        if statistics.median(passes) >= 5 * startup:
            break
        n *= 4
    else:
        raise RuntimeError("not measurable: tf.data passes stay within 5x the pipeline's start-up")
    out = summary([max(t - startup, 0.0) / n for t in passes])
    out["files_per_s"] = n / (statistics.median(passes) - startup)
    out["elements_per_pass"] = n
    out["batch"] = batch
    out["startup_ms"] = startup * 1e3
    out["passes"] = len(passes)
    return out


def tfdata_floor(parallel, tf, tfdicom):
    """tf.data's own cost per element in the same pipeline, batch 16, with
    an op that returns an empty tensor: what no decoder can go below."""
    contents = tf.constant(b"\0" * 1024)
    run = _pipeline(tf, tfdicom, "uint8", False, parallel, 16, op=lambda c: tf.zeros([0], tf.uint8))
    run(contents, tf.constant(16, tf.int64))
    n = 4096
    t_n = _median_time(lambda: run(contents, tf.constant(n, tf.int64)), 5)
    t_0 = _median_time(lambda: run(contents, tf.constant(0, tf.int64)), 5)
    return max(t_n - t_0, 0.0) / n * 1e3


# --------------------------------------------------------------------- memory

def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_cell(fn, warmup):
    """Peak RSS added by one decode: a warm-up decode of a smaller file
    (lazy initialisation, code pages: the same file would leave its blocks
    in caching allocators such as TensorFlow's, hiding the cost), reset the
    high-water mark (clear_refs 5), decode; VmHWM - VmRSS before. bench.py
    sets MALLOC_MMAP_THRESHOLD_ so that freed large blocks go back to the
    system instead of being reused unseen."""
    result = warmup()
    del result
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = _status("VmRSS")
    result = fn()
    peak = _status("VmHWM")
    after = _status("VmRSS")
    out = {"peak_added": peak - before, "retained": after - before,
           "output_bytes": int(_as_numpy(result).nbytes)}
    del result
    return out


# ----------------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--decoder", required=True, choices=sorted(DECODERS) + list(TFDATA))
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--skip", default="", help="comma-separated keys already done")
    parser.add_argument("--budget", type=float, default=0.5)
    parser.add_argument("--open-budget", type=float, default=0.1)
    parser.add_argument("--min-reps", type=int, default=5)
    parser.add_argument("--max-reps", type=int, default=2000)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--tfdata-pass", type=float, default=0.15,
                        help="seconds per tf.data pass (the pass is repeated min-reps times)")
    args = parser.parse_args()

    with open(args.manifest) as f:
        manifest = json.load(f)
    skip = set(filter(None, args.skip.split(",")))
    out = open(args.out, "a")

    def emit(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    try:
        if args.decoder in TFDATA:
            setup, tf = _tf_op()
            import tfdicom
            tfdicom_mod = tfdicom
        else:
            setup = DECODERS[args.decoder]()
    except Exception as e:  # the decoder is not installed
        emit({"unavailable": f"{type(e).__name__}: {e}"})
        return 0
    emit({"versions": versions(args.decoder)})
    if args.decoder in TFDATA and not args.memory:
        try:
            emit({"tfdata_floor_ms": tfdata_floor(int(args.decoder.rsplit("-", 1)[1]), tf, tfdicom_mod)})
        except Exception as e:
            emit({"tfdata_floor_ms": None, "error": str(e)})

    for entry in manifest:
        key = entry["key"]
        if key in skip:
            continue
        emit({"start": key})
        budget = args.open_budget if entry.get("group") == "open" else args.budget
        cell = {"key": key}
        try:
            with open(entry["path"], "rb") as f:
                data = f.read()
            if args.decoder == "pydicom-pylibjpeg" and entry["ts_uid"] in NATIVE:
                cell["status"] = "n/a"  # no plugin involved: the pydicom column
                emit(cell)
                continue
            if args.decoder in TFDATA:
                parallel = int(args.decoder.rsplit("-", 1)[1])
                cell.update(tfdata_cell(entry, data, parallel, args.tfdata_pass, args.min_reps,
                                        tf, tfdicom_mod))
            else:
                fn = setup(entry, data)
                if args.memory:
                    warm = entry.get("warmup") or entry
                    with open(warm["path"], "rb") as f:
                        warm_fn = setup(warm, f.read())
                    try:
                        warm_fn()
                    except Exception:  # the decoder cannot do the small file: any warm-up will do
                        warm_fn = fn
                    cell.update(memory_cell(fn, warm_fn))
                else:
                    cell["check"] = fingerprint(fn())
                    if getattr(fn, "note", None):
                        cell["note"] = fn.note
                    cell.update(summary(time_calls(fn, budget, args.min_reps, args.max_reps)))
            if args.decoder.startswith("pydicom"):
                cell["plugins"] = pydicom_plugin_used(entry)
            cell["status"] = "ok"
        except Exception as e:
            cell["status"] = "fails"
            cell["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            if os.environ.get("TFDICOM_BENCH_TRACEBACK"):
                traceback.print_exc()
        emit(cell)
    return 0


if __name__ == "__main__":
    sys.exit(main())
