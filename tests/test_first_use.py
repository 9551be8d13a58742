"""No silent empty file: only `tongwei init` (and `demo`) makes a database. Every other
command given a path with no database at it -- a mistyped --db, TONGWEI_DB, the default
path before `init` -- is refused in one line naming --db, with nothing made: no file, no
folder. Otherwise a cron job's `report daily` on a typo files a day of zeros."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import days_ago

pytestmark = pytest.mark.no_database


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_mistyped_db_is_refused_and_nothing_is_made(sh, tmp_path):
    before = everything_under(tmp_path)
    result = sh("--db", "typo/dutty.db", "report", "daily", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "error: --db: no database at typo/dutty.db (tongwei init creates one)\n"
    assert result.stdout == ""
    zh = sh("--lang", "zh", "--db", "typo/dutty.db", "report", "daily", cwd=tmp_path)
    assert zh.returncode == 1
    assert zh.stderr == "错误：--db：typo/dutty.db 处没有数据库（tongwei init 可新建）\n"
    assert everything_under(tmp_path) == before  # no folder `typo`, no file, no key


def test_tongwei_db_and_the_default_path_are_refused_alike(sh, tmp_path):
    set_by_env = tmp_path / "county" / "tongwei.db"
    result = sh("case", "list", env={"TONGWEI_DB": str(set_by_env)})
    assert result.returncode == 1
    assert result.stderr == f"error: --db: no database at {set_by_env} (tongwei init creates one)\n"
    assert not (tmp_path / "county").exists()

    # No --db, no TONGWEI_DB: the per-user data folder, which `tongwei init` makes once.
    data = tmp_path / "data"
    env = {"TONGWEI_DB": "", "XDG_DATA_HOME": str(data)}
    default = data / "tongwei" / "tongwei.db"
    assert sh("db", "path", env=env).stdout.strip() == str(default)
    refused = sh("report", "daily", env=env)
    assert refused.returncode == 1
    assert refused.stderr == f"error: --db: no database at {default} (tongwei init creates one)\n"
    assert not data.exists()
    made = sh("init", env=env)
    assert made.returncode == 0, made.stderr
    assert default.is_file()
    assert sh("report", "daily", env=env).returncode == 0


COMMANDS = [
    ("case", "list"),
    ("case", "add", "--reported", "today", "--type", "loan", "--station", "平襄", "--loss", "5"),
    ("case", "show", "TW1"),
    ("warning", "list"),
    ("warning", "add", "--no", "W1", "--received", "now", "--level", "high", "--station",
     "平襄", "--phone", "13800000001"),
    ("outreach", "list"),
    ("cards", "list"),
    ("campaign", "list"),
    ("report", "daily"),
    ("report", "range", "--from", "2026-11-01", "--to", "2026-11-02"),
    ("ref", "stations"),
    ("audit", "verify"),
    ("check",),
    ("db", "status"),
    ("db", "backup", "copy.db"),
    ("db", "compact"),
    ("db", "key", "export"),
    ("db", "key", "rotate"),
]


def command_name(argv: tuple[str, ...]) -> str:
    return " ".join(word for word in argv[:3] if not word.startswith("-"))


@pytest.mark.parametrize("argv", COMMANDS, ids=command_name)
def test_every_command_but_init_and_demo_refuses_a_missing_database(run, tmp_path, argv,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = tmp_path / "typo" / "x.db"
    result = run("--db", missing, *argv, ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: --db: no database at {missing} (tongwei init creates "
                             "one)\n")
    assert everything_under(tmp_path) == set()


def test_an_import_into_a_missing_database_is_refused(run, tmp_path):
    rows = tmp_path / "warnings.csv"
    rows.write_text("no,received,level,station,phone\n"
                    f"W1,{days_ago(1)} 10:00,high,平襄,13800000001\n", "utf-8")
    result = run("--db", tmp_path / "typo" / "x.db", "import", "warnings", rows, ok=False)
    assert result.exit_code == 1 and "no database at" in result.stderr
    assert everything_under(tmp_path) == {"warnings.csv"}


def test_init_makes_the_folder_and_the_file(run, tmp_path):
    new = tmp_path / "srv" / "tongwei" / "county.db"
    assert run("--db", new, "db", "path").stdout.strip() == str(new)
    assert not (tmp_path / "srv").exists()  # `db path` only says where
    run("--db", new, "init")
    assert new.is_file()
    assert run("--db", new, "case", "list", "--format", "json").stdout.strip() == "[]"


def test_demo_makes_its_own_file(run, tmp_path):
    demo = tmp_path / "try" / "demo.db"
    run("--db", demo, "demo")
    assert demo.is_file()
    assert run("--db", demo, "case", "list", "--format", "json").stdout.strip() != "[]"


def test_an_empty_file_is_set_up_by_init_only(run, tmp_path):
    empty = tmp_path / "touched.db"
    empty.touch()
    refused = run("--db", empty, "report", "daily", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr == (f"error: --db: {empty} is an empty file, not a database yet "
                              "(tongwei init sets it up)\n")
    zh = run("--lang", "zh", "--db", empty, "case", "list", ok=False)
    assert zh.stderr == (f"错误：--db：{empty} 是空文件，还不是数据库"
                         "（tongwei init 可将其建为数据库）\n")
    assert empty.stat().st_size == 0 and everything_under(tmp_path) == {"touched.db"}
    run("--db", empty, "init")
    assert run("--db", empty, "case", "list", "--format", "json").stdout.strip() == "[]"


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_another_programs_sqlite_file_is_not_made_a_tongwei_file(run, tmp_path, journal):
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA journal_mode = {journal}")
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    result = run("--db", other, "case", "list", ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: --db: {other} is an SQLite file but not a tongwei "
                             "database (tongwei init sets one up in it)\n")
    assert other.read_bytes() == before  # not even switched to WAL
    conn = sqlite3.connect(other)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["notes"]
    conn.close()
    assert not os.path.exists(tmp_path / "config")  # and no key made for it


def test_a_backup_opens_as_a_database(run, tmp_path, monkeypatch):
    """A backup is in rollback-journal mode (its copy is a single file): it is a tongwei
    database, opened as any other."""
    original = tmp_path / "county.db"
    run("--db", original, "init")
    run("--db", original, "case", "add", "--no", "A1", "--reported", days_ago(1), "--type",
        "loan", "--station", "平襄", "--loss", "5")
    run("--db", original, "db", "backup", tmp_path / "copy.db")
    listed = run("--db", tmp_path / "copy.db", "case", "list", "--format", "json").stdout
    assert '"A1"' in listed
