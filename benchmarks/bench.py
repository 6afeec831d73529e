#!/usr/bin/env python
"""tfdicom against its peers, side by side, in one run (issue 7).

For each file (generated at realistic sizes, the bundled samples, the open
test files of pydicom and pydicom-data) it times, each decoder in its own
process (benchmarks/worker.py):

  tfdicom-numpy      tfdicom.numpy.decode_dicom_image(bytes)
  tfdicom-tf         tfdicom.decode_dicom_image(tensor), eager
  tfdicom-tfdata-1/2 a tf.data map over a repeated in-memory string at
                     num_parallel_calls=1 and 2 (steady state, ms per file)
  pydicom            dcmread(BytesIO).pixel_array, pydicom's plugin order
                     (GDCM first where installed, then pylibjpeg, ...)
  pydicom-pylibjpeg  the same, forcing the pylibjpeg plugins
  dicomsdl           open_memory + copyFrameData of every frame
  gdcm               python-gdcm ImageReader (file) + GetBuffer into NumPy
  tensorflow-io      tfio.image.decode_dicom_image (--tfio-python)
  copy               np.copy of the decoded output: the floor

and prints medians (ms per file), the ratios issue 7 sets targets on, and
the peak RSS added by one decode. Peers are optional: one that is not
installed is left out with a note; one that fails on a file says "fails".

  python benchmarks/bench.py                    # generated + samples + open files
  python benchmarks/bench.py --quick            # a quick look
  python benchmarks/bench.py --write-results    # regenerate benchmarks/RESULTS.md
"""

import argparse
import datetime
import io
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import generate  # noqa: E402

ALL_DECODERS = ["tfdicom-numpy", "tfdicom-tf", "tfdicom-tfdata-1", "tfdicom-tfdata-2",
                "pydicom", "pydicom-pylibjpeg", "dicomsdl", "gdcm", "tensorflow-io", "copy"]
PEERS = ["pydicom", "pydicom-pylibjpeg", "dicomsdl", "gdcm"]  # "fastest peer" is over these
SHORT = {"tfdicom-numpy": "tfdicom numpy", "tfdicom-tf": "tfdicom TF eager",
         "tfdicom-tfdata-1": "tf.data x1", "tfdicom-tfdata-2": "tf.data x2",
         "pydicom": "pydicom 3", "pydicom-pylibjpeg": "pydicom+pylibjpeg",
         "dicomsdl": "dicomsdl", "gdcm": "GDCM", "tensorflow-io": "tensorflow-io",
         "copy": "copy of output"}
MEMORY_DECODERS = ["tfdicom-numpy", "tfdicom-tf", "pydicom", "dicomsdl", "gdcm"]
NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
          "1.2.840.10008.1.2.1.99"}
UNCOMPRESSED = NATIVE - {"1.2.840.10008.1.2.1.99"}  # the copy-floor target
LOSSY = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.81",
         "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.203"}

TARGET_PEER = 0.8
TARGET_COPY = 20.0
TARGET_PARALLEL = 1.7


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ------------------------------------------------------------------- manifest

def _dtype_and_color(ds):
    """The dtype tfdicom is asked for: the file's own sample type (what
    pydicom's pixel_array gives), so no decoder converts more than another."""
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    samples = _int(ds, "SamplesPerPixel", 1)
    color = samples == 3 or photometric == "PALETTE COLOR"
    if "FloatPixelData" in ds:
        return "float32", color
    if "DoubleFloatPixelData" in ds:
        return "float64", color
    bits = _int(ds, "BitsAllocated", 16)
    signed = _int(ds, "PixelRepresentation", 0) == 1
    if photometric == "PALETTE COLOR":
        return "uint16", True
    size = 8 if bits <= 8 else 16 if bits <= 16 else 32 if bits <= 32 else 64
    return ("int" if signed else "uint") + str(size), color


def _int(ds, keyword, default):
    """An integer element, or `default` when absent or not a number (the
    open files include invalid values on purpose)."""
    try:
        return int(ds.get(keyword, default) or default)
    except (TypeError, ValueError):
        return default


