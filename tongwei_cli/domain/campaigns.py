"""Campaigns: named periods (专项行动) that reports sum over. They may overlap.

Reports use `get_campaign(db, name)` (a named campaign, or `NotFound`) and
`campaign_covering(db, day)` (the campaign a day falls in, if any).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.domain.records import corrected, corrections
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database

COLUMNS = "name, first_day, last_day, note, created_at, created_by"


def _record(row: Any) -> dict[str, Any]:
    record = dict(row)
    record["days"] = (date.fromisoformat(record["last_day"])
                      - date.fromisoformat(record["first_day"])).days + 1
    return record


def add_campaign(db: Database, name: Any, first: Any, last: Any, note: Any = None
                 ) -> dict[str, Any]:
    """Store a campaign `[first, last]` (whole local days; planned ones may lie ahead)."""
    _checked(name, first, last, note, db)  # (before the lock: a bad date waits for nothing)
    with db.write():
        new = insert_campaign(db, {"name": name, "from": first, "to": last, "note": note})
        record = get_campaign(db, new["name"])
        db.audit("add", "campaign", new["name"], None, _logged(record))
    return record


def _logged(record: dict[str, Any]) -> dict[str, Any]:
    # `name` would be masked as a person's name in the log; a campaign's is not personal.
    return {("campaign" if k == "name" else k): v for k, v in record.items()}


def update_campaign(db: Database, name: Any, changes: dict[str, Any]) -> dict[str, Any]:
    """Correct a campaign: a new name (`name`), first or last day (`from`, `to`) or note
    (`-` clears the note); the old and new values go to the audit log."""
    changes = corrections(changes, "campaign add", "NAME")
    with db.write():
        current = _sealed(db, get_campaign(db, name)["name"])
        raw = {"name": current["name"], "from": current["first_day"],
               "to": current["last_day"],
               "note": personal.opened(db, "campaigns", current)["note"]}
        corrected(raw, changes, ("note",))
        new = correct_campaign(db, current, raw)
        return get_campaign(db, new["name"])


def _sealed(db: Database, name: str) -> dict[str, Any]:
    """The stored campaign as a correction reads it: with the ciphertext of its note (a
    file from before migration 014 has none: `*` reads what there is)."""
    return dict(db.one("SELECT * FROM campaigns WHERE name = ?", (name,)))


def correct_campaign(db: Database, current: dict[str, Any], raw: dict[str, Any]
                     ) -> dict[str, Any]:
    """Inside `db.write()`: the stored campaign `current` (with the ciphertext of its note)
    given the raw values `raw` (`name`, `from`, `to`, `note`), checked as `campaign add`
    checks them; before/after audited. Returns the checked values. `campaign update` and
    `tongwei merge`."""
    new = _checked(raw["name"], raw["from"], raw["to"], raw["note"], db)
    if new["name"] != current["name"] and db.one(
            "SELECT 1 FROM campaigns WHERE name = ?", (new["name"],)):
        raise Conflict(f"a campaign named {new['name']!r} already exists", "name")
    before, after = personal.changes("campaigns", current, new, list(new))
    if before:
        sets = ", ".join(f"{k} = :{k}" for k in new)
        db.conn.execute(f"UPDATE campaigns SET {sets} WHERE name = :old",
                        {**new, "old": current["name"]})
        db.audit("update", "campaign", current["name"], _logged(before), _logged(after))
    return new


def insert_campaign(db: Database, raw: dict[str, Any]) -> dict[str, Any]:
    """Inside `db.write()`: store a campaign from raw values (`name`, `from`, `to`,
    `note`), checked as `campaign add` checks them; no audit row (its caller's). `tongwei
    merge`."""
    new = _checked(raw["name"], raw["from"], raw["to"], raw["note"], db)
    if db.one("SELECT 1 FROM campaigns WHERE name = ?", (new["name"],)):
        raise Conflict(f"a campaign named {new['name']!r} already exists", "NAME")
    db.conn.execute(
        f"INSERT INTO campaigns ({', '.join(new)}, created_at, created_by)"
        f" VALUES ({', '.join(':' + k for k in new)}, :at, :by)",
        {**new, "at": clock.stamp(), "by": db.officer})
    return new


def remove_campaign(db: Database, name: Any, reason: Any) -> dict[str, Any]:
    """Remove a campaign (a wrong one, or a duplicate): no record points at a campaign, so
    nothing else changes; the audit log keeps what it was, who removed it and why."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        current = get_campaign(db, name)
        db.conn.execute("DELETE FROM campaigns WHERE name = ?", (current["name"],))
        db.audit("remove", "campaign", current["name"], _logged(current), {"reason": reason})
    return current


def _checked(name: Any, first: Any, last: Any, note: Any, db: Database) -> dict[str, Any]:
    clean = validate.required_text(name, "NAME")
    if len(clean) > 100:
        raise InvalidValue("is longer than 100 characters", "NAME")
    start = validate.date_value(first, "from", db.tz, allow_future=True)
    end = validate.date_value(last, "to", db.tz, allow_future=True)
    if end < start:
        raise InvalidValue(f"{end} is before the start {start}", "to")
    # (the note sealed when a number is typed into it: `note_enc`, in a file from 014 on)
    return personal.seal(db, "campaigns", {
        "name": clean, "first_day": start.isoformat(), "last_day": end.isoformat(),
        "note": validate.optional_text(note)})


def get_campaign(db: Database, name: Any, field: str = "NAME") -> dict[str, Any]:
    """The campaign of that name: `name`, `first_day`, `last_day`, `days`, `note`…"""
    clean = validate.text(name)
    row = db.one(f"SELECT {COLUMNS} FROM campaigns WHERE name = ?", (clean,))
    if row is None:
        # A unique prefix is enough, as for reference data.
        rows = db.query(f"SELECT {COLUMNS} FROM campaigns WHERE substr(name, 1, ?) = ?",
                        (len(clean), clean)) if clean else []
        if len(rows) == 1:
            row = rows[0]
        elif len(rows) > 1:
            names = ", ".join(r["name"] for r in rows)
            raise InvalidValue(f"{clean!r} matches more than one campaign: {names}", field)
        else:
            raise NotFound(f"no campaign named {clean!r} (see `tongwei campaign list`)", field)
    return _record(row)


def list_campaigns(db: Database, *, covering: date | None = None) -> list[dict[str, Any]]:
    """Every campaign (or those covering a day), latest start first."""
    if covering is None:
        rows = db.query(f"SELECT {COLUMNS} FROM campaigns ORDER BY first_day DESC, name")
    else:
        day = covering.isoformat()
        rows = db.query(f"SELECT {COLUMNS} FROM campaigns WHERE first_day <= ? AND"
                        " last_day >= ? ORDER BY first_day DESC, name", (day, day))
    return [_record(r) for r in rows]


def campaign_covering(db: Database, day: date) -> dict[str, Any] | None:
    """The campaign a day falls in; of overlapping ones, the one that started last (the
    most specific), then the one ending first. None when no campaign covers the day."""
    day_text = day.isoformat()
    row = db.one(f"SELECT {COLUMNS} FROM campaigns WHERE first_day <= ? AND last_day >= ?"
                 " ORDER BY first_day DESC, last_day, name LIMIT 1", (day_text, day_text))
    return None if row is None else _record(row)
