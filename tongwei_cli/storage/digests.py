"""Record digests: a keyed mark on every record, so that a change made behind tongwei's back
(the `sqlite3` shell, another program) is found and named by `tongwei check`.

Every row of the digested tables (`DIGESTED`) has a tag in `record_digests`: the first 48
bits of a keyed BLAKE2b (the `digest` subkey of the database's key) of the row as SQLite's
`json_array(code, its columns…)` writes it. Nobody without the key can make a tag that fits
a changed row. The columns are every column but those tongwei derives from other records
(`DERIVED`: a warning's feedback times and latest outcome, from its follow-ups; the case
that names it; a case's status, from its events): `check` recounts those from their
sources, and leaving them out spares an import of follow-ups or events a second pass over
every warning or case it touches. The tags are kept by tongwei's own connection, inside
`write()`:

* rows added: when the write is sealed (at each `audit()` and before the commit), the rows
  whose id is above the highest id at the start of the write are tagged, in one
  `INSERT … SELECT` a table -- no per-row trigger on inserts, which would cost an import of
  100k rows a large share of its time;
* rows changed or removed: the AFTER UPDATE OF (the tagged columns) / AFTER DELETE
  triggers of 008 call `tw_dirty()`, a function only tongwei's connection has -- so the
  same UPDATE or DELETE typed into the `sqlite3` shell fails ("no such function:
  tw_dirty") -- and the rows they name are tagged again (or their tags dropped) when the
  write is sealed.

The XOR of all tags is the records' *state*: each keyed audit row carries the state after
its change (`audit.state`), so a tag removed with its row, or audit rows cut from the end,
show as a state that no longer matches the last audit row.

Functions registered on every connection `open_db` makes (`Sealer.register`):
`tw_tag(blob)` (the tag), `tw_new_tag(blob)` (the tag, added to the state), `tw_dirty(code,
old_id, new_id)`, `tw_guard()` (for the identity row's trigger) and the aggregate
`tw_xor(tag)`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database
    from tongwei_cli.storage.keys import Key

# table -> code (stable: the code is inside every tag)
DIGESTED: dict[str, int] = {
    "cases": 1, "case_events": 2, "warnings": 3, "followups": 4, "outreach": 5,
    "institutions": 6, "card_actions": 7, "card_penalties": 8, "campaigns": 9,
    "imports": 10, "merge_sources": 11, "merged_records": 12, "merged_batches": 13,
}

# How a record is named in a message (nothing personal).
LABELS: dict[str, str] = {
    "cases": "t.no",
    "case_events": "(SELECT no FROM cases WHERE id = t.case_id) || ' ' || t.kind || ' '"
                   " || t.date",
    "warnings": "t.no",
    "followups": "(SELECT no FROM warnings WHERE id = t.warning_id) || ' ' || t.method",
    "outreach": "t.no",
    "institutions": "t.name",
    "card_actions": "t.no",
    "card_penalties": "t.no",
    "campaigns": "t.name",
    "imports": "t.kind || ' ' || t.file_name",
    "merge_sources": "t.file_name",
    # (a follow-up's or an event's key is a JSON list: its warning or case, not its note)
    "merged_records": "t.kind || ' ' || CASE WHEN t.key LIKE '[%' AND json_valid(t.key)"
                      " THEN json_extract(t.key, '$[0]') ELSE t.key END"
                      " || ' from ' || coalesce((SELECT file_name FROM merge_sources"
                      " WHERE id = t.source), '?')",
    "merged_batches": "t.kind || ' batch of ' || CASE WHEN json_valid(t.keys)"
                      " THEN json_array_length(t.keys) ELSE '?' END || ' from '"
                      " || coalesce((SELECT file_name FROM merge_sources"
                      " WHERE id = t.source), '?')",
}

# Columns kept by tongwei from other records, recounted by `check` (not tagged).
DERIVED: dict[str, tuple[str, ...]] = {
    "warnings": ("feedback_at", "visited_at", "defrauded_at", "outcome", "outcome_at",
                 "linked_on"),
    "cases": ("status",),
}

TAG_BYTES = 6


def trigger_sql(table: str, columns: list[str]) -> dict[str, str]:
    """The two triggers that keep one table's tags (name -> CREATE statement)."""
    code = DIGESTED[table]
    return {
        f"{table}_digest_update":
            f"CREATE TRIGGER {table}_digest_update AFTER UPDATE OF {', '.join(columns)}"
            f" ON {table}\nBEGIN\n    SELECT tw_dirty({code}, OLD.id, NEW.id);\nEND",
        f"{table}_digest_delete":
            f"CREATE TRIGGER {table}_digest_delete AFTER DELETE ON {table}\n"
            f"BEGIN\n    SELECT tw_dirty({code}, OLD.id, NULL);\nEND",
    }


