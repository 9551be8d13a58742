"""The key of a database: where it is kept, how it is checked, and its per-purpose subkeys.

A tongwei file holds a random database id (the one row of `database_identity`, migration
008) and, of its current key, a key id and a key check value (HMAC-SHA256 of a fixed label
under the key). The key itself, 32 random bytes, is never in the file. It lives in a key
file found by the database id, so that a copy or a backup opened at another path, by the
same user, finds it, and several databases on one machine each find theirs:

* `$TONGWEI_KEY_FILE` when it is set: one file that may hold the keys of several
  databases (a county file shared by several logins, a stick). New keys are written there;
  the per-user folder below is still read when a key is not in it.
* else the per-user config folder: `<config>/keys/<database id>.key`, one file a database
  (`platformdirs.user_config_path("tongwei")`: `~/.config/tongwei/keys/` on Linux).

Each line of a key file is one key of one database:

    tongwei-key 1 <database id> <key id> <key, 64 hex> <made, UTC>

Lines are only ever appended (`O_APPEND`, mode 0600): a rotation adds the new key and
keeps the old ones, which the audit rows signed before it still need. A key id is derived
from the key (a mistyped key never passes for another), and the database's key check value
tells a wrong key from the right one before it is ever used to write.

Subkeys, one a purpose: HMAC-SHA256(key, b"tongwei <purpose> v1") -- `audit` signs the
audit chain, `digest` marks each record (`digests.py`), `encrypt` and `blind-index` are
for the encryption of personal fields (`subkey(db, "encrypt")`). Only the standard
library's `hmac` and `hashlib` are used here (`secrets` when a key is made): start-up does
not load `cryptography`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from tongwei_cli.core import clock
from tongwei_cli.core.errors import Conflict, InvalidValue, StorageError
from tongwei_cli.core.settings import config_dir, key_file_setting

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database

LINE_TAG = "tongwei-key"
LINE_VERSION = "1"
KEY_BYTES = 32
HEADER = ("# tongwei key file: the keys of tongwei databases, one a line. Keep it secret "
          "(mode 0600)\n# and never beside the database; `tongwei db key export` prints a "
          "recovery sheet for the safe.\n")


class KeyMissing(StorageError):
    """The key a command needs is not where it was looked for, or is not this database's."""


class Identity:
    """The row of `database_identity`: which database this is, and which key is its own.
    (A plain class, as `Key`: a named tuple costs start-up time too.)"""

    __slots__ = ("db_id", "key_check", "key_id", "keyed_from")

    def __init__(self, db_id: str, key_id: str | None, key_check: str | None,
                 keyed_from: int | None):
        self.db_id, self.key_id, self.key_check = db_id, key_id, key_check
        self.keyed_from = keyed_from


class Key:
    """One key of one database, as a key file holds it. (A plain class: this module is
    loaded by every command that writes, and dataclasses cost start-up time.)"""

    __slots__ = ("db_id", "key_id", "secret", "made", "source", "_derived")

    def __init__(self, db_id: str, key_id: str, secret: bytes, made: str,
                 source: Path | None = None):
        self.db_id, self.key_id, self.secret = db_id, key_id, secret
        self.made, self.source = made, source
        self._derived: dict[str, bytes] = {}

    def __repr__(self) -> str:  # never the secret
        return f"Key({self.db_id}, {self.key_id}, {self.source})"

    def subkey(self, purpose: str) -> bytes:
        if purpose not in self._derived:
            self._derived[purpose] = derive(self.secret, purpose)
        return self._derived[purpose]

    @property
    def check(self) -> str:
        return self.subkey("key-check").hex()

    def line(self) -> str:
        return (f"{LINE_TAG} {LINE_VERSION} {self.db_id} {self.key_id} {self.secret.hex()} "
                f"{self.made}\n")


def derive(secret: bytes, purpose: str) -> bytes:
    """The subkey of one purpose: HMAC-SHA256(key, b"tongwei <purpose> v1")."""
    if not re.fullmatch(r"[a-z][a-z-]*", purpose):
        raise ValueError(f"not a key purpose: {purpose!r}")
    return hmac.digest(secret, f"tongwei {purpose} v1".encode(), "sha256")


def key_id_of(secret: bytes) -> str:
    return derive(secret, "key-id").hex()[:16]


