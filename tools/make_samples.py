#!/usr/bin/env python3
"""Generate the small synthetic DICOM sample files shipped with tfdicom.

tfdicom's tests and examples need real Part 10 files that cover the pixel
encodings a decoder has to handle, without shipping any patient data.  This
script builds them from synthetic phantoms:

* ``ct/``  three 128x128 CT slices of a Shepp-Logan-style head phantom,
  signed 16-bit (HU = stored - 1024) with a -2000 padding value outside the
  circular field of view, one slice each in Explicit VR Little Endian,
  Implicit VR Little Endian and Explicit VR Big Endian (via ``dcmconv +tb``).
* ``mr/``  three 96x96 MR slices, 12 bits stored in 16 allocated, unsigned,
  in Explicit VR Little Endian, plus RLE Lossless (``dcmcrle``) and
  JPEG-LS Lossless (``dcmcjpls``) copies of single slices.
* ``us/``  an 8-frame 64x80 8-bit ultrasound cine of a moving blob, in
  Explicit VR Little Endian plus a JPEG Lossless SV1 copy (``dcmcjpeg``).

It also writes ``MANIFEST.tsv`` (one line per file, read back from the files
themselves, with SHA-256) and ``README.md``.

Everything is deterministic: fixed random seeds, UIDs derived from fixed
names, fixed dates.  Running the script twice produces byte-identical files
(for a given pydicom and DCMTK version, whose implementation UIDs end up in
the file meta header).

Usage::

    python tools/make_samples.py            # (re)generate tfdicom/samples
    python tools/make_samples.py --check    # regenerate, then verify
    python tools/make_samples.py --check-only   # verify existing files

Requires numpy, pydicom>=3 and the DCMTK command line tools.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    UID,
    CTImageStorage,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGLosslessSV1,
    JPEGLSLossless,
    MRImageStorage,
    RLELossless,
    UltrasoundMultiFrameImageStorage,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "tfdicom" / "samples"
MANIFEST_NAME = "MANIFEST.tsv"
README_NAME = "README.md"
SIZE_LIMIT = 1_000_000  # bytes, for all generated files together

# Namespace for name-based (UUID v5) UIDs; the UIDs are "2.25.<uuid as int>"
# (ISO/IEC 9834-8), so they are stable without needing an organisation root.
# NB: pydicom's generate_uid(prefix=None, entropy_srcs=...) ignores the
# entropy and returns a random UUID, so it cannot be used for this.
UID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/tfdicom/samples")

STUDY_DATE = "20240101"
STUDY_TIME = "120000"


def stable_uid(name: str) -> UID:
    """Return a UID that depends only on ``name``."""
    return UID(f"2.25.{uuid.uuid5(UID_NAMESPACE, name).int}")


# --------------------------------------------------------------------------
# Phantoms (pure numpy, deterministic)
# --------------------------------------------------------------------------


def grid(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [-1, 1], y pointing up (row 0 at top)."""
    x = (np.arange(cols) + 0.5) / cols * 2.0 - 1.0
    y = 1.0 - (np.arange(rows) + 0.5) / rows * 2.0
    return np.meshgrid(x, y)


def ellipse_radius(x, y, cx, cy, a, b, theta_deg=0.0) -> np.ndarray:
    """Normalised elliptical radius: < 1 inside the ellipse, 1 on its edge."""
    t = np.deg2rad(theta_deg)
    dx, dy = x - cx, y - cy
    u = dx * np.cos(t) + dy * np.sin(t)
    v = -dx * np.sin(t) + dy * np.cos(t)
    return np.sqrt((u / a) ** 2 + (v / b) ** 2)


# Shepp-Logan geometry, with HU values assigned in painting order, extended
# to ellipsoids: (cx, cy, a, b, theta, z0, c, HU).  A slice at height z cuts
# each ellipsoid into an ellipse scaled by sqrt(1 - ((z - z0) / c)^2).
CT_ELLIPSOIDS = [
    (0.0, 0.0, 0.69, 0.92, 0.0, 0.0, 0.90, 1000.0),  # skull (bone)
    (0.0, -0.0184, 0.6624, 0.874, 0.0, 0.0, 0.88, 40.0),  # brain
    (0.22, 0.0, 0.11, 0.31, -18.0, 0.0, 0.30, 5.0),  # right ventricle (CSF)
    (-0.22, 0.0, 0.16, 0.41, 18.0, 0.0, 0.30, 5.0),  # left ventricle (CSF)
    (0.0, 0.35, 0.21, 0.25, 0.0, 0.1, 0.35, 60.0),
    (0.0, 0.1, 0.046, 0.046, 0.0, 0.0, 0.15, 70.0),
    (0.0, -0.1, 0.046, 0.046, 0.0, 0.0, 0.15, 70.0),
    (-0.08, -0.605, 0.046, 0.023, 0.0, -0.2, 0.15, 80.0),
    (0.0, -0.606, 0.023, 0.023, 0.0, -0.2, 0.15, 80.0),
    (0.06, -0.605, 0.023, 0.046, 0.0, -0.2, 0.15, 80.0),
]

