"""The two halves of tools/check_wheel_isolated.sh.

    python tools/check_wheel_isolated.py prepare DIR
        On the build machine (needs numpy, pydicom, pydicom-data, and DCMTK's
        and OpenJPH's command line tools: dcmcjpeg, dcmdjpeg, ojph_compress):
        writes into DIR the DICOM files to decode, one or more in every
        transfer syntax tfdicom reads, and cases.json, what each must decode
        to. The references are independent of the wheel: pydicom's decode
        (its SHA-256 in tests/reference/open-test-files.tsv), the array a
        lossless file was made from, or the system DCMTK's own decompression
        (dcmdjpeg) of a lossy JPEG.

    python check_wheel_isolated.py check DIR [--no-system-dcmtk]
        Wherever tfdicom is installed (the isolated root file system): prints
        `ldd` of both binaries and checks that DCMTK, OpenJPEG and what they
        pull in resolve inside the wheel's tfdicom.libs and TensorFlow's
        library inside the installed TensorFlow; then decodes every case with
        tfdicom.numpy and with the TensorFlow op, reads metadata that needs
        DCMTK's public and private data dictionaries (decode_dicom_data,
        decode_dicom_json), and prints one line per check. With
        --no-system-dcmtk it first checks that the file system has no DCMTK,
        OpenJPEG, libxml2 or ICU of its own. Exits non-zero on any failure.
"""

import csv
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NAMES = {
    "1.2.840.10008.1.2": "Implicit VR Little Endian",
    "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
    "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
    "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
    "1.2.840.10008.1.2.5": "RLE Lossless",
    "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
    "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
    "1.2.840.10008.1.2.4.57": "JPEG Lossless (Process 14)",
    "1.2.840.10008.1.2.4.70": "JPEG Lossless (Process 14, SV1)",
    "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
    "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
    "1.2.840.10008.1.2.4.90": "JPEG 2000 (Lossless Only)",
    "1.2.840.10008.1.2.4.91": "JPEG 2000",
    "1.2.840.10008.1.2.4.201": "HTJ2K (Lossless Only)",
    "1.2.840.10008.1.2.4.202": "HTJ2K with RPCL Options (Lossless Only)",
    "1.2.840.10008.1.2.4.203": "HTJ2K",
}

# Open files from pydicom and pydicom-data, with pydicom's decode hashed in
# tests/reference/open-test-files.tsv (where the test suite finds tfdicom
# equal to pydicom): name -> color_dim.
OPEN_FILES = {
    "MR_small_implicit.dcm": False,
    "CT_small.dcm": False,
    "MR_small_bigendian.dcm": False,
    "image_dfl.dcm": False,
    "MR_small_RLE.dcm": False,
    "SC_rgb_rle.dcm": True,
    "SC_rgb_jpeg_dcmtk.dcm": True,
    "JPEG-LL.dcm": False,
    "MR_small_jpeg_ls_lossless.dcm": False,
    "JPEGLSNearLossless_16.dcm": False,
    "MR_small_jp2klossless.dcm": False,
    "US1_J2KR.dcm": True,
    "JPEG2000.dcm": False,
}

# Bundled samples (tfdicom.samples, from the installed wheel): compressed
# file -> the uncompressed file of the same pixels.
SAMPLE_TWINS = {
    "mr/mr_slice2_rle.dcm": "mr/mr_slice2_explicit_le.dcm",
    "mr/mr_slice3_jpegls_lossless.dcm": "mr/mr_slice3_explicit_le.dcm",
    "us/us_cine8_jpeg_lossless_sv1.dcm": "us/us_cine8_explicit_le.dcm",
}

PRIVATE_CREATOR = "SIEMENS CM VA0  CMS"  # (0009,"SIEMENS CM VA0  CMS",12) UL in private.dic
PRIVATE_VALUE = 123456


# ---------------------------------------------------------------- prepare --

def reference_table():
    with open(os.path.join(ROOT, "tests", "reference", "open-test-files.tsv"), newline="") as f:
        return {row["name"]: row for row in csv.DictReader(f, delimiter="\t")}


