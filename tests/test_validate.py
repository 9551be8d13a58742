"""Validators: each accepts what officers and spreadsheets write, refuses the rest with our
error naming the field, and never raises anything else."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import InvalidValue

TZ = ZoneInfo("Asia/Shanghai")


def make_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


TONGWEI_2010_F = make_id("62112120100101002")  # 621121 is Tongwei's code since 2003


@pytest.mark.parametrize("raw, fen", [
    ("12000.50", 1200050), ("1.5万", 1500000), ("2万元", 2000000), ("0", 0), ("12,000", 1200000),
    ("￥300元", 30000), ("１２３", 12300), (150, 15000), (0.1, 10), (" 7.05 ", 705),
])
def test_money_parses_yuan_into_fen(raw, fen):
    assert validate.money_fen(raw, "loss") == fen


@pytest.mark.parametrize("raw, reason", [
    ("-5", "must not be negative"), ("1.234", "more than two decimals"),
    ("abc", "not an amount"), ("", "is required"), ("1e5", "not an amount"),
    ("0.0000001万", "more than two decimals"), ("nan", "not an amount"),
])
def test_money_refuses_bad_amounts(raw, reason):
    with pytest.raises(InvalidValue) as info:
        validate.money_fen(raw, "loss")
    assert info.value.field == "loss"
    if reason:
        assert reason in info.value.reason


@pytest.mark.parametrize("raw", ["13800000001", "+86 138 0000 0001", "0086-138-0000-0001",
                                 "１３８００００００01", "138-0000-0001", 13800000001.0])
def test_phone_normalises(raw):
    assert validate.phone(raw, "phone") == "13800000001"


@pytest.mark.parametrize("raw", ["12800000001", "1380000000", "138000000011", "abc",
                                 "+1 13800000001"])
def test_phone_refuses(raw):
    with pytest.raises(InvalidValue, match="mainland mobile"):
        validate.phone(raw, "victim-phone")


def test_resident_id_derives_birth_and_sex():
    rid = validate.resident_id(TONGWEI_2010_F, "victim-id", TZ)
    assert rid.birth == date(2010, 1, 1) and rid.sex == "F" and rid.warning is None


def test_resident_id_code_not_in_force_in_birth_year_is_a_warning_not_a_refusal():
    # 621121 came into force in 2003: a person born in 1990 registered later carries it.
    number = make_id("62112119900101001")
    assert not ric.is_valid(number)  # python-stdnum alone would refuse it
    rid = validate.resident_id(number, "victim-id", TZ)
    assert rid.sex == "M" and rid.warning and "not in force in 1990" in rid.warning


@pytest.mark.parametrize("number, reason", [
    (TONGWEI_2010_F[:-1] + ("1" if TONGWEI_2010_F[-1] != "1" else "2"), "check digit"),
    (make_id("62112120101301002"), "not a real date"),
    (make_id("99999919900101001"), "region code does not exist"),
    (make_id("62990019900101001"), "region code does not exist"),
    ("6211212010010100", "18 characters"),
    ("62112120100101002Y", "17 digits"),
])
def test_resident_id_refusals(number, reason):
    with pytest.raises(InvalidValue, match=reason):
        validate.resident_id(number, "victim-id", TZ)


def test_resident_id_birth_in_future_is_refused():
    future = clock.today(TZ) + timedelta(days=400)
    number = make_id(f"621121{future:%Y%m%d}001")
    with pytest.raises(InvalidValue, match="future"):
        validate.resident_id(number, "victim-id", TZ)


def test_dates_words_and_spreadsheet_forms():
    today = clock.today(TZ)
    assert validate.date_value("today", "d", TZ) == today
    assert validate.date_value("yesterday", "d", TZ) == today - timedelta(days=1)
    assert validate.date_value("2023/8/1", "d", TZ) == date(2023, 8, 1)
    assert validate.date_value("2023-08-01 10:15", "d", TZ) == date(2023, 8, 1)
    assert validate.date_value(datetime(2023, 8, 1, 10, 15), "d", TZ) == date(2023, 8, 1)
    with pytest.raises(InvalidValue, match="not a real date"):
        validate.date_value("2023-02-30", "reported", TZ)
    with pytest.raises(InvalidValue, match="in the future"):
        validate.date_value((today + timedelta(days=1)).isoformat(), "reported", TZ)


def test_datetimes_are_local_and_need_a_time():
    moment = validate.datetime_value("2023/8/1 00:30", "received", TZ)
    assert clock.stamp(moment) == "2023-07-31T16:30:00Z"  # 00:30 local is the day before in UTC
    with pytest.raises(InvalidValue, match="needs a time"):
        validate.datetime_value("2023-08-01", "received", TZ)


@pytest.mark.parametrize("raw, n", [("3", 3), (3, 3), (3.0, 3), ("12人", 12), ("0", 0)])
def test_counts(raw, n):
    assert validate.count(raw, "count") == n


@pytest.mark.parametrize("raw", ["-1", "2.5", 2.5, "x", True])
def test_counts_refused(raw):
    with pytest.raises(InvalidValue):
        validate.count(raw, "count")


def test_gender_words():
    assert validate.gender("男", "g") == "M" and validate.gender("f", "g") == "F"
    with pytest.raises(InvalidValue, match="M or F"):
        validate.gender("x", "victim-gender")


ANY_INPUT = st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(),
                      st.dates(), st.datetimes())


@given(ANY_INPUT)
def test_money_never_raises_anything_but_our_error(value):
    try:
        fen = validate.money_fen(value, "loss")
    except InvalidValue:
        return
    assert isinstance(fen, int) and fen >= 0


@given(ANY_INPUT)
def test_phone_never_raises_anything_but_our_error(value):
    try:
        number = validate.phone(value, "phone")
    except InvalidValue:
        return
    assert len(number) == 11 and number[0] == "1"


@given(st.one_of(ANY_INPUT, st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True)))
def test_resident_id_never_raises_anything_but_our_error(value):
    try:
        rid = validate.resident_id(value, "id", TZ)
    except InvalidValue:
        return
    assert ric.calc_check_digit(rid.number[:17] + "0") == rid.number[17]


@given(ANY_INPUT)
def test_dates_and_counts_never_raise_anything_but_our_error(value):
    for parse in (lambda v: validate.date_value(v, "d", TZ),
                  lambda v: validate.datetime_value(v, "d", TZ),
                  lambda v: validate.moment(v, "d", TZ),
                  lambda v: validate.count(v, "c"), lambda v: validate.key(v, "k")):
        try:
            parse(value)
        except InvalidValue:
            pass


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_money_round_trips_two_decimals(amount):
    assert validate.money_fen(str(amount), "loss") == int(amount * 100)


@pytest.mark.parametrize("raw", ["YJ00000001", "CASE2025", "ａｂｃ１", " YJ1 ", "案件-001",
                                 "x" * 64])
def test_keys_are_kept_as_written_but_for_blanks_and_width(raw):
    assert validate.key(raw, "no") == validate.text(raw)


@pytest.mark.parametrize(("raw", "reason"), [
    ("YJ 001", "spaces"), ("YJ\t001", "spaces"), ("x" * 65, "longer than 64"), ("--", "no letter"),
    ("", "is required"), (None, "is required"),
])
def test_keys_refused(raw, reason):
    with pytest.raises(InvalidValue, match=reason):
        validate.key(raw, "no")


@pytest.mark.parametrize(("raw", "clean"), [
    ("  张三 ", "张三"), ("", None), ("   ", None), (None, None), (12.0, "12"), (3, "3"),
])
def test_optional_text(raw, clean):
    assert validate.optional_text(raw) == clean


def test_resident_id_lowercase_x_and_blanks():
    number = make_id("62112119900101002")
    assert number.endswith("X")
    spaced = f"{number[:6]} {number[6:14]}-{number[14:]}".lower()
    assert validate.resident_id(spaced, "id", TZ).number == number
    assert validate.resident_id(number.lower(), "id", TZ).number == number