def check_of(secret: bytes) -> str:
    """The key check value the database keeps: proof that a key is its own, not the key."""
    return derive(secret, "key-check").hex()


def short(value: str | None, n: int = 8) -> str:
    return (value or "-")[:n]


# -- the identity row ---------------------------------------------------------------------

def identity(db: Database) -> Identity | None:
    """This database's identity, or None for a file from before migration 008."""
    try:
        row = db.one("SELECT db_id, key_id, key_check, keyed_from FROM database_identity"
                     " WHERE id = 1")
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    if row is None:
        raise StorageError("the database's identity row is missing (database_identity):"
                           " the file was changed outside tongwei", "--db")
    return Identity(row[0], row[1], row[2], row[3])


def database_id(db: Database) -> str | None:
    found = identity(db)
    return found.db_id if found else None


# -- key files ----------------------------------------------------------------------------

def home_file(db_id: str) -> Path:
    """The per-user key file of one database."""
    return config_dir() / "keys" / f"{db_id}.key"


def write_file(db_id: str) -> Path:
    """Where a new key of this database is written: `$TONGWEI_KEY_FILE`, else its file in
    the per-user folder."""
    return key_file_setting() or home_file(db_id)


def search_files(db_id: str) -> list[Path]:
    """Where the keys of this database are looked for, in order."""
    chosen = key_file_setting()
    home = home_file(db_id)
    return [chosen, home] if chosen and chosen != home else [home]


def read_file(path: Path) -> list[Key]:
    """Every well-formed key line of a key file (a line whose key does not give its key id
    is skipped: it was damaged)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise KeyMissing(f"cannot read the key file {path}: {exc.strerror}") from None
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 6 or parts[0] != LINE_TAG or parts[1] != LINE_VERSION:
            continue
        _, _, db_id, key_id, secret_hex, made = parts
        try:
            secret = bytes.fromhex(secret_hex)
        except ValueError:
            continue
        if len(secret) == KEY_BYTES and key_id_of(secret) == key_id:
            found.append(Key(db_id, key_id, secret, made, path))
    return found


def append_keys(path: Path, keys: list[Key]) -> None:
    """Append key lines to a key file (created with mode 0600, its folder 0700), on disk
    before this returns."""
    if not keys:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            created = os.fstat(fd).st_size == 0
            data = ((HEADER if created else "") + "".join(key.line() for key in keys)
                    ).encode("utf-8")
            while data:
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _sync_folder(path.parent)
    except OSError as exc:
        raise StorageError(f"cannot write the key file {path}: {exc.strerror}; nothing was"
                           " written", "TONGWEI_KEY_FILE" if key_file_setting() else None
                           ) from None


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def new_key(db_id: str) -> Key:
    import secrets

    secret = secrets.token_bytes(KEY_BYTES)
    return Key(db_id, key_id_of(secret), secret, clock.stamp())


# -- the keys of an open database ---------------------------------------------------------

class Keyring:
    """The keys of one open database, read from its key files once and kept.

    `current()` is the key the database says is its own, checked against its key check
    value; `get(key_id)` any key of its history (old audit rows)."""

    def __init__(self, db: Database):
        self.db = db
        self._keys: dict[str, Key] | None = None
        self.created: Key | None = None  # a key made by this process (init says so)

    def identity(self) -> Identity | None:
        return identity(self.db)

    def all(self, db_id: str) -> dict[str, Key]:
        if self._keys is None:
            keys: dict[str, Key] = {}
            for path in search_files(db_id):
                for key in read_file(path):
                    if key.db_id == db_id:
                        keys.setdefault(key.key_id, key)
            self._keys = keys
        return self._keys

    def remember(self, key: Key) -> None:
        if self._keys is not None:
            self._keys[key.key_id] = key

    def forget(self) -> None:
        self._keys = None

    def get(self, key_id: str) -> Key | None:
        found = self.identity()
        if found is None:
            return None
        return self.all(found.db_id).get(key_id)

    def current(self, found: Identity | None = None) -> Key:
        """The database's own key; `KeyMissing` (one line saying which key, where it was
        looked for and how to restore it) when it is not here or is not this database's."""
        found = found or self.identity()
        if found is None:
            raise KeyMissing("this file has no key yet (it is from before keys): open it "
                             "once with `tongwei init` to make one")
        if not found.key_id or not found.key_check:
            raise KeyMissing(f"database {found.db_id} does not say which key is its own "
                             "(its identity row was changed outside tongwei)")
        keys = self.all(found.db_id)
        key = keys.get(found.key_id)
        if key is None:
            self.forget()  # another process may have written it since
            keys = self.all(found.db_id)
            key = keys.get(found.key_id)
        if key is None:
            where = ", ".join(str(p) for p in search_files(found.db_id))
            if keys:
                raise KeyMissing(
                    f"the current key {found.key_id} of database {found.db_id} is not here "
                    f"(looked in {where}, which holds only its older key(s) "
                    f"{', '.join(sorted(keys))}): restore it from the latest recovery sheet "
                    "with `tongwei db key import SHEET`")
            raise KeyMissing(
                f"the key of database {found.db_id} (key {found.key_id}) is not here: "
                f"looked in {where}; restore it from its recovery sheet with "
                "`tongwei db key import SHEET`, or set TONGWEI_KEY_FILE to the key file")
        if not hmac.compare_digest(key.check, found.key_check):
            raise KeyMissing(
                f"the key {key.key_id} in {key.source} does not match database "
                f"{found.db_id} (its key check value differs): it is not this database's "
                "key, and nothing was written with it; restore the right one with "
                "`tongwei db key import SHEET`")
        return key


