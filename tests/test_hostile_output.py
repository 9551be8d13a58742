"""Hostile files and careless paths: `-o` never lands on the database, an export is
written whole or not at all and private, and a stored control character never reaches a
terminal, a printout or a spreadsheet raw."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from conftest import days_ago

ESC_NAME = "\x1b[31m张\u202e三"  # turns a terminal red, then reverses what follows
RAW = ("\x1b", "\u202e")


def add_case(run, no: str) -> None:
    run("case", "add", "--no", no, "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-name", "测试甲")


def one_error_line(result, *words: str) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: --output: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def intact(db_path: Path) -> list[str]:
    """The case numbers in the file, after an integrity check."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [r[0] for r in conn.execute("SELECT no FROM cases ORDER BY no")]
    finally:
        conn.close()


# -- 1. -o never lands on the database ---------------------------------------------------------

COMMANDS = [
    ("case", "list", "--format", "csv"),
    ("case", "show", "A1", "--format", "json"),
    ("report", "daily", "--format", "text"),
    ("ref", "types", "--format", "csv"),
    ("audit", "list", "--format", "csv"),
    ("db", "status", "--format", "json"),
]


HOWS = ["itself", "symlink", "hard link", "dotted", "wal", "shm", "journal"]


@pytest.mark.parametrize(("how", "argv"), [(how, COMMANDS[0]) for how in HOWS]
                         + [(how, argv) for argv in COMMANDS[1:] for how in ("itself",
                                                                              "symlink")],
                         ids=lambda v: v if isinstance(v, str) else " ".join(v[:2]))
def test_output_onto_the_database_is_refused(run, tmp_path, monkeypatch, how, argv):
    """Every command with -o goes through the one check: each way of naming the database
    with `case list`, the plain and the symlinked name with the others."""
    monkeypatch.chdir(tmp_path)
    db = Path("fs.db")
    run("--db", db, "case", "add", "--no", "A1", "--reported", days_ago(1), "--type", "loan",
        "--station", "平襄", "--loss", "100")
    target = {"itself": "fs.db", "symlink": "link.csv", "hard link": "hard.csv",
              "dotted": "sub/../fs.db", "wal": "fs.db-wal", "shm": "fs.db-shm",
              "journal": "fs.db-journal"}[how]
    if how == "symlink":
        os.symlink("fs.db", "link.csv")
    if how == "hard link":
        os.link("fs.db", "hard.csv")
    if how == "dotted":
        os.mkdir("sub")
    before = db.read_bytes()
    result = run("--db", db, *argv, "-o", target, ok=False)
    one_error_line(result, target)
    assert db.read_bytes() == before
    assert intact(db) == ["A1"]
    if how in ("wal", "shm", "journal"):  # nothing is left under the name SQLite would read
        assert not Path(target).exists()


def test_output_onto_the_wal_while_another_connection_is_open_loses_nothing(run, db_path):
    add_case(run, "A1")
    other = sqlite3.connect(db_path)  # keeps the write-ahead log in place
    try:
        other.execute("SELECT count(*) FROM cases").fetchone()
        add_case(run, "A2")  # committed into the WAL
        wal = Path(f"{db_path}-wal")
        assert wal.stat().st_size > 0
        result = run("case", "list", "--format", "csv", "-o", wal, ok=False)
        one_error_line(result, "write-ahead log")
    finally:
        other.close()
    assert intact(db_path) == ["A1", "A2"]


def test_output_over_another_sqlite_file_is_refused(run, db_path, tmp_path):
    add_case(run, "A1")
    copy = tmp_path / "backup.csv"
    run("db", "backup", copy)
    before = copy.read_bytes()
    one_error_line(run("case", "list", "-o", copy, ok=False), "SQLite")
    assert copy.read_bytes() == before


def test_backup_refuses_the_write_ahead_log_too(run, db_path):
    add_case(run, "A1")
    result = run("db", "backup", f"{db_path}-wal", "--force", ok=False)
    assert result.exit_code == 1 and "write-ahead log" in result.stderr
    assert intact(db_path) == ["A1"]
