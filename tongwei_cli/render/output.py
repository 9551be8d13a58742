"""The one module that knows about output formats and imports rich.

Domain functions hand over plain records (English keys, codes, money in fen);
this module masks personal data, localises labels and writes the chosen format
to the screen or to `-o FILE`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tongwei_cli.core import words as i18n
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.masking import mask_shown

LIST_FORMATS = ("table", "json", "csv")
REPORT_FORMATS = ("table", "json", "csv", "text", "markdown", "html", "xlsx")
EXTENSIONS = {".json": "json", ".csv": "csv", ".txt": "text", ".text": "text",
              ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
              ".xlsx": "xlsx"}


@dataclass(frozen=True)
class Column:
    """A column of a table: the record key, how to show the value -- text, money (fen ->
    yuan), int, ref:<kind> (code -> name), word (code -> word), bool, stamp (UTC -> local
    time) -- and its label: `zh`/`en` when given (a record's field, `core.fields`), else
    the catalogue's (`core.words.COLUMNS`) under `label` or the key."""

    key: str
    kind: str = "text"
    label_key: str | None = None
    zh: str | None = None
    en: str | None = None

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
    if reveal:
        return value
    if isinstance(value, dict):
        return {k: masked(v, reveal) for k, v in mask_shown(value).items()}
    if isinstance(value, list):
        return [masked(v, reveal) for v in value]
    return value


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
        if kind == "word":
            return i18n.word(str(value), self.lang)
        if kind == "bool":
            return i18n.word("yes" if value else "no", self.lang)
        if kind == "stamp" and self.tz is not None:
            from tongwei_cli.core.clock import local_text

            return local_text(value, self.tz)
        return str(value)


# -- what people see ----------------------------------------------------------------

# C0 and C1 control characters (tab and newline too: in a cell they break the table; ESC
# starts a terminal escape), the marks, embeddings, overrides and isolates that reorder
# bidirectional text, and the Unicode line and paragraph separators. None is printable, so
# a string that `isprintable()` (almost every one) is returned as it is, without the regex.
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """`text` as every human format shows it (table, text, markdown, html, xlsx): each
    control or bidirectional-formatting character written as an escape (`\\x1b`,
    `\\u202e`), so that no stored value can colour or move the terminal, reorder what is
    read, or break a spreadsheet. The stored value is untouched (JSON and CSV carry it)."""
    if text.isprintable():
        return text
    return _HIDDEN.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_lines(text: str) -> str:
    """`visible` for a note of several lines: its line breaks stay line breaks."""
    return "\n".join(visible(line) for line in text.split("\n"))


# -- writing ------------------------------------------------------------------------

def _write(data: str | bytes, output: Path | None, *, revealed: bool = False) -> None:
    """`data` to the screen (no `-o`, or `-o -`) or to the file `output`, whole or not at
    all (`files.write_file`); `revealed`: it holds personal data in full (always 0600)."""
    if output is None or str(output) == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data)
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


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(records: list[dict[str, Any]], keys: Sequence[str] | None = None) -> str:
    """UTF-8 CSV with a BOM (for Excel), English keys as headers."""
    if keys is None:
        keys = list(records[0].keys()) if records else []
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    for record in records:
        row = []
        for key in keys:
            value = record.get(key)
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append("" if value is None else safe_cell(value))
        writer.writerow(row)
    return buffer.getvalue()


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


def _rich_table(title: str | None, columns: Sequence[Column], rows: list[dict[str, Any]],
                show: Display, footer: dict[str, Any] | None = None):
    from rich.table import Table

    table = Table(title=title and visible(title), show_footer=footer is not None,
                  title_justify="left")
    for column in columns:
        justify = "right" if column.kind in ("money", "int") else "left"
        foot = visible(show(column, footer.get(column.key))) if footer else ""
        table.add_column(column.label(show.lang), justify=justify, footer=foot,
                         overflow="fold")
    for row in rows:
        table.add_row(*(visible(show(c, lookup(row, c.key))) for c in columns))
    return table


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


def emit_list(records: list[dict[str, Any]], columns: Sequence[Column], *, fmt: str | None,
              output: Path | None, title: str | None = None, reveal: bool = False,
              refs: Any = None, tz: Any = None, footer: dict[str, Any] | None = None,
              notes: Sequence[str] = (), lang: str | None = None) -> None:
    """A list: table (localised), or JSON array / CSV of the records with English keys."""
    chosen = choose_format(fmt, output, LIST_FORMATS)
    data = masked(records, reveal)
    if chosen == "json":
        _write(to_json(data), output, revealed=reveal)
        return
    if chosen == "csv":
        _write(to_csv(data), output, revealed=reveal)
        return
    show = Display(lang or i18n.lang(), refs, tz)
    parts: list[Any] = [_rich_table(title, columns, data, show, footer)]
    parts.extend(notes)
    _print_rich(parts, output, revealed=reveal)


Section = tuple[str, list[dict[str, Any]], Sequence[Column]]


def emit_record(record: dict[str, Any], fields: Sequence[Column], *, fmt: str | None,
                output: Path | None, title: str | None = None, reveal: bool = False,
                refs: Any = None, tz: Any = None, sections: Sequence[Section] = (),
                lang: str | None = None) -> None:
    """One record: a two-column table and its sections (e.g. a timeline), or one JSON
    object, or a one-row CSV (nested lists as JSON)."""
    chosen = choose_format(fmt, output, LIST_FORMATS)
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
    for section_title, rows, columns in sections:
        parts.append(_rich_table(section_title, columns, masked(rows, reveal), show))
    _print_rich(parts, output, revealed=reveal)


def emit_key(key: str, record: dict[str, Any], fmt: str | None, reveal: bool = False) -> None:
    """What an `add` command prints: the new key, or the stored record with --format json."""
    if fmt and fmt.strip().lower() == "json":
        _write(to_json(masked(record, reveal)), None)
    elif fmt and fmt.strip().lower() not in ("table", "text"):
        raise InvalidValue(f"unknown format {fmt!r}; valid: json, text", "format")
    else:
        _write(f"{visible(key)}\n", None)


