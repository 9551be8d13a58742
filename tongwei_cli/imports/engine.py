"""`tongwei import KIND FILE`: every row checked, then all written or none.

`run_import` reads the file as `(line, raw)` rows (`readers`) and works in two steps.

1. Check and stage, holding no lock on the file: in one read transaction (one state of the
   file), each row is checked with the kind's `prepare` -- the very function the
   single-record command uses; a row whose key is stored with the same content is
   unchanged, with other content an error (a correction with `--update`); the kind's
   `checker` sees the new rows in file order. The new rows and the corrections go to
   temporary tables of the connection (`_Stage`: SQLite's temporary file, not the
   database) -- or, for a large file checked by two child processes, to each child's
   own scratch file in a private temporary folder -- so memory stays flat however long
   the file. Officers' commands write meanwhile.
2. Write, in one short `BEGIN IMMEDIATE` transaction: what other commands changed since
   the check is checked again (`recheck`, only when the file did change), then the staged
   rows are copied in (`copy`, SQL; or handed to `insert` a batch at a time), the
   corrections applied, the `imports` row and its audit row written.

Any bad row: `RowErrors` naming every one, and nothing is written. A kind is one
`ImportKind` given to `register()` (`kinds.py` holds the built-in ones).
"""

from __future__ import annotations

import contextlib
import gc
import json
import operator
import os
import sys
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, RowErrors, TongweiError
from tongwei_cli.core.fields import KINDS as RECORD_KINDS
from tongwei_cli.domain.records import Prepared
from tongwei_cli.imports.readers import WHAT, file_digest, file_format, read_rows, regular_file
from tongwei_cli.storage import db as storage
from tongwei_cli.storage.db import Database

Row = dict[str, Any]
Progress = Callable[[int, int | None], None]
Problem = tuple[int, str | None, str]  # (line, column, reason)

STAGE = "temp.import_stage"  # the checked new rows: `seq` (file order), `line`, the row's keys
SKIP = "temp.import_skip"  # checked apart: the lines the children staged that are not new
CHANGES = "temp.import_changes"  # the checked corrections: `line`, the stored and the new row


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
    # The Chinese labels a table shows for the columns (`core.fields`), taken as headers too:
    # a file typed with the headings of tongwei's own tables imports. Label -> column.
    labels: dict[str, str] = field(default_factory=dict)
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
    # The final write of the staged rows in SQL, for a kind that comes by the hundred
    # thousand (`copy_staged`, then what the domain's insert keeps beside the rows: per-day
    # totals, links, statuses). Without it the staged rows are read back and handed to
    # `insert`, a batch at a time.
    copy: Callable[[Database, int], None] | None = None
    # What other commands may have changed since the rows were checked that makes a staged
    # row wrong (a key stored meanwhile, the case an event names voided…), asked in SQL of
    # `STAGE`. Without it: whether `find` now finds any staged row's key.
    recheck: Callable[[Database], list[Problem]] | None = None
    # Columns of the staged rows that `checker` looks the staged rows up by (indexed).
    staged_index: tuple[str, ...] = ()
    # Run on each batch just staged (its `seq` from and to), beside the checking: what
    # `copy` can then add up cheaply, in temporary tables named `import_…` (dropped with
    # the stage).
    tally: Callable[[Database, int, int], None] | None = None
    # The same, checked apart (`_checked_apart`): `tally_part(db)`, called before the fork,
    # gives what a child works out of each batch it stages (JSON-able; None: cannot), and
    # `tally_add(db, parts)` adds them up into the tally's tables in place of `tally` --
    # unless some row the children staged is not new (then `tally` over the stage).
    tally_part: Callable[[Database], Callable[[list[Row]], Any]] | None = None
    tally_add: Callable[[Database, list[Any]], None] | None = None


KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    if [kind.insert, kind.inserter, kind.copy].count(None) != 2:
        raise ValueError(f"import kind {kind.name}: give one of insert, inserter and copy")
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
    gave_way: int = 0  # times the final write gave way to another command's write

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


class ChangedMeanwhile(RowErrors):
    """Staged rows that another command made wrong while the file was being checked."""

    def __init__(self, problems: list[Problem], what: str = "row"):
        super().__init__(problems, what)
        from tongwei_cli.core.words import pick

        count = len(problems)
        self.reason = pick(
            f"{count} {'行' if what == 'line' else '条'}记录在检查文件期间被其他命令修改，"
            "请重新导入",
            f"{count} {what}{'s' if count != 1 else ''} met records that another command "
            "changed while the file was being checked; run the import again")


# A stored column as the import column that gives it (`loss_fen` -> loss); a warning's
# deadline follows from its level.
_COLUMN_OF = {**{f.stored: f.name for kind in RECORD_KINDS for f in kind.fields if f.stored},
              **{f.stored + "_bi": f.name for kind in RECORD_KINDS for f in kind.fields
                 if f.stored and f.personal},
              **{f.stored + "_enc": f.name for kind in RECORD_KINDS for f in kind.fields
                 if f.stored and f.free},
              "deadline_at": "level"}

BATCH_ROWS = 5000  # rows checked and staged at a time; memory stays flat however long the file


def column_of(row_field: str) -> str:
    return _COLUMN_OF.get(row_field, row_field).replace("_", "-")


