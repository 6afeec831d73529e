"""The tf.data service: a dispatcher and two workers as separate processes
on 127.0.0.1, each with tfdicom loaded, run a DICOM decode pipeline; each
file is decoded exactly once per epoch, with the values of a local decode."""

import collections
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

import tfdicom.numpy
import tfdicom.samples

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "tf_data_service.py")
sys.path.insert(0, os.path.join(ROOT, "examples"))
import tf_data_service  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args):
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.Popen([sys.executable, EXAMPLE, *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(process, text, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if process.poll() is not None:
            raise RuntimeError(f"process ended: {process.stdout.read()}")
    raise TimeoutError(f"no {text!r} within {timeout} s")


@pytest.fixture(scope="module")
def service():
    port = free_port()
    dispatcher = f"127.0.0.1:{port}"
    processes = [start("dispatcher", "--port", str(port))]
    try:
        wait_for(processes[0], "dispatcher on")
        for _ in range(2):
            processes.append(start("worker", "--dispatcher", dispatcher, "--port",
                                   str(free_port()), "--host", "127.0.0.1"))
            wait_for(processes[-1], "worker on")
        yield dispatcher
    finally:
        for p in processes:
            p.kill()
            p.wait(timeout=30)


@pytest.mark.slow
def test_each_file_decoded_once_per_epoch_with_local_values(service):
    files = tfdicom.samples.all_paths() * 3  # 30 elements, each path 3 times
    seen = collections.Counter()
    for path, image in tf_data_service.distributed(files, service):
        path = path.numpy().decode()
        seen[path] += 1
        expected = tfdicom.numpy.decode_dicom_image(open(path, "rb").read(), dtype="int32",
                                                    color_dim=True, on_error="strict")
        np.testing.assert_array_equal(image.numpy(), expected)
    assert seen == collections.Counter(files)
