"""Parsers and checks for every value a person or a spreadsheet gives us.

Each takes the raw value (a string typed at the terminal, or a cell: str, int,
float, date, datetime, None) and the field it came from, and returns the clean
value or raises `InvalidValue(reason, field)`. The single-record commands and
the imports call exactly these.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue

MAX_YUAN = Decimal("10000000000")  # 100亿元: anything above is a typing slip
MAX_COUNT = 1_000_000


def text(value: Any) -> str:
    """NFKC-normalised, stripped text ('' for None)."""
    if type(value) is str and value.isascii():
        return value.strip()  # NFKC leaves ASCII as it is (the common case of a file's cells)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def optional_text(value: Any) -> str | None:
    """Free text (names, notes): kept verbatim but for surrounding blanks; '' is None."""
    if type(value) is str:  # a file's cell: the common case, first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value).strip()
    return value or None


def required_text(value: Any, field: str) -> str:
    clean = optional_text(value)
    if clean is None:
        raise InvalidValue("is required", field)
    return clean


_KEY_BAD = re.compile(r"[\x00-\x1f\x7f\s]")


def key(value: Any, field: str) -> str:
    """A record number (case number, warning number, reference): no blanks inside."""
    if type(value) is str and value.isalnum() and value.isascii() and len(value) <= 64:
        return value  # `YJ00000001`: no blank, no control character, nothing for NFKC to do
    clean = text(value)
    if not clean:
        raise InvalidValue("is required", field)
    if _KEY_BAD.search(clean):
        raise InvalidValue("must not contain spaces or control characters", field)
    if len(clean) > 64:
        raise InvalidValue("is longer than 64 characters", field)
    if not clean.isalnum() and not any(ch.isalnum() for ch in clean):
        raise InvalidValue(f"{clean!r} has no letter or digit", field)
    return clean


# -- money and counts -------------------------------------------------------------

_MONEY_JUNK = r"[\s,，¥￥]|元$|人民币"  # (compiled on first use, as `_DATETIME`)


def money_fen(value: Any, field: str) -> int:
    """Yuan with up to two decimals (`12000.50`, `1.5万`, `2万元`) -> integer fen."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue("is required", field)
    if isinstance(value, bool):
        raise InvalidValue("must be an amount in yuan", field)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif type(value) is str and value.isascii() and value.replace(".", "", 1).isdigit():
        amount = Decimal(value)  # `12000.50`, `100`: nothing to take off, nothing to scale
    else:
        raw = text(value)
        raw = re.sub(_MONEY_JUNK, "", raw)
        scale = Decimal(1)
        if raw.endswith("万"):
            raw, scale = raw[:-1], Decimal(10000)
        if raw.endswith("元"):
            raw = raw[:-1]
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", raw):
            raise InvalidValue(f"{text(value)!r} is not an amount in yuan (e.g. 12000.50 or 1.5万)",
                               field)
        try:
            amount = Decimal(raw) * scale
        except InvalidOperation:
            raise InvalidValue(f"{text(value)!r} is not an amount in yuan", field) from None
    if not amount.is_finite():
        raise InvalidValue("must be an amount in yuan", field)
    if amount < 0:
        raise InvalidValue("must not be negative", field)
    if amount > MAX_YUAN:
        raise InvalidValue("is implausibly large (over 100亿元)", field)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidValue("has more than two decimals", field)
    return int(fen)