CT_SIZE = 128
CT_FOV_MM = 250.0
CT_HEAD_SCALE = 0.85  # head size relative to the field of view
CT_SLICES_MM = (-25.0, 0.0, 25.0)
CT_MM_PER_UNIT = CT_FOV_MM / 2.0 * CT_HEAD_SCALE  # phantom units -> mm
CT_INTERCEPT = -1024
CT_PADDING = -2000  # stored value outside the reconstruction circle


def ct_hu_slice(z: float, seed: int) -> np.ndarray:
    """HU image of the phantom at height ``z`` (phantom units), with noise."""
    x, y = grid(CT_SIZE, CT_SIZE)
    x, y = x / CT_HEAD_SCALE, y / CT_HEAD_SCALE
    hu = np.full(x.shape, -1000.0)  # air
    for cx, cy, a, b, theta, z0, c, value in CT_ELLIPSOIDS:
        dz = (z - z0) / c
        if abs(dz) >= 1.0:
            continue
        s = np.sqrt(1.0 - dz * dz)
        hu[ellipse_radius(x, y, cx, cy, a * s, b * s, theta) < 1.0] = value
    hu += np.random.default_rng(seed).normal(0.0, 8.0, hu.shape)
    return hu


def ct_stored_slice(index: int) -> np.ndarray:
    """Signed stored values for CT slice ``index`` (0-based)."""
    hu = ct_hu_slice(CT_SLICES_MM[index] / CT_MM_PER_UNIT, seed=1000 + index)
    stored = np.clip(np.rint(hu - CT_INTERCEPT), -1024, 3071).astype(np.int16)
    x, y = grid(CT_SIZE, CT_SIZE)
    stored[x * x + y * y > 1.0] = CT_PADDING
    return stored


MR_SIZE = 96
MR_FOV_MM = 240.0
MR_SLICES_Z = (-0.3, 0.0, 0.3)


def smooth_inside(r: np.ndarray, width: float = 0.03) -> np.ndarray:
    """Soft indicator of r < 1 (a blurred ellipse edge)."""
    return 0.5 * (1.0 + np.tanh((1.0 - r) / width))


def mr_slice(index: int) -> np.ndarray:
    """12-bit unsigned MR-like (T1-ish) head slice with Rician noise."""
    z = MR_SLICES_Z[index]
    x, y = grid(MR_SIZE, MR_SIZE)
    s = np.sqrt(1.0 - (z / 1.1) ** 2)  # head gets smaller away from centre
    head = lambda k: ellipse_radius(x, y, 0.0, -0.02, 0.70 * k * s, 0.88 * k * s)

    img = 3600.0 * smooth_inside(head(1.00))  # scalp fat
    img += (150.0 - 3600.0) * smooth_inside(head(0.94))  # skull (dark)
    img += (1300.0 - 150.0) * smooth_inside(head(0.88))  # grey matter
    img += (1800.0 - 1300.0) * smooth_inside(head(0.72), 0.08)  # white matter
    v = np.sqrt(max(0.0, 1.0 - (z / 0.4) ** 2))
    if v > 0.0:
        for cx, theta in ((0.12, -15.0), (-0.12, 15.0)):
            r = ellipse_radius(x, y, cx, 0.05, 0.07 * v, 0.25 * v, theta)
            img += (300.0 - 1800.0) * smooth_inside(r, 0.05)  # ventricles
    img += 2300.0 * smooth_inside(ellipse_radius(x, y, 0.0, -0.35, 0.05, 0.05))
    img *= 1.0 + 0.12 * x - 0.06 * y  # coil sensitivity (bias field)

    rng = np.random.default_rng(2000 + index)
    noise = rng.normal(0.0, 25.0, (2,) + img.shape)
    img = np.hypot(img + noise[0], noise[1])  # magnitude image -> Rician
    return np.clip(np.rint(img), 0, 4095).astype(np.uint16)


