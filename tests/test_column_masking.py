"""Masking, writing and drawing a long list a column at a time gives what a record at a
time gave, for any value: the same masks (tests/test_privacy.py's rules), the same CSV and
JSON text, the same cells of a table."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tongwei_cli.core import clock
from tongwei_cli.core.masking import mask_shown
from tongwei_cli.render import output
from tongwei_cli.render.output import Column, Display

# Texts that hold numbers (phones, IDs, in full-width digits, with blanks, dashes, +86),
# the characters around them, and anything else.
PIECES = st.sampled_from(["13800005678", "138 0000 5678", "+86-138-0000-5678",
                          "１３８００００５６７８", "622424199001010021", "62242419900101002X",
                          "6224241990010100", "YJ2026112800396", "12.50", " ", "-", "\0",
                          "\x1b", "请回电", "a", "0", "=", ",", '"', "\n"])
TEXT = st.one_of(st.text(max_size=30), st.lists(PIECES, max_size=6).map("".join))
SCALAR = st.one_of(st.none(), TEXT, st.integers(-10**12, 10**12), st.booleans(),
                   st.floats(allow_nan=True))
KEYS = st.sampled_from(["no", "name", "phone", "id_no", "victim_name", "summary", "note",
                        "received_at", "at", "phone_enc", "name_bi", "status"])
VALUE = st.one_of(SCALAR, st.dictionaries(KEYS, SCALAR, max_size=3),
                  st.lists(SCALAR, max_size=3))


@st.composite
def records(draw, value=VALUE):
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
    n = draw(st.integers(1, 8))
    return [{k: draw(value) for k in keys} for _ in range(n)]


def per_record(value, reveal):
    """`output.masked` as it was: a record at a time."""
    from tongwei_cli.core.masking import mask_record

    if isinstance(value, dict):
        shown = mask_record(value, reveal=True) if reveal else mask_shown(value)
        return {k: per_record(v, reveal) for k, v in shown.items()}
    if isinstance(value, list):
        return [per_record(v, reveal) for v in value]
    return value


@settings(max_examples=400, deadline=None)
@given(records(), st.booleans())
def test_column_masking_equals_record_masking(rows, reveal):
    assert output.masked(rows, reveal) == per_record(rows, reveal)


# Values as a personal column stores them (masked already), and near misses: a `*` too
# few or too many, a digit among the stars, too short, a NUL inside.
MASKED_FORMS = st.sampled_from(["138****5678", "张*", "欧阳**", "622424********002X", "*",
                                "", "*******", "138***5678", "138*0**5678", "张", "张*a",
                                "13*", "138****5678\0138****5678", "622424****002X"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["name", "phone", "id_no", "victim_name", "victim_phone"]),
       st.lists(st.one_of(MASKED_FORMS, st.none(), TEXT), min_size=1, max_size=8))
def test_a_column_masked_already_is_left_as_it_is_and_no_other(key, values):
    from tongwei_cli.core.masking import mask_column

    assert mask_column(key, values) == [mask_shown({key: v})[key] for v in values]


MOMENTS = st.integers(-2208988800, 4102444800).map(clock.text_of)
ZONES = st.sampled_from(["Asia/Shanghai", "America/New_York", "Asia/Kolkata",
                         "Australia/Lord_Howe", "Africa/Monrovia", "Europe/Dublin", "UTC",
                         "Pacific/Apia"])


@settings(max_examples=300, deadline=None)
@given(records(st.one_of(SCALAR, MOMENTS)), ZONES)
def test_csv_and_json_a_column_at_a_time_are_the_same_text(rows, zone):
    assert_same_text(output.Rows.of(rows), rows, ZoneInfo(zone))


def assert_same_text(table: output.Rows, records: list[dict], tz: ZoneInfo) -> bool:
    """`table` written a column at a time is the text of `records` a record at a time, as
    CSV and as JSON; False where a value is no moment (both refuse it)."""
    try:
        expected = output.to_csv(records, tz=tz)
    except (ValueError, OverflowError):
        return False
    assert output.rows_csv(table, tz) == expected
    assert output.rows_json(table) == output.to_json(records)
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MOMENTS, st.none()), min_size=1, max_size=40), ZONES)
def test_moments_a_column_at_a_time(values, zone):
    tz = ZoneInfo(zone)
    assert output._local_moments(values, tz) == [output.csv_moment("at", v, tz)
                                                 for v in values]
    assert output._local_texts(values, tz) == [clock.local_text(v, tz) for v in values]
    seconds = [None if v is None else int(clock.parse_stamp(v).timestamp()) for v in values]
    assert clock.texts_of(seconds) == [clock.text_of(v) for v in seconds]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(max_size=8), st.integers(), st.floats()),
                         min_size=4, max_size=4), min_size=1, max_size=6))
def test_csv_lines_are_those_csv_writes(rows):
    columns = [list(c) for c in zip(*rows, strict=True)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    lines = output._csv_lines(columns)
    assert lines is None or lines == buffer.getvalue()


class Refs:
    def name(self, kind, code, lang):
        return f"{kind}:{code}:{lang}"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["text", "money", "int", "ref:stations", "word", "word:event", "bool",
                        "stamp", "minutes"]),
       st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers(-10**6, 10**6),
                          st.booleans(), MOMENTS), min_size=1, max_size=10),
       st.sampled_from(["zh", "en"]))
def test_a_column_of_cells_shown_as_each_cell(kind, values, lang):
    show = Display(lang, Refs(), ZoneInfo("Asia/Shanghai"))
    column = Column("x", kind)

    def each(v):
        try:
            return show(column, v)
        except (TypeError, ValueError, AttributeError) as e:
            return type(e)

    expected = [each(v) for v in values]
    try:
        got = show.column(column, values)
    except (TypeError, ValueError, AttributeError) as e:
        got = [type(e)] * len(values)
        assert type(e) in expected
        return
    assert got == expected


# -- moments as stored (whole UTC seconds), a column at a time ---------------------------

ZONES_ODD = st.sampled_from(["Asia/Shanghai", "America/New_York", "Asia/Kathmandu",
                             "America/St_Johns", "Australia/Lord_Howe", "Africa/Monrovia",
                             "Europe/Dublin", "Pacific/Apia", "Asia/Kolkata", "UTC",
                             "Antarctica/Troll"])


def _changes(name: str) -> list[int]:
    """The UTC days (as seconds) on which `name`'s offset changed, 1968-2040."""
    from datetime import datetime

    tz = ZoneInfo(name)
    start = -2 * 365 * 86400
    offsets = [datetime.fromtimestamp(start + d * 86400, tz).utcoffset()
               for d in range(73 * 366)]
    return [start + d * 86400 for d in range(1, len(offsets))
            if offsets[d] != offsets[d - 1]]