def count(value: Any, field: str) -> int:
    """A whole number, not negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue("is required", field)
    if isinstance(value, bool):
        raise InvalidValue("must be a whole number", field)
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidValue("must be a whole number", field)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raw = text(value).replace(",", "")
        if raw.endswith(("人", "次", "份", "个", "名")):
            raw = raw[:-1]
        if re.fullmatch(r"-\d+", raw):
            raise InvalidValue("must not be negative", field)
        if re.fullmatch(r"\d+\.0*", raw):
            raw = raw.split(".")[0]
        if not re.fullmatch(r"\d+", raw):
            raise InvalidValue(f"{text(value)!r} is not a whole number", field)
        number = int(raw)
    if number < 0:
        raise InvalidValue("must not be negative", field)
    if number > MAX_COUNT:
        raise InvalidValue(f"is implausibly large (over {MAX_COUNT})", field)
    return number


def age(value: Any, field: str) -> int:
    number = count(value, field)
    if number > 130:
        raise InvalidValue("must be an age between 0 and 130", field)
    return number


# -- dates and times --------------------------------------------------------------

# (Read lower-cased: `T` and `Z` arrive as `t` and `z`.) The UTC offset, when given, is
# `+08:00`, `+0800`, `+08`, `-05:00` or `z`: the one way to name the second of two 01:30s.
# (Patterns used through `re`'s own cache, compiled on first use: compiling this one costs
# a millisecond, which a command that reads no date would pay.)
_DATETIME = (
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ t]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?(?:\.\d+)?秒?"
    r" *(z|[+-]\d{2}(?::?\d{2})?)?)?"
)
MAX_OFFSET = timedelta(hours=14)  # the furthest any zone is from UTC (Kiribati, +14:00)
_PLAIN_DATETIME = r"[0-9]{4}[-/.][0-9]{2}[-/.][0-9]{2} [0-9]{2}:[0-9]{2}"
_WORDS = {"today": 0, "今天": 0, "yesterday": 1, "昨天": 1}


def date_value(value: Any, field: str, tz: ZoneInfo, *, allow_future: bool = False) -> date:
    """`YYYY-MM-DD` (also `2023/8/1`, an Excel date cell), `today`, `yesterday`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue("is required", field)
    if isinstance(value, datetime):
        result = (value.astimezone(tz) if value.tzinfo else value).date()
    elif isinstance(value, date):
        result = value
    else:
        raw = text(value).lower()
        if raw in _WORDS:
            return _today(tz) - timedelta(days=_WORDS[raw])
        match = re.fullmatch(_DATETIME, raw)
        if not match:
            raise InvalidValue(f"{text(value)!r} is not a date (YYYY-MM-DD, today, yesterday)",
                               field)
        try:
            result = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise InvalidValue(f"{text(value)!r} is not a real date", field) from None
    if result.year < 1900:
        raise InvalidValue(f"{result.isoformat()} is too far in the past", field)
    if not allow_future and result > _today(tz):
        raise InvalidValue(f"{result.isoformat()} is in the future", field)
    return result


def datetime_value(value: Any, field: str, tz: ZoneInfo, *, allow_future: bool = False) -> datetime:
    """`YYYY-MM-DD HH:MM` local time (also `2023/8/1 10:15`, an Excel cell), or `now`; with
    a UTC offset (`2026-11-01 01:30-05:00`, `+0800`, `Z`, also `T` between) an exact instant.

    A local time the zone never showed (in the hour the clocks go forward) or showed twice
    (the hour they go back) is refused: the second asks for the offset."""
    if type(value) is str and len(value) == 16 and re.fullmatch(_PLAIN_DATETIME, value):
        # The common cell, `2026-11-29 10:15`: what the general path below does, minus the
        # normalising that cannot change it (all ASCII digits and separators, no blanks).
        try:
            result = datetime(int(value[:4]), int(value[5:7]), int(value[8:10]),
                              int(value[11:13]), int(value[14:]), tzinfo=tz)
        except ValueError:
            raise InvalidValue(f"{value!r} is not a real date and time", field) from None
        if result.year < 1900:
            raise InvalidValue(f"{result:%Y-%m-%d} is too far in the past", field)
        _happened_once(result, tz, field)
        if not allow_future and result.timestamp() > clock.now_seconds() + 60:
            raise InvalidValue(f"{result:%Y-%m-%d %H:%M} is in the future", field)
        return result
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidValue("is required", field)
    wall = True  # a local wall-clock time: it has to have happened, and only once
    if isinstance(value, datetime):
        wall = value.tzinfo is None  # an aware cell is an instant already
        result = value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        raise InvalidValue(f"{value.isoformat()} needs a time (YYYY-MM-DD HH:MM)", field)
    else:
        raw = text(value).lower()
        if raw in ("now", "现在"):
            return clock.now_utc().astimezone(tz).replace(second=0)
        match = re.fullmatch(_DATETIME, raw)
        if not match:
            raise InvalidValue(f"{text(value)!r} is not a date and time (YYYY-MM-DD HH:MM)", field)
        if match[4] is None:
            raise InvalidValue(f"{text(value)!r} needs a time (YYYY-MM-DD HH:MM)", field)
        wall = match[7] is None
        zone = tz if wall else _offset(match[7], text(value), field)
        try:
            result = datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]),
                              int(match[5]), int(match[6] or 0), tzinfo=zone)
        except ValueError:
            raise InvalidValue(f"{text(value)!r} is not a real date and time", field) from None
        if not wall:  # an instant: shown in the zone's own time from here on
            if result.year < 1900:  # (before converting: year 1 minus an offset overflows)
                raise InvalidValue(f"{result:%Y-%m-%d} is too far in the past", field)
            try:
                result = result.astimezone(tz)
            except OverflowError:  # 9999-12-31 23:00-05:00 is in the year 10000 here
                raise InvalidValue(f"{text(value)!r} is not a real date and time",
                                   field) from None
    if result.year < 1900:
        raise InvalidValue(f"{result:%Y-%m-%d} is too far in the past", field)
    if result.microsecond:
        result = result.replace(microsecond=0)
    if wall:
        _happened_once(result, tz, field)
    if not allow_future and result.timestamp() > clock.now_seconds() + 60:
        raise InvalidValue(f"{result:%Y-%m-%d %H:%M} is in the future", field)
    return result


