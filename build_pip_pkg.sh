#!/usr/bin/env bash
# Builds the tfdicom wheel into DEST (default: ./dist) with the Python that
# runs this script (set PYTHON to choose another). TensorFlow must be
# installed in that Python: the op library is built against it.
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
        -o -name __pycache__ -o -name '*.egg-info' \) -prune \
        -o -type f ! -name '*.so' ! -path ./tfdicom/_build_info.py -print0)
  fi
}
# Skip tracked files deleted from the work tree (they would fail the copy).
list_sources | (cd "$HERE" && while IFS= read -r -d '' f; do
  if [ -f "$f" ]; then printf '%s\0' "$f"; fi
done | xargs -0 -r cp --parents -t "$WORK")
"$PYTHON" -m pip wheel --no-build-isolation --no-deps -w "$DEST" "$WORK" >&2
ls "$DEST"/tfdicom-*.whl
