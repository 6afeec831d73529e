"""The TensorFlow glue of decode_dicom_data and decode_dicom_json: the shape
function, every tags dtype, tf.function, tf.data with parallel calls and a
SavedModel. Values are checked against tfdicom.numpy, which
test_decode_data.py checks against pydicom."""

import json

import numpy as np
import pytest
import tensorflow as tf

import tfdicom
import tfdicom.numpy
import tfdicom.samples
from reference_files import OPEN_FILES, read_bytes
from test_loader import run_python
from tfdicom import tags

CT = "ct/ct_slice1_explicit_le.dcm"
TAG_MATRIX = [[tags.Modality, tags.Rows, tags.Columns],
              [tags.PixelSpacing, tags.PatientName, tags.TransferSyntaxUID]]


@pytest.fixture(scope="module")
def ct():
    return read_bytes(tfdicom.samples.path(CT))


def expected(data, tag_values):
    return tfdicom.numpy.decode_dicom_data(data, tag_values)


def as_text(array):
    return np.vectorize(lambda b: b.decode("utf-8"), otypes=[object])(array)


@pytest.mark.parametrize("spec,static", [
    (tf.TensorSpec([2, 3], tf.uint32), [2, 3]),
    (tf.TensorSpec([None, 3], tf.int64), [None, 3]),
    (tf.TensorSpec([], tf.int32), []),
    (tf.TensorSpec([None], tf.string), [None]),
    (tf.TensorSpec(None, tf.uint32), None),
], ids=["matrix_uint32", "batch_int64", "scalar_int32", "vector_string", "unknown_rank"])
def test_shape_function_gives_the_shape_of_tags(spec, static, ct):
    fn = tf.function(lambda c, t: tfdicom.decode_dicom_data(c, t))
    concrete = fn.get_concrete_function(tf.TensorSpec([], tf.string), spec)
    out = concrete.structured_outputs
    assert out.dtype == tf.string
    assert (out.shape.as_list() if out.shape.rank is not None else None) == static
    values = {tf.string: "Modality", tf.uint32: tags.Modality, tf.int64: tags.Modality,
              tf.int32: tags.Modality}[spec.dtype]
    shape = [d or 2 for d in spec.shape] if spec.shape.rank is not None else [1, 2]
    tag_tensor = tf.fill(shape, tf.constant(values, spec.dtype))
    result = np.asarray(concrete(tf.constant(ct), tag_tensor).numpy(), dtype=object)
    assert result.shape == tuple(shape)
    assert set(np.asarray(result, dtype=object).reshape(-1)) == {b"CT"}


def test_contents_must_be_a_scalar():
    fn = tf.function(lambda c: tfdicom.decode_dicom_data(c, [tags.Rows]))
    with pytest.raises(ValueError, match="must be rank 0"):
        fn.get_concrete_function(tf.TensorSpec([2], tf.string))
    fn = tf.function(lambda c: tfdicom.decode_dicom_json(c))
    with pytest.raises(ValueError, match="must be rank 0"):
        fn.get_concrete_function(tf.TensorSpec([2], tf.string))


@pytest.mark.parametrize("make", [
    lambda: tf.constant(TAG_MATRIX, tf.uint32),
    lambda: tf.constant(TAG_MATRIX, tf.int64),
    lambda: tf.constant(TAG_MATRIX, tf.int32),
    lambda: tf.constant(TAG_MATRIX, tf.uint64),
    lambda: tf.Variable(tf.constant(TAG_MATRIX, tf.int64)),
    lambda: TAG_MATRIX,
    lambda: np.array(TAG_MATRIX, np.int64),
    lambda: np.array(TAG_MATRIX, np.uint32),
    lambda: tf.constant([["Modality", "Rows", "(0028,0011)"],
                         ["PixelSpacing", "00100010", "TransferSyntaxUID"]]),
    lambda: [["Modality", tags.Rows, "(0028,0011)"],
             [b"PixelSpacing", tags.PatientName, "TransferSyntaxUID"]],
], ids=["uint32", "int64", "int32", "uint64_cast", "variable", "python_list", "numpy_int64",
        "numpy_uint32", "string_tensor", "mixed_list"])
def test_every_kind_of_tags_gives_the_same_values(make, ct):
    got = as_text(tfdicom.decode_dicom_data(tf.constant(ct), make()).numpy())
    np.testing.assert_array_equal(got, expected(ct, TAG_MATRIX))
    assert got[0, 0] == "CT" and got[0, 1] == "128"