def prepare(out):
    import numpy as np
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.encaps import encapsulate
    from pydicom.uid import ImplicitVRLittleEndian

    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from synthetic import dataset, dcmtk, phantom, to_bytes

    os.makedirs(out, exist_ok=True)
    cases = []
    table = reference_table()
    for name, color_dim in OPEN_FILES.items():
        row = table[name]
        path = get_testdata_file(name, download=False)
        if path is None:
            sys.exit(f"prepare: pydicom has no test file {name} (pip install pydicom-data)")
        shutil.copyfile(path, os.path.join(out, name))
        stored = row["dtype"]
        cases.append({
            "file": name, "uid": row["ts_uid"], "color_dim": color_dim,
            "dtype": np.dtype(stored).newbyteorder("=").name,
            "reference": "pydicom (SHA-256 in open-test-files.tsv)",
            "sha256": row["sha256_default"], "stored_dtype": stored,
            "shape": [int(d) for d in row["shape"].split("x")],
        })

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    # JPEG lossless, process 14 with selection value 6: exact.
    image12 = phantom(2, 48, 40, 0, 4095, np.uint16, seed=21)
    source = to_bytes(dataset(image12, bits_stored=12))
    write("synthetic_jpeg_p14_sv6.dcm", dcmtk("dcmcjpeg", source, "+el", "+sv", "6"))
    np.save(os.path.join(out, "synthetic_12bit.npy"), image12)
    cases.append({"file": "synthetic_jpeg_p14_sv6.dcm", "uid": "1.2.840.10008.1.2.4.57",
                  "color_dim": False, "dtype": "uint16",
                  "reference": "the array it was made from", "npy": "synthetic_12bit.npy"})
    # JPEG extended (12-bit lossy): as the system DCMTK decompresses it.
    extended = dcmtk("dcmcjpeg", source, "+ee")
    write("synthetic_jpeg_extended.dcm", extended)
    write("synthetic_jpeg_extended_dcmdjpeg.dcm", dcmtk("dcmdjpeg", extended))
    cases.append({"file": "synthetic_jpeg_extended.dcm", "uid": "1.2.840.10008.1.2.4.51",
                  "color_dim": False, "dtype": "uint16",
                  "reference": "the build machine's DCMTK (dcmdjpeg)",
                  "twin": "synthetic_jpeg_extended_dcmdjpeg.dcm"})
    # HTJ2K, reversible, under each of its three UIDs: exact.
    image16 = phantom(1, 36, 44, 0, 65535, np.uint16, seed=12)
    np.save(os.path.join(out, "synthetic_16bit.npy"), image16)
    for uid, order in (("1.2.840.10008.1.2.4.201", "LRCP"), ("1.2.840.10008.1.2.4.202", "RPCL"),
                       ("1.2.840.10008.1.2.4.203", "LRCP")):
        codestream = ojph_compress(image16[0], "-reversible", "true", "-prog_order", order)
        ds = dataset(image16)
        ds.file_meta.TransferSyntaxUID = uid
        ds.PixelData = encapsulate([codestream])
        ds["PixelData"].VR = "OB"
        name = f"synthetic_htj2k_{uid.rsplit('.', 1)[1]}.dcm"
        buffer = io.BytesIO()
        ds.save_as(buffer)
        write(name, buffer.getvalue())
        cases.append({"file": name, "uid": uid, "color_dim": False, "dtype": "uint16",
                      "reference": "the array it was made from", "npy": "synthetic_16bit.npy"})
    for name, twin in SAMPLE_TWINS.items():
        cases.append({"sample": name, "uid": "", "color_dim": False, "dtype": "",
                      "reference": f"the bundled sample {twin}", "sample_twin": twin})

    # Metadata that needs DCMTK's dictionaries: implicit VR, so only the
    # dictionary knows each element's VR; a private element that only
    # private.dic knows.
    ds = dataset(np.zeros((16, 16), np.uint8))
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.PatientName = "Isolated^Check"
    block = ds.private_block(0x0009, PRIVATE_CREATOR, create=True)
    block.add_new(0x12, "UL", PRIVATE_VALUE)
    buffer = io.BytesIO()
    ds.save_as(buffer, implicit_vr=True, little_endian=True, enforce_file_format=True)
    write("dictionary_implicit_vr.dcm", buffer.getvalue())
    assert pydicom.dcmread(os.path.join(out, "dictionary_implicit_vr.dcm")).Rows == 16

    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    uids = {c["uid"] for c in cases if c["uid"]}
    missing = sorted(set(NAMES) - uids)
    if missing:
        sys.exit(f"prepare: no file for {missing}")
    print(f"prepare: {len(cases)} decode cases, {len(uids)} transfer syntaxes, in {out}")


