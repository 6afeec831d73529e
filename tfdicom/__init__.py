"""tfdicom: DICOM decoding as native TensorFlow ops, and for NumPy.

``import tfdicom`` registers the ops with TensorFlow (now if TensorFlow is
already imported, else as soon as it is), so SavedModels that use them load.
``tfdicom.numpy`` and the command line work without TensorFlow.
"""

__version__ = "0.1.0"

from tfdicom import _loader
from tfdicom.errors import DicomError

_loader.register_ops_with_tensorflow()

_TENSORFLOW_NAMES = {"decode_dicom_image": "tfdicom.image"}


def __getattr__(name):
    if name in _TENSORFLOW_NAMES:
        import importlib

        return getattr(importlib.import_module(_TENSORFLOW_NAMES[name]), name)
    raise AttributeError(f"module 'tfdicom' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_TENSORFLOW_NAMES))
