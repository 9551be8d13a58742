"""The audit log: listing it, verifying its chain, and anchoring its head outside the file.

Since migration 008 each row's hash is an HMAC-SHA256, under the audit subkey of the
database's key, of the row with its own id and the previous row's hash (`db.keyed_hash`):
nobody without the key can edit a row and mend the chain after it, delete and renumber,
or append a row. The rows from before 008 keep their SHA-256 (`db.audit_hash`) and verify
as before; the first signed row (the migration's) follows their head, and no unsigned row
may follow a signed one.

A chain rebuilt by someone who has the key, or cut short at its end, still verifies on its
own: that is what anchors are for. An anchor is a row number and the hash of that row
(`1234:9f3a…`), printed on every report, by `db backup` and `audit verify`, and appended by
`audit anchor -o FILE` to a witness file kept outside the database; `audit verify
--anchor FILE` then fails when the chain no longer passes through every anchor recorded.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, StorageError
from tongwei_cli.storage import keys
from tongwei_cli.storage.db import GENESIS_HASH, Database, audit_hash, keyed_hash, where

ANCHOR_TAG = "tongwei-anchor"
SHORT = (8, 4)  # hex digits kept at the start and end of a printed anchor


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


def _columns(db: Database) -> set[str]:
    return {r[1] for r in db.query("PRAGMA table_info(audit)")}


def verify(db: Database) -> tuple[int, dict[str, Any] | None]:
    """Walk the chain; returns (rows checked, the first bad row and why, or None).

    Rows signed with a key need that key (`keys.KeyMissing` names the one missing when it
    is not here); callers that must not fail on a missing key check `keys.current` first."""
    keyed = "key_id" in _columns(db)
    found = keys.identity(db) if keyed else None
    select = ("SELECT id, at, officer, action, entity, key, before, after, prev_hash, hash"
              + (", state, key_id" if keyed else ", NULL, NULL") + " FROM audit ORDER BY id")
    prev = GENESIS_HASH
    checked = 0
    expected_id = 1
    signed_from: int | None = None
    subkeys: dict[str, bytes] = {}
    for row in db.conn.execute(select):
        row_id, at, officer, action, entity, key, before, after, prev_hash, digest, \
            state, key_id = row
        if row_id != expected_id:
            what = "row missing (deleted)" if row_id > expected_id else "rows out of order"
            return checked, {"id": expected_id, "problem": what}
        if prev_hash != prev:
            return checked, {"id": row_id, "problem": "does not follow the previous row"}
        if key_id is None:
            if signed_from is not None:
                return checked, {"id": row_id, "problem": "is not signed with the key (an"
                                 " unsigned row after the signed chain began: forged)"}
            content = (at, officer, action, entity, key, before, after, prev_hash)
            if audit_hash(content) != digest:
                return checked, {"id": row_id, "problem": "content does not match its hash"}
        else:
            if signed_from is None:
                signed_from = row_id
                if found is not None and found.keyed_from != row_id:
                    return checked, {"id": row_id, "problem": (
                        f"the signed chain should begin at row {found.keyed_from}, "
                        f"not {row_id}")}
            if key_id not in subkeys:
                subkeys[key_id] = keys.subkey(db, "audit", key_id)
            content = (row_id, at, officer, action, entity, key, before, after, state,
                       key_id, prev_hash)
            if not hmac.compare_digest(keyed_hash(subkeys[key_id], content), digest):
                return checked, {"id": row_id, "problem": "content does not match its hash"
                                 " (signed with key " + key_id + ")"}
            if action == "key-rotate":
                bad = _endorsement_problem(db, before, after, key_id, prev_hash)
                if bad:
                    return checked, {"id": row_id, "problem": bad}
        prev = digest
        expected_id = row_id + 1
        checked += 1
    if found is not None and found.key_id is not None:
        if signed_from is None:
            return checked, {"id": expected_id, "problem": (
                "no row is signed with the key: the chain was replaced by an unsigned one")}
    return checked, None


def _endorsement_problem(db: Database, before: str | None, after: str | None,
                         new_key_id: str, prev_hash: str) -> str | None:
    """A rotation's row must carry the old key's endorsement of the new one."""
    try:
        record = json.loads(after or "{}")
        old_id = json.loads(before or "{}").get("key_id")
    except ValueError:
        return "the rotation's record is not readable"
    old = db.keyring.get(old_id) if old_id else None
    new = db.keyring.get(new_key_id)
    if old is None or new is None:
        return (f"the rotation from key {old_id} cannot be checked: that key is not here "
                "(import the recovery sheet that holds it)")
    if not hmac.compare_digest(
            keys.endorsement(old, new_key_id, new.check, prev_hash),
            str(record.get("endorsed_by_old_key", ""))):
        return f"the rotation to key {new_key_id} is not endorsed by the old key {old_id}"
    return None


# -- the head and anchors -----------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    row: int
    hash: str  # the whole hash, or a printed "prefix…suffix"
    at: str | None = None
    db_id: str | None = None
    source: str | None = None

    @property
    def text(self) -> str:
        return f"{self.row}:{self.hash}"

    def matches(self, digest: str) -> bool:
        if "…" in self.hash:
            start, end = self.hash.split("…", 1)
            return digest.startswith(start) and digest.endswith(end)
        return hmac.compare_digest(digest, self.hash) if len(self.hash) == 64 else \
            digest.startswith(self.hash)


def latest(db: Database) -> tuple[int, str]:
    """The chain's last row and its hash ((0, zeros) while it is empty)."""
    row = db.one("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def short_anchor(row: int, digest: str) -> str:
    start, end = SHORT
    return f"{row}:{digest[:start]}…{digest[-end:]}"


def head(db: Database) -> str:
    """The anchor of the chain's head, short (`1234:9f3a1c2b…e07d`): printed on reports, so
    that a filed page can be checked with `audit verify --head`."""
    return short_anchor(*latest(db))


def anchor(db: Database) -> dict[str, Any]:
    """The whole anchor of the chain's head, with the moment and the database's id."""
    row, digest = latest(db)
    return {"at": clock.stamp(), "database_id": keys.database_id(db), "row": row,
            "hash": digest, "anchor": f"{row}:{digest}", "short": short_anchor(row, digest)}


def anchor_line(info: dict[str, Any]) -> str:
    return (f"{ANCHOR_TAG} {info['at']} database={info['database_id'] or '-'} "
            f"{info['anchor']}\n")


def append_anchor(path: Path, info: dict[str, Any]) -> None:
    """Append one anchor line to a witness file, on disk before this returns."""
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, anchor_line(info).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror}", "--output") from None


