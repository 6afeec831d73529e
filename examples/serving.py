"""Train a tiny classifier on decoded DICOM, export it as a SavedModel whose
serving signature takes a batch of raw DICOM bytes, and serve it from a fresh
process.

    python examples/serving.py train EXPORT_DIR   # train on the bundled samples, export
    python examples/serving.py serve EXPORT_DIR [FILE ...]  # reload and predict

Serving needs only `import tfdicom` before `tf.saved_model.load`: the model's
graph holds the tfdicom ops, which must be registered when it loads.
"""

import os
import sys

import numpy as np
import tensorflow as tf

import tfdicom  # registers the ops: import it before loading the model
import tfdicom.samples

IMAGE_SIZE = (64, 64)


def build_model(num_classes):
    import keras

    from tfdicom.keras import DecodeDicom

    dicom_bytes = keras.Input(shape=(), dtype="string", name="dicom_bytes")
    x = DecodeDicom(image_size=IMAGE_SIZE, color_mode="grayscale")(dicom_bytes)
    x = keras.layers.Rescaling(1 / 255.0)(x)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    probabilities = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(dicom_bytes, probabilities)


def bytes_dataset(directory, seed=0):
    """(raw bytes, label) pairs of the labelled sample tree, shuffled."""
    paths, labels, class_names = tfdicom.keras.index_directory(directory, seed=seed,
                                                               verbose=False)
    ds = tf.data.Dataset.from_tensor_slices((paths, labels))
    return ds.map(lambda p, y: (tf.io.read_file(p), y)), paths, class_names


def train(export_dir):
    import keras

    keras.utils.set_random_seed(0)
    ds, paths, class_names = bytes_dataset(tfdicom.samples.DIRECTORY)
    model = build_model(len(class_names))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(ds.batch(4).repeat(), steps_per_epoch=5, epochs=3, verbose=0,
                        shuffle=False)
    model.export(export_dir, verbose=False)
    files = tfdicom.samples.all_paths()
    predictions = model.predict(tf.constant([open(p, "rb").read() for p in files]), verbose=0)
    np.save(os.path.join(export_dir, "expected_predictions.npy"), predictions)
    with open(os.path.join(export_dir, "class_names.txt"), "w") as f:
        f.write("\n".join(class_names))
    print(f"trained on {len(paths)} files, loss {history.history['loss'][-1]:.3f}, "
          f"accuracy {history.history['accuracy'][-1]:.2f}; exported to {export_dir}")


def serve(export_dir, files):
    model = tf.saved_model.load(export_dir)
    serving = model.signatures["serving_default"]
    with open(os.path.join(export_dir, "class_names.txt")) as f:
        class_names = f.read().split("\n")
    check = not files
    files = files or tfdicom.samples.all_paths()
    contents = tf.constant([open(p, "rb").read() for p in files])
    predictions = list(serving(dicom_bytes=contents).values())[0].numpy()
    for path, p in zip(files, predictions):
        print(f"{os.path.basename(path):40} {class_names[int(np.argmax(p))]:4} "
              f"{float(np.max(p)):.2f}")
    if check:
        expected = np.load(os.path.join(export_dir, "expected_predictions.npy"))
        np.testing.assert_allclose(predictions, expected, rtol=1e-5, atol=1e-6)
        print("served predictions equal the trained model's")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("train", "serve"):
        sys.exit(__doc__)
    if sys.argv[1] == "train":
        train(sys.argv[2])
    else:
        serve(sys.argv[2], sys.argv[3:])
