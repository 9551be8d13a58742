"""What the record kinds (cases, warnings, outreach, cards) share: the prepared row, the
test for a value that was given, option names, corrections, and day-by-day numbering."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue
from tongwei_cli.core.fields import RecordKind, is_sealed
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database


class Prepared:
    """A validated row, ready to insert, and any warnings to show the officer. (A plain
    class: a dataclass costs start-up time.)"""

    __slots__ = ("row", "warnings")

    def __init__(self, row: dict[str, Any], warnings: list[str] | None = None):
        self.row = row
        self.warnings = [] if warnings is None else warnings


class PlainText:
    """The declared fields of a kind that its prepare function does not check itself, kept
    as plain text: a field added to the declaration (`core.fields`) is stored without a
    line of code. Which ones they are is learned from the first row prepared."""

    def __init__(self, kind: RecordKind):
        self.kind = kind
        self.fields: tuple[Any, ...] | None = None

    def fill(self, raw: Mapping[str, Any], out: dict[str, Any]) -> dict[str, Any]:
        if self.fields is None:
            self.fields = tuple(f for f in self.kind.fields if f.stored and f.stored not in out)
        for f in self.fields:
            out[f.stored] = validate.optional_text(raw.get(f.name))
        return out


def as_record(row: Any) -> dict[str, Any]:
    """A stored row as the record people and scripts get: no internal ids, no ciphertext
    or blind index of a personal field, `voided` a bool."""
    record = {k: v for k, v in dict(row).items() if not is_sealed(k)}
    record.pop("id", None)
    if "voided" in record:
        record["voided"] = bool(record["voided"])
    return record


def iso(day: Any) -> str | None:
    """A day as stored (`YYYY-MM-DD`), or None when not given."""
    return None if day is None else day.isoformat()


def filled(value: Any) -> bool:
    """Whether a raw value (typed, or a cell of a file) holds anything."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def given(raw: Mapping[str, Any], name: str) -> bool:
    return filled(raw.get(name))


def option(name: str) -> str:
    """`victim_id` -> `victim-id`, the name users see (option or import column)."""
    return name.replace("_", "-")


def corrections(changes: Mapping[str, Any], command: str, field_name: str) -> dict[str, Any]:
    """The fields an `update` command was given (None: not given); none is an error."""
    given_ = {k: v for k, v in changes.items() if v is not None}
    if not given_:
        raise InvalidValue(f"nothing to change: give at least one field of `{command}`",
                           field_name)
    return given_


def raw_of(kind: RecordKind, current: Mapping[str, Any]) -> dict[str, Any]:
    """A stored record (`current`, by column) as the raw values its `add` command takes (by
    field name): money back in yuan. What a correction starts from, and a merge's every
    record (the fields planned once a kind)."""
    plan = _RAW_PLANS.get(kind.name)
    if plan is None:
        plan = _RAW_PLANS[kind.name] = tuple((f.name, f.stored, f.shown == "money")
                                             for f in kind.fields if f.stored)
    raw: dict[str, Any] = {}
    for name, stored, money in plan:
        value = current[stored]
        raw[name] = yuan(value) if money and value is not None else value
    return raw


_RAW_PLANS: dict[str, tuple[tuple[str, str, bool], ...]] = {}


