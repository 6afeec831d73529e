"""Decode DICOM across machines with the tf.data service.

A dispatcher hands out the pipeline; workers (any number, on any machines)
run it, decoding with tfdicom; the client (your training job) receives the
decoded images. Every worker process needs `import tfdicom` so that the
pipeline's decode op is registered there.

    python examples/tf_data_service.py dispatcher --port 5050
    python examples/tf_data_service.py worker --dispatcher HOST:5050 --port 5051
    python examples/tf_data_service.py client --dispatcher HOST:5050 [FILE_OR_DIR ...]

With `processing_mode="distributed_epoch"` each file is decoded exactly once
per epoch, by whichever worker gets it. The files must be readable by the
workers at the same path (a shared file system, or a bucket via tf.io.gfile).
"""

import argparse
import os
import sys
import time

import tensorflow as tf

import tfdicom  # registers the decode op in this process
import tfdicom.samples


def decode_pipeline(files):
    """(path, image) for every file: what the workers run."""
    ds = tf.data.Dataset.from_tensor_slices(files)
    return ds.map(lambda p: (p, tfdicom.decode_dicom_image(
        tf.io.read_file(p), dtype=tf.int32, color_dim=True, on_error="strict")))


def distributed(files, dispatcher):
    return decode_pipeline(files).apply(tf.data.experimental.service.distribute(
        processing_mode="distributed_epoch", service=f"grpc://{dispatcher}",
        job_name="tfdicom-decode"))


def run_dispatcher(port):
    server = tf.data.experimental.service.DispatchServer(
        tf.data.experimental.service.DispatcherConfig(port=port))
    print(f"dispatcher on {server.target}", flush=True)
    server.join()


def run_worker(dispatcher, port, host):
    server = tf.data.experimental.service.WorkerServer(
        tf.data.experimental.service.WorkerConfig(
            dispatcher_address=dispatcher, worker_address=f"{host}:{port}", port=port))
    print(f"worker on {host}:{port} for dispatcher {dispatcher}", flush=True)
    server.join()


def list_files(args):
    if not args:
        return tfdicom.samples.all_paths()
    files = []
    for arg in args:
        if os.path.isdir(arg):
            files += sorted(os.path.join(r, n) for r, _, ns in os.walk(arg) for n in ns)
        else:
            files.append(os.path.abspath(arg))
    return files


def run_client(dispatcher, files):
    start = time.perf_counter()
    count = 0
    for path, image in distributed(files, dispatcher):
        count += 1
        print(f"{os.path.basename(path.numpy().decode()):40} {image.shape}")
    print(f"{count} files decoded by the tf.data service in {time.perf_counter() - start:.2f} s")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="role", required=True)
    d = sub.add_parser("dispatcher")
    d.add_argument("--port", type=int, default=5050)
    w = sub.add_parser("worker")
    w.add_argument("--dispatcher", required=True)
    w.add_argument("--port", type=int, default=5051)
    w.add_argument("--host", default="localhost", help="the address clients reach it by")
    c = sub.add_parser("client")
    c.add_argument("--dispatcher", required=True)
    c.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    if args.role == "dispatcher":
        run_dispatcher(args.port)
    elif args.role == "worker":
        run_worker(args.dispatcher, args.port, args.host)
    else:
        run_client(args.dispatcher, list_files(args.files))


if __name__ == "__main__":
    main(sys.argv[1:])
