#!/usr/bin/env bash
# Proves that the wheel carries what it needs. Installs it, with its
# [tensorflow-cpu] extra, into a fresh virtual environment on a Debian 12
# root file system that has no DCMTK, OpenJPEG, libxml2, ICU or DCMTK data
# dictionary (a debootstrap'ed minbase bookworm with python3 and
# python3-venv only, entered with chroot), then, there:
#   - prints `ldd` of the op library and of the pybind11 module and checks
#     that DCMTK, OpenJPEG and what they pull in resolve inside the wheel's
#     tfdicom.libs/, TensorFlow's library inside the installed TensorFlow,
#     and nothing else but glibc, libstdc++, libgcc and zlib;
#   - decodes files in every transfer syntax tfdicom reads (open test files
#     of pydicom and pydicom-data, files made here, the bundled samples) with
#     tfdicom.numpy and with the TensorFlow op, against references made
#     without the wheel (see tools/check_wheel_isolated.py);
#   - reads metadata that needs DCMTK's public and private data dictionaries,
#     with DCMDICTPATH pointing at a file that does not exist.
#
#   bash tools/check_wheel_isolated.sh [WHEEL]
#
# Without WHEEL it first builds one with build_pip_pkg.sh. Root only
# (debootstrap, chroot, mounts in a private mount namespace). Not run by CI
# (root, debootstrap, a second TensorFlow install): under a minute with a
# wheel given and the caches warm, one more to build the wheel, and on the
# first run about another for debootstrap and downloading the requirements
# (more where TensorFlow comes from PyPI itself). Run it
# before publishing a wheel and after changing build_pip_pkg.sh,
# tools/wheel_bundle.py, how CMakeLists.txt links, or the Debian packages of
# DCMTK and OpenJPEG.
#
# Environment:
#   PYTHON                 the build machine's Python (default .venv/bin/python, else
#                          python3): TensorFlow (to build), pydicom and pydicom-data, and
#                          DCMTK's and OpenJPH's tools on PATH (to make the test files)
#   TFDICOM_CHROOT_CACHE   kept between runs (default /var/cache/tfdicom-chroot): the root
#                          file system and the wheels of the wheel's requirements
#   TFDICOM_DEBIAN_MIRROR  default: the Debian mirror of this machine's apt sources
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "check_wheel_isolated: $*"; }
die() { say "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
CACHE="${TFDICOM_CHROOT_CACHE:-/var/cache/tfdicom-chroot}"
ROOTFS="$CACHE/bookworm"
WHEELHOUSE="$CACHE/wheelhouse"
CHECK_DIR=/tmp/tfdicom-check            # inside the root file system
HOST_CHECK="$ROOTFS$CHECK_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK" "$HOST_CHECK"' EXIT
mkdir -p "$CACHE" "$WHEELHOUSE"
start=$SECONDS

# 1. The wheel.
if [ $# -ge 1 ]; then
  WHEEL="$(realpath "$1")"
else
  say "building the wheel (build_pip_pkg.sh)"
  WHEEL="$(PYTHON="$PYTHON" bash "$ROOT/build_pip_pkg.sh" "$WORK/dist" 2>"$WORK/build.log" | tail -n 1)" \
    || { tail -n 50 "$WORK/build.log"; die "build_pip_pkg.sh failed"; }
fi
[ -f "$WHEEL" ] || die "no wheel at $WHEEL"
say "wheel $(basename "$WHEEL"), $(( $(stat -c %s "$WHEEL") / 1024 )) KiB"

# 2. The root file system: Debian 12 minbase with python3 and python3-venv,
#    made once and kept.
debian_mirror() {
  if [ -n "${TFDICOM_DEBIAN_MIRROR:-}" ]; then echo "$TFDICOM_DEBIAN_MIRROR"; return; fi
  # The first Debian archive (not -security) of this machine's apt sources.
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/{print $2}' \
         | grep -E '/debian/?$' | head -n 1 || true)"
  [ -n "$uri" ] || uri="$(grep -hE '^deb +(\[[^]]*\] +)?[a-z]+://[^ ]*/debian/? ' \
                          /etc/apt/sources.list 2>/dev/null | head -n 1 \
                          | sed -E 's/^deb +(\[[^]]*\] +)?([^ ]+).*/\2/' || true)"
  [ -n "$uri" ] || die "no Debian archive in this machine's apt sources: set TFDICOM_DEBIAN_MIRROR"
  echo "$uri"
}
if [ ! -f "$ROOTFS/.tfdicom-rootfs" ]; then
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
             --no-install-recommends debootstrap >/dev/null; }
  fi
  mirror="$(debian_mirror)"
  say "debootstrap --variant=minbase --include=python3,python3-venv bookworm from $mirror"
  rm -rf "$ROOTFS.partial"
  debootstrap --variant=minbase --include=python3,python3-venv bookworm "$ROOTFS.partial" \
    "$mirror" >"$CACHE/debootstrap.log" 2>&1 || { tail -n 30 "$CACHE/debootstrap.log"; die "debootstrap failed"; }
  rm -rf "$ROOTFS"
  mv "$ROOTFS.partial" "$ROOTFS"
  echo "debootstrap --variant=minbase --include=python3,python3-venv bookworm $mirror" \
    >"$ROOTFS/.tfdicom-rootfs"
fi
say "root file system $ROOTFS ($(cat "$ROOTFS/.tfdicom-rootfs"))"
unwanted="$(chroot "$ROOTFS" dpkg-query -W -f '${Package}\n' \
            | grep -E 'dcmtk|openjp|libxml2|libicu' || true)"
[ -z "$unwanted" ] || die "the root file system has packages the wheel must bring itself: $unwanted"
chroot_python="$(chroot "$ROOTFS" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
host_python="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$chroot_python" = "$host_python" ] \
  || die "$PYTHON is Python $host_python, the root file system's is $chroot_python: the wheel and the downloaded requirements are for $host_python"

