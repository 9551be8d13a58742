"""Schema migrations: one `sql/NNN_name.sql` file each, applied in order with
`sqlite_utils.Migrations` inside one `db.write()` transaction.

Imported only when `db.pending_migrations()` says one is pending (it loads
sqlite_utils, and sqlite_utils loads pandas).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from tongwei_cli.storage.db import MIGRATION_SET, SQL_DIR, Database, migration_names


def statements(script: str) -> Iterator[str]:
    """Split an SQL script into statements (trigger bodies kept whole)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip() and not all(text.strip().startswith("--") or not text.strip()
                                  for text in buffer.splitlines()):
        raise ValueError(f"incomplete SQL statement: {buffer[:80]!r}")


def _after_001(db: Database) -> None:
    from tongwei_cli.storage.reference import load_reference

    load_reference(db)


def _after_006(db: Database) -> None:
    """The zone of the per-day totals: TONGWEI_TZ's offset in winter (a summer-time zone's
    reports in summer scan the index instead); then every stored warning counted."""
    from datetime import datetime

    from tongwei_cli.storage.totals import COUNT_DAYS

    offset = datetime(2026, 1, 1, tzinfo=db.tz).utcoffset()
    db.conn.execute("INSERT INTO warning_days_zone (id, offset_seconds) VALUES (1, ?)",
                    (int(offset.total_seconds()),))
    db.conn.execute(COUNT_DAYS, {"after": 0})  # (the later totals are counted by 010)


def _after_008(db: Database) -> None:
    """The database's first key (written to its key file), a digest of every stored record
    and the triggers that keep them. The migration's audit row, written at the end of this
    transaction, is then the first row signed with the key, chained to the head of the
    SHA-256 rows before it (which verify as before)."""
    from tongwei_cli.storage import digests, keys

    key = keys.create(db)
    db.use_key(key)
    db.sealer.begin(db)
    digests.install(db)
    db.memo["migration_notes"] = {
        "key_id": key.key_id, "database_id": key.db_id,
        "chain": "signed from this row on (HMAC-SHA256); the rows before keep SHA-256",
        "records_digested": db.scalar("SELECT count(*) FROM record_digests")}


def _after_009(db: Database) -> None:
    """Every personal value stored in the clear, encrypted and masked in place; the file is
    VACUUMed after the commit (`apply`), so that no page keeps the clear values."""
    from tongwei_cli.storage import personal

    changed = personal.encrypt_existing(db)
    if changed:
        db.memo["vacuum_after_migration"] = True
    db.memo.setdefault("migration_notes", {})["personal_rows_encrypted"] = changed


def _after_014(db: Database) -> None:
    """Every free text stored with a phone or ID number in it, masked and sealed in place;
    the file is VACUUMed after the commit (`apply`), as after 009."""
    from tongwei_cli.storage import personal

    changed = personal.seal_free_text_existing(db)
    if changed:
        db.memo["vacuum_after_migration"] = True
    db.memo.setdefault("migration_notes", {})["free_text_rows_sealed"] = changed


# Python steps that run after a migration's SQL, by migration name.
#
# Record digests (008) and later migrations: records changed with UPDATE need nothing (the
# triggers mark them and the migration's audit row re-tags them); a table whose columns
# change is re-tagged by `digests.refresh`, run after every migration, for the rows whose
# digest still fits; a migration that rebuilds a digested table *and* changes its values
# (005-style: new table, INSERT … SELECT, rename) calls `digests.retag(db, table)` in its
# step.
AFTER: dict[str, Callable[[Database], None]] = {"001_core": _after_001,
                                                "006_warning_days": _after_006,
                                                "008_keyed_chain": _after_008,
                                                "009_sealed_personal": _after_009,
                                                "014_sealed_free_text": _after_014}


def build(db: Database):  # -> sqlite_utils.migrations.Migrations
    """The migration set, each step running its SQL file and then its Python step."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name in migration_names():
        def step(su_db, name=name):  # noqa: ANN001 - sqlite_utils passes its Database
            for statement in statements((SQL_DIR / f"{name}.sql").read_text("utf-8")):
                su_db.conn.execute(statement)
            if name in AFTER:
                AFTER[name](db)
        migrations(name=name)(step)
    return migrations


def apply(db: Database) -> list[str]:
    """Apply every pending migration; returns their names. All or nothing."""
    from sqlite_utils import Database as SUDatabase

    from tongwei_cli.storage.db import pending_migrations

    # Foreign keys off while tables are rebuilt and renamed (SQLite's ALTER TABLE procedure;
    # the pragma cannot change inside a transaction), checked before the commit instead.
    db.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.write():
            pending = pending_migrations(db.conn)  # again, now that we hold the write lock
            if pending:
                build(db).apply(SUDatabase(db.conn))
                broken = db.conn.execute("PRAGMA foreign_key_check").fetchone()
                if broken is not None:
                    raise sqlite3.IntegrityError(
                        f"migration left a broken reference in {broken[0]} (row {broken[1]})")
                notes = db.memo.pop("migration_notes", {})
                from tongwei_cli.storage import digests

                if digests.enabled(db):
                    retagged = digests.refresh(db)
                    if retagged:
                        notes["retagged"] = retagged
                db.audit("migrate", "schema", pending[-1], None, {"applied": pending, **notes})
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")
    if pending:
        _give_back_space(db, always=db.memo.pop("vacuum_after_migration", False))
    return pending


def _give_back_space(db: Database, always: bool = False) -> None:
    """After a migration that rebuilt tables (005), a quarter or more of the file may be
    free pages: compact it once, so the smaller layout shows in the file's size. Another
    program holding the file open only postpones this (the pages are reused anyway).

    `always`: a migration that replaced values which must not stay anywhere in the file
    (009, personal values in the clear; 014, numbers in free text): VACUUM writes every
    page afresh (with `secure_delete`, freed pages zeroed), and the WAL that held the old
    pages is emptied (TRUNCATE); a reader still holding the file open postpones the
    latter, so it is retried once the VACUUM is done."""
    if not always:
        free = db.scalar("PRAGMA freelist_count") or 0
        if free < 1000 or free * 4 < (db.scalar("PRAGMA page_count") or 0):
            return  # (a new file, or little to give back)
    try:
        if always:
            db.conn.execute("PRAGMA secure_delete = ON")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.execute("VACUUM")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:
        pass
