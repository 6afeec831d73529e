"""The TensorFlow glue: static shapes and dtypes in graphs, every attribute
combination, tf.function and tf.data with parallel calls."""

import itertools

import numpy as np
import pytest
import tensorflow as tf

import tfdicom
import tfdicom.samples
from reference_files import read_bytes

DTYPES = [tf.uint8, tf.uint16, tf.uint32, tf.uint64, tf.int8, tf.int16, tf.int32, tf.int64,
          tf.float16, tf.bfloat16, tf.float32, tf.float64]


@pytest.mark.parametrize(
    "color_dim,on_error,scale,values",
    list(itertools.product([False, True], ["strict", "skip", "lossy"], ["preserve", "auto"],
                           ["stored", "modality", "display"])))
def test_every_attribute_combination_has_static_rank_and_dtype(color_dim, on_error, scale,
                                                               values):
    for dtype in DTYPES:
        fn = tf.function(lambda c: tfdicom.decode_dicom_image(
            c, color_dim=color_dim, on_error=on_error, scale=scale, dtype=dtype, values=values))
        out = fn.get_concrete_function(tf.TensorSpec([], tf.string)).structured_outputs
        assert out.dtype == dtype
        assert out.shape.rank == (4 if color_dim else 3)


@pytest.mark.parametrize("color_dim", [False, True])
def test_op_in_tf_function_equals_eager(color_dim, run_op):
    data = read_bytes(tfdicom.samples.path("us/us_cine8_explicit_le.dcm"))
    image = run_op(tfdicom.decode_dicom_image, data, expect_rank=4 if color_dim else 3,
                   color_dim=color_dim, dtype=tf.uint8)
    expected = tfdicom.numpy.decode_dicom_image(data, dtype="uint8", color_dim=color_dim)
    np.testing.assert_array_equal(image, expected)
    assert image.shape == ((8, 64, 80, 1) if color_dim else (8, 64, 80))


def test_contents_must_be_a_scalar():
    fn = tf.function(lambda c: tfdicom.decode_dicom_image(c))
    with pytest.raises(ValueError, match="must be rank 0"):
        fn.get_concrete_function(tf.TensorSpec([2], tf.string))


def test_parallel_tf_data_map_equals_sequential_decodes():
    files = tfdicom.samples.all_paths() * 4
    expected = [tfdicom.numpy.decode_dicom_image(read_bytes(f), dtype="int32") for f in files]
    dataset = tf.data.Dataset.from_tensor_slices(files).map(
        lambda p: tfdicom.decode_dicom_image(tf.io.read_file(p), dtype=tf.int32,
                                             on_error="strict"),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    results = [image.numpy() for image in dataset]
    assert len(results) == len(expected)
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


def test_skipped_files_can_be_filtered_out_of_a_dataset():
    good = read_bytes(tfdicom.samples.path("mr/mr_slice1_explicit_le.dcm"))
    dataset = tf.data.Dataset.from_tensor_slices([good, b"not dicom", good[:500], good]).map(
        lambda c: tfdicom.decode_dicom_image(c)).filter(lambda image: tf.size(image) > 0)
    shapes = [tuple(image.shape) for image in dataset]
    assert shapes == [(1, 96, 96), (1, 96, 96)]


def test_decode_is_reachable_where_tensorflow_io_users_look():
    import tfdicom.image

    assert tfdicom.image.decode_dicom_image is tfdicom.decode_dicom_image