def describe(key, label, group, path):
    import pydicom
    from pydicom.uid import UID

    ds = pydicom.dcmread(path, stop_before_pixels=False, force=True, defer_size=1024)
    meta = getattr(ds, "file_meta", None)
    ts = str(meta.get("TransferSyntaxUID", "")) if meta is not None else ""
    dtype, color = _dtype_and_color(ds)
    rows, cols = _int(ds, "Rows", 0), _int(ds, "Columns", 0)
    frames = _int(ds, "NumberOfFrames", 1)
    channels = 3 if color else 1
    itemsize = int(dtype[-2:] if dtype[-2:].isdigit() else dtype[-1]) // 8
    frame_bytes = rows * cols * channels * itemsize
    return {
        "key": key, "label": label, "group": group, "path": path,
        "ts_uid": ts, "ts_name": UID(ts).name if ts else "(no meta: implicit LE)",
        "photometric": str(ds.get("PhotometricInterpretation", "")),
        "rows": rows, "cols": cols, "frames": frames,
        "bits_stored": _int(ds, "BitsStored", 0),
        "dtype": dtype, "color_dim": color,
        "input_bytes": os.path.getsize(path),
        "output_bytes": frame_bytes * frames, "frame_bytes": frame_bytes,
    }


def sample_files():
    manifest = os.path.join(REPO, "tfdicom", "samples", "MANIFEST.tsv")
    with open(manifest) as f:
        names = [line.split("\t")[0] for line in f.read().splitlines()[1:] if line]
    return [("samples/" + n, "sample " + n, os.path.join(REPO, "tfdicom", "samples", n))
            for n in names]


def open_files():
    """The open test files of pydicom and pydicom-data that are installed,
    in the order of tests/reference/open-test-files.tsv."""
    from pydicom.data import get_testdata_file

    table = os.path.join(REPO, "tests", "reference", "open-test-files.tsv")
    out = []
    with open(table) as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("name")
        for line in f:
            name = line.rstrip("\n").split("\t")[col]
            try:
                path = get_testdata_file(name, download=False)
            except Exception:
                path = None
            if path:
                out.append(("open/" + name, name, path))
    return out


def build_manifest(args):
    groups = [g.strip() for g in args.files.split(",") if g.strip()]
    only = set(args.only.split(",")) if args.only else None
    entries = []
    if "generated" in groups:
        keys = None
        if only:
            keys = {k for k in only if "/" not in k}
        elif args.quick:
            keys = {"ct_explicit_le", "ct_deflated", "ct_jpeg_ls_sv1", "ct_jpegls", "ct_rle",
                    "ct_j2k", "ct_htj2k", f"us_cine{args.cine_frames}_jpeg_baseline"}
        for key, label, path in generate.generate(args.cache_dir, keys, args.cine_frames, log=log):
            entries.append(("generated", key, label, path))
    if "samples" in groups:
        entries += [("samples", k, label, p) for k, label, p in sample_files()]
    if "open" in groups:
        entries += [("open", k, label, p) for k, label, p in open_files()]
    if only:
        entries = [e for e in entries if e[1] in only or e[1].split("/", 1)[-1] in only]
    manifest = []
    for group, key, label, path in entries:
        try:
            manifest.append(describe(key, label, group, path))
        except Exception as e:
            log(f"note: {key} left out, its header does not parse: {e}")
    return manifest


# -------------------------------------------------------------------- workers

