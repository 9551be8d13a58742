"""`tongwei import KIND FILE`: every row checked, then all written or none.

`run_import` reads the file as `(line, raw)` rows (`readers`), checks each with the kind's
`prepare` -- the very function the single-record command uses -- and writes batches inside
one `BEGIN IMMEDIATE` transaction: a row whose key is stored with the same content is
unchanged, with other content an error (a correction with `--update`); the kind's `checker`
sees the new rows in file order. Any bad row: `RowErrors` naming every one, and nothing is
written. A kind is one `ImportKind` given to `register()` (`kinds.py` holds the built-in
ones).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, RowErrors, TongweiError
from tongwei_cli.core.fields import KINDS as RECORD_KINDS
from tongwei_cli.domain.records import Prepared
from tongwei_cli.imports.readers import WHAT, file_digest, file_format, read_rows, regular_file
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
    # -- a platform export sorted newest first -- leaves its pages half full; sorted a batch
    # at a time they stay nearly as full as a file written oldest first.
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
    if not KINDS:
        import tongwei_cli.imports.kinds  # noqa: F401  (registers them)
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

    def summary(self, language: str | None = None) -> str:
        """`imported 1200, unchanged 30`, in the officer's language."""
        from tongwei_cli.core.words import say

        parts = [say("import.would_import" if self.dry_run else "import.imported", language,
                     n=self.imported),
                 say("import.unchanged", language, n=self.unchanged)]
        if self.updated:
            parts.append(say("import.would_update" if self.dry_run else "import.updated",
                             language, n=self.updated))
        text = say("list_sep", language).join(parts)
        if self.dry_run:
            text += say("import.dry_run", language)
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "size": self.size,
                "sha256": self.sha256, "rows": self.rows, "imported": self.imported,
                "unchanged": self.unchanged, "updated": self.updated,
                "import_id": self.import_id, "dry_run": self.dry_run}


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


# A stored column as the import column that gives it (`loss_fen` -> loss); a warning's
# deadline follows from its level.
_COLUMN_OF = {**{f.stored: f.name for kind in RECORD_KINDS for f in kind.fields if f.stored},
              "deadline_at": "level"}

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
    regular_file(path)  # before a byte is read: /dev/zero would be hashed forever
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
