"""DICOM for Keras: a drop-in for ``keras.utils.image_dataset_from_directory``
that reads DICOM files, and a layer that decodes raw DICOM bytes inside a
model (so a served model takes DICOM files as they come).

Images come out as Keras's do: float32 ``[height, width, channels]``. By
default they are the 8-bit display rendering (``values='display'``: modality
LUT or rescale, the file's first window, MONOCHROME1 inverted) stretched onto
[0, 255], exactly what a DICOM-to-PNG conversion would have given, without
the PNGs. Other value levels keep their units: ``values='modality',
scale='preserve'`` gives Hounsfield units for CT; ``window=(center, width)``
applies your own window to the modality values instead of the file's.

Multi-frame files: the first frame is used (one file, one sample, as Keras
does with animated GIFs).
"""

import os
import sys

import numpy as np
import tensorflow as tf

from tfdicom import image as _image

_DICOM_EXTENSIONS = (".dcm", ".dicom", ".dic")


def _is_dicom_without_extension(path):
    """True for files without an extension that carry the DICOM prefix."""
    if os.path.splitext(path)[1]:
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(132)
    except OSError:
        return False
    return len(head) == 132 and head[128:] == b"DICM"


def _valid_files(directory, follow_links):
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for name in sorted(files):
            path = os.path.join(root, name)
            if name.lower().endswith(_DICOM_EXTENSIONS) or _is_dicom_without_extension(path):
                yield path


