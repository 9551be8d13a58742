"""The one module that knows about output formats and imports rich.

Domain functions hand over plain records (English keys, codes, money in fen);
this module masks personal data, localises labels and writes the chosen format
to the screen or to `-o FILE`.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tongwei_cli.core import words as i18n
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.masking import mask_record, mask_shown

LIST_FORMATS = ("table", "json", "csv", "xlsx")
RECORD_FORMATS = ("table", "json", "csv")
REPORT_FORMATS = ("table", "json", "csv", "text", "markdown", "html", "pdf", "xlsx")
EXTENSIONS = {".json": "json", ".csv": "csv", ".txt": "text", ".text": "text",
              ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
              ".pdf": "pdf", ".xlsx": "xlsx"}
BINARY = ("pdf", "xlsx")


class Column:
    """A column of a table: the record key, how to show the value -- text, money (fen ->
    yuan), int, ref:<kind> (code -> name), word (code -> word), bool, stamp (UTC -> local
    time), minutes (a duration) -- and its label: `zh`/`en` when given (a record's field,
    `core.fields`), else the catalogue's (`core.words.COLUMNS`) under `label` or the key.
    (Plain classes here, not dataclasses or named tuples: every command loads this module,
    and making either kind of class costs start-up time.)"""

    __slots__ = ("en", "key", "kind", "label_key", "zh")

    def __init__(self, key: str, kind: str = "text", label_key: str | None = None,
                 zh: str | None = None, en: str | None = None):
        self.key, self.kind, self.label_key, self.zh, self.en = key, kind, label_key, zh, en

    def __repr__(self) -> str:
        return f"Column({self.key!r}, {self.kind!r})"

    def label(self, lang: str) -> str:
        if self.zh is None or self.en is None:
            zh, en = i18n.COLUMNS[self.label_key or self.key]
        else:
            zh, en = self.zh, self.en
        return zh if lang == "zh" else en


# What a shown record ends with: why it was withdrawn, who entered it and who corrected it,
# and when (rows whose value is empty are left out by the show commands).
TRAIL = [
    Column("void_reason"),
    Column("created_at", "stamp"),
    Column("created_by"),
    Column("updated_at", "stamp"),
    Column("updated_by"),
]


def choose_format(fmt: str | None, output: Path | None, allowed: Sequence[str]) -> str:
    if fmt:
        chosen = fmt.strip().lower()
        if chosen == "md":
            chosen = "markdown"
        if chosen not in allowed:
            raise InvalidValue(f"unknown format {fmt!r}; valid: {', '.join(allowed)}", "format")
        return chosen
    if output is not None:
        by_ext = EXTENSIONS.get(output.suffix.lower())
        if by_ext in allowed:
            return by_ext
        if by_ext is None and output.suffix:
            raise InvalidValue(f"cannot tell the format from {output.suffix!r}; "
                               f"give --format ({', '.join(allowed)})", "output")
        if by_ext is not None:
            raise InvalidValue(f"{by_ext} is not offered here; valid: {', '.join(allowed)}",
                               "output")
    return "table"


def fen_to_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def masked(value: Any, reveal: bool) -> Any:
    """Mask personal fields in records, nested lists and dicts included, and the phone and
    ID numbers typed into their free text (a summary, a note)."""
    if isinstance(value, dict):  # (never the ciphertext kept beside a personal field)
        shown = mask_record(value, reveal=True) if reveal else mask_shown(value)
        return {k: masked(v, reveal) for k, v in shown.items()}
    if isinstance(value, list):
        table = masked_rows(value, reveal)
        if table is not None:
            return table.records()
        return [masked(v, reveal) for v in value]
    return value


class Rows:
    """A list of records that all have the same keys in the same order, held a column at a
    time: what a long list is masked, written and drawn from, a column at a time (a value
    of each kind is looked at once a column, not once a cell). `seconds`: the keys whose
    values are moments as stored -- whole UTC seconds, or None -- which each format writes
    as it writes a moment (JSON the UTC text, CSV and tables local time) straight from the
    numbers; as records they are the UTC text (`clock.texts_of`), as ever."""

    __slots__ = ("columns", "keys", "seconds", "size")

    def __init__(self, keys: Sequence[Any], columns: Sequence[Sequence[Any]], size: int,
                 seconds: Sequence[str] = ()):
        self.keys, self.columns, self.size = list(keys), list(columns), size
        self.seconds = frozenset(k for k in seconds if k in self.keys)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, part: slice) -> Rows:
        """The rows `part` (a slice): `screen_cut` keeps the first screenful."""
        return Rows(self.keys, [list(values[part]) for values in self.columns],
                    len(range(self.size)[part]), self.seconds)

    @classmethod
    def of(cls, records: Any) -> Rows | None:
        """`records` by column, or None when they are not a non-empty list of dicts of the
        same keys (then handled a record at a time)."""
        if not isinstance(records, list) or not records:
            return None
        keys = tuple(records[0]) if type(records[0]) is dict else None
        if not keys or not all(type(r) is dict and tuple(r) == keys for r in records):
            return None
        return cls(keys, list(zip(*(r.values() for r in records), strict=True)),
                   len(records))

    def column(self, key: str) -> Sequence[Any]:
        """The values under `key` (None where there is no such key), as held: a moment of
        a `seconds` column as its number."""
        for k, values in zip(self.keys, self.columns, strict=True):
            if k == key:
                return values
        return [None] * self.size

    def texts(self) -> list[Sequence[Any]]:
        """The columns, those of `seconds` as the UTC text records hold."""
        if not self.seconds:
            return self.columns
        from tongwei_cli.core.clock import texts_of

        return [texts_of(values) if key in self.seconds else values
                for key, values in zip(self.keys, self.columns, strict=True)]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.keys, values, strict=True))
                for values in zip(*self.texts(), strict=True)] if self.keys else \
            [{} for _ in range(self.size)]


def masked_rows(records: Any, reveal: bool) -> Rows | None:
    """`masked(records, reveal)` a column at a time (`masking.mask_column`), for a list of
    records of the same keys (or their `Rows`); None for anything else."""
    table = records if isinstance(records, Rows) else Rows.of(records)
    if table is None:
        return None
    from tongwei_cli.core.fields import is_sealed
    from tongwei_cli.core.masking import mask_column

    keys, columns = [], []
    for key, values in zip(table.keys, table.columns, strict=True):
        if isinstance(key, str) and is_sealed(key):
            continue  # the ciphertext or blind index beside a personal field: never shown
        out = values if reveal else mask_column(key, values)
        if out is None or (reveal and not set(map(type, values)) <= _SCALARS):
            # nested records or lists: a value at a time, as `masked` takes them
            out = [masked(v, True) for v in values] if reveal else \
                [masked(mask_shown({key: v})[key], False) for v in values]
        keys.append(key)
        columns.append(out)
    return Rows(keys, columns, table.size, table.seconds)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def lookup(record: dict[str, Any], key: str) -> Any:
    """`record[key]`, where `a.b` reaches into nested dicts."""
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


class Display:
    """Formats one value for people, by column kind, in the current language."""

    def __init__(self, lang: str, refs: Any = None, tz: Any = None):
        self.lang = lang
        self.refs = refs
        self.tz = tz

    def __call__(self, column: Column, value: Any) -> str:
        if value is None:
            return ""
        kind = column.kind
        if kind == "money":
            return fen_to_yuan(value)
        if kind.startswith("ref:") and self.refs is not None:
            return self.refs.name(kind[4:], value, self.lang)
        if kind.startswith("word:"):  # a word of its own list first (event.filed: 立案)
            return i18n.word(f"{kind[5:]}.{value}", self.lang, fallback=str(value))
        if kind == "word":
            return i18n.word(str(value), self.lang)
        if kind == "bool":
            return i18n.word("yes" if value else "no", self.lang)
        if kind == "stamp" and self.tz is not None:
            from tongwei_cli.core.clock import local_text

            return local_text(value, self.tz)
        if kind == "minutes" and isinstance(value, int):
            return duration(value, self.lang)
        return str(value)

    def column(self, column: Column, values: Sequence[Any]) -> list[str]:
        """`[self(column, v) for v in values]`, a column at a time: a text column as it
        is, a code's word or name looked up once for each code, moments made local once a
        UTC day (`_local_texts`)."""
        kind = column.kind
        kinds = set(map(type, values))
        if kinds <= {str, type(None)} and (kind in ("text", "int") or (
                kind.startswith("ref:") and self.refs is None)):
            return list(values) if kinds == {str} else \
                [v if type(v) is str else "" for v in values]
        if kind == "stamp" and self.tz is not None and kinds <= {str, type(None)}:
            return _local_texts(values, self.tz)
        if kind == "stamp" and self.tz is not None and kinds <= {int, type(None)}:
            return _seconds_texts(values, self.tz, csv=False)  # (as stored: UTC seconds)
        if kind == "minutes" and kinds == {int}:
            return _durations(values, self.lang)
        if kind.startswith(("ref:", "word")) or kind == "bool":
            try:  # one look-up a code (a code, a word: a few in a list of thousands)
                if len(kinds) == 1:  # (values of one type: each its own key)
                    one = {v: self(column, v) for v in set(values)}
                    return list(map(one.__getitem__, values))
                shown = {key: self(column, key[1]) for key in {(type(v), v) for v in values}}
                return [shown[type(v), v] for v in values]
            except TypeError:  # (a value that is no code: a cell at a time)
                pass
        return [self(column, v) for v in values]


def _durations(values: Sequence[int], lang: str) -> list[str]:
    """`[duration(v, lang) for v in values]` for whole minutes: the days' part and the rest
    of the day's written once each (after days the hours are always said: `1天0小时05分`)."""
    from itertools import repeat
    from operator import floordiv, mod

    minutes = list(map(max, values, repeat(0)))
    days = list(map(floordiv, minutes, repeat(1440)))
    rests = list(map(mod, minutes, repeat(1440)))
    day_unit, hour_unit, minute_unit = ("天", "小时", "分") if lang == "zh" else \
        ("d ", "h ", "m")
    day_texts = {d: f"{d}{day_unit}" if d else "" for d in set(days)}
    said = {r: f"{r // 60}{hour_unit}{r % 60:02d}{minute_unit}" for r in set(rests)}
    alone = {r: said[r] if r >= 60 else f"{r}{minute_unit}" for r in said}
    return [day_texts[d] + (said[r] if d else alone[r]) for d, r in zip(days, rests, strict=True)]