CHANGES = sorted({c for name in ("America/New_York", "America/St_Johns",
                                 "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Apia",
                                 "Antarctica/Troll")
                  for c in _changes(name)})
# Moments of any day of years 1900-2100, moments within three days of a summer time's start
# or end (in the zones above), and moments out of any range a zone is asked for.
SECONDS = st.one_of(st.integers(-2208988800, 4102444800),
                    st.builds(lambda day, s: day + s, st.sampled_from(CHANGES),
                              st.integers(-3 * 86400, 3 * 86400)),
                    st.integers(-62135596800 - 86400, 253402300800 + 86400))


def _each(function, values):
    out = []
    for v in values:
        try:
            out.append(function(v))
        except (ValueError, OverflowError) as e:
            out.append(type(e))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(SECONDS, st.none()), min_size=1, max_size=40), ZONES_ODD,
       st.booleans())
def test_moments_as_seconds_a_column_at_a_time(values, zone, with_none):
    """CSV's local time with its offset and the table's local time, made from the stored
    seconds a column at a time, are those of each moment's UTC text (`csv_moment`,
    `clock.local_text`): near a summer time's change, in a zone a quarter or half an hour
    off, in a zone whose old offset had seconds, and at the ends of the years it reckons."""
    tz = ZoneInfo(zone)
    if not with_none:
        values = [v for v in values if v is not None] or [0]
    assert output._seconds_texts(values, tz, csv=True) == [
        None if v is None else output.csv_moment("at", clock.text_of(v), tz) for v in values]
    expected = _each(lambda v: clock.local_text(v, tz), values)
    try:
        got = output._seconds_texts(values, tz, csv=False)
    except (ValueError, OverflowError) as e:
        assert type(e) in expected
        return
    assert got == expected
    assert clock.texts_of(values) == [clock.text_of(v) for v in values]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(SECONDS.filter(lambda v: -2208988800 <= v < 4102444800),
                                    st.none()),
                          SCALAR, st.integers(0, 4102444800), st.one_of(st.none(), SECONDS)),
                min_size=1, max_size=12), ZONES_ODD)
