#!/usr/bin/env bash
# A/B timing of two apigen binaries on a spec that takes milliseconds
# (spec/, Calendars), where /usr/bin/time's hundredths of a second are too
# coarse for benches/ab.sh. Runs hyperfine on both binaries in one
# invocation ROUNDS times, the order swapped every round (in sequential
# runs the binary that goes first is often the faster one on this
# machine), and prints each binary's median of every round and the median
# of those. With perf installed, the CPU time (task-clock, all threads) of
# 10 runs per binary and round, in the same alternating order, follows.
#
#   bash generator/benches/ab-small.sh BIN_A BIN_B SPEC [RUNS_PER_ROUND] [ROUNDS]
#
# Each run generates into an emptied folder. Needs hyperfine
# (`apt-get install -y hyperfine`), python3, and optionally perf.
set -euo pipefail
a=$1 b=$2 spec=$3 runs=${4:-30} rounds=${5:-4}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/out"

summary() {
    python3 -c '
import statistics, sys
values = {}
for line in sys.stdin:
    which, value = line.split()
    values.setdefault(which, []).append(float(value))
for which, v in sorted(values.items()):
    each = " ".join(f"{x:.2f}" for x in v)
    print(f"{which}: median {statistics.median(v):.2f} ms (per round: {each})")
'
}

echo "wall time, hyperfine medians:"
for round in $(seq "$rounds"); do
    if [ $((round % 2)) = 1 ]; then order="A B"; else order="B A"; fi
    commands=()
    for which in $order; do
        bin=$a
        if [ "$which" = B ]; then bin=$b; fi
        commands+=("$bin generate --spec $spec --out $out --crate-name x")
    done
    hyperfine -N -w 3 -r "$runs" --prepare "rm -rf $out" --export-json "$work/run.json" \
        "${commands[@]}" >/dev/null 2>&1
    python3 -c '
import json, statistics, sys
a, b = sys.argv[1:3]
for result in json.load(open(sys.argv[3]))["results"]:
    which = "A" if result["command"].split()[0] == a else "B"
    print(which, statistics.median(result["times"]) * 1000)
' "$a" "$b" "$work/run.json"
done | summary

if command -v perf >/dev/null; then
    echo "CPU time (task-clock of 10 runs, mean per run):"
    for round in $(seq "$rounds"); do
        if [ $((round % 2)) = 1 ]; then order="A B"; else order="B A"; fi
        for which in $order; do
            bin=$a
            if [ "$which" = B ]; then bin=$b; fi
            perf stat -r 10 -x, -e task-clock --pre "rm -rf $out" \
                "$bin" generate --spec "$spec" --out "$out" --crate-name x 2>&1 >/dev/null |
                awk -F, -v which="$which" '$3 == "task-clock" { print which, $1 }'
        done
    done | summary
fi