def current(db: Database) -> Key:
    """This database's own key, checked (`KeyMissing` when it is not here)."""
    return db.keyring.current()


def subkey(db: Database, purpose: str, key_id: str | None = None) -> bytes:
    """A subkey of this database's key for one purpose ("encrypt", "blind-index", "audit",
    "digest"…): of the current key, or of an older key of its history (`key_id`) to read
    what was written under it. `KeyMissing` when that key is not here."""
    if key_id is None:
        return current(db).subkey(purpose)
    key = db.keyring.get(key_id)
    if key is None:
        found = db.keyring.identity()
        db_id = found.db_id if found else "?"
        raise KeyMissing(f"key {key_id} of database {db_id} is not here (looked in "
                         f"{', '.join(str(p) for p in search_files(db_id))}); restore it with"
                         " `tongwei db key import SHEET`")
    return key.subkey(purpose)


def available(db: Database) -> bool:
    """Whether this database's key is here (reads, figures and masked lists need none)."""
    try:
        current(db)
    except KeyMissing:
        return False
    return True


def for_write(db: Database) -> Key | None:
    """Inside `write()`, the lock held: the key the changes will be signed with, read from
    the identity row as it is now (another process may have rotated it). None for a file
    from before migration 008 (its migration makes the key)."""
    found = identity(db)
    if found is None:
        return None
    return db.keyring.current(found)


def create(db: Database) -> Key:
    """Make this database's first key, inside `write()` (migration 008): written to its key
    file, then named in the identity row."""
    found = identity(db)
    assert found is not None and found.key_id is None
    key = new_key(found.db_id)
    target = write_file(found.db_id)
    append_keys(target, [key])
    key = Key(key.db_id, key.key_id, key.secret, key.made, target)
    db.conn.execute("UPDATE database_identity SET key_id = ?, key_check = ? WHERE id = 1",
                    (key.key_id, key.check))
    db.keyring.remember(key)
    db.keyring.created = key
    return key


# -- rotation -----------------------------------------------------------------------------

# What else is kept under the key and must be re-keyed in the rotation's transaction, as
# "module:function" called with (db, old key, new key) -- the encryption of personal fields
# adds its step here. The record digests are made again after every step (`digests.rekey`),
# so that they cover the records as the steps leave them.
REKEY_STEPS: list[str] = ["tongwei_cli.storage.personal:rekey"]


def endorsement(old: Key, new_key_id: str, new_check: str, prev_hash: str) -> str:
    """The old key's signature on its successor, kept in the rotation's audit row."""
    payload = json.dumps(["key-rotate", old.db_id, old.key_id, new_key_id, new_check,
                          prev_hash], separators=(",", ":"))
    return hmac.new(old.subkey("audit"), payload.encode(), hashlib.sha256).hexdigest()


