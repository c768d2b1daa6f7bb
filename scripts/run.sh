#!/usr/bin/env bash
# Installs the packages, builds, and runs the main job on the default dataset: active anomaly
# detection on Fashion-MNIST with class 0 kept at 10% as the anomalies, answered by a simulated
# analyst from the ground truth. Extra arguments go to "uai-cli run".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec "${BUILD_DIR:-build}/bin/uai-cli" run --data fashion-mnist:0 --model class --budget 1000 "$@"