def test_a_list_with_its_moments_as_seconds_reads_as_its_records(rows, zone):
    """A list whose moments come as stored (`Rows.seconds`) is written -- CSV, JSON, the
    light table, its records -- as the records of those moments' UTC text are."""
    tz = ZoneInfo(zone)
    keys = ["received_at", "name", "at", "count"]  # (`count`: seconds, but no moment's key)
    seconds = ("received_at", "at", "count")
    table = output.Rows(keys, [list(c) for c in zip(*rows, strict=True)], len(rows),
                        seconds)
    records = [{k: clock.text_of(v) if k in seconds else v
                for k, v in zip(keys, row, strict=True)} for row in rows]
    assert table.records() == records
    if not assert_same_text(table, records, tz):
        return  # (a value no moment: both refuse it)
    masked = output.masked_rows(table, False)
    assert masked.records() == output.masked(records, False)
    columns = [Column(key, kind, zh=key, en=key) for key, kind in (
        ("received_at", "stamp"), ("name", "text"), ("at", "stamp"), ("count", "text"))]
    for show in (Display("zh", None, tz), Display("en", None, None)):
        try:
            drawn = output.light_table(columns, masked, show, width=None)
        except (ValueError, OverflowError):
            continue
        assert drawn == output.light_table(columns, masked.records(), show, width=None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab 1-:平襄派出所天小时分…é\u200b\x1b"), max_size=8),
                min_size=1, max_size=12))
def test_cells_of_a_column_are_those_rich_counts(texts):
    """A column's widths on a terminal, a Chinese character two cells: as `rich` counts
    them, a text at a time (by their length where the whole column is ASCII)."""
    from rich.cells import cell_len

    expected = [len(t) if "".join(texts).isascii() else cell_len(t) for t in texts]
    assert output._cells_of(texts) == expected


def test_moments_as_seconds_around_every_change_of_summer_time():
    """Every ten minutes from a day and a half before to a day and a half after each change
    of offset 2020-2030 (Dublin's summer time is its standard time, Lord Howe's moves half an
    hour, Troll's two hours at 01:00 UTC, St John's is half an hour off UTC): a column's
    local times are each moment's, its offset said in the hour shown twice."""
    for name in ("America/New_York", "America/St_Johns", "Australia/Lord_Howe",
                 "Europe/Dublin", "Antarctica/Troll", "Pacific/Apia"):
        tz = ZoneInfo(name)
        for change in (c for c in _changes(name) if 1577836800 <= c < 1893456000):
            values = list(range(change - 36 * 3600, change + 60 * 3600, 600))
            assert output._seconds_texts(values, tz, csv=False) == [
                clock.local_text(v, tz) for v in values], name
            assert output._seconds_texts(values, tz, csv=True) == [
                output.csv_moment("at", clock.text_of(v), tz) for v in values], name
