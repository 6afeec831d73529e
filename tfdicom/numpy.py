"""tfdicom for NumPy: the same decoder as the TensorFlow ops, without
importing TensorFlow.

>>> import tfdicom.numpy as tdn, tfdicom.samples
>>> data = open(tfdicom.samples.path("mr/mr_slice1_explicit_le.dcm"), "rb").read()
>>> tdn.decode_dicom_image(data).shape
(1, 96, 96)
"""

import warnings

import numpy as np

from tfdicom import _core
from tfdicom.errors import DicomSkipWarning

DEFAULT_MAX_OUTPUT_BYTES = _core.DEFAULT_MAX_OUTPUT_BYTES


def _dtype_name(dtype):
    """The name of a NumPy dtype, a TensorFlow DType or a string."""
    if isinstance(dtype, str):
        return dtype
    name = getattr(dtype, "name", None)  # tf.DType, np.dtype, ml_dtypes types
    if isinstance(name, str):
        return name
    return np.dtype(dtype).name


def _bfloat16():
    try:
        import ml_dtypes
    except ImportError as e:
        raise ImportError("dtype='bfloat16' needs the ml_dtypes package") from e
    return ml_dtypes.bfloat16


def decode_dicom_image(
    data,
    *,
    color_dim=False,
    on_error="skip",
    scale="preserve",
    dtype="uint16",
    values="stored",
    max_output_bytes=DEFAULT_MAX_OUTPUT_BYTES,
):
    """Decodes every frame of one DICOM file into a NumPy array.

    The same arguments and results as :func:`tfdicom.decode_dicom_image`;
    `dtype` is a NumPy dtype, a TensorFlow DType or a name. Failures under
    'strict' raise a :class:`tfdicom.errors.DicomError` subclass; under 'skip'
    an empty array of the same rank comes back with a DicomSkipWarning.
    """
    name = _dtype_name(dtype)
    array, skip_reason = _core.decode_image(
        bytes(data), color_dim, on_error, scale, name, values, int(max_output_bytes)
    )
    if skip_reason is not None:
        warnings.warn(
            f"tfdicom skipped a file (on_error={on_error!r}): {skip_reason}",
            DicomSkipWarning,
            stacklevel=2,
        )
    if name == "bfloat16":
        array = array.view(_bfloat16())
    return array


def decode_dicom_data(data, tags):
    """Returns the values of DICOM tags as text.

    The same tags and values as :func:`tfdicom.decode_dicom_data`: `tags` is
    one tag or a (nested) list or array of them, integers
    ``(group << 16) | element`` or strings (keywords, ``"(0010,0010)"``,
    paths into sequences). Returns a NumPy object array of ``str`` in the
    shape of `tags` (0-d for one tag). Bytes that are not DICOM raise
    :class:`tfdicom.errors.InvalidDicomError`; a malformed tag raises
    ValueError.

    >>> import tfdicom.numpy as tdn, tfdicom.samples
    >>> data = open(tfdicom.samples.path("ct/ct_slice1_explicit_le.dcm"), "rb").read()
    >>> tdn.decode_dicom_data(data, ["Modality", "PixelSpacing"])
    array(['CT', '1.953125\\\\1.953125'], dtype=object)
    """
    from tfdicom import _tag_args

    array, kind = _tag_args.normalize(tags)
    flat = array.reshape(-1)
    if kind == "int":
        values = _core.decode_data_tags(bytes(data), flat)
    else:
        values = _core.decode_data_paths(bytes(data), list(flat))
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(array.shape)


def decode_dicom_json(data):
    """Returns one DICOM file's data set as DICOM JSON (PS3.18 F.2), a
    ``str``: the same text as :func:`tfdicom.decode_dicom_json`."""
    return _core.decode_json(bytes(data))


def describe_transfer_syntax(uid):
    """'1.2.840.10008.1.2.4.90 (JPEG 2000 Image Compression (Lossless Only))'."""
    return _core.describe_transfer_syntax(uid)