def worker_env(extra=None):
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # tfdicom from this tree when it is built here, else the installed one.
    if any(n.startswith("_core") for n in os.listdir(os.path.join(REPO, "tfdicom"))):
        env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def run_worker(decoder, python, manifest_path, args, tmp, memory=False, tag=""):
    """Runs one decoder over the manifest in a fresh process; a crash blames
    the file it was on and the rest go on in a new process."""
    out_path = os.path.join(tmp, f"{decoder}{tag}.jsonl")
    err_path = os.path.join(tmp, f"{decoder}{tag}.stderr")
    cells, versions, unavailable, done, floor = {}, None, None, set(), None
    crashes, progress = [], -1
    with open(manifest_path) as f:
        keys = {e["key"] for e in json.load(f)}
    extra = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "65536"} if memory else None
    for _attempt in range(50):
        cmd = [python, os.path.join(HERE, "worker.py"), "--decoder", decoder,
               "--manifest", manifest_path, "--out", out_path, "--skip", ",".join(sorted(done)),
               "--budget", str(args.budget), "--open-budget", str(args.open_budget),
               "--min-reps", str(args.min_reps), "--tfdata-pass", str(args.tfdata_pass)]
        if memory:
            cmd.append("--memory")
        with open(err_path, "a") as err:
            rc = subprocess.run(cmd, env=worker_env(extra), stdout=subprocess.DEVNULL,
                                stderr=err).returncode
        current = None
        with open(out_path) as f:
            for line in f:
                obj = json.loads(line)
                if "versions" in obj:
                    versions = obj["versions"]
                elif "tfdata_floor_ms" in obj:
                    floor = obj["tfdata_floor_ms"]
                elif "unavailable" in obj:
                    unavailable = obj["unavailable"]
                elif "start" in obj:
                    current = obj["start"]
                else:
                    cells[obj["key"]] = obj
                    done.add(obj["key"])
                    current = None
        if rc == 0 or unavailable:
            break
        open(out_path, "w").close()
        if current is not None:  # died on a file: blame it, go on with the rest
            cells[current] = {"key": current, "status": "fails", "error": f"process died ({rc})"}
            done.add(current)
            continue
        with open(err_path) as f:
            tail = f.read()[-300:].strip()
        if not cells and versions is None:  # died before any file: give up on this decoder
            unavailable = f"worker exited with {rc}: {tail}"
            break
        # Died between files (at exit, or freeing an earlier file's data).
        crashes.append(f"{decoder} process died ({rc}) after {len(done)} of {len(keys)} files: {tail}")
        if done >= keys or len(done) == progress:
            break
        progress = len(done)
    return {"cells": cells, "versions": versions, "unavailable": unavailable, "tfdata_floor_ms": floor,
            "crashes": crashes}


def run_all(manifest, args):
    results = {}
    decoders = [d for d in args.decoders.split(",") if d]
    with tempfile.TemporaryDirectory(prefix="tfdicom-bench-") as tmp:
        manifest_path = os.path.join(tmp, "manifest.json")
        with open(manifest_path, "w") as f:
            json.dump(manifest, f)
        # tf.data on the open files mostly measures tf.data's own cost per
        # element (they are small) and would double the run: opt in.
        tfdata_path = os.path.join(tmp, "manifest-tfdata.json")
        with open(tfdata_path, "w") as f:
            json.dump([e for e in manifest if args.open_tfdata or e["group"] != "open"], f)
        for decoder in decoders:
            python = args.tfio_python if decoder == "tensorflow-io" else sys.executable
            if decoder == "tensorflow-io" and not python:
                results[decoder] = {"cells": {}, "versions": None,
                                    "unavailable": "no --tfio-python given (tensorflow-io needs TF 2.16)"}
                log("note: tensorflow-io left out: no --tfio-python")
                continue
            t0 = time.time()
            results[decoder] = run_worker(decoder, python, tfdata_path if "tfdata" in decoder
                                          else manifest_path, args, tmp)
            note = results[decoder]["unavailable"]
            log(f"{decoder}: {'left out: ' + note if note else 'done'} ({time.time() - t0:.0f} s)")
        memory = {}
        if not args.no_memory:
            targets = memory_files(manifest, args)
            for entry in targets:
                entry = dict(entry, warmup=warmup_file(manifest, entry))
                one = os.path.join(tmp, f"memory-{entry['key'].replace('/', '_')}.json")
                with open(one, "w") as f:
                    json.dump([entry], f)
                for decoder in MEMORY_DECODERS:
                    if decoder not in decoders or results.get(decoder, {}).get("unavailable"):
                        continue
                    r = run_worker(decoder, sys.executable, one, args, tmp, memory=True,
                                   tag="-mem-" + entry["key"].replace("/", "_"))
                    memory.setdefault(entry["key"], {})[decoder] = r["cells"].get(entry["key"])
            log(f"memory: {len(targets)} files done")
    return results, memory


def warmup_file(manifest, entry):
    """A small file to warm a decoder up with before measuring `entry`:
    the smallest of the same transfer syntax, else the smallest file."""
    small = [e for e in manifest if e["output_bytes"] * 8 <= entry["output_bytes"]]
    same = [e for e in small if e["ts_uid"] == entry["ts_uid"]]
    pool = same or small or [entry]
    return min(pool, key=lambda e: e["output_bytes"])