def run_import(db: Database, kind_name: str, path: Path, *, dry_run: bool = False,
               update: bool = False, progress: Progress | None = None,
               notice: Callable[[str], None] | None = None) -> ImportResult:
    """Check every row of `path` and write them all, or nothing. See the module docstring.

    The file streams: batches of `BATCH_ROWS` rows are read, checked and staged, so memory
    does not grow with the file. Every bad row is collected; once there is one nothing
    more is staged, and nothing is written."""
    kind = kinds()[kind_name]
    started = time.monotonic()
    if not path.exists():
        raise InvalidValue(f"{path} does not exist", "FILE")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder", "FILE")
    regular_file(path)  # before a byte is read: /dev/zero would be hashed forever
    size, sha = file_digest(path)
    result = ImportResult(kind.name, path.name, size, sha, dry_run=dry_run)
    what = WHAT[file_format(path)]

    relay = _Relay(progress)
    stream, header_notes = read_rows(kind, path, relay)
    result.notes.extend(header_notes)

    problems: list[Problem] = []
    stage = _Stage(db, kind)
    try:
        with db.read():  # one state of the file for every check; only temp tables written
            version = _version(db)
            checked = (_checked_apart(db, kind, stream, relay, stage.apart())
                       if kind.overlap and kind.checker is None and size >= WORKER_BYTES
                       and hasattr(os, "fork")
                       and prime(db) else _checked_here(db, kind, stream))
            try:
                _check(checked, _Batch(db, kind, result, problems, what, update, stage))
            finally:
                checked.close()  # a child checking the rows is stopped and reaped now
        if progress:
            progress(1, 1)
        if problems:
            raise RowErrors(sorted(problems, key=lambda p: p[0]), what)
        if (result.imported or result.updated) and not dry_run:
            stage.gather()
            _write(db, kind, result, stage, version, what, notice,
                   patience=max(GIVE_WAY_MIN_S, GIVE_WAY_FOR * (time.monotonic() - started)))
    finally:
        stage.drop()
    return result


# A row as checked: `(line, the prepared row, its notes)`, or `(line, None, (field, reason))`
# for a bad one.
Checked = tuple[int, Row | None, Any]


def _check(checked: Iterator[list[Checked]], batch: _Batch) -> None:
    """Gather the checked rows, a batch at a time (step 1 of the module docstring)."""
    pending, notes = batch.rows, batch.result.notes
    problems, what, result = batch.problems, batch.what, batch.result
    # The rows make no reference cycles: the cyclic collector, which would walk every live
    # row a few hundred times over a large file, waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for part in checked:  # per row, only what must be: it runs 100k times
            result.rows += len(part)
            for line, row, extra in part:
                if row is None:
                    problems.append((line, *extra))
                    continue
                if extra:
                    notes.extend(f"{what} {line}: {note}" for note in extra)
                pending.append((line, row))
            if len(pending) >= BATCH_ROWS:
                batch.flush()
        batch.flush()
        batch.wait()
    finally:
        batch.close()  # no statement may still run when the read transaction ends
        if collecting:
            gc.enable()


def _checked_here(db: Database, kind: ImportKind, stream: Iterator[tuple[int, Row]],
                  size: int = 1000) -> Iterator[list[Checked]]:
    """Each row of `stream` through the kind's `prepare`, `size` rows at a time."""
    for part in _raw_batches(stream, size):
        yield _checked_part(db, kind, part)


def _checked_part(db: Database, kind: ImportKind, part: list[tuple[int, Row]]
                  ) -> list[Checked]:
    prepare, out = kind.prepare, []
    append = out.append
    for line, raw in part:
        try:
            ready = prepare(db, raw)
        except TongweiError as exc:
            append((line, None, (exc.field, exc.reason)))
        else:
            append((line, ready.row, ready.warnings))
    return out


# -- checking in a second process ---------------------------------------------------------

# A file from this size on, of a kind whose `prepare` reads nothing from the database
# (`overlap`), is read and checked by two child processes while this one matches, stages
# and writes what they have checked: the work spreads over two cores. (Below it the
# fork is not worth its few milliseconds.)
WORKER_BYTES = 1 << 20


class _Relay:
    """The reader's progress: passed on here; in the child, kept to be sent with the
    next batch of checked rows."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.last: tuple[int, int | None] | None = None
        self.apart = False

    def __call__(self, done: int, total: int | None) -> None:
        if self.apart:
            self.last = (done, total)
        elif self.progress is not None:
            self.progress(done, total)


class _NoConnection:
    """The child's `db.conn`: SQLite's connection is the parent's alone (a connection
    must not cross a fork); a kind marked `overlap` whose `prepare` still reaches for it
    fails here, loudly, not by corrupting a lock."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError("import worker: prepare() used the database connection")