def test_a_float_tensor_is_refused():
    with pytest.raises(TypeError, match="integer or string tensor, got float32"):
        tfdicom.decode_dicom_data(tf.constant(b""), tf.constant([1.0]))


@pytest.mark.parametrize("dtype,value", [(tf.int64, -1), (tf.int64, 1 << 32), (tf.int32, -5)])
def test_integer_tensors_outside_32_bits_are_refused(dtype, value, ct):
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"tags\[1\] = {value} is not a tag"):
        tfdicom.decode_dicom_data(tf.constant(ct), tf.constant([tags.Rows, value], dtype))


def test_bad_string_tag_names_its_index(ct):
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"tags\[2\] = 'Rowz': unknown keyword 'Rowz'"):
        tfdicom.decode_dicom_data(tf.constant(ct), tf.constant(["Rows", "Columns", "Rowz"]))


def test_ops_in_tf_function_equal_eager(run_op, ct):
    values = run_op(lambda c: tfdicom.decode_dicom_data(c, TAG_MATRIX), ct, expect_rank=2)
    np.testing.assert_array_equal(as_text(values), expected(ct, TAG_MATRIX))
    text = run_op(tfdicom.decode_dicom_json, ct, expect_rank=0)
    assert text.decode("utf-8") == tfdicom.numpy.decode_dicom_json(ct)


def test_parallel_tf_data_map_equals_sequential_decodes():
    paths = tfdicom.samples.all_paths() + [f.path() for f in OPEN_FILES[:40]
                                           if f.name != "SC_rgb_jpeg.dcm"]
    paths = paths * 2
    tag_list = ["PatientName", "Rows", "PixelSpacing", "ImageType", "SOPInstanceUID",
                "TransferSyntaxUID", "ReferencedImageSequence[0].ReferencedSOPInstanceUID"]
    dataset = tf.data.Dataset.from_tensor_slices(paths).map(
        lambda p: (tfdicom.decode_dicom_data(tf.io.read_file(p), tag_list),
                   tfdicom.decode_dicom_json(tf.io.read_file(p))),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    results = list(dataset.as_numpy_iterator())
    assert len(results) == len(paths)
    for path, (values, text) in zip(paths, results):
        data = read_bytes(path)
        np.testing.assert_array_equal(as_text(values), expected(data, tag_list))
        assert text.decode("utf-8") == tfdicom.numpy.decode_dicom_json(data)


def test_tf_data_of_bytes_with_a_bad_file_raises():
    good = read_bytes(tfdicom.samples.path(CT))
    dataset = tf.data.Dataset.from_tensor_slices([good, b"not dicom"]).map(
        lambda c: tfdicom.decode_dicom_data(c, [tags.Rows]))
    iterator = iter(dataset)
    assert next(iterator).numpy().tolist() == [b"128"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not DICOM"):
        next(iterator)


def test_json_op_gives_one_parsable_string(ct):
    text = tfdicom.decode_dicom_json(tf.constant(ct))
    assert text.shape == () and text.dtype == tf.string
    parsed = json.loads(text.numpy())
    assert parsed["00080060"] == {"vr": "CS", "Value": ["CT"]}


def test_saved_model_with_data_ops_loads_in_a_fresh_process(tmp_path):
    class Reader(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([], tf.string)])
        def __call__(self, contents):
            return {"values": tfdicom.decode_dicom_data(contents, [tags.Modality, tags.Rows]),
                    "json": tfdicom.decode_dicom_json(contents)}

    tf.saved_model.save(Reader(), str(tmp_path / "model"))
    out = run_python(f"""
        import json
        import tfdicom, tfdicom.samples
        import tensorflow as tf
        model = tf.saved_model.load({str(tmp_path / "model")!r})
        out = model(tf.io.read_file(tfdicom.samples.path({CT!r})))
        print(out["values"].numpy().tolist(), json.loads(out["json"].numpy())["00280010"])
    """)
    assert out.strip() == "[b'CT', b'128'] {'vr': 'US', 'Value': [128]}"


def test_functions_are_reachable_where_tensorflow_io_users_look():
    import tfdicom.data

    assert tfdicom.decode_dicom_data is tfdicom.data.decode_dicom_data
    assert tfdicom.decode_dicom_json is tfdicom.data.decode_dicom_json
