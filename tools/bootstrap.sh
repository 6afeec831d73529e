#!/usr/bin/env bash
# Sets up everything tfdicom needs on Debian 12 (as root), then builds it in
# place. Safe to re-run: each step is skipped when already done.
#   apt packages: compiler, Python's headers and venv, xz (for OpenJPEG's
#                 source tarball), DCMTK (library, tools, data dictionary),
#                 the codec libraries, clang and googletest for the
#                 sanitized core tests (a minimal Debian 12 has none of them)
#   third_party/: CharLS and OpenJPEG release sources (tools/fetch_sources.sh,
#                 through apt; third_party/README.md)
#   .venv/:      Python packages from requirements-dev.txt
#   tfdicom/:    _tfdicom_ops.so and _core*.so, built by CMake in build/
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# openjph-tools (ojph_compress, ojph_expand) makes and checks the HTJ2K test
# files; clang, its runtime and googletest build the core's sanitized unit
# tests and fuzzer. libcharls-dev and libopenjp2-7-dev: the libraries that
# TFDICOM_ALLOW_DEBIAN_CODECS=1 falls back to.
APT_PACKAGES=(g++ make git ca-certificates xz-utils python3-venv python3-dev
              libdcmtk-dev dcmtk libopenjp2-7-dev
              libjpeg62-turbo-dev libcharls-dev libdeflate-dev openjph-tools
              clang libclang-rt-14-dev libgtest-dev)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want="$(sha256sum requirements-dev.txt | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing Python packages (requirements-dev.txt)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

bash tools/fetch_sources.sh

mkdir -p build
echo "bootstrap: building (cmake, -j2)"
.venv/bin/cmake -S . -B build -DPython_EXECUTABLE="$ROOT/.venv/bin/python" \
  -DCMAKE_BUILD_TYPE=Release >build/cmake-configure.log 2>&1 \
  || { cat build/cmake-configure.log; exit 1; }
.venv/bin/cmake --build build -j2 2>&1 | grep -vE '^\[ *[0-9]+%\]' || true
test -f tfdicom/_tfdicom_ops.so && ls tfdicom/_core*.so >/dev/null
