"""A long import gives way: a write that comes while an import's final copy holds the file
goes first and waits a moment, not the whole copy. The copy, all or nothing in one
transaction, is rolled back, what the other write changed is checked again, and the copy
made anew (issue #12, item 6)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import days_ago, tongwei_exe
from tests.test_import_staging import count, warnings_csv
from tongwei_cli.core import settings
from tongwei_cli.imports import engine
from tongwei_cli.storage import db as storage
from tongwei_cli.storage.db import Database, open_db

# A `tongwei` started before it is needed (Python and the command's modules loaded), that
# runs the real `case add` the moment it reads a line: a script's next command, without
# the start-up between "the copy has begun" and "the write asks for the file".
READY_CASE_ADD = r"""
import sys
from tongwei_cli import cli
sys.stdout.write("ready\n"); sys.stdout.flush()
sys.stdin.readline()
sys.argv = ["tongwei", "case", "add", "--no", "OFFICER-1", "--reported", sys.argv[1],
            "--type", "loan", "--station", "平襄", "--loss", "100"]
cli.main()
"""


def _env(db_path, officer: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": officer,
                "TONGWEI_LANG": "en"})
    return env


def _audit_ids(db_path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {f"{action} {entity}": row_id for row_id, action, entity in
                conn.execute("SELECT id, action, entity FROM audit ORDER BY id")}
    finally:
        conn.close()


@pytest.mark.slow
def test_a_case_added_during_the_copy_goes_before_the_import(sh, db_path, tmp_path):
    rows = 100_000
    big = tmp_path / "big.csv"
    warnings_csv(big, rows)
    officer = subprocess.Popen([sys.executable, "-c", READY_CASE_ADD, days_ago(1)],
                               env=_env(db_path, "officer"), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert officer.stdout.readline() == "ready\n"
    importing = subprocess.Popen([*tongwei_exe(), "import", "warnings", str(big)],
                                 env=_env(db_path, "importer"), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    note = db_path.with_name(db_path.name + "-writing")  # left while the copy holds the file
    while not note.exists():
        assert importing.poll() is None, importing.communicate()
        time.sleep(0.002)
    officer.stdin.write("go\n")
    officer.stdin.flush()
    out, err = officer.communicate(timeout=60)
    assert officer.returncode == 0, err
    out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    assert out == f"imported {rows}, unchanged 0\n"
    audit = _audit_ids(db_path)
    # The officer's case went in while the import was copying: before it, not after.
    assert audit["add case"] < audit["import warnings"]
    assert count(db_path, "SELECT count(*) FROM warnings") == rows
    assert count(db_path, "SELECT count(*) FROM cases WHERE no = 'OFFICER-1'") == 1
    assert count(db_path, "SELECT count(*) FROM imports") == 1
    assert sh("audit", "verify").returncode == 0
    checked = sh("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not note.exists()


def _hold_the_file(db_path, holding: threading.Event, release: threading.Event) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(30)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_a_write_that_finds_the_file_busy_stands_in_the_line_until_it_is_in(db_path):
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_file, args=(db_path, holding, release))
    holder.start()
    assert holding.wait(10)
    done: list[str] = []

    def officer() -> None:
        handle = open_db(settings.current(), db_path)
        try:
            with handle.write():
                handle.audit("test", "officer")
            done.append("written")
        finally:
            handle.close()

    writer = threading.Thread(target=officer)
    writer.start()
    line = storage._Gate.open(db_path)
    try:
        deadline = time.monotonic() + 10
        while not line.waiting():
            assert time.monotonic() < deadline, "the waiting write is not in the line"
            time.sleep(0.01)
        release.set()
        writer.join(30)
        holder.join(30)
        assert done == ["written"]
        assert not line.waiting()  # in, and out of the line
    finally:
        line.close()
    assert (os.stat(f"{db_path}-waiting").st_mode & 0o777) == 0o600


def test_the_import_gives_way_as_long_as_writes_wait_then_finishes(run, db_path, tmp_path,
                                                                  monkeypatch):
    """A write stands in the line through three copies (a waiting command stopped with
    Ctrl-Z, say): each is cut and made again once the file is quiet; when the line is
    empty the import finishes, and says how often it gave way."""
    path = tmp_path / "w.csv"
    warnings_csv(path, 3000, start_day=3)
    monkeypatch.setattr(storage, "GIVE_WAY_EVERY_S", 0.0)
    monkeypatch.setattr(storage, "GIVE_WAY_WAIT_S", 0.05)
    monkeypatch.setattr(storage, "GIVE_WAY_QUIET_S", 0.05)
    line = os.open(f"{db_path}-waiting", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(line, fcntl.LOCK_SH)
    waits: list[bool] = []
    original = Database.let_waiters_in

    def wait(self: Database, until: float | None = None, times: int = 1) -> None:
        waits.append(True)
        if len(waits) == 3:
            os.close(line)  # in at last: out of the line
        original(self, until, times)

    monkeypatch.setattr(Database, "let_waiters_in", wait)
    result = run("import", "warnings", path)
    assert result.stdout == "imported 3000, unchanged 0\n"
    assert len(waits) == 3
    assert "note: the import gave way 3 time(s) to another command's write" in result.stderr
    assert count(db_path, "SELECT count(*) FROM warnings") == 3000
    assert count(db_path, "SELECT count(*) FROM imports") == 1
    assert count(db_path, "SELECT count(*) FROM audit WHERE action = 'import'") == 1
    assert run("audit", "verify").exit_code == 0
    zh = run("--lang", "zh", "warning", "list", "--format", "csv")  # (the file is whole)
    assert zh.stdout.count("\n") == 3001


def test_what_the_write_that_went_first_changed_is_checked_again(run, sh, db_path, tmp_path,
                                                                 monkeypatch):
    """The officer who went first entered one of the file's warnings: the copy made anew
    would store it twice, so the import is refused, naming the line, with nothing of it
    written -- and the officer's warning stays."""
    path = tmp_path / "w.csv"
    warnings_csv(path, 3000, start_day=3)
    monkeypatch.setattr(storage, "GIVE_WAY_EVERY_S", 0.0)
    fd = os.open(f"{db_path}-waiting", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)  # an officer's write comes and waits
    original = Database.let_waiters_in

    def officer_goes_first(self: Database, until: float | None = None, times: int = 1) -> None:
        os.close(fd)  # in: out of the line
        added = sh("warning", "add", "--no", "S0002999", "--received",
                   f"{days_ago(2)} 08:00", "--level", "low", "--station", "平襄",
                   "--phone", "13800000001")
        assert added.returncode == 0, added.stderr
        original(self, until, times)

    monkeypatch.setattr(Database, "let_waiters_in", officer_goes_first)
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    assert "line 3001: no: warning S0002999 was stored meanwhile" in result.stderr
    assert count(db_path, "SELECT count(*) FROM warnings") == 1
    assert count(db_path, "SELECT count(*) FROM imports") == 0


