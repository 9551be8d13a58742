"""Time: stored in UTC, days counted in the county's zone (TONGWEI_TZ)."""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
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


def parse_stamp(value: str | int) -> datetime:
    """A stored moment -- `YYYY-MM-DDTHH:MM:SSZ` text, or whole UTC seconds (warnings and
    follow-ups, migration 005) -- as an aware UTC datetime."""
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":
        try:  # the stored form: about ten times faster than strptime (a list's every row)
            return datetime.fromisoformat(value[:19]).replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.strptime(value, UTC_FORMAT).replace(tzinfo=UTC)


def seconds(moment: datetime | None = None) -> int:
    """A moment as stored in warnings and follow-ups: whole seconds since 1970 UTC."""
    if moment is None:
        return now_seconds()
    return int(moment.timestamp())


def text_of(value: str | int | None) -> str | None:
    """A stored moment as the text records show, export and log: `2026-11-29T02:30:00Z`."""
    if value is None or isinstance(value, str):
        return value
    return _time.strftime(UTC_FORMAT, _time.gmtime(value))


def texts_of(values: Sequence[str | int | None]) -> list[str | None]:
    """`[text_of(v) for v in values]`, for a column of thousands (a list): each day's date
    and each time of day written once, not once a moment."""
    kinds = set(map(type, values))
    if kinds == {type(None)}:  # (a moment not yet come: a feedback, a visit)
        return list(values)
    if kinds == {int, type(None)}:  # (those of some rows only: each of the others None)
        texts = iter(texts_of([v for v in values if v is not None]))
        return [None if v is None else next(texts) for v in values]
    if kinds == {int} and 0 <= min(values) and max(values) < _YEAR_10000:
        from itertools import repeat
        from operator import floordiv, mod

        day_list = list(map(floordiv, values, repeat(86400)))
        rest_list = list(map(mod, values, repeat(86400)))
        for d in set(day_list).difference(_DATES):
            _DATES[d] = text_of(d * 86400)[:11]
        for r in set(rest_list).difference(_TIMES):
            _TIMES[r] = f"{r // 3600:02d}:{r % 3600 // 60:02d}:{r % 60:02d}Z"
        # (a C-level map a step: no Python work a moment)
        return list(map(str.__add__, map(_DATES.__getitem__, day_list),
                        map(_TIMES.__getitem__, rest_list)))
    days = {}
    clock_times = {}
    out: list[str | None] = []
    for value in values:
        if type(value) is not int or not 0 <= value < _YEAR_10000:
            out.append(text_of(value))
            continue
        day, rest = divmod(value, 86400)
        date_text = days.get(day)
        if date_text is None:
            date_text = days[day] = text_of(day * 86400)[:11]
        time_text = clock_times.get(rest)
        if time_text is None:
            time_text = clock_times[rest] = \
                f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}Z"
        out.append(date_text + time_text)
    return out


_YEAR_10000 = 253402300800  # 10000-01-01T00:00:00Z: `text_of` writes years of four digits
# What `texts_of` has written (a list's columns share most of their days and times):
# a day since 1970 -> `2026-11-29T`, a second of the day -> `02:30:00Z`.
_DATES: dict[int, str] = {}
_TIMES: dict[int, str] = {}


def texts(record: dict, keys: tuple[str, ...]) -> dict:
    """`record` with the moments under `keys` (where present) as text (`text_of`)."""
    for key in keys:
        if key in record:
            record[key] = text_of(record[key])
    return record


def today(tz: ZoneInfo) -> date:
    return now_utc().astimezone(tz).date()


def _day_span(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Local midnight of `first` and of the day after `last`."""
    return (datetime.combine(first, time.min, tzinfo=tz),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz))


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[str, str]:
    """UTC stamps of `[start of first, start of the day after last)` in local time."""
    start, end = _day_span(first, last, tz)
    return stamp(start), stamp(end)


def day_seconds(first: date, last: date, tz: ZoneInfo) -> tuple[int, int]:
    """`day_bounds` as whole UTC seconds (warnings and follow-ups)."""
    start, end = _day_span(first, last, tz)
    return int(start.timestamp()), int(end.timestamp())


def local(value: str | int, tz: ZoneInfo) -> datetime:
    """A stored UTC stamp as a local datetime."""
    return parse_stamp(value).astimezone(tz)


def offset_text(delta: timedelta) -> str:
    """A UTC offset as people write it after a time: `-04:00`, `+05:45`."""
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_text(value: str | int | None, tz: ZoneInfo) -> str:
    """A stored UTC stamp as `YYYY-MM-DD HH:MM` local time, for people. In the hour a zone
    shows twice (the clocks went back) the offset follows -- `2026-11-01 01:30-05:00` -- as
    it must when the time is typed back (`validate.datetime_value`)."""
    if value is None or value == "":
        return ""
    moment = local(value, tz)
    shown = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.utcoffset()
    if moment.replace(fold=1 - moment.fold).utcoffset() != offset:
        shown += offset_text(offset)
    return shown