def rotate(db: Database) -> tuple[Key, Key]:
    """A new key for this database, in one transaction: the new key is written to the key
    file (the old ones stay: the rows signed before still verify with them), everything
    kept under the key is re-keyed (`REKEY_STEPS`), and the rotation's audit row, signed
    with the new key, carries the old key's endorsement of it."""
    import importlib

    from tongwei_cli.storage import digests

    with db.write():
        old = db.keyring.current()
        problems = digests.verify_records(db, limit=5)
        if problems:
            raise Conflict("the records do not all match their digests (" + "; ".join(
                problems) + "): a rotation would seal them; run `tongwei check` first")
        new = new_key(old.db_id)
        target = write_file(old.db_id)
        kept = {k.key_id for k in read_file(target) if k.db_id == old.db_id}
        history = [k for k in db.keyring.all(old.db_id).values() if k.key_id not in kept]
        append_keys(target, [*history, new])
        new = Key(new.db_id, new.key_id, new.secret, new.made, target)
        db.conn.execute("UPDATE database_identity SET key_id = ?, key_check = ? WHERE id = 1",
                        (new.key_id, new.check))
        db.keyring.remember(new)
        db.use_key(new)
        for step in REKEY_STEPS:
            module, name = step.split(":")
            getattr(importlib.import_module(module), name)(db, old, new)
        digests.rekey(db, old, new)
        prev = db.scalar("SELECT hash FROM audit ORDER BY id DESC LIMIT 1") or ""
        db.audit("key-rotate", "database", old.db_id, {"key_id": old.key_id},
                 {"key_id": new.key_id, "key_file": str(target),
                  "endorsed_by_old_key": endorsement(old, new.key_id, new.check, prev)})
    return old, new


# -- the recovery sheet -------------------------------------------------------------------

SHEET_TAG = "tongwei-recovery-sheet 1"


def _line_check(label: str, hex_text: str) -> str:
    return hashlib.sha256(f"{label}:{hex_text}".encode()).hexdigest()[:4]


def _groups(hex_text: str) -> str:
    return " ".join(hex_text[i:i + 4] for i in range(0, len(hex_text), 4))


def sheet(db: Database, *, printed_by: str, where: str) -> str:
    """The recovery sheet: every key of this database (the current one first), as
    printable text with a checksum on each line, so that a mistyped line is caught and
    named when it is typed back in."""
    current_key = current(db)
    keys = sorted(db.keyring.all(current_key.db_id).values(),
                  key=lambda k: (k.key_id != current_key.key_id, k.made))
    db_id = current_key.db_id
    lines = [
        "TONGWEI KEY RECOVERY SHEET  /  通渭反诈 数据库密钥恢复单",
        "",
        "Keep this sheet in the bureau's safe, apart from every copy of the database.",
        "Whoever holds it can read the personal data in the file and sign its audit log.",
        "本单存放于保密柜，与数据库及其备份分开保管。持有本单者可读取库内个人信息并签署审计记录。",
        "",
        "To restore the key (恢复密钥):  tongwei db key import SHEET.txt",
        "A sheet typed back in by hand is checked: the last group of each line is its",
        "checksum, so a mistyped character is caught and its line named.",
        "",
        f"printed {clock.stamp()} by {printed_by}, from {where}",
        f"database id {db_id}; {len(keys)} key(s), the current one first",
        "",
        SHEET_TAG,
        f"database  {_groups(db_id)}  {_line_check('database', db_id)}",
    ]
    for n, key in enumerate(keys, 1):
        state = "current" if key.key_id == current_key.key_id else "old"
        lines.append(f"key {n}  {key.key_id}  made {key.made}  {state}")
        secret = key.secret.hex()
        for part in range(4):
            chunk = secret[part * 16:(part + 1) * 16]
            label = f"k{n}.{part + 1}"
            lines.append(f"  {label}  {_groups(chunk)}  {_line_check(label, chunk)}")
    lines += ["end", ""]
    return "\n".join(lines)


_HEX = r"[0-9a-f]+"


