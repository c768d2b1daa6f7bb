#!/usr/bin/env bash
# Builds uai-cli and regenerates the experiment results with the simulated analyst: one markdown
# file, the runs' discovery curves (CSV) and charts (PNG) per experiment in docs/results/, and
# the overview page docs/results.md, which compares the measured recall with the published one.
#
#   scripts/results.sh                  every experiment with 5 seeds. The fashion-mnist curves
#                                       take 1.5-3.3 CPU minutes per run and need Debian's
#                                       dataset-fashion-mnist package.
#   scripts/results.sh --only table2    only the named experiments (comma-separated: table2,
#                                       methods, latent, curves, images), then the overview.
#                                       images compares with the curves runs in the folder.
#   scripts/results.sh --quick          a test of the whole chain in a few minutes: 2 seeds,
#                                       short training, small budgets, tables only (images on
#                                       mnist:0), written to build/results-quick/ and
#                                       build/results-quick.md.
#
# Extra arguments after -- go to every experiment, for example -- --datasets yeast,abalone.
# Environment: BUILD_DIR (default build), JOBS (build jobs, default 2), DATA_DIR (default
# ../shared/data), RUN_JOBS (simulations run at once, default the number of cores). The results
# do not depend on RUN_JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
only="table2,methods,latent,curves,images"
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --only)
            [ $# -ge 2 ] || { echo "results.sh: --only needs a list such as table2,methods" >&2; exit 2; }
            only="$2"
            shift ;;
        --) shift; extra=("$@"); break ;;
        *) echo "results.sh: unknown argument \"$1\"; use --quick, --only LIST or -- ARGS" >&2
           exit 2 ;;
    esac
    shift
done

build_dir="${BUILD_DIR:-build}"
data_dir="${DATA_DIR:-../shared/data}"
if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
fi
cmake --build "$build_dir" --parallel "${JOBS:-2}" --target uai-cli
cli="$build_dir/bin/uai-cli"

if [ "$quick" = 1 ]; then
    out="$build_dir/results-quick"
    common=(--quick)
else
    out="docs/results"
    common=()
fi

# The methods experiment compares these methods on five tables of the published benchmark. Every
# method on every table would take about 12 CPU hours, estimated from the table2 run times.
methods_args=(--datasets abalone,yeast,cardiotocography_1,mammography,ann_thyroid_1v3
              --methods base,uai,uai-confidence,uai-noisy10,iforest-then-uai,adaptive-then-uai,forest-layer,forest-layer-confidence,forest-layer-noisy10)

IFS=',' read -r -a experiments <<< "$only"
for name in "${experiments[@]}"; do
    echo "== $name"
    own=()
    if [ "$name" = methods ] && [ "$quick" = 0 ]; then
        own=("${methods_args[@]}")
    fi
    nice -n 10 "$cli" experiment --name "$name" --out "$out" --data-dir "$data_dir" \
        --jobs "${RUN_JOBS:-$(nproc)}" "${common[@]}" "${own[@]}" "${extra[@]}"
done
"$cli" experiment --name overview --out "$out"
