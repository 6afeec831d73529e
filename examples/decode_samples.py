"""Decodes every DICOM sample that ships with tfdicom through a tf.data
pipeline and prints each one's shape, dtype and value range.

    python examples/decode_samples.py [FILE_OR_DIR ...]
"""

import os
import sys

import tensorflow as tf

import tfdicom
import tfdicom.samples


def dicom_files(args):
    if not args:
        return tfdicom.samples.all_paths()
    files = []
    for arg in args:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                files += [os.path.join(root, n) for n in names]
        else:
            files.append(arg)
    return sorted(files)


def main(args):
    files = dicom_files(args)
    # Signed int32 holds every 8-, 12- and 16-bit sample, signed or not;
    # 'strict' makes a bad file stop the pipeline with its cause.
    dataset = (
        tf.data.Dataset.from_tensor_slices(files)
        .map(
            lambda path: (path, tfdicom.decode_dicom_image(
                tf.io.read_file(path), dtype=tf.int32, on_error="strict")),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    )
    print(f"{'file':44} {'shape':18} {'dtype':6} {'min':>6} {'max':>6}")
    for path, image in dataset:
        name = os.path.relpath(path.numpy().decode(), tfdicom.samples.DIRECTORY)
        print(f"{name:44} {str(image.shape.as_list()):18} {image.dtype.name:6} "
              f"{int(tf.reduce_min(image)):>6} {int(tf.reduce_max(image)):>6}")
    print(f"decoded {len(files)} files with tfdicom {tfdicom.__version__} "
          f"on TensorFlow {tf.__version__}")


if __name__ == "__main__":
    main(sys.argv[1:])
