"""decode_dicom_data and decode_dicom_json as TensorFlow graph ops (also
reachable as ``tfdicom.decode_dicom_data`` and ``tfdicom.decode_dicom_json``,
where tensorflow-io users look for them)."""

import tensorflow as tf

from tfdicom import _loader, _tag_args

_ops = _loader.load_ops()

# Tensor dtypes the op takes as they are; other integer tensors are cast to
# int64 first (the op rejects values outside [0, 2**32)).
_NATIVE_DTYPES = (tf.uint32, tf.int64, tf.int32, tf.string)
_CAST_DTYPES = (tf.uint8, tf.uint16, tf.uint64, tf.int8, tf.int16)


def _tags_tensor(tags):
    if isinstance(tags, (tf.Tensor, tf.Variable)) or tf.is_tensor(tags):
        if tags.dtype in _NATIVE_DTYPES:
            return tags
        if tags.dtype in _CAST_DTYPES:
            return tf.cast(tags, tf.int64)
        raise TypeError(
            f"decode_dicom_data: tags must be an integer or string tensor, got {tags.dtype.name}"
        )
    array, _ = _tag_args.normalize(tags)
    return tf.constant(array)


def decode_dicom_data(contents, tags, name=None):
    """Returns the values of DICOM tags as UTF-8 strings.

    Args:
      contents: 0-D string tensor, the bytes of one DICOM file.
      tags: the tags to read, of any shape: integers ``(group << 16) |
        element`` (``tfdicom.tags.PatientName``; a uint32, int32 or int64
        tensor, or a Python list of them, which tensorflow-io rejected), or
        strings: keywords (``"PatientName"``), tags (``"(0010,0010)"``,
        ``"00100010"``) and paths into sequences
        (``"ReferencedSeriesSequence[0].SeriesInstanceUID"``). A Python list
        may mix integers and strings. Each tag is looked up on its own.
      name: a name for the operation.

    Returns:
      A string tensor in the shape of `tags`: each tag's value as UTF-8 text.
      An absent tag (or a path through a missing item) gives ``b''``. Several
      values are joined by a backslash. Text is decoded by Specific Character
      Set; numbers are as the file writes them (DS, IS) or in decimal (US,
      SL, ...); FL and FD as Python's repr(float); OB, OW, UN and other
      binary values in base64 of their little-endian bytes; a sequence gives
      its number of items. See README.md.

    Raises:
      tf.errors.InvalidArgumentError: `contents` is not DICOM, is cut short
        before an element it needs, or a tag is malformed.

    >>> import tfdicom, tfdicom.samples
    >>> from tfdicom import tags
    >>> data = tf.io.read_file(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
    >>> tfdicom.decode_dicom_data(data, [tags.Modality, tags.Rows]).numpy()
    array([b'CT', b'128'], dtype=object)
    """
    return _ops.tf_dicom_decode_dicom_data(contents=contents, tags=_tags_tensor(tags), name=name)


def decode_dicom_json(contents, name=None):
    """Returns one DICOM file's data set as DICOM JSON (PS3.18 F.2).

    Args:
      contents: 0-D string tensor, the bytes of one DICOM file.
      name: a name for the operation.

    Returns:
      A 0-D string tensor: one compact JSON object, keyed by "ggggeeee", in
      UTF-8. Without the meta header (group 0002) and without the pixel data
      and what follows it; other binary values are InlineBinary. Every
      (0008,0005) naming another character set reads "ISO_IR 192", which
      the JSON text is.

    >>> import json, tfdicom, tfdicom.samples
    >>> data = tf.io.read_file(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"))
    >>> json.loads(tfdicom.decode_dicom_json(data).numpy())["00080060"]
    {'vr': 'CS', 'Value': ['CT']}
    """
    return _ops.tf_dicom_decode_dicom_json(contents=contents, name=name)