def expected_triggers(db: Database) -> dict[str, str]:
    out: dict[str, str] = {}
    for table in present(db):
        out.update(trigger_sql(table, tagged_columns(db, table)))
    return out


class _Xor:
    """The aggregate `tw_xor(tag)`."""

    def __init__(self) -> None:
        self.value = 0

    def step(self, tag: int | None) -> None:
        if tag is not None:
            self.value ^= tag

    def finalize(self) -> int:
        return self.value


class Sealer:
    """What one connection knows while it writes: the digest key, the rows changed since
    the last seal, the ids each table had when the write began, and the change of state
    not yet carried by an audit row."""

    def __init__(self) -> None:
        self.proto: Any = None  # a keyed blake2b, copied for each tag
        self.armed = False
        self.delta = 0
        self.dirty: dict[int, set[int]] = {}
        self.start: dict[int, int] = {}

    def register(self, conn: Any) -> None:
        conn.create_function("tw_tag", 1, self.tag, deterministic=True)
        conn.create_function("tw_new_tag", 1, self.new_tag)
        conn.create_function("tw_dirty", 3, self.mark)
        conn.create_function("tw_guard", 0, _nothing)
        conn.create_aggregate("tw_xor", 1, _Xor)

    def use(self, digest_key: bytes) -> None:
        self.proto = hashlib.blake2b(key=digest_key, digest_size=TAG_BYTES)

    # -- the SQL functions (run once a row: kept lean) --
    def tag(self, blob: bytes) -> int:
        try:
            h = self.proto.copy()
        except AttributeError:
            raise RuntimeError("no key: record digests need the database's key") from None
        h.update(blob)
        return int.from_bytes(h.digest(), "big")

    def new_tag(self, blob: bytes) -> int:
        h = self.proto.copy()
        h.update(blob)
        value = int.from_bytes(h.digest(), "big")
        self.delta ^= value
        return value

    def mark(self, code: int, old_id: int | None, new_id: int | None) -> None:
        if not self.armed:
            raise RuntimeError("records change only inside write(), with the key")
        ids = self.dirty.setdefault(code, set())
        ids.add(old_id)
        if new_id is not None and new_id != old_id:
            ids.add(new_id)

    # -- a write --
    def begin(self, db: Database) -> None:
        self.armed = True
        self.delta = 0
        self.dirty = {}
        self.start = highest_ids(db)

    def end(self) -> None:
        self.armed = False
        self.delta = 0
        self.dirty = {}
        self.start = {}

    def take_delta(self) -> int:
        value, self.delta = self.delta, 0
        return value


def _nothing() -> None:
    return None


def present(db: Database) -> dict[str, int]:
    """The digested tables of this file: those `digested_tables` lists -- all of them once
    the file is migrated (a table a migration adds is listed, its rows tagged and its
    triggers made by `refresh`, after the migration)."""
    if db.memo.get("digested_all"):
        return DIGESTED
    listed = {r[0] for r in db.query("SELECT name FROM digested_tables")}
    found = {table: code for table, code in DIGESTED.items() if table in listed}
    if len(found) == len(DIGESTED):
        db.memo["digested_all"] = True
    return found


