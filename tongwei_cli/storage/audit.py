"""The audit log: listing it and verifying its hash chain."""

from __future__ import annotations

from datetime import date
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.storage.db import GENESIS_HASH, Database, audit_hash, where


def list_audit(db: Database, *, first: date | None = None, last: date | None = None,
               officer: str | None = None, entity: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
    start = end = None
    if first or last:
        start, end = clock.day_bounds(first or date(1900, 1, 1), last or date(9998, 12, 30),
                                      db.tz)
    clause, params = where(("at >= ?", start), ("at < ?", end), ("officer = ?", officer or None),
                           ("entity = ?", entity or None))
    sql = (f"SELECT id, at, officer, action, entity, key, before, after, hash FROM audit"
           f" WHERE {clause} ORDER BY id")
    if limit:
        sql = f"SELECT * FROM ({sql.replace(' ORDER BY id', ' ORDER BY id DESC')} LIMIT ?)" \
              " ORDER BY id"
        params.append(limit)
    return [dict(r) for r in db.query(sql, params)]


def verify(db: Database) -> tuple[int, dict[str, Any] | None]:
    """Walk the chain; returns (rows checked, the first bad row and why, or None)."""
    prev = GENESIS_HASH
    checked = 0
    cursor = db.conn.execute("SELECT id, at, officer, action, entity, key, before, after,"
                             " prev_hash, hash FROM audit ORDER BY id")
    expected_id = None
    for row in cursor:
        if expected_id is not None and row["id"] != expected_id:
            return checked, {"id": expected_id, "problem": "row missing (deleted)"}
        if row["prev_hash"] != prev:
            return checked, {"id": row["id"], "problem": "does not follow the previous row"}
        content = (row["at"], row["officer"], row["action"], row["entity"], row["key"],
                   row["before"], row["after"], row["prev_hash"])
        if audit_hash(content) != row["hash"]:
            return checked, {"id": row["id"], "problem": "content does not match its hash"}
        prev = row["hash"]
        expected_id = row["id"] + 1
        checked += 1
    return checked, None


def head(db: Database) -> str:
    """The latest hash of the chain: printed on reports so a filed page can be checked."""
    return db.scalar("SELECT hash FROM audit ORDER BY id DESC LIMIT 1") or GENESIS_HASH
