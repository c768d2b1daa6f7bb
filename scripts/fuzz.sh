#!/usr/bin/env bash
# Builds the libFuzzer targets of the data loaders with clang into build-fuzz/ and runs each for
# a fixed time. See docs/testing.md.
#
#   scripts/fuzz.sh [--seconds N] [--parallel N] [--out DIR] [--shared DIR] [TARGET...]
#
# TARGET is csv, idx or imagefolder (default: all three, one after another). Each run starts from
# the corpus already in DIR plus seeds copied from the shared case files and data, and writes new
# corpus entries to DIR/TARGET/corpus and crash, leak and timeout inputs to DIR/TARGET/crashes.
# The script exits with status 1 when any run found a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
parallel=1
out="${TMPDIR:-/tmp}/uai-fuzz"
shared="$(pwd)/../shared"
targets=()

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    echo
    echo "  --seconds N   run time of each target in seconds (default 600)"
    echo "  --parallel N  targets that run at the same time (default 1)"
    echo "  --out DIR     corpus, crashes and logs (default \$TMPDIR/uai-fuzz or /tmp/uai-fuzz)"
    echo "  --shared DIR  folder with cases/ and data/ for the seeds (default ../shared)"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --parallel) parallel="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --shared) shared="$2"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        csv | idx | imagefolder) targets+=("$1"); shift ;;
        *) echo "fuzz.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    targets=(csv idx imagefolder)
fi
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ && "$parallel" =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: --seconds and --parallel take a positive whole number" >&2
    exit 2
fi
out="$(realpath -m "$out")"
case "$out/" in
    "$(pwd)/"*) echo "fuzz.sh: --out must be outside the repository ($out)" >&2; exit 2 ;;
esac
mkdir -p "$out"

build_dir=build-fuzz
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DUAI_FUZZ=ON >/dev/null
cmake --build "$build_dir" --parallel "${JOBS:-2}" \
    --target "${targets[@]/#/fuzz_}"

# Copies the seed files of one target into DIR/TARGET/seeds, skipping shared files that are absent.
copy_seeds() {
    local target="$1" seeds="$out/$1/seeds"
    rm -rf "$seeds"
    mkdir -p "$seeds"
    shopt -s nullglob
    case "$target" in
        csv)
            cp "$shared"/cases/csv-*.csv "$seeds"/ 2>/dev/null || true
            for name in toy.csv toy_hard.csv shuttle_sub.csv; do
                [ -f "$shared/data/tabular/$name" ] && cp "$shared/data/tabular/$name" "$seeds"/
            done
            ;;
        idx)
            cp "$shared"/cases/idx-*.idx "$shared"/cases/idx-*.idx.gz "$seeds"/ 2>/dev/null || true
            [ -f "$shared/data/mnist10k/t10k-labels-idx1-ubyte.gz" ] \
                && cp "$shared/data/mnist10k/t10k-labels-idx1-ubyte.gz" "$seeds"/
            ;;
        imagefolder)
            # Each copy is named after its folder too, so names from different folders never clash.
            for file in "$shared"/cases/images-*/*; do
                local folder
                folder="$(basename "$(dirname "$file")")"
                [ -f "$file" ] && cp "$file" "$seeds/$folder-$(basename "$file")"
            done
            ;;
    esac
    shopt -u nullglob
    chmod -R u+w "$seeds"
    echo "fuzz.sh: $target: $(find "$seeds" -type f | wc -l) seed files from $shared"
}

# Largest input each target generates; larger seeds are cut to this size.
max_len() {
    case "$1" in
        csv) echo 4096 ;;
        idx) echo 4096 ;;
        imagefolder) echo 8192 ;;
    esac
}

run_target() {
    local target="$1" dir="$out/$1"
    mkdir -p "$dir/corpus" "$dir/crashes"
    local dict=()
    [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="tests/fuzz/$target.dict")
    local status=0
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
        "$build_dir/tests/fuzz/fuzz_$target" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -keep_seed=1 -print_final_stats=1 "${dict[@]}" -artifact_prefix="$dir/crashes/" \
        "$dir/corpus" "$dir/seeds" >"$dir/log.txt" 2>&1 || status=$?
    echo "$status" >"$dir/exit-status"
    local done_line
    done_line="$(grep -E '^Done [0-9]+ runs' "$dir/log.txt" | tail -1 || true)"
    echo "fuzz.sh: $target: exit $status; ${done_line:-no summary line}; corpus" \
        "$(find "$dir/corpus" -type f | wc -l) files; crashes" \
        "$(find "$dir/crashes" -type f | wc -l) files; log $dir/log.txt"
}

for target in "${targets[@]}"; do
    copy_seeds "$target"
done

for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
        wait -n || true
    done
    rm -f "$out/$target/exit-status"
    run_target "$target" &
done
wait

failed=0
for target in "${targets[@]}"; do
    [ "$(cat "$out/$target/exit-status" 2>/dev/null || echo 1)" = 0 ] || failed=1
done
if [ "$failed" -ne 0 ]; then
    echo "fuzz.sh: a run found a crash; reproduce it with $build_dir/tests/fuzz/fuzz_TARGET FILE" \
        "(see docs/testing.md)" >&2
    exit 1
fi