def duration(minutes: int, lang: str) -> str:
    """How late, as every view writes it (the warning list and show, the daily report's
    dispatch list in each format): `1天18小时39分` / `1d 18h 39m`, `2小时05分` / `2h 05m`,
    `7分` / `7m`. One word with no space in Chinese, so a table never breaks it."""
    days, rest = divmod(max(minutes, 0), 24 * 60)
    hours, mins = divmod(rest, 60)
    if lang == "zh":
        return (f"{days}天" if days else "") + (f"{hours}小时" if days or hours else "") \
            + (f"{mins:02d}分" if days or hours else f"{mins}分")
    return (f"{days}d " if days else "") + (f"{hours}h " if days or hours else "") \
        + (f"{mins:02d}m" if days or hours else f"{mins}m")


# -- what people see ----------------------------------------------------------------

# C0 and C1 control characters (tab and newline too: in a cell they break the table; ESC
# starts a terminal escape), the marks, embeddings, overrides and isolates that reorder
# bidirectional text, and the Unicode line and paragraph separators. None is printable, so
# a string that `isprintable()` (almost every one) is returned as it is, without the regex
# (compiled on first use, through `re`'s cache: a millisecond that most commands never need).
_HIDDEN = r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]"


def visible(text: str) -> str:
    """`text` as every human format shows it (table, text, markdown, html, xlsx): each
    control or bidirectional-formatting character written as an escape (`\\x1b`,
    `\\u202e`), so that no stored value can colour or move the terminal, reorder what is
    read, or break a spreadsheet. The stored value is untouched (JSON and CSV carry it)."""
    if text.isprintable():
        return text
    return re.sub(_HIDDEN, _escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_column(texts: list[str]) -> list[str]:
    """`[visible(t) for t in texts]`: the column itself when all of it is printable."""
    return texts if "".join(texts).isprintable() else [visible(t) for t in texts]


def visible_lines(text: str) -> str:
    """`visible` for a note of several lines: its line breaks stay line breaks."""
    return "\n".join(visible(line) for line in text.split("\n"))


# -- writing ------------------------------------------------------------------------

def _write(data: str | bytes, output: Path | None, *, revealed: bool = False) -> None:
    """`data` to the screen (no `-o`, or `-o -`) or to the file `output`, whole or not at
    all (`files.write_file`); `revealed`: it holds personal data in full (always 0600).
    A CSV's BOM is for Excel opening a file: never in a pipe (`row["no"]`, not `\ufeffno`)."""
    if output is None or str(output) == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data.removeprefix(b"\xef\xbb\xbf"))
            sys.stdout.flush()
        else:
            sys.stdout.write(data.removeprefix("\ufeff"))
        return
    from tongwei_cli.render.files import write_file

    write_file(output, data if isinstance(data, bytes) else data.encode("utf-8"),
               revealed=revealed)
    status(f"wrote {output}")


def status(text: str) -> None:
    """A note for the person (stderr), never part of the machine output; written in
    English, shown in the officer's language (`core.words.localise`)."""
    print(visible_lines(i18n.localise(text)), file=sys.stderr)


def warn(text: str) -> None:
    """`warning: …` (警告：…) on stderr: accepted, but worth a second look."""
    print(visible_lines(i18n.warning_line(text)), file=sys.stderr)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def _null(_value: Any) -> str:
    return "null"


def _float_json(value: float) -> str | None:
    return repr(value) if value == value and value not in (float("inf"), float("-inf")) \
        else None


def rows_json(table: Rows) -> str:
    """`to_json(table.records())`, the same text, written a column at a time: each value's
    JSON made by the encoders `json` itself uses (a whole column through one, where it is
    of one kind), then each record from one template of its keys (`%`), the records joined
    once. (json's C encoder does not indent; its indenting encoder is Python, a call a
    value.)"""
    from json.encoder import encode_basestring

    encoders: dict[type, Any] = {str: encode_basestring, int: int.__repr__,
                                 bool: lambda v: "true" if v else "false",
                                 type(None): _null}
    if not table.keys or not all(type(k) is str for k in table.keys):
        return to_json(table.records())
    heads, parts = [], []
    for key, values in zip(table.keys, table.texts(), strict=True):
        kinds = set(map(type, values))
        if float in kinds:
            # (each float written once; not a zero: -0.0 and 0.0 are one key of a dict)
            floats = {v: _float_json(v) for v in values if type(v) is float and v}
            if None in floats.values():  # NaN, infinities: as json writes them
                return to_json(table.records())
            encoders[float] = lambda v, known=floats: known[v] if v else _float_json(v)
        if not kinds <= encoders.keys():
            return to_json(table.records())
        head = f"    {encode_basestring(key)}: ".replace("%", "%%")
        if kinds == {type(None)}:  # (a column of nothing: in the template itself)
            heads.append(head + "null")
            continue
        heads.append(head + "%s")
        parts.append(list(map(encoders[kinds.pop()], values)) if len(kinds) == 1 else
                     [encoders[type(v)](v) for v in values])
    record = ",\n".join(heads)
    items = map(record.__mod__, zip(*parts, strict=True)) if parts else [record] * table.size
    return "[\n  {\n" + "\n  },\n  {\n".join(items) + "\n  }\n]\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# A text of a column joined after "\0"s that starts a formula (`_csv_column`: one pass).
