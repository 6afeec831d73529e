#!/usr/bin/env bash
# Fetches the release sources of two libraries that tfdicom builds into its
# core with NDEBUG, through apt (`apt-get source --print-uris` by source
# package name and Debian release names the upstream tarball, apt-helper
# fetches it), each checked against its SHA-256, into third_party/ (not
# committed). Why: Debian builds both with assertions on.
#   CharLS 2.4.2:   its asserts run for every pixel (a 512x512 CT: 5.9 ms
#                   against 3.7 ms). Source package charls of Debian 13
#                   (trixie): Debian 12 has 2.4.1, whose files the archive
#                   that this project's machines reach does not serve (404);
#                   2.4.2 is the upstream bug-fix release of 2.4.1 and the
#                   one tfdicom's measurements and fuzz runs used.
#   OpenJPEG 2.5.0: source package openjpeg2 of Debian 12 (bookworm), the
#                   version of its libopenjp2-7: its asserts check coded
#                   data, so a malformed JPEG 2000 or HTJ2K code block
#                   aborts the process instead of being an error.
#
# Where from: the machine's own apt configuration. Each `deb` entry of
# /etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources that
# names the machine's release (VERSION_CODENAME of /etc/os-release) is
# copied as a `deb-src` entry for the two releases above into a private apt
# configuration under build/apt-src/ (its own source list, lists and cache,
# passed with -o; removed when done), so the system's apt state is never
# changed and no address is written here. Needs no root.
#
# When a source cannot be had (no network, the package or version not in
# the archive, a checksum that does not match) this fails, saying why.
# Setting TFDICOM_ALLOW_DEBIAN_CODECS=1 lets the build go on with Debian's
# libcharls / libopenjp2 instead, after a loud warning: the same values,
# but JPEG-LS slower and a malformed JPEG 2000 code block fatal to the whole
# process. See third_party/README.md. Safe to re-run: a library already in
# third_party/ is not fetched again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# name, source package, Debian release, upstream version, orig tarball, its
# SHA-256, the members of the tarball to keep.
CHARLS=(CharLS charls trixie 2.4.2 charls_2.4.2.orig.tar.gz
        d1c2c35664976f1e43fec7764d72755e6a50a80f38eca70fcc7553cad4fe19d9
        "src include LICENSE.md")
OPENJPEG=(OpenJPEG openjpeg2 bookworm 2.5.0 openjpeg2_2.5.0.orig.tar.xz
          007e19d772c8b6b22e35379630b06ff3549e49ba719d96453607a36ad7b4de73
          "src/lib/openjp2 LICENSE")
RELEASES="${CHARLS[2]} ${OPENJPEG[2]}"
# The directories CMake is pointed at (bootstrap.sh, setup.py, sanitize.sh).
CHARLS_DIR="third_party/charls-${CHARLS[3]}"
OPENJPEG_DIR="third_party/openjpeg-${OPENJPEG[3]}"
if [ "${1:-}" = "--print-dirs" ]; then
  echo "$CHARLS_DIR $OPENJPEG_DIR"
  exit 0
fi

APT_DIR="$ROOT/build/apt-src"
cleanup() { rm -rf "$APT_DIR"; }

# deb-src entries for $RELEASES at every archive that the system's apt
# sources use for the machine's own release.
derive_sources() {
  local codename f
  codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  if [ -z "$codename" ]; then
    echo "no VERSION_CODENAME in /etc/os-release: not a Debian machine?" >&2
    return 1
  fi
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    awk -v codename="$codename" -v releases="$RELEASES" '
      $1 != "deb" { next }
      { opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts $i " "; i++ }
                          opts = opts $i " "; i++ }
        if ($(i + 1) != codename) next
        n = split(releases, r, " ")
        for (j = 1; j <= n; j++) {
          line = "deb-src " opts $i " " r[j]
          for (k = i + 2; k <= NF; k++) line = line " " $k
          print line
        } }' "$f"
  done > "$APT_DIR/sources.list"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v codename="$codename" -v releases="$RELEASES" '
      /^[[:space:]]*#/ { next }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]/   { next }   # continuation lines (an inline key): not needed
      { k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*:[[:space:]]*/, "", v); f[k] = v }
      function flush() {
        if (f["Types"] ~ /(^|[[:space:]])deb([[:space:]]|$)/ && tolower(f["Enabled"]) != "no" &&
            (" " f["Suites"] " ") ~ (" " codename " ")) {
          printf "Types: deb-src\nURIs: %s\nSuites: %s\n", f["URIs"], releases
          if ("Components" in f) printf "Components: %s\n", f["Components"]
          if ("Signed-By" in f) printf "Signed-By: %s\n", f["Signed-By"]
          print ""
        }
        delete f
      }
      END { flush() }' "$f"
  done > "$APT_DIR/parts/system.sources"
  if ! grep -qs . "$APT_DIR/sources.list" "$APT_DIR/parts/system.sources"; then
    echo "no 'deb' entry for '$codename' in /etc/apt/sources.list or /etc/apt/sources.list.d/" >&2
    return 1
  fi
}

