"""Loading: the op library loads once, refuses a TensorFlow of another minor
version by name, registers with TensorFlow whatever the import order, and
tfdicom.numpy never imports TensorFlow."""

import os
import subprocess
import sys
import textwrap

import pytest

from tfdicom import _loader

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, tmp_path=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            capture_output=True, text=True, cwd=tmp_path or ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_version_mismatch_names_both_versions():
    with pytest.raises(ImportError, match=r"built against TensorFlow 2\.21\.0, but TensorFlow"
                                          r" 2\.22\.1 is installed.*tensorflow-cpu==2\.21\.\*"):
        _loader.check_tensorflow_version("2.22.1", "2.21.0")
    _loader.check_tensorflow_version("2.21.3", "2.21.0")  # patch releases are fine


def test_numpy_interface_does_not_import_tensorflow():
    out = run_python("""
        import sys
        import tfdicom, tfdicom.numpy, tfdicom.samples
        data = open(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"), "rb").read()
        print(tfdicom.numpy.decode_dicom_image(data, dtype="int16").shape)
        print("tensorflow" in sys.modules)
    """)
    assert out.split() == ["(1,", "128,", "128)", "False"]


@pytest.mark.parametrize("order", ["tfdicom_first", "tensorflow_first"])
def test_import_registers_the_op_in_either_order(order):
    imports = ("import tfdicom\nimport tensorflow as tf" if order == "tfdicom_first"
               else "import tensorflow as tf\nimport tfdicom")
    out = run_python(imports + """
from tensorflow.python.framework import op_def_registry
print(op_def_registry.get("TFDicom>DecodeDicomImage") is not None)
""")
    assert out.strip() == "True"


def test_saved_model_loads_in_a_fresh_process_after_import_tfdicom(tmp_path):
    import tensorflow as tf

    import tfdicom

    class Decoder(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, contents):
            return tfdicom.decode_dicom_image(contents, dtype=tf.float32, values="modality")

    tf.saved_model.save(Decoder(), str(tmp_path / "model"))
    out = run_python(f"""
        import tfdicom, tfdicom.samples
        import tensorflow as tf
        model = tf.saved_model.load({str(tmp_path / "model")!r})
        data = tf.io.read_file(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
        image = model(data)
        print(image.shape, float(tf.reduce_min(image)))
    """)
    assert out.strip() == "(1, 128, 128) -3024.0"
