"""Small synthetic DICOM files that ship with tfdicom (see README.md here,
made by tools/make_samples.py)."""

import os

DIRECTORY = os.path.dirname(os.path.abspath(__file__))


def path(name):
    """The absolute path of the sample `name`, e.g. 'ct/ct_slice1_explicit_le.dcm'."""
    full = os.path.join(DIRECTORY, name)
    if not os.path.isfile(full):
        raise FileNotFoundError(f"no tfdicom sample named {name!r} in {DIRECTORY}")
    return full


def all_paths():
    """Every sample file, sorted."""
    found = []
    for root, _, files in os.walk(DIRECTORY):
        found += [os.path.join(root, f) for f in files if f.endswith(".dcm")]
    return sorted(found)
