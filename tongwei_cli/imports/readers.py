"""Reading an import file: its format, its encoding, its header and its rows.

CSV (UTF-8, UTF-8 with BOM or GB18030, detected), XLSX/XLS/ODS (python-calamine) and JSON (an
array of objects) become one stream of `(line, raw)` pairs; the header is matched against the
kind's columns and the platform's headers in `data/import_headers.csv`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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


# -- CSV: one encoding a file -------------------------------------------------------
#
# A CSV file is UTF-8 (with or without a BOM) when all of it decodes as UTF-8, else GB18030,
# as the platform exports it. A file in both -- GB18030 rows pasted under UTF-8 ones, or the
# other way round -- is refused: read as one encoding, the other's names would be stored
# garbled (张伟 as 寮犱紵). UTF-8 then GB18030 shows as a byte UTF-8 cannot decode after
# UTF-8 text. GB18030 then UTF-8 decodes "validly" as GB18030, so a line of a GB18030 file
# that is valid UTF-8 and holds a UTF-8 Chinese character (a lead byte E4-E9 and two
# continuation bytes 80-BF) is taken for UTF-8; a GB18030 line is both only by a rare
# coincidence of its bytes.

_UTF8_CHINESE = re.compile(rb"[\xe4-\xe9][\x80-\xbf][\x80-\xbf]")
# The same sequence, found a block at a time at C speed: lead bytes become 1, continuation
# bytes 2, and the block is searched for 1 2 2.
_MARKS = bytes(1 if 0xE4 <= b <= 0xE9 else 2 if 0x80 <= b <= 0xBF else 0 for b in range(256))
_LONG_LINE = 1 << 20  # a longer line of a GB18030 file is not watched (no CSV row is that long)
_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030"}


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether `data` is text in `encoding` (a character cut off at its end allowed)."""
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, False)
    except UnicodeDecodeError:
        return False
    return True


