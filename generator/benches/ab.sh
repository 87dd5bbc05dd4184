#!/usr/bin/env bash
# Interleaved A/B timing of two apigen binaries on one spec: the figures
# behind "The optimisations, one by one" in BENCHMARKS.md. Runs A and B in
# turn RUNS times each (so a busy spell of the machine hits both alike) and
# prints the medians of wall time, CPU time (user + system) and peak RSS,
# from /usr/bin/time. /usr/bin/time counts in hundredths of a second, so
# this is for specs that take a tenth of a second or more; compare small
# ones with hyperfine (`hyperfine -N --prepare 'rm -rf /tmp/o' 'A generate
# ...' 'B generate ...'`).
#
#   bash generator/benches/ab.sh BIN_A BIN_B SPEC [RUNS] [fresh|regenerate]
#
# fresh (the default) generates into an emptied folder each run;
# regenerate generates over the previous output of the same spec. To
# compare two commits, build each (e.g. `git worktree add /tmp/a COMMIT`,
# `cargo build --release -p apigen --bin apigen` there) and pass both
# binaries.
set -euo pipefail
a=$1 b=$2 spec=$3 runs=${4:-5} mode=${5:-fresh}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for _ in $(seq "$runs"); do
    for which in A B; do
        bin=$a
        if [ "$which" = B ]; then bin=$b; fi
        out="$work/out-$which"
        if [ "$mode" = fresh ]; then
            rm -rf "$out"
        elif [ ! -d "$out" ]; then
            "$bin" generate --spec "$spec" --out "$out" --crate-name x >/dev/null 2>&1
        fi
        /usr/bin/time -f "$which %e %U %S %M" "$bin" generate --spec "$spec" --out "$out" \
            --crate-name x 2>&1 >/dev/null | tail -n 1
    done
done | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    which, wall, user, system, rss = line.split()
    runs.setdefault(which, []).append((float(wall), float(user) + float(system), int(rss) / 1024))
for which, values in sorted(runs.items()):
    wall = statistics.median(v[0] for v in values)
    cpu = statistics.median(v[1] for v in values)
    rss = statistics.median(v[2] for v in values)
    walls = " ".join(f"{v[0]:.3f}" for v in values)
    print(f"{which}: wall {wall:.3f} s, cpu {cpu:.2f} s, peak RSS {rss:.0f} MiB (n={len(values)}; walls {walls})")
'