_FORMULA_AT_START = re.compile("\0[" + re.escape("".join(FORMULA_START)) + "]")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# A moment as stored (`clock.stamp`): UTC, to the second.
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def is_moment_key(key: str) -> bool:
    """The keys that hold a stored moment: `at`, `…_at`, `as_of`."""
    return key in ("at", "as_of") or key.endswith("_at")


def csv_moment(key: str, value: Any, tz: Any) -> Any:
    """A stored UTC moment as CSV writes it: the county's local time with its offset,
    `2026-11-28 17:15:00+08:00` -- a person opening the file in Excel reads the Tongwei
    hour, and a script (`pd.read_csv(..., parse_dates=[...])`, `datetime.fromisoformat`)
    reads the exact moment."""
    if isinstance(value, str) and is_moment_key(key) and _STAMP.fullmatch(value):
        from tongwei_cli.core import clock

        return clock.local(value, tz).isoformat(sep=" ")
    return value


def _zone(tz: Any) -> Any:
    if tz is not None:
        return tz
    from tongwei_cli.core import settings

    return settings.current().tz


def to_csv(records: list[dict[str, Any]], keys: Sequence[str] | None = None,
           tz: Any = None) -> str:
    """UTF-8 CSV with a BOM (for Excel), English keys as headers, moments in local time
    with their offset (`csv_moment`)."""
    if keys is None:
        keys = list(records[0].keys()) if records else []
    zone = _zone(tz)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    for record in records:
        writer.writerow([_csv_cell(key, record.get(key), zone) for key in keys])
    return buffer.getvalue()


def rows_csv(table: Rows, tz: Any = None) -> str:
    """`to_csv(table.records(), tz=tz)`, the same text, written a column at a time: the
    moments of a moment's column made local, the texts of a column that starts a formula
    neutralised, its empty cells made empty strings -- each looked for once a column."""
    zone = _zone(tz)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.keys)
    columns = [_csv_column(key, values, zone, key in table.seconds)
               for key, values in zip(table.keys, table.columns, strict=True)]
    lines = _csv_lines(columns)
    if lines is not None:
        buffer.write(lines)
    else:
        writer.writerows(zip(*columns, strict=True) if columns else [[]] * table.size)
    return buffer.getvalue()


_QUOTED = (",", '"', "\r", "\n")  # what makes `csv` quote a field (the excel dialect)


def _csv_lines(columns: list[Sequence[Any]]) -> str | None:
    """What `csv.writer(…, lineterminator="\r\n").writerows(zip(*columns))` writes, a
    column at a time: a column's texts quoted only when one of them holds a comma, a quote
    or a line break (and then as `csv` quotes: in quotes, quotes doubled). None for what
    this does not reckon with (a single column, a NUL, a value of another kind)."""
    if len(columns) < 2:
        return None
    texts: list[Sequence[str]] = []
    for values in columns:
        kinds = set(map(type, values))
        if not kinds <= {str, int, float}:
            return None
        column = values if kinds == {str} else list(map(str, values)) if kinds == {int} \
            else [v if type(v) is str else repr(v) if type(v) is float else str(v)
                  for v in values]
        joined = "".join(column)
        if "\0" in joined:
            return None
        if any(mark in joined for mark in _QUOTED):
            column = ['"' + t.replace('"', '""') + '"' if any(m in t for m in _QUOTED) else t
                      for t in column]
        texts.append(column)
    return "\r\n".join(map(",".join, zip(*texts, strict=True))) + "\r\n"


def _csv_column(key: Any, values: Sequence[Any], zone: Any, seconds: bool = False
                ) -> Sequence[Any]:
    """`[_csv_cell(key, v, zone) for v in values]`; `seconds`: the values are moments as
    stored, whole UTC seconds (`Rows.seconds`), written as their UTC text is."""
    if seconds:
        if is_moment_key(key):
            values = _seconds_texts(values, zone, csv=True)
        else:
            from tongwei_cli.core.clock import texts_of

            values = texts_of(values)
    kinds = set(map(type, values))
    if not kinds <= {str, int, float, type(None)}:  # (bool, nested, other: a cell at a time)
        return [_csv_cell(key, v, zone) for v in values]
    out = values
    if str in kinds:
        if is_moment_key(key) and not seconds:
            out = _local_moments(out, zone)
        texts = "\0" + "\0".join(out if len(kinds) == 1 else
                                  [v for v in out if type(v) is str])
        if _FORMULA_AT_START.search(texts):  # (a text that starts one)
            out = [safe_cell(v) for v in out]
    if type(None) in kinds:
        out = ["" if v is None else v for v in out]
    return out