def _existing(db: Database) -> dict[str, int]:
    """The digested tables this file has now (while it is migrated: those made so far, in
    the shape that names a row by its `id`; `merge_sources` and `merged_records` had none
    before 013)."""
    names = {r[0] for r in db.query(
        "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'"
        " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'id')")}
    return {table: code for table, code in DIGESTED.items() if table in names}


def highest_ids(db: Database) -> dict[int, int]:
    """The highest id of each digested table (one statement)."""
    tables = present(db)
    if not tables:  # (008, before its tables are listed)
        return {}
    parts = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {t})" for t in tables)
    row = db.one(f"SELECT {parts}")
    return {code: row[i] for i, code in enumerate(tables.values())}


def expression(db: Database, table: str, columns: list[str] | None = None) -> str:
    """The SQL of what a tag covers, over the row `t` of `table`."""
    # (A ciphertext, `*_enc`, is a BLOB, which JSON cannot hold: as hex.)
    cells = ", ".join(f'nullif(hex(t."{c}"), \'\')' if c.endswith("_enc") else f't."{c}"'
                      for c in columns or tagged_columns(db, table))
    return f"CAST(json_array({DIGESTED[table]}, {cells}) AS BLOB)"


def tagged_columns(db: Database, table: str) -> list[str]:
    """The columns the tags of `table` cover, as migration 008 (or the last migration that
    changed the table) recorded them."""
    memo = db.memo.setdefault("digest_columns", {})
    if table not in memo:
        stored = db.scalar("SELECT columns FROM digested_tables WHERE name = ?", (table,))
        memo[table] = json.loads(stored) if stored else table_columns(db, table)
    return memo[table]


def table_columns(db: Database, table: str) -> list[str]:
    """The columns a tag of `table` covers now: all but the derived ones."""
    derived = DERIVED.get(table, ())
    return [r[1] for r in db.query(f"PRAGMA table_info({table})") if r[1] not in derived]


def enabled(db: Database) -> bool:
    return db.one("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                  " AND name = 'record_digests'") is not None


def seal(db: Database) -> None:
    """Tag the rows added since the write began and re-tag those changed since the last
    seal (or drop the tags of those removed); the change of state goes to `delta`."""
    sealer = db.sealer
    if not sealer.armed:
        return
    highest = highest_ids(db)
    for table, code in present(db).items():
        dirty = sealer.dirty.pop(code, None)
        start = sealer.start.get(code, 0)
        if not dirty and highest[code] <= start:
            continue
        expr = expression(db, table)
        if dirty:
            # The rows changed or removed that had a tag: out of the state; those still
            # there tagged again as they stand, the others' tags dropped. (A row that had
            # no tag -- added behind tongwei's back -- gets none here: `check` names it.)
            ids = {"code": code, "ids": json.dumps(sorted(i for i in dirty if i is not None))}
            mine = "tbl = :code AND row_id IN (SELECT value FROM json_each(:ids))"
            sealer.delta ^= db.scalar(f"SELECT tw_xor(tag) FROM record_digests WHERE {mine}",
                                      ids) or 0
            db.conn.execute(
                f"UPDATE record_digests SET tag = (SELECT tw_new_tag({expr}) FROM {table} t"
                f" WHERE t.id = record_digests.row_id) WHERE {mine}"
                f" AND EXISTS (SELECT 1 FROM {table} t WHERE t.id = record_digests.row_id)", ids)
            db.conn.execute(
                f"DELETE FROM record_digests WHERE {mine}"
                f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = record_digests.row_id)",
                ids)
        if highest[code] > start:
            # The rows added in this write. (None of them has a tag: `start` moves past each
            # row tagged. A tag left behind by a row removed behind tongwei's back is
            # replaced -- and is then missing from the state, which `check` says.)
            db.conn.execute(
                f"INSERT OR REPLACE INTO record_digests (tbl, row_id, tag)"
                f" SELECT ?, t.id, tw_new_tag({expr}) FROM {table} t WHERE t.id > ?",
                (code, start))
        # Past every row tagged -- or back to the highest row left, when the highest were
        # removed: SQLite gives the next row added the id after the highest there is, which
        # may be a removed row's.
        sealer.start[code] = highest[code]