MEMORY_KEYS = ["us_cine{frames}_jpeg_baseline", "mg_j2k", "mg_explicit_le", "cr_jpeg_ls_sv1",
               "ct_j2k", "ct_jpegls"]


def memory_files(manifest, args):
    """The generated files the peak RSS is measured on: the largest of
    each kind, compressed and not (the first two with --quick)."""
    keys = [k.format(frames=args.cine_frames) for k in MEMORY_KEYS]
    by_key = {e["key"]: e for e in manifest if e["group"] == "generated"}
    picked = [by_key[k] for k in keys if k in by_key]
    return picked[:2] if args.quick else picked


# --------------------------------------------------------------------- tables

def cell_ms(results, decoder, key):
    cell = results.get(decoder, {}).get("cells", {}).get(key)
    if not cell or cell.get("status") != "ok":
        return None
    return cell["median_ms"]


def fmt_ms(value):
    if value is None:
        return ""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    if value >= 0.1:
        return f"{value:.3f}"
    return f"{value:.4f}"


def fmt_cell(results, decoder, key):
    r = results.get(decoder, {})
    cell = r.get("cells", {}).get(key)
    if cell is None:
        return ""
    if cell.get("status") == "n/a":
        return "="
    if cell.get("status") != "ok":
        return "fails"
    return fmt_ms(cell["median_ms"])


def mark(value, target, higher_is_better=False):
    if value is None:
        return ""
    ok = value >= target if higher_is_better else value <= target
    return f"{value:.2f} {'✓' if ok else '✗'}"


def fastest_peer(results, key):
    best = None
    for peer in PEERS:
        if results.get(peer, {}).get("unavailable"):
            continue
        ms = cell_ms(results, peer, key)
        if ms is not None and (best is None or ms < best[0]):
            best = (ms, peer)
    return best


def ratios(results, entry):
    key = entry["key"]
    peer = fastest_peer(results, key)
    numpy_ms = cell_ms(results, "tfdicom-numpy", key)
    tfdata1 = cell_ms(results, "tfdicom-tfdata-1", key)
    tfdata2 = cell_ms(results, "tfdicom-tfdata-2", key)
    copy_ms = cell_ms(results, "copy", key)
    out = {"peer": peer}
    out["numpy_peer"] = numpy_ms / peer[0] if peer and numpy_ms else None
    out["tfdata_peer"] = tfdata1 / peer[0] if peer and tfdata1 else None
    out["copy"] = (numpy_ms / copy_ms if numpy_ms and copy_ms and entry["ts_uid"] in UNCOMPRESSED
                   else None)
    out["parallel"] = tfdata1 / tfdata2 if tfdata1 and tfdata2 else None
    return out


def present_decoders(results):
    return [d for d in ALL_DECODERS if d in results and not results[d].get("unavailable")]


def median_table(manifest, results):
    decoders = present_decoders(results)
    lines = ["| file | transfer syntax | input MB | " + " | ".join(SHORT[d] for d in decoders) + " |",
             "|---|---|---:|" + "---:|" * len(decoders)]
    for e in manifest:
        lines.append(f"| {e['label']} | {e['ts_name']} | {e['input_bytes'] / 1e6:.2f} | "
                     + " | ".join(fmt_cell(results, d, e["key"]) for d in decoders) + " |")
    return "\n".join(lines)


def tfdata_floor(results, parallel=1):
    """tf.data's own cost per element (ms) in the benchmark's pipeline, with
    an op that returns an empty tensor; None when not measured."""
    return results.get(f"tfdicom-tfdata-{parallel}", {}).get("tfdata_floor_ms")


def below_floor(results, r):
    """Whether the fastest peer is so fast that even tf.data's own cost per
    element is above the target: no op can meet 'tf.data x1 / peer' then."""
    floor = tfdata_floor(results)
    return bool(floor and r["peer"] and floor > TARGET_PEER * r["peer"][0])


