#!/usr/bin/env bash
# The core under AddressSanitizer and UndefinedBehaviorSanitizer (clang):
# its C++ unit tests, the fuzz regression files, then a bounded fuzz run of
# the decoder seeded with the open test files and the bundled samples.
#   bash tools/sanitize.sh [FUZZ_SECONDS]   (default 120; 0 skips fuzzing)
# A clean fuzz run leaves build-asan/fuzz.stamp, the SHA-256 of what it
# fuzzed (cc/, CMakeLists.txt, the third-party sources, the seed files) and
# for how long; a re-run on the same inputs skips the fuzz run and says so
# (the unit tests and regression files still run). CI=true (a fresh clone
# anyway) or TFDICOM_FUZZ_AGAIN=1 fuzzes all the same.
# DCMTK reserves an element's declared length (up to 4 GiB of virtual memory)
# before it finds that the input is shorter; here allocations over 1 GiB
# fail instead (as under strict overcommit), which DCMTK reports as an error.
# A crash fails the run and leaves its input in build-asan/fuzz-crashes/:
# add it to tests/fuzz_regressions/ with the fix.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECONDS_TO_FUZZ="${1:-120}"
BUILD=build-asan
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# Coverage for the fuzzer in every object of the core.
FUZZ_COVERAGE="-fsanitize=fuzzer-no-link"

echo "sanitize: building the core under ASan/UBSan with clang in $BUILD/ (about 10 min on 2 cores the first time)"
CC=clang CXX=clang++ .venv/bin/cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTFDICOM_BUILD_TF=OFF -DTFDICOM_BUILD_PYTHON=OFF -DTFDICOM_BUILD_TESTS=ON \
  -DTFDICOM_BUILD_FUZZERS=ON -DCMAKE_CXX_FLAGS="$SAN $FUZZ_COVERAGE" -DCMAKE_C_FLAGS="$SAN $FUZZ_COVERAGE" \
  -DCMAKE_EXE_LINKER_FLAGS="$SAN" \
  >"$BUILD.configure.log" 2>&1 || { cat "$BUILD.configure.log"; exit 1; }
.venv/bin/cmake --build "$BUILD" -j2 >"$BUILD.build.log" 2>&1 \
  || { grep -E "error" -A5 "$BUILD.build.log" | head -60; echo "sanitize: build failed" >&2; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:max_allocation_size_mb=1024
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "sanitize: core unit tests under ASan/UBSan"
"$BUILD/core_tests" --gtest_brief=1

echo "sanitize: fuzz regression files"
regressions=(tests/fuzz_regressions/*.dcm)
if [ -e "${regressions[0]}" ]; then "$BUILD/fuzz_decode" "${regressions[@]}"; fi

# ThreadSanitizer: the core's unit tests, among them 8 threads decoding the
# same files at once. (TensorFlow's pip wheel is not built with TSan, so the
# op library itself cannot run under it; tests/test_stress.py covers it.)
TSAN_BUILD=build-tsan
echo "sanitize: building the core's unit tests under TSan in $TSAN_BUILD/"
CC=clang CXX=clang++ .venv/bin/cmake -S . -B "$TSAN_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTFDICOM_BUILD_TF=OFF -DTFDICOM_BUILD_PYTHON=OFF -DTFDICOM_BUILD_TESTS=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_C_FLAGS="-fsanitize=thread" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  >"$TSAN_BUILD.configure.log" 2>&1 || { cat "$TSAN_BUILD.configure.log"; exit 1; }
.venv/bin/cmake --build "$TSAN_BUILD" -j2 --target core_tests >"$TSAN_BUILD.build.log" 2>&1 \
  || { grep -E "error" -A5 "$TSAN_BUILD.build.log" | head -60; echo "sanitize: TSan build failed" >&2; exit 1; }
echo "sanitize: core unit tests under TSan"
TSAN_OPTIONS=halt_on_error=1 "$TSAN_BUILD/core_tests" --gtest_brief=1

fuzz_inputs_hash() {
  { find cc CMakeLists.txt tests/fuzz_regressions tfdicom/samples -type f \
      \( -name '*.cc' -o -name '*.h' -o -name '*.txt' -o -name '*.dcm' \) -print0 | sort -z \
      | xargs -0 sha256sum
    cat third_party/*/.complete 2>/dev/null || true
    echo "seconds=$SECONDS_TO_FUZZ"; } | sha256sum | cut -d' ' -f1
}
STAMP="$BUILD/fuzz.stamp"
if [ "$SECONDS_TO_FUZZ" -gt 0 ] && [ "${CI:-}" != true ] && [ "${TFDICOM_FUZZ_AGAIN:-}" != 1 ] \
   && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fuzz_inputs_hash)" ]; then
  echo "sanitize: not fuzzing again: these sources and seeds were fuzzed for ${SECONDS_TO_FUZZ}s" \
       "without a crash ($STAMP; TFDICOM_FUZZ_AGAIN=1 fuzzes all the same)"
  SECONDS_TO_FUZZ=0
fi
if [ "$SECONDS_TO_FUZZ" -gt 0 ]; then
  rm -f "$STAMP"
  corpus="$BUILD/fuzz-corpus"
  mkdir -p "$corpus" "$BUILD/fuzz-crashes"
  find tfdicom/samples tests/fuzz_regressions -type f -name '*.dcm' -exec cp {} "$corpus/" \;
  seeds="$(.venv/bin/python -c 'import pydicom.data, os; print(os.path.dirname(pydicom.data.get_testdata_file("CT_small.dcm", download=False)))')"
  find "$seeds" -maxdepth 1 -type f -name '*.dcm' -size -300k -exec cp {} "$corpus/" \;
  echo "sanitize: fuzzing for ${SECONDS_TO_FUZZ}s from $(ls "$corpus" | wc -l) seeds"
  "$BUILD/fuzz_decode" "$corpus" -max_total_time="$SECONDS_TO_FUZZ" -max_len=262144 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 -artifact_prefix="$BUILD/fuzz-crashes/" \
    -print_final_stats=1 2>&1 | grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Test unit written" || true
  if ls "$BUILD/fuzz-crashes/" | grep -q .; then
    echo "sanitize: the fuzzer found a crash: $(ls "$BUILD/fuzz-crashes/")" >&2
    exit 1
  fi
  fuzz_inputs_hash > "$STAMP"
fi
echo "sanitize: ok"
