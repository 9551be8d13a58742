"""Facts about the database file, and its online backup."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

from tongwei_cli.core.errors import Conflict, StorageError
from tongwei_cli.storage import audit, keys
from tongwei_cli.storage.db import Database, applied_migrations

COUNTED = ("cases", "case_events", "warnings", "followups", "outreach", "institutions",
           "card_actions", "card_penalties", "campaigns", "imports", "audit")


def status(db: Database) -> dict[str, Any]:
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    wal = Path(f"{db.path}-wal")
    return {
        "path": str(db.path),
        "size_bytes": db.path.stat().st_size,
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        "schema_version": (applied_migrations(db.conn) or ["none"])[-1],
        "sqlite_version": sqlite3.sqlite_version,
        "audit_rows": db.scalar("SELECT count(*) FROM audit"),
        "audit_head": audit.head(db),
        "audit_anchor": "{}:{}".format(*audit.latest(db)),
        **key_facts(db),
        "rows": {t: db.scalar(f"SELECT count(*) FROM {t}") for t in COUNTED if t in tables},
    }


# The files SQLite keeps for one database: the file itself, then beside it (the name with a
# suffix) the write-ahead log, its index and the rollback journal. Writing over any of them
# loses committed records.
COMPANIONS = {"": "is the database itself", "-wal": "is the database's write-ahead log",
              "-shm": "is the database's shared-memory index",
              "-journal": "is the database's rollback journal"}

# The first bytes of a database file, a write-ahead log and a rollback journal.
SQLITE_MAGIC = (b"SQLite format 3\x00", b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83",
                b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7")


def database_part(target: str | Path, db_path: Path) -> str | None:
    """What `target` is of the database at `db_path` (the file, its `-wal`, `-shm` or
    `-journal`), as a reason to refuse it, or None. It is one of them by name, through
    symbolic links (either's), or as the same file under another name (a hard link: device
    and inode), whether or not the file exists yet. Never opens the database."""
    target = Path(target).expanduser()
    names = {os.path.abspath(target), os.path.realpath(target)}
    try:
        st = os.stat(target)
        ident: tuple[int, int] | None = (st.st_dev, st.st_ino)
    except OSError:
        ident = None
    bases = {os.path.abspath(db_path), os.path.realpath(db_path)}
    for suffix, reason in COMPANIONS.items():
        for base in bases:
            candidate = base + suffix
            if candidate in names or os.path.realpath(candidate) in names:
                return reason
            if ident is not None:
                try:
                    other = os.stat(candidate)
                except OSError:
                    continue
                if (other.st_dev, other.st_ino) == ident:
                    return reason
    return None


def holds_sqlite(target: str | Path) -> bool:
    """True when `target` is an existing file that begins as an SQLite database, write-ahead
    log or journal does (another tongwei file, a backup, one being written)."""
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):  # a pipe or a device: never read it
            return False
        with open(target, "rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return any(head.startswith(magic) for magic in SQLITE_MAGIC)


def key_facts(db: Database) -> dict[str, Any]:
    """Which database this is, which key is its own, and where that key is (or that it is
    not here): reading needs no key."""
    found = keys.identity(db)
    if found is None:
        return {"database_id": None, "key_id": None, "key_file": None}
    try:
        where = str(keys.current(db).source)
    except keys.KeyMissing:
        where = "not here (" + ", ".join(str(p) for p in keys.search_files(found.db_id)) + ")"
    return {"database_id": found.db_id, "key_id": found.key_id, "key_file": where}


def backup(db: Database, target: str | Path, *, force: bool = False) -> dict[str, Any]:
    """SQLite's online backup into `target` (mode 0600), then an integrity check of the copy.

    The copy is the file as it is -- the key is not in it (nor in the file): it has the
    same database id, so opened at another path it finds the same key file.

    The target's folder must be there: it is never made (a stick that is not mounted would
    otherwise get its "checked: ok" copy on the local disk). The copy is written as
    `PATH.partial` and renamed when checked; on any failure (a full disk) it is removed, and
    an existing PATH is left as it was."""
    path = Path(target).expanduser()
    part = database_part(path, db.path)
    if part is not None:
        raise Conflict(part, "PATH")
    if path.exists() and not force:
        raise Conflict(f"{path} exists (give --force to replace it)", "PATH")
    folder = path.parent
    if not folder.is_dir():
        if folder.exists():
            raise StorageError(f"{folder} is not a folder; nothing was written", "PATH")
        raise StorageError(f"there is no folder {folder} (is the drive mounted?); nothing "
                           "was written", "PATH")
    tmp = path.with_name(path.name + ".partial")
    try:
        if tmp.exists():
            tmp.unlink()
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY, 0o600))
        target_conn = sqlite3.connect(tmp)
        try:
            db.conn.backup(target_conn, pages=1024)
            pages = target_conn.execute("PRAGMA page_count").fetchone()[0]
            check = target_conn.execute("PRAGMA integrity_check").fetchone()[0]
            last = target_conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1"
                                       ).fetchone()
            target_conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            target_conn.close()
        if check != "ok":
            tmp.unlink()
            raise StorageError(f"the copy failed its integrity check ({check})", "PATH")
        os.replace(tmp, path)
    except (OSError, sqlite3.Error) as exc:
        _remove(tmp)
        kept = "it was left as it was" if path.exists() else "nothing was written"
        raise StorageError(f"cannot write {path}: {_why(exc)}; {kept}", "PATH") from None
    anchor = audit.short_anchor(*last) if last else audit.short_anchor(0, "0" * 64)
    return {"path": str(path), "pages": pages, "anchor": anchor,
            "database_id": keys.database_id(db)}


def _why(exc: OSError | sqlite3.Error) -> str:
    """What stopped a copy, as the system says it (a full disk: `No space left on device`,
    whether the file system or SQLite found it)."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return os.strerror(errno.ENOSPC)
    return str(exc)


def _remove(path: Path) -> None:
    """Remove a half-written copy; the SQLite journal a failed write may leave beside it
    goes too."""
    for name in (path, Path(f"{path}-journal")):
        try:
            name.unlink(missing_ok=True)
        except OSError:
            pass


def compact(db: Database) -> dict[str, int]:
    """Rewrite the file with every page full (`VACUUM`), give the WAL back, and log it.

    Pages are left part-empty when records arrive far out of order (added one by one
    newest first, the date indexes' pages fill only half) or are removed; the figures do not
    change. Returns the file's size before and after, in bytes."""
    def size() -> int:
        return db.scalar("PRAGMA page_count") * db.scalar("PRAGMA page_size")

    before = size()
    db.conn.execute("VACUUM")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after = size()
    with db.write():
        db.audit("compact", "database", None, {"bytes": before}, {"bytes": after})
    return {"before": before, "after": after}
