"""The command line: convert (good and bad files, frames, no overwrite),
bench, info (and that info never imports TensorFlow), python -m tfdicom."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import tfdicom.numpy
import tfdicom.samples
from tfdicom import cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "-m", "tfdicom", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=600)


def read_png(path):
    import tensorflow as tf

    return tf.io.decode_png(open(path, "rb").read(), dtype=tf.uint16 if "16" in path else
                            tf.uint8).numpy()


@pytest.fixture
def tree(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(tfdicom.samples.DIRECTORY, src, ignore=shutil.ignore_patterns("*.py", "*.md",
                                                                                  "*.tsv"))
    (src / "mr" / "broken.dcm").write_bytes(b"definitely not DICOM")
    return src


def test_convert_writes_display_pngs_and_reports_bad_files(tree, tmp_path):
    out = tmp_path / "out"
    assert cli.main(["convert", str(tree), "--out", str(out)]) == 1  # one bad file
    ct = out / "ct" / "ct_slice1_explicit_le.png"
    expected = tfdicom.numpy.decode_dicom_image(
        open(tree / "ct" / "ct_slice1_explicit_le.dcm", "rb").read(), values="display",
        dtype="uint8", scale="auto", color_dim=True)[0]
    np.testing.assert_array_equal(read_png(str(ct)), expected)
    frames = sorted(os.listdir(out / "us"))
    assert frames[:2] == ["us_cine8_explicit_le_frame0001.png", "us_cine8_explicit_le_frame0002.png"]
    assert len(frames) == 16  # two files of 8 frames


def test_convert_summary_and_failures(tree, tmp_path):
    result = run_cli("convert", str(tree), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "converted 10 of 11 files into 24 PNG files" in result.stdout
    assert "broken.dcm: decode_dicom_image: not DICOM" in result.stderr


def test_convert_never_overwrites_without_the_flag(tree, tmp_path):
    out = tmp_path / "out"
    source = str(tree / "mr" / "mr_slice1_explicit_le.dcm")
    assert cli.main(["convert", source, "--out", str(out)]) == 0
    assert cli.main(["convert", source, "--out", str(out)]) == 1
    assert cli.main(["convert", source, "--out", str(out), "--overwrite"]) == 0


def test_convert_16_bit_stored_values(tree, tmp_path):
    out = tmp_path / "out16"
    source = tree / "mr" / "mr_slice1_explicit_le.dcm"
    assert cli.main(["convert", str(source), "--out", str(out), "--values", "stored"]) == 0
    png = read_png(str(out / "mr_slice1_explicit_le.png"))
    import tensorflow as tf

    png16 = tf.io.decode_png(open(out / "mr_slice1_explicit_le.png", "rb").read(),
                             dtype=tf.uint16).numpy()
    stored = tfdicom.numpy.decode_dicom_image(open(source, "rb").read(), dtype="uint16")[0]
    np.testing.assert_array_equal(png16[..., 0], stored)
    assert png.shape[:2] == stored.shape


def test_convert_signed_stored_needs_scale_auto(tree, tmp_path):
    source = str(tree / "ct" / "ct_slice1_explicit_le.dcm")
    assert cli.main(["convert", source, "--out", str(tmp_path / "a"), "--values", "stored"]) == 1
    assert cli.main(["convert", source, "--out", str(tmp_path / "b"), "--values", "stored",
                     "--scale", "auto"]) == 0


def test_convert_with_a_window(tree, tmp_path):
    source = tree / "ct" / "ct_slice1_explicit_le.dcm"
    assert cli.main(["convert", str(source), "--out", str(tmp_path), "--window", "40",
                     "400"]) == 0
    hu = tfdicom.numpy.decode_dicom_image(open(source, "rb").read(), values="modality",
                                          dtype="float64")[0]
    expected = np.floor((np.clip(hu, -160, 240) + 160) / 400 * 255 + 0.5)
    np.testing.assert_array_equal(read_png(str(tmp_path / "ct_slice1_explicit_le.png")),
                                  expected[..., None])


def test_bench_prints_throughput(capsys):
    assert cli.main(["bench", tfdicom.samples.DIRECTORY, "--seconds-per-file", "0.01"]) == 0
    out = capsys.readouterr().out
    assert "files/s" in out and "us_cine8_explicit_le.dcm" in out


def test_python_m_tfdicom_help():
    result = run_cli("--help")
    assert result.returncode == 0 and "convert" in result.stdout and "demo" in result.stdout


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path):
    result = run_cli("demo", "--out", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for step in ("1. dataset", "2. training", "3. exporting", "4. contact sheet", "5. decode"):
        assert step in result.stdout
    assert (tmp_path / "demo" / "contact_sheet.png").stat().st_size > 1000
    assert (tmp_path / "demo" / "saved_model" / "saved_model.pb").exists()


def test_info_shows_the_header_and_reports_bad_files(tree, capsys):
    assert cli.main(["info", str(tree / "ct" / "ct_slice1_explicit_le.dcm"),
                     str(tree / "mr" / "broken.dcm")]) == 1
    out, err = capsys.readouterr()
    assert "Transfer syntax        1.2.840.10008.1.2.1 (Explicit VR Little Endian)" in out
    assert "Rescale intercept      -1024" in out and "Rows                   128" in out
    assert "broken.dcm: error: decode_dicom_data: not DICOM" in err or "not DICOM" in err


def test_info_json_is_dicom_json(tree, capsys):
    import json

    assert cli.main(["info", "--json", str(tree / "mr" / "mr_slice2_rle.dcm")]) == 0
    parsed = json.loads(capsys.readouterr().out)
    assert parsed["00280010"] == {"vr": "US", "Value": [96]}


def test_info_and_convert_do_not_import_tensorflow(tree, tmp_path):
    code = (
        "import sys\n"
        "from tfdicom import cli\n"
        f"cli.main(['info', {str(tree / 'ct' / 'ct_slice1_explicit_le.dcm')!r}])\n"
        f"cli.main(['convert', {str(tree / 'us')!r}, '--out', {str(tmp_path / 'o')!r}])\n"
        "print('tensorflow' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_convert_skips_a_fifo_in_a_folder_without_blocking(tree, tmp_path):
    fifo = tree / "mr" / "pipe.dcm"
    os.mkfifo(fifo)
    # In a subprocess with a timeout: a regression (blocking on the FIFO)
    # fails the test instead of hanging it.
    result = subprocess.run(
        [sys.executable, "-m", "tfdicom", "convert", str(tree / "mr"), "--out",
         str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
    assert "converted 5 of 6 files" in result.stdout  # broken.dcm is the one failure
    assert f"{fifo}: a FIFO, not a regular file: not read" in result.stderr
    assert "1 folder entry skipped" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_wait(tmp_path):
    fifo = tmp_path / "pipe.dcm"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "tfdicom", "info", str(fifo)],
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2"))
    assert result.returncode == 1
    assert f"{fifo}: error: a FIFO, not a regular file: not read" in result.stderr


def test_convert_never_reads_a_link_to_a_device(tree, tmp_path, capsys):
    os.symlink("/dev/zero", tree / "us" / "zero.dcm")
    os.symlink(tree / "nowhere.dcm", tree / "us" / "dangling.dcm")
    assert cli.main(["convert", str(tree / "us"), "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "converted 2 of 2 files into 16 PNG files" in out
    assert "zero.dcm: a character device, not a regular file: not read" in err
    assert "dangling.dcm: a symbolic link to a missing file" in err


def test_a_symbolic_link_to_a_regular_file_is_read(tree, tmp_path):
    link = tmp_path / "link.dcm"
    os.symlink(tree / "mr" / "mr_slice1_explicit_le.dcm", link)
    assert cli.main(["convert", str(link), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "link.png").exists()


def test_files_larger_than_the_limit_are_refused_unread(tree, tmp_path, capsys):
    source = tree / "mr" / "mr_slice1_explicit_le.dcm"
    size = source.stat().st_size
    assert cli.main(["convert", str(source), "--out", str(tmp_path / "a"),
                     "--max-file-bytes", str(size - 1)]) == 1
    assert f"{size} bytes, more than the limit of {size - 1} (--max-file-bytes)" in \
        capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    assert cli.main(["convert", str(source), "--out", str(tmp_path / "b"),
                     "--max-file-bytes", str(size)]) == 0
    assert cli.main(["info", str(source), "--max-file-bytes", "100"]) == 1
    assert cli.DEFAULT_MAX_FILE_BYTES == tfdicom.numpy.DEFAULT_MAX_OUTPUT_BYTES == 1 << 30


def test_inputs_that_would_share_a_png_name_keep_their_full_names(tree, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(tree / "mr" / "mr_slice1_explicit_le.dcm", folder / "x")
    shutil.copy(tree / "ct" / "ct_slice1_explicit_le.dcm", folder / "x.dcm")
    shutil.copy(tree / "mr" / "mr_slice2_explicit_le.dcm", folder / "y.dcm")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "x.png").write_bytes(b"old")
    assert cli.main(["convert", str(folder), "--out", str(out), "--overwrite"]) == 0
    assert "converted 3 of 3 files into 3 PNG files" in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ["x.dcm.png", "x.png", "y.png"]
    data = {name: open(folder / name, "rb").read() for name in ("x", "x.dcm")}
    for name, png in (("x", "x.png"), ("x.dcm", "x.dcm.png")):
        expected = tfdicom.numpy.decode_dicom_image(data[name], values="display",
                                                    dtype="uint8", scale="auto",
                                                    color_dim=True)[0]
        np.testing.assert_array_equal(read_png(str(out / png)), expected)


def test_inputs_whose_names_still_collide_are_refused_not_lost(tree, tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(tree / "mr" / "mr_slice1_explicit_le.dcm", tmp_path / "a" / "x.dcm")
    shutil.copy(tree / "ct" / "ct_slice1_explicit_le.dcm", tmp_path / "b" / "x.dcm")
    out = tmp_path / "out"
    assert cli.main(["convert", str(tmp_path / "a" / "x.dcm"), str(tmp_path / "b" / "x.dcm"),
                     "--out", str(out), "--overwrite"]) == 1
    captured = capsys.readouterr()
    assert "converted 1 of 2 files into 1 PNG files" in captured.out
    assert (f"{tmp_path / 'b' / 'x.dcm'}: its output name collides with that of "
            f"{tmp_path / 'a' / 'x.dcm'}") in captured.err
    assert os.listdir(out) == ["x.dcm.png"]


def test_a_frame_name_already_written_in_this_run_is_refused(tree, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(tree / "us" / "us_cine8_explicit_le.dcm", folder / "a.dcm")  # 8 frames
    shutil.copy(tree / "mr" / "mr_slice1_explicit_le.dcm", folder / "a_frame0002.dcm")
    out = tmp_path / "out"
    assert cli.main(["convert", str(folder), "--out", str(out), "--overwrite"]) == 1
    captured = capsys.readouterr()
    assert "converted 1 of 2 files into 8 PNG files" in captured.out
    assert "a_frame0002.png was already written from another input in this run" in captured.err


def test_convert_help_documents_names_and_limits():
    result = run_cli("convert", "--help")
    assert result.returncode == 0
    assert "x.dcm.png" in result.stdout and "--max-file-bytes" in result.stdout
    assert "FIFOs" in result.stdout


@pytest.mark.parametrize("window", [["40", "0"], ["40", "-400"], ["40", "nan"], ["nan", "400"],
                                    ["inf", "400"], ["40", "inf"], ["40", "wide"]],
                         ids=["width0", "negative", "width_nan", "center_nan", "center_inf",
                              "width_inf", "not_a_number"])
def test_a_bad_window_is_a_usage_error(tree, tmp_path, capsys, window):
    source = str(tree / "ct" / "ct_slice1_explicit_le.dcm")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["convert", source, "--out", str(tmp_path / "out"), "--window", *window])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage: tfdicom convert" in err and "--window" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_window_exits_2_without_a_traceback(tree, tmp_path):
    result = run_cli("convert", str(tree / "ct" / "ct_slice1_explicit_le.dcm"), "--out",
                     str(tmp_path / "out"), "--window", "40", "0")
    assert result.returncode == 2
    assert "argument --window: WIDTH must be positive, not 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_over_the_limit_in_a_folder_is_a_failure_not_a_skip(tree, tmp_path, capsys):
    assert cli.main(["convert", str(tree / "us"), "--out", str(tmp_path / "out"),
                     "--max-file-bytes", "1000"]) == 1
    out, err = capsys.readouterr()
    assert "converted 0 of 2 files" in out
    assert "2 file(s) not converted" in err and "more than the limit of 1000" in err
