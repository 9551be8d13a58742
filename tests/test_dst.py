"""Local times the clocks skipped or showed twice.

In a zone with summer time, `2026-03-08 02:30` never happened in New York (02:00 became
03:00) and `2026-11-01 01:30` happened twice (02:00 became 01:00 again). Both are refused,
the second asking for the offset, which is then accepted: `2026-11-01 01:30-05:00`. Zones
without summer time (the county's own, Asia/Shanghai since 1991) take every wall time as
before, and whole days stay right on the days of 23 and 25 hours."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

SKIPPED = {  # zone -> a wall time the clocks went forward over, in 2026
    "America/New_York": "2026-03-08 02:30",
    "Europe/London": "2026-03-29 01:30",
}
TWICE = {  # zone -> (a wall time shown twice, its first offset, its second offset)
    "America/New_York": ("2026-11-01 01:30", "-04:00", "-05:00"),
    "Europe/London": ("2026-10-25 01:30", "+01:00", "+00:00"),
}


def zone(monkeypatch, name: str) -> None:
    monkeypatch.setenv("TONGWEI_TZ", name)


def add_warning(run, no: str, received: str, *extra: str, ok: bool = True):
    return run("warning", "add", "--no", no, "--received", received, "--level", "low",
               "--station", "平襄", "--phone", "13800000001", *extra, ok=ok)


def stored(run, no: str) -> dict:
    return json.loads(run("warning", "show", no, "--format", "json").stdout)


def count_warnings(run) -> int:
    return len(json.loads(run("warning", "list", "--format", "json").stdout))


def utc(text: str) -> str:
    """`2026-11-01 05:30` (UTC) as stored records show it."""
    return datetime.fromisoformat(text).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- through the command -------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_a_time_the_clocks_skipped_is_refused_and_nothing_written(run, monkeypatch, name):
    zone(monkeypatch, name)
    run("init")
    result = add_warning(run, "YJ1", SKIPPED[name], ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: --received: {SKIPPED[name]} does not exist in {name} "
                             "(the clocks went forward)\n")
    assert count_warnings(run) == 0


@pytest.mark.parametrize("name", sorted(TWICE))
def test_a_time_shown_twice_asks_for_the_offset_and_takes_either(run, monkeypatch, name):
    zone(monkeypatch, name)
    wall, first, second = TWICE[name]
    result = add_warning(run, "YJ1", wall, ok=False)
    assert result.exit_code == 1
    assert result.stderr == (f"error: --received: {wall} happened twice in {name}: give the "
                             f"offset, {wall}{first} or {wall}{second}\n")
    assert count_warnings(run) == 0
    add_warning(run, "YJ1", wall + first)
    add_warning(run, "YJ2", wall + second)
    one, two = stored(run, "YJ1"), stored(run, "YJ2")
    # The two readings are an hour apart, in that order.
    assert (clock.parse_stamp(two["received_at"]) - clock.parse_stamp(one["received_at"])
            == timedelta(hours=1))
    # Shown as typed: the table names which of the two it was.
    table = run("warning", "show", "YJ2").stdout
    assert f"{wall}{second}" in table


def test_new_york_instants_are_stored_exactly(run, monkeypatch):
    zone(monkeypatch, "America/New_York")
    add_warning(run, "YJ1", "2026-11-01 01:30-04:00")
    add_warning(run, "YJ2", "2026-11-01T01:30-0500")
    add_warning(run, "YJ3", "2026-11-01 06:45Z")
    add_warning(run, "YJ4", "2026-03-08 03:30")  # the first minute after the gap, and more
    add_warning(run, "YJ5", "2026-03-08 01:59")  # the last minute before it
    assert stored(run, "YJ1")["received_at"] == utc("2026-11-01 05:30")
    assert stored(run, "YJ2")["received_at"] == utc("2026-11-01 06:30")
    assert stored(run, "YJ3")["received_at"] == utc("2026-11-01 06:45")
    assert stored(run, "YJ4")["received_at"] == utc("2026-03-08 07:30")
    assert stored(run, "YJ5")["received_at"] == utc("2026-03-08 06:59")


def test_followup_at_a_time_shown_twice_needs_the_offset(run, monkeypatch):
    zone(monkeypatch, "America/New_York")
    add_warning(run, "YJ1", "2026-11-01 00:50")
    refused = run("warning", "followup", "YJ1", "--at", "2026-11-01 01:20", "--method",
                  "phone", "--outcome", "dissuaded", ok=False)
    assert refused.exit_code == 1
    assert refused.stderr == ("error: --at: 2026-11-01 01:20 happened twice in America/"
                              "New_York: give the offset, 2026-11-01 01:20-04:00 or "
                              "2026-11-01 01:20-05:00\n")
    skipped = run("warning", "followup", "YJ1", "--at", "2026-03-08 02:00", "--method",
                  "phone", "--outcome", "dissuaded", ok=False)
    assert skipped.stderr.startswith("error: --at: 2026-03-08 02:00 does not exist in")
    assert stored(run, "YJ1")["feedback_at"] is None  # nothing written
    # The second 01:20, an hour and a half after the warning (00:50 is before the change).
    run("warning", "followup", "YJ1", "--at", "2026-11-01 01:20-05:00", "--method", "phone",
        "--outcome", "dissuaded")
    record = stored(run, "YJ1")
    assert record["received_at"] == utc("2026-11-01 04:50")
    assert record["feedback_at"] == utc("2026-11-01 06:20")


def test_shanghai_takes_every_time_new_york_refuses(run, monkeypatch):
    """The county's zone has no summer time today: nothing changes for it."""
    zone(monkeypatch, "Asia/Shanghai")
    add_warning(run, "YJ1", "2026-03-08 02:30")
    add_warning(run, "YJ2", "2026-11-01 01:30")
    run("warning", "followup", "YJ2", "--at", "2026-11-01 01:45", "--method", "phone",
        "--outcome", "dissuaded")
    assert stored(run, "YJ1")["received_at"] == utc("2026-03-07 18:30")
    record = stored(run, "YJ2")
    assert record["received_at"] == utc("2026-10-31 17:30")
    assert record["feedback_at"] == utc("2026-10-31 17:45")
    assert "2026-11-01 01:30" in run("warning", "show", "YJ2").stdout
    assert "01:30+08:00" not in run("warning", "show", "YJ2").stdout