def settle(db: Database) -> None:
    """Before a write commits: seal, and refuse a change of records that no audit row
    carries (every change is audited: a bug, never the user's doing)."""
    if not db.sealer.armed:
        return
    seal(db)
    if db.sealer.delta:
        raise RuntimeError("records changed after the last audit row of this write")


def state(db: Database) -> int:
    """The XOR of every stored tag."""
    return db.scalar("SELECT tw_xor(tag) FROM record_digests") or 0


# -- made, re-keyed, refreshed ------------------------------------------------------------

def install(db: Database) -> None:
    """Migration 008: the column lists, the triggers, and a tag for every stored record
    (the sealer must be armed: the tags go into the state the migration's audit row
    carries). A table a later migration adds is digested by `refresh` after it."""
    tables = _existing(db)
    for table, code in tables.items():
        columns = table_columns(db, table)
        db.conn.execute("INSERT INTO digested_tables (code, name, columns) VALUES (?, ?, ?)",
                        (code, table, json.dumps(columns)))
        for sql in trigger_sql(table, columns).values():
            db.conn.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
    db.memo.pop("digest_columns", None)
    for table, code in tables.items():
        db.conn.execute(f"INSERT INTO record_digests (tbl, row_id, tag)"
                        f" SELECT ?, t.id, tw_new_tag({expression(db, table)}) FROM {table} t",
                        (code,))
    db.sealer.start = highest_ids(db)


def rekey(db: Database, old: Key, new: Key) -> None:
    """A rotation step: every tag made again under the new key (the records were verified
    under the old one first)."""
    db.sealer.delta ^= state(db)
    db.conn.execute("DELETE FROM record_digests")
    for table, code in present(db).items():
        db.conn.execute(f"INSERT INTO record_digests (tbl, row_id, tag)"
                        f" SELECT ?, t.id, tw_new_tag({expression(db, table)}) FROM {table} t",
                        (code,))
    db.sealer.start = highest_ids(db)


