"""Campaigns: named periods (专项行动) that reports sum over. They may overlap.

Reports use `get_campaign(db, name)` (a named campaign, or `NotFound`) and
`campaign_covering(db, day)` (the campaign a day falls in, if any).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
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
    clean = validate.required_text(name, "NAME")
    if len(clean) > 100:
        raise InvalidValue("is longer than 100 characters", "NAME")
    start = validate.date_value(first, "from", db.tz, allow_future=True)
    end = validate.date_value(last, "to", db.tz, allow_future=True)
    if end < start:
        raise InvalidValue(f"{end} is before the start {start}", "to")
    with db.write():
        if db.one("SELECT 1 FROM campaigns WHERE name = ?", (clean,)):
            raise Conflict(f"a campaign named {clean!r} already exists", "NAME")
        db.conn.execute(
            "INSERT INTO campaigns (name, first_day, last_day, note, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (clean, start.isoformat(), end.isoformat(), validate.optional_text(note),
             clock.stamp(), db.officer))
        record = get_campaign(db, clean)
        # `name` would be masked as a person's name in the log; a campaign's is not personal.
        db.audit("add", "campaign", clean, None,
                 {("campaign" if k == "name" else k): v for k, v in record.items()})
    return record


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