def _checked_apart(db: Database, kind: ImportKind, stream: Iterator[tuple[int, Row]],
                   relay: _Relay, folder: str) -> Iterator[list[Checked]]:
    """`_checked_here`, run in two forked children (`_fork`), each sending its batches down
    a pipe.

    The first child reads the file: it checks two batches in five itself and hands the
    others, as read, to the second child, which checks them (`_serve`); this process takes
    the batches from the two pipes in that order, so they come in the file's order. Each
    child stages the good rows it checked in its own file in `folder` (`_StageFile`) and
    sends this process only each row's key (`brief`): it matches the keys, and the rows
    are copied from the children's files (`_Stage.gather`). What
    `prepare` reads from the database -- the reference tables, the key values are sealed
    with -- is loaded before the fork (`prime`). A child's error -- a bad file, an
    unexpected fault -- comes through its pipe and is raised here; a child that dies is an
    error here too. Leaving early (a fault here, Ctrl-C) stops both."""
    import pickle

    tally = kind.tally_part(db) if kind.tally_part is not None else None
    reader_out, reader_in = os.pipe()  # the reader's checked batches
    helper_out, helper_in = os.pipe()  # the second child's checked batches
    handed_out, handed_in = os.pipe()  # the rows the reader hands to the second child
    ends = (reader_out, reader_in, helper_out, helper_in, handed_out, handed_in)
    for fd in (handed_in, reader_in, helper_in):
        _widen(fd)

    def read() -> None:
        relay.apart = True
        staged = _StageFile(os.path.join(folder, "a.db"), kind, tally)
        with os.fdopen(reader_in, "wb", buffering=1 << 16) as out, \
                os.fdopen(handed_in, "wb", buffering=1 << 16) as hand:
            try:
                for number, part in enumerate(_raw_batches(stream, APART_ROWS)):
                    # (each batch flushed as soon as it is written: a batch left in one
                    # buffer while the other pipe is full would hold all three up)
                    if SPLIT[number % len(SPLIT)]:
                        pickle.dump((number, part), hand, pickle.HIGHEST_PROTOCOL)
                        hand.flush()
                        continue
                    checked = staged.brief(number, _checked_part(db, kind, part))
                    pickle.dump((checked, relay.last), out, pickle.HIGHEST_PROTOCOL)
                    out.flush()
                pickle.dump(None, hand, pickle.HIGHEST_PROTOCOL)
                pickle.dump((None, relay.last), out, pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001  (everything goes to the parent)
                _send_error(out, exc)
                pickle.dump(None, hand, pickle.HIGHEST_PROTOCOL)

    def others(*keep: int) -> list[int]:
        return [fd for fd in ends if fd not in keep]

    def helper() -> None:
        staged = _StageFile(os.path.join(folder, "b.db"), kind, tally)
        _serve(handed_out, helper_in, lambda item: staged.brief(
            item[0], _checked_part(db, kind, item[1])), end=True)

    pids = [_fork(db, others(reader_in, handed_in), read),
            _fork(db, others(handed_out, helper_in), helper)]
    for fd in (reader_in, helper_in, handed_out, handed_in):
        os.close(fd)
    done = False
    try:
        with os.fdopen(reader_out, "rb", buffering=1 << 16) as first, \
                os.fdopen(helper_out, "rb", buffering=1 << 16) as second:
            pipes = (first, second)
            number = 0
            while True:
                child = SPLIT[number % len(SPLIT)]
                part, extra = _received(pipes[child])
                if extra is not None and relay.progress is not None:
                    relay.progress(*extra)
                if part is None:  # the end of one: the other has its end, or the error
                    _received(pipes[1 - child])
                    done = True
                    return
                yield part
                number += 1
    finally:
        _reap(pids, stop=not done)


def _widen(fd: int) -> None:
    """A pipe that holds a whole batch (1 MiB, Linux's default most): a batch of raw rows
    handed to the second child is about 600 KB, and through the usual 64 KiB the reader
    waited while the other child checked its batch before it took the next -- the two
    children then took turns instead of working at once."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):  # (not Linux; a lower limit): as it is
        pass


APART_ROWS = 2000  # rows a child checks (and stages) at a time; `seq` gives each 1 << 16
# Which child checks batch n: SPLIT[n % 5] (0 the reader, 1 the other). The reader, which
# also reads the file, checks two batches in five.
SPLIT = (0, 1, 1, 0, 1)


class _StageFile:
    """In a checking child: the good rows of the batches it checks, staged in a SQLite file
    of its own (a fresh connection of the child's: the parent's never crosses the fork),
    as `_Stage.add` would stage them -- each batch in the kind's `order`, its `seq` the
    batch's number times 65,536 plus the row's place, so that the two children's rows
    together come in the order the parent would have staged them. The parent is sent, for
    a good row, only its key and `seq` (`brief`): it asks the file for the whole row in the
    rare case it needs it (`_Stage.rows`: a key already stored, a repeat)."""

    def __init__(self, path: str, kind: ImportKind, tally: Callable[[list[Row]], Any] | None):
        self.path, self.kind, self.tally = path, kind, tally
        self.conn: Any = None
        self.sql = ""
        self.values: Callable[[Row], tuple] = tuple

    def brief(self, number: int, checked: list[Checked]) -> list[Checked]:
        rows = [(line, row) for line, row, _ in checked if row is not None]
        seqs: dict[int, int] = {}
        if rows:
            if self.kind.order is not None:
                order = self.kind.order
                rows.sort(key=lambda item: order(item[1]))
            if self.conn is None:
                self._open(tuple(rows[0][1]))
            base, values = number << 16, self.values
            staged = [(base + place, line, *values(row))
                      for place, (line, row) in enumerate(rows)]
            part = None if self.tally is None else self.tally([row for _, row in rows])
            with self.conn:  # one transaction a batch, whole before the parent hears of it
                self.conn.executemany(self.sql, staged)
                self.conn.execute("INSERT INTO tally (batch, part) VALUES (?, ?)",
                                  (number, json.dumps(part)))
            seqs = {line: seq for seq, line, *_ in staged}
        key = self.kind.key
        return [(line, None, extra) if row is None else (line, (key(row), seqs[line]), extra)
                for line, row, extra in checked]

    def _open(self, columns: tuple[str, ...]) -> None:
        import sqlite3

        for name in columns:
            if not name.isidentifier():  # our own code's names; never a file's header
                raise ValueError(f"import stage: {name!r} is not a column name")
        self.conn = sqlite3.connect(self.path)
        self.conn.execute("PRAGMA journal_mode = OFF")  # (a scratch file, removed after)
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute(f"CREATE TABLE stage (seq INTEGER PRIMARY KEY,"
                          f" line INTEGER NOT NULL, {_names(columns)})")
        self.conn.execute("CREATE TABLE tally (batch INTEGER PRIMARY KEY, part TEXT)")
        self.conn.commit()
        get = operator.itemgetter(*columns)
        self.values = get if len(columns) > 1 else lambda row: (get(row),)
        self.sql = (f"INSERT INTO stage VALUES ({', '.join('?' * (len(columns) + 2))})")


def in_two(db: Database, work: Callable[[Any], Any], parts: Iterator[Any]) -> Iterator[Any]:
    """`work(part)` of each of `parts`, in their order, worked out by two forked children
    (`_fork`, `_serve`) in turn -- each given a part, then the next but one, down a pipe --
    while this process reads the next part and writes what came back (a merge's new
    records: opened, checked, sealed again). What `work` reads of the file is loaded
    before (`prime`). A child's error is raised here; leaving early stops both."""
    import pickle

    pipes: list[tuple[Any, Any]] = []  # (to the child, from the child), as files
    pids: list[int] = []
    opened: list[int] = []
    try:
        for _ in range(2):
            to_child, from_parent = os.pipe()
            from_child, to_parent = os.pipe()
            opened = [to_child, from_parent, from_child, to_parent]
            mine = [f.fileno() for pair in pipes for f in pair]  # (the first child's)
            pids.append(_fork(db, [from_parent, from_child, *mine], lambda i=to_child,
                              o=to_parent: _serve(i, o, work, end=False)))
            os.close(to_child)
            os.close(to_parent)
            opened = [from_parent, from_child]
            pipes.append((os.fdopen(from_parent, "wb", buffering=1 << 16),
                          os.fdopen(from_child, "rb", buffering=1 << 16)))
            opened = []
        out_of: list[int] = []  # the child each part sent went to, oldest first
        for number, part in enumerate(parts):
            child = number % 2
            if len(out_of) == 2:  # (each child holds one part at most: no pipe fills up)
                yield _received(pipes[out_of.pop(0)][1])[0]
            pickle.dump(part, pipes[child][0], pickle.HIGHEST_PROTOCOL)
            pipes[child][0].flush()
            out_of.append(child)
        while out_of:
            yield _received(pipes[out_of.pop(0)][1])[0]
    finally:
        for to, _ in pipes:
            with contextlib.suppress(OSError):
                pickle.dump(None, to, pickle.HIGHEST_PROTOCOL)
                to.flush()
            with contextlib.suppress(OSError):
                to.close()
        _reap(pids, stop=True)
        for _, back in pipes:
            back.close()
        for fd in opened:
            os.close(fd)


def _fork(db: Database, close: Sequence[int], work: Callable[[], None]) -> int:
    """A child process running `work()`; its pid. The child closes the descriptors `close`
    (the other ends of its pipes, another child's) and leaves Ctrl-C to its parent; its
    `db.conn` refuses every use (`_NoConnection`: SQLite's connection is the parent's
    alone -- a connection must not cross a fork). It ends with `os._exit`: nothing of the
    parent's (the connection, open files, buffered output) is closed or flushed by it."""
    import signal

    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        for fd in close:
            os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        db.conn = _NoConnection()  # type: ignore[assignment]
        work()
    except BaseException:  # noqa: BLE001  (a pipe itself failed: the parent sees EOF)
        code = 1
    finally:
        os._exit(code)


def _serve(given_fd: int, out_fd: int, work: Callable[[Any], Any], *, end: bool) -> None:
    """In a child: `work(part)` of each part that comes down `given_fd` until None, each
    sent down `out_fd` as `(result, None)` (then `(None, None)`, when `end`); an error is
    sent instead (`_received` raises it)."""
    import pickle

    with os.fdopen(given_fd, "rb", buffering=1 << 16) as given, \
            os.fdopen(out_fd, "wb", buffering=1 << 16) as out:
        try:
            while (part := pickle.load(given)) is not None:
                pickle.dump((work(part), None), out, pickle.HIGHEST_PROTOCOL)
                out.flush()
            if end:
                pickle.dump((None, None), out, pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001  (everything goes to the parent)
            _send_error(out, exc)


def _reap(pids: list[int], *, stop: bool) -> None:
    """Wait for the children `pids` to end; `stop`: end them first."""
    import signal

    for pid in pids:
        if stop:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def _raw_batches(stream: Iterator[tuple[int, Row]], size: int
                 ) -> Iterator[list[tuple[int, Row]]]:
    part: list[tuple[int, Row]] = []
    for item in stream:
        part.append(item)
        if len(part) >= size:
            yield part
            part = []
    if part:
        yield part


def _send_error(out: Any, exc: BaseException) -> None:
    import pickle
    import traceback

    try:
        pickle.dump((exc, traceback.format_exc()), out)
    except Exception:  # noqa: BLE001  (an exception that does not pickle)
        pickle.dump((RuntimeError(repr(exc)), traceback.format_exc()), out)


def _received(pipe: Any) -> tuple[Any, Any]:
    """The next message of a checking child: `(batch, progress)`, `(None, progress)` at
    its end; its error is raised."""
    import pickle

    try:
        part, extra = pickle.load(pipe)
    except EOFError:
        raise RuntimeError("the import's checking process ended unexpectedly") from None
    if isinstance(part, BaseException):
        raise part
    return part, extra


def prime(db: Database) -> bool:
    """Load what an `overlap` kind's `prepare` reads from the database, once, before a
    fork. False when that cannot be done (no key: the rows are then checked here, and
    refused as they would be)."""
    from tongwei_cli.domain.reference import refs
    from tongwei_cli.storage import personal

    try:
        refs(db)
        personal.prime(db)
    except TongweiError:
        return False
    return True


def _version(db: Database) -> int:
    """A number that changes whenever another connection commits a change to the file."""
    return db.scalar("PRAGMA data_version")


class _Again(Exception):
    """Raised inside the write to leave it (the file changed since the recheck)."""


# The final copy gives way to other writes for twice as long as the import ran before it
# (reading, checking, staging), and for this long at least; then it copies whatever comes,
# and a write that comes meanwhile waits for that one copy (saying so on a terminal).
# Without an end, a script writing every few seconds would hold the import back for ever.
GIVE_WAY_MIN_S = 60.0
GIVE_WAY_FOR = 2.0  # times the import's own time before its copy


def _write(db: Database, kind: ImportKind, result: ImportResult, stage: _Stage,
           version: int, what: str, notice: Callable[[str], None] | None = None,
           patience: float = GIVE_WAY_MIN_S) -> None:
    """Write what `stage` holds, in one short transaction (step 2 of the module docstring).

    Other commands wrote meanwhile? Then what they changed is checked again first, outside
    the write (it reads the whole stage). One that writes between that and the write: the
    write is left and the check made again outside it, twice at most; after that it is
    made inside the write.

    The write gives way (`Database.write(give_way=True)`): an officer's write that comes
    while a long copy holds the file does not wait for it. The copy is rolled back at once,
    the officer's write goes first, what it changed is checked again and the copy made
    anew once the file is quiet (`notice` says so, once). It gives way for `patience`
    seconds in all; after that its copy holds the file to the end, and writes wait for
    it."""
    again = 0
    until = None  # when the copy stops giving way (set the first time it does)
    while True:
        with db.read():
            now = _version(db)
            if now != version:
                stage.recheck(what)
                version = now
        yielding = until is None or time.monotonic() < until
        try:
            _write_once(db, kind, result, stage, version, what, last=again == 2,
                        give_way=yielding)
            return
        except _Again:
            again += 1
        except storage.GaveWay:
            result.gave_way += 1
            if until is None:
                until = time.monotonic() + patience
                if notice is not None:
                    notice("giving way to another write; the import writes again when the"
                           " file is quiet")
            db.let_waiters_in(until, result.gave_way)
            if time.monotonic() >= until and notice is not None:
                notice("the import has given way long enough: it now writes, and other"
                       " writes wait for it")


def _write_once(db: Database, kind: ImportKind, result: ImportResult, stage: _Stage,
                version: int, what: str, last: bool, give_way: bool = True) -> None:
    rows = f"{result.imported + result.updated:,}"
    with db.write(holder=(f"导入 {rows} 条记录（{kind.name}）",
                          f"an import of {rows} {kind.name}"), give_way=give_way):
        if _version(db) != version:
            if not last:
                raise _Again
            stage.recheck(what)
        result.import_id = import_id = db.conn.execute(
            "INSERT INTO imports (kind, file_name, file_size, sha256, rows, imported,"
            " unchanged, updated, at, officer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (kind.name, result.file, result.size, result.sha256, result.rows,
             result.imported, result.unchanged, result.updated, clock.stamp(),
             db.officer)).lastrowid
        if result.imported:
            stage.copy(import_id)
        if result.updated:
            stage.correct(import_id, what)
        db.audit("import", kind.name, str(import_id), None, {
            "file": result.file, "size": result.size, "sha256": result.sha256,
            "rows": result.rows, "imported": result.imported,
            "unchanged": result.unchanged, "updated": result.updated})


class _Stage:
    """The checked new rows of one import (`STAGE`) and its corrections (`CHANGES`), in
    temporary tables of the connection: they live in SQLite's temporary file, not in the
    database, so staging them takes no lock on it.

    Checked apart (`_checked_apart`), the rows are staged by the two checking children,
    each in its own file in a private folder (`apart`); this process only notes the lines
    of the rows that are not new (`skip`: unchanged, corrections, repeats), and after the
    check `STAGE` becomes a view of the children's new rows in order (`gather`)."""

    def __init__(self, db: Database, kind: ImportKind):
        self.db, self.kind = db, kind
        self.columns: tuple[str, ...] = ()
        self.values: Callable[[Row], tuple] = tuple
        self.count = 0  # rows staged: the last `seq`
        self.folder: str | None = None  # the children's stage files
        self.drop()
        db.conn.execute(f"CREATE TABLE {CHANGES} (seq INTEGER PRIMARY KEY,"
                        " line INTEGER NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL)")

    def apart(self) -> str:
        """A private folder (0700) for the checking children's stage files."""
        import tempfile

        self.folder = tempfile.mkdtemp(prefix="tongwei-import-")
        self.db.conn.execute(f"CREATE TABLE {SKIP} (line INTEGER PRIMARY KEY)")
        return self.folder

    def skip(self, lines: list[int]) -> None:
        """Lines the children staged that are not new rows (checked apart)."""
        self.db.conn.executemany(f"INSERT INTO {SKIP} (line) VALUES (?)",
                                 [(line,) for line in lines])

    def rows(self, seqs: list[int]) -> dict[int, Row]:
        """Rows the children staged (checked apart), by `seq`: for the rare row this
        process needs whole -- a key already stored, a repeat. (A connection of its own,
        not in the read transaction: it sees every batch a child has told of.)"""
        import sqlite3

        found: dict[int, Row] = {}
        assert self.folder is not None
        for name in ("a", "b"):
            path = os.path.join(self.folder, f"{name}.db")
            if not os.path.exists(path):
                continue
            conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, timeout=60)
            try:
                if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'stage'"
                                    ).fetchone():
                    continue
                for part in chunks(seqs):
                    cursor = conn.execute("SELECT * FROM stage WHERE seq IN"
                                          f" ({', '.join('?' * len(part))})", list(part))
                    names = [d[0] for d in cursor.description]
                    for values in cursor:
                        found[values[0]] = dict(zip(names[2:], values[2:], strict=True))
            finally:
                conn.close()
        return found

    def gather(self) -> None:
        """After a check apart: the children's files attached (outside any transaction),
        and `STAGE` a view of their rows but the skipped ones, in `seq` order (SQLite
        merges the two files' rows, each read in its `seq` order). Then what the kind
        tallies: the children's sums of their batches (`tally_add`) when every row they
        staged is new, else its `tally` once over them all."""
        if self.folder is None:
            return
        conn, parts = self.db.conn, []
        for name in ("a", "b"):
            path = os.path.join(self.folder, f"{name}.db")
            if not os.path.exists(path):
                continue
            conn.execute(f"ATTACH DATABASE ? AS import_{name}", (path,))
            if conn.execute(f"SELECT 1 FROM import_{name}.sqlite_master"
                            " WHERE name = 'stage'").fetchone():
                parts.append(f"import_{name}")
        if not parts:
            return
        columns = [r[1] for r in conn.execute(f"PRAGMA {parts[0]}.table_info(stage)")]
        for other in parts[1:]:
            if {r[1] for r in conn.execute(f"PRAGMA {other}.table_info(stage)")} \
                    != set(columns):
                raise RuntimeError("import stage: the two checking processes staged"
                                   " different columns")
        names = _names(columns)
        skipped = conn.execute(f"SELECT 1 FROM {SKIP} LIMIT 1").fetchone()
        union = " UNION ALL ".join(
            f"SELECT {names} FROM {part}.stage"
            + (f" WHERE line NOT IN (SELECT line FROM {SKIP})" if skipped else "")
            for part in parts)
        self.columns = tuple(columns[2:])
        sums = None if skipped or self.kind.tally_add is None else [
            json.loads(text) for part in parts
            for (text,) in conn.execute(f"SELECT part FROM {part}.tally ORDER BY batch")]
        if sums is not None and None not in sums:  # (the children's own sums)
            self.kind.tally_add(self.db, sums)
        elif self.kind.tally is not None:  # (in no order: what it adds up needs none)
            conn.execute(f"CREATE VIEW {STAGE} AS {union}")
            self.kind.tally(self.db, 0, 1 << 62)
            conn.execute(f"DROP VIEW {STAGE}")
        conn.execute(f"CREATE VIEW {STAGE} AS {union} ORDER BY seq")

    def open(self, row: Row) -> None:
        """Make `STAGE`, with the keys of the first checked row as its columns."""
        if self.columns or self.folder is not None:
            return
        for name in row:
            if not name.isidentifier():  # our own code's names; never a file's header
                raise ValueError(f"import stage: {name!r} is not a column name")
        self.columns = tuple(row)
        self.values = operator.itemgetter(*self.columns)
        self.db.conn.execute(f"CREATE TABLE {STAGE} (seq INTEGER PRIMARY KEY,"
                             f" line INTEGER NOT NULL, {_names(self.columns)})")
        for number, column in enumerate(self.kind.staged_index):
            self.db.conn.execute(f"CREATE INDEX temp.import_stage_{number}"
                                 f' ON import_stage ("{column}")')

    def add(self, rows: list[tuple[int, Row]]) -> None:
        """Stage checked new rows, `(line, row)`, in the order given."""
        values = self.values
        if len(self.columns) == 1:
            self.db.insert_many(STAGE, ("line", *self.columns),
                                [(line, values(row)) for line, row in rows])
        else:
            self.db.insert_many(STAGE, ("line", *self.columns),
                                [(line, *values(row)) for line, row in rows])
        first, self.count = self.count + 1, self.count + len(rows)
        if self.kind.tally is not None:
            self.kind.tally(self.db, first, self.count)

    def change(self, line: int, old: Row, row: Row) -> None:
        """Stage a checked correction: the stored record as it was read, the new row."""
        self.db.conn.execute(f"INSERT INTO {CHANGES} (line, old, new) VALUES (?, ?, ?)",
                             (line, _dumps(old), _dumps(row)))

    def staged(self) -> Iterator[list[tuple[int, Row]]]:
        """The staged new rows, `(line, row)`, in batches, in the order they were staged."""
        names = self.columns
        cursor = self.db.conn.execute(f"SELECT line, {_names(names)} FROM {STAGE}"
                                      " ORDER BY seq")
        while part := cursor.fetchmany(BATCH_ROWS):
            yield [(r[0], dict(zip(names, r[1:], strict=True))) for r in part]

    def recheck(self, what: str) -> None:
        """Refuse the import if another command, since the rows were checked, made a
        staged row wrong (`ImportKind.recheck`) or changed a record to be corrected."""
        kind = self.kind
        if kind.recheck is not None:
            problems = kind.recheck(self.db)
        else:
            problems = []
            for part in self.staged():
                keys = [kind.key(row) for _, row in part]
                stored = kind.find(self.db, keys)
                problems.extend((line, kind.key_column,
                                 f"{kind.describe(row)} was stored meanwhile")
                                for (line, row), key in zip(part, keys, strict=True)
                                if key in stored)
        if problems:
            raise ChangedMeanwhile(sorted(problems, key=lambda p: p[0]), what)

    def _corrections(self) -> Iterator[list[tuple[int, Row, Row, Row | None]]]:
        """The staged corrections, `(line, old, new, stored now)`, in batches."""
        kind = self.kind
        cursor = self.db.conn.execute(f"SELECT line, old, new FROM {CHANGES} ORDER BY seq")
        while part := cursor.fetchmany(500):
            rows = [(line, _loads(old), _loads(new)) for line, old, new in part]
            stored = kind.find(self.db, [kind.key(new) for _, _, new in rows])
            yield [(line, old, new, stored.get(kind.key(new))) for line, old, new in rows]

    def copy(self, import_id: int) -> None:
        """Write the staged new rows (inside the write)."""
        if self.kind.copy is not None:
            self.kind.copy(self.db, import_id)
            return
        insert = self.kind.inserter() if self.kind.inserter else self.kind.insert
        for part in self.staged():
            insert(self.db, [row for _, row in part], import_id)  # type: ignore[misc]

    def correct(self, import_id: int, what: str) -> None:
        """Apply the staged corrections (inside the write) to the records as stored now,
        which are as they were read (`recheck`, or nothing has changed)."""
        kind, problems, changed = self.kind, [], []
        for part in self._corrections():
            for line, old, new, now in part:
                if now is None or any(now.get(f) != old.get(f) for f in ("id", *kind.compared)):
                    changed.append((line, kind.key_column,
                                    f"{kind.describe(new)} was changed meanwhile"))
                    continue
                try:
                    kind.update(self.db, now, new, import_id)  # type: ignore[misc]
                except TongweiError as exc:
                    problems.append((line, exc.field, exc.reason))
        if changed:
            raise ChangedMeanwhile(sorted(changed, key=lambda p: p[0]), what)
        if problems:
            raise RowErrors(sorted(problems, key=lambda p: p[0]), what)

    def drop(self) -> None:
        """Drop the stage and every other temporary `import_…` table and view, and the
        children's stage files."""
        conn = self.db.conn
        if conn.in_transaction:  # never: the stage is dropped after the read and the write
            return
        for kind, name in conn.execute(
                "SELECT type, name FROM temp.sqlite_master WHERE type IN ('table', 'view')"
                " AND name LIKE 'import^_%' ESCAPE '^'").fetchall():
            conn.execute(f"DROP {kind.upper()} temp.{name}")
        for (name,) in conn.execute("SELECT name FROM pragma_database_list"
                                    " WHERE name LIKE 'import^_%' ESCAPE '^'").fetchall():
            conn.execute(f"DETACH DATABASE {name}")
        if self.folder is not None:
            import shutil

            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _dumps(row: Row) -> str:
    """A row as JSON, its bytes (a personal value's ciphertext) as `{"hex": …}`."""
    return json.dumps({k: {"hex": v.hex()} if isinstance(v, bytes) else v
                       for k, v in row.items()}, ensure_ascii=False)


