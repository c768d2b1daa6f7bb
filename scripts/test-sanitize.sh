#!/usr/bin/env bash
# Builds the loader and session-store tests, which link Qt but not LibTorch, with gcc,
# AddressSanitizer and UndefinedBehaviorSanitizer into build-sanitize/ (override with
# SANITIZE_BUILD_DIR), and runs them with leak detection. LibTorch's tests are left out because
# they run slowly under AddressSanitizer. Expects the packages of scripts/install-deps.sh, which
# scripts/test.sh installs. See docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${SANITIZE_BUILD_DIR:-build-sanitize}"
tests=(tst_csvreader tst_idxreader tst_imagefolderreader tst_sessionstore tst_isolationforest)

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=g++ -DUAI_SANITIZE=ON
cmake --build "$build_dir" --parallel "${JOBS:-$(nproc)}" --target "${tests[@]}"

pattern="^($(IFS='|'; echo "${tests[*]}"))\$"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
ctest --test-dir "$build_dir" -R "$pattern" --output-on-failure --timeout 600
