"""`tongwei find`: has this person come up before? Every warning, case (as the victim) and
restriction of one person, across the strands, newest first.

A person is looked up by a phone number, an ID number or a name, through the blind index
stored beside each personal column (`storage.personal`): an indexed equality, the same
on a national file as on a fresh one, and nothing decrypted unless `--reveal` asks. The
lookup is itself a use of the person's data: one audit row says who looked up whom
(masked) and how many records were found.
"""

from __future__ import annotations

from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.masking import MASKS
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database

BY = ("phone", "id", "name")

# What each strand holds of a person: table -> {kind of value: its column}.
_COLUMNS = {
    "warnings": {"phone": "phone", "id": "id_no", "name": "name"},
    "cases": {"phone": "victim_phone", "id": "victim_id", "name": "victim_name"},
    "card_penalties": {"id": "id_no", "name": "name"},
}


def what_is(value: str) -> str:
    """Whether a typed value is an ID number, a phone number or (anything else) a name."""
    text = "".join(str(value).split())
    if sum(ch.isdigit() for ch in text) >= 15:
        return "id"
    try:
        validate.phone(text, "VALUE")
    except InvalidValue:
        return "name"
    return "phone"


def normalised(by: str, value: str, tz: Any) -> str:
    """The value as stored before it was sealed: checked as its `add` command checks it."""
    if by == "phone":
        return validate.phone(value, "VALUE")
    if by == "id":
        return validate.resident_id(value, "VALUE", tz).number
    return validate.required_text(value, "VALUE")


def find(db: Database, value: str, by: str | None = None, *, reveal: bool = False
         ) -> tuple[str, str, list[dict[str, Any]]]:
    """The records of the person `value` names (`by`: phone, id or name; found out from
    the value when not given): `(by, the value masked, records newest first)`. Audited."""
    tz = db.tz
    by = by or what_is(value)
    clean = normalised(by, value, tz)
    index = personal.blind_index(db, by, clean)
    records: list[dict[str, Any]] = []
    for table, columns in _COLUMNS.items():
        column = columns.get(by)
        if column is None:
            continue
        records += _found(db, table, column, index)
    records.sort(key=lambda r: (r["when"], r["no"]), reverse=True)
    if reveal:
        records = _opened(db, records)
    shown = MASKS[by](clean)
    with db.write():
        db.audit("find", "person", shown, None,
                 {"by": by, "found": len(records), "revealed": reveal,
                  "records": [f"{r['strand']} {r['no']}" for r in records][:200]})
    return by, shown, records


def _found(db: Database, table: str, column: str, index: int) -> list[dict[str, Any]]:
    if table == "warnings":
        rows = db.query(
            "SELECT no, received_at, station, name, phone, id_no, level, feedback_at,"
            " deadline_at, outcome, defrauded_at FROM warnings"
            f" WHERE {column}_bi = ?", (index,))
        now = clock.now_seconds()
        out = []
        for r in rows:
            status = ("fed-back" if r["feedback_at"] is not None else
                      "overdue" if r["deadline_at"] < now else "open")
            out.append({"strand": "warning", "no": r["no"],
                        "when": clock.local_text(r["received_at"], db.tz),
                        "station": r["station"], "name": r["name"], "phone": r["phone"],
                        "id_no": r["id_no"], "status": status,
                        "detail": r["level"], "outcome": r["outcome"]})
        return out
    if table == "cases":
        rows = db.query(
            "SELECT no, reported, station, victim_name, victim_phone, victim_id, status,"
            " voided, loss_fen, type, warning FROM cases"
            f" WHERE {column}_bi = ?", (index,))
        return [{"strand": "case", "no": r["no"], "when": r["reported"],
                 "station": r["station"], "name": r["victim_name"],
                 "phone": r["victim_phone"], "id_no": r["victim_id"],
                 "status": "void" if r["voided"] else r["status"], "detail": r["type"],
                 "loss_fen": r["loss_fen"], "warning": r["warning"]} for r in rows]
    rows = db.query(
        "SELECT no, start_date, end_date, station, name, id_no, measure, voided"
        f" FROM card_penalties WHERE {column}_bi = ?", (index,))
    return [{"strand": "restriction", "no": r["no"], "when": r["start_date"],
             "station": r["station"], "name": r["name"], "phone": None, "id_no": r["id_no"],
             "status": "void" if r["voided"] else None, "detail": r["measure"],
             "until": r["end_date"]} for r in rows]


_TABLE = {"warning": ("warnings", {"name": "name", "phone": "phone", "id_no": "id_no"}),
          "case": ("cases", {"name": "victim_name", "phone": "victim_phone",
                             "id_no": "victim_id"}),
          "restriction": ("card_penalties", {"name": "name", "id_no": "id_no"})}


def _opened(db: Database, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with the person's values in the clear (`--reveal`): one read of the
    ciphertext a strand."""
    opened: dict[tuple[str, str], dict[str, Any]] = {}
    for strand, (table, names) in _TABLE.items():
        mine = [{"no": r["no"], **{column: r[key] for key, column in names.items()}}
                for r in records if r["strand"] == strand]
        for row in personal.reveal(db, table, mine):
            opened[strand, row["no"]] = {key: row[column] for key, column in names.items()}
    return [{**r, **opened[r["strand"], r["no"]]} for r in records]
