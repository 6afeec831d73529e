"""tfdicom: DICOM decoding as native TensorFlow ops, and for NumPy.

``import tfdicom`` registers the ops with TensorFlow (now if TensorFlow is
already imported, else as soon as it is), so SavedModels that use them load.
``tfdicom.numpy`` and the command line work without TensorFlow.
"""

__version__ = "0.1.0"

from tfdicom import _dictionary

# Before any binary can load DCMTK's data dictionary (DCMTK loads it lazily,
# at its first use, from DCMDICTPATH): a wheel's own dictionary wins over
# DCMDICTPATH and the system's.
_dictionary.use_bundled_dictionary()

from tfdicom import _loader  # noqa: E402
from tfdicom.errors import DicomError  # noqa: E402

_loader.register_ops_with_tensorflow()

# Names that import TensorFlow, and submodules, are loaded on first use.
_TENSORFLOW_NAMES = {
    "decode_dicom_image": "tfdicom.image",
    "decode_dicom_data": "tfdicom.data",
    "decode_dicom_json": "tfdicom.data",
}
_SUBMODULES = {"image", "data", "numpy", "samples", "errors", "tags", "keras"}


def __getattr__(name):
    import importlib

    if name in _TENSORFLOW_NAMES:
        return getattr(importlib.import_module(_TENSORFLOW_NAMES[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"tfdicom.{name}")
    raise AttributeError(f"module 'tfdicom' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_TENSORFLOW_NAMES) | _SUBMODULES)
