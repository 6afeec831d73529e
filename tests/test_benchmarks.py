"""benchmarks/bench.py runs and prints its table (a smoke test: two small
files, the NumPy decoder and the copy floor, short cells, no memory part;
a few seconds)."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, "benchmarks", "bench.py")


def test_quick_run_prints_the_table(tmp_path):
    cmd = [sys.executable, BENCH, "--quick", "--files", "generated,samples",
           "--only", "ct_rle,ct/ct_slice1_explicit_le.dcm",
           "--decoders", "tfdicom-numpy,copy", "--no-memory",
           "--cache-dir", str(tmp_path / "cache"), "--json", str(tmp_path / "raw.json"),
           "--write-results", str(tmp_path / "RESULTS.md")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "## Medians, ms per file" in out
    assert "| CT, RLE | RLE Lossless |" in out
    assert "sample ct/ct_slice1_explicit_le.dcm" in out
    assert "tfdicom numpy" in out and "copy of output" in out
    # The copy-floor ratio is computed for the uncompressed file only.
    row = next(line for line in out.splitlines()
               if line.startswith("| sample ct/ct_slice1") and ("✓" in line or "✗" in line))
    assert row.count("✓") + row.count("✗") == 1
    results = (tmp_path / "RESULTS.md").read_text()
    assert "benchmarks/bench.py --quick" in results and "CPUs" in results
