"""Small twins of the property tests marked `slow`, for the quick loop (`pytest -m "not
slow"`): the same properties, the same strategies, the same bodies (`.hypothesis.inner_test`,
the function under `@given`), over a handful of examples. The whole tests run in CI."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_dst import CHANGING, STEADY, instants, walls
from test_dst import test_a_time_with_its_offset_is_that_instant_in_any_zone as offsets
from test_dst import test_a_wall_time_is_refused_or_is_what_it_says as wall_times
from test_dst import test_wall_times_of_steady_zones_round_trip as steady_walls
from test_fuzz_import import CELLS, HEADERS
from test_fuzz_import import test_any_bytes_are_refused_with_our_error as any_bytes
from test_fuzz_import import test_any_csv_is_imported_or_refused_with_our_error as any_csv
from test_fuzz_import import test_any_json_is_imported_or_refused_with_our_error as any_json
from test_model import Figures
from test_moment import BERLIN, ZONES, anything, cells, near_now, written
from test_moment import test_moment_is_datetime_value_in_seconds as moments

BRIEF = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class BriefFigures(Figures):
    """test_model's state machine: a few short sequences instead of 25 of 25 steps."""


BriefFigures.TestCase.settings = settings(max_examples=3, stateful_step_count=8,
                                          deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
test_report_figures_match_a_model_briefly = BriefFigures.TestCase


@BRIEF
@given(header=st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8),
       rows=st.lists(st.lists(CELLS, max_size=9), max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_csv_is_imported_or_refused_briefly(header, rows, encoding):
    any_csv.hypothesis.inner_test(header, rows, encoding)


@BRIEF
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_any_bytes_are_refused_briefly(data, suffix):
    any_bytes.hypothesis.inner_test(data, suffix)


@BRIEF
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                          lambda children: st.lists(children, max_size=3)
                          | st.dictionaries(st.sampled_from(HEADERS), children, max_size=4),
                          max_leaves=10))
def test_any_json_is_imported_or_refused_briefly(value):
    any_json.hypothesis.inner_test(value)


@settings(max_examples=40)
@given(st.one_of(written(), near_now, cells, anything), st.sampled_from(ZONES), st.booleans())
@example("2024-03-31 02:30", BERLIN, False)  # in the gap
@example("2024-10-27 02:30", BERLIN, False)  # in the overlap
def test_moment_is_datetime_value_in_seconds_briefly(value, tz, allow_future):
    moments.hypothesis.inner_test(value, tz, allow_future)


# test_dst's properties of wall times and offsets: 300-400 examples each in CI, 50 here.
DST = settings(max_examples=50)


@DST
@given(instants, st.sampled_from(STEADY), st.sampled_from(["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M",
                                                           "%Y-%m-%d %H:%M:%S"]))
def test_wall_times_of_steady_zones_round_trip_briefly(instant, tz, shape):
    steady_walls.hypothesis.inner_test(instant, tz, shape)


@DST
@given(instants, st.sampled_from(STEADY + CHANGING), st.sampled_from([" ", "T", "t"]),
       st.sampled_from(["{sign}{h:02d}:{m:02d}", "{sign}{h:02d}{m:02d}",
                        " {sign}{h:02d}:{m:02d}"]))
def test_a_time_with_its_offset_is_that_instant_in_any_zone_briefly(instant, tz, sep, shape):
    offsets.hypothesis.inner_test(instant, tz, sep, shape)


@DST
@given(walls, st.sampled_from(CHANGING))
def test_a_wall_time_is_refused_or_is_what_it_says_briefly(wall, tz):
    wall_times.hypothesis.inner_test(wall, tz)
