"""Hostile files and careless paths: `-o` never lands on the database, an export is
written whole or not at all and private, and a stored control character never reaches a
terminal, a printout or a spreadsheet raw."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import Runner, days_ago, using_key_file

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
    run("--db", db, "init")
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


# -- 2. exports are atomic and private ---------------------------------------------------------

def test_an_ordinary_output_still_works_and_dash_is_the_screen(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    add_case(run, "A1")
    target = tmp_path / "cases.json"
    run("case", "list", "-o", target)
    assert [r["no"] for r in json.loads(target.read_text("utf-8"))] == ["A1"]
    shown = run("case", "list", "--format", "json", "-o", "-")
    assert json.loads(shown.stdout)[0]["no"] == "A1"
    assert not (tmp_path / "-").exists()


@contextmanager
def small_disk(folder: Path, size: str = "64k"):
    """A real, small filesystem at `folder` (tmpfs), or skip where mounting is not allowed."""
    folder.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(folder)], capture_output=True)
    except FileNotFoundError:
        pytest.skip("no mount command here")
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


def test_full_disk_leaves_no_fragment_and_keeps_the_old_file(run, tmp_path):
    run("demo")  # its warning list is about 160 KiB of JSON: more than the disk holds
    with small_disk(tmp_path / "usb") as usb:
        fresh = usb / "warnings.json"
        result = run("warning", "list", "-o", fresh, ok=False)
        one_error_line(result, str(fresh), "No space left", "nothing was written")
        assert os.listdir(usb) == []

        kept = usb / "old.json"
        kept.write_text('[{"old": "export"}]\n', "utf-8")
        result = run("warning", "list", "--format", "json", "-o", kept, ok=False)
        one_error_line(result, str(kept), "left as it was")
        assert kept.read_text("utf-8") == '[{"old": "export"}]\n'
        assert os.listdir(usb) == ["old.json"]

        small = usb / "one.json"  # and what fits is written as usual
        run("ref", "levels", "-o", small)
        assert {r["code"] for r in json.loads(small.read_text("utf-8"))} == {
            "high", "medium", "low"}


def test_a_write_failing_half_way_leaves_the_old_file(run, tmp_path, monkeypatch):
    """The same where no filesystem can be mounted: the disk fills after the first bytes."""
    add_case(run, "A1")
    target = tmp_path / "cases.csv"
    target.write_text("old,content\n", "utf-8")
    real_write = os.write

    def filling(fd, data):
        if fd in (0, 1, 2):
            return real_write(fd, data)
        if len(data) > 8:
            return real_write(fd, bytes(data[:8]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", filling)  # what render/files.py writes with
    result = run("case", "list", "-o", target, ok=False)
    monkeypatch.undo()
    one_error_line(result, str(target), "left as it was")
    assert target.read_text("utf-8") == "old,content\n"
    assert {n for n in os.listdir(tmp_path)
            if not n.startswith("tongwei.db") and n != "config"} == {"cases.csv"}  # (keys)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_revealed_and_new_files_are_private_whatever_the_umask(run, tmp_path):
    add_case(run, "A1")
    with umask(0):
        revealed = tmp_path / "r.csv"
        run("case", "list", "--reveal", "-o", revealed)
        assert "测试甲" in revealed.read_text("utf-8-sig")
        assert mode(revealed) == 0o600

        masked = tmp_path / "m.xlsx"
        run("report", "daily", "-o", masked)
        assert mode(masked) == 0o600

        shared = tmp_path / "shared.html"  # someone opened it to the printer's account
        shared.write_text("old", "utf-8")
        os.chmod(shared, 0o644)
        run("report", "daily", "-o", shared)
        assert mode(shared) == 0o644 and shared.read_text("utf-8").startswith("<!DOCTYPE")

        run("case", "list", "--reveal", "--format", "csv", "-o", shared)
        assert mode(shared) == 0o600


def test_output_through_a_symlink_writes_its_file_and_devices_are_written_into(run, tmp_path):
    add_case(run, "A1")
    real = tmp_path / "real.json"
    real.write_text("old", "utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    run("case", "list", "-o", link)
    assert link.is_symlink() and json.loads(real.read_text("utf-8"))[0]["no"] == "A1"
    run("case", "list", "--format", "csv", "-o", "/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_an_existing_file_set_up_as_the_database_becomes_private(run, tmp_path):
    given = tmp_path / "touched.db"
    given.touch()
    os.chmod(given, 0o644)
    run("--db", given, "init")
    assert mode(given) == 0o600
    os.chmod(given, 0o640)  # once set up, the file's mode is the owner's to choose
    run("--db", given, "case", "list")
    assert mode(given) == 0o640


# -- 5. control characters never reach a terminal or a spreadsheet raw -------------------------

def test_the_sanitiser():
    from tongwei_cli.render.output import visible

    assert visible("平襄派出所 ok") == "平襄派出所 ok"
    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("\t\n\r\x00\x7f\x85\x9b") == "\\x09\\x0a\\x0d\\x00\\x7f\\x85\\x9b"
    for ch in ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
               "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u2028", "\u2029"):
        assert visible(f"x{ch}y") == f"x\\u{ord(ch):04x}y"
    assert visible("全角\u3000空格") == "全角\u3000空格"  # not printable, but not hidden either
    assert visible(visible("\x1b")) == "\\x1b"


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    """The same hostile text in every kind of record the lists and reports show (made once;
    each test gets its own copy)."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    key = path.with_suffix(".key")  # its own key file: each test's config folder differs
    with using_key_file(key):
        run = Runner()
        today = days_ago(0)

        def call(*args: str) -> None:
            run("--db", path, "--officer", "测试警官", "--lang", "en", *args)

        call("init")
        call("warning", "add", "--no", "YJ1", "--received", f"{today} 00:01", "--level", "high",
             "--station", "平襄", "--phone", "13800000001", "--name", ESC_NAME)
        call("cards", "action", "--date", "today", "--institution", f"银行{ESC_NAME}[/x]",
             "--kind", "inspection", "--institution-kind", "bank")
        call("outreach", "add", "--date", "today", "--station", "平襄", "--audience", "students",
             "--form", "lecture", "--venue", f"[red]一中[/red]{ESC_NAME}\t:warning:",
             "--attendees", "1", "--materials", "1")
        call("campaign", "add", f"冬季{ESC_NAME}", "--from", days_ago(3), "--to", today)
        call("case", "add", "--no", "H1", "--reported", days_ago(1), "--type", "loan",
             "--station", "平襄", "--loss", "1", "--summary", ESC_NAME)
    return path