def _loads(text: str) -> Row:
    return {k: bytes.fromhex(v["hex"]) if isinstance(v, dict) else v
            for k, v in json.loads(text).items()}


def copy_staged(db: Database, table: str, import_id: int) -> int:
    """`INSERT INTO table … SELECT … FROM STAGE`, in the order staged: the staged rows'
    columns that are columns of `table`, with who and when from their `imports` row (as
    `Database.insert_records` writes an imported record). Returns the rows written."""
    have = {r[1] for r in db.query(f"PRAGMA table_info({table})")}
    staged = [r[1] for r in db.query("PRAGMA temp.table_info(import_stage)")]
    names = _names([c for c in staged if c in have and c not in ("seq", "line")])
    return db.conn.execute(
        f"INSERT INTO {table} ({names}, created_at, created_by, import_id)"
        f" SELECT {names}, NULL, NULL, ? FROM {STAGE} ORDER BY seq", (import_id,)).rowcount


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)  # `no`, `key`: words of SQL too


class Writer:
    """One thread that writes to the file while the caller prepares the next batch: a
    multi-row INSERT runs with the GIL released, so the two really run at once. The caller
    never uses the connection while a write is under way: it `wait`s first (`submit` does)."""

    def __init__(self, name: str):
        self.name = name
        self.pool: Any = None  # a one-thread executor, made for the first write
        self.pending: Any = None  # the Future of the write under way
        self.interval = 0.0  # sys.getswitchinterval() before the thread started

    def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Run `job(*args)` in the thread, after the write before it."""
        self.wait()
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(1, thread_name_prefix=self.name)
            # The thread needs the GIL for a moment between statements; by default it
            # would wait up to 5 ms each time for the caller to let go.
            self.interval = sys.getswitchinterval()
            sys.setswitchinterval(0.0001)
        self.pending = self.pool.submit(job, *args)

    def wait(self) -> None:
        """Wait for the write under way; its error, if any, is raised here."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        if self.pending is not None:
            from concurrent.futures import wait

            wait([self.pending])  # (an error is already on its way out)
            self.pending = None
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None
            sys.setswitchinterval(self.interval)


