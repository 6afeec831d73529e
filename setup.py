"""Thin build_ext: one CMake run builds both binaries (the TensorFlow op
library and the pybind11 module) into the package directory."""

import os
import shutil
import subprocess
import sys

from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version():
    with open(os.path.join(HERE, "tfdicom", "__init__.py")) as f:
        for line in f:
            if line.startswith("__version__"):
                return line.split("=")[1].strip().strip('"')
    raise RuntimeError("no __version__ in tfdicom/__init__.py")


def cmake_executable():
    """The cmake of the building Python's environment (the `cmake` package,
    a build requirement), which is not on PATH when that environment is not
    activated (pip wheel --no-build-isolation); else cmake from PATH."""
    try:
        import cmake

        candidate = os.path.join(cmake.CMAKE_BIN_DIR, "cmake")
        if os.path.isfile(candidate):
            return candidate
    except ImportError:
        pass
    found = shutil.which("cmake")
    if found is None:
        raise RuntimeError("cmake not found: pip install 'cmake>=3.18'")
    return found


SETUP_HINT = (
    "as root, `bash tools/bootstrap.sh` in tfdicom's source tree installs all of it on "
    "Debian 12 (then `pip install .`)"
)


def _first_existing(patterns):
    import glob

    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def _header(name):
    """Whether a C header is where Debian (or /usr/local) puts it."""
    return _first_existing([f"/usr/include/{name}", f"/usr/include/*/{name}",
                            f"/usr/local/include/{name}"]) is not None


def missing_prerequisites():
    """What this machine lacks to build tfdicom, as (what, Debian package)
    pairs, checked before CMake runs so that the user reads one sentence
    instead of CMake's first error."""
    import sysconfig

    missing = []
    compilers = [os.environ.get("CXX", ""), "c++", "g++", "clang++"]
    if not any(c and shutil.which(c.split()[0]) for c in compilers):
        missing.append(("a C++ compiler", "g++"))
    include = sysconfig.get_paths().get("include") or ""
    if not os.path.isfile(os.path.join(include, "Python.h")):
        missing.append((f"Python's headers ({include}/Python.h)", "python3-dev"))
    dcmtk_dirs = [os.environ[v] for v in ("DCMTK_DIR",) if os.environ.get(v)]
    dcmtk_dirs += os.environ.get("CMAKE_PREFIX_PATH", "").split(os.pathsep)
    if not _first_existing([os.path.join(d, "DCMTKConfig.cmake") for d in dcmtk_dirs if d]
                           + [os.path.join(d, "lib", "cmake", "dcmtk", "DCMTKConfig.cmake")
                              for d in dcmtk_dirs if d]
                           + ["/usr/lib/*/cmake/dcmtk/DCMTKConfig.cmake",
                              "/usr/lib/cmake/dcmtk/DCMTKConfig.cmake",
                              "/usr/local/lib/cmake/dcmtk/DCMTKConfig.cmake",
                              "/usr/local/lib/*/cmake/dcmtk/DCMTKConfig.cmake"]):
        missing.append(("DCMTK's CMake config", "libdcmtk-dev"))
    if not _header("jpeglib.h"):
        missing.append(("libjpeg's headers", "libjpeg62-turbo-dev"))
    if not _header("libdeflate.h"):
        missing.append(("libdeflate's headers", "libdeflate-dev"))
    # CharLS and OpenJPEG: their release sources, built with NDEBUG
    # (tools/fetch_sources.sh), or Debian's asserting libraries only when
    # the user says so (third_party/README.md).
    fetch = subprocess.run(["bash", os.path.join(HERE, "tools", "fetch_sources.sh"), "--print-dirs"],
                           capture_output=True, text=True, check=False).stdout.split()
    allow_debian = os.environ.get("TFDICOM_ALLOW_DEBIAN_CODECS") == "1"
    sources = []
    for source_dir, library, header, package in zip(
            fetch, ("CharLS", "OpenJPEG"), ("charls/charls.h", "openjpeg-2.5/openjpeg.h"),
            ("libcharls-dev", "libopenjp2-7-dev")):
        if os.path.isfile(os.path.join(HERE, source_dir, ".complete")):
            continue
        if allow_debian:
            if not _header(header):
                missing.append((f"{library}'s headers", package))
        else:
            sources.append(source_dir)
    if sources:
        missing.append((f"the release sources of CharLS and OpenJPEG in {' and '.join(sources)} "
                        "(`bash tools/fetch_sources.sh` fetches them through apt; "
                        "TFDICOM_ALLOW_DEBIAN_CODECS=1 builds with Debian's asserting "
                        "libcharls-dev and libopenjp2-7-dev instead)", None))
    import importlib.util

    for module, package in (("pybind11", "pybind11>=2.12"), ("tensorflow", "tensorflow-cpu==2.21.*")):
        if importlib.util.find_spec(module) is None:
            missing.append((f"the Python package {module} in the building environment "
                            f"(pip install '{package}', or build with build isolation)", None))
    return missing


