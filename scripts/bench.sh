#!/usr/bin/env bash
# Runs bench-core and bench/reference_uai.py alternately on each dataset and model, with 1 and
# 2 intra-op threads, and prints a table of medians side by side; then runs bench-ui-chart and
# bench-ui-latency once. docs/benchmarks.md explains the figures.
#
# Environment: BUILD_DIR (default build-bench), STEPS (pretraining steps per repetition,
# default 300), REPETITIONS (per program run, default 5), ALTERNATIONS (C++/Python pairs per
# configuration, default 1), THREAD_COUNTS (default "1 2"), PYTHON (default /usr/bin/python3,
# else python3 from PATH, whichever imports Debian's python3-torch), SHUTTLE (path of
# shuttle_1v23567.csv), UI_BENCH (a bench-ui-latency binary to use instead of building one),
# UI_VERDICTS (default 200) and CHART_POINTS (default 60000).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir="${BUILD_DIR:-build-bench}"
steps="${STEPS:-300}"
repetitions="${REPETITIONS:-5}"
alternations="${ALTERNATIONS:-1}"
thread_counts="${THREAD_COUNTS:-1 2}"
python="${PYTHON:-}"
if [[ -z "$python" ]]; then
    # A pyenv or virtual-environment python3 on PATH usually lacks Debian's torch package.
    python=/usr/bin/python3
    if ! "$python" -c 'import torch' 2>/dev/null && command -v python3 >/dev/null; then
        python="$(command -v python3)"
    fi
fi
shuttle="${SHUTTLE:-../shared/data/tabular/shuttle_1v23567.csv}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "bench.sh: $python cannot import torch; install python3-torch with apt-get or set" \
        "PYTHON to a Python that has it" >&2
    exit 1
fi
targets=(bench-core bench-ui-chart)
ui_bench="${UI_BENCH:-}"
if [[ -z "$ui_bench" ]]; then
    targets+=(bench-ui-latency)
    ui_bench="$build_dir/bin/bench-ui-latency"
fi
if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build_dir" --parallel "${JOBS:-2}" --target "${targets[@]}"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

echo "load average before: $(cat /proc/loadavg)"
configurations=("fashion-mnist:0 dae" "fashion-mnist:0 class" "$shuttle dae")
for threads in $thread_counts; do
    for configuration in "${configurations[@]}"; do
        read -r data model <<<"$configuration"
        name="$(basename "$data" .csv) $model ${threads}t"
        arguments=(--data "$data" --model "$model" --steps "$steps"
                   --repetitions "$repetitions")
        for ((pass = 1; pass <= alternations; ++pass)); do
            echo "== $name, pass $pass: bench-core"
            UAI_THREADS="$threads" "$build_dir/bin/bench-core" "${arguments[@]}" \
                | tee -a "$results/$name.cpp"
            echo "== $name, pass $pass: reference_uai.py"
            UAI_THREADS="$threads" "$python" bench/reference_uai.py "${arguments[@]}" \
                --threads "$threads" | tee -a "$results/$name.py"
        done
    done
done
echo "load average after the core runs: $(cat /proc/loadavg)"

echo "== operator profile of one fashion-mnist:0 autoencoder round, 1 thread"
UAI_THREADS=1 "$build_dir/bin/bench-core" --data fashion-mnist:0 --model dae --steps 20 \
    --repetitions 1 --profile | sed -n '/^profile/,$p'

echo "== bench-ui-chart"
QT_QPA_PLATFORM=offscreen "$build_dir/bin/bench-ui-chart" --points "${CHART_POINTS:-60000}" \
    --repetitions 20 2>&1 | tee "$results/ui-chart"

echo "== bench-ui-latency"
QT_QPA_PLATFORM=offscreen UAI_THREADS=1 "$ui_bench" --verdicts "${UI_VERDICTS:-200}" \
    --pace-ms 250 2>&1 | tee "$results/ui-latency"
echo "load average after: $(cat /proc/loadavg)"

"$python" - "$results" <<'EOF'
import pathlib
import statistics
import sys

results = pathlib.Path(sys.argv[1])


def figures(path):
    values = {}
    units = {}
    for line in path.read_text().splitlines():
        if line.startswith("figure:"):
            name, rest = line[len("figure:"):].split("=")
            value, unit = rest.split(None, 1)
            values.setdefault(name.strip(), []).append(float(value))
            units[name.strip()] = unit.strip()
    return {name: statistics.median(v) for name, v in values.items()}, units


print()
print("Medians; 'C++ faster' is Python time / C++ time, or C++ rate / Python rate.")
print("Shares are GFLOP per CPU-second over the 256x784x256 at::mm rate per CPU-second.")
for cpp_path in sorted(results.glob("*.cpp")):
    cpp, units = figures(cpp_path)
    py, _ = figures(cpp_path.with_suffix(".py"))
    print()
    print(f"### {cpp_path.stem}")
    print(f"| figure | unit | C++ | Python | C++ faster |")
    print(f"|---|---|---|---|---|")
    for name, value in cpp.items():
        other = py.get(name)
        unit = units[name]
        if other is None or name.startswith(("mm_", "peak_", "load_")) or "mflop" in name:
            ratio = ""
        elif unit in ("s", "CPU-s", "ms"):
            ratio = f"{other / value:.2f}x" if value > 0 else ""
        else:
            ratio = f"{value / other:.2f}x" if other > 0 else ""
        other_text = f"{other:.4g}" if other is not None else "-"
        print(f"| {name} | {unit} | {value:.4g} | {other_text} | {ratio} |")
    peak = cpp["mm_256x784x256_gflops_cpu"]
    py_peak = py["mm_256x784x256_gflops_cpu"]
    for name in ("pretrain_gflops_cpu", "round_train_gflops_cpu", "rescore_gflops_cpu"):
        print(f"| {name} / mm peak | share | {100 * cpp[name] / peak:.1f}% "
              f"| {100 * py[name] / py_peak:.1f}% | |")
EOF
