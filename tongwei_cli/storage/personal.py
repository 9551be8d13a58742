"""Personal fields at rest: masked in the clear, encrypted beside, found by a blind index.

Every column the declarations mark personal (`core.fields`: a victim's or a warned
person's name, phone and ID number, a restricted person's name and ID number) is kept as
three columns of its table (migration 009):

* `<column>`: the masked form (`张*`, `138****5678`, `621121********123X`) -- what every
  list, show, report and the audit log read, so none of them decrypts and none needs the
  key;
* `<column>_enc`: the value, encrypted with AES-SIV (`cryptography`; the `encrypt` and
  `encrypt-mac` subkeys of the database's key, the table and column as associated data, so
  that a ciphertext moved to another column does not open). SIV is deterministic -- no
  nonce to keep or to reuse by mistake -- and authenticated: a changed byte does not open;
* `<column>_bi`: the blind index, the first 64 bits (a signed INTEGER) of a keyed BLAKE2b
  (the `blind-index` subkey) of the normalised value, the same for a phone in a case and in
  a warning: `find`, the warning a case is linked to, the five-year rule of restrictions
  and a re-import's comparison look values up and compare them through it, indexed,
  without decrypting. (Keyed BLAKE2b is a MAC as HMAC-SHA256 is, and four times faster
  here; 64 bits leave one chance in 10^7 of a false match among a million values.)

Free text (`core.fields.free_text_columns`: a case's summary, notes, a warning's source, a
session's venue, reasons for voiding) is sealed the same way when, and only when, a phone
or ID number is typed into it (the patterns `core.masking.mask_free_text` masks in every
output): `<column>` keeps the text with the numbers masked (`请回电138****5678`), and
`<column>_enc` the text as typed, encrypted (AES-SIV, as above; no blind index: free text
is not looked up). A text without such a number is stored as it is, its `_enc` NULL, and
costs nothing (no key, no `cryptography`). Migration 014 sealed the texts stored before.

Only `--reveal`, `find --reveal` and a correction (which starts from the stored values)
decrypt; `cryptography` is imported only on those paths and on the writes that carry a
personal value or a number in free text. A key rotation re-encrypts every value in its
transaction (`rekey`, one of `keys.REKEY_STEPS`); `db scrub` clears the ciphertext and the
index of the records it finishes, keeping the masked form.
"""

from __future__ import annotations

import hashlib
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tongwei_cli.core.errors import StorageError
from tongwei_cli.core.fields import KINDS, free_text_columns, is_sealed
from tongwei_cli.core.masking import MASKS, mask_free_text

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database
    from tongwei_cli.storage.keys import Key

ENC, BI = "_enc", "_bi"

# table -> {column: kind of personal data}
TABLES: dict[str, dict[str, str]] = {k.table: k.personal() for k in KINDS if k.personal()}
# table -> its free-text columns (sealed when a number is typed into them)
FREE: dict[str, tuple[str, ...]] = free_text_columns()
# table -> every column of it that has a ciphertext beside it (personal, then free text)
SEALED: dict[str, tuple[str, ...]] = {
    table: (*TABLES.get(table, {}), *FREE.get(table, ()))
    for table in dict.fromkeys([*TABLES, *FREE])}


def normalise(kind: str, value: str) -> str:
    """The form a value is indexed in: full-width to half-width, no blanks; an ID number's
    x upper case."""
    if value.isascii() and value.isalnum():  # (a checked phone or ID number: as it is)
        return value.upper() if kind == "id" else value
    text = "".join(unicodedata.normalize("NFKC", value).split())
    return text.upper() if kind == "id" else text


_AAD = {(t, c): [f"{t}.{c}".encode()] for t, columns in SEALED.items() for c in columns}


class Cipher:
    """The AES-SIV of one key (imported and keyed when first needed)."""

    def __init__(self, key: Key):
        from cryptography.hazmat.primitives.ciphers.aead import AESSIV

        self.key_id = key.key_id
        self._siv = AESSIV(key.subkey("encrypt") + key.subkey("encrypt-mac"))

    def encrypt(self, table: str, column: str, value: str) -> bytes:
        aad = _AAD.get((table, column)) or [f"{table}.{column}".encode()]
        return self._siv.encrypt(value.encode("utf-8"), aad)

    def decrypt(self, table: str, column: str, blob: bytes) -> str:
        from cryptography.exceptions import InvalidTag

        try:
            return self._siv.decrypt(blob, [f"{table}.{column}".encode()]).decode("utf-8")
        except (InvalidTag, ValueError, TypeError):
            raise StorageError(
                f"an encrypted value in {table}.{column} does not open with the database's "
                "key: the file was changed outside tongwei (`tongwei check` names the "
                "record)", "--db") from None


