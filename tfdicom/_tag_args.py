"""The tags argument of decode_dicom_data, shared by the TensorFlow op and
tfdicom.numpy (no TensorFlow here).

A tag is an integer ``(group << 16) | element`` in [0, 2**32) or a string: a
keyword (``"PatientName"``), ``"(0010,0010)"``, ``"0010,0010"``,
``"00100010"``, or a path into sequences
(``"ReferencedSeriesSequence[0].SeriesInstanceUID"``). `tags` is one tag or
a (nested, rectangular) list, tuple or NumPy array of them; integers and
strings may be mixed, in which case the integers are written as
``"(gggg,eeee)"`` strings.
"""

import numbers

import numpy as np

MAX_TAG = 0xFFFFFFFF


def tag_text(tag):
    """0x00100010 -> '(0010,0010)'."""
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _check_int(value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"decode_dicom_data: a tag cannot be a bool ({value!r})")
    value = int(value)
    if not 0 <= value <= MAX_TAG:
        raise ValueError(
            f"decode_dicom_data: {value} is not a tag: a tag is (group << 16) | element, "
            f"in [0, 0xFFFFFFFF]"
        )
    return value


def normalize(tags):
    """Returns (array, kind) in the shape of `tags`: a uint32 array when
    every tag is an integer (kind 'int'), else an object array of str (kind
    'str'). Raises TypeError or ValueError for anything else."""
    if isinstance(tags, np.ndarray) and tags.dtype.kind in "ui":
        if tags.size and (tags.min() < 0 or tags.max() > MAX_TAG):
            bad = tags[(tags < 0) | (tags > MAX_TAG)].flat[0]
            _check_int(bad)
        return tags.astype(np.uint32), "int"
    if isinstance(tags, np.ndarray) and tags.dtype.kind == "b":
        raise TypeError("decode_dicom_data: tags cannot be booleans")
    array = np.asarray(tags, dtype=object) if not isinstance(tags, np.ndarray) else tags.astype(object)
    flat = array.reshape(-1)
    kinds = set()
    for value in flat:
        if isinstance(value, (str, bytes)):
            kinds.add("str")
        elif isinstance(value, numbers.Integral):
            kinds.add("int")
        elif isinstance(value, (list, tuple)):
            raise ValueError("decode_dicom_data: tags must be a rectangular (non-ragged) list")
        else:
            raise TypeError(
                f"decode_dicom_data: a tag must be an int or a str, got {type(value).__name__} "
                f"({value!r})"
            )
    if kinds <= {"int"}:
        ints = np.array([_check_int(v) for v in flat], dtype=np.uint32)
        return ints.reshape(array.shape), "int"
    texts = np.empty(flat.shape, dtype=object)
    for i, value in enumerate(flat):
        if isinstance(value, numbers.Integral):
            texts[i] = tag_text(_check_int(value))
        elif isinstance(value, bytes):
            texts[i] = value.decode("utf-8")
        else:
            texts[i] = str(value)
    return texts.reshape(array.shape), "str"
