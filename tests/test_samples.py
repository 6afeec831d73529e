"""The samples that ship with tfdicom: intact (manifest hashes), decoded
equal to pydicom, and every compressed copy equal to its uncompressed twin."""

import csv
import hashlib
import os

import numpy as np
import pydicom
import pytest

import tfdicom.numpy
import tfdicom.samples
from reference_files import read_bytes

MANIFEST = os.path.join(tfdicom.samples.DIRECTORY, "MANIFEST.tsv")
with open(MANIFEST, newline="") as f:
    ROWS = list(csv.DictReader(f, delimiter="\t"))

UNCOMPRESSED = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}
TWINS = {
    "mr/mr_slice2_rle.dcm": "mr/mr_slice2_explicit_le.dcm",
    "mr/mr_slice3_jpegls_lossless.dcm": "mr/mr_slice3_explicit_le.dcm",
    "us/us_cine8_jpeg_lossless_sv1.dcm": "us/us_cine8_explicit_le.dcm",
}


def decode(name):
    return tfdicom.numpy.decode_dicom_image(read_bytes(tfdicom.samples.path(name)),
                                            dtype="int32", on_error="strict")


def test_manifest_lists_every_sample_with_its_hash():
    listed = {row["path"] for row in ROWS}
    on_disk = {os.path.relpath(p, tfdicom.samples.DIRECTORY)
               for p in tfdicom.samples.all_paths()}
    assert listed == on_disk
    for row in ROWS:
        digest = hashlib.sha256(read_bytes(tfdicom.samples.path(row["path"]))).hexdigest()
        assert digest == row["sha256"], row["path"]
    assert sum(int(row["size_bytes"]) for row in ROWS) < 1_000_000


@pytest.mark.parametrize("row", [r for r in ROWS if r["transfer_syntax_uid"] in UNCOMPRESSED],
                         ids=lambda r: r["path"])
def test_uncompressed_sample_equals_pydicom(row):
    ds = pydicom.dcmread(tfdicom.samples.path(row["path"]))
    expected = ds.pixel_array.reshape(int(row["frames"]), ds.Rows, ds.Columns)
    np.testing.assert_array_equal(decode(row["path"]), expected)


@pytest.mark.parametrize("compressed,twin", sorted(TWINS.items()))
def test_lossless_copy_equals_its_uncompressed_twin(compressed, twin):
    np.testing.assert_array_equal(decode(compressed), decode(twin))