def _offset(written: str, value: str, field: str) -> timezone:
    """The fixed zone of an offset as `_DATETIME` reads it: `z`, `+08`, `+0800`, `-05:00`."""
    if written == "z":
        return UTC
    digits = written[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    delta = timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or delta > MAX_OFFSET:
        raise InvalidValue(f"{value!r} has an offset no zone has (more than 14 hours from UTC)",
                           field)
    return timezone(-delta if written[0] == "-" else delta)


def _happened_once(result: datetime, tz: Any, field: str) -> None:
    """Refuse a local wall-clock time the zone skipped (the clocks went forward over it) or
    showed twice (they went back): stored as either instant, it would silently be wrong.

    Most days of most zones have one offset all day (`_day_start`, remembered per day): those
    are served by two dict look-ups. Only a day whose offset changes is looked at closely:
    the offsets of the time's first (fold=0) and second (fold=1) reading differ exactly in a
    gap (the earlier offset first) or an overlap (the later first)."""
    starts = _DAY_STARTS.get(tz)
    if starts is None:
        starts = _DAY_STARTS[tz] = {}
    ordinal = result.toordinal()
    start = starts.get(ordinal)
    if start is None and ordinal not in starts:
        start = _learn_day(starts, ordinal, tz)
    if start is not None:
        return
    first, second = result.utcoffset(), result.replace(fold=1).utcoffset()
    if first == second:
        return
    shown = f"{result:%Y-%m-%d %H:%M:%S}" if result.second else f"{result:%Y-%m-%d %H:%M}"
    name = getattr(tz, "key", None) or str(tz)
    if first < second:
        raise InvalidValue(f"{shown} does not exist in {name} (the clocks went forward)", field)
    raise InvalidValue(f"{shown} happened twice in {name}: give the offset, {shown}"
                       f"{clock.offset_text(first)} or {shown}{clock.offset_text(second)}",
                       field)


def combine_local(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


# `moment`'s short cut: the epoch seconds of local midnight, per zone and per day as the
# file writes it (`2025/01/01`, `2025-1-1`) or as a spreadsheet's datetime cell gives it (its
# ordinal); None for a day the short cut cannot serve (the offset changes within it, before
# 1900, or text the general path has to read).
_DAY_STARTS: dict[Any, dict[str | int, int | None]] = {}
_DAY_TEXT = r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})"
# Every `H:MM` wall-clock time the general path reads as hours and minutes (`7:05`, `07:5`,
# `23:59`), as seconds after midnight: made on the first `moment` (an import), not by every
# command that imports this module.
_CLOCK: dict[str, int] = {}


def _clock_table() -> dict[str, int]:
    if not _CLOCK:
        _CLOCK.update({f"{h}:{m}": hour * 3600 + minute * 60
                       for hour in range(24) for h in {str(hour), f"{hour:02d}"}
                       for minute in range(60) for m in {str(minute), f"{minute:02d}"}})
    return _CLOCK


