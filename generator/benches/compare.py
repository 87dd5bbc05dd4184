#!/usr/bin/env python3
"""Compares two apigen binaries on real and synthetic specs.

For each spec, hyperfine times `apigen generate` into a fresh folder,
alternating between the two binaries for several rounds (so that a busy
spell of the machine hits both alike), and /usr/bin/time takes the peak
resident set of a few runs of each. Prints a Markdown table of medians,
after/before ratios and, for the synthetic specs, time per operation.

    python3 generator/benches/compare.py BEFORE AFTER [--rounds N] [--runs N] [--synth BIN]

Run it from the repository root. BEFORE and AFTER are release binaries
(`cargo build --release -p apigen`, in a worktree of each commit). The
synthetic specs are written by `cargo run --release -p apigen --example
synth`; the published ones are read from ../shared/specs when present.
Needs hyperfine (`apt-get install -y hyperfine`) and GNU time.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

REAL = [
    ("spec/", "spec/highlevel-calendars.yaml"),
    ("Calendars", "tests/fixtures/highlevel/apps/calendars.json"),
    ("box-platform", "../shared/specs/public/box-platform.json"),
    ("spotify-web-api", "../shared/specs/public/spotify-web-api.yaml"),
]
SYNTH = [100, 1000, 10000]


def hyperfine(binary, spec, out, runs, export):
    command = f"{binary} generate --spec {spec} --out {out} --crate-name x"
    subprocess.run(
        ["hyperfine", "-N", "--style", "none", "--warmup", "1", "--runs", str(runs),
         "--prepare", f"rm -rf {out}", "--export-json", export, command],
        check=True, stdout=subprocess.DEVNULL)
    with open(export) as f:
        return json.load(f)["results"][0]["times"]


def peak_mib(binary, spec, out):
    subprocess.run(["rm", "-rf", out], check=True)
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", binary, "generate", "--spec", spec, "--out", out,
         "--crate-name", "x"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(done.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=10, help="runs per binary per round")
    parser.add_argument("--synth", help="a built `synth` example, instead of building it")
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    specs = [(name, path, None) for name, path in REAL if os.path.exists(path)]
    for n in SYNTH:
        path = os.path.join(work, f"synth-{n}.yaml")
        synth = [args.synth] if args.synth else [
            "cargo", "run", "--release", "-q", "-p", "apigen", "--example", "synth", "--"]
        subprocess.run(synth + [str(n), path], check=True, stderr=subprocess.DEVNULL)
        specs.append((f"synth-{n}", path, n))
    print("| spec | before | after | after/before | peak before | peak after | ratio |")
    print("|---|---|---|---|---|---|---|")
    per_op = {}
    for name, path, ops in specs:
        runs = max(2, args.runs // 5) if ops and ops >= 10000 else args.runs
        times = {"before": [], "after": []}
        for round_ in range(args.rounds):
            order = ["before", "after"] if round_ % 2 == 0 else ["after", "before"]
            for which in order:
                binary = getattr(args, which)
                export = os.path.join(work, "run.json")
                out = os.path.join(work, f"out-{which}")
                times[which] += hyperfine(binary, path, out, runs, export)
        peaks = {which: statistics.median(
            peak_mib(getattr(args, which), path, os.path.join(work, f"out-{which}"))
            for _ in range(3)) for which in ("before", "after")}
        med = {which: statistics.median(t) for which, t in times.items()}
        print(f"| {name} | {fmt(med['before'])} | {fmt(med['after'])} | "
              f"{med['after'] / med['before']:.2f} | {peaks['before']:.0f} MiB | "
              f"{peaks['after']:.0f} MiB | {peaks['after'] / peaks['before']:.2f} |")
        sys.stdout.flush()
        if ops:
            per_op[ops] = {which: med[which] / ops for which in med}
    if per_op:
        print()
        print("| operations | before per op | after per op |")
        print("|---|---|---|")
        for ops, values in sorted(per_op.items()):
            print(f"| {ops} | {values['before'] * 1e6:.0f} µs | {values['after'] * 1e6:.0f} µs |")
    subprocess.run(["rm", "-rf", work])


def fmt(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