_from_bytes = int.from_bytes
_PREFIX = {kind: f"{kind}:".encode() for kind in MASKS}  # (what an index is of: `phone:…`)


class Index:
    """The blind index of one key."""

    def __init__(self, key: Key):
        self._proto = hashlib.blake2b(key=key.subkey("blind-index"), digest_size=8,
                                      person=b"tongwei-bi v1")

    def __call__(self, kind: str, value: str) -> int:
        h = self._proto.copy()
        h.update(_PREFIX[kind])
        h.update(normalise(kind, value).encode())
        return _from_bytes(h.digest(), "big", signed=True)


def _current(db: Database) -> Key:
    """The key values are sealed and opened with: inside a write, the key it signs with
    (read under the lock: another process may have rotated it); outside, the database's key
    as first read by this connection -- an import seals its rows while it checks them; a
    write refuses to begin if the key was rotated since (`Database._sign_with`)."""
    key = db.write_key
    if key is not None:
        return key
    found = db.memo.get("personal.key")
    if found is None:
        from tongwei_cli.storage import keys

        found = db.memo["personal.key"] = keys.current(db)
    return found


def cipher(db: Database, key: Key | None = None) -> Cipher:
    key = key or _current(db)
    found = db.memo.get("personal.cipher")
    if found is None or found.key_id != key.key_id:
        found = db.memo["personal.cipher"] = Cipher(key)
    return found


def index_of(db: Database, key: Key | None = None) -> Index:
    key = key or _current(db)
    found = db.memo.get("personal.index")
    if found is None or found[0] != key.key_id:
        found = db.memo["personal.index"] = (key.key_id, Index(key))
    return found[1]


def blind_index(db: Database, kind: str, value: str) -> int:
    """The blind index of one value ("name", "phone" or "id"), as stored in `*_bi`."""
    return index_of(db)(kind, value)


# -- writing ------------------------------------------------------------------------

def enabled(db: Database) -> bool:
    """Whether this file keeps personal values sealed (migration 009). A file from before
    it is only ever written while it is migrated -- or in the tests that build old files --
    and keeps its values as they are until 009 seals them."""
    found = db.memo.get("personal.enabled")
    if found is None:
        found = db.memo["personal.enabled"] = db.one(
            "SELECT 1 FROM pragma_table_info('warnings') WHERE name = 'phone_bi'") is not None
    return found


def free_enabled(db: Database) -> bool:
    """Whether this file keeps free text sealed (migration 014): as `enabled`, a file from
    before it keeps its texts as they are until 014 seals them."""
    found = db.memo.get("personal.free")
    if found is None:
        found = db.memo["personal.free"] = db.one(
            "SELECT 1 FROM pragma_table_info('cases') WHERE name = 'summary_enc'") is not None
    return found


