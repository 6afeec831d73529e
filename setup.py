"""Thin build_ext: one CMake run builds both binaries (the TensorFlow op
library and the pybind11 module) into the package directory."""

import os
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


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        output_dir = os.path.abspath(os.path.dirname(self.get_ext_fullpath(ext.name)))
        build_dir = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        os.makedirs(build_dir, exist_ok=True)
        jobs = os.environ.get("TFDICOM_BUILD_JOBS", "2")
        subprocess.check_call(
            [
                "cmake", "-S", HERE, "-B", build_dir,
                f"-DPython_EXECUTABLE={sys.executable}",
                f"-DTFDICOM_OUTPUT_DIR={output_dir}",
                "-DCMAKE_BUILD_TYPE=Release",
            ]
        )
        subprocess.check_call(["cmake", "--build", build_dir, "-j", jobs])


with open(os.path.join(HERE, "README.md")) as f:
    long_description = f.read()

setup(
    name="tfdicom",
    version=read_version(),
    description="DICOM decoding as native TensorFlow ops (and for NumPy), built on DCMTK",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["tfdicom", "tfdicom.*"]),
    package_data={"tfdicom.samples": ["*/*.dcm", "MANIFEST.tsv", "README.md"]},
    ext_modules=[CMakeExtension("tfdicom._core")],
    cmdclass={"build_ext": CMakeBuild},
    install_requires=["numpy>=1.23"],
    extras_require={
        "tensorflow": ["tensorflow==2.21.*"],
        "tensorflow-cpu": ["tensorflow-cpu==2.21.*"],
    },
    zip_safe=False,
    classifiers=[
        "License :: OSI Approved :: Apache Software License",
        "Programming Language :: Python :: 3",
        "Programming Language :: C++",
        "Topic :: Scientific/Engineering :: Medical Science Apps.",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
