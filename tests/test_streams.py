"""Streams as Unix expects: Ctrl-C ends a command with status 130, no traceback and nothing
half-written; a reader that stops reading ends it quietly with 141 for every format."""

from __future__ import annotations

import csv
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import tongwei_exe


def _warnings_file(path, n):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "received", "level", "station", "phone"])
        for i in range(n):
            writer.writerow([f"S{i:07d}", "2026-11-20 10:00", "high", "平襄",
                             f"1380000{i % 10000:04d}"])


@pytest.mark.slow
def test_ctrl_c_during_an_import_exits_130_and_writes_nothing(sh, tmp_path, db_path):
    big = tmp_path / "big.csv"
    _warnings_file(big, 300_000)
    assert sh("init").returncode == 0
    process = subprocess.Popen([*tongwei_exe(), "--db", str(db_path), "import", "warnings",
                                str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and "interrupted; nothing was written" in err
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM warnings").fetchone() == (0,)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_closed_pipe_ends_every_format_the_same_way(sh, tmp_path, db_path, fmt):
    rows = tmp_path / "w.csv"
    _warnings_file(rows, 3000)
    assert sh("import", "warnings", rows).returncode == 0
    command = " ".join(f"'{a}'" for a in [*tongwei_exe(), "--db", str(db_path), "warning",
                                            "list", "--format", fmt])
    result = subprocess.run(["bash", "-c", f"{command} | head -c 100 >/dev/null;"
                             " echo ${PIPESTATUS[0]}"], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "141", result.stderr
    assert "Traceback" not in result.stderr and "error" not in result.stderr


def test_csv_carries_its_bom_in_a_file_never_in_a_pipe(run, sh, tmp_path):
    run("outreach", "add", "--date", "2026-11-20", "--station", "平襄", "--audience",
        "students", "--form", "lecture", "--venue", "一中", "--attendees", "10",
        "--materials", "5")
    for args in (("outreach", "list", "--format", "csv"), ("ref", "stations", "-o", "-",
                                                             "--format", "csv")):
        piped = sh(*args)
        assert piped.returncode == 0 and piped.stdout.startswith(("no,", "code,")), piped.stdout
        rows = list(csv.DictReader(piped.stdout.splitlines()))
        assert rows and ("no" in rows[0] or "code" in rows[0])
    target = tmp_path / "o.csv"
    assert sh("outreach", "list", "-o", target).returncode == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
