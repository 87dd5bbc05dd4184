#!/usr/bin/env bash
# Whole-process timings of the release `apigen` binary with hyperfine, and
# peak memory with /usr/bin/time -v: `apigen generate` into a fresh folder,
# `apigen generate` again over that output (regeneration), and `apigen
# check` against it, for spec/, the vendor's Calendars spec and synthetic
# specs. Run from anywhere:
#
#   bash generator/benches/cli.sh            # all sizes (the 10,000 case dominates)
#   SIZES="10 100" bash generator/benches/cli.sh
#
# Needs hyperfine (`apt-get install -y hyperfine`) and GNU time
# (`/usr/bin/time`). Writes the specs, outputs and hyperfine's JSON and
# Markdown exports under target/apigen-cli-bench/ (RESULTS to override).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
sizes=${SIZES:-"10 100 1000 10000"}
results=${RESULTS:-"$root/target/apigen-cli-bench"}
mkdir -p "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p apigen --bin apigen --example synth
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
apigen="$target_dir/release/apigen"
synth="$target_dir/release/examples/synth"

# name, spec, runs (0: hyperfine decides, at least 10)
inputs=("spec spec/highlevel-calendars.yaml 0"
        "calendars tests/fixtures/highlevel/apps/calendars.json 0")
for n in $sizes; do
    "$synth" "$n" "$results/synth-$n.yaml" 2>/dev/null
    runs=0
    if [ "$n" -ge 10000 ]; then runs=5; fi
    inputs+=("synth-$n $results/synth-$n.yaml $runs")
done

for entry in "${inputs[@]}"; do
    read -r name spec runs <<<"$entry"
    out="$work/$name"
    generate="$apigen generate --spec $spec --out $out --crate-name x"
    check="$apigen check --spec $spec --out $out --crate-name x"
    run_args=(--warmup 2)
    if [ "$runs" != 0 ]; then run_args=(--warmup 1 --runs "$runs"); fi
    echo "== $name"
    # A first generation, into a fresh folder each run (the removal is not
    # timed).
    hyperfine -N "${run_args[@]}" --style basic \
        --prepare "rm -rf $out" \
        --export-json "$results/$name-generate.json" \
        -n "generate $name" "$generate"
    rm -rf "$out"
    /usr/bin/time -v $generate 2>"$results/$name-time.txt" >/dev/null
    # Regeneration over the previous output of the same spec (what a build
    # script or a developer runs), then `check` against it.
    hyperfine -N "${run_args[@]}" --style basic \
        --export-json "$results/$name-regenerate.json" \
        -n "regenerate $name" "$generate"
    /usr/bin/time -v $generate 2>"$results/$name-regenerate-time.txt" >/dev/null
    hyperfine -N "${run_args[@]}" --style basic \
        --export-json "$results/$name-check.json" \
        -n "check $name" "$check"
    /usr/bin/time -v $check 2>"$results/$name-check-time.txt" >/dev/null
    rm -rf "$out"
    for what in time regenerate-time check-time; do
        echo "peak RSS ($what): $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$results/$name-$what.txt") KiB"
    done
done
echo "results in $results"