def index_directory(directory, labels="inferred", class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists DICOM files and their labels the way Keras's ``index_directory``
    lists images: class subdirectories in sorted order (or ``class_names``'
    order), files sorted within them, then shuffled with
    ``np.random.RandomState(seed)``. Returns (paths, labels, class_names)."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    f"The `class_names` passed did not match the names of the subdirectories "
                    f"of the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("`class_names` can only be given with labels='inferred'")
        subdirs = [""]
    class_names = subdirs
    paths, file_labels = [], []
    for index, subdir in enumerate(subdirs):
        found = list(_valid_files(os.path.join(directory, subdir), follow_links))
        paths += found
        file_labels += [index] * len(found)
    if labels == "inferred":
        labels = np.asarray(file_labels, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(
                f"Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(paths)} files in "
                f"directory {directory}.")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def _split(paths, labels, validation_split, subset):
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    if subset == "training":
        print(f"Using {len(paths) - count} files for training.")
        return paths[:-count], (labels[:-count] if labels is not None else None)
    if subset == "validation":
        print(f"Using {count} files for validation.")
        return paths[-count:], (labels[-count:] if labels is not None else None)
    raise ValueError(f'`subset` must be "training", "validation" or "both", got {subset!r}')


def decode_for_model(contents, image_size, color_mode="rgb", values="display",
                     dtype=tf.uint8, scale="auto", window=None, interpolation="bilinear",
                     crop_to_aspect_ratio=False, on_failure="empty"):
    """One DICOM file's bytes -> float32 [height, width, channels] of its
    first frame. A file that cannot be decoded gives an empty [0, 0,
    channels] tensor (``on_failure='empty'``, for filtering) or zeros of the
    full size (``'zeros'``, for models that must answer)."""
    channels = {"grayscale": 1, "rgb": 3}[color_mode]
    height, width = image_size
    if window is not None:
        center, window_width = (float(v) for v in window)
        image = _image.decode_dicom_image(contents, color_dim=True, dtype=tf.float32,
                                          values="modality")
        low = center - window_width / 2
        image = tf.clip_by_value((image - low) / window_width, 0.0, 1.0) * 255.0
    else:
        image = tf.cast(_image.decode_dicom_image(contents, color_dim=True, dtype=dtype,
                                                  scale=scale, values=values), tf.float32)

    def first_frame():
        frame = image[0]
        if channels == 3:
            frame = tf.cond(tf.shape(frame)[-1] == 1, lambda: tf.tile(frame, [1, 1, 3]),
                            lambda: frame)
        else:
            frame = tf.cond(tf.shape(frame)[-1] == 3, lambda: tf.image.rgb_to_grayscale(frame),
                            lambda: frame)
        frame = tf.ensure_shape(frame, [None, None, channels])
        if crop_to_aspect_ratio:
            from keras.src.utils import image_utils

            frame = image_utils.smart_resize(frame, image_size, interpolation=interpolation)
        else:
            frame = tf.image.resize(frame, image_size, method=interpolation)
        return tf.ensure_shape(frame, [height, width, channels])

    if on_failure == "zeros":
        failed = lambda: tf.zeros([height, width, channels], tf.float32)  # noqa: E731
    else:
        failed = lambda: tf.zeros([0, 0, channels], tf.float32)  # noqa: E731
    return tf.cond(tf.size(image) > 0, first_frame, failed)


def _report_skipped(path, image):
    """Keeps decoded images; prints every file that could not be decoded."""
    ok = tf.size(image) > 0

    def report():
        tf.print("tfdicom: skipped", path, "(could not be decoded; see the logged reason)",
                 output_stream=sys.stderr)
        return ok

    return tf.cond(ok, lambda: ok, report)


def dicom_dataset_from_directory(
    directory, labels="inferred", label_mode="int", class_names=None, color_mode="rgb",
    batch_size=32, image_size=(256, 256), shuffle=True, seed=None, validation_split=None,
    subset=None, interpolation="bilinear", follow_links=False, crop_to_aspect_ratio=False,
    verbose=True, values="display", dtype=tf.uint8, scale="auto", window=None):
    """``keras.utils.image_dataset_from_directory`` for DICOM files.

    The same arguments, ordering, shuffling, splitting, labels and
    ``class_names`` as Keras's function (see its documentation), reading
    ``.dcm``/``.dicom``/``.dic`` files and files without an extension that
    carry the DICOM prefix. ``color_mode`` is 'rgb' (grey images repeated on
    three channels) or 'grayscale'. The decode options ``values``, ``dtype``,
    ``scale`` and ``window=(center, width)`` choose the pixel values (see the
    module docstring); the images are float32 like Keras's. Files that cannot
    be decoded are left out and each is printed to stderr with the op's
    logged reason, never silently dropped.
    """
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError("`labels` must be 'inferred', None, or a list/tuple of integers, "
                         f"got {labels!r}")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f"`label_mode` must be 'int', 'categorical', 'binary' or None, "
                         f"got {label_mode!r}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if color_mode not in ("rgb", "grayscale"):
        raise ValueError(f"`color_mode` must be 'rgb' or 'grayscale', got {color_mode!r}")
    if validation_split and (subset is None or not 0 < validation_split < 1):
        raise ValueError("`validation_split` must be in (0, 1) and needs `subset`")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must "
                         "provide a `seed` argument, to make sure that there is no overlap "
                         "between the training and validation subset.")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, file_labels, class_names = index_directory(
        directory, labels, class_names=class_names, shuffle=shuffle, seed=seed,
        follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    buffer_size = batch_size * 8 if batch_size is not None else 1024
    options = dict(image_size=tuple(image_size), color_mode=color_mode, values=values,
                   dtype=dtype, scale=scale, window=window, interpolation=interpolation,
                   crop_to_aspect_ratio=crop_to_aspect_ratio)

    def build(subset_paths, subset_labels, shuffle_subset):
        ds = tf.data.Dataset.from_tensor_slices(subset_paths)
        if label_mode:
            ys = tf.data.Dataset.from_tensor_slices(subset_labels)
            if label_mode == "binary":
                ys = ys.map(lambda y: tf.expand_dims(tf.cast(y, "float32"), -1))  # noqa: E731
            elif label_mode == "categorical":
                ys = ys.map(lambda label: tf.one_hot(label, len(class_names)))
            ds = tf.data.Dataset.zip((ds, ys))
        if shuffle_subset:
            ds = ds.shuffle(buffer_size=buffer_size, seed=seed)
        def load(path, *label):
            return (path, decode_for_model(tf.io.read_file(path), **options)) + label

        def decoded(path, image, *label):
            return _report_skipped(path, image)

        def without_path(path, image, *label):
            return (image,) + label if label else image

        ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE)
        ds = ds.filter(decoded).map(without_path)
        if batch_size is not None:
            ds = ds.batch(batch_size)
        ds = ds.prefetch(tf.data.AUTOTUNE)
        ds.class_names = class_names
        ds.file_paths = list(subset_paths)
        return ds

    if subset == "both":
        train = build(*_split(paths, file_labels, validation_split, "training"), shuffle)
        val = build(*_split(paths, file_labels, validation_split, "validation"), False)
        return train, val
    return build(*_split(paths, file_labels, validation_split, subset), shuffle)


@tf.keras.utils.register_keras_serializable(package="tfdicom")
class DecodeDicom(tf.keras.layers.Layer):
    """A batch of DICOM byte strings -> float32 [batch, height, width, channels].

    The first layer of a model that serves raw DICOM files. Same options as
    ``dicom_dataset_from_directory``; a file that cannot be decoded gives an
    all-zero image (a served model must answer for every input) and logs why.
    """

    def __init__(self, image_size=(256, 256), color_mode="rgb", values="display",
                 dtype_out="uint8", scale="auto", window=None, interpolation="bilinear",
                 **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.image_size = tuple(image_size)
        self.color_mode = color_mode
        self.values = values
        self.dtype_out = dtype_out
        self.scale = scale
        self.window = tuple(window) if window is not None else None
        self.interpolation = interpolation

    def _decode_one(self, contents):
        return decode_for_model(contents, self.image_size, self.color_mode, self.values,
                                tf.dtypes.as_dtype(self.dtype_out), self.scale, self.window,
                                self.interpolation, on_failure="zeros")

    def call(self, inputs):
        channels = 3 if self.color_mode == "rgb" else 1
        return tf.map_fn(
            self._decode_one, tf.reshape(inputs, [-1]),
            fn_output_signature=tf.TensorSpec([self.image_size[0], self.image_size[1], channels],
                                              tf.float32))

    def compute_output_shape(self, input_shape):
        channels = 3 if self.color_mode == "rgb" else 1
        return (input_shape[0], self.image_size[0], self.image_size[1], channels)

    def get_config(self):
        config = super().get_config()
        config.update(image_size=self.image_size, color_mode=self.color_mode,
                      values=self.values, dtype_out=self.dtype_out, scale=self.scale,
                      window=self.window, interpolation=self.interpolation)
        return config