# 3. The wheel's requirements, downloaded here (through this machine's pip
#    configuration) and kept: the chroot installs with --no-index from them,
#    so it needs no network and a requirement the metadata forgets fails.
say "pip download the requirements of $(basename "$WHEEL")[tensorflow-cpu] into $WHEELHOUSE"
# (Without the warnings about this machine's pip configuration's extra indexes.)
"$PYTHON" -m pip download -q --disable-pip-version-check --only-binary=:all: -d "$WHEELHOUSE" \
  "$WHEEL[tensorflow-cpu]" 2>&1 | { grep -v "^WARNING: Location .* is ignored" || true; }
rm -f "$WHEELHOUSE"/tfdicom-*.whl

# 4. What the chroot gets: the wheel, the test files and their references
#    (made here, without the wheel), the checking script.
rm -rf "$HOST_CHECK"
mkdir -p "$HOST_CHECK/wheelhouse"
cp "$WHEEL" "$HOST_CHECK/"
cp "$ROOT/tools/check_wheel_isolated.py" "$HOST_CHECK/"
"$PYTHON" "$ROOT/tools/check_wheel_isolated.py" prepare "$HOST_CHECK/cases"
cat >"$HOST_CHECK/inside.sh" <<EOF
set -euo pipefail
cd $CHECK_DIR
echo "check_wheel_isolated: in the chroot: \$(. /etc/os-release; echo "\$PRETTY_NAME"), \$(python3 --version)"
python3 -m venv venv
echo "check_wheel_isolated: pip install --no-index $(basename "$WHEEL")[tensorflow-cpu] into a fresh venv"
venv/bin/python -m pip install -q --disable-pip-version-check --no-index --find-links wheelhouse \
  "./$(basename "$WHEEL")[tensorflow-cpu]"
venv/bin/python -m pip list --disable-pip-version-check 2>/dev/null | grep -iE '^(tfdicom|tensorflow[-_]cpu|numpy) '
cd /
echo "DCMDICTPATH=\$DCMDICTPATH (does not exist)"
sample="\$($CHECK_DIR/venv/bin/python -c 'import tfdicom.samples as s; print(s.path("mr/mr_slice3_jpegls_lossless.dcm"))')"
echo "\\$ tfdicom info \$sample"
cli=0
$CHECK_DIR/venv/bin/tfdicom info "\$sample" || { cli=\$?; echo "FAIL  tfdicom info (exit \$cli)"; }
$CHECK_DIR/venv/bin/python $CHECK_DIR/check_wheel_isolated.py check $CHECK_DIR/cases --no-system-dcmtk
exit \$cli
EOF

# 5. Into the chroot, in a private mount namespace (its mounts vanish with
#    it), with a clean environment.
say "entering the chroot"
set +e
unshare --mount --propagation private -- bash -euo pipefail -c '
  mount -t proc proc "$1/proc"
  mount --rbind /dev "$1/dev"
  mount --bind -o ro "$2" "$1$3/wheelhouse"
  exec chroot "$1" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    TF_CPP_MIN_LOG_LEVEL=2 DCMDICTPATH=/nonexistent/dicom.dic /bin/bash "$3/inside.sh"
' _ "$ROOTFS" "$WHEELHOUSE" "$CHECK_DIR"
status=$?
set -e
if [ $status -eq 0 ]; then
  say "passed in $((SECONDS - start)) s"
else
  say "FAILED (exit $status) after $((SECONDS - start)) s"
fi
exit $status
