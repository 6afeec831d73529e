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


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
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
