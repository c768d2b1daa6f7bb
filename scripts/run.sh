#!/usr/bin/env bash
# Installs the packages, builds, and starts the labeling window. With no argument it reopens the
# last session, or on a first start opens Fashion-MNIST with class 0 kept at 10% as the
# anomalies. Arguments go to uai-studio (see "uai-studio --help").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec "${BUILD_DIR:-build}/bin/uai-studio" "$@"
