#!/usr/bin/env bash
# Renders the screenshots in docs/screenshots: the main window, the latent chart and the
# discovery curve of a fresh Fashion-MNIST session after 150 verdicts of demo mode, under Xvfb.
# Needs a build (scripts/build.sh) and the xvfb package. Settings and the session file go to a
# temporary folder, so the user's own sessions are not touched.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v xvfb-run >/dev/null; then
    echo "screenshots: xvfb-run not found; install the xvfb package" >&2
    exit 2
fi
out="${1:-docs/screenshots}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" \
    xvfb-run -a -s "-screen 0 1600x1000x24" \
    "${BUILD_DIR:-build}/bin/uai-studio" --new --demo 10 \
    --screenshots "$out" --screenshots-after 150 "fashion-mnist:0"
echo "screenshots: written to $out"
