#!/usr/bin/env bash
# The two jobs the README starts with; each sets up what is missing first.
#   bash tools/run.sh demo   `tfdicom demo` on the bundled samples (outputs in build/demo)
#   bash tools/run.sh test   the core under ASan/UBSan/TSan (unit tests, fuzz regressions,
#                            a 120 s fuzz run: TFDICOM_FUZZ_SECONDS; skipped when the
#                            same sources were fuzzed before, see tools/sanitize.sh),
#                            then the pytest suite (what CI runs; extra arguments go
#                            to pytest)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash tools/bootstrap.sh
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export TF_CPP_MIN_LOG_LEVEL=2
case "${1:-}" in
  demo) shift
        # TensorFlow's AutoGraph writes each function it converts as a
        # temporary module and deletes it, but Python leaves its bytecode in
        # <tmp>/__pycache__: a private temporary directory keeps /tmp clean.
        export TMPDIR="$ROOT/build/tmp"
        rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
        rc=0
        .venv/bin/python -m tfdicom demo --out "${1:-build/demo}" || rc=$?
        rm -rf "$TMPDIR"
        exit $rc ;;
  test) shift
        bash tools/sanitize.sh "${TFDICOM_FUZZ_SECONDS:-120}"
        exec .venv/bin/python -m pytest -q "$@" ;;
  *) echo "usage: bash tools/run.sh demo|test [pytest args]" >&2; exit 2 ;;
esac