def test_shanghai_summer_time_of_1991_is_refused_too():
    """China kept summer time 1986-1991: an old record's impossible time is refused."""
    with pytest.raises(InvalidValue) as refused:
        validate.moment("1991-04-14 02:30", "received", SHANGHAI)
    assert refused.value.reason == ("1991-04-14 02:30 does not exist in Asia/Shanghai "
                                    "(the clocks went forward)")
    with pytest.raises(InvalidValue, match="happened twice in Asia/Shanghai"):
        validate.moment("1991-09-15 01:30", "received", SHANGHAI)
    assert validate.moment("1991-09-15 01:30+09:00", "received", SHANGHAI) == int(
        datetime(1991, 9, 14, 16, 30, tzinfo=UTC).timestamp())


# -- through an import ---------------------------------------------------------------

def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "received", "level", "station", "phone"])
        writer.writerows([[no, when, "low", "pingxiang", "13800000001"] for no, when in rows])
    return path


def test_import_names_every_impossible_row_and_writes_nothing(run, monkeypatch, tmp_path):
    zone(monkeypatch, "America/New_York")
    path = write_csv(tmp_path / "w.csv", [
        ("A1", "2026-03-08 01:59"), ("A2", "2026-03-08 02:30"), ("A3", "2026/11/1 1:30"),
        ("A4", "2026-11-01 01:30-05:00"), ("A5", "2026-11-01 02:30")])
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    assert ("line 3: received: 2026-03-08 02:30 does not exist in America/New_York "
            "(the clocks went forward)") in result.stderr
    assert ("line 4: received: 2026-11-01 01:30 happened twice in America/New_York: give the "
            "offset, 2026-11-01 01:30-04:00 or 2026-11-01 01:30-05:00") in result.stderr
    assert "line 2" not in result.stderr and "line 5" not in result.stderr
    assert count_warnings(run) == 0
    # Corrected (the offset given, the skipped time fixed): every row goes in, exactly.
    write_csv(path, [("A1", "2026-03-08 01:59"), ("A2", "2026-03-08 03:30"),
                     ("A3", "2026/11/1 1:30-04:00"), ("A4", "2026-11-01 01:30-05:00"),
                     ("A5", "2026-11-01 02:30")])
    run("import", "warnings", path)
    got = {w["no"]: w["received_at"] for w in
           json.loads(run("warning", "list", "--format", "json").stdout)}
    assert got == {"A1": utc("2026-03-08 06:59"), "A2": utc("2026-03-08 07:30"),
                   "A3": utc("2026-11-01 05:30"), "A4": utc("2026-11-01 06:30"),
                   "A5": utc("2026-11-01 07:30")}


def test_import_of_spreadsheet_cells_in_the_gap_is_refused(run, monkeypatch, tmp_path):
    """An XLSX datetime cell is a wall time as well."""
    from openpyxl import Workbook

    zone(monkeypatch, "Europe/London")
    book = Workbook()
    sheet = book.active
    sheet.append(["no", "received", "level", "station", "phone"])
    sheet.append(["B1", datetime(2026, 3, 29, 1, 15), "low", "pingxiang", "13800000001"])
    sheet.append(["B2", datetime(2026, 3, 29, 2, 15), "low", "pingxiang", "13800000001"])
    book.save(tmp_path / "w.xlsx")
    result = run("import", "warnings", tmp_path / "w.xlsx", ok=False)
    assert result.exit_code == 1
    assert ("row 2: received: 2026-03-29 01:15 does not exist in Europe/London "
            "(the clocks went forward)") in result.stderr
    assert "row 3" not in result.stderr
    assert count_warnings(run) == 0


