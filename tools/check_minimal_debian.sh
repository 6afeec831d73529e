#!/usr/bin/env bash
# The README's two commands, tried as a new user would: on a minimal Debian
# 12 (debootstrap --variant=minbase: no compiler, no xz, no Python headers,
# no curl) with only git and CA certificates added, as root, in a fresh
# clone of REPO's committed HEAD, with Python writing bytecode as it does by
# default:
#     bash tools/run.sh demo; bash tools/run.sh test
# each timed, then both again (the re-run: must be quick and pass), then
# what was left in /tmp.
#
#   bash tools/check_minimal_debian.sh [REPO]         (default: this tree)
#
# As root on Debian. The root file system is a fresh one each time, at
# TFDICOM_MINBASE_ROOT (default /var/tmp/tfdicom-minbase, deleted first):
# unpacked from the tar TFDICOM_MINBASE_TAR when that is set (a debootstrap
# minbase root packed once, to save the download), else made with
# `debootstrap --variant=minbase bookworm` from the archive that this
# machine's apt configuration names (installing debootstrap if missing).
# The root gets this machine's network set-up, nothing of its software:
# /etc/resolv.conf, the local CA certificates of /usr/local/share/
# ca-certificates (where a TLS-intercepting proxy's CA goes; installed with
# update-ca-certificates after ca-certificates), PIP_CERT (pip told to trust
# the system's store, as this machine's pip is when its PIP_CERT or
# pip.conf `cert` says so), PIP_DEFAULT_TIMEOUT and, if the root has no apt
# source of its own, a copy of this machine's. /proc, /sys and /dev are
# mounted into it and unmounted on exit, whatever happens. Set
# TFDICOM_CHECK_RERUN=0 to skip the re-run. A full run takes about an hour
# on 2 cores (TensorFlow's download, the build, the sanitizers, the tests).
set -euo pipefail
REPO="$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
TARGET="${TFDICOM_MINBASE_ROOT:-/var/tmp/tfdicom-minbase}"
RERUN="${TFDICOM_CHECK_RERUN:-1}"
[ "$(id -u)" = 0 ] || { echo "check_minimal_debian: run as root" >&2; exit 1; }
git -C "$REPO" rev-parse HEAD >/dev/null

# The first `deb` archive of this machine's apt configuration for its release.
host_mirror() {
  local codename
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  {
    sed -nE "s/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+$codename([[:space:]].*)?$/\2/p" \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
    awk -v codename="$codename" '
      /^[[:space:]]*$/ { if (t ~ /deb/ && (" " s " ") ~ (" " codename " ")) print u; t = s = u = ""; next }
      $1 == "Types:" { t = $0 } $1 == "Suites:" { s = $0 } $1 == "URIs:" { split($0, a, " "); u = a[2] }
      END { if (t ~ /deb/ && (" " s " ") ~ (" " codename " ")) print u }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null
  } | head -1
}

MOUNTED=()
cleanup() {
  local i
  for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
    umount -l "${MOUNTED[$i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
bind() {  # bind SOURCE TARGET: mount, remembered for cleanup
  mkdir -p "$2"
  mount --rbind "$1" "$2"
  mount --make-rslave "$2"
  MOUNTED+=("$2")
}

# A target still mounted from an interrupted run must not be deleted through.
if grep -qs " $TARGET/" /proc/mounts; then
  grep " $TARGET/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l
fi
rm -rf "$TARGET"
mkdir -p "$TARGET"
mirror="$(host_mirror)"
if [ -n "${TFDICOM_MINBASE_TAR:-}" ]; then
  echo "check_minimal_debian: unpacking $TFDICOM_MINBASE_TAR into $TARGET"
  tar -C "$TARGET" -xf "$TFDICOM_MINBASE_TAR"
else
  [ -n "$mirror" ] || { echo "check_minimal_debian: no apt archive for this release in /etc/apt" >&2; exit 1; }
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  echo "check_minimal_debian: debootstrap --variant=minbase bookworm into $TARGET"
  debootstrap --variant=minbase bookworm "$TARGET" "$mirror" >"$TARGET.debootstrap.log" 2>&1 \
    || { tail -20 "$TARGET.debootstrap.log"; exit 1; }
  rm -f "$TARGET.debootstrap.log"
fi
if ! grep -qsE '^[[:space:]]*(deb|Types:)' "$TARGET"/etc/apt/sources.list "$TARGET"/etc/apt/sources.list.d/*; then
  cp /etc/apt/sources.list.d/*.sources "$TARGET/etc/apt/sources.list.d/" 2>/dev/null \
    || cp /etc/apt/sources.list "$TARGET/etc/apt/sources.list"
fi
cp -L /etc/resolv.conf "$TARGET/etc/resolv.conf"
mkdir -p "$TARGET/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$TARGET/usr/local/share/ca-certificates/" 2>/dev/null || true
PIP_ENV=()
if [ -n "${PIP_CERT:-}" ] || grep -qsE '^[[:space:]]*cert[[:space:]]*=' /etc/pip.conf "$HOME/.config/pip/pip.conf"; then
  PIP_ENV+=(PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
fi
[ -n "${PIP_DEFAULT_TIMEOUT:-}" ] && PIP_ENV+=(PIP_DEFAULT_TIMEOUT="$PIP_DEFAULT_TIMEOUT")
bind /proc "$TARGET/proc"
bind /sys "$TARGET/sys"
bind /dev "$TARGET/dev"

# What the user has: git and CA certificates, nothing else.
chroot "$TARGET" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null
         update-ca-certificates >/dev/null 2>&1'
echo "check_minimal_debian: cloning $REPO at $(git -C "$REPO" rev-parse --short HEAD)"
git clone -q --no-hardlinks "$REPO" "$TARGET/root/tfdicom"

# A user's login environment: no PYTHONDONTWRITEBYTECODE, no CI.
in_root() {
  chroot "$TARGET" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb "${PIP_ENV[@]}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/tfdicom && $1"
}
status=0
step() {  # step LABEL COMMAND
  local start end rc=0
  echo "=== check_minimal_debian: $1: $2"
  start=$(date +%s)
  in_root "$2" || rc=$?
  end=$(date +%s)
  echo "=== check_minimal_debian: $1: exit $rc after $((end - start)) s"
  [ $rc -eq 0 ] || status=1
}
step "first run" "bash tools/run.sh demo"
step "first run" "bash tools/run.sh test"
if [ "$RERUN" = 1 ]; then
  step "re-run" "bash tools/run.sh demo"
  step "re-run" "bash tools/run.sh test"
fi
echo "=== check_minimal_debian: left in the root's /tmp:"
in_root "du -sh /tmp; find /tmp -mindepth 1 -maxdepth 2 | head -20"
exit $status
