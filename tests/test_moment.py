"""`validate.moment`: `datetime_value` as whole UTC seconds, with a short cut for the usual
cell. Whatever the input and the zone -- DST gaps and overlaps included -- both give the same
instant or refuse with the same message on the same field."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Zones with awkward changes: half an hour (Lord Howe), at midnight (Havana, Santiago).
ZONES = [SHANGHAI, BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"),
         ZoneInfo("America/Havana"), ZoneInfo("America/Santiago")]
# The clock stands still in these tests: `2025-06-01 12:00` in Shanghai.
NOW = int(datetime(2025, 6, 1, 4, 0, tzinfo=UTC).timestamp())
# Days a change of offset falls on, and their neighbours.
CHANGE_DAYS = [date(2024, 3, 31), date(2024, 10, 27), date(2024, 3, 10), date(2024, 11, 3),
               date(2024, 4, 7), date(2024, 10, 6), date(2024, 9, 8), date(2024, 3, 10),
               date(2024, 11, 3), date(1991, 4, 14), date(1991, 9, 15), date(1900, 1, 1),
               date(1901, 1, 1), date(1940, 6, 1), date(2025, 6, 1), date(2025, 6, 2)]


@contextmanager
def frozen_clock():
    with mock.patch.object(clock, "now_seconds", return_value=NOW), \
            mock.patch.object(clock, "now_utc",
                              return_value=datetime.fromtimestamp(NOW, UTC)):
        yield


def outcome(parse, value, tz, allow_future):
    try:
        result = parse(value, "received", tz, allow_future=allow_future)
    except InvalidValue as exc:
        return ("refused", exc.reason, exc.field)
    return ("ok", result if isinstance(result, int) else int(result.timestamp()))


def same(value, tz, allow_future=False):
    with frozen_clock():
        ours = outcome(validate.moment, value, tz, allow_future)
        theirs = outcome(validate.datetime_value, value, tz, allow_future)
    assert ours == theirs, value
    if ours[0] == "ok":
        assert type(ours[1]) is int
    return ours


days = st.one_of(st.dates(min_value=date(1880, 1, 1), max_value=date(2100, 12, 31)),
                 st.sampled_from(CHANGE_DAYS),
                 st.builds(lambda d, n: d + timedelta(days=n), st.sampled_from(CHANGE_DAYS),
                           st.integers(-2, 2)))
hours = st.one_of(st.integers(0, 23), st.integers(0, 99))
minutes = st.one_of(st.integers(0, 59), st.integers(0, 99))


@st.composite
def written(draw):
    """A date and time as files and officers write it, now and then impossible."""
    day = draw(days)
    year, month, mday = day.year, day.month, day.day
    if draw(st.integers(0, 9)) == 0:  # an impossible day: 2023-02-30, month 13
        month, mday = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    h, m = draw(hours), draw(minutes)
    shape = draw(st.sampled_from([
        "{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}", "{y:04d}/{mo:02d}/{d:02d} {h:02d}:{mi:02d}",
        "{y:04d}/{mo}/{d} {h}:{mi:02d}", "{y:04d}.{mo}.{d} {h}:{mi}",
        "{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}",
        "{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}",
        "{y:04d}年{mo}月{d}日 {h}时{mi}分", " {y:04d}/{mo:02d}/{d:02d} {h:02d}:{mi:02d} ",
        "{y:04d}-{mo:02d}-{d:02d}  {h:02d}:{mi:02d}", "{y:04d}-{mo:02d}/{d:02d} {h:02d}：{mi:02d}",
        "{y:04d}-{mo:02d}-{d:02d}", "{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}.5",
    ]))
    text = shape.format(y=year, mo=month, d=mday, h=h, mi=m, s=draw(st.integers(0, 59)))
    if draw(st.integers(0, 9)) == 0:  # full-width digits, as some keyboards type them
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return text


near_now = st.integers(-180, 180).map(
    lambda n: datetime.fromtimestamp(NOW + 60 * n, SHANGHAI).strftime("%Y-%m-%d %H:%M"))
cells = st.one_of(
    st.datetimes(min_value=datetime(1880, 1, 1), max_value=datetime(2100, 12, 31)),
    st.builds(lambda d, h, m, s, us: datetime(d.year, d.month, d.day, h, m, s, us),
              st.sampled_from(CHANGE_DAYS), st.integers(0, 23), st.integers(0, 59),
              st.integers(0, 59), st.sampled_from([0, 0, 500_000])),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 12, 31),
                 timezones=st.sampled_from([UTC, *ZONES])),
    st.dates(),
)
anything = st.one_of(st.text(max_size=24), st.integers(), st.floats(), st.none(), st.booleans(),
                     st.sampled_from(["now", "现在", "NOW", "", "  ", "2025/1/1 10:15",
                                      "2025/1/1 9:5", "2025-01-01 24:00", "2025-01-01 10:60"]))


@pytest.mark.slow
@settings(max_examples=400)
@given(st.one_of(written(), near_now, cells, anything), st.sampled_from(ZONES), st.booleans())
@example("2024-03-31 02:30", BERLIN, False)  # in the gap: refused
@example("2024-10-27 02:30", BERLIN, False)  # in the overlap: refused, asking for the offset
@example("2024-10-27 02:30+01:00", BERLIN, False)  # the second of the two
@example("2024-03-10 02:30", NEW_YORK, False)
@example("2024-11-03 01:30", NEW_YORK, False)
@example(datetime(2024, 10, 27, 2, 30), BERLIN, False)
@example("1900-01-01 00:00", SHANGHAI, False)  # local mean time, +08:05:43
@example("1899-12-31 23:59", SHANGHAI, False)
def test_moment_is_datetime_value_in_seconds(value, tz, allow_future):
    same(value, tz, allow_future)


@pytest.mark.parametrize("tz", [SHANGHAI, BERLIN, NEW_YORK])
@given(st.sampled_from(CHANGE_DAYS), st.integers(0, 23), st.integers(0, 59))
def test_every_minute_of_a_change_day(tz, day, hour, minute):
    same(f"{day:%Y-%m-%d} {hour:02d}:{minute:02d}", tz)
    same(datetime(day.year, day.month, day.day, hour, minute), tz)


# -- midnight and the other edges ---------------------------------------------------

def seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


@pytest.mark.parametrize(("value", "utc"), [
    ("2025-01-01 00:00", "2024-12-31T16:00:00+00:00"),
    ("2025/01/01 00:00", "2024-12-31T16:00:00+00:00"),
    ("2025/1/1 0:00", "2024-12-31T16:00:00+00:00"),
    ("2024-12-31 23:59", "2024-12-31T15:59:00+00:00"),
    ("2025-01-01 08:00", "2025-01-01T00:00:00+00:00"),
    ("2024/2/29 23:59", "2024-02-29T15:59:00+00:00"),
    ("2023/8/1 10:15", "2023-08-01T02:15:00+00:00"),
    (datetime(2025, 1, 1), "2024-12-31T16:00:00+00:00"),
    (datetime(2024, 12, 31, 23, 59, 59, 999_999), "2024-12-31T15:59:59+00:00"),
])
def test_midnight_in_shanghai(value, utc):
    assert same(value, SHANGHAI) == ("ok", seconds(utc))


@pytest.mark.parametrize(("value", "utc"), [
    ("2024-03-31 00:00", "2024-03-30T23:00:00+00:00"),  # the day the clocks go forward
    ("2024-03-31 02:30+01:00", "2024-03-31T01:30:00+00:00"),  # no such wall time: an offset
    ("2024-03-31 03:00", "2024-03-31T01:00:00+00:00"),
    ("2024-03-31 23:59", "2024-03-31T21:59:00+00:00"),
    ("2024-04-01 00:00", "2024-03-31T22:00:00+00:00"),  # the first whole summer day
    ("2024-10-27 00:00", "2024-10-26T22:00:00+00:00"),  # the day they go back
    ("2024-10-27 02:30+02:00", "2024-10-27T00:30:00+00:00"),  # twice that day: the first
    ("2024-10-27 02:30+01:00", "2024-10-27T01:30:00+00:00"),  # and the second
    ("2024-10-27 23:59", "2024-10-27T22:59:00+00:00"),
    ("2024-10-28 00:00", "2024-10-27T23:00:00+00:00"),
])
def test_midnight_and_changes_in_berlin(value, utc):
    assert same(value, BERLIN) == ("ok", seconds(utc))


@pytest.mark.parametrize(("value", "reason"), [
    ("2024-03-31 02:30", "2024-03-31 02:30 does not exist in Europe/Berlin"
                         " (the clocks went forward)"),
    (datetime(2024, 3, 31, 2, 30), "2024-03-31 02:30 does not exist in Europe/Berlin"
                                   " (the clocks went forward)"),
    ("2024-10-27 02:30", "2024-10-27 02:30 happened twice in Europe/Berlin: give the offset,"
                         " 2024-10-27 02:30+02:00 or 2024-10-27 02:30+01:00"),
])
def test_a_wall_time_berlin_skipped_or_showed_twice_is_refused(value, reason):
    assert same(value, BERLIN) == ("refused", reason, "received")


@pytest.mark.parametrize(("value", "reason"), [
    ("2023-02-29 10:00", "'2023-02-29 10:00' is not a real date and time"),
    ("2025-01-01 24:00", "'2025-01-01 24:00' is not a real date and time"),
    ("2025-01-01 10:60", "'2025-01-01 10:60' is not a real date and time"),
    ("2025/13/1 10:00", "'2025/13/1 10:00' is not a real date and time"),
    ("1899-12-31 23:59", "1899-12-31 is too far in the past"),
    ("2025-06-01 12:02", "2025-06-01 12:02 is in the future"),
    ("2025-06-01", "'2025-06-01' needs a time (YYYY-MM-DD HH:MM)"),
    ("", "is required"),
    (None, "is required"),
    (date(2025, 1, 1), "2025-01-01 needs a time (YYYY-MM-DD HH:MM)"),
    ("yesterday 10:00", "'yesterday 10:00' is not a date and time (YYYY-MM-DD HH:MM)"),
])
def test_refusals_are_those_of_datetime_value(value, reason):
    assert same(value, SHANGHAI) == ("refused", reason, "received")


def test_the_future_starts_a_minute_from_now():
    assert same("2025-06-01 12:01", SHANGHAI) == ("ok", NOW + 60)  # within the minute's grace
    assert same("2025-06-01 12:02", SHANGHAI)[0] == "refused"
    assert same("2025-06-01 12:02", SHANGHAI, allow_future=True) == ("ok", NOW + 120)
    assert same(datetime(2025, 6, 1, 12, 1, 1), SHANGHAI)[0] == "refused"
    assert same("2099-01-01 00:00", SHANGHAI, allow_future=True)[0] == "ok"


def test_now_is_this_minute():
    with frozen_clock():
        assert validate.moment("now", "received", SHANGHAI) == NOW
        assert validate.moment("现在", "received", SHANGHAI) == NOW


def test_a_day_is_remembered_once_read():
    with frozen_clock():
        first = validate.moment("2021/3/4 10:15", "received", BERLIN)
        assert validate._DAY_STARTS[BERLIN]["2021/3/4"] == first - 10 * 3600 - 15 * 60
        # the same day is served from memory, a day with a change is not
        validate.moment("2024-03-31 12:00", "received", BERLIN)
        assert validate._DAY_STARTS[BERLIN]["2024-03-31"] is None
