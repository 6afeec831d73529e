"""The wheel that build_pip_pkg.sh makes is complete and works on its own.

1. `build_pip_pkg.sh DEST`, run with this interpreter (which has TensorFlow,
   cmake, pybind11, setuptools and wheel), leaves exactly one tfdicom wheel in
   DEST holding both binaries, _build_info.py and the samples.
2. That wheel, installed with its [tensorflow-cpu] extra into a fresh virtual
   environment (no system site-packages), decodes a bundled sample through
   tfdicom.numpy without importing TensorFlow, then through the TensorFlow op
   with the same values. The check runs in a temporary directory with
   PYTHONPATH unset, so the source tree cannot stand in for the installed
   package.

Slow (a CMake build and a TensorFlow install); run it alone with
`python -m pytest -q -s tests/test_wheel.py` to see the timings.
"""

import fnmatch
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "ct/ct_slice1_explicit_le.dcm"
OUTPUT_TAIL = 8000  # characters of a failed command's output shown


def child_env(**extra):
    """This environment, minus anything that could import tfdicom from the
    source tree instead of the installed package."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"):
        env.pop(name, None)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.update(extra)
    return env


def run(cmd, what, *, cwd, env, timeout):
    """Runs `cmd` (stdout and stderr together); fails the test with the end of
    its output unless it exits 0."""
    try:
        result = subprocess.run(
            [str(c) for c in cmd], cwd=cwd, env=env, timeout=timeout,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    except subprocess.TimeoutExpired as e:
        output = e.output.decode(errors="replace") if isinstance(e.output, bytes) else e.output
        pytest.fail(f"{what} did not finish in {timeout}s; output so far:\n{(output or '')[-OUTPUT_TAIL:]}")
    assert result.returncode == 0, (
        f"{what} failed (exit {result.returncode}): {' '.join(map(str, cmd))}\n"
        f"--- output (last {OUTPUT_TAIL} characters) ---\n{result.stdout[-OUTPUT_TAIL:]}"
    )
    return result.stdout


def is_inside(path, directory):
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return os.path.commonpath([path, directory]) == directory


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Runs build_pip_pkg.sh once; returns the wheel's path."""
    work = tmp_path_factory.mktemp("wheel-build")
    dist = work / "dist"
    start = time.monotonic()
    output = run(
        ["bash", REPO / "build_pip_pkg.sh", dist], "build_pip_pkg.sh",
        cwd=work, env=child_env(PYTHON=sys.executable, TFDICOM_BUILD_JOBS="2"),
        timeout=1800,
    )
    seconds = time.monotonic() - start
    wheels = sorted(dist.glob("tfdicom-*.whl"))
    assert len(wheels) == 1, (
        f"expected exactly one tfdicom-*.whl in {dist}, found {[w.name for w in wheels]} "
        f"(all files: {sorted(p.name for p in dist.iterdir())})\n--- build output ---\n"
        f"{output[-OUTPUT_TAIL:]}"
    )
    size = wheels[0].stat().st_size
    print(f"\nbuild_pip_pkg.sh: {seconds:.0f}s, {wheels[0].name}, {size / 1024:.0f} KiB")
    return wheels[0]


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory):
    """A new virtual environment (no system site-packages) with the wheel and
    its [tensorflow-cpu] extra installed; returns (venv dir, its python)."""
    venv = tmp_path_factory.mktemp("fresh-venv") / "venv"
    run([sys.executable, "-m", "venv", venv], "python -m venv",
        cwd=venv.parent, env=child_env(), timeout=300)
    python = venv / "bin" / "python"
    config = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in config, config
    start = time.monotonic()
    run([python, "-m", "pip", "install", "--disable-pip-version-check", f"{wheel}[tensorflow-cpu]"],
        f"pip install {wheel.name}[tensorflow-cpu] into a fresh venv",
        cwd=venv.parent, env=child_env(), timeout=1800)
    print(f"\nfresh venv: pip install {wheel.name}[tensorflow-cpu] took {time.monotonic() - start:.0f}s")
    return venv, python


@pytest.mark.slow
def test_build_pip_pkg_makes_one_complete_wheel(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        build_info = z.read("tfdicom/_build_info.py").decode() if "tfdicom/_build_info.py" in names else ""
    listing = "\n".join(sorted(names))
    samples = sorted(
        p.relative_to(REPO).as_posix() for p in (REPO / "tfdicom" / "samples").rglob("*.dcm")
    )
    assert samples, "no sample .dcm files in the source tree"
    expected = ["tfdicom/_tfdicom_ops.so", "tfdicom/_build_info.py",
                "tfdicom/samples/MANIFEST.tsv", "tfdicom/samples/__init__.py", *samples]
    missing = [n for n in expected if n not in names]
    assert not missing, f"{wheel.name} lacks {missing}; it holds:\n{listing}"
    assert fnmatch.filter(names, "tfdicom/_core*.so"), f"{wheel.name} has no tfdicom/_core*.so:\n{listing}"
    assert "TF_VERSION" in build_info, f"_build_info.py names no TensorFlow version:\n{build_info}"
    stray = [n for n in names if not n.startswith(("tfdicom/", "tfdicom-"))]
    assert not stray, f"{wheel.name} holds files outside the package: {stray}"


CHECK_SCRIPT = textwrap.dedent(
    """
    import json, sys

    import numpy as np

    import tfdicom.numpy
    import tfdicom.samples

    path = tfdicom.samples.path(SAMPLE)
    with open(path, "rb") as f:
        data = f.read()
    array = tfdicom.numpy.decode_dicom_image(data, dtype="int16")
    assert array.shape == (1, 128, 128), f"tfdicom.numpy gave shape {array.shape}"
    assert array.dtype == np.int16, array.dtype
    assert array.max() > array.min(), "the decoded CT slice is flat"
    assert "tensorflow" not in sys.modules, "tfdicom.numpy imported TensorFlow"

    import tensorflow as tf

    import tfdicom

    tensor = tfdicom.decode_dicom_image(tf.io.read_file(path), dtype=tf.int16)
    assert tensor.dtype == tf.int16 and tensor.shape == (1, 128, 128), tensor
    np.testing.assert_array_equal(tensor.numpy(), array)
    print(json.dumps({
        "tfdicom": tfdicom.__file__,
        "sample": path,
        "tensorflow": tf.__file__,
        "tensorflow_version": tf.__version__,
        "prefix": sys.prefix,
    }))
    """
)


@pytest.mark.slow
def test_installed_wheel_decodes_with_numpy_and_tensorflow(fresh_venv, tmp_path):
    venv, python = fresh_venv
    script = tmp_path / "check_installed_tfdicom.py"
    script.write_text(f"SAMPLE = {SAMPLE!r}\n{CHECK_SCRIPT}")
    output = run([python, script], "the check script in the fresh venv",
                 cwd=tmp_path, env=child_env(), timeout=600)
    report = json.loads(output.strip().splitlines()[-1])
    for key in ("tfdicom", "sample", "tensorflow"):
        assert is_inside(report[key], venv), (
            f"{key} came from {report[key]}, not from the fresh venv {venv}\n{output}"
        )
    assert not is_inside(report["tfdicom"], REPO), f"tfdicom was imported from the source tree:\n{output}"
    print(f"\ninstalled tfdicom: {report['tfdicom']} (TensorFlow {report['tensorflow_version']})")
