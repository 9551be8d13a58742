"""Outreach sessions (宣): whom a station reached, where, how, and with what.

Plain functions over a `Database`, shaped like `cases`: `prepare_outreach` validates raw
values (typed, or cells of an import file) into a row without writing; `insert_outreach`
writes prepared rows inside `db.write()`; `add_outreach`, `update_outreach` and
`void_outreach` are the single-record changes, each with its audit row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, NotFound
from tongwei_cli.core.fields import OUTREACH
from tongwei_cli.domain.records import (
    PlainText,
    Prepared,
    as_record,
    assign_numbers,
    correctable,
    corrected,
    corrections,
    iso,
    mark_void,
    option,
    raw_of,
)
from tongwei_cli.domain.records import given as _given
from tongwei_cli.domain.reference import refs as refs_of
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database, where

# The counts a session may carry beside its attendees and materials.
EXTRA_COUNTS = ("posters", "videos", "app_installs", "notices_signed")
# What makes two sessions the same when neither has a `ref` (imports match on this); its
# venue and note by their masked form and their ciphertext (`core.fields`).
CONTENT = OUTREACH.compared()
STORED = ("no", "ref", *CONTENT)
TOTALS = ("attendees", "materials", *EXTRA_COUNTS)

COLUMNS = (f"id, {', '.join(STORED)}, voided, void_reason, void_reason_enc, created_at,"
           " created_by, updated_at, updated_by, import_id")


def prepare_outreach(db: Database, raw: Mapping[str, Any]) -> Prepared:
    """Validate one session (the raw values of `core.fields.OUTREACH`) into a row of
    `outreach`. No write."""
    refs = refs_of(db)
    out: dict[str, Any] = {"no": None}
    out["date"] = validate.date_value(raw.get("date"), "date", db.tz).isoformat()
    out["station"] = refs.resolve("stations", raw.get("station"), "station")
    out["audience"] = refs.resolve("audiences", raw.get("audience"), "audience")
    out["form"] = refs.resolve("forms", raw.get("form"), "form")
    out["venue"] = validate.required_text(raw.get("venue"), "venue")
    out["venue_kind"] = (refs.resolve("venues", raw["venue_kind"], "venue-kind")
                         if _given(raw, "venue_kind") else None)
    out["attendees"] = validate.count(raw.get("attendees"), "attendees")
    out["materials"] = validate.count(raw.get("materials"), "materials")
    for name in EXTRA_COUNTS:
        out[name] = validate.count(raw[name], option(name)) if _given(raw, name) else None
    out["ref"] = validate.key(raw["ref"], "ref") if _given(raw, "ref") else None
    out["note"] = validate.optional_text(raw.get("note"))
    return Prepared(personal.seal(db, "outreach", _PLAIN.fill(raw, out)))


_PLAIN = PlainText(OUTREACH)


def content_key(row: Mapping[str, Any]) -> tuple:
    """The session's content, to recognise a row without `ref` imported before."""
    return tuple(row[name] for name in CONTENT)


# -- writing ----------------------------------------------------------------------

_INSERTED = (*STORED, "created_at", "created_by", "import_id")
INSERT = (f"INSERT INTO outreach ({', '.join(_INSERTED)})"
          f" VALUES ({', '.join(':' + c for c in _INSERTED)})")


def insert_outreach(db: Database, rows: Iterable[dict[str, Any]],
                    import_id: int | None = None) -> list[dict[str, Any]]:
    """Insert prepared rows inside `db.write()`, numbering those without a number.
    Returns the rows as inserted (with their numbers)."""
    rows = list(rows)
    assign_numbers(db, "outreach", "XC", rows, "date")
    now, who = clock.stamp(), db.officer
    db.conn.executemany(INSERT, ({**row, "created_at": now, "created_by": who,
                                  "import_id": import_id} for row in rows))
    return rows