def parse_sheet(text: str) -> tuple[str, list[Key]]:
    """The database id and keys of a recovery sheet (typed back in: upper or lower case,
    any spacing). `InvalidValue` naming the line of the first mistake."""
    db_id: str | None = None
    ids: dict[int, str] = {}
    parts: dict[int, dict[int, str]] = {}
    made: dict[int, str] = {}
    started = False
    for number, raw in enumerate(text.splitlines(), 1):
        words = raw.strip().lower().split()
        if not words:
            continue
        if " ".join(words) == SHEET_TAG:
            started = True
            continue
        if not started:
            continue
        if words[0] == "end":
            break
        if words[0] == "database":
            hex_text = "".join(words[1:-1])
            if not re.fullmatch(_HEX, hex_text) or len(hex_text) != 32:
                raise InvalidValue(f"line {number}: the database id should be 32 hex "
                                   "digits", "FILE")
            if _line_check("database", hex_text) != words[-1]:
                raise InvalidValue(f"line {number} (database): the checksum does not match:"
                                   " a character is mistyped", "FILE")
            db_id = hex_text
        elif words[0] == "key" and len(words) >= 3 and words[1].isdigit():
            ids[int(words[1])] = words[2]
            if len(words) >= 5 and words[3] == "made":
                made[int(words[1])] = words[4].upper()
        elif re.fullmatch(r"k\d+\.[1-4]", words[0]):
            n, part = (int(x) for x in words[0][1:].split("."))
            hex_text = "".join(words[1:-1])
            if not re.fullmatch(_HEX, hex_text) or len(hex_text) != 16:
                raise InvalidValue(f"line {number} ({words[0]}): should be four groups of "
                                   "four hex digits and a checksum", "FILE")
            if _line_check(words[0], hex_text) != words[-1]:
                raise InvalidValue(f"line {number} ({words[0]}): the checksum does not match:"
                                   " a character is mistyped", "FILE")
            parts.setdefault(n, {})[part] = hex_text
        else:
            raise InvalidValue(f"line {number}: not a line of a recovery sheet "
                               f"({raw.strip()[:30]!r})", "FILE")
    if not started:
        raise InvalidValue(f"not a tongwei recovery sheet (no `{SHEET_TAG}` line)", "FILE")
    if db_id is None:
        raise InvalidValue("the sheet has no database line", "FILE")
    keys = []
    for n in sorted(set(ids) | set(parts)):
        got = parts.get(n, {})
        missing = [f"k{n}.{p}" for p in range(1, 5) if p not in got]
        if missing:
            raise InvalidValue(f"key {n}: line(s) {', '.join(missing)} missing", "FILE")
        secret = bytes.fromhex("".join(got[p] for p in range(1, 5)))
        key_id = key_id_of(secret)
        if n in ids and ids[n] != key_id:
            raise InvalidValue(f"key {n}: its lines make key {key_id}, not {ids[n]}: a line "
                               "is mistyped", "FILE")
        keys.append(Key(db_id, key_id, secret, made.get(n) or clock.stamp()))
    if not keys:
        raise InvalidValue("the sheet holds no key", "FILE")
    return db_id, keys


def import_sheet(db: Database, text: str) -> tuple[Path, list[Key], Key]:
    """Restore this database's keys from a recovery sheet: it must be this database's
    (its id) and hold its current key (the key check value). Returns the key file written,
    the keys added to it (none when all were there) and the current key."""
    sheet_db, keys = parse_sheet(text)
    found = identity(db)
    if found is None or not found.key_id:
        raise KeyMissing("this database has no key yet: open it once with `tongwei init`")
    if sheet_db != found.db_id:
        raise InvalidValue(f"the sheet is for database {sheet_db}, not this one "
                           f"({found.db_id})", "FILE")
    own = next((k for k in keys if k.key_id == found.key_id), None)
    if own is None:
        raise InvalidValue(f"the sheet does not hold the current key {found.key_id} of this "
                           f"database (it holds {', '.join(k.key_id for k in keys)}): it "
                           "predates a rotation; use the latest sheet", "FILE")
    if not hmac.compare_digest(own.check, found.key_check or ""):
        raise InvalidValue(f"key {own.key_id} on the sheet does not match this database's "
                           "key check value", "FILE")
    target = write_file(found.db_id)
    there = {k.key_id for k in read_file(target) if k.db_id == found.db_id}
    added = [k for k in keys if k.key_id not in there]
    append_keys(target, added)
    db.keyring.forget()
    return target, added, db.keyring.current()
