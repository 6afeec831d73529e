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
(cd "$HERE" && git ls-files -z --cached --others --exclude-standard 2>/dev/null || find . -type f -print0) \
  | (cd "$HERE" && xargs -0 cp --parents -t "$WORK")
"$PYTHON" -m pip wheel --no-build-isolation --no-deps -w "$DEST" "$WORK" >&2
ls "$DEST"/tfdicom-*.whl
