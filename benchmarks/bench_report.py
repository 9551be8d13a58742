"""`tongwei report daily` on a large file against the same report on a fresh one.

    python benchmarks/bench_report.py              # 100k cases, 1M warnings; target <= 1.5x
    python benchmarks/bench_report.py --national   # 1M cases, 5M warnings; target < 0.3 s
    python benchmarks/bench_report.py --keep big.db   # build once, reuse on later runs

The large file is built with plain `executemany` inserts (not through the CLI): two years
of warnings up to today, each with its follow-ups and the denormalised feedback, visit and
defrauded times, a few still open; cases with events; outreach; card actions; a campaign
covering today. Then the whole process `tongwei report daily --format text` runs on each
file, interleaved, and the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
STAMP = "%Y-%m-%dT%H:%M:%SZ"
STATIONS = ["pingxiang", "maying", "jichuan", "bangluo", "changjiahe", "yigangchuan",
            "longyang", "longshan", "longchuan", "biyu", "xiangnan", "huajialing",
            "beichengpu", "shichuan", "disanpu", "sizichuan", "lidian", "xinjing"]
TYPES = ["task-scam", "investment", "shopping", "customer-service", "loan", "credit", "boss",
         "authorities", "romance", "game-trade", "sextortion", "card-offence", "other"]
LEVELS = [("high", 2), ("medium", 24), ("low", 72)]
AUDIENCES = ["students", "finance-staff", "elderly", "card-industry", "villagers", "public"]
FORMS = ["hand-in-hand", "face-to-face", "point-to-point", "lecture", "stall", "door-to-door"]
OUTCOMES = ["dissuaded"] * 7 + ["not-fraud", "unreachable", "defrauded"]
DAYS = 730


def tongwei() -> list[str]:
    exe = Path(sys.executable).parent / "tongwei"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tongwei_cli"]


def env_for(path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_DB": str(path), "TONGWEI_OFFICER": "bench", "TONGWEI_LANG": "zh"})
    return env


def init(path: Path) -> None:
    subprocess.run([*tongwei(), "init"], env=env_for(path), check=True, capture_output=True)


def build(path: Path, n_cases: int, n_warnings: int, seed: int = 1) -> None:
    """Fill a migrated file with synthetic records."""
    import sqlite3

    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    today = now.astimezone(TZ).date()
    made = now.strftime(STAMP)
    span = int((now - start).total_seconds())
    t0 = time.perf_counter()

    conn.execute("BEGIN")
    # warnings, in received order; follow-ups for all but the newest and a few old ones
    step = span / n_warnings
    warnings, followups = [], []
    for i in range(n_warnings):
        received = start + timedelta(seconds=int(i * step + rng.random() * step))
        level, hours = LEVELS[rng.randrange(3)]
        deadline = received + timedelta(hours=hours)
        age = (now - received).total_seconds()
        feedback = visited = defrauded = None
        open_ = (age < 2 * 86400 and rng.random() < 0.3) or rng.random() < 0.0002
        if not open_:
            at = received + timedelta(minutes=rng.randrange(5, int(hours * 60 * 1.3) + 6))
            if at > now:
                at = now
            outcome = rng.choice(OUTCOMES)
            method = "visit" if rng.random() < 0.35 else "phone"
            feedback = at.strftime(STAMP)
            visited = feedback if method == "visit" else None
            defrauded = feedback if outcome == "defrauded" else None
            followups.append((i + 1, feedback, method, outcome, made, "bench"))
        warnings.append((i + 1, f"YJ{i + 1:08d}", received.strftime(STAMP), level, hours,
                         deadline.strftime(STAMP), rng.choice(STATIONS),
                         f"139{rng.randrange(10**8):08d}", rng.choice(TYPES), feedback,
                         visited, defrauded, made, "bench"))
        if len(warnings) >= 200_000:
            _flush(conn, warnings, followups)
    _flush(conn, warnings, followups)
    print(f"  warnings: {n_warnings:,} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    cases, events = [], []
    for i in range(n_cases):
        day = today - timedelta(days=int(DAYS * i / n_cases))
        warning = f"YJ{rng.randrange(1, n_warnings + 1):08d}" if rng.random() < 0.1 else None
        loss = rng.randrange(100, 500_000) * 100
        cases.append((i + 1, f"TW{i + 1:08d}", day.isoformat(), rng.choice(TYPES),
                      rng.choice(STATIONS), loss, warning, made, "bench"))
        if rng.random() < 0.3:
            when = min(today, day + timedelta(days=rng.randrange(0, 30))).isoformat()
            events.append((i + 1, "solved", when, None, None, made, "bench"))
            events.append((i + 1, "arrest", when, rng.randrange(1, 4), None, made, "bench"))
            events.append((i + 1, "freeze", when, None, loss // 3, made, "bench"))
    conn.executemany("INSERT INTO cases (id, no, reported, type, station, loss_fen, warning,"
                     " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", cases)
    conn.executemany("INSERT INTO case_events (case_id, kind, date, count, amount_fen,"
                     " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", events)
    outreach = [(f"XC{i:07d}", (today - timedelta(days=rng.randrange(DAYS))).isoformat(),
                 rng.choice(STATIONS), rng.choice(AUDIENCES), rng.choice(FORMS), "venue",
                 rng.randrange(10, 300), rng.randrange(20, 800), made, "bench")
                for i in range(max(1000, n_cases // 5))]
    conn.executemany("INSERT INTO outreach (no, date, station, audience, form, venue,"
                     " attendees, materials, created_at, created_by)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", outreach)
    conn.execute("INSERT INTO institutions (id, name, kind, station, created_at, created_by)"
                 " VALUES (1, 'bench bank', 'bank', 'pingxiang', ?, 'bench')", (made,))
    actions = [(f"DK{i:07d}", 1, (today - timedelta(days=rng.randrange(DAYS))).isoformat(),
                "inspection", rng.choice(STATIONS), made, "bench")
               for i in range(max(500, n_cases // 20))]
    conn.executemany("INSERT INTO card_actions (no, institution_id, date, kind, station,"
                     " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", actions)
    conn.execute("INSERT INTO campaigns (name, first_day, last_day, created_at, created_by)"
                 " VALUES ('bench campaign', ?, ?, ?, 'bench')",
                 ((today - timedelta(days=60)).isoformat(),
                  (today + timedelta(days=30)).isoformat(), made))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = path.stat().st_size / 2**30
    print(f"  built in {time.perf_counter() - t0:.1f} s, {size:.2f} GiB", file=sys.stderr)


def _flush(conn, warnings: list, followups: list) -> None:
    conn.executemany(
        "INSERT INTO warnings (id, no, received_at, level, deadline_hours, deadline_at, station,"
        " phone, type, feedback_at, visited_at, defrauded_at, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", warnings)
    conn.executemany("INSERT INTO followups (warning_id, at, method, outcome, created_at,"
                     " created_by) VALUES (?, ?, ?, ?, ?, ?)", followups)
    warnings.clear()
    followups.clear()


def timed(path: Path, args: list[str]) -> float:
    begin = time.perf_counter()
    result = subprocess.run([*tongwei(), *args], env=env_for(path), capture_output=True)
    elapsed = time.perf_counter() - begin
    if result.returncode:
        sys.exit(f"tongwei failed on {path}: {result.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", action="store_true",
                        help="1M cases and 5M warnings (target: under 0.3 s)")
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="build the large file here and reuse it")
    options = parser.parse_args()
    n_cases, n_warnings = (1_000_000, 5_000_000) if options.national else (100_000, 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="tongwei-bench-"))
    try:
        big = options.keep or work / "big.db"
        if not big.exists():
            print(f"building {n_cases:,} cases and {n_warnings:,} warnings in {big} …",
                  file=sys.stderr)
            init(big)
            build(big, n_cases, n_warnings)
        fresh = work / "fresh.db"
        init(fresh)
        args = ["report", "daily", "--format", "text"]
        for path in (big, fresh):  # warm the page cache and the .pyc files
            timed(path, args)
        times: dict[str, list[float]] = {"big": [], "fresh": []}
        for _ in range(options.runs):
            times["big"].append(timed(big, args))
            times["fresh"].append(timed(fresh, args))
        big_s, fresh_s = statistics.median(times["big"]), statistics.median(times["fresh"])
        print(f"report daily, {n_cases:,} cases / {n_warnings:,} warnings: "
              f"{big_s * 1000:.0f} ms (median of {options.runs})")
        print(f"report daily, fresh file: {fresh_s * 1000:.0f} ms")
        print(f"ratio: {big_s / fresh_s:.2f} x (target <= 1.5 x)")
        if options.national:
            print(f"national scale: {big_s:.3f} s (target < 0.3 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
