"""Reading an import file: its format, its encoding, its header and its rows.

CSV (UTF-8, UTF-8 with BOM or GB18030, detected), XLSX/XLS/XLSB/ODS (python-calamine) and
JSON (an array of objects) become one stream of `(line, raw)` pairs; the header is matched
against the kind's columns and the platform's headers in `data/import_headers.csv`.

A hostile or careless file is refused with one line, before anything is written: what is not a
regular file, a CSV file in two encodings, a spreadsheet past the limits below (a sheet
calamine could not hold would abort the process), a formula without its saved value.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import itertools
import json
import posixpath
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.settings import data_dir

if TYPE_CHECKING:
    import zipfile

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
    (`kind,header,column`; kind `*` applies wherever the column exists), and the labels of
    tongwei's own tables (`ImportKind.labels`), which the file's lines override."""

    path = data_dir() / "import_headers.csv"
    aliases: dict[str, str] = {normalise_header(label): column
                               for label, column in kind.labels.items()}
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
# bytes 2, and the block is searched for 1 2 2 (`re` finds a literal faster than bytes.find
# does here, where 2 is frequent).
_MARKS = bytes(1 if 0xE4 <= b <= 0xE9 else 2 if 0x80 <= b <= 0xBF else 0 for b in range(256))
_MARKED = re.compile(b"\x01\x02\x02").search
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

    def __init__(self, raw: BinaryIO, path: Path):
        self.raw, self.path = raw, path
        self.block, self.at = b"", 0
        self.position = 0  # bytes read from the file
        self.rest, self.start = b"", 0  # the unfinished last line, and where it starts
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
            return
        if self.blind:
            cut = block.find(b"\n") + 1
            self.start += cut or len(block)
            if not cut:
                return
            self.blind, block = False, block[cut:]
        data = self.rest + block
        end = data.rfind(b"\n") + 1
        if end:
            self._check(data, end)
        self.rest, self.start = data[end:], self.start + end
        if len(self.rest) > _LONG_LINE:
            self.rest, self.start, self.blind = b"", self.start + len(self.rest), True

    def _check(self, data: bytes, end: int) -> None:
        """Refuse the first line of `data[:end]` (whole lines) that is UTF-8 text."""
        marks = data.translate(_MARKS)
        found = _MARKED(marks, 0, end)
        while found:
            at = found.start()
            start = data.rfind(b"\n", 0, at) + 1
            stop = data.find(b"\n", at, end) + 1 or end
            if _decodes(data[start:stop], "utf-8"):
                number = _line_at(self.path, self.start + start)[0]
                raise InvalidValue(f"line {number} is UTF-8 but lines before it are GB18030: "
                                   "save the file in one encoding", "FILE")
            found = _MARKED(marks, stop, end)


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
        watch = _Gb18030Watch(raw, path) if encoding == "gb18030" else None
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


# -- spreadsheets: limits -----------------------------------------------------------
#
# python-calamine reads the whole sheet into memory, 32 bytes for every cell of the rectangle
# its cells span however empty, and when that cannot be allocated Rust aborts the process (a
# 4.9 KB XLSX with one cell at XFD1048576 asks for 512 GiB). So a spreadsheet is checked
# against these limits before calamine sees it (the README's "Limits" table):
SHEET_BYTES = 256 << 20  # the file, in any format
JSON_BYTES = 64 * 2**20  # a JSON file is read whole: its objects take ~10 × its size
UNPACKED_BYTES = 1 << 30  # an XLSX, XLSB or ODS archive, all its parts unpacked
PACKING = 100  # a part unpacked over packed: more is a zip bomb ...
PACKING_FROM = 16 << 20  # ... for a part unpacking to more than this
ROWS = 1_048_576  # Excel's last row
COLUMNS = 200  # A to GR
CELLS = 30_000_000  # rows × columns of the rectangle the cells span: about 1 GiB in calamine
PROBE_MEMORY = 2 << 30  # the most a child process measuring a sheet may map
#
# XLSX (and XLSM): the archive's sizes, then the first visible sheet's XML, streamed: its
# declared <dimension>, every cell's reference (row and column), every formula's saved
# value. XLS, XLSB and ODS, and an XLSX whose XML is not in the usual shape: the file's size
# (and an archive's), then calamine measures the sheet in a child process that may map
# PROBE_MEMORY -- a sheet that needs more kills the child, not this process.

_CELL_AT = re.compile(rb'<c r="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<f[\s>/]")
_NO_REF = re.compile(rb'<c(?! r="[A-Z])[\s>/]')  # a cell whose first attribute is not its r
_PREFIXED = re.compile(rb":(?:worksheet|sheetData|c|f)[\s>/]")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_VALUE = re.compile(rb"<v(?:\s[^>]*)?>[^<]")
_LONG_ROW = 32 << 20  # the XML of one row; a longer one is measured in a child process
_STORED, _DEFLATED = 0, 8  # zipfile's compression methods (zipfile loads only for spreadsheets)


def _column(letters: bytes | str) -> int:
    """`A` -> 1, `GR` -> 200, `XFD` -> 16384."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _letters(column: int) -> str:
    """1 -> `A`, 200 -> `GR`."""
    letters = ""
    while column > 0:
        column, left = divmod(column - 1, 26)
        letters = chr(65 + left) + letters
    return letters


def _size(size: int) -> str:
    return f"{size / 2**30:,.1f} GiB".replace(".0 ", " ") if size >= 2**30 \
        else f"{size / 2**20:,.0f} MiB"


def _too_far(what: str) -> InvalidValue:
    return InvalidValue(f"{what}: a sheet may have at most {COLUMNS} columns (A to GR) and "
                        f"{ROWS:,} rows; delete what lies beyond the data and save the file "
                        "again", "FILE")


def _check_extent(rows: int, columns: int, where: str) -> None:
    """Refuse a sheet whose cells reach row `rows` and column `columns`."""
    if rows > ROWS or columns > COLUMNS:
        raise _too_far(where)
    if rows * columns > CELLS:
        raise InvalidValue(f"the sheet spans {rows:,} rows × {columns} columns "
                           f"({rows * columns:,} cells; at most {CELLS:,} are read): split "
                           "it, or save it as CSV", "FILE")


class _Unusual(Exception):
    """The sheet's XML is not in the usual shape: calamine measures it in a child process.
    `sheet`: its name, when known."""

    def __init__(self, sheet: str | None = None):
        super().__init__(sheet)
        self.sheet = sheet


def _unpacked(path: Path, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """One part of a ZIP archive unpacked, a block at a time; refused when it unpacks to more
    than the archive says (a forged size calamine would not notice until the end)."""
    import zlib

    if info.compress_type not in (_STORED, _DEFLATED):
        raise _Unusual
    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise EOFError(f"no local header for {info.filename}")
        handle.seek(info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                    + int.from_bytes(header[28:30], "little"))
        inflate = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == _DEFLATED \
            else None
        left, total = info.compress_size, 0
        while not (inflate and inflate.eof):
            if inflate and inflate.unconsumed_tail:
                packed = inflate.unconsumed_tail
            elif left:
                packed = handle.read(min(left, 1 << 18))
                left -= len(packed) or left
            else:
                packed = b""
            if inflate:  # at most 1 MiB a call; at the end, what zlib still holds
                block = inflate.decompress(packed, 1 << 20) if packed else inflate.flush()
            else:
                block = packed
            total += len(block)
            if total > info.file_size:
                raise InvalidValue(f"is damaged: {info.filename} in it is larger than the "
                                   "archive says", "FILE")
            if block:
                yield block
            elif not packed:
                return


def _check_archive(infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if total > UNPACKED_BYTES:
        raise InvalidValue(f"unpacks to {_size(total)}: a spreadsheet may unpack to at most "
                           f"{_size(UNPACKED_BYTES)}; split it, or save it as CSV", "FILE")
    for info in infos:
        if info.file_size > PACKING_FROM and info.file_size > PACKING * info.compress_size:
            raise InvalidValue(f"{info.filename} in it unpacks to "
                               f"{info.file_size // max(info.compress_size, 1):,} times its "
                               f"packed size (at most {PACKING}): refused as a zip bomb",
                               "FILE")


def _xml(path: Path, archive: zipfile.ZipFile, name: str) -> Any:
    """A small part of the archive parsed (None: missing or over 16 MiB)."""
    from xml.etree import ElementTree

    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > 16 << 20:
        return None
    return ElementTree.fromstring(b"".join(_unpacked(path, info)))


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _first_visible_sheet(path: Path, archive: zipfile.ZipFile) -> tuple[str, str]:
    """The name of an XLSX's first visible worksheet and the part holding it; a hidden
    sheet before it (`<sheet state="hidden">`) is passed over."""
    book = _xml(path, archive, "xl/workbook.xml")
    links = _xml(path, archive, "xl/_rels/workbook.xml.rels")
    if book is None or links is None:
        raise _Unusual
    targets = {link.get("Id"): (link.get("Type", ""), link.get("Target", ""))
               for link in links.iter() if _local(link.tag) == "Relationship"}
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet" or sheet.get("state") in ("hidden", "veryHidden"):
            continue
        link = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        kind, target = targets.get(link, ("", ""))
        if kind.endswith("/worksheet") and target:
            part = target[1:] if target.startswith("/") else \
                posixpath.normpath(posixpath.join("xl", target))
            return sheet.get("name", ""), part
    raise InvalidValue("has no visible sheet", "FILE")


def _greater(number: int) -> bytes:
    """A pattern for a row number above `number` followed by its closing quote (a number
    written with leading zeros may match too: it is checked again exactly)."""
    digits = str(number)
    options = [rb"\d{%d,}" % (len(digits) + 1)]
    for i, digit in enumerate(digits):
        if digit != "9":
            options.append(digits[:i].encode() + b"[%d-9]" % (int(digit) + 1)
                           + rb"\d" * (len(digits) - i - 1))
    return b"(?:" + b"|".join(options) + b')"'


class _SheetScan:
    """An XLSX sheet's XML, whole rows at a time: how far its cells reach (`rows`, and
    `columns` past Z), and every formula's saved value.

    calamine places a cell by its `r` ("C5"), so only cells matter, not `<row>`s. Rows come
    in order and so do a row's cells: a block's last cell gives the row the block reaches.
    One search finds the cells that break the pattern -- without `r` first, past column Z,
    with more digits than that row (all of the block's cells are then read) -- another the
    formulas. What they find is rare, and both start with a literal, which `re` finds at C
    speed. A block not read cell by cell holds rows below the next power of ten."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self.bound = 0  # the rows of the blocks not read cell by cell reach below this

    def head(self, xml: bytes) -> None:
        """What comes before `<sheetData`: the declared dimension."""
        if _PREFIXED.search(xml) or b"<worksheet" not in xml:
            raise _Unusual
        if found := _DIMENSION.search(xml):
            first_col, first_row, last_col, last_row = found.groups()
            if last_col:
                where = f"the sheet declares the range {found.group(0)[16:-1].decode()}"
                rows, columns = int(last_row), _column(last_col)
                if rows > ROWS or columns > COLUMNS:
                    raise _too_far(where)
                _check_extent(rows - int(first_row) + 1, columns - _column(first_col) + 1,
                              where)

    def block(self, xml: bytes, start: int, end: int) -> None:
        """`xml[start:end]`, whole `<row>` elements."""
        if _PREFIXED.search(xml, start, end):
            raise _Unusual
        at = xml.rfind(b'<c r="', start, end)
        if at >= 0 and (last := _CELL_AT.match(xml, at, end)) and \
                int(last.group(2)) > self.rows:
            self.rows = int(last.group(2))
            if self.rows > ROWS:
                raise _too_far(f"cell {last.group(1).decode()}{self.rows} is out of bounds")
        digits = min(len(str(self.rows)), 7)
        if found := _odd_cell(digits)(xml, start, end):
            if not xml.startswith(b' r="', found.start() + 2):
                raise _Unusual  # a cell whose first attribute is not its r
            self._exactly(xml, start, end)
        elif digits < 7:
            self.bound = max(self.bound, 10 ** digits - 1)
        elif _past_row(self.rows)(xml, start, end):  # rows 1,000,000 to 1,048,576
            self._exactly(xml, start, end)
        at = start
        while found := _FORMULA.search(xml, at, end):
            at = found.end()
            self._saved_value(xml, found.start())

    def _exactly(self, xml: bytes, start: int, end: int) -> None:
        """Every cell of the block read: it holds a cell past Z or out of order."""
        if _NO_REF.search(xml, start, end):
            raise _Unusual
        cells = _CELL_AT.findall(xml, start, end)
        columns = max(map(_column, {letters for letters, _ in cells}), default=0)
        rows = max((int(digits) for _, digits in cells), default=0)
        if rows > ROWS or columns > COLUMNS:
            letters, digits = next((c, d) for c, d in cells
                                   if int(d) > ROWS or _column(c) > COLUMNS)
            raise _too_far(f"cell {letters.decode()}{int(digits)} is out of bounds")
        self.columns, self.rows = max(self.columns, columns), max(self.rows, rows)

    def _saved_value(self, xml: bytes, at: int) -> None:
        """Refuse the formula at `at` if its cell has no saved value (openpyxl writes one so;
        calamine would give it as empty). A formula's empty text result is `t="str"` with an
        empty `<v>`."""
        start, stop = xml.rfind(b"<c ", 0, at), xml.find(b"</c>", at)
        if start < 0 or stop < 0:
            raise _Unusual
        tag_end = xml.find(b">", start, stop)
        if _VALUE.search(xml, tag_end, stop) or (b't="str"' in xml[start:tag_end]
                                                 and xml.find(b"<v", tag_end, stop) >= 0):
            return
        ref = _CELL_AT.match(xml, start)
        cell = (ref.group(1) + ref.group(2)).decode() if ref else "?"
        raise InvalidValue(f"cell {cell} holds a formula with no saved value: open the file "
                           "in Excel or WPS and save it again", "FILE")

    def scan(self, blocks: Iterator[bytes]) -> None:
        """The sheet's XML, in blocks of any size: each is cut after its last `</row>`
        (the rest joins the next block's first row, so no block is copied)."""
        xml = b""
        for block in blocks:
            xml += block
            if (start := xml.find(b"<sheetData")) >= 0:
                break
            if len(xml) > 16 << 20:
                raise _Unusual
        else:
            start = len(xml)
        self.head(xml[:start])
        rest = xml[start:]
        for block in itertools.chain([b""], blocks):
            first = block.find(b"</row>")
            if first < 0:
                rest += block
            else:
                first += 6
                rest += block[:first]
                self.block(rest, 0, len(rest))
                cut = block.rfind(b"</row>") + 6
                if cut > first:
                    self.block(block, first, cut)
                rest = block[cut:]
            if (end := rest.find(b"</sheetData>")) >= 0:
                self.block(rest, 0, end)
                return
            if len(rest) > _LONG_ROW:
                raise _Unusual
        self.block(rest, 0, len(rest))  # no </sheetData>: calamine will say what is wrong

    def check(self) -> None:
        rows, columns = max(self.rows, self.bound), max(self.columns, 26)
        if rows * columns > CELLS and self.bound > self.rows:
            raise _Unusual  # a narrow start, then wide rows: measured exactly instead
        _check_extent(rows, columns, "the sheet")


@functools.lru_cache
def _odd_cell(digits: int) -> Callable[..., Any]:
    """A search for a cell without `r` first, past column Z or with more than `digits`
    digits."""
    return re.compile(rb'<c(?! r="[A-Z]\d{1,%d}")[\s>/]' % digits).search


@functools.lru_cache
def _past_row(rows: int) -> Callable[..., Any]:
    """A search for a cell past row `rows` (of as many digits)."""
    return re.compile(rb'<c r="[A-Z](?=\d{%d}")' % len(str(rows)) + _greater(rows)).search


def _checked_xlsx(path: Path, archive: zipfile.ZipFile) -> str:
    """The name of the sheet to read, once it is checked; `_Unusual` when calamine must
    measure it."""
    name, part = _first_visible_sheet(path, archive)
    try:
        for other in ("xl/sharedStrings.xml", "xl/styles.xml"):  # calamine reads them whole
            if other in archive.NameToInfo:
                for _ in _unpacked(path, archive.getinfo(other)):
                    pass
        scan = _SheetScan()
        scan.scan(_unpacked(path, archive.getinfo(part)))
    except (_Unusual, KeyError):
        raise _Unusual(name) from None
    scan.check()
    return name


_PROBE = r"""
import json, sys
try:  # where there is no such limit (Windows), the child still dies alone
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
except (ImportError, OSError, ValueError):
    pass
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
try:
    book = CalamineWorkbook.from_path(sys.argv[1])
    name = sys.argv[2] or next((m.name for m in book.sheets_metadata
                                if m.visible == SheetVisibleEnum.Visible
                                and m.typ == SheetTypeEnum.WorkSheet), None)
    if name is None:
        print(json.dumps({"sheet": None}))
    else:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end or (-1, -1)
        print(json.dumps({"sheet": name, "rows": end[0] + 1, "columns": end[1] + 1,
                          "height": sheet.height, "width": sheet.width}))
except Exception as exc:
    print(json.dumps({"error": str(exc)}))
"""


def _probe(path: Path, name: str | None) -> str:
    """The name of the sheet to read, measured by calamine in a child process that may map
    no more than PROBE_MEMORY: a sheet needing more kills the child, not this process."""
    import subprocess

    child = subprocess.run([sys.executable, "-c", _PROBE, str(path), name or "",
                            str(PROBE_MEMORY)], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, encoding="utf-8", errors="replace")
    try:
        found = json.loads(child.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise InvalidValue(f"cannot be read: its sheet needs more than {_size(PROBE_MEMORY)} "
                           "of memory (are cells scattered far apart?); delete what lies "
                           "beyond the data and save the file again, or save it as CSV",
                           "FILE") from None
    if "error" in found:
        raise InvalidValue(f"cannot be read as a spreadsheet ({found['error']})", "FILE")
    if found["sheet"] is None:
        raise InvalidValue("has no visible sheet", "FILE")
    if found["rows"] > ROWS or found["columns"] > COLUMNS:
        raise _too_far(f"the sheet reaches cell {_letters(found['columns'])}{found['rows']}")
    _check_extent(found["height"], found["width"], "the sheet")
    return str(found["sheet"])


def _sheet_to_read(path: Path) -> str:
    """The name of the sheet to read -- the first visible one -- once the file is checked
    against the limits above."""
    size = path.stat().st_size
    if size > SHEET_BYTES:
        raise InvalidValue(f"is {_size(size)}: a spreadsheet may be at most "
                           f"{_size(SHEET_BYTES)}; split it, or save it as CSV", "FILE")
    import zipfile
    import zlib

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                _check_archive(archive.infolist())
                if "xl/workbook.xml" in archive.NameToInfo:
                    return _checked_xlsx(path, archive)
    except _Unusual as unusual:
        return _probe(path, unusual.sheet)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            SyntaxError) as exc:  # SyntaxError: ElementTree's ParseError
        raise InvalidValue(f"cannot be read as a spreadsheet ({exc})", "FILE") from None
    return _probe(path, None)


def _sheet_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, Cells]]:
    name = _sheet_to_read(path)
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_name(name)
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
    size = path.stat().st_size
    if size > JSON_BYTES:
        raise InvalidValue(f"is {_size(size)}: a JSON file may be at most {_size(JSON_BYTES)} "
                           "(it is read whole); split it, or save it as CSV", "FILE")
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
