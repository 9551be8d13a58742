"""Bulk import speed: `tongwei import warnings` against the floor.

The floor, measured in the same run on the same files: read the file (python-calamine for
XLSX, `csv` for CSV) and insert every row into a table of the same schema (the `warnings`
table of a fresh tongwei file, indexes included) in one `executemany` transaction. The
target (PRODUCT.md) is tongwei ≤ 2 × the floor. Each run uses a fresh database; runs are
interleaved and the medians reported.

    .venv/bin/python benchmarks/bench_import.py            # 100k warnings, 5 runs
    .venv/bin/python benchmarks/bench_import.py --rows 20000 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIONS = ["平襄派出所", "马营派出所", "鸡川派出所", "榜罗派出所", "常家河派出所", "义岗川派出所"]
LEVELS = ["高风险", "中风险", "低风险"]
TYPES = ["刷单返利", "虚假网络投资理财", "冒充电商物流客服", "虚假贷款", ""]
HEADER = ["预警编号", "预警时间", "风险等级", "管辖单位", "手机号码", "姓名", "身份证号",
          "诈骗类型", "预警来源"]


def resident_ids() -> list[str]:
    from stdnum.cn import ric

    out = []
    for day in range(1, 29):
        # Tongwei county: 622424 for people registered before 2003, 621121 after
        year = 1960 + day * 2
        region = "622424" if year < 2003 else "621121"
        body = f"{region}{year}01{day:02d}{day % 10}1{day % 7}"
        out.append(body + ric.calc_check_digit(body + "0"))
    return out


def synthetic_rows(n: int) -> list[list]:
    ids = resident_ids()
    start = datetime(2025, 1, 1, 0, 0)
    rows = []
    for i in range(n):
        received = start + timedelta(minutes=3 * i)
        rows.append([f"YJ{i:08d}", received, LEVELS[i % 3], STATIONS[i % len(STATIONS)],
                     f"1380000{i % 10000:04d}", f"测试{'甲乙丙丁'[i % 4]}",
                     ids[i % len(ids)] if i % 5 == 0 else "", TYPES[i % len(TYPES)],
                     "反诈平台"])
    return rows


def write_files(folder: Path, n: int) -> tuple[Path, Path]:
    from openpyxl import Workbook

    rows = synthetic_rows(n)
    xlsx = folder / "warnings.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(xlsx)
    path = folder / "warnings.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([row[0], row[1].strftime("%Y/%m/%d %H:%M"), *row[2:]])
    return xlsx, path


def fresh_db(folder: Path, template: Path, name: str) -> Path:
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copy(template, target)
    return target


def tongwei_exe() -> list[str]:
    exe = Path(sys.executable).parent / "tongwei"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tongwei_cli"]


def run_tongwei(db: Path, file: Path) -> float:
    env = {**os.environ, "TONGWEI_DB": str(db), "TONGWEI_OFFICER": "bench"}
    started = time.perf_counter()
    result = subprocess.run([*tongwei_exe(), "import", "warnings", str(file)],
                            capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"tongwei import failed:\n{result.stderr[:2000]}")
    return elapsed


FLOOR_SQL = (
    "INSERT INTO warnings (no, received_at, level, deadline_hours, deadline_at, station, phone,"
    " kind, name, id_no, type, source, note, created_at, created_by)"
    " VALUES (?, ?, ?, 2, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, '2025-01-01T00:00:00Z', 'bench')")

FLOOR_SCRIPT = r"""
import csv, sqlite3, sys
kind, db, path, sql = sys.argv[1:5]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = WAL"); conn.execute("PRAGMA synchronous = FULL")
conn.execute("PRAGMA foreign_keys = ON")
def rows():
    if kind == "xlsx":
        from python_calamine import CalamineWorkbook
        it = CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows()
        next(it)
        for r in it:
            yield (r[0], str(r[1]), 'high', str(r[1]) + 'Z', 'pingxiang', str(r[4]), r[5], r[6] or None,
                   None, r[8])
    else:
        with open(path, encoding="gb18030", newline="") as f:
            it = csv.reader(f); next(it)
            for r in it:
                yield (r[0], r[1], 'high', r[1] + 'Z', 'pingxiang', r[4], r[5], r[6] or None, None, r[8])
conn.execute("BEGIN IMMEDIATE")
conn.executemany(sql, rows())
conn.execute("COMMIT")
"""


def run_floor(kind: str, db: Path, file: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", FLOOR_SCRIPT, kind, str(db), str(file),
                             FLOOR_SQL], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"floor failed:\n{result.stderr[:2000]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tongwei-bench-") as tmp:
        folder = Path(tmp)
        print(f"writing {args.rows:,} synthetic warnings (XLSX, write-only openpyxl; "
              f"CSV, GB18030)…", flush=True)
        xlsx, csv_path = write_files(folder, args.rows)
        template = folder / "template.db"
        env = {**os.environ, "TONGWEI_DB": str(template), "TONGWEI_OFFICER": "bench"}
        subprocess.run([*tongwei_exe(), "init"], check=True, capture_output=True, env=env)
        sqlite3.connect(template).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
        times: dict[str, list[float]] = {k: [] for k in
                                         ("xlsx tongwei", "xlsx floor", "csv tongwei",
                                          "csv floor")}
        for n in range(args.runs):
            times["xlsx floor"].append(run_floor("xlsx", fresh_db(folder, template, "f.db"),
                                                 xlsx))
            times["xlsx tongwei"].append(run_tongwei(fresh_db(folder, template, "t.db"), xlsx))
            times["csv floor"].append(run_floor("csv", fresh_db(folder, template, "f.db"),
                                                csv_path))
            times["csv tongwei"].append(run_tongwei(fresh_db(folder, template, "t.db"),
                                                    csv_path))
            print(f"  run {n + 1}/{args.runs}: " + ", ".join(
                f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
        medians = {k: statistics.median(v) for k, v in times.items()}
        print(f"\n{args.rows:,} warnings, medians of {args.runs} interleaved runs "
              "(each on a fresh database, process start included):")
        for fmt in ("xlsx", "csv"):
            ratio = medians[f"{fmt} tongwei"] / medians[f"{fmt} floor"]
            verdict = "ok" if ratio <= 2 else "OVER TARGET"
            print(f"  {fmt:4}  tongwei {medians[f'{fmt} tongwei']:.2f}s  floor "
                  f"{medians[f'{fmt} floor']:.2f}s  ratio {ratio:.2f}x  (target <= 2x: "
                  f"{verdict})")


if __name__ == "__main__":
    main()