# -- whole days on the days the clocks change ----------------------------------------

@pytest.mark.parametrize(("tz", "day", "hours"), [
    (NEW_YORK, date(2026, 3, 8), 23), (NEW_YORK, date(2026, 11, 1), 25),
    (NEW_YORK, date(2026, 3, 9), 24),
    (LONDON, date(2026, 3, 29), 23), (LONDON, date(2026, 10, 25), 25),
    (SHANGHAI, date(2026, 3, 8), 24), (SHANGHAI, date(1991, 4, 14), 23),
    # Where the change is at midnight: the day starts at its first instant.
    (ZoneInfo("America/Havana"), date(2024, 3, 10), 23),
    (ZoneInfo("America/Havana"), date(2024, 11, 3), 25),
    (ZoneInfo("America/Santiago"), date(2024, 9, 8), 23),
    (ZoneInfo("America/Santiago"), date(2024, 4, 6), 25),
])
def test_a_day_is_all_of_its_hours(tz, day, hours):
    start, end = clock.day_seconds(day, day, tz)
    assert end - start == hours * 3600
    assert clock.day_bounds(day, day, tz) == (clock.text_of(start), clock.text_of(end))

    def local_day(moment: int) -> date:
        return datetime.fromtimestamp(moment, UTC).astimezone(tz).date()

    assert local_day(start) == day and local_day(start - 1) == day - timedelta(days=1)
    assert local_day(end - 1) == day and local_day(end) == day + timedelta(days=1)


def test_list_and_report_of_a_25_hour_day(run, monkeypatch):
    zone(monkeypatch, "America/New_York")
    for no, when in [("D0", "2026-10-31 23:59"), ("D1", "2026-11-01 00:00"),
                     ("D2", "2026-11-01 01:30-04:00"), ("D3", "2026-11-01 01:30-05:00"),
                     ("D4", "2026-11-01 23:59"), ("D5", "2026-11-02 00:00")]:
        add_warning(run, no, when)
    listed = json.loads(run("warning", "list", "--from", "2026-11-01", "--to", "2026-11-01",
                            "--format", "json").stdout)
    assert sorted(w["no"] for w in listed) == ["D1", "D2", "D3", "D4"]
    report = json.loads(run("report", "daily", "--date", "2026-11-01", "--format",
                            "json").stdout)
    assert report["warnings"]["received"] == 4


def test_list_of_a_23_hour_day(run, monkeypatch):
    zone(monkeypatch, "Europe/London")
    for no, when in [("D0", "2026-03-28 23:59"), ("D1", "2026-03-29 00:00"),
                     ("D2", "2026-03-29 00:59"), ("D3", "2026-03-29 02:00"),
                     ("D4", "2026-03-29 23:59"), ("D5", "2026-03-30 00:00")]:
        add_warning(run, no, when)
    listed = json.loads(run("warning", "list", "--from", "2026-03-29", "--to", "2026-03-29",
                            "--format", "json").stdout)
    assert sorted(w["no"] for w in listed) == ["D1", "D2", "D3", "D4"]


# -- validate.moment -----------------------------------------------------------------

NOW = int(datetime(2026, 12, 1, 4, 0, tzinfo=UTC).timestamp())
# Zones that have kept one offset all year since before 1992 (Shanghai's last summer time
# was 1991); and those that change twice a year.
STEADY = [SHANGHAI, ZoneInfo("Asia/Tokyo"), ZoneInfo("Asia/Kolkata"), ZoneInfo("UTC"),
          ZoneInfo("Asia/Kathmandu")]
CHANGING = [NEW_YORK, LONDON, ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Lord_Howe"),
            ZoneInfo("America/Santiago"), ZoneInfo("America/Havana")]
instants = st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2026, 11, 30),
                        timezones=st.just(UTC))


def moment(value, tz):
    with mock.patch.object(clock, "now_seconds", return_value=NOW):
        return validate.moment(value, "received", tz)


