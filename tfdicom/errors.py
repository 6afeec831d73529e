"""Exceptions of tfdicom's NumPy interface (``tfdicom.numpy``).

Every failure caused by the input is a :class:`DicomError`, itself a
``ValueError``; the subclass says which kind. The TensorFlow ops raise
``tf.errors.InvalidArgumentError`` for all of them, with the same message.
"""


class DicomError(ValueError):
    """The bytes could not be decoded as asked; the message names the cause."""


class InvalidDicomError(DicomError):
    """Not DICOM, no pixel data, or an inconsistent header."""


class UnsupportedDicomError(DicomError, NotImplementedError):
    """A transfer syntax or pixel format tfdicom does not decode."""


class CorruptDicomError(DicomError):
    """Truncated or corrupt data."""


class DicomRangeError(DicomError, OverflowError):
    """The declared value range does not fit the requested dtype."""


class DicomTooLargeError(DicomError, MemoryError):
    """The image is larger than the configured output limit."""


class DicomInternalError(RuntimeError):
    """A bug in tfdicom: please report it with the file that caused it."""


class DicomSkipWarning(UserWarning):
    """A file was skipped under ``on_error='skip'``; the message says why."""
