"""Reading an import file: its format, its encoding, its header and its rows.

CSV (UTF-8, UTF-8 with BOM or GB18030, detected), XLSX/XLS/ODS (python-calamine) and JSON (an
array of objects) become one stream of `(line, raw)` pairs; the header is matched against the
kind's columns and the platform's headers in `data/import_headers.csv`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.settings import data_dir

if TYPE_CHECKING:
    from tongwei_cli.imports.engine import ImportKind

Row = dict[str, Any]
Progress = Callable[[int, int | None], None]


# -- headers ------------------------------------------------------------------------

def normalise_header(value: Any) -> str:
    """`Victim_Phone ` -> `victim-phone`; `身份证号（必填）*` -> `身份证号(必填)`."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = text.strip().strip("*").strip().lower().replace("_", "-")
    return "-".join(text.split())


def header_aliases(kind: ImportKind) -> dict[str, str]:
    """The platform's headers for `kind`, from `data/import_headers.csv`
    (`kind,header,column`; kind `*` applies wherever the column exists)."""

    path = data_dir() / "import_headers.csv"
    aliases: dict[str, str] = {}
    if not path.exists():
        return aliases
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            which = (row.get("kind") or "").strip()
            column = normalise_header(row.get("column"))
            header = normalise_header(row.get("header"))
            if not header or column not in kind.columns:
                continue
            if which == kind.name or (which == "*" and header not in aliases):
                aliases[header] = column
    return aliases


def map_headers(kind: ImportKind, headers: Sequence[Any]) -> tuple[list[str | None], list[str]]:
    """The column each header stands for (None: ignored), and notes for ignored ones."""
    aliases = header_aliases(kind)
    columns: list[str | None] = []
    seen: dict[str, str] = {}
    ignored = []
    for header in headers:
        name = normalise_header(header)
        column = name if name in kind.columns else aliases.get(name)
        if column is None:
            if name:
                ignored.append(str(header).strip())
            columns.append(None)
            continue
        if column in seen:
            raise InvalidValue(f"columns {seen[column]!r} and {str(header).strip()!r} both "
                               f"give {column}", "FILE")
        seen[column] = str(header).strip()
        columns.append(column)
    missing = [c for c in kind.required if c not in seen]
    if missing:
        raise InvalidValue(
            f"the file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} "
            f"(a {kind.name} file has: {', '.join(kind.columns)})", "FILE")
    notes = [f"ignored column{'s' if len(ignored) > 1 else ''}: {', '.join(ignored)}"
             ] if ignored else []
    return columns, notes


# -- reading ------------------------------------------------------------------------

def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return "xlsx"
    if suffix in (".json",):
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if head.lstrip().startswith(b"["):
        return "json"
    return "csv"


def regular_file(path: Path) -> None:
    """Refuse, before a byte of it is read, what is not a regular file: `/dev/zero` would be
    hashed forever, a pipe read until its writer stops."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InvalidValue(f"{path} does not exist", "FILE") from None
    except OSError as exc:
        raise InvalidValue(f"{path} cannot be read ({exc.strerror})", "FILE") from None
    if stat.S_ISDIR(mode):
        raise InvalidValue(f"{path} is a folder", "FILE")
    if not stat.S_ISREG(mode):
        raise InvalidValue(f"{path} is not a regular file (a device, a pipe or a socket): "
                           "save the data in a file and import that", "FILE")


Cells = Sequence[Any]


def _blank(cells: Cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the file has a BOM, `utf-8` when it decodes as UTF-8, else
    `gb18030` (the platform's exports)."""
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
    encoding = detect_encoding(path)
    size = path.stat().st_size
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        try:
            sample = handle.read(4096)
        except UnicodeDecodeError:
            raise InvalidValue(f"cannot be read as {encoding} text", "FILE") from None
        handle.seek(0)
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        line = 1
        try:
            for n, cells in enumerate(reader, 1):
                yield line, cells
                line = reader.line_num + 1
                if progress and n % 2000 == 0:
                    progress(handle.buffer.tell(), size)
        except UnicodeDecodeError:
            raise InvalidValue(f"line {line} cannot be read as {encoding} text", "FILE") \
                from None
        except csv.Error as exc:
            raise InvalidValue(f"line {line}: {exc}", "FILE") from None


def _sheet_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own errors for damaged files
        raise InvalidValue(f"cannot be read as a spreadsheet ({exc})", "FILE") from None
    first = (sheet.start or (0, 0))[0] + 1
    total = sheet.height
    for n, cells in enumerate(sheet.iter_rows()):
        # calamine gives a date-time cell at exactly 00:00 as a `date`; a spreadsheet cannot
        # tell that from a date cell, so both become midnight (date columns take its date).
        yield first + n, [datetime.combine(c, time.min) if type(c) is date else c
                          for c in cells]
        if progress and n % 2000 == 0:
            progress(n, total)


def _json_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidValue(f"is not valid JSON ({exc})", "FILE") from None
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())),
                                                                list):
        data = next(iter(data.values()))  # {"warnings": [...]}
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise InvalidValue("must be a JSON array of objects", "FILE")
    headers: list[str] = []
    for item in data:
        for name in item:
            if name not in headers:
                headers.append(name)
    yield 0, headers
    for n, item in enumerate(data, 1):
        yield n, [item.get(h) for h in headers]


READERS = {"csv": _csv_rows, "xlsx": _sheet_rows, "json": _json_rows}
WHAT = {"csv": "line", "xlsx": "row", "json": "item"}


def read_rows(kind: ImportKind, path: Path, progress: Progress | None = None
              ) -> tuple[Iterator[tuple[int, Row]], list[str]]:
    """The data rows of the file as `(line, raw)`, and notes about its header."""
    stream = READERS[file_format(path)](path, progress)
    for _, cells in stream:
        if not _blank(cells):
            headers = list(cells)
            break
    else:
        raise InvalidValue("is empty: no header row", "FILE")
    columns, notes = map_headers(kind, headers)
    keys = [(i, c.replace("-", "_")) for i, c in enumerate(columns) if c]
    absent = {c.replace("-", "_"): None for c in kind.columns if c not in columns}
    width = len(columns)
    # Every header used, in order: a row of the header's width is zip(names, cells), written
    # over a copy of `template` (the row's keys in their order, the absent columns None):
    # copying a dict of the right keys and overwriting them is the cheapest way to build it.
    names = [k for _, k in keys] if len(keys) == width else None
    template = {**{k: None for _, k in keys}, **absent}
    what = WHAT[file_format(path)]

    def rows() -> Iterator[tuple[int, Row]]:
        copy = template.copy
        for line, cells in stream:
            first = cells[0] if cells else None
            # a row whose first cell holds text is not blank (the usual row: its key)
            if not (type(first) is str and first and not first.isspace()) and _blank(cells):
                continue
            raw = copy()
            if names is not None and len(cells) == width:
                raw.update(zip(names, cells, strict=False))  # the lengths are equal
            else:
                if len(cells) > width and not _blank(cells[width:]):
                    raise InvalidValue(f"{what} {line} has more cells than the header", "FILE")
                raw.update((k, cells[i]) for i, k in keys if i < len(cells))
            yield line, raw

    return rows(), notes


def file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()
