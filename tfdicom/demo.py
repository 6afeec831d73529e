"""`tfdicom demo`: the bundled samples from DICOM bytes to a served model.

1. a Keras dataset straight from the labelled DICOM tree
   (dicom_dataset_from_directory, no PNG conversion);
2. a tiny classifier trained on it for a few steps;
3. exported as a SavedModel whose serving signature takes raw DICOM bytes
   (DecodeDicom is its first layer), reloaded and asked to predict;
4. a contact sheet PNG of the decoded images;
5. decode throughput, tfdicom.numpy and tf.data.
"""

import os
import time

import numpy as np

import tfdicom.samples
from tfdicom._png import encode_png

IMAGE_SIZE = (64, 64)


def build_classifier(num_classes):
    """Images [batch, 64, 64, 1] in 0..255 -> class probabilities."""
    import keras

    images = keras.Input(shape=IMAGE_SIZE + (1,))
    x = keras.layers.Rescaling(1 / 255.0)(images)
    x = keras.layers.AveragePooling2D(8)(x)  # an 8x8 thumbnail
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    return keras.Model(images, keras.layers.Dense(num_classes, activation="softmax")(x))


def serving_model(classifier):
    """The classifier behind a DecodeDicom layer: raw DICOM bytes in."""
    import keras

    from tfdicom.keras import DecodeDicom

    dicom_bytes = keras.Input(shape=(), dtype="string", name="dicom_bytes")
    images = DecodeDicom(image_size=IMAGE_SIZE, color_mode="grayscale")(dicom_bytes)
    return keras.Model(dicom_bytes, classifier(images))


def contact_sheet(files, path, tile=96, columns=5):
    """A grid of every file's first frame, display rendering, 8-bit grey."""
    import tensorflow as tf

    import tfdicom.numpy as tdn

    rows = -(-len(files) // columns)
    sheet = np.zeros((rows * tile, columns * tile), np.uint8)
    for i, name in enumerate(files):
        with open(name, "rb") as f:
            image = tdn.decode_dicom_image(f.read(), values="display", dtype="uint8",
                                           scale="auto", color_dim=True, on_error="lossy")
        frame = tf.image.resize(image[0], (tile, tile), method="area").numpy()
        frame = frame.mean(axis=-1) if frame.shape[-1] == 3 else frame[..., 0]
        r, c = divmod(i, columns)
        sheet[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile] = np.round(frame)
    with open(path, "wb") as f:
        f.write(encode_png(sheet))


def throughput(files, repeat=20):
    import tensorflow as tf

    import tfdicom
    import tfdicom.numpy as tdn

    contents = [open(f, "rb").read() for f in files]
    start = time.perf_counter()
    for _ in range(repeat):
        for data in contents:
            tdn.decode_dicom_image(data, dtype="float32", color_dim=True)
    numpy_rate = repeat * len(contents) / (time.perf_counter() - start)
    ds = tf.data.Dataset.from_tensor_slices(contents).repeat(repeat).map(
        lambda c: tfdicom.decode_dicom_image(c, dtype=tf.float32, color_dim=True),
        num_parallel_calls=tf.data.AUTOTUNE)
    start = time.perf_counter()
    count = sum(1 for _ in ds)
    return numpy_rate, count / (time.perf_counter() - start)


def run(out_dir):
    import keras
    import tensorflow as tf

    import tfdicom.keras

    os.makedirs(out_dir, exist_ok=True)
    keras.utils.set_random_seed(0)
    directory = tfdicom.samples.DIRECTORY
    print(f"1. dataset from {directory}")
    dataset = tfdicom.keras.dicom_dataset_from_directory(
        directory, batch_size=4, image_size=IMAGE_SIZE, color_mode="grayscale", seed=0)
    for images, labels in dataset.take(1):
        print(f"   batches of {tuple(images.shape)} {images.dtype.name} images, "
              f"labels {labels.numpy().tolist()}, classes {dataset.class_names}")

    print("2. training a tiny classifier for 60 steps")
    classifier = build_classifier(len(dataset.class_names))
    classifier.compile(optimizer=keras.optimizers.Adam(0.01),
                       loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = classifier.fit(dataset.cache().repeat(), steps_per_epoch=20, epochs=3,
                             verbose=0, shuffle=False)
    print(f"   loss {history.history['loss'][-1]:.3f}, "
          f"accuracy {history.history['accuracy'][-1]:.2f}")

    export_dir = os.path.join(out_dir, "saved_model")
    print(f"3. exporting the raw-bytes model to {export_dir}, reloading, predicting")
    model = serving_model(classifier)
    model.export(export_dir, verbose=False)
    files = tfdicom.samples.all_paths()
    contents = tf.constant([open(f, "rb").read() for f in files])
    reloaded = tf.saved_model.load(export_dir)
    served = reloaded.signatures["serving_default"](dicom_bytes=contents)
    predictions = list(served.values())[0].numpy()
    np.testing.assert_allclose(predictions, model.predict(contents, verbose=0), rtol=1e-5,
                               atol=1e-6)
    for name, p in zip(files, predictions):
        relative = os.path.relpath(name, directory)
        print(f"   {relative:38} -> {dataset.class_names[int(p.argmax())]:3} ({p.max():.2f})")

    sheet = os.path.join(out_dir, "contact_sheet.png")
    contact_sheet(files, sheet)
    print(f"4. contact sheet of {len(files)} files: {sheet}")

    numpy_rate, tf_rate = throughput(files)
    print(f"5. decode throughput on the samples: tfdicom.numpy {numpy_rate:.0f} files/s "
          f"(1 thread), tf.data {tf_rate:.0f} files/s (AUTOTUNE)")
    return 0
