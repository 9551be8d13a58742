"""Storage: the only way a connection is made (`open_db`) and a change is made (`write`).

Importing this module is cheap: sqlite_utils (and through it pandas) is imported
only when a migration is pending.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import Conflict, StorageError
from tongwei_cli.core.masking import mask_shown
from tongwei_cli.core.settings import Settings, current
from tongwei_cli.storage import digests, keys

try:
    import fcntl as _flock
except ImportError:  # Windows: no waiting line (`_Gate`)
    _flock = None  # type: ignore[assignment]

SQL_DIR = Path(__file__).parent / "sql"
MIGRATION_SET = "tongwei"
GENESIS_HASH = "0" * 64
BUSY_TIMEOUT_MS = 30_000
# On a terminal, a write that has waited this long for another writer says what it waits for.
WAIT_NOTICE_MS = 1_000
# A long write that gives way (`write(give_way=True)`: an import's final copy) looks this
# often for a write waiting behind it. Having given way, it waits for the writes that were
# waiting to be in (`GIVE_WAY_WAIT_S` at most) and for the file to be quiet (no commit for
# `GIVE_WAY_QUIET_S`) before it writes again. (How long it goes on giving way is the
# caller's: `imports.engine.GIVE_WAY_MIN_S`.)
GIVE_WAY_EVERY_S = 0.05
GIVE_WAY_WAIT_S = 2.0
GIVE_WAY_QUIET_S = 1.0
GIVE_WAY_QUIET_MAX_S = 16.0
# A write waits this long at most for a long write that said what it is (`write(holder=…)`)
# and is still running: an import's final copy of millions of rows, once it no longer gives
# way, may hold the file for longer than `BUSY_TIMEOUT_MS`.
HOLDER_WAIT_S = 600.0


class GaveWay(Exception):
    """Raised out of `write(give_way=True)` when it was rolled back to let a write that
    was waiting behind it go first; the caller waits (`let_waiters_in`) and tries again."""


def migration_names() -> list[str]:
    """Every migration of the schema, in order: the stems of `sql/NNN_name.sql`. (Listed
    by hand: `Path.glob` compiles its pattern, on every command.)"""
    return sorted(name[:-4] for name in os.listdir(SQL_DIR)
                  if name.endswith(".sql") and name[3:4] == "_" and name[:3].isascii()
                  and name[:3].isdigit())


def audit_hash(row: Sequence[Any]) -> str:
    """SHA-256 of an audit row's content and the previous row's hash: the rows written
    before migration 008 (which keep it).

    `row` is (at, officer, action, entity, key, before, after, prev_hash)."""
    payload = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def keyed_hash(audit_key: bytes, row: Sequence[Any]) -> str:
    """HMAC-SHA256, under the audit subkey of the database's key, of an audit row with its
    own id and the previous row's hash: nobody without the key can make or mend a row.

    `row` is (id, at, officer, action, entity, key, before, after, state, key_id,
    prev_hash)."""
    payload = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hmac.new(audit_key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _audit_json(value: dict | None) -> str | None:
    if value is None:
        return None
    # Personal data never enters the log in full: it is append-only and cannot be scrubbed.
    # Neither do the phone and ID numbers typed into a summary or a note (`mask_shown`).
    return json.dumps(mask_shown(value), ensure_ascii=False, sort_keys=True, default=str)


class Database:
    """One open tongwei file."""

    def __init__(self, conn: sqlite3.Connection, path: Path, settings: Settings):
        self.conn = conn
        self.path = path
        self.settings = settings
        self._writing = False
        # What the floors above keep for the life of this connection (the reference tables,
        # held in memory by `domain.reference.refs`).
        self.memo: dict[str, Any] = {}
        # The database's keys (read from its key file when first needed), the key this
        # write signs with, and the record digests' bookkeeping (digests.py).
        self.keyring = keys.Keyring(self)
        self.sealer = digests.Sealer()
        self.sealer.register(conn)
        self._key: keys.Key | None = None
        self._audit_key = b""

    # -- reading ----------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | dict = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict = ()) -> sqlite3.Row | None:
        return self.conn.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence[Any] | dict = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    @property
    def officer(self) -> str:
        return self.settings.officer or "unknown"

    @property
    def tz(self):
        return self.settings.tz

    # -- writing ----------------------------------------------------------------
    @contextmanager
    def write(self, holder: tuple[str, str] | None = None,
              give_way: bool = False) -> Iterator[Database]:
        """`BEGIN IMMEDIATE` … `COMMIT`, or `ROLLBACK` on any exception.

        Every change goes through here, with at least one `audit()` call inside. A write
        that finds another one under way waits for it (up to `BUSY_TIMEOUT_MS`), saying so
        on a terminal. `holder` (Chinese, English): what this write is, told to anyone who
        has to wait for it -- for a long one, such as an import's final copy.

        `give_way`: a long write that all-or-nothing keeps in one transaction (an import's
        final copy) gives way to a write that comes to wait behind it: it is rolled back
        at once and `GaveWay` raised, so the officer's `case add` waits a moment, not the
        whole copy; the caller lets it go first (`let_waiters_in`) and writes again."""
        if self._writing:
            raise RuntimeError("write() is not re-entrant")
        self._begin_immediate()
        self._writing = True
        note = _hold(self.path, holder) if holder else None
        gate = _Gate.open(self.path) if give_way else None
        if gate is not None:
            self.conn.set_progress_handler(gate, 2_000)
        try:
            self._sign_with(keys.for_write(self))  # no key: nothing is written
            yield self
            digests.settle(self)
            if gate is not None:
                self.conn.set_progress_handler(None, 0)  # the commit itself is never cut
                if gate.asked:  # a cut statement's error that something above swallowed
                    raise GaveWay
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if gate is not None and gate.asked:
                raise GaveWay from exc  # whatever the cut statement raised
            raise
        finally:
            self._writing = False
            self._key = None
            self.sealer.end()
            if gate is not None:
                self.conn.set_progress_handler(None, 0)
                gate.close()
            if note is not None:
                note.unlink(missing_ok=True)

    def let_waiters_in(self, until: float | None = None, times: int = 1) -> None:
        """After `GaveWay`: wait until the writes that were waiting are in (they leave the
        waiting line then: SQLite's busy handler tries again within 0.1 s), for
        `GIVE_WAY_WAIT_S` at most (a waiting command stopped with Ctrl-Z stays in the line);
        then until no other connection has committed for `GIVE_WAY_QUIET_S` (a script's next
        write comes soon after its last) -- or until `until` (`time.monotonic()`), if that
        comes first. Having given way `times` times already, it waits for a longer quiet
        (twice as long each time, `GIVE_WAY_QUIET_MAX_S` at most): writes that keep coming
        more often than a copy takes would cut every copy, so rather than copy in vain it
        waits for a lull."""
        quiet = min(GIVE_WAY_QUIET_S * 2 ** max(0, times - 1), GIVE_WAY_QUIET_MAX_S)
        end = float("inf") if until is None else until
        gate = _Gate.open(self.path)
        if gate is not None:
            try:
                deadline = min(end, time.monotonic() + GIVE_WAY_WAIT_S)
                while gate.waiting() and time.monotonic() < deadline:
                    time.sleep(0.01)
            finally:
                gate.close()
        version, quiet_since = self.scalar("PRAGMA data_version"), time.monotonic()
        while time.monotonic() < min(end, quiet_since + quiet):
            time.sleep(0.05)
            now = self.scalar("PRAGMA data_version")
            if now != version:
                version, quiet_since = now, time.monotonic()

    def _begin_immediate(self) -> None:
        """`BEGIN IMMEDIATE`. When another write is under way, this one stands in the
        waiting line (`_Gate`), so that a long write that gives way sees it and does;
        SQLite's busy handler waits in silence, so on a terminal the wait is cut in two: a
        short one, then a line on stderr saying what it waits for, then the rest."""
        if self._began(0) is None:
            return
        gate = _Gate.open(self.path)
        if gate is not None:
            gate.stand()
        try:
            if _terminal():
                if self._began(WAIT_NOTICE_MS) is None:
                    return
                print(_waiting_for(self.path), file=sys.stderr, flush=True)
            # A long write that said what it is (an import's final copy, which no longer
            # gives way) is waited for while it runs, `HOLDER_WAIT_S` at most; any other
            # holder, `BUSY_TIMEOUT_MS`.
            deadline = time.monotonic() + HOLDER_WAIT_S
            while (busy := self._began(BUSY_TIMEOUT_MS)) is not None:
                if not (time.monotonic() < deadline and _holder(self.path) is not None):
                    raise busy
        finally:
            if gate is not None:
                gate.close()  # the lock is ours (or the wait is over): out of the line

    def _began(self, wait_ms: int) -> sqlite3.OperationalError | None:
        """`BEGIN IMMEDIATE`, SQLite waiting `wait_ms` at most for another writer: None
        when it began, else the "busy" error (any other error is raised). The busy timeout
        is `BUSY_TIMEOUT_MS` again afterwards."""
        self.conn.execute(f"PRAGMA busy_timeout = {wait_ms}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            return None
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            return exc
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _sign_with(self, key: keys.Key | None) -> None:
        """This write signs its audit rows with `key` and keeps the record digests (None: a
        file from before migration 008, whose migration makes its key)."""
        if key is not None:
            sealed = self.memo.get("personal.key")  # (storage/personal.py)
            if sealed is not None and sealed.key_id != key.key_id:
                self.memo.pop("personal.key")
                raise Conflict("the database's key was rotated while this command prepared "
                               "its records: nothing was written; run it again", "--db")
            self.use_key(key)
            self.sealer.begin(self)

    @property
    def write_key(self) -> keys.Key | None:
        """Inside `write()`, the key this write signs with (the database's key as it is now,
        read under the lock); None outside a write."""
        return self._key if self._writing else None

    def use_key(self, key: keys.Key) -> None:
        """Sign with `key` and compute record digests under it."""
        self._key = key
        self._audit_key = key.subkey("audit")
        self.sealer.use(key.subkey("digest"))

    @contextmanager
    def read(self) -> Iterator[Database]:
        """One state of the file for everything read inside: a read transaction (in WAL
        mode writers go on meanwhile; they are simply not seen). Inside `write()` or
        another `read()`, that transaction already is the snapshot."""
        if self.conn.in_transaction:
            yield self
            return
        self.conn.execute("BEGIN")
        try:
            yield self
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    @contextmanager
    def read_held(self, wait_ms: int = 0, holder: tuple[str, str] | None = None
                  ) -> Iterator[bool]:
        """`read()`, the file's write lock held meanwhile (`BEGIN IMMEDIATE`; nothing is
        written): no other connection can commit, so a read transaction another process
        begins now sees this one's state exactly -- True. When the lock cannot be had
        within `wait_ms` (another writer holds it: this never waits long for one) or at all
        (a file that cannot be written), a plain read transaction -- False. `holder`
        (Chinese, English), as `write`'s: what holds the file, told to a write that waits."""
        held = False
        if not self.conn.in_transaction:  # (inside another read or a write: that snapshot)
            try:
                held = self._began(wait_ms) is None
            except sqlite3.OperationalError:  # (read-only: there is no lock to take)
                pass
        note = _hold(self.path, holder) if held and holder else None
        try:
            with self.read():  # (the transaction the lock began, or a plain one)
                yield held
        finally:
            if held and self.conn.in_transaction:
                self.conn.execute("COMMIT")
            if note is not None:
                note.unlink(missing_ok=True)

    def audit(self, action: str, entity: str, key: str | None = None,
              before: dict | None = None, after: dict | None = None) -> str:
        """Append one row to the audit chain; returns its hash.

        The row is signed with the database's key (`keyed_hash`) and carries the records'
        state after the change (`digests.seal`). In a file from before migration 008 (only
        while it is being migrated, or in tests of old files) it is an SHA-256 row."""
        if not self._writing:
            raise RuntimeError("audit() outside write()")
        if self._key is None:
            prev = self.scalar("SELECT hash FROM audit ORDER BY id DESC LIMIT 1") or GENESIS_HASH
            row = (clock.stamp(), self.officer, action, entity, key,
                   _audit_json(before), _audit_json(after), prev)
            digest = audit_hash(row)
            self.conn.execute(
                "INSERT INTO audit (at, officer, action, entity, key, before, after, prev_hash,"
                " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*row, digest))
            return digest
        last = self.one("SELECT id, hash, key_id, state FROM audit ORDER BY id DESC LIMIT 1")
        prev = last[1] if last else GENESIS_HASH
        digests.seal(self)
        state = (int(last[3], 16) if last and last[3] else 0) ^ self.sealer.take_delta()
        row_id = (last[0] if last else 0) + 1
        signed = (row_id, clock.stamp(), self.officer, action, entity, key,
                  _audit_json(before), _audit_json(after), f"{state:012x}", self._key.key_id,
                  prev)
        digest = keyed_hash(self._audit_key, signed)
        self.conn.execute(
            "INSERT INTO audit (id, at, officer, action, entity, key, before, after, state,"
            " key_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*signed, digest))
        if last is None or last[2] is None:  # the first signed row
            self.conn.execute("UPDATE database_identity SET keyed_from = ? WHERE id = 1",
                              (row_id,))
        return digest

    def insert_many(self, table: str, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]],
                    same: dict[str, int | None] | None = None, on_conflict: str = "") -> None:
        """INSERT `rows` (tuples in `columns` order), inside `write()`; `same`: columns
        with one value for every row (an import's id, NULL), written into the statement;
        `on_conflict`: what a row whose key is already there does (`DO NOTHING`).

        Rows go a few thousand at a time as one multi-row `INSERT … VALUES (…), (…)`:
        sqlite3 binds the values in one C loop and then runs the whole statement with the GIL
        released, so an import can write one batch in a thread while it checks the next
        (`executemany` takes the GIL back after every row). The values are bound exactly as
        `executemany` binds them."""
        same = same or {}
        for value in same.values():  # only what cannot be anything but a literal
            if value is not None and type(value) is not int:
                raise TypeError(f"insert_many: {value!r} is not an int or None")
        names = ", ".join([*columns, *same])
        literals = ["NULL" if v is None else str(v) for v in same.values()]
        one = f"({', '.join(['?'] * len(columns) + literals)})"
        per = max(1, _variable_limit(self.conn) // max(1, len(columns)))
        for start in range(0, len(rows), per):
            part = rows[start:start + per]
            values = ", ".join([one] * len(part))
            upsert = f" ON CONFLICT {on_conflict}" if on_conflict else ""
            self.conn.execute(f"INSERT INTO {table} ({names}) VALUES {values}{upsert}",
                              list(itertools.chain.from_iterable(part)))

    def origin(self, import_id: int | None) -> tuple[str | None, str | None]:
        """`created_at`, `created_by` of a record written now: this officer's, or none for
        an imported one (cases, events, warnings, follow-ups), whose import's row says."""
        return (None, None) if import_id else (clock.stamp(), self.officer)

    def insert_records(self, table: str, columns: Sequence[str],
                       rows: Sequence[Sequence[Any]], import_id: int | None) -> None:
        """`insert_many` of records with their origin (`origin`)."""
        if import_id:
            self.insert_many(table, columns, rows, same={
                "created_at": None, "created_by": None, "import_id": import_id})
        else:
            now, who = self.origin(import_id)
            self.insert_many(table, (*columns, "created_at", "created_by"),
                             [(*row, now, who) for row in rows])

    def close(self) -> None:
        self.conn.close()


def where(*tests: tuple[str, Any]) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters from `(condition, value)` pairs, each condition
    with one `?`: a pair whose value is None (not given) is left out. The list filters of
    every kind of record are built with it."""
    clauses = [condition for condition, value in tests if value is not None]
    params = [value for _, value in tests if value is not None]
    return " AND ".join(clauses) or "1 = 1", params


def _terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class _Gate:
    """The waiting line beside the file (`<db>-waiting`, empty, kept like `-shm`): a write
    that finds the file busy holds a shared lock on it (`stand`) until it has its own lock;
    a long write that gives way looks for such a lock (`waiting`, a non-blocking exclusive
    `flock`) from SQLite's progress handler (`__call__`, at most every `GIVE_WAY_EVERY_S`)
    and, when it finds one, asks SQLite to cut the statement under way. `flock` locks are
    the kernel's: a process that dies leaves none behind. Where there is no `flock`
    (Windows) or no file can be made beside the database, there is no line: writes simply
    wait, as SQLite makes them."""

    __slots__ = ("fd", "next", "asked")

    def __init__(self, fd: int):
        self.fd, self.next, self.asked = fd, time.monotonic() + GIVE_WAY_EVERY_S, False

    @classmethod
    def open(cls, path: Path) -> _Gate | None:
        """The line, made with the database's mode (as SQLite makes its `-wal` and `-shm`:
        officers who share the file share the line), never through a symbolic link."""
        if _flock is None:
            return None
        try:
            mode = os.stat(path).st_mode & 0o666
            fd = os.open(f"{path}-waiting",
                         os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, mode)
        except OSError:
            return None
        with suppress(OSError):  # (the umask took some; another user's line)
            os.fchmod(fd, mode)
        return cls(fd)

    def stand(self) -> None:
        try:
            _flock.flock(self.fd, _flock.LOCK_SH)
        except OSError:
            pass

    def waiting(self) -> bool:
        """Whether a write stands in the line."""
        try:
            _flock.flock(self.fd, _flock.LOCK_EX | _flock.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        _flock.flock(self.fd, _flock.LOCK_UN)
        return False

    def __call__(self) -> int:
        """SQLite's progress handler: non-zero cuts the statement under way (and, once
        asked, every later one)."""
        if self.asked:
            return 1
        now = time.monotonic()
        if now < self.next:
            return 0
        self.next = now + GIVE_WAY_EVERY_S
        if self.waiting():
            self.asked = True
            return 1
        return 0

    def close(self) -> None:
        os.close(self.fd)  # and with it any lock this process held on the line


def _holder_note(path: Path) -> Path:
    return Path(f"{path}-writing")


def _hold(path: Path, holder: tuple[str, str]) -> Path | None:
    """Leave beside the file what the write under way is (`write(holder=…)`), for anyone
    who has to wait for it; None when the folder does not take it (a note only)."""
    note = _holder_note(path)
    try:
        note.write_text(json.dumps({"pid": os.getpid(), "zh": holder[0], "en": holder[1],
                                    "since": time.time()}, ensure_ascii=False), "utf-8")
    except OSError:
        return None
    return note


def _holder(path: Path) -> dict | None:
    """The note of the write under way (`_hold`), if its holder is still running."""
    try:
        held = json.loads(_holder_note(path).read_text("utf-8"))
        try:
            os.kill(int(held["pid"]), 0)  # a note left by a process that died says nothing
        except PermissionError:
            pass  # alive, another user's
        float(held["since"])
        str(held["zh"]), str(held["en"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return held


def _waiting_for(path: Path) -> str:
    """The line a waiting write shows: what holds the file, if its holder left a note
    (and is still running), else only that another writer does."""
    from tongwei_cli.core.words import pick

    what = None
    held = _holder(path)
    if held is not None:
        minutes, seconds = divmod(max(0, int(time.time() - float(held["since"]))), 60)
        what = pick(f"{held['zh']}，已 {minutes} 分 {seconds} 秒" if minutes else
                    f"{held['zh']}，已 {seconds} 秒",
                    f"{held['en']}, for {minutes} min {seconds} s" if minutes else
                    f"{held['en']}, for {seconds} s")
    if what:
        return pick(f"正在等待另一个写入完成（{what}）…", f"waiting for another writer ({what})…")
    return pick("正在等待另一个写入完成…", "waiting for another writer to finish…")


def _connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False: an import hands its batches to one writer thread, never two
    # threads at once (`importer._Batch`).
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    _use_wal(conn)
    conn.execute("PRAGMA synchronous = FULL")
    # What a write frees (a record corrected, removed or sealed) is overwritten with zeros,
    # not left in the file's free space: whatever SQLite's build chose as the default.
    conn.execute("PRAGMA secure_delete = ON")
    return conn


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A second, read-only connection to the file at `path` (usable from another thread):
    for work that runs beside the main connection, such as `check`'s integrity pass."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                           timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)


def _use_wal(conn: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode = WAL`, waiting as long as any other lock would.

    Switching a new, empty file to WAL takes an exclusive lock for which SQLite does not
    call the busy handler: several commands creating the same file at once would be told
    it is locked. (A file already in WAL mode never waits here.)"""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.002
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _variable_limit(conn: sqlite3.Connection) -> int:
    """How many `?` one statement may hold (32766 in SQLite ≥ 3.32, 999 before)."""
    try:
        return min(conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 32766)
    except AttributeError:  # Python < 3.11
        return 999


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?"
                            " ORDER BY id", (MIGRATION_SET,)).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    return [r[0] for r in rows]


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    done = set(applied_migrations(conn))
    return [name for name in migration_names() if name not in done]