def seal(db: Database, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """`row` (a validated row of `table`, personal values and free text in the clear) as
    stored: each personal column masked, its ciphertext and blind index beside it; each
    free text it has with the phone and ID numbers in it masked and, when there were any,
    its ciphertext beside it (`<column>_enc`, else None). In place; returns the row. (An
    import calls this for every row: the work of each column is planned once, and the
    cipher's and the index's methods are taken once per key.)"""
    free = _FREE_PLANS.get(table)
    if free is not None:
        _seal_free(db, free, row)
    plan = _PLANS.get(table)
    if plan is None or not enabled(db):
        return row
    tools = None
    for column, kind, mask, enc, bi, aad, prefix in plan:
        value = row.get(column)
        if value is None or value == "":
            row[enc] = row[bi] = None
            continue
        if tools is None:
            tools = _tools(db)
        row[column] = mask(value)
        row[enc] = tools[0](value.encode(), aad)
        h = tools[1]()
        h.update(prefix)
        h.update(normalise(kind, value).encode())
        row[bi] = _from_bytes(h.digest(), "big", signed=True)
    return row


def _seal_free(db: Database, plan: tuple[tuple[str, str, list[bytes]], ...],
               row: dict[str, Any]) -> None:
    """The free text of `row` (`seal`): most has no number in it and is left as it is,
    without the key or `cryptography`."""
    if not free_enabled(db):
        return  # (a file from before 014: only while it is migrated, or in tests)
    for column, enc, aad in plan:
        if column not in row:
            continue
        value = row[column]
        masked = mask_free_text(value) if value else value
        if masked == value:
            row[enc] = None
            continue
        row[column] = masked
        row[enc] = _tools(db)[0](value.encode("utf-8"), aad)


def sealed_text(db: Database, table: str, column: str, value: str | None
                ) -> tuple[str | None, bytes | None]:
    """One free text of `table` as stored: its masked form and its ciphertext (None when it
    has no number in it). For the writes that set one such column (a void's reason)."""
    row = seal(db, table, {column: value})
    return row[column], row.get(column + ENC)


def prime(db: Database) -> None:
    """Load now what sealing reads from the database (whether the file seals, its key):
    a process forked to check an import's rows seals without the connection."""
    free_enabled(db)
    if enabled(db):
        _tools(db)


def _tools(db: Database) -> tuple[Any, Any]:
    """The bound AES-SIV encrypt and the index's hash copier of the key values are sealed
    with now."""
    key = _current(db)
    found = db.memo.get("personal.tools")
    if found is None or found[2] is not key:
        found = db.memo["personal.tools"] = (
            cipher(db, key)._siv.encrypt, index_of(db, key)._proto.copy, key)
    return found


# table -> ((column, kind, its mask, its ciphertext column, its index column, the
#            associated data of its ciphertext, the prefix of its index), …)
_PLANS = {table: tuple((c, k, MASKS[k], c + ENC, c + BI, [f"{table}.{c}".encode()],
                        _PREFIX[k]) for c, k in columns.items())
          for table, columns in TABLES.items()}
# table -> ((free-text column, its ciphertext column, the associated data), …)
_FREE_PLANS = {table: tuple((c, c + ENC, [f"{table}.{c}".encode()]) for c in columns)
               for table, columns in FREE.items()}


def changes(table: str, current: Mapping[str, Any], new: Mapping[str, Any],
            columns: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The before and after of a correction of a stored row: every column of `columns`
    whose value differs, with a personal column's change seen in its blind index (its
    masked form may stay the same: 张三 -> 张四 is 张* both times), and a free text's in its
    ciphertext (`138****5678` may hide another number: the same text under the same key
    gives the same ciphertext)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    personal = TABLES.get(table, {})
    free = FREE.get(table, ())
    for column in columns:
        if is_sealed(column):
            continue
        if column in personal:
            if current.get(column + BI) == new.get(column + BI) and (
                    current.get(column) == new.get(column)):
                continue
            for name in (column, column + ENC, column + BI):
                before[name], after[name] = current.get(name), new.get(name)
        elif column in free:
            if current.get(column + ENC) == new.get(column + ENC) and (
                    current.get(column) == new.get(column)):
                continue
            for name in (column, column + ENC):
                before[name], after[name] = current.get(name), new.get(name)
        elif current.get(column) != new.get(column):
            before[column], after[column] = current.get(column), new.get(column)
    return before, after


# -- reading ------------------------------------------------------------------------

def opened(db: Database, table: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a stored record (with its `*_enc` columns) with its personal values and
    free text in the clear: what a correction starts from."""
    out = dict(record)
    for column in SEALED.get(table, ()):
        blob = record.get(column + ENC)
        if blob is not None:
            out[column] = cipher(db).decrypt(table, column, blob)
    return out


def opener(db: Database, table: str) -> Callable[[dict[str, Any]], None]:
    """`opened` for many rows of `table`, in place: a function that puts each personal
    value and free text of a row (read with its `*_enc` columns) in the clear, its masked
    form left where there is no ciphertext (a scrubbed value, a text without a number).
    `tongwei merge` opens every record of a station file with it: the work of each column
    is planned once."""
    columns = [(c, c + ENC, _AAD[(table, c)]) for c in SEALED.get(table, ())]
    if not columns:
        return _leave
    opening = cipher(db)
    decrypt = opening._siv.decrypt

    def open_row(row: dict[str, Any]) -> None:
        for column, enc, aad in columns:
            blob = row.get(enc)
            if blob is not None:
                try:
                    row[column] = decrypt(blob, aad).decode("utf-8")
                except Exception:  # (InvalidTag, or not UTF-8): say which, as `decrypt` does
                    row[column] = opening.decrypt(table, column, blob)
    return open_row


def _leave(row: dict[str, Any]) -> None:
    return None


def reveal(db: Database, table: str, records: Sequence[dict[str, Any]], *, key: str = "no"
           ) -> list[dict[str, Any]]:
    """Copies of `records` (found by their `key` column) with their personal values and
    free text in the clear, read from the ciphertext: `--reveal` (of the columns the
    records show). A record already scrubbed keeps its masked form."""
    shown = set().union(*(r.keys() for r in records)) if records else set()
    columns = [c for c in SEALED.get(table, ()) if c in shown]
    keys_ = [r[key] for r in records if r.get(key) is not None]
    if not columns or not keys_:
        return [dict(r) for r in records]
    found: dict[Any, tuple] = {}
    names = ", ".join(c + ENC for c in columns)
    for start in range(0, len(keys_), 500):
        part = keys_[start:start + 500]
        for row in db.query(f"SELECT {key}, {names} FROM {table} WHERE {key} IN"
                            f" ({', '.join('?' * len(part))})", part):
            found[row[0]] = tuple(row[1:])
    out = []
    for record in records:
        copy = dict(record)
        blobs = found.get(record.get(key))
        if blobs:
            for column, blob in zip(columns, blobs, strict=True):
                if blob is not None and column in copy:
                    copy[column] = cipher(db).decrypt(table, column, blob)
        out.append(copy)
    return out


# -- the file as a whole --------------------------------------------------------------

def encrypt_existing(db: Database) -> int:
    """Migration 009: every personal value stored in the clear, encrypted and masked in
    place (inside the migration's transaction). Returns the number of rows changed."""
    changed = 0
    for table, columns in TABLES.items():
        names = list(columns)
        filled = " OR ".join(f"{c} IS NOT NULL" for c in names)
        sets = ", ".join(f"{c} = :{c}, {c}{ENC} = :{c}{ENC}, {c}{BI} = :{c}{BI}"
                         for c in names)
        for rows in _batches(db, f"SELECT id, {', '.join(names)} FROM {table}", filled):
            batch = [seal(db, table, dict(zip(["id", *names], row, strict=True)))
                     for row in rows]
            db.conn.executemany(f"UPDATE {table} SET {sets} WHERE id = :id", batch)
            changed += len(batch)
    return changed


def seal_free_text_existing(db: Database) -> int:
    """Migration 014: every free text stored with a phone or ID number in it, masked in
    place and its text sealed beside it (inside the migration's transaction); and the
    numbers in the keys `merged_records` keeps of merged events (`[case, kind, date,
    count, amount, note]`), masked, so that no copy of a note stays in the clear. Returns
    the number of rows changed."""
    db.memo.pop("personal.free", None)  # (the columns were just added)
    changed = 0
    for table, names in FREE.items():
        # (only a text with a digit in it can hold a number: the rest is not read twice)
        digits = " OR ".join(f"{c} GLOB '*[0-9０-９]*'" for c in names)
        sets = ", ".join(f"{c} = :{c}, {c}{ENC} = :{c}{ENC}" for c in names)
        for rows in _batches(db, f"SELECT id, {', '.join(names)} FROM {table}", digits):
            batch = []
            for row in rows:
                record = dict(zip(["id", *names], row, strict=True))
                sealed = seal(db, table, dict(record))
                if any(sealed[c] != record[c] for c in names):
                    batch.append(sealed)
            db.conn.executemany(f"UPDATE {table} SET {sets} WHERE id = :id", batch)
            changed += len(batch)
    if db.one("SELECT 1 FROM sqlite_master WHERE name = 'merged_records'"):
        keys_ = [(mask_free_text(key), row_id) for row_id, key in db.query(
            "SELECT id, key FROM merged_records WHERE kind = 'event'")
            if mask_free_text(key) != key]
        for masked, row_id in keys_:
            # Two notes told apart only by the hidden digits would now share a key: the
            # second's base is forgotten (its next merge compares it afresh).
            if db.one("SELECT 1 FROM merged_records WHERE key = ? AND kind = 'event' AND"
                      " source = (SELECT source FROM merged_records WHERE id = ?)",
                      (masked, row_id)):
                db.conn.execute("DELETE FROM merged_records WHERE id = ?", (row_id,))
            else:
                db.conn.execute("UPDATE merged_records SET key = ? WHERE id = ?",
                                (masked, row_id))
        changed += len(keys_)
    return changed


def _batches(db: Database, select: str, where: str, size: int = 5000
             ) -> Iterable[list[sqlite3.Row]]:
    """The rows of `select … WHERE where`, in order of id, `size` at a time (memory stays
    flat however large the table; each batch is read before it is rewritten)."""
    last = 0
    while True:
        rows = db.query(f"{select} WHERE id > ? AND ({where}) ORDER BY id LIMIT {size}",
                        (last,))
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rekey(db: Database, old: Key, new: Key) -> None:
    """A key rotation's step (`keys.REKEY_STEPS`): every ciphertext -- of a personal value
    or of a free text -- opened with the old key and sealed with the new one, every blind
    index made again, in the rotation's transaction."""
    was, now = Cipher(old), Cipher(new)
    index = Index(new)
    for table, columns in TABLES.items():
        names = list(columns)
        encs = ", ".join(c + ENC for c in names)
        filled = " OR ".join(f"{c}{ENC} IS NOT NULL" for c in names)
        sets = ", ".join(f"{c}{ENC} = ?, {c}{BI} = ?" for c in names)
        for rows in _batches(db, f"SELECT id, {encs} FROM {table}", filled):
            updates = []
            for row in rows:
                values: list[Any] = []
                for (column, kind), blob in zip(columns.items(), row[1:], strict=True):
                    if blob is None:
                        values += [None, None]
                        continue
                    plain = was.decrypt(table, column, blob)
                    values += [now.encrypt(table, column, plain), index(kind, plain)]
                updates.append((*values, row[0]))
            db.conn.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", updates)
    if free_enabled(db):
        for table, names in FREE.items():
            encs = ", ".join(c + ENC for c in names)
            filled = " OR ".join(f"{c}{ENC} IS NOT NULL" for c in names)
            sets = ", ".join(f"{c}{ENC} = ?" for c in names)
            for rows in _batches(db, f"SELECT id, {encs} FROM {table}", filled):
                db.conn.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", [
                    (*(None if blob is None else now.encrypt(
                        table, column, was.decrypt(table, column, blob))
                       for column, blob in zip(names, row[1:], strict=True)), row[0])
                    for row in rows])
    for name in ("personal.cipher", "personal.index", "personal.key", "personal.tools"):
        db.memo.pop(name, None)


# What a masked value looks like, column by column: anything else is a value in the clear.
_CLEAR = {
    "name": "length({c}) > 1 AND substr({c}, 2) GLOB '*[^*]*'",
    "phone": "(length({c}) >= 8 AND substr({c}, 4, length({c}) - 7) GLOB '*[^*]*')"
             " OR (length({c}) < 8 AND {c} GLOB '*[^*]*')",
    "id": "(length({c}) >= 11 AND substr({c}, 7, length({c}) - 10) GLOB '*[^*]*')"
          " OR (length({c}) < 11 AND {c} GLOB '*[^*]*')",
}


def in_the_clear(db: Database) -> list[tuple[str, int]]:
    """Personal columns holding values that are not masked, and free text holding a phone or
    ID number in the clear (a file changed outside tongwei, or one from before 009 or 014
    read as it is): `(table.column, count)`."""
    found = []
    for table, columns in TABLES.items():
        for column, kind in columns.items():
            try:
                n = db.scalar(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL AND"
                              f" ({_CLEAR[kind].format(c=column)})")
            except sqlite3.OperationalError:
                continue
            if n:
                found.append((f"{table}.{column}", n))
    if free_enabled(db):
        digit = "[0-9０-９]"
        for table, names in FREE.items():
            for column in names:
                # (a phone or ID number has four digits in a row: only those texts are read)
                n = sum(1 for (text,) in db.conn.execute(
                    f"SELECT {column} FROM {table} WHERE {column} GLOB '*{digit * 4}*'")
                    if mask_free_text(text) != text)
                if n:
                    found.append((f"{table}.{column}", n))
    return found