class _Batch:
    """Checked rows waiting to be staged: every `BATCH_ROWS` of them, `flush()` names
    repeats within the file, matches them against the stored records (`find`), runs the
    kind's rules across rows (`checker`) in file order and, while the file has no bad row,
    stages the new ones and the corrections.

    For a kind whose `prepare` reads nothing from the database (`overlap`), the staging
    insert runs in one writer thread while the main thread reads and checks the next batch;
    `db.insert_many` hands SQLite the batch in a few statements, which run with the GIL
    released, so the two threads really run at once. The connection is never used by both:
    every use here first waits for the writer."""

    def __init__(self, db: Database, kind: ImportKind, result: ImportResult,
                 problems: list[Problem], what: str, update: bool, stage: _Stage):
        self.db, self.kind, self.result, self.problems = db, kind, result, problems
        self.what, self.update, self.stage = what, update, stage
        self.rows: list[tuple[int, Row]] = []
        self.seen = _SeenKeys(db)
        self.check = kind.checker(db) if kind.checker else None
        self.writer = Writer("tongwei-import")

    def wait(self) -> None:
        """Wait for the batch being staged; its error, if any, is raised here."""
        self.writer.wait()

    def close(self) -> None:
        self.writer.close()

    def _stage(self, new: list[tuple[int, Row]]) -> None:
        if self.kind.order is not None:
            order = self.kind.order
            new.sort(key=lambda item: order(item[1]))
        if not self.kind.overlap:
            self.stage.add(new)
            return
        self.writer.submit(self.stage.add, new)

    def flush(self) -> None:
        """Check and stage the rows gathered in `self.rows` (a list the caller keeps
        appending to: it is emptied here, not replaced)."""
        kind, result, problems, what = self.kind, self.result, self.problems, self.what
        rows = self.rows[:]
        self.rows.clear()
        if not rows:
            return
        self.wait()  # the previous batch is staged: the connection is free
        apart = self.stage.folder is not None  # (then each row is its key and `seq`)
        if apart:
            keys = [brief[0] for _, brief in rows]
        else:
            self.stage.open(rows[0][1])
            keys = [kind.key(row) for _, row in rows]
        repeats = self.seen.repeats([(k, line) for k, (line, _) in zip(keys, rows, strict=True)])
        if apart and repeats:
            whole = self.stage.rows([rows[i][1][1] for i in repeats])
            rows = [(line, whole[row[1]]) if i in repeats else (line, row)
                    for i, (line, row) in enumerate(rows)]
        fresh: list[tuple[int, Row, Any]] = []
        for index, (line, row) in enumerate(rows):
            if index in repeats:
                problems.append((line, kind.key_column,
                                 f"{kind.describe(row)} repeats {what} {repeats[index]}"))
            else:
                fresh.append((line, row, keys[index]))
        stored = kind.find(self.db, [k for _, _, k in fresh])
        if apart and stored:
            whole = self.stage.rows([row[1] for _, row, k in fresh if k in stored])
            fresh = [(line, whole[row[1]] if k in stored else row, k) for line, row, k in fresh]
        new: list[tuple[int, Row]] = []
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
            if self.check is not None:  # (never checked apart: a kind that `overlap`s)
                try:
                    self.check(row)
                except TongweiError as exc:
                    problems.append((line, exc.field, exc.reason))
                    continue
            new.append((line, row))
        result.imported += len(new)
        result.updated += len(changed)
        if problems:
            return  # nothing will be written: stage nothing more, keep checking
        if apart:  # (staged by the children: only what is not new is noted)
            if len(new) < len(rows):
                fresh_lines = {line for line, _ in new}
                self.stage.skip([line for line, _ in rows if line not in fresh_lines])
        elif new:
            self._stage(new)
            staged = getattr(self.check, "staged", None)
            if staged is not None:
                staged()
        for line, old, row in changed:
            self.wait()
            self.stage.change(line, old, row)


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
