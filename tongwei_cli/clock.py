"""Time: stored in UTC, days counted in the county's zone (TONGWEI_TZ)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamp(moment: datetime | None = None) -> str:
    """A UTC timestamp as stored: `2026-11-29T02:30:00Z`."""
    return (moment or now_utc()).astimezone(UTC).strftime(UTC_FORMAT)


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