US_ROWS, US_COLS, US_FRAMES = 64, 80, 8


def us_cine() -> np.ndarray:
    """8-bit sector-scan cine (frames, rows, cols) with a moving bright blob."""
    rows, cols = np.mgrid[0:US_ROWS, 0:US_COLS].astype(float)
    depth = np.hypot(rows + 8.0, cols - US_COLS / 2.0)  # apex above the image
    angle = np.degrees(np.arctan2(cols - US_COLS / 2.0, rows + 8.0))
    sector = (np.abs(angle) < 40.0) & (depth > 10.0) & (depth < 70.0)
    echo = 70.0 * np.exp(-depth / 90.0)  # attenuation with depth
    cyst = np.hypot(rows - 40.0, cols - 52.0) < 7.0
    echo[cyst] *= 0.15

    rng = np.random.default_rng(3000)
    frames = np.empty((US_FRAMES, US_ROWS, US_COLS), dtype=np.uint8)
    for t in range(US_FRAMES):
        by = 30.0 + 10.0 * np.sin(2.0 * np.pi * t / US_FRAMES)
        bx = 22.0 + 36.0 * t / (US_FRAMES - 1)
        blob = 320.0 * np.exp(-((rows - by) ** 2 + (cols - bx) ** 2) / 18.0)
        speckle = rng.rayleigh(1.0, (US_ROWS, US_COLS))
        img = (echo + blob) * speckle * sector
        frames[t] = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    return frames


# --------------------------------------------------------------------------
# DICOM datasets
# --------------------------------------------------------------------------


def base_dataset(modality: str, sop_class: UID, series: str, number: int) -> Dataset:
    """Patient / study / series / instance attributes common to all samples."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = stable_uid(f"{series}/image/{number}")
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = STUDY_DATE
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = STUDY_TIME
    ds.AccessionNumber = ""
    ds.Modality = modality
    ds.Manufacturer = "tfdicom synthetic phantom"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = f"Synthetic {modality} phantom"
    ds.SeriesDescription = series
    ds.PatientName = f"Phantom^{modality}"
    ds.PatientID = f"PHANTOM-{modality}"
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyInstanceUID = stable_uid(f"{modality}/study")
    ds.SeriesInstanceUID = stable_uid(f"{series}/series")
    ds.StudyID = "1"
    ds.SeriesNumber = 1
    ds.InstanceNumber = number
    return ds


def set_pixels(ds: Dataset, arr: np.ndarray, bits_stored: int, frames: int = 1) -> None:
    """Attach a single-channel MONOCHROME2 pixel array (native encoding)."""
    signed = arr.dtype.kind == "i"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.Rows, ds.Columns = arr.shape[-2:]
    ds.BitsAllocated = arr.dtype.itemsize * 8
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = int(signed)
    ds.add_new(0x7FE00010, "OW" if ds.BitsAllocated > 8 else "OB",
               arr.astype(arr.dtype.newbyteorder("<")).tobytes())


def ct_dataset(index: int) -> Dataset:
    number = index + 1
    ds = base_dataset("CT", CTImageStorage, "CT head phantom", number)
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.KVP = 120
    spacing = CT_FOV_MM / CT_SIZE
    z_mm = CT_SLICES_MM[index]
    ds.SliceThickness = 5.0
    ds.PixelSpacing = [spacing, spacing]
    first = -CT_FOV_MM / 2.0 + spacing / 2.0
    ds.ImagePositionPatient = [first, first, z_mm]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = stable_uid("CT/frame-of-reference")
    ds.SliceLocation = z_mm
    set_pixels(ds, ct_stored_slice(index), bits_stored=16)
    ds.add_new(0x00280120, "SS", CT_PADDING)  # PixelPaddingValue
    ds.WindowCenter = 40
    ds.WindowWidth = 400
    ds.RescaleIntercept = CT_INTERCEPT
    ds.RescaleSlope = 1
    ds.RescaleType = "HU"
    return ds


def mr_dataset(index: int) -> Dataset:
    number = index + 1
    ds = base_dataset("MR", MRImageStorage, "MR T1 head phantom", number)
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = "NONE"
    ds.ScanOptions = ""
    ds.MRAcquisitionType = "2D"
    ds.SliceThickness = 4.0
    ds.RepetitionTime = 500.0
    ds.EchoTime = 15.0
    ds.MagneticFieldStrength = 1.5
    ds.EchoTrainLength = 1
    spacing = MR_FOV_MM / MR_SIZE
    z_mm = MR_SLICES_Z[index] * 100.0
    first = -MR_FOV_MM / 2.0 + spacing / 2.0
    ds.PixelSpacing = [spacing, spacing]
    ds.ImagePositionPatient = [first, first, z_mm]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = stable_uid("MR/frame-of-reference")
    ds.SliceLocation = z_mm
    set_pixels(ds, mr_slice(index), bits_stored=12)
    ds.WindowCenter = 1800
    ds.WindowWidth = 3600
    return ds


def us_dataset() -> Dataset:
    ds = base_dataset("US", UltrasoundMultiFrameImageStorage, "US cine phantom", 1)
    ds.FrameTime = 40.0  # ms
    ds.CineRate = 25
    ds.FrameIncrementPointer = 0x00181063  # -> FrameTime
    set_pixels(ds, us_cine(), bits_stored=8, frames=US_FRAMES)
    return ds


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_part10(ds: Dataset, path: Path, transfer_syntax: UID) -> None:
    """Write ``ds`` as a DICOM Part 10 file in an uncompressed transfer syntax."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = transfer_syntax
    ds.file_meta = meta
    path.parent.mkdir(parents=True, exist_ok=True)
    pydicom.dcmwrite(path, ds, enforce_file_format=True)


