"""decode_dicom_image as a TensorFlow graph op (also reachable as
``tfdicom.decode_dicom_image``, where tensorflow-io users look for it)."""

import tensorflow as tf

from tfdicom import _loader

_ops = _loader.load_ops()

DEFAULT_MAX_OUTPUT_BYTES = 1 << 30


def decode_dicom_image(
    contents,
    color_dim=False,
    on_error="skip",
    scale="preserve",
    dtype=tf.uint16,
    values="stored",
    max_output_bytes=DEFAULT_MAX_OUTPUT_BYTES,
    name=None,
):
    """Decodes every frame of one DICOM file into a tensor.

    Args:
      contents: 0-D string tensor, the bytes of one DICOM file (Part 10 with
        preamble and meta header, or a bare data set).
      color_dim: False gives ``[frames, rows, columns]``; True gives
        ``[frames, rows, columns, channels]`` (channels 1, or 3 for colour,
        always RGB). The rank never depends on the file.
      on_error: 'strict' raises InvalidArgumentError naming the cause; 'skip'
        (default) returns an empty tensor of the same rank and logs why;
        'lossy' clips values that do not fit `dtype`, turns colour into
        luminance when ``color_dim=False``, and keeps the complete frames of
        truncated uncompressed data.
      scale: 'preserve' keeps values; 'auto' stretches the range the header
        declares onto the range of `dtype` (floats: [0, 1]).
      dtype: uint8, uint16 (default), uint32, uint64, int8, int16, int32,
        int64, float16, bfloat16, float32 or float64.
      values: 'stored' (default) gives the pixel values as stored; 'modality'
        applies Rescale Slope/Intercept (Hounsfield units for CT).
      max_output_bytes: larger outputs fail before anything is allocated.
      name: a name for the operation.

    Returns:
      A tensor of `dtype` and static rank 3 or 4.

    >>> import tfdicom, tfdicom.samples
    >>> data = tf.io.read_file(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
    >>> image = tfdicom.decode_dicom_image(data, dtype=tf.int16)
    >>> image.shape
    TensorShape([1, 128, 128])
    """
    return _ops.tf_dicom_decode_dicom_image(
        contents=contents,
        color_dim=color_dim,
        on_error=on_error,
        scale=scale,
        values=values,
        max_output_bytes=max_output_bytes,
        dtype=dtype,
        name=name,
    )
