"""Shared fixtures: file bytes, the reference table, an eager/graph runner."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from reference_files import read_bytes  # noqa: E402,F401  (re-exported for tests)


@pytest.fixture(params=["eager", "tf.function"])
def run_op(request):
    """Calls an op eagerly or inside tf.function; the traced call must have
    the static rank the attributes promise (checked by `expect_rank`)."""
    import tensorflow as tf

    def run(fn, contents, expect_rank=None, **attrs):
        if request.param == "eager":
            return fn(tf.constant(contents), **attrs).numpy()
        traced = tf.function(lambda c: fn(c, **attrs))
        concrete = traced.get_concrete_function(tf.TensorSpec([], tf.string))
        if expect_rank is not None:
            assert concrete.structured_outputs.shape.rank == expect_rank
        return concrete(tf.constant(contents)).numpy()

    run.mode = request.param
    return run


def _decode_numpy(data, **attrs):
    import tfdicom.numpy

    return tfdicom.numpy.decode_dicom_image(data, **attrs)


def _decode_tensorflow(data, **attrs):
    import tensorflow as tf

    import tfdicom

    if "dtype" in attrs:
        attrs["dtype"] = tf.dtypes.as_dtype(attrs["dtype"])
    return tfdicom.decode_dicom_image(tf.constant(data), **attrs).numpy()


@pytest.fixture(params=["numpy", "tensorflow"])
def decode(request):
    """decode(data, **attrs) -> ndarray through tfdicom.numpy or the TF op."""
    fn = _decode_numpy if request.param == "numpy" else _decode_tensorflow
    fn.interface = request.param
    return fn


@pytest.fixture(scope="session", autouse=True)
def _clean_tmp(tmp_path_factory):
    """What a test run leaves in /tmp: nothing when it passes (pyproject.toml's
    tmp_path_retention_policy = "failed"), and when it fails only the
    directories of the failed tests, less two kinds of files that no one
    needs to see a failure:
    - the fresh virtual environments with TensorFlow that test_wheel.py
      makes (about 1.6 GB each, made again by any re-run);
    - the bytecode of TensorFlow's AutoGraph: it writes each converted
      function as a temporary file `__autograph_generated_file*.py` in the
      temporary directory and deletes it, but Python, writing bytecode by
      default, leaves its `.pyc` in `<tmp>/__pycache__/` (about 100 files per
      run, in this process and in the CLI and example subprocesses)."""
    import glob
    import shutil
    import tempfile
    import time

    started = time.time()
    yield
    for venv in glob.glob(os.path.join(str(tmp_path_factory.getbasetemp()), "fresh-venv*")):
        shutil.rmtree(venv, ignore_errors=True)
    cache = os.path.join(tempfile.gettempdir(), "__pycache__")
    for pyc in glob.glob(os.path.join(cache, "__autograph_generated_file*.pyc")):
        try:
            if os.stat(pyc).st_mtime >= started - 1:
                os.remove(pyc)
        except OSError:
            pass
    try:
        os.rmdir(cache)  # only if empty
    except OSError:
        pass
