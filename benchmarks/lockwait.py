"""Officers' writes during a long import: how long each one waits.

    .venv/bin/python benchmarks/lockwait.py                  # 2M warnings, a write every 7 s
    .venv/bin/python benchmarks/lockwait.py --rows 200000 --every 2          # a few minutes
    .venv/bin/python benchmarks/lockwait.py --every 0.5      # writes that never pause

Makes a new file (`tongwei init`) in `benchmarks/out/lockwait/`, writes a CSV of ROWS warnings and
starts `tongwei import warnings` on it. While the import runs, every EVERY seconds one whole
`tongwei case add` or `tongwei warning followup` process (in turn) is started and timed, as an
officer's would be. With the import done, the same number of writes is made again on the same
file, with nobody else writing: what a write costs anyway. Both sides run the installed command
with the same environment. Printed: for each side the writes' slowest, median and how many took
over 3 s (and whether any failed); the import's time and how often it gave way (its note).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent


def tongwei() -> list[str]:
    exe = Path(sys.executable).parent / "tongwei"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tongwei_cli"]


def environment(db: Path, officer: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGWEI_", "PYTHON"))}
    env.update({"TONGWEI_DB": str(db), "TONGWEI_OFFICER": officer, "TONGWEI_LANG": "en",
                "TONGWEI_KEY_FILE": str(db.parent / "lockwait.keys")})
    return env


def write_warnings(path: Path, rows: int, start: datetime) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "received", "level", "station", "phone"])
        for i in range(rows):
            at = start + timedelta(seconds=(86400 * 20 * i) // rows)
            writer.writerow([f"B{i:08d}", f"{at:%Y-%m-%d %H:%M}", "low", "平襄",
                             f"1390000{i % 10000:04d}"])


class Officer:
    """Writes one record at a time, alternately a case and a follow-up of its own warning."""

    def __init__(self, db: Path, day: datetime):
        self.env, self.day, self.n = environment(db, "officer"), day, 0

    def write(self) -> tuple[float, int, str]:
        self.n += 1
        if self.n % 2:
            args = ["case", "add", "--no", f"LW-{self.n}", "--reported", f"{self.day:%Y-%m-%d}",
                    "--type", "loan", "--station", "平襄", "--loss", "100"]
        else:
            at = self.day + timedelta(hours=9, minutes=self.n)
            args = ["warning", "followup", "OWN1", "--at", f"{at:%Y-%m-%d %H:%M}",
                    "--method", "phone", "--outcome", "in-progress"]
        started = time.perf_counter()
        done = subprocess.run([*tongwei(), *args], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
        return time.perf_counter() - started, done.returncode, done.stderr.strip()


def summary(name: str, waits: list[tuple[float, int, str]]) -> str:
    seconds = [w for w, _, _ in waits]
    failed = [err for _, code, err in waits if code != 0]
    line = (f"{name:<28} {len(waits):>4} writes   slowest {max(seconds):6.2f} s   "
            f"median {statistics.median(seconds):5.2f} s   over 3 s: "
            f"{sum(s > 3 for s in seconds)}")
    if failed:
        line += f"   FAILED {len(failed)}: {failed[0][:120]}"
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="warnings in the import")
    parser.add_argument("--every", type=float, default=7.0,
                        help="seconds between the start of one write and the next")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "lockwait")
    options = parser.parse_args()

    shutil.rmtree(options.out, ignore_errors=True)
    options.out.mkdir(parents=True)
    db = options.out / "lockwait.db"
    day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    setup = environment(db, "setup")
    for args in (["init"], ["warning", "add", "--no", "OWN1", "--received",
                            f"{day:%Y-%m-%d} 08:00", "--level", "low", "--station", "平襄",
                            "--phone", "13800000001"]):
        subprocess.run([*tongwei(), *args], env=setup, check=True, capture_output=True)
    source = options.out / "warnings.csv"
    write_warnings(source, options.rows, day - timedelta(days=25))
    print(f"{options.rows:,} warnings in {source} ({source.stat().st_size / 2**20:.0f} MiB); "
          f"a write every {options.every:g} s; load {os.getloadavg()[0]:.1f}", flush=True)

    officer = Officer(db, day)
    started = time.perf_counter()
    importing = subprocess.Popen([*tongwei(), "import", "warnings", str(source)],
                                 env=environment(db, "importer"), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during: list[tuple[float, int, str]] = []
    next_at = started + options.every
    while importing.poll() is None:
        time.sleep(max(0.0, min(0.2, next_at - time.perf_counter())))
        if time.perf_counter() >= next_at and importing.poll() is None:
            next_at += options.every
            during.append(officer.write())
    out, err = importing.communicate()
    took = time.perf_counter() - started
    if importing.returncode != 0:
        print(f"the import failed ({importing.returncode}): {err[-2000:]}")
        return 1
    gave = [line for line in err.splitlines() if "gave way" in line or "given way" in line]
    after = [officer.write() for _ in range(max(3, len(during)))]
    print(f"import: {out.strip()} in {took:.1f} s; " + ("; ".join(gave) or "never gave way"))
    if during:
        print(summary("writes during the import", during))
    print(summary("writes after it", after))
    print(f"load at the end {os.getloadavg()[0]:.1f}")
    return 0 if all(code == 0 for _, code, _ in during + after) else 1


if __name__ == "__main__":
    sys.exit(main())