def _day_start(tz: Any, day: date) -> int | None:
    """Local midnight of `day` in whole epoch seconds, when the UTC offset is the same all
    day long (else None: `moment` then takes the general path)."""
    if day.year < 1900 or day.year >= 9999:
        return None
    start = combine_local(day, tz)
    offset = start.utcoffset()
    # Offsets of wall times (fold=0, as `datetime_value` reads them) step only at a change;
    # sampling the day every three hours and the next midnight finds any real one.
    for hour in range(3, 24, 3):
        if start.replace(hour=hour).utcoffset() != offset:
            return None
    if combine_local(day + timedelta(days=1), tz).utcoffset() != offset:
        return None
    return int(start.timestamp())


def _learn_day(starts: dict[str | int, int | None], day: str | int, tz: Any) -> int | None:
    """Work out and remember the start of a day `moment` has not met yet."""
    if isinstance(day, int):
        start = _day_start(tz, date.fromordinal(day))
    else:
        match = re.fullmatch(_DAY_TEXT, day)
        try:
            start = _day_start(tz, date(int(match[1]), int(match[2]), int(match[3])))
        except (TypeError, ValueError):  # no match, or not a real date
            start = None
    if len(starts) >= 100_000:
        starts.clear()
    starts[day] = start
    return start


def moment(value: Any, field: str, tz: ZoneInfo, *, allow_future: bool = False) -> int:
    """`datetime_value` as whole UTC seconds since the epoch: the same inputs, checks and
    errors, so that `moment(v, …) == int(datetime_value(v, …).timestamp())`.

    Imports call it for every row, so the usual cell -- `2025/01/01 00:03`, `2023/8/1 10:15`,
    a spreadsheet's datetime -- is local midnight of its day (remembered) plus the time of
    day; anything else, every refusal included, is `datetime_value`'s to read."""
    starts = _DAY_STARTS.get(tz)
    if starts is None:
        starts = _DAY_STARTS[tz] = {}
    if type(value) is str:
        day, _, wall = value.partition(" ")
        start = starts.get(day)
        if start is None and day not in starts:
            start = _learn_day(starts, day, tz)
        if start is not None:
            since = (_CLOCK or _clock_table()).get(wall)
            if since is not None:
                seconds = start + since
                if allow_future or seconds <= clock.now_seconds() + 60:
                    return seconds
    elif type(value) is datetime and value.tzinfo is UTC:
        # An instant (a moment read back from a file: `tongwei merge`): `datetime_value`
        # takes it as it is, with no wall-clock check to make.
        if value.year >= 1901 and not value.microsecond:  # (1900 here may be 1899 there)
            seconds = int(value.timestamp())
            if allow_future or seconds <= clock.now_seconds() + 60:
                return seconds
    elif type(value) is datetime and value.tzinfo is None:
        ordinal = value.toordinal()
        start = starts.get(ordinal)
        if start is None and ordinal not in starts:
            start = _learn_day(starts, ordinal, tz)
        if start is not None:
            seconds = start + value.hour * 3600 + value.minute * 60 + value.second
            if allow_future or seconds <= clock.now_seconds() + 60:
                return seconds
    return int(datetime_value(value, field, tz, allow_future=allow_future).timestamp())


# -- people -----------------------------------------------------------------------

_PHONE_SEPARATORS = r"[\s\-()（）]"  # (compiled on first use, as `_DATETIME`)