def ojph_compress(array, *options):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.pgm"), os.path.join(tmp, "out.j2c")
        rows, cols = array.shape
        with open(src, "wb") as f:
            f.write(f"P5\n{cols} {rows}\n65535\n".encode() + array.astype(">u2").tobytes())
        subprocess.run(["ojph_compress", "-i", src, "-o", dst, *options], check=True,
                       capture_output=True)
        with open(dst, "rb") as f:
            return f.read()


# ------------------------------------------------------------------ check --

class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, condition, line, detail=""):
        if condition:
            self.passed += 1
            print(f"ok    {line}")
        else:
            self.failed += 1
            print(f"FAIL  {line}{': ' + detail if detail else ''}")
        sys.stdout.flush()
        return condition


# Libraries a manylinux wheel takes from the system (PEP 600/auditwheel's
# whitelist, the ones these binaries use).
SYSTEM_LIBRARIES = re.compile(
    r"^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libstdc\+\+\.so\.6|"
    r"libgcc_s\.so\.1|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libz\.so\.1)$")
BUNDLED = re.compile(r"dcm|ofstd|oflog|ijg|charls|openjp|jpeg|deflate|xml2|icu|lzma")


def check_no_system_dcmtk(checks):
    found = []
    for pattern in ("/usr/lib/*/libdcm*", "/usr/lib/*/libofstd*", "/usr/lib/*/libopenjp*",
                    "/usr/lib/*/libxml2*", "/usr/lib/*/libicu*", "/usr/lib/*/libijg*",
                    "/usr/share/libdcmtk*", "/usr/share/dcmtk*", "/usr/share/**/dicom.dic"):
        found += glob.glob(pattern, recursive=True)
    checks.ok(not found, "this root file system has no DCMTK, OpenJPEG, OpenJPH, libxml2, ICU "
              "or DCMTK data dictionary of its own", ", ".join(found))


