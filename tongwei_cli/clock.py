"""Time: stored in UTC, days counted in the county's zone (TONGWEI_TZ)."""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def now_seconds() -> int:
    """`now_utc().timestamp()`, without making a datetime: whole seconds since the epoch."""
    return int(_time.time())


def stamp(moment: datetime | None = None) -> str:
    """A UTC timestamp as stored: `2026-11-29T02:30:00Z`.

    Called for every row of an import (received, deadline…), so it avoids `strftime`:
    `isoformat` is the same text for years 1000–9999 (earlier years never get here:
    dates before 1900 are refused) and about twice as fast."""
    utc = (moment or now_utc()).astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime(UTC_FORMAT)
    return utc.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_stamp(value: str) -> datetime:
    return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=UTC)


def today(tz: ZoneInfo) -> date:
    return now_utc().astimezone(tz).date()


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[str, str]:
    """UTC stamps of `[start of first, start of the day after last)` in local time."""
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return stamp(start), stamp(end)


def local(value: str, tz: ZoneInfo) -> datetime:
    """A stored UTC stamp as a local datetime."""
    return parse_stamp(value).astimezone(tz)


def local_text(value: str | None, tz: ZoneInfo) -> str:
    """A stored UTC stamp as `YYYY-MM-DD HH:MM` local time, for people."""
    if not value:
        return ""
    return local(value, tz).strftime("%Y-%m-%d %H:%M")
