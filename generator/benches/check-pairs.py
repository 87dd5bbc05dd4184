#!/usr/bin/env python3
"""Paired timing of `apigen check` against `apigen generate` on one spec.

    python3 generator/benches/check-pairs.py BIN SPEC [PAIRS]

Generates SPEC once into a folder that `check` then compares with, and
runs, PAIRS times (30 by default), a fresh `generate` into an emptied
folder (the removal is not timed) and a `check` against that first
output, the order swapped every pair. Prints both medians and the median
of the per-pair differences (check minus generate): on a machine whose
speed drifts from minute to minute, both runs of a pair meet the same
spell. The times include starting the process from Python, about 2 ms.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr.decode()}")
    return elapsed * 1000


def main() -> None:
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    binary, spec = sys.argv[1:3]
    pairs = int(sys.argv[3]) if len(sys.argv) == 4 else 30
    work = tempfile.mkdtemp()
    checked, fresh = f"{work}/checked", f"{work}/fresh"
    try:
        timed([binary, "generate", "--spec", spec, "--out", checked, "--crate-name", "x"])
        generate_ms, check_ms = [], []
        for i in range(pairs):
            shutil.rmtree(fresh, ignore_errors=True)
            runs = [
                (generate_ms, [binary, "generate", "--spec", spec, "--out", fresh, "--crate-name", "x"]),
                (check_ms, [binary, "check", "--spec", spec, "--out", checked, "--crate-name", "x"]),
            ]
            if i % 2:
                runs.reverse()
            for times, command in runs:
                times.append(timed(command))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    differences = [c - g for g, c in zip(generate_ms, check_ms)]
    print(
        f"generate {statistics.median(generate_ms):.2f} ms  "
        f"check {statistics.median(check_ms):.2f} ms  "
        f"check/generate {statistics.median(check_ms) / statistics.median(generate_ms):.3f}  "
        f"median paired difference {statistics.median(differences):+.2f} ms ({pairs} pairs)"
    )


if __name__ == "__main__":
    main()