def test_the_import_gives_way_for_so_long_then_writes_whatever_waits(run, db_path, tmp_path,
                                                                    monkeypatch):
    """Writes that never stop coming (a script adding a record every half second; here a
    write standing in the line all along) do not hold the import back for ever: it gives
    way for twice as long as it ran before its copy (`GIVE_WAY_MIN_S` at least), then
    copies while they wait, and lands whole."""
    path = tmp_path / "w.csv"
    warnings_csv(path, 3000, start_day=3)
    monkeypatch.setattr(storage, "GIVE_WAY_EVERY_S", 0.0)
    monkeypatch.setattr(storage, "GIVE_WAY_WAIT_S", 0.05)
    monkeypatch.setattr(storage, "GIVE_WAY_QUIET_S", 0.05)
    monkeypatch.setattr(engine, "GIVE_WAY_MIN_S", 0.5)
    line = os.open(f"{db_path}-waiting", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(line, fcntl.LOCK_SH)  # and never out of it
    try:
        started = time.monotonic()
        result = run("import", "warnings", path)
        took = time.monotonic() - started
    finally:
        os.close(line)
    assert result.stdout == "imported 3000, unchanged 0\n"
    assert "note: the import gave way" in result.stderr
    assert took < 60, took
    assert count(db_path, "SELECT count(*) FROM warnings") == 3000
    assert run("audit", "verify").exit_code == 0


def _hold_as(db_path, holding: threading.Event, seconds: float, note: bool) -> None:
    """Hold the file for `seconds`, as an import's last copy does -- with its note beside
    the file saying what it is (`note`), or as any other writer, without one."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        if note:
            storage._hold(db_path, ("导入 2,000,000 条记录（warnings）",
                                    "an import of 2,000,000 warnings"))
        holding.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        storage._holder_note(db_path).unlink(missing_ok=True)
        conn.close()


@pytest.mark.parametrize("note", [True, False])
def test_a_write_waits_for_an_import_copy_longer_than_for_a_stuck_writer(db_path, monkeypatch,
                                                                         note):
    """An import's last copy of millions of rows may hold the file for longer than SQLite's
    busy timeout: a write waits for it while it runs (it said what it is), and is then
    written; a writer that said nothing is waited for the busy timeout only."""
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 300)
    holding = threading.Event()
    holder = threading.Thread(target=_hold_as, args=(db_path, holding, 1.5, note))
    holder.start()
    try:
        assert holding.wait(10)
        handle = open_db(settings.current(), db_path)
        try:
            if note:
                with handle.write():
                    handle.audit("officer", "test")
            else:
                with pytest.raises(sqlite3.OperationalError, match="locked|busy"):
                    with handle.write():
                        handle.audit("officer", "test")
        finally:
            handle.close()
    finally:
        holder.join(30)
    assert count(db_path, "SELECT count(*) FROM audit WHERE action = 'officer'") == int(note)