def open_db(settings: Settings | None = None, path: str | Path | None = None, *,
            create: bool = False) -> Database:
    """Open and migrate the tongwei file. Only `create` (`init`, `demo`) makes a new one
    (mode 0600, and its folder) or sets one up in an empty file: otherwise a path with no
    tongwei database at it is refused, so that a mistyped `--db` never becomes an empty
    database whose daily report is a day of zeros."""
    settings = settings or current()
    path = Path(path) if path else settings.db_path
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file", "--db")
    if not create:
        _must_hold_database(path)
    elif not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        except OSError as exc:
            raise StorageError(f"cannot create {path}: {exc.strerror}", "--db") from None
    try:
        conn = _connect(path)
        db = Database(conn, path, settings)
        if pending_migrations(conn):
            if not applied_migrations(conn):
                if not create:
                    conn.close()
                    raise _not_tongwei(path)
                _make_private(path)  # an existing file set up as a database now
            from tongwei_cli.storage.migrations import apply

            apply(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(describe_sqlite_error(exc, path), "--db") from None
    return db


def open_in_place(settings: Settings, path: Path) -> Database:
    """A tongwei file in a folder nobody may write -- a station's file on a write-protected
    medium --, read where it is: SQLite is told the file cannot change (`immutable=1`), so
    it takes no lock and makes no file beside it. Refused when a `-wal` beside it holds
    changes (an immutable file's log is not read: records would be missed) or when the
    file would need migrating; either way, copying it somewhere writable does."""
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise StorageError(f"{path} cannot be read where it is: {wal.name} beside it holds "
                           "changes not yet in the file; copy both to a folder that can be "
                           "written, then use the copy", "FILE")
    try:
        _must_hold_database(path)
    except StorageError as exc:
        raise StorageError(exc.reason, "FILE") from None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True,
                               isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        if pending_migrations(conn):
            conn.close()
            raise StorageError(f"{path} is from an older tongwei and cannot be brought up "
                               "to date where it is (its folder cannot be written); copy it "
                               "to a folder that can be, then use the copy", "FILE")
    except sqlite3.DatabaseError as exc:
        raise StorageError(describe_sqlite_error(exc, path), "FILE") from None
    return Database(conn, path, settings)


def _not_tongwei(path: Path) -> StorageError:
    return StorageError(f"{path} is an SQLite file but not a tongwei database (tongwei init "
                        "sets one up in it)", "--db")


def _must_hold_database(path: Path) -> None:
    """Refuse a path where there is no database to open: nothing there, an empty file, or
    an SQLite file without tongwei's tables. Reads only: a file in rollback-journal mode
    (a backup, another program's) is looked into read-only before `_connect` switches it to
    WAL; a WAL file is looked into after."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(20)
    except FileNotFoundError:
        raise StorageError(f"no database at {path} (tongwei init creates one)",
                           "--db") from None
    except OSError:
        return  # unreadable: `_connect` says why
    if not head:
        raise StorageError(f"{path} is an empty file, not a database yet (tongwei init sets "
                           "it up)", "--db")
    if head.startswith(b"SQLite format 3\x00") and head[18:19] != b"\x02":
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                ours = conn.execute("SELECT 1 FROM sqlite_master WHERE name = "
                                    "'_sqlite_migrations'").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return  # `_connect` says why
        if not ours:
            raise _not_tongwei(path)


def _make_private(path: Path) -> None:
    """Mode 0600 for a file given as `--db` that tongwei is about to create the schema in
    (made by `touch`, or by another tool, with the umask's 0644), and for the files SQLite
    keeps beside it, which it creates with the file's mode. Best effort: a file someone
    else owns keeps its mode."""
    for name in (str(path), f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        try:
            os.chmod(name, 0o600)
        except OSError:
            pass


def describe_sqlite_error(exc: sqlite3.Error, path: Path | None = None) -> str:
    message = str(exc)
    where = f"{path}" if path else "the database"
    if "file is not a database" in message or "malformed" in message:
        return f"{where} is not a readable tongwei database ({message})"
    if "readonly" in message or "read-only" in message:
        return f"{where} is read-only ({message})"
    if "disk is full" in message or "database or disk is full" in message:
        return f"{where}: the disk or database is full; nothing was written"
    if "locked" in message or "busy" in message:
        return f"{where} is busy with another writer; try again"
    if "unable to open" in message:
        return f"cannot open {where} ({message})"
    return f"{where}: {message}"