def ldd(path, env):
    result = subprocess.run(["ldd", path], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    return result.stdout


def check_ldd(checks, package_dir, tf_dir):
    package_dir, tf_dir = os.path.realpath(package_dir), os.path.realpath(tf_dir)
    site = os.path.dirname(package_dir)
    libs = os.path.join(site, "tfdicom.libs")
    binaries = [os.path.join(package_dir, "_tfdicom_ops.so")] + sorted(
        glob.glob(os.path.join(package_dir, "_core*.so")))
    for binary in binaries:
        env = dict(os.environ)
        # As `import tensorflow` has it before the op library loads: the
        # installed TensorFlow's libtensorflow_framework.so.2.
        env["LD_LIBRARY_PATH"] = tf_dir
        output = ldd(binary, env)
        label = os.path.relpath(binary, site)
        print(f"\n$ LD_LIBRARY_PATH={tf_dir} ldd {binary}\n{output.rstrip()}\n")
        problems = []
        for line in output.splitlines():
            line = line.strip()
            name = line.split()[0] if line else ""
            target = line.split("=>", 1)[1].split("(")[0].strip() if "=>" in line else ""
            target = os.path.realpath(target) if target.startswith("/") else target
            if not name or name.startswith("/"):
                continue  # the dynamic loader itself
            if "not found" in line:
                problems.append(f"{name} not found")
            elif name.startswith("libtensorflow"):
                if not target.startswith(tf_dir + os.sep):
                    problems.append(f"{name} from {target}, not from TensorFlow {tf_dir}")
            elif BUNDLED.search(name):
                if not target.startswith(libs + os.sep):
                    problems.append(f"{name} from {target}, not from {libs}")
            elif not SYSTEM_LIBRARIES.match(name):
                problems.append(f"{name} ({target}) is neither bundled nor a manylinux system library")
        checks.ok(not problems, f"ldd {label}: DCMTK, OpenJPEG and their dependencies from "
                  f"tfdicom.libs, TensorFlow's library from TensorFlow, nothing else but "
                  f"glibc/libstdc++/libgcc/zlib", "; ".join(problems))


def sha256(array, stored_dtype):
    import numpy as np

    return hashlib.sha256(np.ascontiguousarray(array.astype(stored_dtype)).tobytes()).hexdigest()


def check_decodes(checks, directory):
    import numpy as np
    import tensorflow as tf

    import tfdicom
    import tfdicom.numpy
    import tfdicom.samples

    def both(data, color_dim, dtype):
        array = tfdicom.numpy.decode_dicom_image(data, color_dim=color_dim, dtype=dtype,
                                                 on_error="strict")
        tensor = tfdicom.decode_dicom_image(tf.constant(data), color_dim=color_dim,
                                            dtype=tf.as_dtype(dtype), on_error="strict")
        return array, tensor.numpy()

    with open(os.path.join(directory, "cases.json")) as f:
        cases = json.load(f)
    covered = set()
    for case in cases:
        if "sample" in case:
            path = tfdicom.samples.path(case["sample"])
            twin_path = tfdicom.samples.path(case["sample_twin"])
            label = f"sample {case['sample']}"
        else:
            path = os.path.join(directory, case["file"])
            twin_path = os.path.join(directory, case["twin"]) if "twin" in case else None
            label = case["file"]
        with open(path, "rb") as f:
            data = f.read()
        uid = case["uid"] or transfer_syntax_of(data)
        dtype = case["dtype"] or "int32"
        try:
            array, from_tf = both(data, case["color_dim"], dtype)
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            checks.ok(False, f"{uid:<24} {label}", f"{type(e).__name__}: {e}")
            continue
        problems = []
        if not np.array_equal(array, from_tf) or array.dtype != from_tf.dtype:
            problems.append("tfdicom.numpy and the TensorFlow op differ")
        if "sha256" in case:
            shaped = array.reshape(case["shape"])
            if sha256(shaped, case["stored_dtype"]) != case["sha256"]:
                problems.append("SHA-256 differs from pydicom's")
        elif "npy" in case:
            expected = np.load(os.path.join(directory, case["npy"]))
            if not np.array_equal(array, expected.astype(array.dtype)) or array.shape != expected.shape:
                problems.append(f"differs from the source array (max |diff| "
                                f"{np.abs(array.astype(np.int64) - expected).max()})")
        if twin_path is not None:
            with open(twin_path, "rb") as f:
                twin, _ = both(f.read(), case["color_dim"], dtype)
            if not np.array_equal(array, twin):
                problems.append(f"differs from {os.path.basename(twin_path)}")
        if array.size == 0 or array.max() == array.min():
            problems.append("empty or flat")
        covered.add(uid)
        checks.ok(not problems, f"{uid:<24} {NAMES.get(uid, '?'):<40} {label} "
                  f"{array.dtype} {list(array.shape)} = {case['reference']}, numpy == TF op",
                  "; ".join(problems))
    for name in tfdicom.samples.all_paths():
        with open(name, "rb") as f:
            data = f.read()
        array, from_tf = both(data, False, "int32")
        rel = os.path.relpath(name, os.path.dirname(tfdicom.samples.__file__))
        checks.ok(array.size > 0 and np.array_equal(array, from_tf),
                  f"{transfer_syntax_of(data):<24} sample {rel} {list(array.shape)}")
    missing = sorted(set(NAMES) - covered)
    checks.ok(not missing, f"decoded {len(covered)} transfer syntaxes: every one tfdicom reads",
              f"none decoded for {missing}")


def transfer_syntax_of(data):
    import tfdicom.numpy

    return str(tfdicom.numpy.decode_dicom_data(data, "TransferSyntaxUID"))


def check_dictionary(checks, directory):
    import tensorflow as tf

    import tfdicom
    import tfdicom.numpy

    bundled = os.pathsep.join(os.path.join(os.path.dirname(tfdicom.__file__), "dcmtk", n)
                              for n in ("dicom.dic", "private.dic"))
    checks.ok(os.environ.get("DCMDICTPATH") == bundled,
              f"after import tfdicom, DCMDICTPATH is the bundled dictionary ({bundled})",
              f"it is {os.environ.get('DCMDICTPATH')!r}")
    with open(os.path.join(directory, "dictionary_implicit_vr.dcm"), "rb") as f:
        data = f.read()
    tags = ["PatientName", "Rows", "(0009,0010)", "(0009,1012)"]
    expected = ["Isolated^Check", "16", PRIVATE_CREATOR, str(PRIVATE_VALUE)]
    values = [str(v) for v in tfdicom.numpy.decode_dicom_data(data, tags)]
    checks.ok(values == expected, f"decode_dicom_data (numpy), implicit VR, {tags} -> {values}",
              f"expected {expected}")
    tensor = tfdicom.decode_dicom_data(tf.constant(data), tags)
    values = [v.decode() for v in tensor.numpy()]
    checks.ok(values == expected, f"decode_dicom_data (TF op), implicit VR, {tags} -> {values}",
              f"expected {expected}")
    # The op library on its own (no tfdicom._core in the process): the first
    # and only user of DCMTK's dictionary there.
    code = ("import sys, tensorflow as tf, tfdicom\n"
            "data = open(sys.argv[1], 'rb').read()\n"
            "out = tfdicom.decode_dicom_data(tf.constant(data), ['Rows', '(0009,1012)']).numpy()\n"
            "print('_core loaded' if 'tfdicom._core' in sys.modules else 'op library only',\n"
            "      *(v.decode() for v in out))\n")
    result = subprocess.run([sys.executable, "-c", code,
                             os.path.join(directory, "dictionary_implicit_vr.dcm")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    checks.ok(result.returncode == 0 and last == f"op library only 16 {PRIVATE_VALUE}",
              f"a process that loads only the op library reads Rows and the private "
              f"element: {last!r}", result.stdout[-2000:])
    header = json.loads(tfdicom.decode_dicom_json(tf.constant(data)).numpy())
    got = {k: header.get(k) for k in ("00280010", "00091012")}
    checks.ok(got == {"00280010": {"vr": "US", "Value": [16]},
                      "00091012": {"vr": "UL", "Value": [PRIVATE_VALUE]}},
              f"decode_dicom_json (TF op): Rows and the private element with their "
              f"dictionary VRs: {got}")


def check(directory, no_system_dcmtk):
    checks = Checks()
    print(f"DCMDICTPATH before import: {os.environ.get('DCMDICTPATH', '<unset>')}")
    if no_system_dcmtk:
        check_no_system_dcmtk(checks)
    # Where they are installed, without importing them: ldd first.
    import importlib.util

    package_dir, tf_dir = (list(importlib.util.find_spec(name).submodule_search_locations)[0]
                           for name in ("tfdicom", "tensorflow"))
    check_ldd(checks, package_dir, tf_dir)
    import tensorflow as tf

    import tfdicom

    print(f"tfdicom {tfdicom.__version__} from {os.path.dirname(tfdicom.__file__)}; TensorFlow "
          f"{tf.__version__} from {os.path.dirname(tf.__file__)}; Python {sys.version.split()[0]}")
    check_dictionary(checks, directory)
    check_decodes(checks, directory)
    print(f"\n{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


def main(argv):
    if len(argv) == 2 and argv[0] == "prepare":
        prepare(argv[1])
    elif len(argv) in (2, 3) and argv[0] == "check":
        sys.exit(check(argv[1], "--no-system-dcmtk" in argv[2:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