APT_OPTS=()
prepare_apt() {
  [ ${#APT_OPTS[@]} -gt 0 ] && return 0
  rm -rf "$APT_DIR"
  mkdir -p "$APT_DIR/parts" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$APT_DIR/download"
  derive_sources || return 1
  # APT::Sandbox::User=root: the download folder may sit under a home that
  # apt's unprivileged download user cannot enter.
  APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list"
            -o "Dir::Etc::SourceParts=$APT_DIR/parts"
            -o "Dir::State::Lists=$APT_DIR/lists"
            -o "Dir::Cache=$APT_DIR/cache"
            -o "APT::Sandbox::User=root"
            -o "Debug::NoLocking=true")
  echo "fetch_sources: reading the source indices of this machine's apt archives"
  # Not fatal: an archive without sources (a third-party one) fails its
  # part of the update; `apt-get source` below says whether ours was found.
  apt-get -q "${APT_OPTS[@]}" update >"$APT_DIR/update.log" 2>&1 || true
}

# fetch NAME SRCPKG RELEASE VERSION ORIG SHA256 MEMBERS DIR: MEMBERS of the
# upstream tarball ORIG of source package SRCPKG of Debian RELEASE into DIR.
fetch() {
  local name="$1" srcpkg="$2" release="$3" version="$4" orig="$5" sha256="$6" members="$7" dir="$8"
  local dest="$ROOT/$dir"
  [ -f "$dest/.complete" ] && return 0
  prepare_apt || return 1
  local dl="$APT_DIR/download/$srcpkg"
  mkdir -p "$dl"
  # Only the upstream tarball is needed (not Debian's packaging), and the
  # archive may serve it alone: apt names its address, apt-helper fetches
  # it, checking the SHA-256.
  local uri
  uri="$(apt-get -qq "${APT_OPTS[@]}" --print-uris source --download-only "$srcpkg/$release" \
           2>"$APT_DIR/$srcpkg.log" | awk -v f="$orig" '$2 == f { gsub("\047", "", $1); print $1 }')" || true
  if [ -z "$uri" ]; then
    grep -E '^(E|W|Err):' "$APT_DIR/update.log" >&2 || true
    cat "$APT_DIR/$srcpkg.log" >&2
    echo "apt knows no $orig in the source package '$srcpkg' of Debian $release" >&2
    return 1
  fi
  if ! /usr/lib/apt/apt-helper "${APT_OPTS[@]}" download-file "$uri" "$dl/$orig" "SHA256:$sha256" \
         >"$APT_DIR/$srcpkg.log" 2>&1; then
    cat "$APT_DIR/$srcpkg.log" >&2
    echo "cannot download $orig of the source package '$srcpkg' of Debian $release" \
         "(or its SHA-256 is not $sha256)" >&2
    return 1
  fi
  if ! echo "$sha256  $dl/$orig" | sha256sum -c --quiet >/dev/null 2>&1; then
    echo "$orig does not have the SHA-256 pinned here ($sha256)" >&2
    return 1
  fi
  local top
  top="$(tar -tf "$dl/$orig" | head -1 | cut -d/ -f1)"
  local paths=()
  for m in $members; do paths+=("$top/$m"); done
  tar -xf "$dl/$orig" -C "$dl" "${paths[@]}"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$dl/$top" "$dest"
  echo "$srcpkg $version $orig $sha256" > "$dest/.complete"
  echo "fetch_sources: $name $version release source in $dir"
}

failed=()
trap cleanup EXIT
for lib in CHARLS OPENJPEG; do
  declare -n spec="$lib"
  declare -n target="${lib}_DIR"
  if ! fetch "${spec[@]}" "$target"; then failed+=("${spec[0]} ${spec[3]} (source package ${spec[1]} of Debian ${spec[2]})"); fi
done
cleanup
trap - EXIT
[ ${#failed[@]} -eq 0 ] && exit 0

if [ "${TFDICOM_ALLOW_DEBIAN_CODECS:-}" = 1 ]; then
  cat >&2 <<EOF

************************************************************************
fetch_sources: WARNING: could not fetch the release source of
    ${failed[*]}
TFDICOM_ALLOW_DEBIAN_CODECS=1 is set, so tfdicom will be built with
Debian's libcharls / libopenjp2, which are compiled WITH ASSERTIONS:
  - a malformed JPEG 2000 or HTJ2K code block ABORTS THE WHOLE PROCESS
    (Python, TensorFlow, a server) whatever on_error says;
  - JPEG-LS decodes about 1.6x slower.
Values are the same. Fix the apt source access and re-run
tools/bootstrap.sh to get the safe build (see third_party/README.md).
************************************************************************

EOF
  exit 0
fi
cat >&2 <<EOF
fetch_sources: could not fetch the release source of ${failed[*]}
through apt (see the messages above). tfdicom builds these with NDEBUG
because Debian's libraries assert on malformed coded data (aborting the
process). Make 'apt-get source' work for them (network access to this
machine's apt archive), or set TFDICOM_ALLOW_DEBIAN_CODECS=1 to build
with Debian's asserting libraries anyway (see third_party/README.md).
EOF
exit 1
