#!/usr/bin/env bash
# Installs the packages, builds, and runs every test. The tests read the benchmark data and
# malformed case files from ../shared beside the repository (override with -DUAI_SHARED_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --timeout 900
