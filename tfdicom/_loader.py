"""Loads the op library ``_tfdicom_ops.so`` once, after checking that the
installed TensorFlow is the minor version it was built against."""

import importlib.abc
import importlib.util
import os
import sys
import threading

_lock = threading.Lock()
_ops = None


def _minor(version):
    return ".".join(version.split(".")[:2])


def check_tensorflow_version(installed, built):
    """Raises ImportError unless `installed` and `built` share major.minor."""
    if _minor(installed) != _minor(built):
        raise ImportError(
            f"tfdicom's op library was built against TensorFlow {built}, but "
            f"TensorFlow {installed} is installed; a custom-op library only loads "
            f"into the TensorFlow minor version it was built for. Install "
            f"'tensorflow-cpu=={_minor(built)}.*' or rebuild tfdicom against "
            f"TensorFlow {installed}."
        )


def load_ops():
    """Returns the loaded op module, loading it on first use."""
    global _ops
    with _lock:
        if _ops is None:
            import tensorflow as tf

            from tfdicom import _build_info

            check_tensorflow_version(tf.__version__, _build_info.TF_VERSION)
            path = os.path.join(os.path.dirname(__file__), "_tfdicom_ops.so")
            _ops = tf.load_op_library(path)
            tf.no_gradient("TFDicom>DecodeDicomImage")
    return _ops


class _LoadOpsAfterTensorFlow(importlib.abc.MetaPathFinder):
    """Loads the ops as soon as TensorFlow finishes importing, so that
    ``import tfdicom`` before ``import tensorflow`` still registers them
    (``tf.saved_model.load`` needs them registered)."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_load(module):
            exec_module(module)
            load_ops()

        spec.loader.exec_module = exec_then_load
        return spec


def register_ops_with_tensorflow():
    """Loads the ops now if TensorFlow is imported, else right after it is.

    Keeps ``import tfdicom`` (and ``tfdicom.numpy``, the command line) from
    importing TensorFlow by itself."""
    if "tensorflow" in sys.modules:
        load_ops()
    elif not any(isinstance(f, _LoadOpsAfterTensorFlow) for f in sys.meta_path):
        sys.meta_path.insert(0, _LoadOpsAfterTensorFlow())
