"""The one reference table of test files: the open DICOM files that
pydicom and pydicom-data ship (tests/reference/open-test-files.tsv, with
pydicom's own decode hashed), and helpers to load them and their oracle."""

import csv
import dataclasses
import hashlib
import os

import numpy as np
import pytest

TABLE = os.path.join(os.path.dirname(__file__), "reference", "open-test-files.tsv")

NATIVE_SYNTAXES = {
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.1.99",
}


@dataclasses.dataclass(frozen=True)
class OpenFile:
    name: str
    ts_uid: str
    ts_name: str
    photometric: str
    bits_allocated: int
    bits_stored: int
    signed: bool
    samples: int
    frames: int
    pydicom_ok: bool
    dtype: str  # pydicom's dtype name in native byte order ('' when it fails)
    stored_dtype: str  # pydicom's dtype as the table hashed it ('>u2' for big endian)
    shape: tuple
    sha256: str

    @property
    def is_color(self):
        return self.samples == 3 or self.photometric == "PALETTE COLOR"

    def path(self):
        from pydicom.data import get_testdata_file

        # download=False: never touch the network for names no wheel ships.
        return get_testdata_file(self.name, download=False)


def _int(text, default=0):
    try:
        return int(text)
    except ValueError:
        return default


def load_table():
    files = []
    with open(TABLE, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            dtype = np.dtype(row["dtype"]).newbyteorder("=").name if row["dtype"] else ""
            shape = tuple(int(d) for d in row["shape"].split("x")) if row["shape"] else ()
            files.append(OpenFile(
                name=row["name"], ts_uid=row["ts_uid"], ts_name=row["ts_name"],
                photometric=row["photometric"], bits_allocated=_int(row["bits_alloc"]),
                bits_stored=_int(row["bits_stored"]), signed=row["pixel_rep"] == "1",
                samples=_int(row["samples"], 1), frames=_int(row["frames"], 1),
                pydicom_ok=row["pydicom"] == "ok", dtype=dtype, stored_dtype=row["dtype"],
                shape=shape,
                sha256=row["sha256_default"]))
    return files


OPEN_FILES = load_table()


def params(files, skip_reasons=None):
    """pytest params with file names as ids; a file with a reason in
    `skip_reasons` (a function returning str or None) is marked skip, with
    the reason, so a file left out always says why."""
    out = []
    for f in files:
        reason = skip_reasons(f) if skip_reasons else None
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        out.append(pytest.param(f, id=f.name, marks=marks))
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def as_reference_shape(array, f):
    """Our [frames, rows, cols(, channels)] output in pydicom's shape."""
    return np.ascontiguousarray(array.reshape(f.shape))


def sha256_of(array, f):
    """The table's hash: over pydicom's array bytes in pydicom's dtype, which
    keeps the file's byte order for big-endian files."""
    return hashlib.sha256(np.ascontiguousarray(array.astype(f.stored_dtype)).tobytes()).hexdigest()


def pydicom_pixels(path):
    import pydicom

    array = pydicom.dcmread(path).pixel_array
    return array.astype(array.dtype.newbyteorder("="))