def ratio_table(manifest, results):
    lines = ["| file | fastest peer (ms) | numpy / peer (≤ 0.8) | tf.data x1 / peer (≤ 0.8) "
             "| numpy / copy (≤ 20, uncompressed) | tf.data x2 vs x1 (≥ 1.7) |",
             "|---|---|---:|---:|---:|---:|"]
    for e in manifest:
        r = ratios(results, e)
        peer = f"{SHORT[r['peer'][1]]} {fmt_ms(r['peer'][0])}" if r["peer"] else "none decodes it"
        lines.append(f"| {e['label']} | {peer} | {mark(r['numpy_peer'], TARGET_PEER)} | "
                     f"{mark(r['tfdata_peer'], TARGET_PEER)}"
                     f"{' (floor)' if below_floor(results, r) and r['tfdata_peer'] else ''} | "
                     f"{mark(r['copy'], TARGET_COPY)} | "
                     f"{mark(r['parallel'], TARGET_PARALLEL, True)} |")
    return "\n".join(lines)


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def syntax_table(manifest, results):
    """Per transfer syntax, over every file benchmarked."""
    by_ts = {}
    for e in manifest:
        by_ts.setdefault(e["ts_name"], []).append(e)
    lines = ["| transfer syntax | files | numpy / peer: geo-mean, worst, met | "
             "tf.data x1 / peer: geo-mean, worst, met | x2 vs x1: geo-mean, worst, met |",
             "|---|---:|---|---|---|"]

    def agg(values, target, higher=False):
        values = [v for v in values if v]
        if not values:
            return "no peer decodes them" if not higher else ""
        worst = min(values) if higher else max(values)
        met = sum(1 for v in values if (v >= target if higher else v <= target))
        return f"{geomean(values):.2f}, {worst:.2f}, {met}/{len(values)}"
    for ts, entries in sorted(by_ts.items()):
        rs = [ratios(results, e) for e in entries]
        lines.append(f"| {ts} | {len(entries)} | {agg([r['numpy_peer'] for r in rs], TARGET_PEER)} | "
                     f"{agg([r['tfdata_peer'] for r in rs], TARGET_PEER)} | "
                     f"{agg([r['parallel'] for r in rs], TARGET_PARALLEL, True)} |")
    return "\n".join(lines)