def run(cmd: list[str]) -> str:
    """Run a command, failing loudly with its output if it fails."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                           f"{proc.stdout}{proc.stderr}")
    return proc.stdout


def dcmtk(tool: str, *args: str | Path) -> None:
    """Run a DCMTK command line tool on the given arguments."""
    run([tool, *map(str, args)])


@dataclass(frozen=True)
class Sample:
    """One generated file: where it goes, its encoding and how to make it."""

    path: str  # relative to the output directory
    transfer_syntax: UID
    dataset: Callable[[], Dataset]
    tool: tuple[str, ...] = ()  # DCMTK command converting from Explicit VR LE


SAMPLES = [
    Sample("ct/ct_slice1_explicit_le.dcm", ExplicitVRLittleEndian, lambda: ct_dataset(0)),
    Sample("ct/ct_slice2_implicit_le.dcm", ImplicitVRLittleEndian, lambda: ct_dataset(1)),
    Sample("ct/ct_slice3_explicit_be.dcm", ExplicitVRBigEndian, lambda: ct_dataset(2),
           ("dcmconv", "+tb")),
    Sample("mr/mr_slice1_explicit_le.dcm", ExplicitVRLittleEndian, lambda: mr_dataset(0)),
    Sample("mr/mr_slice2_explicit_le.dcm", ExplicitVRLittleEndian, lambda: mr_dataset(1)),
    Sample("mr/mr_slice3_explicit_le.dcm", ExplicitVRLittleEndian, lambda: mr_dataset(2)),
    Sample("mr/mr_slice2_rle.dcm", RLELossless, lambda: mr_dataset(1),
           ("dcmcrle", "--uid-never")),
    Sample("mr/mr_slice3_jpegls_lossless.dcm", JPEGLSLossless, lambda: mr_dataset(2),
           ("dcmcjpls", "--encode-lossless", "--prefer-cooked", "--uid-never")),
    Sample("us/us_cine8_explicit_le.dcm", ExplicitVRLittleEndian, us_dataset),
    Sample("us/us_cine8_jpeg_lossless_sv1.dcm", JPEGLosslessSV1, us_dataset,
           ("dcmcjpeg", "--encode-lossless-sv1", "--true-lossless", "--uid-never")),
]


def build_sample(sample: Sample, out: Path, tmp: Path) -> None:
    """Create one sample file under ``out``."""
    target = out / sample.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if not sample.tool:
        write_part10(sample.dataset(), target, sample.transfer_syntax)
        return
    source = tmp / sample.path
    write_part10(sample.dataset(), source, ExplicitVRLittleEndian)
    dcmtk(*sample.tool, source, target)


def previous_files(out: Path) -> list[Path]:
    """Files listed in an existing manifest (i.e. made by an earlier run)."""
    manifest = out / MANIFEST_NAME
    if not manifest.exists():
        return []
    lines = manifest.read_text().splitlines()[1:]
    return [out / line.split("\t", 1)[0] for line in lines if line.strip()]


def remove_own_files(out: Path) -> None:
    """Delete files this script made before (and nothing else)."""
    own = previous_files(out) + [out / s.path for s in SAMPLES]
    own += [out / MANIFEST_NAME, out / README_NAME]
    for path in own:
        path.unlink(missing_ok=True)
    for sub in {p.parent for p in own} - {out}:
        if sub.is_dir() and not any(sub.iterdir()):
            sub.rmdir()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


MANIFEST_COLUMNS = [
    "path", "modality", "transfer_syntax_uid", "transfer_syntax_name",
    "photometric", "rows", "cols", "frames", "bits_allocated", "bits_stored",
    "pixel_representation", "size_bytes", "sha256",
]


def manifest_row(out: Path, rel: str) -> list[str]:
    """Describe one file, reading the values back from the file itself."""
    path = out / rel
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    ts = ds.file_meta.TransferSyntaxUID
    values = [
        rel, ds.Modality, str(ts), ts.name, ds.PhotometricInterpretation,
        ds.Rows, ds.Columns, int(ds.get("NumberOfFrames", 1)),
        ds.BitsAllocated, ds.BitsStored, ds.PixelRepresentation,
        path.stat().st_size, sha256(path),
    ]
    return [str(v) for v in values]


def write_manifest(out: Path) -> None:
    lines = ["\t".join(MANIFEST_COLUMNS)]
    lines += ["\t".join(manifest_row(out, s.path)) for s in SAMPLES]
    (out / MANIFEST_NAME).write_text("\n".join(lines) + "\n")


README = """\
# tfdicom sample files