def add_outreach(db: Database, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and store one session; returns the stored record and any warnings."""
    prepared = prepare_outreach(db, raw)
    row = prepared.row
    with db.write():
        if row["ref"] and db.one("SELECT 1 FROM outreach WHERE ref = ?", (row["ref"],)):
            raise Conflict(f"a session with ref {row['ref']} already exists", "ref")
        insert_outreach(db, [row])
        record = get_outreach(db, row["no"])
        db.audit("add", "outreach", row["no"], None, record)
    return record, prepared.warnings


def _row(db: Database, key: str, field_name: str = "SESSION") -> dict[str, Any]:
    wanted = validate.text(key)
    row = db.one(f"SELECT {COLUMNS} FROM outreach WHERE no = ? OR ref = ?"
                 " ORDER BY no = ? DESC LIMIT 1", (wanted, wanted, wanted))
    if row is None:
        raise NotFound(f"no outreach session numbered {wanted!r}", field_name)
    return dict(row)


def get_outreach(db: Database, key: str, field_name: str = "SESSION") -> dict[str, Any]:
    """The stored session (by its number or its ref) as a plain record."""
    return as_record(_row(db, key, field_name))


def update_outreach(db: Database, key: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Correct fields of a session (`-` clears an optional one); before/after audited."""
    changes = corrections(changes, "outreach add", "SESSION")
    with db.write():
        current = _row(db, key)
        correctable(current, "session", "SESSION")
        raw = corrected(raw_of(OUTREACH, personal.opened(db, "outreach", current)), changes,
                        OUTREACH.clearable())
        correct_outreach(db, current, prepare_outreach(db, raw).row)
        return get_outreach(db, current["no"])


def correct_outreach(db: Database, current: Mapping[str, Any], new: Mapping[str, Any]
                     ) -> None:
    """Apply a validated row (`prepare_outreach`) to the stored session `current` (with its
    `id`), inside `db.write()`, with an audit row of the old and new values. `outreach
    update` and `tongwei merge`."""
    if new["ref"] and new["ref"] != current["ref"] and db.one(
            "SELECT 1 FROM outreach WHERE ref = ?", (new["ref"],)):
        raise Conflict(f"a session with ref {new['ref']} already exists", "ref")
    before, after = personal.changes("outreach", current, new,
                                     [n for n in STORED if n != "no"])
    if before:
        sets = ", ".join(f"{k} = :{k}" for k in after)
        db.conn.execute(f"UPDATE outreach SET {sets}, updated_at = :at, updated_by = :by"
                        " WHERE id = :id", {**after, "at": clock.stamp(),
                                            "by": db.officer, "id": current["id"]})
        db.audit("update", "outreach", current["no"], before, after)


def void_outreach(db: Database, key: str, reason: str) -> dict[str, Any]:
    """Withdraw a session entered in error: kept, shown as void, counted nowhere."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        current = _row(db, key)
        mark_void(db, "outreach", "outreach", current, reason, what="session",
                  field_name="SESSION")
    return get_outreach(db, current["no"])


# -- reading ----------------------------------------------------------------------

def list_outreach(db: Database, *, first: date | None = None, last: date | None = None,
                  station: str | None = None, audience: str | None = None,
                  form: str | None = None, voided: bool = False,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Sessions dated in `[first, last]`, newest first (voided ones only if `voided`)."""
    clause, params = where(
        ("voided = ?", 1 if voided else 0), ("date >= ?", iso(first)), ("date <= ?", iso(last)),
        ("station = ?", station), ("audience = ?", audience), ("form = ?", form))
    sql = f"SELECT {COLUMNS} FROM outreach WHERE {clause} ORDER BY date DESC, no DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [as_record(r) for r in db.query(sql, params)]


def totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Sessions and the sums of their counts (unreported optional counts as 0)."""
    out = {"sessions": 0, **dict.fromkeys(TOTALS, 0)}
    for row in rows:
        out["sessions"] += 1
        for name in TOTALS:
            out[name] += row.get(name) or 0
    return out


# -- import (`tongwei import outreach FILE`) ----------------------------------------


def import_key(row: Mapping[str, Any]) -> Any:
    """A row's identity: its `ref`, or (without one) its whole content."""
    return row["ref"] or content_key(row)


def find_outreach(db: Database, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """The stored sessions (voided ones too) with these identities: by `ref`, or by
    content for rows without one."""
    found: dict[Any, dict[str, Any]] = {}
    refs = [k for k in keys if isinstance(k, str)]
    contents = {k for k in keys if isinstance(k, tuple)}
    for i in range(0, len(refs), 500):
        chunk = refs[i:i + 500]
        for r in db.query(f"SELECT {COLUMNS} FROM outreach WHERE ref IN"
                          f" ({', '.join('?' * len(chunk))})", chunk):
            found[r["ref"]] = dict(r)
    if contents:
        dates = sorted(k[0] for k in contents)
        for r in db.query(f"SELECT {COLUMNS} FROM outreach WHERE date BETWEEN ? AND ?",
                          (dates[0], dates[-1])):
            key = content_key(r)
            if key in contents:
                found[key] = dict(r)
    return found


def describe(row: Mapping[str, Any]) -> str:
    return (f"session {row['ref']}" if row.get("ref")
            else f"the session of {row['date']} at {row['venue']}")