def memory_table(manifest, memory):
    if not memory:
        return ""
    by_key = {e["key"]: e for e in manifest}
    decoders = [d for d in MEMORY_DECODERS if any(d in m for m in memory.values())]
    lines = ["| file | input MB | output MB | frame MB | bound: in + out + frame | "
             + " | ".join(SHORT[d] for d in decoders) + " | tfdicom within bound |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(decoders) + "---|"]
    for key, cells in memory.items():
        e = by_key[key]
        bound = e["input_bytes"] + e["output_bytes"] + e["frame_bytes"]
        row = f"| {e['label']} | {e['input_bytes'] / 1e6:.1f} | {e['output_bytes'] / 1e6:.1f} | " \
              f"{e['frame_bytes'] / 1e6:.2f} | {bound / 1e6:.1f} | "
        vals, verdicts = [], []
        for d in decoders:
            c = cells.get(d)
            if not c or c.get("status") != "ok":
                vals.append("fails" if c else "")
                continue
            vals.append(f"{c['peak_added'] / 1e6:.1f}")
            if d.startswith("tfdicom"):
                verdicts.append(f"{'numpy' if d.endswith('numpy') else 'TF'} "
                                f"{c['peak_added'] / bound:.3f} {'✓' if c['peak_added'] <= bound else '✗'}")
        lines.append(row + " | ".join(vals) + " | " + ", ".join(verdicts) + " |")
    return "\n".join(lines)


def crash_notes(results):
    return [c for r in results.values() for c in r.get("crashes", [])]


def check_notes(manifest, results):
    """Where a decoder's output disagrees with tfdicom.numpy's (size, or the
    strided sample of values)."""
    notes = []
    for e in manifest:
        ref = results.get("tfdicom-numpy", {}).get("cells", {}).get(e["key"])
        if not ref or ref.get("status") != "ok":
            continue
        rc = ref["check"]
        for d in present_decoders(results):
            if d in ("tfdicom-numpy", "copy") or d.startswith("tfdicom-tfdata"):
                continue
            cell = results[d]["cells"].get(e["key"])
            if not cell or cell.get("status") != "ok":
                continue
            c = cell["check"]
            if c["size"] != rc["size"]:
                notes.append(f"{e['label']}: {SHORT[d]} gives {c['size']} values {c['shape']}, "
                             f"tfdicom {rc['size']} {rc['shape']}")
            elif c["sample"] != rc["sample"]:
                diff = max(abs(a - b) for a, b in zip(c["sample"], rc["sample"]))
                kind = "lossless: should not differ" if e["ts_uid"] not in LOSSY else \
                    "lossy: small differences expected" if diff <= 4 else "lossy, but more than IDCT rounding"
                notes.append(f"{e['label']}: {SHORT[d]} values differ from tfdicom's "
                             f"(max |difference| {diff:g} on a strided sample; {kind})")
    return notes


def short_error(text):
    """An error without TensorFlow's wrapping ({{function_node ...}} and
    [Op:...])."""
    if "}} " in text:
        text = text.split("}} ", 1)[0].split(":", 1)[0] + ": " + text.split("}} ", 1)[1]
    return text.split(" [Op:", 1)[0]


def failure_notes(manifest, results):
    notes = []
    for e in manifest:
        for d in present_decoders(results):
            cell = results[d]["cells"].get(e["key"], {})
            if cell.get("status") == "fails":
                notes.append(f"{SHORT[d]} fails on {e['label']}: {short_error(cell.get('error', ''))}")
            elif cell.get("note"):
                notes.append(f"{e['label']}: {cell['note']}")
    return notes


def target_summary(manifest, results, memory):
    rows = [ratios(results, e) for e in manifest]

    def count(field, target, higher=False):
        vals = [r[field] for r in rows if r[field]]
        met = sum(1 for v in vals if (v >= target if higher else v <= target))
        return met, len(vals)
    out = []
    for field, text, target, higher in [
            ("numpy_peer", "tfdicom.numpy <= 0.8 x fastest peer", TARGET_PEER, False),
            ("tfdata_peer", "TF op in tf.data (x1, steady state) <= 0.8 x fastest peer", TARGET_PEER, False),
            ("copy", "uncompressed: tfdicom.numpy <= 20 x copy of output", TARGET_COPY, False),
            ("parallel", "tf.data num_parallel_calls=2 >= 1.7 x throughput of 1", TARGET_PARALLEL, True)]:
        met, n = count(field, target, higher)
        status = "met" if n and met == n else "NOT met" if n else "not measured"
        out.append(f"- {text}: **{status}** (met on {met} of {n} files)")
    floor1, floor2 = tfdata_floor(results, 1), tfdata_floor(results, 2)
    if floor1:
        bound = sum(1 for r in rows if r["tfdata_peer"] and below_floor(results, r))
        out.append(f"- tf.data's own cost per element in this pipeline (an op returning an empty "
                   f"tensor): {fmt_ms(floor1)} ms at x1"
                   + (f", {fmt_ms(floor2)} ms at x2" if floor2 else "")
                   + f". On {bound} file(s), marked (floor), the fastest peer takes less than "
                   f"that / 0.8: no op can meet the tf.data x1 target there.")
    if memory:
        by_key = {e["key"]: e for e in manifest}
        met = n = 0
        for key, cells in memory.items():
            e = by_key[key]
            bound = e["input_bytes"] + e["output_bytes"] + e["frame_bytes"]
            for d in ("tfdicom-numpy", "tfdicom-tf"):
                c = cells.get(d)
                if c and c.get("status") == "ok":
                    n += 1
                    met += c["peak_added"] <= bound
        out.append(f"- peak RSS added by one decode <= input + output + one frame: "
                   f"**{'met' if n and met == n else 'NOT met'}** (met on {met} of {n} (file, interface) pairs)")
    return "\n".join(out)


# ------------------------------------------------------------------- machine

def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    os_name = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    try:
        with open("/proc/loadavg") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "?"
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "os": os_name, "load": load,
            "kernel": platform.release(), "python": sys.version.split()[0]}