def _line_at(path: Path, offset: int) -> tuple[int, int, bytes, int]:
    """The line holding byte `offset`: its number, the byte it starts at and its bytes (the
    first 64 KiB); and the first byte of a UTF-8 Chinese character before `offset` (-1:
    none). Read again from the start: this is for the message of a refused file."""
    number, start, chinese, at = 1, 0, -1, 0
    with path.open("rb") as handle:
        while at < offset and (block := handle.read(min(1 << 20, offset - at))):
            if chinese < 0 and (found := _UTF8_CHINESE.search(block)):
                chinese = at + found.start()
            if newlines := block.count(b"\n"):
                number += newlines
                start = at + block.rfind(b"\n") + 1
            at += len(block)
        handle.seek(start)
        text = handle.read(1 << 16)
    end = text.find(b"\n")
    return number, start, text[:end + 1] if end >= 0 else text, chinese


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the file has a BOM, `utf-8` when it decodes as UTF-8, else `gb18030`
    (the platform's exports). A file whose UTF-8 lines are followed by a GB18030 one is
    refused here; the other way round, while it is read (`_Gb18030Watch`)."""
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
        if not bom:
            handle.seek(0)
        done, rest = handle.tell(), b""
        try:
            while block := handle.read(1 << 20):
                data = rest + block
                _, used = codecs.utf_8_decode(data, "strict", False)
                done, rest = done + used, data[used:]
            if not rest:
                return "utf-8-sig" if bom else "utf-8"
            bad = done  # the file ends inside a character
        except UnicodeDecodeError as exc:
            bad = done + exc.start
    number, start, line, chinese = _line_at(path, bad)
    if bom or 0 <= chinese < start:
        if _decodes(line, "gb18030"):
            raise InvalidValue(f"line {number} is GB18030 but lines before it are UTF-8: "
                               "save the file in one encoding", "FILE")
        raise InvalidValue(f"line {number} cannot be read as UTF-8 text", "FILE")
    if chinese >= 0:
        raise InvalidValue(f"line {number} mixes UTF-8 and GB18030 text: save the file in "
                           "one encoding", "FILE")
    return "gb18030"


def _undecodable(path: Path, encoding: str) -> InvalidValue:
    """The refusal of a file that stops decoding as `encoding` somewhere, naming the line."""
    decoder = codecs.getincrementaldecoder(encoding)()
    at = bad = 0
    with path.open("rb") as handle:
        while True:
            block = handle.read(1 << 20)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block, not block)
            except UnicodeDecodeError as exc:
                bad = at - pending + exc.start
                break
            if not block:
                break
            at += len(block)
    number, _, line, _ = _line_at(path, bad)
    if encoding == "gb18030" and _decodes(line, "utf-8"):
        return InvalidValue(f"line {number} is UTF-8 but lines before it are GB18030: save "
                            "the file in one encoding", "FILE")
    return InvalidValue(f"line {number} cannot be read as {_ENCODING_NAMES[encoding]} text",
                        "FILE")


class _Gb18030Watch(io.RawIOBase):
    """The bytes of a GB18030 file on their way to the decoder, a block at a time, watched
    for a line of UTF-8 text (see above). A block costs two passes in C (translate, find);
    only a line holding a UTF-8 Chinese sequence is decoded on the way."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.block, self.at = b"", 0
        self.position = 0  # bytes read from the file
        self.line = 1  # the number of the line `self.rest` begins
        self.rest = b""  # the unfinished last line
        self.blind = False  # inside a line too long to watch

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.at == len(self.block):
            self.block, self.at = self.raw.read(1 << 20), 0
            self.position += len(self.block)
            self._watch(self.block)
            if not self.block:
                return 0
        n = min(len(buffer), len(self.block) - self.at)
        buffer[:n] = self.block[self.at:self.at + n]
        self.at += n
        return n

    def _watch(self, block: bytes) -> None:
        if not block:  # the end: the last line, if it has no newline
            if self.rest and not self.blind:
                self._check(self.rest, len(self.rest))
            self.rest = b""
            return
        if self.blind:
            cut = block.find(b"\n") + 1
            if not cut:
                return
            self.line, self.blind, block = self.line + 1, False, block[cut:]
        data = self.rest + block
        end = data.rfind(b"\n") + 1
        if end:
            self._check(data, end)
            self.line += data.count(b"\n", 0, end)
        self.rest = data[end:]
        if len(self.rest) > _LONG_LINE:
            self.rest, self.blind = b"", True

    def _check(self, data: bytes, end: int) -> None:
        """Refuse the first line of `data[:end]` (whole lines) that is UTF-8 text."""
        marks = data.translate(_MARKS)
        at = marks.find(b"\x01\x02\x02", 0, end)
        while at >= 0:
            start = data.rfind(b"\n", 0, at) + 1
            stop = data.find(b"\n", at, end) + 1 or end
            if _decodes(data[start:stop], "utf-8"):
                number = self.line + data.count(b"\n", 0, start)
                raise InvalidValue(f"line {number} is UTF-8 but lines before it are GB18030: "
                                   "save the file in one encoding", "FILE")
            at = marks.find(b"\x01\x02\x02", stop, end)


def _delimiter(path: Path) -> str:
    """A tab when the first line has more tabs than commas (both are ASCII in either
    encoding), else a comma."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    first = head.splitlines()[0] if head else b""
    return "\t" if first.count(b"\t") > first.count(b",") else ","


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
    encoding = detect_encoding(path)
    size = path.stat().st_size
    delimiter = _delimiter(path)
    with path.open("rb", buffering=0) as raw:
        watch = _Gb18030Watch(raw) if encoding == "gb18030" else None
        binary = io.BufferedReader(watch or raw)
        with io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            line = 1
            try:
                for n, cells in enumerate(reader, 1):
                    yield line, cells
                    line = reader.line_num + 1
                    if progress and n % 2000 == 0:
                        progress(watch.position if watch else raw.tell(), size)
            except UnicodeDecodeError:
                raise _undecodable(path, encoding) from None
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