_ANCHOR = re.compile(r"(\d+):([0-9a-f]{8,64}|[0-9a-f]{4,}(?:…|\.\.\.)[0-9a-f]{2,})\Z")


def parse_anchor(text: str, field: str = "--head", source: str | None = None) -> Anchor:
    """`N:HASH`: the whole hash, its first 8 or more hex digits, or a printed short form
    (`9f3a1c2b…e07d`, or with `...`)."""
    match = _ANCHOR.match(text.strip().lower())
    if not match:
        raise InvalidValue(f"{text.strip()!r} is not an anchor (ROW:HASH, as reports print "
                           "it: 1234:9f3a1c2b…e07d)", field)
    return Anchor(int(match.group(1)), match.group(2).replace("...", "…"), source=source)


def read_anchors(path: Path, db_id: str | None) -> list[Anchor]:
    """The anchors of this database in a witness file (lines of other databases are
    skipped). `InvalidValue` for a line that is not an anchor or a file with none of this
    database's."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InvalidValue(f"cannot read {path}: {exc.strerror}", "--anchor") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] != ANCHOR_TAG or len(words) != 4 or not words[2].startswith("database="):
            raise InvalidValue(f"{path} line {number}: not an anchor line", "--anchor")
        owner = words[2].split("=", 1)[1]
        if db_id is not None and owner != db_id:
            continue
        found.append(replace(parse_anchor(words[3], "--anchor"), at=words[1], db_id=owner,
                             source=f"{path} line {number}"))
    if not found:
        raise InvalidValue(f"{path} holds no anchor of this database ({db_id})", "--anchor")
    return found


def check_anchors(db: Database, anchors: list[Anchor]) -> dict[str, Any] | None:
    """The first anchor the chain no longer passes through, and why (None: all pass)."""
    last, _ = latest(db)
    for item in anchors:
        recorded = f" recorded {item.at}" if item.at else ""
        where = f" ({item.source})" if item.source else ""
        if item.row > last:
            return {"id": item.row, "problem": (
                f"the chain ends at row {last}, before the anchor {short_text(item)}"
                f"{recorded}{where}: rows were cut from its end")}
        digest = db.scalar("SELECT hash FROM audit WHERE id = ?", (item.row,))
        if digest is None or not item.matches(digest):
            return {"id": item.row, "problem": (
                f"does not match the anchor {short_text(item)}{recorded}{where}: the chain "
                "was rewritten since")}
    return None


def short_text(item: Anchor) -> str:
    if "…" in item.hash or len(item.hash) < 64:
        return item.text
    return short_anchor(item.row, item.hash)