def busy_seconds():
    """CPU seconds the whole machine has spent busy since boot."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_seconds():
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def versions_text(results):
    lines = []
    for d in ALL_DECODERS:
        r = results.get(d)
        if r is None:
            continue
        if r.get("unavailable"):
            lines.append(f"- {SHORT[d]}: not run ({r['unavailable']})")
        elif r.get("versions"):
            lines.append(f"- {SHORT[d]}: " + ", ".join(f"{k} {v}" for k, v in r["versions"].items()))
    return "\n".join(lines)


# ----------------------------------------------------------------------- plot

def plot(manifest, results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("note: --plot needs matplotlib (pip install matplotlib); no plot written")
        return False
    entries = [e for e in manifest if e["group"] != "open"]
    decoders = [d for d in present_decoders(results) if d != "tfdicom-tfdata-2"]
    width = 0.8 / max(1, len(decoders))
    fig, ax = plt.subplots(figsize=(max(10, len(entries) * 0.9), 6))
    for i, d in enumerate(decoders):
        xs, ys = [], []
        for j, e in enumerate(entries):
            ms = cell_ms(results, d, e["key"])
            if ms is not None:
                xs.append(j + (i - len(decoders) / 2 + 0.5) * width)
                ys.append(ms)
        ax.bar(xs, ys, width, label=SHORT[d])
    ax.set_yscale("log")
    ax.set_ylabel("ms per file (median, log scale)")
    ax.set_xticks(range(len(entries)))
    ax.set_xticklabels([e["label"] for e in entries], rotation=60, ha="right", fontsize=7)
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("DICOM decode time per file (lower is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


# ----------------------------------------------------------------------- main

def report(manifest, results, memory, args, elapsed, command):
    main_rows = [e for e in manifest if e["group"] != "open"]
    open_rows = [e for e in manifest if e["group"] == "open"]
    parts = []
    if main_rows:
        parts += ["## Medians, ms per file", "", median_table(main_rows, results), "",
                  "## Ratios and targets", "", ratio_table(main_rows, results), ""]
    parts += ["## Per transfer syntax (all files)", "", syntax_table(manifest, results), ""]
    if memory:
        parts += ["## Peak RSS added by one decode, MB", "", memory_table(manifest, memory), ""]
    parts += ["## Targets", "", target_summary(manifest, results, memory), ""]
    notes = crash_notes(results) + failure_notes(main_rows, results) + check_notes(main_rows, results)
    if notes:
        parts += ["## Notes (failures, outputs that differ from tfdicom's)", ""]
        parts += ["- " + n for n in notes] + [""]
    if open_rows:
        open_notes = failure_notes(open_rows, results) + check_notes(open_rows, results)
        parts += ["## Open test files (pydicom, pydicom-data)", "",
                  "Many are small or broken on purpose; tf.data is not run on them "
                  "(`--open-tfdata`).", "",
                  "<details><summary>medians and ratios per file, failures</summary>", "",
                  median_table(open_rows, results), "", ratio_table(open_rows, results), ""]
        parts += ["- " + n for n in open_notes] + ["", "</details>", ""]
    return "\n".join(parts)


RESULTS_HEADER = """# tfdicom benchmark results

Generated by `benchmarks/bench.py` (issue 7); do not edit by hand, rerun:

```sh
{command}
```

Run on {date}, {elapsed:.0f} s. Machine: {nproc} CPUs ({cpu}), {memory} RAM,
{os}, Linux {kernel}, Python {python}. Other processes used
{others:.0f} CPU-seconds during the run ({others_avg:.2f} CPUs on average;
load average before {load_before}, after {load}).

Method: each decoder runs in its own process over every file; per file one
or two warm-up calls, then repetitions until {budget} s are spent (at least
{min_reps}; open test files {open_budget} s), median in ms per file. The
input bytes are in memory before timing (GDCM reads the file, from the page
cache: python-gdcm has no memory input); tensors are made before timing.
tf.data: `Dataset.from_tensors(bytes).repeat(n).map(op,
num_parallel_calls=k)` consumed by `Dataset.reduce` inside a tf.function,
ms per file = pass time / n. Fastest peer = fastest of pydicom (its default
plugin order, and forced to pylibjpeg), dicomsdl and GDCM on that file.
tfdicom is asked for the file's own sample type (int16 for signed CT, uint16
for 12-bit, uint8 for 8-bit; RGB for colour), as pydicom returns. Peak RSS:
one fresh process per (decoder, file), a warm-up decode, then the high-water
mark (VmHWM, reset through /proc/self/clear_refs) of a second decode minus
the RSS before it, with glibc's mmap threshold fixed at 64 KiB so freed
blocks are returned.

