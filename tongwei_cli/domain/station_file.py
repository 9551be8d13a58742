"""A station's own file (`tongwei init --station S`): which station it is.

The station is set once, in the file's `file_station` row (migration 011); from then on the
numbers the file gives carry the station's code (`records.assign_numbers`), so that the
county can merge the files of every station (`tongwei merge`) without two numbers meeting.
"""

from __future__ import annotations

from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import Conflict
from tongwei_cli.domain.reference import refs
from tongwei_cli.storage.db import Database


def station_of(db: Database) -> str | None:
    """The station whose file this is (its code), or None for the county's (or any) file."""
    return db.scalar("SELECT station FROM file_station WHERE id = 1")


def set_station(db: Database, value: Any) -> tuple[str, bool]:
    """Make this file station `value`'s own (code, English or Chinese name, or a unique
    prefix, as every --station). Returns the code and whether it was set now (False: it
    already was this station's). Another station's file is refused: its numbers already
    carry that station's code."""
    code = refs(db).resolve("stations", value, "station")
    with db.write():
        current = station_of(db)
        if current == code:
            return code, False
        if current is not None:
            raise Conflict(f"this file is already station {current}'s: its numbers carry "
                           "that station's code", "station")
        db.conn.execute("INSERT INTO file_station (id, station, set_at, set_by)"
                        " VALUES (1, ?, ?, ?)", (code, clock.stamp(), db.officer))
        db.audit("set-station", "database", code, None, {"station": code})
    db.memo.pop("station_tag", None)
    return code, True
