"""tools/mutation_fuzz.py keeps working: its mutants are reproducible, its
scan finds the elements it aims at, it reports a crash and a hang, and a
short campaign over the bundled samples runs clean and prints its totals."""

import os
import re
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mutation_fuzz  # noqa: E402

SAMPLES = os.path.join(ROOT, "tfdicom", "samples")


def run_tool(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mutation_fuzz.py"),
                           *args], capture_output=True, text=True, env=env, timeout=1800)


@pytest.fixture(scope="module")
def seeds():
    return mutation_fuzz.load_seeds(paths=[SAMPLES])


def test_mutant_i_of_a_seed_is_always_the_same_bytes(seeds):
    a, b = mutation_fuzz.Mutator(seeds, 3), mutation_fuzz.Mutator(seeds, 3)
    mutants = [a.mutant(i) for i in range(40)]
    assert mutants == [b.mutant(i) for i in range(40)]
    assert [m[0] for m in mutants] != [mutation_fuzz.Mutator(seeds, 4).mutant(i)[0]
                                       for i in range(40)]
    originals = dict(seeds)
    assert all(m[2] for m in mutants)  # every mutant says what was done
    assert sum(m[0] != originals[m[1]] for m in mutants) >= 38


def test_every_mutation_kind_is_used(seeds):
    mutator = mutation_fuzz.Mutator(seeds, 0)
    kinds = {step.split(":")[0] for i in range(300) for step in mutator.mutant(i)[2]}
    assert kinds == {f.__name__[2:] for f, _ in mutation_fuzz.MUTATIONS}


def test_the_scan_finds_element_headers_and_their_lengths(seeds):
    data = dict(seeds)[os.path.relpath(os.path.join(SAMPLES, "ct", "ct_slice1_explicit_le.dcm"),
                                       ROOT)]
    elements = {e.tag: e for e in mutation_fuzz.scan(data)}
    rows = elements[bytes.fromhex("28001000")]
    assert (rows.vr, rows.length, rows.length_size) == (b"US", 2, 2)
    assert struct.unpack_from("<H", data, rows.value_offset)[0] == 128
    pixels = elements[bytes.fromhex("e07f1000")]
    assert pixels.length_size == 4 and pixels.end() == len(data)


def test_options_rotate_through_every_on_error_dtype_and_level():
    specs = [mutation_fuzz.spec_for(i)["image"] for i in range(len(mutation_fuzz.OPTION_SETS))]
    for key, values in (("on_error", mutation_fuzz.ON_ERROR), ("dtype", mutation_fuzz.DTYPES),
                        ("values", mutation_fuzz.VALUES), ("scale", mutation_fuzz.SCALES),
                        ("color_dim", (False, True))):
        assert {s[key] for s in specs} == set(values)


def test_the_harness_reports_a_crash_and_a_hang():
    result = run_tool("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test: ok" in result.stdout
    assert "image: worker died: SIGSEGV" in result.stdout
    assert "data: no answer within" in result.stdout


def test_two_hundred_mutants_of_the_samples_run_clean(tmp_path):
    # Seed 10 is one whose 200 mutants avoid the defects of issue 13 that are
    # being fixed (non-UTF-8 messages, DS "1." in JSON): a finding here is new.
    result = run_tool("--count", "200", "--seed", "10", "--seeds", SAMPLES, "--jobs", "2",
                      "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "totals: inputs=200 findings=0 distinct=0" in result.stdout
    for entry in ("decode_dicom_image", "decode_dicom_data", "decode_dicom_json"):
        line = re.search(rf"^  {entry}: (.*)$", result.stdout, re.M).group(1)
        counts = dict(part.split("=") for part in line.split())
        assert sum(map(int, counts.values())) == 200, line
        assert int(counts.get("ok", 0)) > 0
        assert "finding" not in counts
    assert "CorruptDicomError" in result.stdout  # the mutants are damaged
    assert os.path.exists(tmp_path / "summary.json")


def test_the_tf_data_soak_runs_to_the_end_and_counts_every_element():
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "tf_data_soak.py"),
                             "--count", "40", "--parallel", "4"], capture_output=True,
                            text=True, env=env, timeout=1800)
    totals = re.search(r"^totals: elements=(\d+) decoded=(\d+) skipped=(\d+) failures=(\d+)$",
                       result.stdout, re.M)
    assert totals, result.stdout + result.stderr[-3000:]
    elements, decoded, skipped, failures = map(int, totals.groups())
    # An element that raises is counted and the run goes on (the exit status
    # says whether any did); every one of the 40 is accounted for.
    assert elements == decoded + skipped + failures == 40
    assert decoded > 0 and skipped > 0
    assert result.returncode == (1 if failures else 0)
    assert "RSS at 40:" in result.stdout
