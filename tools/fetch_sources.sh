#!/usr/bin/env bash
# Fetches the release sources of two libraries that tfdicom builds into its
# core with NDEBUG, from Debian's archive, each checked against its SHA-256,
# into third_party/ (not committed). Why: Debian builds both with assertions
# on.
#   CharLS 2.4.2:   its asserts run for every pixel (a 512x512 CT: 5.9 ms
#                   against 3.7 ms).
#   OpenJPEG 2.5.0: (the version of Debian 12's libopenjp2-7) its asserts
#                   check coded data, so a malformed JPEG 2000 or HTJ2K
#                   code block aborts the process instead of being an error.
# Without network access the build falls back to Debian's libraries: the
# same values, but JPEG-LS slower and malformed code blocks fatal. Safe to
# re-run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POOL=http://deb.debian.org/debian/pool/main

# fetch NAME DIR URL SHA256 MEMBER...: MEMBERs of the tarball (paths under
# its top directory DIR) into third_party/DIR.
fetch() {
  local name="$1" dir="$2" url="$3" sha256="$4"
  shift 4
  local dest="$ROOT/third_party/$dir"
  [ -f "$dest/.complete" ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  if ! curl -fsSL --retry 2 -o "$tmp/src.tar" "$url"; then
    echo "fetch_sources: cannot download $url: building with Debian's $name instead" >&2
    rm -rf "$tmp"
    return 0
  fi
  echo "$sha256  $tmp/src.tar" | sha256sum -c --quiet
  tar -xf "$tmp/src.tar" -C "$tmp" "${@/#/$dir/}"
  rm -rf "$dest"
  mv "$tmp/$dir" "$dest"
  touch "$dest/.complete"
  rm -rf "$tmp"
  echo "fetch_sources: $name source in third_party/$dir"
}

fetch CharLS charls-2.4.2 "$POOL/c/charls/charls_2.4.2.orig.tar.gz" \
  d1c2c35664976f1e43fec7764d72755e6a50a80f38eca70fcc7553cad4fe19d9 src include LICENSE.md
fetch OpenJPEG openjpeg-2.5.0 "$POOL/o/openjpeg2/openjpeg2_2.5.0.orig.tar.xz" \
  007e19d772c8b6b22e35379630b06ff3549e49ba719d96453607a36ad7b4de73 src/lib/openjp2 LICENSE
