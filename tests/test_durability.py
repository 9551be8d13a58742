"""Killed mid-write, corrupted files, writers racing imports: the file stays whole."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from tests.conftest import days_ago, read_only, tongwei_exe

KILLS = 5
BIG = 40_000


def warnings_csv(path, rows: int, prefix: str = "K") -> None:
    start = datetime.fromisoformat(days_ago(20) + " 08:00")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "received", "level", "station", "phone"])
        for i in range(rows):
            at = start + timedelta(seconds=37 * i)
            writer.writerow([f"{prefix}{i:07d}", f"{at:%Y-%m-%d %H:%M}", "medium", "平襄",
                             f"1380000{i % 10000:04d}"])


@pytest.mark.slow
def test_kill_9_during_a_large_import_leaves_all_or_nothing(sh, db_path, tmp_path):
    """Time one whole import, then kill others at random moments up to just past that
    time, each on a fresh copy of the file: every file left behind passes integrity_check
    and holds all of the import or none of it."""
    big = tmp_path / "big.csv"
    warnings_csv(big, BIG)
    assert sh("init").returncode == 0
    base = tmp_path / "base.db"
    assert sh("db", "backup", base).returncode == 0
    env = {"TONGWEI_OFFICER": "kill", "PATH": "/usr/bin:/bin",
           "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]}  # where the file's key is
    started = time.perf_counter()
    assert sh("import", "warnings", big).returncode == 0
    whole = time.perf_counter() - started
    rng = random.Random(9)
    outcomes = []
    for attempt in range(KILLS):
        target = tmp_path / f"kill{attempt}.db"
        shutil.copy(base, target)
        process = subprocess.Popen([*tongwei_exe(), "--db", str(target), "import", "warnings",
                                    str(big)], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.1) * whole)
        process.send_signal(signal.SIGKILL)
        process.wait()
        conn = sqlite3.connect(target)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = conn.execute("SELECT count(*) FROM warnings").fetchone()[0]
        imports = conn.execute("SELECT count(*) FROM imports").fetchone()[0]
        conn.close()
        assert stored in (0, BIG), f"attempt {attempt}: {stored} rows: half an import"
        assert imports == (1 if stored else 0)
        outcomes.append(stored)
        assert sh("--db", target, "audit", "verify").returncode == 0
        finish = sh("--db", target, "import", "warnings", big)  # and it can be done again
        assert finish.returncode == 0
        assert (f"imported {BIG - stored}, unchanged {stored}") in finish.stdout
    assert 0 in outcomes, "no kill landed before the import finished: make BIG larger"


@pytest.mark.slow
def test_a_corrupted_page_is_reported_not_crashed_on(sh, db_path):
    for i in range(3):
        sh("case", "add", "--no", f"C{i}", "--reported", days_ago(1), "--type", "loan",
           "--station", "平襄", "--loss", "1")
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    rootpage = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cases'"
                            ).fetchone()[0]
    conn.close()
    data = bytearray(db_path.read_bytes())
    offset = (rootpage - 1) * page
    data[offset:offset + page] = b"\xde\xad\xbe\xef" * (page // 4)
    db_path.write_bytes(bytes(data))
    listed = sh("case", "list")
    assert listed.returncode == 1 and "Traceback" not in listed.stderr
    assert listed.stderr.startswith("error: ") and listed.stderr.count("\n") == 1
    checked = sh("check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr + checked.stdout
    assert "integrity" in checked.stdout + checked.stderr


@pytest.mark.slow
def test_writers_and_imports_at_once_lose_nothing(sh, db_path, tmp_path):
    """Three processes adding cases one by one while three import files of warnings."""
    assert sh("init").returncode == 0
    files = []
    for n in range(3):
        path = tmp_path / f"w{n}.csv"
        warnings_csv(path, 2000, prefix=f"P{n}-")
        files.append(path)

    def adder(w: int):
        return [sh("case", "add", "--no", f"A{w}-{i}", "--reported", days_ago(1), "--type",
                   "loan", "--station", "平襄", "--loss", "5").returncode for i in range(8)]

    def importer(n: int):
        return [sh("import", "warnings", files[n]).returncode]

    with ThreadPoolExecutor(6) as pool:
        jobs = [pool.submit(adder, w) for w in range(3)] + \
               [pool.submit(importer, n) for n in range(3)]
        codes = [c for job in jobs for c in job.result()]
    assert set(codes) == {0}
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 24
    assert conn.execute("SELECT count(*) FROM warnings").fetchone()[0] == 6000
    assert sh("audit", "verify").returncode == 0


@pytest.mark.slow
def test_backup_while_others_write_is_a_whole_checked_copy(sh, db_path, tmp_path):
    assert sh("init").returncode == 0

    def writer(w: int):
        return [sh("case", "add", "--no", f"B{w}-{i}", "--reported", days_ago(1), "--type",
                   "loan", "--station", "平襄", "--loss", "5").returncode for i in range(10)]

    copies = [tmp_path / f"copy{n}.db" for n in range(3)]
    with ThreadPoolExecutor(5) as pool:
        writing = [pool.submit(writer, w) for w in range(2)]
        backups = [pool.submit(sh, "db", "backup", copy) for copy in copies]
        codes = [c for job in writing for c in job.result()]
        results = [job.result() for job in backups]
    assert set(codes) == {0}
    for copy, result in zip(copies, results, strict=True):
        assert result.returncode == 0, result.stderr
        conn = sqlite3.connect(copy)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        audited = conn.execute("SELECT count(*) FROM audit WHERE action = 'add'").fetchone()[0]
        assert cases == audited  # a consistent moment: every case with its audit row
        assert sh("--db", copy, "audit", "verify").returncode == 0


def test_a_read_only_folder_is_a_clear_error(sh, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "t.db"
    with read_only(folder):
        result = sh("--db", target, "init")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: --db: cannot create")
    assert not target.exists()