Small DICOM Part 10 files used by the tfdicom tests and examples.

**Origin.** All files are synthetic: computer-generated phantoms made by
`tools/make_samples.py` (numpy + pydicom, with DCMTK's `dcmconv`, `dcmcrle`,
`dcmcjpls` and `dcmcjpeg` for the big-endian and compressed variants).
They contain no patient data; patient names are `Phantom^CT`,
`Phantom^MR` and `Phantom^US`.

**Licence.** Apache-2.0, the same as the rest of the project. The data are
synthetic and may be used freely.

| directory | content |
|-----------|---------|
| `ct/` | 128x128 Shepp-Logan-style head slices, signed 16-bit, HU = stored - 1024, padding value -2000 outside the field of view; Explicit VR LE, Implicit VR LE, Explicit VR BE |
| `mr/` | 96x96 head-like slices, 12 bits stored in 16, unsigned; Explicit VR LE, RLE Lossless, JPEG-LS Lossless (12-bit precision) |
| `us/` | 8-frame 64x80 8-bit cine with a moving blob; Explicit VR LE, JPEG Lossless SV1 |

`MANIFEST.tsv` lists every file with its transfer syntax, image geometry,
bit depth and SHA-256.

**Regenerate** (from the repository root; needs numpy, pydicom>=3 and the
DCMTK command line tools):

    python tools/make_samples.py --check

The output is deterministic: running it again gives byte-identical files for
the same pydicom and DCMTK versions (their implementation UIDs are written
into the file meta header).
"""


def generate(out: Path) -> None:
    """(Re)create all samples, the manifest and the README in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    remove_own_files(out)
    with tempfile.TemporaryDirectory() as tmp:
        for sample in SAMPLES:
            build_sample(sample, out, Path(tmp))
    write_manifest(out)
    (out / README_NAME).write_text(README)


# --------------------------------------------------------------------------
# Verification (--check)
# --------------------------------------------------------------------------

DCMTK_DECODERS = {
    RLELossless: "dcmdrle",
    JPEGLSLossless: "dcmdjpls",
    JPEGLosslessSV1: "dcmdjpeg",
}


def dcmtk_decoded_pixels(path: Path, tool: str, tmp: Path) -> np.ndarray:
    """Decompress with DCMTK and return pydicom's reading of the result."""
    plain = tmp / (path.name + ".raw.dcm")
    dcmtk(tool, path, plain)
    return pydicom.dcmread(plain).pixel_array


def expected_pixels(sample: Sample) -> np.ndarray:
    """The phantom pixels, decoded from the in-memory (uncompressed) dataset."""
    ds = sample.dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds.pixel_array


def same_pixels(a: np.ndarray, b: np.ndarray) -> bool:
    """Exactly equal values with the same signedness and width (any byte order)."""
    return (a.dtype.kind, a.dtype.itemsize) == (b.dtype.kind, b.dtype.itemsize) \
        and np.array_equal(a, b)


