#!/usr/bin/env python3
"""Paired A/B timing of two apigen binaries on a spec that takes milliseconds.

    python3 generator/benches/ab-pairs.py BIN_A BIN_B SPEC [PAIRS]

Runs `generate` with A and B one after the other, PAIRS times (300 by
default), the order swapped every pair, each into an emptied folder (the
removal is not timed), and prints each binary's median and the median of
the per-pair differences (B minus A). On a machine whose speed drifts from
minute to minute, the difference within a pair is steadier than either
median: both runs of a pair meet the same spell. The times include starting
the process from Python, about 2 ms, the same for both binaries.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    a, b, spec = sys.argv[1:4]
    pairs = int(sys.argv[4]) if len(sys.argv) == 5 else 300
    work = tempfile.mkdtemp()
    out = f"{work}/out"
    times = {a: [], b: []}
    try:
        for pair in range(pairs):
            for binary in (a, b) if pair % 2 == 0 else (b, a):
                shutil.rmtree(out, ignore_errors=True)
                start = time.perf_counter()
                subprocess.run(
                    [binary, "generate", "--spec", spec, "--out", out, "--crate-name", "x"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                times[binary].append((time.perf_counter() - start) * 1000)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    median_a, median_b = statistics.median(times[a]), statistics.median(times[b])
    differences = [y - x for x, y in zip(times[a], times[b])]
    print(
        f"A {median_a:.2f} ms  B {median_b:.2f} ms  B/A {median_b / median_a:.3f}  "
        f"median paired difference {statistics.median(differences):+.2f} ms ({pairs} pairs)"
    )


if __name__ == "__main__":
    main()
