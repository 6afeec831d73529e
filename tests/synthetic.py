"""DICOM files for what the open set lacks, made on the fly with pydicom and
DCMTK's own tools (dcmconv, dcmcjpeg, dcmcrle, dcmcjpls)."""

import io
import os
import subprocess
import tempfile

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def dataset(array, *, signed=None, bits_stored=None, photometric="MONOCHROME2", **attrs):
    """A Part 10 data set holding `array` ([frames,] rows, cols) as native
    Pixel Data in explicit VR little endian."""
    array = np.asarray(array)
    frames = array.shape[0] if array.ndim == 3 else 1
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = SECONDARY_CAPTURE
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=["tfdicom-test"])
    ds.SOPClassUID = SECONDARY_CAPTURE
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "OT"
    ds.PatientName = "Synthetic^Test"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = array.shape[-2:]
    if frames > 1:
        ds.NumberOfFrames = frames
    if array.dtype.kind == "f":
        tag = "FloatPixelData" if array.dtype.itemsize == 4 else "DoubleFloatPixelData"
        ds.BitsAllocated = array.dtype.itemsize * 8
        setattr(ds, tag, array.astype(array.dtype.newbyteorder("<")).tobytes())
    else:
        ds.BitsAllocated = array.dtype.itemsize * 8
        ds.BitsStored = bits_stored or ds.BitsAllocated
        ds.HighBit = ds.BitsStored - 1
        ds.PixelRepresentation = int(array.dtype.kind == "i" if signed is None else signed)
        ds.PixelData = array.astype(array.dtype.newbyteorder("<")).tobytes()
    for key, value in attrs.items():
        setattr(ds, key, value)
    return ds


def to_bytes(ds):
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def dcmtk(tool, data, *options):
    """Runs a DCMTK tool (input file, output file) over `data`."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.dcm"), os.path.join(tmp, "out.dcm")
        with open(src, "wb") as f:
            f.write(data)
        subprocess.run([tool, *options, src, dst], check=True, capture_output=True)
        with open(dst, "rb") as f:
            return f.read()


def transfer_syntax(data):
    return str(pydicom.dcmread(io.BytesIO(data)).file_meta.TransferSyntaxUID)


def phantom(frames, rows, cols, lo, hi, dtype, seed=0):
    """A smooth pattern plus noise spanning [lo, hi] exactly."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols]
    base = np.sin(x / 7.0) * np.cos(y / 5.0)
    stack = np.stack([base * (1 + f / 4) + rng.normal(0, 0.2, base.shape) for f in range(frames)])
    stack = (stack - stack.min()) / (stack.max() - stack.min())
    return np.rint(lo + stack * (hi - lo)).astype(dtype)
