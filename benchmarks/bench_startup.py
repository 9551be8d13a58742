"""Start-up: `tongwei --help` and `tongwei case add` against a bare Typer app.

    python benchmarks/bench_startup.py [--runs 15]

Both sides run as whole processes, interleaved so that machine drift hits both; the
medians are compared. Target (PRODUCT.md): each ratio <= 1.3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TONGWEI = [str(Path(PYTHON).parent / "tongwei")]
if not Path(TONGWEI[0]).exists():
    TONGWEI = [PYTHON, "-m", "tongwei_cli"]
BARE = [PYTHON, str(HERE / "bare_app.py")]


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    return time.perf_counter() - start


def measure(runs: int) -> list[tuple[str, float, float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="tongwei-bench-"))
    env = dict(os.environ, TONGWEI_DB=str(folder / "t.db"), TONGWEI_OFFICER="bench",
               TONGWEI_LANG="en")
    subprocess.run([*TONGWEI, "init"], env=env, check=True, capture_output=True)
    pairs = {
        "--help": ([*TONGWEI, "--help"], [*BARE, "--help"]),
        "case add": ([*TONGWEI, "case", "add", "--reported", "today", "--type", "loan",
                      "--station", "平襄", "--loss", "100"],
                     [*BARE, "add", "--db", str(folder / "bare.db"), "x"]),
    }
    for ours, floor in pairs.values():  # warm the caches once
        timed(ours, env)
        timed(floor, env)
    rows = []
    for name, (ours, floor) in pairs.items():
        a, b = [], []
        for _ in range(runs):
            a.append(timed(ours, env))
            b.append(timed(floor, env))
        ma, mb = statistics.median(a), statistics.median(b)
        rows.append((name, ma, mb, ma / mb))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = measure(args.runs)
    print(f"{'what':<12} {'tongwei':>9} {'bare Typer':>11} {'ratio':>6}  target")
    worst = 0.0
    for name, ours, floor, ratio in rows:
        print(f"{name:<12} {ours * 1000:>7.0f}ms {floor * 1000:>9.0f}ms {ratio:>6.2f}  <= 1.30")
        worst = max(worst, ratio)
    return 0 if worst <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
