"""Storage: open_db, migrations, write(), the audit chain."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from tongwei_cli.core import settings
from tongwei_cli.core.errors import StorageError
from tongwei_cli.storage import audit
from tongwei_cli.storage.db import migration_names, open_db, pending_migrations


@pytest.mark.no_database
def test_new_file_is_private_wal_and_migrated(db_path):
    db = open_db(settings.current(), db_path, create=True)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert db.scalar("PRAGMA journal_mode") == "wal"
    assert db.scalar("PRAGMA foreign_keys") == 1
    assert db.scalar("PRAGMA synchronous") == 2  # FULL
    assert db.scalar("PRAGMA busy_timeout") >= 10_000
    assert pending_migrations(db.conn) == []
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cases", "case_events", "audit", "stations", "fraud_types"} <= tables
    strict = db.query("SELECT name FROM pragma_table_list WHERE strict = 1")
    assert "cases" in {r[0] for r in strict}
    assert db.scalar("SELECT count(*) FROM stations") == 18
    db.close()


@pytest.mark.no_database
def test_migrating_twice_changes_nothing(db_path):
    open_db(settings.current(), db_path, create=True).close()
    schema = sqlite3.connect(db_path).execute(
        "SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    db = open_db(settings.current(), db_path)
    applied = db.query("SELECT name FROM _sqlite_migrations")
    assert [r[0] for r in applied] == migration_names()
    again = db.scalar("SELECT group_concat(sql, ';') FROM sqlite_master")
    assert again == schema
    assert db.scalar("SELECT count(*) FROM audit WHERE action = 'migrate'") == 1


def test_write_rolls_back_everything_on_error(db):
    with pytest.raises(RuntimeError), db.write():
        db.audit("test", "thing", "1", None, {"a": 1})
        raise RuntimeError("boom")
    assert db.scalar("SELECT count(*) FROM audit WHERE action = 'test'") == 0


def test_audit_log_refuses_update_and_delete(db):
    with db.write():
        db.audit("test", "thing", "1", None, {"a": 1})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.conn.execute("UPDATE audit SET officer = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.conn.execute("DELETE FROM audit")


def test_audit_chain_detects_a_forged_row(db):
    for i in range(3):
        with db.write():
            db.audit("test", "thing", str(i), None, {"i": i})
    checked, bad = audit.verify(db)
    assert bad is None and checked >= 4
    db.conn.execute("DROP TRIGGER audit_no_update")
    db.conn.execute("UPDATE audit SET after = '{\"i\": 9}' WHERE key = '1'")
    checked, bad = audit.verify(db)
    assert bad is not None and "hash" in bad["problem"]


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 200)
    with pytest.raises(StorageError, match="not a readable tongwei database"):
        open_db(settings.current(), path)


def test_audit_log_masks_personal_data(db):
    with db.write():
        db.audit("add", "case", "X", None, {"victim_name": "测试甲", "victim_phone": "13800000001"})
    after = db.scalar("SELECT after FROM audit WHERE key = 'X'")
    assert "13800000001" not in after and "138****0001" in after
    assert "测试甲" not in after


@pytest.mark.slow
def test_compact_gives_back_half_empty_pages_and_changes_no_figure(sh, db, db_path):
    """Cases entered one by one newest first (a backlog typed in from the top of a paper
    register) leave the date index's pages half full; `db compact` rewrites the file
    smaller, with the same records and figures, and logs it."""
    import json
    from datetime import date, timedelta

    from tongwei_cli.domain import cases

    today = date.today()
    for i in range(3000):
        cases.add_case(db, {"reported": str(today - timedelta(days=2 + i // 8)),
                            "type": "loan", "station": "平襄", "loss": str(100 + i)})
    db.close()
    period = ["report", "range", "--from", str(today - timedelta(days=800)), "--to",
              str(today), "--format", "json"]
    before = json.loads(sh(*period).stdout)
    result = sh("db", "compact")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"compacted {db_path}: ") and " MiB -> " in result.stderr
    conn = sqlite3.connect(db_path)
    logged = conn.execute("SELECT before, after FROM audit WHERE action = 'compact'").fetchone()
    was, now = json.loads(logged[0])["bytes"], json.loads(logged[1])["bytes"]
    assert now < was * 0.96, (was, now)  # (the audit log's own rows were full already)
    assert db_path.stat().st_size == pytest.approx(now, rel=0.01)  # (and the log row)
    after = json.loads(sh(*period).stdout)
    for section in ("cases", "warnings", "outreach", "cards"):
        assert after[section] == before[section]
    assert sh("check").returncode == 0