@pytest.mark.slow  # (its twin in tests/test_quick_twins.py runs in the quick loop)
@settings(max_examples=300)
@given(instants, st.sampled_from(STEADY), st.sampled_from(["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                                                           "%Y-%m-%d %H:%M:%S"]))
def test_wall_times_of_steady_zones_round_trip(instant, tz, shape):
    wall = instant.astimezone(tz)
    exact = wall if "%S" in shape else wall.replace(second=0)
    assert moment(wall.strftime(shape), tz) == int(exact.replace(microsecond=0).timestamp())
    naive = exact.replace(tzinfo=None, microsecond=0)
    assert moment(naive, tz) == int(exact.replace(microsecond=0).timestamp())


@pytest.mark.slow  # (its twin in tests/test_quick_twins.py runs in the quick loop)
@settings(max_examples=300)
@given(instants, st.sampled_from(STEADY + CHANGING), st.sampled_from([" ", "T", "t"]),
       st.sampled_from(["{sign}{h:02d}:{m:02d}", "{sign}{h:02d}{m:02d}",
                        " {sign}{h:02d}:{m:02d}"]))
def test_a_time_with_its_offset_is_that_instant_in_any_zone(instant, tz, sep, shape):
    wall = instant.astimezone(tz).replace(second=0, microsecond=0)
    minutes = int(wall.utcoffset().total_seconds()) // 60
    offset = shape.format(sign="-" if minutes < 0 else "+", h=abs(minutes) // 60,
                          m=abs(minutes) % 60)
    assert moment(wall.strftime(f"%Y-%m-%d{sep}%H:%M") + offset, tz) == int(wall.timestamp())
    assert moment(wall.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ"), tz) == int(
        wall.timestamp())


# The days the clocks of CHANGING zones changed (or did not), and the days next to them.
CHANGE_DAYS = [date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29), date(2026, 10, 25),
               date(2024, 3, 31), date(2024, 10, 27), date(2024, 4, 7), date(2024, 10, 6),
               date(2024, 9, 8), date(2024, 4, 6), date(2024, 3, 10), date(2024, 11, 3),
               date(2026, 3, 9), date(2026, 10, 31)]
walls = st.one_of(
    st.builds(lambda day, minute: datetime.combine(day, datetime.min.time())
              + timedelta(minutes=minute), st.sampled_from(CHANGE_DAYS), st.integers(0, 1439)),
    instants.map(lambda instant: instant.replace(tzinfo=None)))


@pytest.mark.slow  # (its twin in tests/test_quick_twins.py runs in the quick loop)
@settings(max_examples=400)
@given(walls, st.sampled_from(CHANGING))
def test_a_wall_time_is_refused_or_is_what_it_says(wall, tz):
    """Near a change or not: a wall time is either refused (with one of the two reasons) or
    read as the one instant at which the zone's clocks showed it."""
    text = wall.strftime("%Y-%m-%d %H:%M")
    try:
        seconds = moment(text, tz)
    except InvalidValue as refused:
        assert (" does not exist in " in refused.reason
                or " happened twice in " in refused.reason), refused.reason
        local = wall.replace(tzinfo=tz, fold=0)  # (a wall drawn from an instant may carry fold=1)
        assert local.utcoffset() != local.replace(fold=1).utcoffset()
        return
    back = datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    assert back.strftime("%Y-%m-%d %H:%M") == text
    # …and no other instant shows that wall time
    assert back.replace(fold=1 - back.fold).utcoffset() == back.utcoffset()


@pytest.mark.parametrize(("value", "reason"), [
    ("2026-11-01 01:30+15:00", "'2026-11-01 01:30+15:00' has an offset no zone has "
                               "(more than 14 hours from UTC)"),
    ("2026-11-01 01:30+08:60", "'2026-11-01 01:30+08:60' has an offset no zone has "
                               "(more than 14 hours from UTC)"),
    ("2026-11-01+08:00", "'2026-11-01+08:00' is not a date and time (YYYY-MM-DD HH:MM)"),
    ("2026-12-01 20:00+08:00", "2026-12-01 07:00 is in the future"),
])
def test_offsets_that_cannot_be(value, reason):
    with pytest.raises(InvalidValue) as refused:
        moment(value, NEW_YORK)
    assert refused.value.reason == reason


def test_a_steady_day_never_takes_the_careful_path():
    """Shanghai's days are read once (one offset all day, remembered); the careful look at
    fold=1 is taken only on a day whose offset changes."""
    calls = []
    real = validate._day_start

    def counting(tz, day):
        calls.append(day)
        return real(tz, day)

    validate._DAY_STARTS.pop(SHANGHAI, None)
    with mock.patch.object(validate, "_day_start", counting):
        for minute in range(0, 600, 7):
            moment(f"2025-03-04 {minute // 60:02d}:{minute % 60:02d}", SHANGHAI)
            validate.datetime_value(f"2025-03-04 {minute // 60:02d}:{minute % 60:02d}",
                                    "received", SHANGHAI)
    assert set(calls) == {date(2025, 3, 4)} and len(calls) <= 2  # by its text, its ordinal
    assert validate._DAY_STARTS[SHANGHAI][date(2025, 3, 4).toordinal()] is not None
