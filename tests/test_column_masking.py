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


MOMENTS = st.integers(-2208988800, 4102444800).map(clock.text_of)
ZONES = st.sampled_from(["Asia/Shanghai", "America/New_York", "Asia/Kolkata",
                         "Australia/Lord_Howe", "Africa/Monrovia", "Europe/Dublin", "UTC",
                         "Pacific/Apia"])


@settings(max_examples=300, deadline=None)
@given(records(st.one_of(SCALAR, MOMENTS)), ZONES)
def test_csv_and_json_a_column_at_a_time_are_the_same_text(rows, zone):
    tz = ZoneInfo(zone)
    table = output.Rows.of(rows)
    try:
        expected = output.to_csv(rows, tz=tz)
    except (ValueError, OverflowError):
        return  # (a value no moment: both refuse it)
    assert output.rows_csv(table, tz) == expected
    assert output.rows_json(table) == output.to_json(rows)


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