def check_sample(sample: Sample, out: Path, tmp: Path) -> list[str]:
    """Verify one file; return a list of problems (empty if all is well)."""
    path = out / sample.path
    problems = []
    dump = subprocess.run(["dcmdump", "-q", str(path)], capture_output=True, text=True)
    if dump.returncode != 0 or dump.stderr.strip():
        problems.append(f"dcmdump: {dump.stderr.strip() or dump.returncode}")

    ds = pydicom.dcmread(path)
    if ds.preamble != b"\0" * 128 or "TransferSyntaxUID" not in ds.file_meta:
        problems.append("not a proper Part 10 file")
    if ds.file_meta.TransferSyntaxUID != sample.transfer_syntax:
        problems.append(f"transfer syntax {ds.file_meta.TransferSyntaxUID}")

    expected = expected_pixels(sample)
    decoded = {}
    try:
        decoded["pydicom"] = ds.pixel_array
    except Exception as exc:  # missing decoder plugin (JPEG, JPEG-LS)
        if sample.transfer_syntax in DCMTK_DECODERS:
            print(f"    note: pydicom cannot decode ({type(exc).__name__}); "
                  f"using DCMTK only")
        else:
            problems.append(f"pydicom pixel_array: {exc}")
    if sample.transfer_syntax in DCMTK_DECODERS:
        tool = DCMTK_DECODERS[sample.transfer_syntax]
        decoded[tool] = dcmtk_decoded_pixels(path, tool, tmp)

    for how, arr in decoded.items():
        if not same_pixels(arr, expected):
            problems.append(f"{how}: pixels differ from the phantom")
    if not decoded:
        problems.append("pixels not verified by any decoder")
    return problems


def check_manifest(out: Path) -> list[str]:
    """Compare MANIFEST.tsv with the files on disk."""
    lines = (out / MANIFEST_NAME).read_text().splitlines()
    problems = []
    if lines[0].split("\t") != MANIFEST_COLUMNS:
        problems.append("manifest header differs")
    for line in lines[1:]:
        rel = line.split("\t", 1)[0]
        if line.split("\t") != manifest_row(out, rel):
            problems.append(f"manifest line for {rel} is stale")
    if sorted(l.split("\t", 1)[0] for l in lines[1:]) != sorted(s.path for s in SAMPLES):
        problems.append("manifest does not list exactly the samples")
    return problems


def check_reproducible(out: Path) -> list[str]:
    """Regenerate into a temporary directory and compare the bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        names = [s.path for s in SAMPLES] + [MANIFEST_NAME, README_NAME]
        return [f"{n}: not reproducible" for n in names
                if (Path(tmp) / n).read_bytes() != (out / n).read_bytes()]


def check(out: Path) -> bool:
    """Run all checks, print a report and return True if everything passed."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for sample in SAMPLES:
            print(f"  {sample.path}")
            problems += [f"{sample.path}: {p}"
                         for p in check_sample(sample, out, Path(tmp))]
    problems += check_manifest(out)
    problems += check_reproducible(out)
    total = total_size(out)
    if total >= SIZE_LIMIT:
        problems.append(f"total size {total} bytes exceeds {SIZE_LIMIT}")
    for problem in problems:
        print(f"FAIL {problem}")
    print("check: " + ("FAILED" if problems else "all files OK"))
    return not problems


# --------------------------------------------------------------------------


def total_size(out: Path) -> int:
    names = [s.path for s in SAMPLES] + [MANIFEST_NAME, README_NAME]
    return sum((out / n).stat().st_size for n in names)


def report(out: Path) -> None:
    for s in SAMPLES:
        print(f"{(out / s.path).stat().st_size:8d}  {s.path}")
    print(f"{total_size(out):8d}  total (including {MANIFEST_NAME}, {README_NAME})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument("--check", action="store_true",
                        help="verify the files after generating them")
    parser.add_argument("--check-only", action="store_true",
                        help="verify existing files without regenerating")
    args = parser.parse_args(argv)

    for tool in ("dcmconv", "dcmcrle", "dcmcjpls", "dcmcjpeg", "dcmdump"):
        if shutil.which(tool) is None:
            parser.error(f"DCMTK tool {tool!r} not found on PATH")

    if not args.check_only:
        generate(args.out)
    report(args.out)
    if args.check or args.check_only:
        return 0 if check(args.out) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
