"""tfdicom.keras: dicom_dataset_from_directory gives what Keras's
image_dataset_from_directory gives for the same tree of PNGs (files, order,
labels, class names, splits, images); DecodeDicom inside saved models; the
serving example round trip in a fresh process."""

import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfdicom.keras
import tfdicom.numpy
from synthetic import dataset, phantom, to_bytes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = {"cyst": 4, "mass": 5, "normal": 3}


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """The same images as DICOM files and as PNGs of their display rendering."""
    root = tmp_path_factory.mktemp("trees")
    seed = 0
    for name, count in CLASSES.items():
        for tree in ("dicom", "png"):
            (root / tree / name).mkdir(parents=True)
        for i in range(count):
            seed += 1
            data = to_bytes(dataset(phantom(1, 40 + i, 48, 0, 4095, np.uint16, seed=seed),
                                    bits_stored=12, WindowCenter=2048, WindowWidth=4096))
            stem = f"{name}_{i:02d}"
            dicom_name = stem if i == 0 else stem + ".dcm"  # one without extension
            (root / "dicom" / name / dicom_name).write_bytes(data)
            shown = tfdicom.numpy.decode_dicom_image(data, values="display", dtype="uint8",
                                                     scale="auto", color_dim=True)[0]
            (root / "png" / name / (stem + ".png")).write_bytes(tf.io.encode_png(shown).numpy())
    (root / "dicom" / "normal" / "notes.txt").write_text("not an image")
    return root / "dicom", root / "png"


def stems(paths):
    return [os.path.splitext(os.path.basename(p))[0] for p in paths]


@pytest.mark.parametrize("kwargs", [
    dict(seed=3),
    dict(seed=3, label_mode="categorical", color_mode="grayscale"),
    dict(shuffle=False, label_mode=None, labels=None),
    dict(seed=5, validation_split=0.25, subset="training"),
    dict(seed=5, validation_split=0.25, subset="validation"),
    dict(seed=7, class_names=["normal", "cyst"], label_mode="binary"),
], ids=["int", "categorical_grey", "unlabelled", "training", "validation", "binary_subset"])
def test_dataset_matches_image_dataset_from_directory(trees, kwargs):
    dicom_dir, png_dir = trees
    common = dict(batch_size=4, image_size=(32, 24), verbose=False, **kwargs)
    ours = tfdicom.keras.dicom_dataset_from_directory(str(dicom_dir), **common)
    theirs = keras.utils.image_dataset_from_directory(str(png_dir), **common)
    assert ours.class_names == theirs.class_names
    assert stems(ours.file_paths) == stems(theirs.file_paths)
    for (a, b) in zip(ours, theirs):
        if kwargs.get("label_mode", "int") is None:
            a, b = (a,), (b,)
        assert a[0].shape == b[0].shape and a[0].dtype == b[0].dtype == tf.float32
        np.testing.assert_allclose(a[0].numpy(), b[0].numpy(), atol=1e-3)
        if len(a) > 1:
            np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())


def test_subset_both_returns_training_and_validation(trees):
    train, val = tfdicom.keras.dicom_dataset_from_directory(
        str(trees[0]), seed=1, validation_split=0.5, subset="both", batch_size=2,
        image_size=(16, 16), verbose=False)
    assert len(train.file_paths) + len(val.file_paths) == sum(CLASSES.values())
    assert not set(train.file_paths) & set(val.file_paths)


def test_files_that_fail_are_reported(trees, tmp_path, capfd):
    tree = tmp_path / "tree"
    shutil.copytree(trees[0], tree)
    (tree / "cyst" / "broken.dcm").write_bytes(b"not dicom at all")
    ds = tfdicom.keras.dicom_dataset_from_directory(str(tree), seed=1, batch_size=64,
                                                    image_size=(16, 16), verbose=False)
    images, labels = next(iter(ds))
    assert images.shape[0] == sum(CLASSES.values())
    err = capfd.readouterr().err
    assert "tfdicom: skipped" in err and "broken.dcm" in err


def test_window_and_modality_values(trees):
    ds = tfdicom.keras.dicom_dataset_from_directory(
        str(trees[0]), shuffle=False, batch_size=None, image_size=(40, 48), verbose=False,
        values="modality", dtype=tf.float32, scale="preserve", labels=None,
        color_mode="grayscale", interpolation="nearest")
    first = next(iter(ds)).numpy()[..., 0]
    raw = tfdicom.numpy.decode_dicom_image(
        open(os.path.join(trees[0], "cyst", "cyst_00"), "rb").read(), dtype="float32")[0]
    np.testing.assert_array_equal(first, raw)
    windowed = tfdicom.keras.dicom_dataset_from_directory(
        str(trees[0]), shuffle=False, batch_size=None, image_size=(40, 48), verbose=False,
        window=(1000, 500), labels=None, color_mode="grayscale", interpolation="nearest")
    expected = np.clip((raw - 750) / 500, 0, 1) * 255
    np.testing.assert_allclose(next(iter(windowed)).numpy()[..., 0], expected, atol=1e-3)


def test_decode_layer_survives_save_and_load(trees, tmp_path):
    files = sorted(str(p) for p in trees[0].rglob("*") if p.suffix in ("", ".dcm") and p.is_file())
    contents = tf.constant([open(f, "rb").read() for f in files] + [b"garbage"])
    inputs = keras.Input(shape=(), dtype="string")
    x = tfdicom.keras.DecodeDicom(image_size=(16, 16))(inputs)
    outputs = keras.layers.Dense(2)(keras.layers.Flatten()(x))
    model = keras.Model(inputs, outputs)
    decoded = tfdicom.keras.DecodeDicom(image_size=(16, 16))(contents)
    assert decoded.shape == (len(files) + 1, 16, 16, 3)
    assert float(tf.reduce_max(tf.abs(decoded[-1]))) == 0.0  # undecodable -> zeros
    model.save(tmp_path / "model.keras")
    reloaded = keras.models.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(reloaded.predict(contents, verbose=0),
                               model.predict(contents, verbose=0), rtol=1e-6)


@pytest.mark.slow
def test_serving_example_round_trip_in_a_fresh_process(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    example = os.path.join(ROOT, "examples", "serving.py")
    export = str(tmp_path / "export")
    for step in ("train", "serve"):
        result = subprocess.run([sys.executable, example, step, export], env=env,
                                capture_output=True, text=True, cwd=tmp_path, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    assert "served predictions equal the trained model's" in result.stdout