@pytest.fixture
def hostile(hostile_file, db_path, monkeypatch):
    shutil.copyfile(hostile_file, db_path)
    monkeypatch.setenv("TONGWEI_KEY_FILE", str(hostile_file.with_suffix(".key")))


HUMAN = [
    ("cards", "list"), ("cards", "institutions"), ("outreach", "list"), ("campaign", "list"),
    ("audit", "list"), ("case", "show", "H1"), ("warning", "show", "YJ1", "--reveal"),
    ("report", "daily", "--format", "text"), ("report", "daily", "--format", "markdown"),
    ("report", "daily", "--format", "html"), ("report", "daily"),
    ("report", "bulletin", "--campaign", f"冬季{ESC_NAME}"),
]


@pytest.mark.parametrize("argv", HUMAN, ids=lambda a: " ".join(a))
def test_no_control_character_reaches_a_human_format(run, hostile, argv):
    out = run(*argv).stdout
    for ch in RAW:
        assert ch not in out, repr(out)
    assert "\\x1b" in out  # shown, as an escape
    if argv[:2] in (("cards", "institutions"), ("outreach", "list")):
        assert "[/x]" in out or "[red]一中[/red]" in out  # printed literally, not markup
    if argv[:2] == ("outreach", "list"):
        assert ":warning:" in out and "\\x09" in out


def test_machine_formats_keep_the_value_as_stored(run, hostile, tmp_path):
    shown = json.loads(run("warning", "show", "YJ1", "--reveal", "--format", "json").stdout)
    assert shown["name"] == ESC_NAME
    venue = json.loads(run("outreach", "list", "--format", "json").stdout)[0]["venue"]
    assert venue == f"[red]一中[/red]{ESC_NAME}\t:warning:"
    run("warning", "list", "--reveal", "--format", "csv", "-o", tmp_path / "w.csv")
    assert ESC_NAME in (tmp_path / "w.csv").read_text("utf-8-sig")


def test_xlsx_with_a_hostile_name_is_written_and_shows_the_escape(run, hostile, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "d.xlsx"
    run("report", "daily", "-o", target)
    book = load_workbook(target)
    texts = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row
             if c.value is not None]
    assert any(t.startswith("\\x1b*") for t in texts)  # the masked name in the dispatch list
    assert not any(ch in t for t in texts for ch in RAW)


@pytest.mark.slow
def test_an_error_quoting_a_hostile_value_shows_it_escaped(sh, tmp_path):
    """A bad row's reason quotes what the file holds: an escape in it must not reach the
    terminal raw."""
    bad = tmp_path / "cards.csv"
    row = "2026-11-20,测试\x1b[31m银行,inspection,bank\n"
    bad.write_text("date,institution,kind,institution-kind\n" + row + row, "utf-8")
    result = sh("import", "cards", bad)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr
