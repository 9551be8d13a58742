"""`tongwei import KIND FILE`: load the platform's exports and the centre's spreadsheets.

How an import runs (`run_import`):

1. **Read** the file as a stream of `(line, raw)` pairs (`read_rows`): CSV (UTF-8, UTF-8
   with BOM or GB18030, detected), XLSX/XLS/ODS (first sheet, python-calamine) or JSON (an
   array of objects). The first non-blank row is the header. A header is matched
   case-insensitively with `_` = `-` against the kind's columns, then against
   `data/import_headers.csv` (the platform's Chinese headers: 预警编号 → no …), which the
   centre can extend without code. Unknown columns are ignored with a note.
2. **Check** every row with the kind's `prepare` -- the very function the single-record
   command uses -- and catch duplicate keys within the file.
3. Inside **one** `BEGIN IMMEDIATE` transaction (`db.write()`): look up the stored records
   with the same keys (`find`); the same content is *unchanged*, other content is an error
   (or, with `--update`, a correction with its own audit row); the kind's `checker` then
   sees every new row in file order (rules across rows: a case is solved once, recoveries
   stay within the loss). Any bad row: `RowErrors` naming every one, and nothing is
   written. Otherwise one `imports` row, the new records in one `executemany` (each
   carrying the import's id), and one audit row naming the file (name, size, SHA-256) and
   the counts. `--dry-run` runs exactly the same and rolls back.

Adding a kind (outreach, cards…) is one `ImportKind` given to `register()`::

    register(ImportKind(
        name="outreach",                 # tongwei import outreach FILE
        entity="outreach",               # the audit log's entity for a record
        columns=("date", "station", …),  # the add command's option names, `-` form
        required=("date", "station", …), # columns the header must have
        prepare=prepare_outreach,        # (db, raw) -> Prepared(row, warnings); raises
                                         #   TongweiError(reason, field=column)
        key=lambda row: row["ref"] or content_key(row),  # a row's identity (hashable)
        find=find_outreach,              # (db, [key]) -> {key: stored row (dict)}
        compared=("date", "station", …), # row fields that must equal the stored row's
        insert=insert_outreach,          # (db, [row], import_id) -> None, executemany
                                         #   (or inserter=: () -> such a function, made
                                         #   afresh for each import that needs state)
        update=None,                     # (db, stored, row, import_id) -> None: a
                                         #   correction with its audit row; None: refused
        checker=None,                    # (db) -> (row) -> None: rules across new rows;
                                         #   its optional `written()` is called once a
                                         #   batch is written, to forget what the
                                         #   database now says
        overlap=False,                   # True: prepare reads nothing from the database,
                                         #   so batches are written while the next is checked
        order=None,                      # (row) -> sort key: the order a batch's new rows
                                         #   are written in (its main indexes' order)
    ))

`raw` maps each column to its cell, with `_` for `-` (`victim_phone`); cells are what
the file holds (str; int, float, bool, datetime from XLSX and JSON; None or '' when
empty). Rows without a natural key are matched by their whole content (`key` returns a
tuple of the compared fields, `compared=()`).
"""

from __future__ import annotations

import codecs
import csv
import gc
import hashlib
import json
import sys
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, RowErrors, TongweiError
from tongwei_cli.domain.records import Prepared
from tongwei_cli.domain.records import given as _given
from tongwei_cli.storage.db import Database

Row = dict[str, Any]
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class ImportKind:
    """One kind of record `tongwei import` loads. See the module docstring."""

    name: str
    entity: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    prepare: Callable[[Database, Row], Prepared]
    key: Callable[[Row], Hashable]
    find: Callable[[Database, list[Any]], dict[Any, Row]]
    compared: tuple[str, ...]
    insert: Callable[[Database, list[Row], int], None] | None = None
    update: Callable[[Database, Row, Row, int], None] | None = None
    checker: Callable[[Database], Callable[[Row], None]] | None = None
    key_column: str = "no"  # the column a duplicate key is reported on
    describe: Callable[[Row], str] = str  # a prepared row's key as people read it
    # True when `prepare` reads nothing from the database (reference data aside, which is
    # held in memory): a writer thread may then insert one batch while the next is checked.
    overlap: bool = False
    # The order a batch's new rows are written in (a stable sort, so rows of equal key keep
    # the file's order): that of the kind's main indexes. An index fed in descending order
    # -- a platform export sorted newest first -- leaves its pages half full (100k warnings:
    # 255 bytes each against 177); sorted a batch at a time, 181.
    order: Callable[[Row], Any] | None = None
    # Instead of `insert`, for a kind whose writing keeps something across one import's
    # batches: makes each import's `insert` afresh.
    inserter: Callable[[], Callable[[Database, list[Row], int], None]] | None = None


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    if (kind.insert is None) == (kind.inserter is None):
        raise ValueError(f"import kind {kind.name}: give one of insert and inserter")
    KINDS[kind.name] = kind


def kinds() -> dict[str, ImportKind]:
    """Every import kind; the built-in ones are registered on first use."""
    return KINDS


@dataclass
class ImportResult:
    kind: str
    file: str
    size: int
    sha256: str
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    import_id: int | None = None
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        text = f"{verb} {self.imported}, unchanged {self.unchanged}"
        if self.updated:
            text += f", {'would update' if self.dry_run else 'updated'} {self.updated}"
        if self.dry_run:
            text += " (dry run: nothing written)"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "size": self.size,
                "sha256": self.sha256, "rows": self.rows, "imported": self.imported,
                "unchanged": self.unchanged, "updated": self.updated,
                "import_id": self.import_id, "dry_run": self.dry_run}


# -- headers ------------------------------------------------------------------------

def normalise_header(value: Any) -> str:
    """`Victim_Phone ` -> `victim-phone`; `身份证号（必填）*` -> `身份证号(必填)`."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    text = text.strip().strip("*").strip().lower().replace("_", "-")
    return "-".join(text.split())


def header_aliases(kind: ImportKind) -> dict[str, str]:
    """The platform's headers for `kind`, from `data/import_headers.csv`
    (`kind,header,column`; kind `*` applies wherever the column exists)."""
    from tongwei_cli.core.settings import data_dir

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


Cells = Sequence[Any]


def _blank(cells: Cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


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


# -- running ------------------------------------------------------------------------

class _SeenKeys:
    """The first line of every key met so far in the file, to name a repeat.

    Kept in a temporary table of the same connection rather than a dict, so that memory does
    not grow with the file; a batch whose keys are all new costs one multi-row insert."""

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.conn
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen"
                          " (key PRIMARY KEY, line INTEGER NOT NULL) WITHOUT ROWID")
        self.conn.execute("DELETE FROM temp.import_seen")

    def repeats(self, items: list[tuple[Hashable, int]]) -> dict[int, int]:
        """`{index: first line}` for the `(key, line)` items (in file order) whose key came
        earlier in the file; remembers the others."""
        found: dict[int, int] = {}
        first: dict[Any, tuple[int, int]] = {}  # code -> (index, line), this batch
        for index, (row_key, line) in enumerate(items):
            # a BLOB never equals a TEXT, so a tuple key cannot meet a string key
            code = row_key if type(row_key) is str else repr(row_key).encode()
            if code in first:
                found[index] = first[code][1]
            else:
                first[code] = (index, line)
        before = self.conn.total_changes
        self.db.insert_many("temp.import_seen", ("key", "line"),
                            [(code, line) for code, (_, line) in first.items()],
                            on_conflict="DO NOTHING")
        if self.conn.total_changes - before < len(first):  # some met in an earlier batch
            for part in chunks(list(first)):
                for code, line in self.conn.execute(
                        "SELECT key, line FROM temp.import_seen WHERE key IN"
                        f" ({', '.join('?' * len(part))})", list(part)):
                    index, own = first[code]
                    if line != own:
                        found[index] = line
        return found


class _DryRun(Exception):
    """Raised inside the write to roll a dry run back."""


class _NothingNew(Exception):
    """Raised inside the write when the file adds and corrects nothing: the same file
    again changes nothing, not even the log."""


_COLUMN_OF = {"received_at": "received", "id_no": "id", "loss_fen": "loss",
              "amount_fen": "amount", "case_id": "case", "deadline_at": "level"}

BATCH_ROWS = 5000  # rows checked and written at a time; memory stays flat however long the file


def column_of(row_field: str) -> str:
    return _COLUMN_OF.get(row_field, row_field).replace("_", "-")


def run_import(db: Database, kind_name: str, path: Path, *, dry_run: bool = False,
               update: bool = False, progress: Progress | None = None) -> ImportResult:
    """Check every row of `path` and write them all, or nothing. See the module docstring.

    The file streams: inside one `BEGIN IMMEDIATE` transaction, batches of `BATCH_ROWS`
    rows are read, checked and written with `executemany`, so memory does not grow with
    the file. Every bad row is collected; once there is one nothing more is written and, at
    the end, the whole transaction rolls back."""
    kind = kinds()[kind_name]
    if not path.exists():
        raise InvalidValue(f"{path} does not exist", "FILE")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder", "FILE")
    size, sha = file_digest(path)
    result = ImportResult(kind.name, path.name, size, sha, dry_run=dry_run)
    what = WHAT[file_format(path)]
    stream, header_notes = read_rows(kind, path, progress)
    result.notes.extend(header_notes)

    problems: list[tuple[int, str | None, str]] = []
    try:
        with db.write():
            # Every record carries its import's id: the `imports` row comes first, its
            # counts are filled in at the end.
            import_id = db.conn.execute(
                "INSERT INTO imports (kind, file_name, file_size, sha256, at, officer)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind.name, path.name, result.size, result.sha256, clock.stamp(),
                 db.officer)).lastrowid
            batch = _Batch(db, kind, result, problems, what, update, import_id)
            prepare, pending, notes = kind.prepare, batch.rows, result.notes
            # The rows make no reference cycles: the cyclic collector, which would walk
            # every live row a few hundred times over a large file, waits until the end.
            collecting = gc.isenabled()
            gc.disable()
            try:
                for line, raw in stream:  # per row, only what must be: it runs 100k times
                    result.rows += 1
                    try:
                        ready = prepare(db, raw)
                    except TongweiError as exc:
                        problems.append((line, exc.field, exc.reason))
                        continue
                    if ready.warnings:
                        notes.extend(f"{what} {line}: {note}" for note in ready.warnings)
                    pending.append((line, ready.row))
                    if len(pending) >= BATCH_ROWS:
                        batch.flush()
                batch.flush()
                batch.wait()
            finally:
                batch.close()  # no statement may still run when the write commits or rolls back
                if collecting:
                    gc.enable()
            if progress:
                progress(1, 1)
            if problems:
                raise RowErrors(sorted(problems, key=lambda p: p[0]), what)
            if not result.imported and not result.updated:
                raise _NothingNew
            result.import_id = import_id
            db.conn.execute("UPDATE imports SET rows = ?, imported = ?, unchanged = ?,"
                            " updated = ? WHERE id = ?",
                            (result.rows, result.imported, result.unchanged, result.updated,
                             import_id))
            db.audit("import", kind.name, str(import_id), None, {
                "file": path.name, "size": result.size, "sha256": result.sha256,
                "rows": result.rows, "imported": result.imported,
                "unchanged": result.unchanged, "updated": result.updated})
            if dry_run:
                raise _DryRun
    except (_DryRun, _NothingNew):
        pass
    return result


class _Batch:
    """Checked rows waiting to be written: every `BATCH_ROWS` of them, `flush()` names
    repeats within the file, matches them against the stored records (`find`), runs the
    kind's rules across rows (`checker`) in file order and, while the file has no bad row,
    inserts the new ones and applies the corrections.

    For a kind whose `prepare` reads nothing from the database (`overlap`), the insert runs
    in one writer thread while the main thread reads and checks the next batch;
    `db.insert_many` hands SQLite the batch in a few statements, which run with the GIL
    released, so the two threads really run at once. (Moving the Python parts of a batch
    to the writer too was measured slower: the threads then fight over the GIL.) The
    connection is never used by both: every use here first waits for the writer."""

    def __init__(self, db: Database, kind: ImportKind, result: ImportResult,
                 problems: list[tuple[int, str | None, str]], what: str, update: bool,
                 import_id: int):
        self.db, self.kind, self.result, self.problems = db, kind, result, problems
        self.what, self.update, self.import_id = what, update, import_id
        self.rows: list[tuple[int, Row]] = []
        self.seen = _SeenKeys(db)
        self.check = kind.checker(db) if kind.checker else None
        self.insert = kind.inserter() if kind.inserter else kind.insert
        self.writer: Any = None  # a one-thread executor, made for the first overlapped batch
        self.pending: Any = None  # the Future of the batch being written
        self.interval = 0.0  # sys.getswitchinterval() before the writer started

    def wait(self) -> None:
        """Wait for the batch being written; its error, if any, is raised here."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        if self.pending is not None:
            from concurrent.futures import wait

            wait([self.pending])  # an error is already on its way out
        if self.writer is not None:
            self.writer.shutdown()
            sys.setswitchinterval(self.interval)

    def _insert(self, new: list[Row]) -> None:
        if self.kind.order is not None:
            new.sort(key=self.kind.order)
        if not self.kind.overlap:
            self.insert(self.db, new, self.import_id)
            return
        if self.writer is None:
            from concurrent.futures import ThreadPoolExecutor

            self.writer = ThreadPoolExecutor(1, thread_name_prefix="tongwei-import")
            # The writer needs the GIL for a moment between statements; by default it would
            # wait up to 5 ms each time for the checking thread to let go.
            self.interval = sys.getswitchinterval()
            sys.setswitchinterval(0.0001)
        self.pending = self.writer.submit(self.insert, self.db, new, self.import_id)

    def flush(self) -> None:
        """Check and write the rows gathered in `self.rows` (a list the caller keeps
        appending to: it is emptied here, not replaced)."""
        kind, result, problems, what = self.kind, self.result, self.problems, self.what
        rows = self.rows[:]
        self.rows.clear()
        if not rows:
            return
        self.wait()  # the previous batch is written: the connection is free
        keys = [kind.key(row) for _, row in rows]
        repeats = self.seen.repeats([(k, line) for k, (line, _) in zip(keys, rows, strict=True)])
        fresh: list[tuple[int, Row, Any]] = []
        for index, (line, row) in enumerate(rows):
            if index in repeats:
                problems.append((line, kind.key_column,
                                 f"{kind.describe(row)} repeats {what} {repeats[index]}"))
            else:
                fresh.append((line, row, keys[index]))
        stored = kind.find(self.db, [k for _, _, k in fresh])
        new: list[Row] = []
        changed: list[tuple[int, Row, Row]] = []
        for line, row, row_key in fresh:
            old = stored.get(row_key)
            if old is not None:
                differ = [f for f in kind.compared if old.get(f) != row.get(f)]
                if not differ:
                    result.unchanged += 1
                elif self.update and kind.update is not None:
                    changed.append((line, old, row))
                else:
                    fields = ", ".join(dict.fromkeys(column_of(f) for f in differ))
                    hint = ("; use --update to correct it" if kind.update is not None
                            else "; correct it with its own command")
                    problems.append((line, kind.key_column,
                                     f"{kind.describe(row)} is already stored with a "
                                     f"different {fields}{hint}"))
                continue
            if self.check is not None:
                try:
                    self.check(row)
                except TongweiError as exc:
                    problems.append((line, exc.field, exc.reason))
                    continue
            new.append(row)
        result.imported += len(new)
        result.updated += len(changed)
        if problems:
            return  # the import will roll back: write nothing more, keep checking
        if new:
            self._insert(new)
            written = getattr(self.check, "written", None)
            if written is not None:
                written()
        if changed:
            self.wait()
        for line, old, row in changed:
            try:
                kind.update(self.db, old, row, self.import_id)  # type: ignore[misc]
            except TongweiError as exc:
                problems.append((line, exc.field, exc.reason))


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- the built-in kinds -------------------------------------------------------------

def _find_by(db: Database, sql: str, keys: list[Any], key: Callable[[Row], Any]
             ) -> dict[Any, Row]:
    """Stored rows for `keys` (looked up 500 at a time with `sql` holding `{marks}`)."""
    found: dict[Any, Row] = {}
    for part in chunks(sorted(set(keys), key=str)):
        for r in db.query(sql.format(marks=", ".join("?" * len(part))), list(part)):
            record = dict(r)
            found[key(record)] = record
    return found


# The domain modules are imported here once, not on every row.
from tongwei_cli.domain import cases  # noqa: E402
from tongwei_cli.domain import warnings as alerts


def _prepare_case(db: Database, raw: Row) -> Prepared:
    if not _given(raw, "no"):
        raise InvalidValue("is required in an import (the case number is how a second "
                           "import of the same file knows the case)", "no")
    return cases.prepare_case(db, raw)


def _find_cases(db: Database, keys: list[Any]) -> dict[Any, Row]:
    return _find_by(db, f"{cases.CASE_SELECT} WHERE c.no IN ({{marks}})", keys,
                    lambda r: r["no"])


def _insert_cases(db: Database, rows: list[Row], import_id: int) -> None:
    cases.insert_cases(db, rows, import_id)


def _correct_case(db: Database, old: Row, row: Row, import_id: int) -> None:
    cases.correct_case(db, old, row)


def _prepare_event(db: Database, raw: Row) -> Prepared:
    return Prepared(cases.prepare_event(db, raw, case_field="case", kind_field="kind"))


EVENT_CONTENT = ("case_id", "kind", "date", "count", "amount_fen", "note")


def _event_key(row: Row) -> tuple:
    return tuple(row[f] for f in EVENT_CONTENT)


def _find_events(db: Database, keys: list[Any]) -> dict[Any, Row]:
    case_ids = sorted({k[0] for k in keys})
    found: dict[Any, Row] = {}
    for part in chunks(case_ids):
        for r in db.query(f"SELECT {', '.join(EVENT_CONTENT)} FROM case_events"
                          f" WHERE case_id IN ({', '.join('?' * len(part))})", list(part)):
            found[tuple(r)] = dict(r)
    return found


def _insert_events(db: Database, rows: list[Row], import_id: int) -> None:
    cases.insert_events(db, rows, import_id)


class _EventRules:
    """The rules across a case's events, for an import: what earlier rows of the file did
    to a case is remembered only until their batch is written (then the database says it),
    so that memory does not grow with the file."""

    def __init__(self, db: Database):
        self.ledger = cases.EventLedger(db)

    def __call__(self, event: Row) -> None:
        self.ledger.check(event, "kind")

    def written(self) -> None:
        self.ledger.forget()


def _find_warnings(db: Database, keys: list[Any]) -> dict[Any, Row]:
    return _find_by(db, f"{alerts.WARNING_SELECT} WHERE w.no IN ({{marks}})", keys,
                    lambda r: r["no"])


class _WarningInserter:
    """The new warnings of one import. Whether some case names a warning not stored yet is
    asked once, at the first batch: only then can a new warning be one that a case already
    names (预警后被骗) and need its `linked_on` set. (Nothing else writes while the import
    holds the file, so the answer cannot turn from no to yes.)"""

    def __init__(self) -> None:
        self.awaited: bool | None = None

    def __call__(self, db: Database, rows: list[Row], import_id: int) -> None:
        if self.awaited is None:
            self.awaited = db.one(
                "SELECT 1 FROM cases c INDEXED BY cases_warning_link"
                " WHERE c.warning IS NOT NULL AND c.voided = 0"
                " AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.no = c.warning)"
            ) is not None
        alerts.insert_warnings(db, rows, import_id, link=self.awaited)


def _correct_warning(db: Database, old: Row, row: Row, import_id: int) -> None:
    alerts.correct_warning(db, old, row)


def _prepare_followup(db: Database, raw: Row) -> Prepared:
    return Prepared(alerts.prepare_followup(db, raw, warning_field="warning"))


def _followup_key(row: Row) -> tuple:
    return (row["warning_id"], row["at"], row["method"])


def _find_followups(db: Database, keys: list[Any]) -> dict[Any, Row]:
    warning_ids = sorted({k[0] for k in keys})
    found: dict[Any, Row] = {}
    for part in chunks(warning_ids):
        for r in db.query(f"{alerts.FOLLOWUP_STORED}"
                          f" WHERE f.warning_id IN ({', '.join('?' * len(part))})", list(part)):
            found[_followup_key(r)] = dict(r)
    return found


def _insert_followups(db: Database, rows: list[Row], import_id: int) -> None:
    alerts.insert_followups(db, rows, import_id)


def _correct_followup(db: Database, old: Row, row: Row, import_id: int) -> None:
    alerts.correct_followup(db, old, row)


def _followup_name(row: Row) -> str:
    from tongwei_cli.core.settings import current

    when = clock.local_text(row["at"], current().tz)
    return f"the {row['method']} follow-up of {row['warning_no']} at {when}"


CASE_COMPARED = ("reported", "occurred", "type", "station", "loss_fen", "victim_name",
                 "victim_phone", "victim_id", "victim_gender", "victim_age", "victim_group",
                 "warning", "summary")
WARNING_COMPARED = ("received_at", "level", "station", "phone", "kind", "name", "id_no",
                    "type", "source", "note")

register(ImportKind(
    name="cases", entity="case",
    columns=("no", "reported", "type", "station", "loss", "occurred", "victim-name",
             "victim-phone", "victim-id", "victim-gender", "victim-age", "victim-group",
             "warning", "summary"),
    required=("no", "reported", "type", "station", "loss"),
    prepare=_prepare_case, key=lambda row: row["no"], find=_find_cases,
    compared=CASE_COMPARED, insert=_insert_cases, update=_correct_case,
    order=lambda row: (row["reported"], row["no"]),
    describe=lambda row: f"case {row['no']}", overlap=True))
register(ImportKind(
    name="events", entity="case",
    columns=("case", "kind", "date", "count", "amount", "note"),
    required=("case", "kind"),
    prepare=_prepare_event, key=_event_key, find=_find_events, compared=(),
    insert=_insert_events, checker=_EventRules, key_column="kind",
    order=lambda row: (row["date"], row["case_id"]),
    describe=lambda row: f"the same {row['kind']} event of case {row['case_no']}"))
register(ImportKind(
    name="warnings", entity="warning",
    columns=("no", "received", "level", "station", "phone", "kind", "name", "id", "type",
             "source", "note"),
    required=("no", "received", "level", "station", "phone"),
    prepare=alerts.prepare_warning, key=lambda row: row["no"], find=_find_warnings,
    compared=WARNING_COMPARED, inserter=_WarningInserter, update=_correct_warning,
    order=lambda row: (row["received_at"], row["no"]),
    describe=lambda row: f"warning {row['no']}", overlap=True))
register(ImportKind(
    name="followups", entity="followup",
    columns=("warning", "at", "method", "outcome", "case", "note"),
    required=("warning", "at", "method", "outcome"),
    prepare=_prepare_followup, key=_followup_key, find=_find_followups,
    compared=("outcome", "case_id", "note"), insert=_insert_followups,
    order=lambda row: (row["warning_id"], row["at"]),
    update=_correct_followup, key_column="at", describe=_followup_name))

# Outreach sessions and two-card supervision: their adapters live with their domain.
from tongwei_cli.domain import cards as _cards  # noqa: E402
from tongwei_cli.domain import outreach as _outreach  # noqa: E402

register(_outreach.import_kind())
register(_cards.import_kind())