def yuan(fen: int) -> str:
    """Fen as the yuan an officer types: 150000 -> '1500', 150050 -> '1500.50'."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return sign + (f"{fen // 100}.{fen % 100:02d}" if fen % 100 else str(fen // 100))


def corrected(raw: dict[str, Any], changes: Mapping[str, Any], clearable: Iterable[str]
              ) -> dict[str, Any]:
    """`raw` (the stored record as raw values) with `changes` applied: `-` (or nothing)
    clears a field in `clearable` and is refused for any other."""
    clearable = set(clearable)
    for name, value in changes.items():
        clear = isinstance(value, str) and value.strip() in ("-", "")
        if clear and name not in clearable:
            raise InvalidValue("is required and cannot be cleared", option(name))
        raw[name] = None if clear else value
    return raw


def correctable(current: Mapping[str, Any], what: str, field_name: str) -> None:
    """Refuse to correct a record that was withdrawn (void)."""
    if current["voided"]:
        raise Conflict(f"{what} {current['no']} is void and cannot be corrected", field_name)


def mark_void(db: Database, table: str, entity: str, current: Mapping[str, Any],
              reason: str, *, what: str, field_name: str) -> None:
    """Inside `db.write()`: withdraw the stored record `current` (a row of `table` with its
    `no` and `voided`) -- kept, marked void with the reason (sealed as free text is), who
    and when -- and log it; one already void is refused."""
    if current["voided"]:
        raise Conflict(f"{what} {current['no']} is already void", field_name)
    reason, sealed = personal.sealed_text(db, table, "void_reason", reason)
    if personal.free_enabled(db):
        db.conn.execute(f"UPDATE {table} SET voided = 1, void_reason = ?,"
                        " void_reason_enc = ?, updated_at = ?, updated_by = ? WHERE no = ?",
                        (reason, sealed, clock.stamp(), db.officer, current["no"]))
    else:  # (a file from before 014)
        db.conn.execute(f"UPDATE {table} SET voided = 1, void_reason = ?, updated_at = ?,"
                        " updated_by = ? WHERE no = ?",
                        (reason, clock.stamp(), db.officer, current["no"]))
    db.audit("void", entity, current["no"], {"voided": False},
             {"voided": True, "void_reason": reason})


def assign_numbers(db: Database, table: str, letters: str, rows: list[dict[str, Any]],
                   date_key: str) -> None:
    """Give each row without a `no` the next free `<letters><yyyymmdd>-NNN` of its day
    (`TW20261129-001`), counting the numbers `table` and the earlier rows already hold.

    In a station's own file (`tongwei init --station`) the station's code follows the date,
    `TW20261129-PINGXIANG-001`: two stations' numbers never meet in the county's file, and
    every number still sorts by its date there. Only numbers of this very form are counted
    (a county file that merged stations' numbers goes on `-001`, `-002`…)."""
    taken: dict[str, set[str]] = {}
    tag = station_tag(db)
    for row in rows:
        if row.get("no"):
            continue
        prefix = letters + row[date_key].replace("-", "") + "-" + tag
        if prefix not in taken:
            taken[prefix] = {r[0] for r in db.query(
                # a range, not LIKE, so that the index on `no` answers
                f"SELECT no FROM {table} WHERE no >= ? AND no < ?", (prefix, prefix[:-1] + "."))
                if r[0][len(prefix):].isdigit()}
        seq = len(taken[prefix]) + 1
        while f"{prefix}{seq:03d}" in taken[prefix]:
            seq += 1
        row["no"] = f"{prefix}{seq:03d}"
        taken[prefix].add(row["no"])


def station_tag(db: Database) -> str:
    """`PINGXIANG-` in a station's own file (the station's code, upper case, and a dash),
    `""` in any other."""
    if "station_tag" not in db.memo:
        try:
            code = db.scalar("SELECT station FROM file_station WHERE id = 1")
        except sqlite3.OperationalError as exc:  # a file from before 011 (while migrated)
            if "no such table" not in str(exc):
                raise
            code = None
        db.memo["station_tag"] = f"{code.upper()}-" if code else ""
    return db.memo["station_tag"]


def record_reveal(db: Database, entity: str, kind: RecordKind,
                  records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """`--reveal`: the records (found by their `no`) with their personal data in the clear,
    opened from its ciphertext, and one audit row saying who revealed whose. Refused, with
    the key it needs named, when the database's key is not here."""
    keys = [r["no"] for r in records]
    opened = personal.reveal(db, kind.table, records)
    with db.write():
        db.audit("reveal", entity, keys[0] if len(keys) == 1 else None, None,
                 {"records": list(keys)[:1000], "count": len(keys)})
    return opened