def check_prerequisites():
    missing = missing_prerequisites()
    if not missing:
        return
    packages = [package for _, package in missing if package]
    what = "; ".join(w for w, _ in missing)
    apt = f" (Debian packages: {' '.join(packages)})" if packages else ""
    sys.stderr.write(f"\ntfdicom cannot be built on this machine, it lacks: {what}{apt}; "
                     f"{SETUP_HINT}.\n\n")
    raise SystemExit(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        check_prerequisites()
        output_dir = os.path.abspath(os.path.dirname(self.get_ext_fullpath(ext.name)))
        build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        os.makedirs(build_dir, exist_ok=True)
        jobs = os.environ.get("TFDICOM_BUILD_JOBS", "2")
        cmake = cmake_executable()
        subprocess.check_call(
            [
                cmake, "-S", HERE, "-B", build_dir,
                f"-DPython_EXECUTABLE={sys.executable}",
                f"-DTFDICOM_OUTPUT_DIR={output_dir}",
                "-DCMAKE_BUILD_TYPE=Release",
                # No RUNPATH into the building environment's TensorFlow: the
                # wheel must not name this machine's paths, and
                # libtensorflow_framework.so.2 is already loaded by the time
                # `import tensorflow` loads the op library.
                "-DCMAKE_SKIP_BUILD_RPATH=ON",
            ]
        )
        subprocess.check_call([cmake, "--build", build_dir, "-j", jobs])


def read_long_description():
    """README.md, if the tree has one (the wheel builds without it)."""
    try:
        with open(os.path.join(HERE, "README.md")) as f:
            return f.read()
    except FileNotFoundError:
        return "DICOM decoding as native TensorFlow ops (and for NumPy), built on DCMTK."


long_description = read_long_description()

setup(
    name="tfdicom",
    version=read_version(),
    description="DICOM decoding as native TensorFlow ops (and for NumPy), built on DCMTK",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    # As TensorFlow 2.21, which building the op library needs.
    python_requires=">=3.10",
    packages=find_packages(include=["tfdicom", "tfdicom.*"]),
    package_data={
        # DCMTK's data dictionary: only build_pip_pkg.sh puts it there (a
        # source build uses the system's; see tfdicom/_dictionary.py).
        "tfdicom": ["dcmtk/*.dic"],
        "tfdicom.samples": ["*/*.dcm", "MANIFEST.tsv", "README.md"],
    },
    ext_modules=[CMakeExtension("tfdicom._core")],
    cmdclass={"build_ext": CMakeBuild},
    install_requires=["numpy>=1.23"],
    extras_require={
        "tensorflow": ["tensorflow==2.21.*"],
        "tensorflow-cpu": ["tensorflow-cpu==2.21.*"],
        # benchmarks/bench.py: the peers it times and what makes its files.
        # Optional, never needed at run time.
        "bench": [
            "pydicom>=3.0",
            "pylibjpeg>=2.0",
            "pylibjpeg-openjpeg>=2.3",
            "pylibjpeg-libjpeg>=2.1",
            "pylibjpeg-rle>=2.0",
            "python-gdcm>=3.0",
            "dicomsdl>=0.109",
            "matplotlib>=3.5",
        ],
    },
    entry_points={"console_scripts": ["tfdicom=tfdicom.cli:main"]},
    zip_safe=False,
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Operating System :: POSIX :: Linux",
        "Programming Language :: Python :: 3",
        "Programming Language :: C++",
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