Versions:
{versions}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", default="generated,samples,open",
                        help="comma-separated groups: generated, samples, open (default: all)")
    parser.add_argument("--only", default="", help="comma-separated file keys or names to keep")
    parser.add_argument("--decoders", default=",".join(ALL_DECODERS),
                        help="comma-separated, from: " + ", ".join(ALL_DECODERS))
    parser.add_argument("--cache-dir", default=os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "tfdicom-bench"))
    parser.add_argument("--budget", type=float, default=None, help="seconds per cell (default 0.5)")
    parser.add_argument("--open-budget", type=float, default=None,
                        help="seconds per cell for the open test files (default 0.08)")
    parser.add_argument("--min-reps", type=int, default=None)
    parser.add_argument("--cine-frames", type=int, default=100)
    parser.add_argument("--tfdata-pass", type=float, default=None,
                        help="seconds per tf.data pass (default 0.15; quick 0.03)")
    parser.add_argument("--open-tfdata", action="store_true",
                        help="run the tf.data pipelines on the open test files too")
    parser.add_argument("--quick", action="store_true",
                        help="short cells, no open files, 10-frame cine, 2 memory files")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak RSS measurement")
    parser.add_argument("--tfio-python", default=os.environ.get("TFDICOM_BENCH_TFIO_PYTHON"),
                        help="python of a venv with tensorflow-io (TF 2.16) to time it too")
    parser.add_argument("--plot", metavar="PNG", help="write a bar chart (needs matplotlib)")
    parser.add_argument("--json", metavar="PATH", help="write the raw results")
    parser.add_argument("--write-results", nargs="?", const=os.path.join(HERE, "RESULTS.md"),
                        metavar="PATH", help="write RESULTS.md (default benchmarks/RESULTS.md)")
    args = parser.parse_args(argv)
    if args.quick:
        if "--files" not in " ".join(sys.argv if argv is None else argv):
            args.files = "generated,samples"
        if args.cine_frames == 100:
            args.cine_frames = 10
    args.budget = args.budget if args.budget is not None else (0.05 if args.quick else 0.5)
    args.open_budget = args.open_budget if args.open_budget is not None else (0.03 if args.quick else 0.08)
    args.min_reps = args.min_reps if args.min_reps is not None else (3 if args.quick else 5)
    args.tfdata_pass = args.tfdata_pass if args.tfdata_pass is not None else (0.03 if args.quick else 0.15)
    if not args.tfio_python:
        args.decoders = ",".join(d for d in args.decoders.split(",") if d != "tensorflow-io") \
            if args.decoders == ",".join(ALL_DECODERS) else args.decoders
    command = shlex.join([os.path.relpath(sys.executable) if sys.executable.startswith(REPO)
                          else sys.executable, os.path.relpath(os.path.abspath(__file__), REPO)]
                         + (sys.argv[1:] if argv is None else list(argv)))

    load_before = machine()["load"]
    busy0, own0 = busy_seconds(), own_seconds()
    time.sleep(1.0)
    idle_busy = busy_seconds() - busy0 - (own_seconds() - own0)
    if idle_busy > 0.2:
        log(f"note: other processes keep {idle_busy:.1f} CPUs busy: the timings will be skewed")
    busy0, own0 = busy_seconds(), own_seconds()
    t0 = time.time()
    manifest = build_manifest(args)
    log(f"{len(manifest)} files; decoders: {args.decoders}")
    results, memory = run_all(manifest, args)
    elapsed = time.time() - t0
    others = max(0.0, busy_seconds() - busy0 - (own_seconds() - own0))
    if others > 0.05 * elapsed:
        log(f"note: other processes used {others:.0f} CPU-seconds during the run "
            f"({others / elapsed:.2f} CPUs on average): the timings are skewed")

    text = report(manifest, results, memory, args, elapsed, command)
    print(text)
    for d, r in results.items():
        if r.get("unavailable"):
            print(f"note: {SHORT[d]} not run: {r['unavailable']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"manifest": manifest, "results": results, "memory": memory,
                       "machine": machine(), "command": command}, f, indent=1)
    if args.plot and plot(manifest, results, args.plot):
        log(f"wrote {args.plot}")
    if args.write_results:
        m = machine()
        header = RESULTS_HEADER.format(
            command=command, date=datetime.date.today().isoformat(), elapsed=elapsed,
            budget=args.budget, min_reps=args.min_reps, open_budget=args.open_budget,
            versions=versions_text(results), load_before=load_before, others=others,
            others_avg=others / elapsed, **m)
        with open(args.write_results, "w") as f:
            f.write(header + "\n" + text)
        log(f"wrote {args.write_results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