def _local_moments(values: Sequence[Any], zone: Any) -> list[Any]:
    """`csv_moment` of each value of a moment's column: a stored UTC moment as local time
    with its offset. The zone is asked once a UTC day, not once a moment: where its offset
    is the same at the day's first and last second (every day but those a summer time
    starts or ends), a moment of that day is its time of day plus the offset, written as
    `isoformat` writes it -- reckoned once for each time of day in the column. (A day whose
    offset changes, a value of another shape: `csv_moment` itself.)"""
    from datetime import timedelta

    stamp = _STAMP.fullmatch
    if set(map(type, values)) == {str} and all(map(stamp, values)) \
            and "".join(values).isascii():  # (the usual: every value a moment)
        days = {d: _utc_day(d, zone, timedelta) for d in {v[:10] for v in values}}
        offsets = {day[0] if day else None for day in days.values()}
        if len(offsets) == 1 and None not in offsets:
            offset, sign = next((day[0], day[2]) for day in days.values() if day)
            names = {d: day[1] for d, day in days.items() if day}
            table = _minutes(offset // 60) if offset % 60 == 0 else {}
            if {v[11:16] for v in values} <= table.keys() \
                    and {v[17:19] for v in values} <= _SECONDS.keys():
                return [names[v[:10]][table[v[11:16]][0]] + table[v[11:16]][1] + v[16:19]
                        + sign for v in values]
    days = {}
    times: dict[tuple[int, str], Any] = {}
    out = []
    for v in values:
        if type(v) is str and stamp(v) and v.isascii():
            day = days.get(v[:10], False)
            if day is False:
                day = days[v[:10]] = _utc_day(v[:10], zone, timedelta)
            if day is not None:
                key = (day[0], v[11:19])
                clock_time = times.get(key, False)
                if clock_time is False:
                    clock_time = times[key] = _time_of_day(v[11:19], day[0], day[2])
                if clock_time is not None:
                    out.append(day[1][clock_time[0]] + clock_time[1])
                    continue
        out.append(csv_moment("at", v, zone))
    return out


_SECONDS = {f"{n:02d}": n for n in range(60)}

# The UTC days (since 1970) whose moments `_utc_day` and `_calm_day` reckon with: years 1001
# to 9998 (`date(1001, 1, 1).toordinal() - date(1970, 1, 1).toordinal()`, and of 9999).
_FIRST_DAY, _END_DAY, _EPOCH_ORDINAL = -353920, 2932532, 719163


def _seconds_texts(values: Sequence[Any], zone: Any, *, csv: bool) -> list[Any]:
    """Stored moments as whole UTC seconds (or None) in local time: as CSV writes them
    (`csv=True`: `csv_moment` of their UTC text, `2026-11-28 17:15:00+08:00`; None stays
    None), or as a table shows them (`clock.local_text`, `2026-11-28 17:15`; None is "").
    The zone is asked once at the start of each UTC day the moments fall on (and of the
    day after; for a table of the days on either side too, as `_calm_day`); where that is
    one offset for every day (a zone without summer time, or a list within one season) the
    column is made by C-level maps: each moment plus the offset, its local date and time of
    day each written once. A day whose offset changes, a value of another kind or out of
    range: a value at a time, by the function that defines the text."""
    from itertools import repeat
    from operator import add, floordiv, mod

    from tongwei_cli.core.clock import local_text, text_of

    kinds = set(map(type, values))
    if type(None) in kinds and kinds <= {int, type(None)}:  # (a feedback not yet given)
        empty = None if csv else ""
        if kinds == {type(None)}:
            return [empty] * len(values)
        texts = iter(_seconds_texts([v for v in values if v is not None], zone, csv=csv))
        return [empty if v is None else next(texts) for v in values]
    around = (0, 1) if csv else (-1, 0, 1, 2)
    if kinds == {int} and _FIRST_DAY <= min(values) // 86400 \
            and max(values) // 86400 < _END_DAY:
        days = {d + k for d in set(map(floordiv, values, repeat(86400))) for k in around}
        starts = _day_starts(days, zone)
        offsets = {starts[d] for d in days}
        if len(offsets) == 1 and None not in offsets:
            offset, sign = offsets.pop()
            local = list(map(add, values, repeat(offset)))
            local_days = list(map(floordiv, local, repeat(86400)))
            for d in set(local_days).difference(_LOCAL_DATES):
                _LOCAL_DATES[d] = _date_text(d)
            rests = list(map(mod, local, repeat(86400)))
            clock_times = _CLOCK_TIMES.setdefault((csv, sign), {})
            new, two = set(rests).difference(clock_times), _TWO_DIGITS
            clock_times.update(
                {r: f"{two[r // 3600]}:{two[r // 60 % 60]}:{two[r % 60]}{sign}" for r in new}
                if csv else {r: f"{two[r // 3600]}:{two[r // 60 % 60]}" for r in new})
            return list(map(str.__add__, map(_LOCAL_DATES.__getitem__, local_days),
                            map(clock_times.__getitem__, rests)))
    starts = _STARTS.setdefault(zone, {})
    asked: set[int] = set()
    out: list[Any] = []
    for v in values:
        if v is None:
            out.append(None if csv else "")
            continue
        if type(v) is int and _FIRST_DAY <= v // 86400 < _END_DAY:
            day = v // 86400
            if day not in asked:
                _day_starts((day - 1, day, day + 1, day + 2), zone)
                asked.add(day)
            if starts[day] is not None and all(starts[day + k] == starts[day] for k in around):
                local = v + starts[day][0]
                sign = starts[day][1]
                rest = local % 86400
                out.append(_date_text(local // 86400) + (
                    f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}{sign}" if csv
                    else f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"))
                continue
        out.append(csv_moment("at", text_of(v), zone) if csv else local_text(v, zone))
    return out


# What `_seconds_texts` has written (a list's columns share most of their days and times):
# a local day since 1970 -> `2026-11-29 `; (CSV?, offset) -> a second of the local day ->
# `10:30:00+08:00` (CSV) or `10:30` (a table).
_LOCAL_DATES: dict[int, str] = {}
_CLOCK_TIMES: dict[tuple[bool, str], dict[int, str]] = {}
_TWO_DIGITS = [f"{n:02d}" for n in range(60)]  # (a time of day's parts, `05`)


def _day_starts(days: Any, zone: Any) -> dict[int, tuple[int, str] | None]:
    """The zone's offset at the first second of each UTC day of `days`: in seconds, and as
    `isoformat` writes it after a time (`+08:00`, `+05:45`, `-00:25:21`); None for a zone
    that gives none. (Kept for the process: a list's columns share most of their days.)"""
    known = _STARTS.setdefault(zone, {})
    for day in set(days).difference(known):
        offset = datetime.fromtimestamp(day * 86400, zone).utcoffset()
        known[day] = None if offset is None or offset.microseconds else _offset_of(offset)
    return known


@functools.cache
def _offset_of(offset: Any) -> tuple[int, str]:
    """A UTC offset (a timedelta) in seconds and as `isoformat` writes it after a time."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return seconds, f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


_STARTS: dict[Any, dict[int, tuple[int, str] | None]] = {}


def _date_text(day: int) -> str:
    """The date of a day since 1970, as `isoformat` writes it, and the blank after it."""
    return date.fromordinal(_EPOCH_ORDINAL + day).isoformat() + " "


@functools.cache
def _minutes(offset: int) -> dict[str, tuple[int, str]]:
    """Each UTC time of day to the minute (`HH:MM`) with `offset` minutes added: which
    local day (0 the day before, 1 the same, 2 the day after) and the local `HH:MM`."""
    out = {}
    for minute in range(1440):
        shift, rest = divmod(minute + offset, 1440)
        out[f"{minute // 60:02d}:{minute % 60:02d}"] = (shift + 1,
                                                       f"{rest // 60:02d}:{rest % 60:02d}")
    return out


def _time_of_day(text: str, offset: int, sign: str) -> tuple[int, str] | None:
    """`HH:MM:SS` (UTC) plus `offset` seconds: which local day (0 the day before, 1 the
    same, 2 the day after) and the local time with the offset written after it."""
    h, m, sec = int(text[:2]), int(text[3:5]), int(text[6:])
    if h > 23 or m > 59 or sec > 59:
        return None
    shift, rest = divmod(h * 3600 + m * 60 + sec + offset, 86400)
    return shift + 1, f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}{sign}"


def _utc_day(text: str, zone: Any, timedelta: Any) -> tuple[int, tuple[str, ...], str] | None:
    """For the UTC day `text` (YYYY-MM-DD): the zone's offset through the whole day in
    seconds, the local dates of the day before, the day and the day after (each with the
    blank after it), and the offset as `isoformat` writes it; None where the offset changes
    that day (or the text is no day this can reckon with)."""
    from datetime import UTC

    try:
        start = datetime.fromisoformat(text).replace(tzinfo=UTC)
        if not text.isascii() or not 1000 < start.year < 9999:
            return None
        first = start.astimezone(zone)
        last = (start + timedelta(seconds=86399)).astimezone(zone)
    except (ValueError, OverflowError):
        return None
    if first.utcoffset() != last.utcoffset() or first.utcoffset() is None:
        return None
    offset = first.utcoffset().total_seconds()
    if offset != int(offset):
        return None
    names = tuple((start + timedelta(days=k)).date().isoformat() + " " for k in (-1, 0, 1))
    return int(offset), names, first.isoformat(sep=" ")[19:]


def _csv_cell(key: Any, value: Any, zone: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    else:
        value = csv_moment(key, value, zone)
    return "" if value is None else safe_cell(value)


ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "gb18030": "gb18030"}


def csv_encoding(value: str | None, chosen: str) -> str:
    """`--encoding`: utf-8 (the default, with a BOM) or gb18030, and only for CSV."""
    if value is None:
        return "utf-8"
    name = ENCODINGS.get(value.strip().lower())
    if name is None:
        raise InvalidValue(f"unknown encoding {value!r}; valid: utf-8, gb18030", "encoding")
    if name != "utf-8" and chosen != "csv":
        raise InvalidValue(f"{name} is for CSV; {chosen} is always UTF-8", "encoding")
    return name


def csv_bytes(text: str, encoding: str) -> str | bytes:
    """The CSV text as written: UTF-8 with its BOM as it is, or GB18030 without one (the
    platform's own files have none)."""
    if encoding == "gb18030":
        return text.removeprefix("\ufeff").encode("gb18030")
    return text


def refuse_binary_on_terminal(chosen: str, output: Path | None) -> None:
    """A PDF or spreadsheet is not for the terminal: `-o FILE` (a pipe is fine)."""
    if (output is None or str(output) == "-") and sys.stdout.isatty():
        raise InvalidValue(f"{chosen} is a binary file; give -o FILE.{chosen}", "format")


# -- spreadsheets -------------------------------------------------------------------
#
# Every sheet tongwei writes has the same shape: its full title in A1, the column headings
# in row 2, one row per record or figure from row 3, and nothing else -- notes and totals
# go on a sheet of their own. So `pd.read_excel(f, sheet_name=NAME, header=1)` gives clean
# columns on every sheet. Moments are Excel date-times in local time, money is yuan, and
# each sheet prints on A4, one page wide, its heading row repeated, with the bureau, the
# report and the page number in the header and footer.

XLSX_HEADER = 1  # the 0-based row of the headings, for pandas' `header=`
MOMENT_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
_ISO_DATE = r"\d{4}-\d\d-\d\d"  # (compiled on the first spreadsheet)


class Sheet:
    __slots__ = ("cell_formats", "columns", "formats", "name", "rows", "title", "widths")

    def __init__(self, name: str, title: str, columns: list[str], rows: list[list[Any]],
                 formats: list[str | None], widths: list[int],
                 cell_formats: list[list[str | None]] | None = None):
        self.name = name  # the tab: short (Excel allows 31 characters)
        self.title = title  # cell A1
        self.columns = columns
        self.rows = rows  # str, int, Decimal, float, date, datetime (naive, local), None
        self.formats = formats  # a number format per column
        self.widths = widths
        # a number format per cell, where a column mixes kinds (a report's figures: counts,
        # money and rates one under the other)
        self.cell_formats = cell_formats


def xlsx_book(sheets: Sequence[Sheet], *, header: tuple[str, str], lang: str) -> bytes:
    """The workbook: `header` (left, right) printed at the top of every page, the page
    number at the foot."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "tongwei"
    book.properties.lastModifiedBy = "tongwei"
    book.properties.title = header[0]
    bold, big = Font(bold=True), Font(bold=True, size=13)
    fill = PatternFill("solid", fgColor="EEEEEE")
    wrap = Alignment(wrap_text=True, vertical="top")
    pages = i18n.PAGE["page_of"][0 if lang == "zh" else 1].format(page="&P", pages="&N")
    taken: set[str] = set()
    for spec in sheets:
        sheet = book.create_sheet(_tab(spec.name, taken))
        sheet.append([_text(spec.title)])
        sheet["A1"].font = big
        sheet.append([_text(c) for c in spec.columns])
        for col in range(1, len(spec.columns) + 1):
            head = sheet.cell(row=2, column=col)
            head.font, head.fill, head.alignment = bold, fill, wrap
        for values in spec.rows:
            sheet.append([_text(v) for v in values])
        for col, number_format in enumerate(spec.formats, 1):
            if number_format is None and spec.cell_formats is None and not any(
                    isinstance(r[col - 1], date) for r in spec.rows):
                continue
            for row in range(3, sheet.max_row + 1):
                cell = sheet.cell(row=row, column=col)
                if spec.cell_formats is not None:
                    number_format = spec.cell_formats[row - 3][col - 1]
                if isinstance(cell.value, datetime):
                    cell.number_format = MOMENT_FORMAT
                elif isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
                elif number_format is not None:
                    cell.number_format = number_format
        for col, width in enumerate(spec.widths, 1):
            sheet.column_dimensions[get_column_letter(col)].width = width
            if width >= 60:
                for row in range(3, sheet.max_row + 1):
                    sheet.cell(row=row, column=col).alignment = wrap
        sheet.freeze_panes = "A3"
        sheet.print_title_rows = "2:2"
        setup = sheet.page_setup
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.orientation = "landscape" if sum(spec.widths) > 120 else "portrait"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.8, bottom=0.7,
                                         header=0.3, footer=0.3)
        sheet.oddHeader.left.text = _header_text(header[0])
        sheet.oddHeader.left.size = 9
        sheet.oddHeader.right.text = _header_text(header[1])
        sheet.oddHeader.right.size = 9
        sheet.oddFooter.center.text = pages
        sheet.oddFooter.center.size = 9
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _tab(name: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in visible(name))[:31] or "sheet"
    name, n = clean, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _text(value: Any) -> Any:
    """A text cell: shown as every human format shows it (`visible`: openpyxl refuses
    control characters), and never a formula."""
    return safe_cell(visible(value)) if isinstance(value, str) else value


def _header_text(text: str) -> str:
    """Text for a page header: `&` doubled (it starts a code there), within Excel's 255
    characters for the whole header."""
    text = visible(text)
    if len(text) > 100:
        text = text[:99] + "…"
    return text.replace("&", "&&")


def column_width(texts: Sequence[str], most: int = 50) -> int:
    """A column as wide as its widest text in display cells (CJK characters are two)."""
    import unicodedata

    def cells(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)

    # a bit over one unit (the width of "0") per cell: LibreOffice's default font is wider
    # than Excel's
    return min(round(max([cells(t) for t in texts] + [4]) * 1.2) + 2, most)


def sheet_value(column: Column, value: Any, show: Display) -> tuple[Any, str | None]:
    """A list's value as a spreadsheet holds it, and its number format: money in yuan,
    counts as numbers, moments as local date-times, dates as dates, codes as words."""
    if value is None or value == "":
        return None, None
    kind = column.kind
    if kind == "money" and isinstance(value, int):
        from decimal import Decimal

        return Decimal(value) / 100, "#,##0.00"
    if kind == "int" and isinstance(value, int):
        return value, "0"
    if kind == "minutes" and isinstance(value, int):
        return round(value / 60, 2), "0.00"  # hours, the unit in the heading
    if kind == "stamp":
        from tongwei_cli.core import clock

        return clock.local(value, _zone(show.tz)).replace(tzinfo=None), MOMENT_FORMAT
    text = show(column, value)
    if kind == "text" and re.fullmatch(_ISO_DATE, text):
        try:
            return date.fromisoformat(text), DATE_FORMAT
        except ValueError:
            pass
    return text, None


def list_sheets(records: list[dict[str, Any]], columns: Sequence[Column], show: Display,
                title: str | None, footer: dict[str, Any] | None, notes: Sequence[str],
                sheet: str | None = None) -> list[Sheet]:
    """A list as a spreadsheet: the records on the first sheet (so that
    `pd.read_excel(f, header=1)` reads them), what the table shows beneath it -- totals and
    notes -- on a second."""
    lang = show.lang
    pair = i18n.PAGE.get(f"list.{sheet}") or i18n.PAGE["sheet.list"]
    name = title or (pair[0] if lang == "zh" else pair[1])
    rows, formats = [], [None] * len(columns)
    for record in records:
        row = []
        for i, column in enumerate(columns):
            value, number_format = sheet_value(column, lookup(record, column.key), show)
            row.append(value)
            if number_format and number_format not in (DATE_FORMAT, MOMENT_FORMAT):
                formats[i] = number_format
        rows.append(row)
    hours = i18n.PAGE["hours"][0 if lang == "zh" else 1]
    labels = [(f"{c.label(lang)}({hours})" if lang == "zh" else f"{c.label(lang)} ({hours})")
              if c.kind == "minutes" else c.label(lang) for c in columns]
    widths = []
    for i, label in enumerate(labels):
        sample = [label] + [_shown(r[i]) for r in rows[:500]]
        widths.append(column_width(sample))

    def word(key: str) -> str:
        return i18n.PAGE[key][0 if lang == "zh" else 1]

    info = [[word("report"), name], [word("rows"), len(records)]]
    for column in columns[1:]:  # under the first column the table counts its rows
        if footer and footer.get(column.key) not in (None, ""):
            info.append([column.label(lang), visible(show(column, footer[column.key]))])
    info += [[word("notes"), visible(note)] for note in notes]
    data = Sheet(name, name, labels, rows, formats, widths)
    about = Sheet(word("sheet.info"), name, [word("item"), word("value")], info,
                  [None, None], [16, 70])
    return [data, about]


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return "2026-11-28 17:15"
    if value is None:
        return ""
    return str(value)


def _console(output: Path | None, buffer: io.StringIO | None = None):
    from rich.console import Console

    if buffer is not None:
        return Console(file=buffer, width=PAGE_WIDTH, no_color=True, highlight=False,
                       markup=False, emoji=False, force_terminal=False, color_system=None)
    # Stored values are printed literally: `[red]` or `:warning:` in a name is not markup.
    console = Console(highlight=False, markup=False, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped into `less` or a file: do not squeeze the table into 80 columns.
        console = Console(highlight=False, markup=False, emoji=False, width=PAGE_WIDTH)
    return console


PAGE_WIDTH = 160


# -- tables for people ---------------------------------------------------------------
#
# Lists are drawn here, not by rich's Table: a terminal of 80 columns (an officer's) must
# show every key, number, date and sum of money whole, on one line, and a long list must
# draw in microseconds a row (rich's Table costs about a millisecond a row: 3.4 s for the
# national file's dispatch list). Column widths come from the data; rich is used only to
# measure text in terminal cells (a CJK character is two) and for the heading's style.
#
# A column is *fixed* when its values must never be split -- money, counts, moments,
# durations, yes/no, and any column whose every value is one short ASCII word (a case or
# warning number, a date, a masked phone or ID number) -- and *free* otherwise (a name, a
# summary, a venue, an institution). Within a width: the columns a list names as least
# needed are left out, lowest first, while the fixed columns and a few cells of each free
# one do not fit (the table says which it left out); then free text shares what is left
# and a value too long for it ends with `…` (`show` prints it whole). Without a width (a
# pipe, a file) every column is shown and nothing is cut.

_FIXED_KINDS = ("money", "int", "stamp", "minutes", "bool")
_RIGHT_KINDS = ("money", "int")
_FREE_LEAST = 10  # the fewest cells a free column is squeezed to before columns are left out
_GAP = "  "
_TOKEN_MOST = 24  # a value of one ASCII word up to this long is a key or a number


def _is_token(text: str) -> bool:
    return len(text) <= _TOKEN_MOST and text.isascii() and " " not in text


def _cells(text: str) -> int:
    """`text`'s width on a terminal: a CJK character takes two cells."""
    if text.isascii():  # printable (`visible`): one cell a character
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def _cells_of(texts: list[str]) -> list[int]:
    """`[_cells(t) for t in texts]`. A column whose every character is printable ASCII (a
    cell, a byte in UTF-8) or takes two cells and three bytes (Chinese: names, stations,
    how late) is measured by C-level maps, the cells of each text half its characters and
    bytes together; any other by `rich` (a character at a time, for those not seen)."""
    joined = "".join(texts)
    if joined.isascii():
        return list(map(len, texts))
    from rich.cells import cell_len, get_character_cell_size

    if all(" " <= ch <= "~" or ("\u0800" <= ch <= "\uffff" and not "\ud800" <= ch <= "\udfff"
                                and get_character_cell_size(ch) == 2) for ch in set(joined)):
        from itertools import repeat
        from operator import add, floordiv

        return list(map(floordiv, map(add, map(len, texts), map(len, map(str.encode, texts))),
                        repeat(2)))
    return list(map(cell_len, texts))


def _local_texts(values: Sequence[str | None], tz: Any) -> list[str]:
    """`[clock.local_text(v, tz) for v in values]` for stored moments (or None): the zone
    asked once a UTC day, where its offset is the same from the day before to the day after
    (so that no time of the day is one a zone shows twice, which `local_text` marks with
    its offset); any other day, and any other value, by `local_text` itself."""
    from datetime import UTC, timedelta

    from tongwei_cli.core.clock import local_text

    stamp = _STAMP.fullmatch
    days: dict[str, Any] = {}
    out = []
    for v in values:
        if type(v) is str and stamp(v) and v.isascii():
            day = days.get(v[:10], False)
            if day is False:
                day = days[v[:10]] = _calm_day(v[:10], tz, timedelta, UTC)
            h, m = int(v[11:13]), int(v[14:16])
            if day is not None and h < 24 and m < 60 and int(v[17:19]) < 60:
                shift, rest = divmod(h * 60 + m + day[0], 1440)
                out.append(f"{day[1][shift + 1]} {rest // 60:02d}:{rest % 60:02d}")
                continue
        out.append(local_text(v, tz))
    return out


def _calm_day(text: str, tz: Any, timedelta: Any, utc: Any
              ) -> tuple[int, tuple[str, ...]] | None:
    """For the UTC day `text`: the zone's offset in whole minutes, the same from the day
    before to the day after, and the local dates of the day before, the day and the day
    after; None otherwise."""
    try:
        start = datetime.fromisoformat(text).replace(tzinfo=utc)
        if not text.isascii() or not 1000 < start.year < 9999:
            return None
        offsets = {(start + timedelta(seconds=s)).astimezone(tz).utcoffset()
                   for s in (-86400, 0, 86399, 2 * 86400 - 1)}
    except (ValueError, OverflowError):
        return None
    if len(offsets) != 1 or None in offsets:
        return None
    seconds = offsets.pop().total_seconds()
    if seconds % 60:
        return None
    return int(seconds // 60), tuple((start + timedelta(days=k)).date().isoformat()
                                     for k in (-1, 0, 1))


def _fit(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: padded, or cut with `…`."""
    size = _cells(text)
    if size > width:
        from rich.cells import set_cell_size

        text = set_cell_size(text, width - 1).rstrip() + "…"
        size = _cells(text)
    pad = " " * (width - size)
    return pad + text if right else text + pad


def _fold(text: str, width: int, even: bool = False) -> list[str]:
    """`text` over lines of at most `width` cells: broken at spaces where it can be, and
    inside a word (a Chinese phrase) where it must; `even`: lines of about the same length
    (a heading: 风险/等级, not 风险等/级)."""
    from rich.cells import get_character_cell_size

    if even and " " not in text:
        size = _cells(text)
        lines_needed = -(-size // max(width, 1))
        width = min(width, -(-size // lines_needed) + 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, size = "", 0
        for word in re.split(r"(?<= )", paragraph):
            wide = _cells(word)
            if size + wide - (1 if word.endswith(" ") else 0) <= width:
                line, size = line + word, size + wide
                continue
            if line and wide <= width:
                lines.append(line.rstrip())
                line, size = word, wide
                continue
            for ch in word:  # a word longer than the column: cut where it must
                ch_size = get_character_cell_size(ch)
                if size + ch_size > width and line:
                    lines.append(line.rstrip())
                    line, size = "", 0
                line, size = line + ch, size + ch_size
        lines.append(line.rstrip())
    return lines or [""]


def _short_station(name: str) -> str:
    for suffix in ("派出所", " Police Station"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class _Col:
    __slots__ = ("column", "fixed", "foot", "heading", "label", "natural", "right", "sizes",
                 "texts", "width")

    def __init__(self, column: Column, label: str, texts: list[str], foot: str, fixed: bool,
                 right: bool, natural: int, heading: int, sizes: list[int]):
        self.column, self.label, self.texts, self.foot = column, label, texts, foot
        self.sizes = sizes  # each text's width in cells
        self.fixed, self.right = fixed, right
        self.natural = natural  # the widest value (or the heading's longest word)
        self.heading = heading  # the fewest cells the heading takes (folded)
        self.width = 0

    @property
    def least(self) -> int:
        """The fewest cells a free column is squeezed to."""
        return max(min(self.natural, _FREE_LEAST), self.heading)


def _share(cols: list[_Col], width: int) -> None:
    """Fixed columns their widest value; free text the room left, the narrow ones whole
    and the rest in proportion to their widest value (a long name more than a short
    kind)."""
    free = sorted((c for c in cols if not c.fixed), key=lambda c: c.natural)
    room = width - sum(c.natural for c in cols if c.fixed) - len(_GAP) * (len(cols) - 1)
    wanted = sum(c.natural for c in free)
    for c in cols:
        c.width = c.natural
    for c in free:
        share = max(room * c.natural // max(wanted, 1), c.least, 1)
        c.width = min(c.natural, share)
        room -= c.width
        wanted -= c.natural


def _table_width(output: Path | None) -> int | None:
    """The cells a table may take: the terminal's width (or `COLUMNS`), none for a pipe or
    a file (everything whole: `grep` and `less -S` read it)."""
    if output is not None and str(output) != "-":
        return None
    if "COLUMNS" in os.environ:
        try:
            return max(int(os.environ["COLUMNS"]), 20)
        except ValueError:
            pass
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    return max(shutil.get_terminal_size().columns, 20)


def _column_values(rows: list[dict[str, Any]] | Rows, column: Column, show: Display
                   ) -> Sequence[Any]:
    """The values a table's column shows: a moment held as UTC seconds (`Rows.seconds`) as
    its number where `show` makes it local time, else as its UTC text."""
    if isinstance(rows, Rows):
        values = rows.column(column.key)
        if column.key in rows.seconds and (column.kind != "stamp" or show.tz is None):
            from tongwei_cli.core.clock import texts_of

            return texts_of(values)
        return values
    return [lookup(row, column.key) for row in rows]


def light_table(columns: Sequence[Column], rows: list[dict[str, Any]] | Rows, show: Display,
                *, width: int | None, footer: dict[str, Any] | None = None,
                drop: Sequence[str] | None = None, wrap: bool = False,
                bold: bool = False, colours: dict[str, list[str | None]] | None = None
                ) -> tuple[list[str], list[str]]:
    """A table as lines of text, and the labels of the columns left out for want of width.
    `drop`: the keys of the columns that may be left out, the least needed first (default:
    every column but the first, from the right); `wrap`: free text goes on over lines
    instead of being cut (a record's timeline, where `show` owes the whole text); `bold`:
    the heading in bold -- and `colours`, by column key, each row's cell in its SGR colour
    (None: none). Drawn a column at a time: each column's texts made, measured and padded
    in one go, the rows joined at the end."""
    size = rows.size if isinstance(rows, Rows) else len(rows)
    cols = []
    for column in columns:
        texts = visible_column(show.column(column, _column_values(rows, column, show)))
        sizes = _cells_of(texts)
        foot = visible(show(column, footer.get(column.key))) if footer else ""
        fixed = column.kind in _FIXED_KINDS or (
            max(sizes, default=0) <= _TOKEN_MOST and "".join(texts).isascii()
            and " " not in "".join(texts))
        label = visible(column.label(show.lang))
        widest = max([*sizes, _cells(foot)])
        heading = max((_cells(w) for w in label.split(" ")), default=0)
        if not label.isascii():  # a Chinese heading of four characters or more: two lines
            half = -(-_cells(label) // 2)
            heading = _cells(label) if len(label) <= 3 else \
                min(_cells(label), max(widest, half + half % 2))
        cols.append(_Col(column, label, texts, foot, fixed, column.kind in _RIGHT_KINDS,
                         max(widest, heading, 1), heading, sizes))
    left_out: list[str] = []
    if width is not None:
        order = list(drop) if drop is not None else [c.key for c in columns[1:]][::-1]

        def least(shown: list[_Col]) -> int:
            return sum(c.natural if c.fixed else c.least for c in shown) \
                + len(_GAP) * (len(shown) - 1)

        for key in order:
            if least(cols) <= width:
                break
            gone = [c for c in cols if c.column.key == key]
            if gone and len(cols) > 1:
                cols.remove(gone[0])
                left_out.append(gone[0].label)
        _share(cols, width)
        cut = [c for c in cols if c.column.kind == "ref:stations" and c.width < c.natural]
        for c in cut:  # 平襄派出所 under the heading 派出所 reads as 平襄
            c.texts = [_short_station(t) for t in c.texts]
            c.sizes = _cells_of(c.texts)
            c.natural = max([*c.sizes, _cells(c.foot), c.heading, 1])
        if cut:
            _share(cols, width)
        spare = width - sum(c.width for c in cols) - len(_GAP) * (len(cols) - 1)
    else:
        for c in cols:
            c.width = c.natural
        spare = 1 << 30
    for wanted in (lambda c: c.natural, lambda c: _cells(c.label)):
        for c in cols:  # room to spare: free text less cut, then headings on one line
            grow = min(max(wanted(c) - c.width, 0), spare)
            c.width += grow
            spare -= grow

    def line(values: list[str]) -> str:
        return _GAP.join(_fit(v, c.width, c.right) for v, c in zip(values, cols, strict=True)
                         ).rstrip()

    def lines_of(values: list[str], folded: bool) -> list[str]:
        if not folded or all(_cells(v) <= c.width for v, c in zip(values, cols, strict=True)):
            return [line(values)]
        parts = [_fold(v, c.width) if _cells(v) > c.width else [v]
                 for v, c in zip(values, cols, strict=True)]
        height = max(len(p) for p in parts)
        return [line([p[i] if i < len(p) else "" for p in parts]) for i in range(height)]

    heads = [_fold(c.label, c.width, even=True) if _cells(c.label) > c.width else [c.label]
             for c in cols]
    out = [line([h[i] if i < len(h) else "" for h in heads])
           for i in range(max(len(h) for h in heads))]
    if bold:
        out = [f"\x1b[1m{text}\x1b[0m" for text in out]
    rule = "─" * sum(c.width for c in cols) + "─" * (len(_GAP) * (len(cols) - 1))
    out.append(rule)
    if wrap:
        for i in range(size):
            out.extend(lines_of([c.texts[i] for c in cols], wrap))
    else:  # one line a row: each column padded (or cut) to its width, then joined
        padded = [_fitted(c) for c in cols]
        if bold and colours:
            padded = [[f"\x1b[{code}m{text}\x1b[0m" if code else text
                       for text, code in zip(texts, colours[c.column.key], strict=True)]
                      if c.column.key in colours else texts
                      for c, texts in zip(cols, padded, strict=True)]
        out.extend(map(str.rstrip, map(_GAP.join, zip(*padded, strict=True))))
    if footer:
        out.append(rule)
        out.extend(lines_of([c.foot for c in cols], wrap))
    return out, left_out


def _fitted(c: _Col) -> list[str]:
    """`[_fit(t, c.width, c.right) for t in c.texts]`, from the widths already known."""
    width = c.width
    if max(c.sizes, default=0) <= width:  # (every text fits: each padded, by C-level maps)
        from itertools import repeat
        from operator import mul, sub

        pads = map(mul, repeat(" "), map(sub, repeat(width), c.sizes))
        return list(map(str.__add__, pads, c.texts) if c.right else
                    map(str.__add__, c.texts, pads))
    if c.right:
        return [" " * (width - n) + t if n <= width else _fit(t, width, True)
                for t, n in zip(c.texts, c.sizes, strict=True)]
    return [t + " " * (width - n) if n <= width else _fit(t, width)
            for t, n in zip(c.texts, c.sizes, strict=True)]


def _styled() -> bool:
    """The heading in bold: on a terminal that takes colour (not with NO_COLOR)."""
    try:
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ \
            and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _table_text(title: str | None, columns: Sequence[Column],
                rows: list[dict[str, Any]] | Rows,
                show: Display, width: int | None, *, footer: dict[str, Any] | None = None,
                drop: Sequence[str] | None = None, wrap: bool = False,
                bold: bool = False, notes: Sequence[str] = (),
                left_out_word: str = "left_out",
                colours: dict[str, list[str | None]] | None = None) -> str:
    """The table with its title above and its notes below, the notes folded to `width`;
    `left_out_word`: the note naming the columns a narrow terminal left out."""
    lines, left_out = light_table(columns, rows, show, width=width, footer=footer,
                                  drop=drop, wrap=wrap, bold=bold, colours=colours)
    head = [visible(title)] if title else []
    prose = [i18n.say(left_out_word, show.lang, width=width,
                      columns=i18n.say("list_sep", show.lang).join(left_out))
             ] if left_out else []
    for note in [*prose, *notes]:
        for text in visible_lines(note).split("\n"):
            lines.extend(_fold(text, width) if width else [text])
    return "\n".join(head + lines) + "\n"


def _print_rich(renderables: list[Any], output: Path | None, *, revealed: bool = False
                ) -> None:
    if output is None:
        console = _console(None)
        for item in renderables:
            console.print(item)
        return
    buffer = io.StringIO()
    console = _console(output, buffer)
    for item in renderables:
        console.print(item)
    _write(buffer.getvalue(), output, revealed=revealed)


def emit_list(records: list[dict[str, Any]] | Rows, columns: Sequence[Column], *,
              fmt: str | None, output: Path | None, title: str | None = None,
              reveal: bool = False, refs: Any = None, tz: Any = None,
              footer: dict[str, Any] | None = None,
              notes: Sequence[str] = (), lang: str | None = None,
              encoding: str | None = None, sheet: str | None = None,
              drop: Sequence[str] | None = None) -> None:
    """A list: table (localised), or JSON array / CSV of the records with English keys, or
    a spreadsheet of the table's columns (localised, typed; `sheet`: what the list is, for
    its title -- `case` gives 案件列表). `drop`: the columns a narrow terminal may leave
    out, the least needed first (`light_table`). `records` may come a column at a time
    (`Rows`: a long list, its moments as stored)."""
    chosen = choose_format(fmt, output, LIST_FORMATS)
    charset = csv_encoding(encoding, chosen)
    if isinstance(records, Rows) and not records.size:
        records = []  # (an empty list is written as ever: no keys)
    table = masked_rows(records, reveal)
    if table is not None and chosen in ("json", "csv"):  # (a long list: a column at a time)
        text = rows_json(table) if chosen == "json" else csv_bytes(rows_csv(table, tz),
                                                                   charset)
        _write(text, output, revealed=reveal)
        return
    data: Any = masked(records, reveal) if table is None else table
    if chosen == "json":
        _write(to_json(data), output, revealed=reveal)
        return
    if chosen == "csv":
        _write(csv_bytes(to_csv(data, tz=tz), charset), output, revealed=reveal)
        return
    show = Display(lang or i18n.lang(), refs, tz)
    if chosen == "xlsx":
        refuse_binary_on_terminal(chosen, output)
        from tongwei_cli.core import clock

        if isinstance(data, Rows):
            data = data.records()
        sheets = list_sheets(data, columns, show, title, footer, notes, sheet)
        bureau = i18n.BUREAU[0 if show.lang == "zh" else 1]
        printed = clock.now_utc().astimezone(_zone(tz)).strftime("%Y-%m-%d %H:%M")
        _write(xlsx_book(sheets, header=(f"{bureau} · {sheets[0].title}", printed),
                       lang=show.lang), output, revealed=reveal)
        return
    on_screen = output is None or str(output) == "-"
    _write(_table_text(title, columns, data, show, _table_width(output), footer=footer,
                       drop=drop, bold=on_screen and _styled(), notes=notes),
           output, revealed=reveal)


Section = tuple[str, list[dict[str, Any]], Sequence[Column]]


def emit_record(record: dict[str, Any], fields: Sequence[Column], *, fmt: str | None,
                output: Path | None, title: str | None = None, reveal: bool = False,
                refs: Any = None, tz: Any = None, sections: Sequence[Section] = (),
                lang: str | None = None) -> None:
    """One record: a two-column table and its sections (e.g. a timeline), or one JSON
    object, or a one-row CSV (nested lists as JSON)."""
    chosen = choose_format(fmt, output, RECORD_FORMATS)
    data = masked(record, reveal)
    if chosen == "json":
        _write(to_json(data), output, revealed=reveal)
        return
    if chosen == "csv":
        _write(to_csv([data]), output, revealed=reveal)
        return
    from rich.table import Table

    show = Display(lang or i18n.lang(), refs, tz)
    main = Table(title=title and visible(title), show_header=False, title_justify="left")
    main.add_column(style="bold")
    main.add_column(overflow="fold")
    for column in fields:
        main.add_row(column.label(show.lang), visible(show(column, lookup(data, column.key))))
    parts: list[Any] = [main]
    on_screen = output is None or str(output) == "-"
    for section_title, rows, columns in sections:
        from rich.text import Text

        bold = on_screen and _styled()
        text = _table_text(section_title, columns, masked(rows, reveal), show,
                           _table_width(output) or PAGE_WIDTH, wrap=True, drop=(),
                           bold=bold).rstrip("\n")
        parts.append(Text.from_ansi(text) if bold else text)
    _print_rich(parts, output, revealed=reveal)


def emit_key(key: str, record: dict[str, Any], fmt: str | None, reveal: bool = False) -> None:
    """What an `add` command prints: the new key, or the stored record with --format json."""
    if fmt and fmt.strip().lower() == "json":
        _write(to_json(masked(record, reveal)), None)
    elif fmt and fmt.strip().lower() not in ("table", "text"):
        raise InvalidValue(f"unknown format {fmt!r}; valid: json, text", "format")
    else:
        _write(f"{visible(key)}\n", None)


