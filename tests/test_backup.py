"""No backup to nowhere: `tongwei db backup PATH` never makes PATH's folder (a stick that
is not mounted would otherwise get its "checked: ok" copy on the local disk), and a copy
that cannot be finished -- a full disk -- names its target and leaves no `.partial` file
(and an older copy at PATH as it was)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import days_ago
from tests.test_hostile_output import small_disk


def add_case(call, no: str) -> None:
    call("case", "add", "--no", no, "--reported", days_ago(1), "--type", "loan", "--station",
         "平襄", "--loss", "100")


def test_a_missing_folder_is_named_and_never_made(run, tmp_path):
    target = tmp_path / "mnt" / "usb" / "tongwei-2026-11-29.db"
    result = run("db", "backup", target, ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: PATH: there is no folder {target.parent} (is the drive "
                             "mounted?); nothing was written\n")
    assert not (tmp_path / "mnt").exists()
    zh = run("--lang", "zh", "db", "backup", target, ok=False)
    assert zh.exit_code == 1
    assert zh.stderr == (f"错误：PATH：文件夹 {target.parent} 不存在"
                         "（U 盘或移动硬盘是否已挂载？）；未写入任何内容\n")
    assert not (tmp_path / "mnt").exists()


def test_a_file_where_the_folder_should_be_is_refused(run, tmp_path):
    (tmp_path / "usb").write_text("not a folder", "utf-8")
    result = run("db", "backup", tmp_path / "usb" / "copy.db", ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: PATH: {tmp_path / 'usb'} is not a folder; nothing was "
                             "written\n")


def test_an_existing_folder_takes_the_copy(run, tmp_path):
    add_case(run, "A1")
    (tmp_path / "usb").mkdir()
    run("db", "backup", tmp_path / "usb" / "copy.db")
    assert os.listdir(tmp_path / "usb") == ["copy.db"]
    listed = run("--db", tmp_path / "usb" / "copy.db", "case", "list", "--format", "json")
    assert '"A1"' in listed.stdout


def fill_up_at(monkeypatch, pages: int) -> None:
    """The copy's file system holds `pages` pages: SQLite's own `database or disk is full`
    (SQLITE_FULL), as on a full stick, for the `.partial` file being written."""
    connect = sqlite3.connect

    def tight(target, *args, **kwargs):
        conn = connect(target, *args, **kwargs)
        if str(target).endswith(".partial"):
            conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tight)


def test_a_full_target_is_named_and_leaves_no_partial_file(run, tmp_path, monkeypatch):
    add_case(run, "A1")
    usb = tmp_path / "usb"
    usb.mkdir()
    target = usb / "copy.db"
    fill_up_at(monkeypatch, 3)
    result = run("db", "backup", target, ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: PATH: cannot write {target}: No space left on device; "
                             "nothing was written\n")
    assert os.listdir(usb) == []
    zh = run("--lang", "zh", "db", "backup", target, ok=False)
    assert zh.stderr == f"错误：PATH：无法写入 {target}：磁盘空间不足；未写入任何内容\n"
    assert os.listdir(usb) == []


def test_a_full_target_leaves_the_older_copy_as_it_was(run, tmp_path, monkeypatch):
    add_case(run, "A1")
    usb = tmp_path / "usb"
    usb.mkdir()
    target = usb / "copy.db"
    run("db", "backup", target)
    before = target.read_bytes()
    add_case(run, "A2")
    fill_up_at(monkeypatch, 3)
    result = run("db", "backup", target, "--force", ok=False)
    assert result.stderr == (f"error: PATH: cannot write {target}: No space left on device; "
                             "it was left as it was\n")
    assert target.read_bytes() == before and os.listdir(usb) == ["copy.db"]


def test_a_file_system_error_is_named_too(run, tmp_path, monkeypatch):
    """ENOSPC from the file system itself (no room even for the new file's entry)."""
    import errno

    (tmp_path / "usb").mkdir()
    target = tmp_path / "usb" / "copy.db"
    real_open = os.open

    def full(path, *args, **kwargs):
        if str(path).endswith(".partial"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", full)
    result = run("db", "backup", target, ok=False)
    monkeypatch.undo()
    assert result.stderr == (f"error: PATH: cannot write {target}: No space left on device; "
                             "nothing was written\n")
    assert os.listdir(tmp_path / "usb") == []


def test_a_really_full_small_disk(run, tmp_path):
    """The same on a real, tiny file system where one can be mounted."""
    run("demo")  # several MiB: more than the disk holds
    with small_disk(tmp_path / "usb", "256k") as usb:
        target = Path(usb) / "copy.db"
        result = run("db", "backup", target, ok=False)
        assert result.exit_code == 1
        assert f"cannot write {target}: " in result.stderr
        assert "nothing was written" in result.stderr
        assert os.listdir(usb) == []


@pytest.mark.no_database
def test_backup_of_a_missing_database_makes_nothing(run, tmp_path):
    (tmp_path / "usb").mkdir()
    result = run("--db", tmp_path / "typo.db", "db", "backup", tmp_path / "usb" / "c.db",
                 ok=False)
    assert result.exit_code == 1 and "no database at" in result.stderr
    assert os.listdir(tmp_path / "usb") == [] and not (tmp_path / "typo.db").exists()