def refresh(db: Database) -> list[str]:
    """After a migration: the triggers a rebuilt table lost are made again, and a table
    whose columns changed is re-tagged over its new columns -- only the rows whose tag fits
    the old columns (a row changed behind tongwei's back stays as `check` will name it); a
    table digested for the first time has every row tagged. A migration that rewrites
    values in place calls `retag(db, table)` itself. Returns the tables re-tagged."""
    changed = []
    db.memo.pop("digest_columns", None)
    for table, code in _existing(db).items():
        stored = db.scalar("SELECT columns FROM digested_tables WHERE code = ?", (code,))
        now = table_columns(db, table)
        same = stored is not None and json.loads(stored) == now
        for name, sql in trigger_sql(table, now).items():
            if not same:
                db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            db.conn.execute(sql.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
        if same:
            continue
        db.conn.execute("INSERT INTO digested_tables (code, name, columns) VALUES (?, ?, ?)"
                        " ON CONFLICT (code) DO UPDATE SET columns = excluded.columns",
                        (code, table, json.dumps(now)))
        db.memo.pop("digest_columns", None)
        changed.append(table)
        if stored is None:
            retag(db, table)
            continue
        present = {r[1] for r in db.query(f"PRAGMA table_info({table})")}
        old_expr = expression(db, table, [c for c in json.loads(stored) if c in present])
        db.sealer.delta ^= db.scalar(
            f"SELECT tw_xor(d.tag) FROM record_digests d JOIN {table} t ON t.id = d.row_id"
            f" WHERE d.tbl = ? AND d.tag = tw_tag({old_expr})", (code,)) or 0
        db.conn.execute(
            f"UPDATE record_digests SET tag = (SELECT tw_new_tag({expression(db, table, now)})"
            f" FROM {table} t WHERE t.id = record_digests.row_id)"
            f" WHERE tbl = ? AND tag = (SELECT tw_tag({old_expr}) FROM {table} t"
            f"                          WHERE t.id = record_digests.row_id)", (code,))
    return changed


def retag(db: Database, table: str) -> None:
    """Inside a migration that rebuilt `table` with changed values (so its triggers did not
    see the change): every row of it tagged again, as it now stands."""
    code = DIGESTED[table]
    db.sealer.delta ^= db.scalar("SELECT tw_xor(tag) FROM record_digests WHERE tbl = ?",
                                 (code,)) or 0
    db.conn.execute("DELETE FROM record_digests WHERE tbl = ?", (code,))
    db.conn.execute(f"INSERT INTO record_digests (tbl, row_id, tag)"
                    f" SELECT ?, t.id, tw_new_tag({expression(db, table)}) FROM {table} t",
                    (code,))
    # (every row is tagged now: the seal at the next audit row must not tag them again --
    # a table new in this write had no highest id when it began)
    db.sealer.start[code] = db.scalar(f"SELECT coalesce(max(id), 0) FROM {table}")


# -- verified -------------------------------------------------------------------------------

def verify_records(db: Database, limit: int | None = None, *,
                   only: Collection[str] | None = None,
                   rows_elsewhere: Collection[str] = ()) -> list[str]:
    """Every record whose tag is missing or does not fit it, and every tag whose record is
    gone, one line each (at most `limit`). Needs the key (`db.use_key`). `only`: these
    tables alone; `rows_elsewhere`: tables whose records the caller checks against their
    tags as it reads them (`tag_check_select`) -- only their tags whose record is gone are
    looked for here."""
    problems: list[str] = []
    for table, code in present(db).items():
        if only is not None and table not in only:
            continue
        label = LABELS[table]
        rows = [] if table in rows_elsewhere else db.query(
            f"SELECT t.id, {label}, d.tag IS NULL FROM {table} t"
            f" LEFT JOIN record_digests d ON d.tbl = ? AND d.row_id = t.id"
            f" WHERE d.tag IS NULL OR d.tag <> tw_tag({expression(db, table)})"
            f" ORDER BY t.id" + (f" LIMIT {int(limit)}" if limit else ""), (code,))
        for row_id, name, missing in rows:
            what = f"{table} row {row_id}" + (f" ({name})" if name else "")
            problems.append(
                f"{what}: added behind tongwei's back (it has no digest)" if missing else
                f"{what}: changed without an audit row (it no longer matches its digest)")
        gone = db.query(
            "SELECT d.row_id FROM record_digests d WHERE d.tbl = ?"
            f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = d.row_id)"
            " ORDER BY d.row_id" + (f" LIMIT {int(limit)}" if limit else ""), (code,))
        for (row_id,) in gone:
            problems.append(f"{table} row {row_id}: removed without an audit row")
        if limit and len(problems) >= limit:
            return problems[:limit]
    return problems


def tag_check_select(db: Database, table: str, select: str) -> str:
    """`select` (rows of `table` in a subquery: its `id` column is the row's), each row
    with two more columns: what its tag covers (`expression`, as a BLOB) and its stored tag
    (NULL: none). `Sealer.tag` of the one must be the other (`verify_records`, row by row,
    done by whoever reads the rows: a merge's forked children), in `select`'s snapshot."""
    return (f"SELECT q.*, {expression(db, table)}, d.tag FROM ({select}) q"
            f" JOIN {table} t ON t.id = q.id"
            f" LEFT JOIN record_digests d ON d.tbl = {DIGESTED[table]} AND d.row_id = q.id"
            " ORDER BY q.id")