def phone(value: Any, field: str) -> str:
    """A mainland mobile number: 11 digits `1[3-9]…`; full-width digits, +86/0086 accepted."""
    if (type(value) is str and len(value) == 11 and value.isascii() and value.isdigit()
            and value[0] == "1" and value[1] in "3456789"):
        return value  # already clean: what the general path below would return
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = re.sub(_PHONE_SEPARATORS, "", text(value))
    if not raw:
        raise InvalidValue("is required", field)
    if raw.startswith("+86"):
        raw = raw[3:]
    elif raw.startswith("0086"):
        raw = raw[4:]
    elif raw.startswith("86") and len(raw) == 13:
        raw = raw[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", raw):
        raise InvalidValue("is not a mainland mobile number (11 digits starting 13–19)", field)
    return raw


_GENDERS = {"m": "M", "male": "M", "男": "M", "f": "F", "female": "F", "女": "F"}


def gender(value: Any, field: str) -> str:
    raw = text(value).lower()
    if raw not in _GENDERS:
        raise InvalidValue("must be M or F (男/女)", field)
    return _GENDERS[raw]


class ResidentId:  # (a plain class: a dataclass or named tuple costs start-up time)
    __slots__ = ("birth", "number", "sex", "warning")

    def __init__(self, number: str, birth: date, sex: str, warning: str | None = None):
        self.number, self.birth = number, birth
        self.sex = sex  # "M" or "F"
        self.warning = warning  # region code not in force in the birth year

    def age_on(self, day: date) -> int:
        return day.year - self.birth.year - ((day.month, day.day) < (self.birth.month,
                                                                     self.birth.day))


@functools.lru_cache(maxsize=4096)  # a pure function; a file repeats the county's few codes
def _region_status(code: str, year: int) -> str:
    """'ok', 'unknown', or 'not-in-force' (the code existed, but not in `year`)."""
    from stdnum import numdb  # python-stdnum's region table; loaded only when an ID is given

    try:
        parts = numdb.get("cn/loc").info(code)
    except Exception:  # the table raises on odd codes; treat them as unknown
        return "unknown"
    info = {k: v for _, props in parts for k, v in props.items()}
    counties = info.get("county")
    if not counties:
        return "unknown"
    for county in counties.split(","):
        if not county.startswith("["):
            return "ok"
        try:
            span = county[1:].split("]")[0]
            start, end = span.split("-")
        except ValueError:
            continue
        if (not start or year >= int(start)) and (not end or year <= int(end)):
            return "ok"
    return "not-in-force"


_ID_BLANKS = re.compile(r"[\s\-]")


@functools.lru_cache(maxsize=65536)  # a century of birthdays
def _birth_date(digits: str) -> date | None:
    """`YYYYMMDD` as a date, None when it is not a real date."""
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


_TODAYS: dict[Any, tuple[int, int, date]] = {}


def _today(tz: ZoneInfo) -> date:
    """`clock.today(tz)`, remembered while the clock is well inside that day."""
    now = clock.now_seconds()
    hit = _TODAYS.get(tz)
    if hit is not None and hit[0] <= now < hit[1]:
        return hit[2]
    today = clock.today(tz)
    # The day's own bounds in the zone (its midnights, whatever the offset that day): a
    # whole import run late in the evening reads the clock, not the zone, each row.
    start = int(combine_local(today, tz).timestamp())
    end = int(combine_local(today + timedelta(days=1), tz).timestamp())
    if start <= now < end:
        _TODAYS[tz] = (start, end, today)
    return today


def resident_id(value: Any, field: str, tz: ZoneInfo) -> ResidentId:
    """An 18-character resident ID: GB 11643 check digit, real birth date, known region."""
    if type(value) is str and len(value) == 18 and value.isalnum() and value.isascii():
        raw = value.upper()  # the usual cell: nothing for NFKC, strip or the blanks to change
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        raw = _ID_BLANKS.sub("", text(value)).upper()
    if not raw:
        raise InvalidValue("is required", field)
    if len(raw) != 18:
        raise InvalidValue("must be 18 characters", field)
    if not raw[:17].isdigit() or not (raw[17].isdigit() or raw[17] == "X"):
        raise InvalidValue("must be 17 digits and a check digit (0-9 or X)", field)
    checksum = (1 - 2 * int(raw[:17], 13)) % 11  # GB 11643, as python-stdnum computes it
    if raw[17] != ("X" if checksum == 10 else str(checksum)):
        raise InvalidValue("check digit does not match", field)
    birth = _birth_date(raw[6:14])
    if birth is None:
        raise InvalidValue("birth date in the number is not a real date", field)
    if birth > _today(tz):
        raise InvalidValue("birth date in the number is in the future", field)
    if birth.year < 1880:
        raise InvalidValue("birth date in the number is implausible", field)
    status = _region_status(raw[:6], birth.year)
    if status == "unknown":
        raise InvalidValue("region code does not exist", field)
    warning = None
    if status == "not-in-force":
        warning = (f"region code {raw[:6]} was not in force in {birth.year} "
                   "(a later registration?); accepted")
    sex = "M" if int(raw[16]) % 2 else "F"
    return ResidentId(raw, birth, sex, warning)
