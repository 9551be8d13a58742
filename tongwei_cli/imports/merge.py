"""`tongwei merge FILE…`: station files (or any tongwei file) brought into this one.

Each station file is opened with its own key (found by its database id like any file's, or
in `--key-file`), and its audit chain and record digests are verified; it is then read in
that same snapshot (one read transaction of its own connection, held to the end of the
merge, with the file's write lock where it can be had at once: forked children may then
read it too, in the same state), kind by kind in the order of `KINDS` and `BATCH` records
at a time, so that memory does not grow with the file. Each record's personal values and
sealed free text are opened with the station's key, in memory only, and sealed again with
this file's key by the domain's own `prepare_*` functions -- no ciphertext crosses keys.

Records are matched by their natural keys (`KINDS` below). Three versions of each are
compared: the station's now (S), the county's now (C), and the content merged last time
from this station file (the base B: a keyed digest kept in `merged_records`, a row a record
-- or, for the records of a first merge checked apart, in `merged_batches`, a row a batch):

* no C: new, added -- a batch at a time, through the domain's checks (`prepare_*`, as an
  import checks a row) and its bulk inserts, which keep what depends on the records
  (per-day warning totals, feedback times, case status, rectifications closed);
* C = S: unchanged;
* C ≠ S, and S is B: the county changed it since; the county's stays;
* C ≠ S, and C is B: the station changed it since; the station's corrects the county's
  (audited as every correction is);
* C ≠ S, and neither is B (or there is no B: the record was never merged from this file):
  a conflict, listed with the fields that differ and left as it is, unless `--prefer
  county|station` settles it. A record is never half-merged. A record the county voided
  stays void: `--prefer station` does not take the station's version of it (tongwei has
  no un-void, and a void is the county's decision to withdraw the record).

The rare corrected, removed and voided records go one by one through the domain's
corrections, each with its audit row. Everything is written in one `BEGIN IMMEDIATE`
transaction, with one `imports` row (kind `merge`, the anchor of the station file's chain
in its `anchor`) that the new records point to, and one audit row naming the station
file's database id and that anchor; any bad record refuses the whole merge. A second merge
of the same file finds everything unchanged and writes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import os
import sqlite3
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring as _quoted
from json.encoder import encode_basestring_ascii as _quoted_ascii
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, RowErrors, StorageError, TongweiError
from tongwei_cli.core.fields import CASE, OUTREACH, RESTRICTION, WARNING, is_sealed
from tongwei_cli.core.masking import MASKS, mask_free_text
from tongwei_cli.domain import campaigns, cards, cases, outreach
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.domain.records import mark_void, raw_of, yuan
from tongwei_cli.domain.station_file import station_of
from tongwei_cli.imports.engine import Writer, chunks, column_of, in_two, prime
from tongwei_cli.imports.readers import file_digest
from tongwei_cli.storage import audit, digests, keys, personal, totals
from tongwei_cli.storage.db import GENESIS_HASH, Database, connect_readonly, open_db, open_in_place

PREFER = ("county", "station")
BATCH = 5000  # station records read, matched and written at a time: memory stays flat
APART = 20_000  # from this many new records of a kind (`Kind.apart`): checked by two children
LOOKUP = 500  # values in one `IN (…)`
DIGEST_CHARS = 32  # of a base digest (`Merger.digest`), one after another in `merged_batches`
HOLD_WAIT_MS = 200  # for another writer of the station file at most (`Station.held`)


# -- the result ---------------------------------------------------------------------------

@dataclass
class Conflicting:
    """A record both sides changed since the last merge: what it is, and each field that
    differs with the county's and the station's value (as people may see them: masked)."""

    what: str
    fields: list[tuple[str, str, str]]
    settled: str | None = None  # "county" or "station" under --prefer
    void: bool = False  # void in the county: it stays so, whatever --prefer says

    def line(self) -> str:
        parts = "; ".join(f"{name} (county {county}, station {station})"
                          for name, county, station in self.fields)
        return f"{self.what}: {parts}"


@dataclass
class MergeResult:
    file: str
    database_id: str = ""
    station: str | None = None
    anchor: str = ""
    new: int = 0
    unchanged: int = 0
    corrected: int = 0
    conflicts: list[Conflicting] = field(default_factory=list)
    # The station's additions to a case the county voided: (record, case number, how):
    # "skipped" (an event: a void case takes none) or "unlinked" (a follow-up: merged, its
    # warning's feedback with it, without the link to the void case).
    set_aside: list[tuple[str, str, str]] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False

    @property
    def left(self) -> list[Conflicting]:
        return [c for c in self.conflicts if c.settled is None]

    def summary(self, language: str | None = None) -> str:
        """`merged from 平襄.db: 120 new, 30 unchanged, 2 corrected, 0 conflicts`."""
        from tongwei_cli.core.words import say

        key = ("merge.would" if self.dry_run else "merge.summary" if self.written
               else "merge.nothing")
        return say(key, language, file=self.file, new=self.new, unchanged=self.unchanged,
                   corrected=self.corrected, conflicts=len(self.left))

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "database_id": self.database_id, "station": self.station,
                "anchor": self.anchor, "new": self.new, "unchanged": self.unchanged,
                "corrected": self.corrected, "conflicts": len(self.left),
                "settled": len(self.conflicts) - len(self.left), "written": self.written,
                "dry_run": self.dry_run,
                "void_in_county": [{"record": what, "case": case, "how": how}
                                   for what, case, how in self.set_aside],
                "conflicting": [{"record": c.what, "settled": c.settled,
                                 "void_in_county": c.void,
                                 "fields": [{"field": n, "county": a, "station": b}
                                            for n, a, b in c.fields]}
                                for c in self.conflicts]}


class MergeRefused(RowErrors):
    """Records of a station file that the county's checks refuse, each `(record, field,
    reason)`: nothing is merged."""

    def __init__(self, file: str, problems: list[tuple[str, str | None, str]]):
        super().__init__([(0, f, r) for _, f, r in problems], "record")
        self.records = [what for what, _, _ in problems]
        self.reason = (f"{file}: {len(problems)} record{'s' if len(problems) != 1 else ''} "
                       "refused")

    def lines(self, language: str | None = None) -> list[str]:
        from tongwei_cli.core.words import localise

        out = []
        for what, (_, field_name, reason) in zip(self.records, self.problems, strict=True):
            reason = localise(reason, language)
            out.append(f"{what}: {field_name}: {reason}" if field_name else f"{what}: {reason}")
        return out[: self.LIMIT]


class _DryRun(Exception):
    """Raised inside the write to leave it, rolled back, after a dry run."""


# -- the kinds of record -------------------------------------------------------------------

def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


Row = dict[str, Any]

# The content a base digest is of: `json.dumps(content, ensure_ascii=False, sort_keys=True,
# separators=(",", ":"), default=str)`, with one encoder made once.
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                              default=str).encode


def canonical(names: tuple[str, ...]) -> Callable[[Row], str]:
    """`_CANONICAL` of a row's `names`, made for one kind's content (a merge writes it for
    every record): text, whole numbers and NULLs are written here as the encoder writes
    them, anything else by the encoder."""
    order = sorted(names)
    heads = [("," if i else "{") + _quoted(name) + ":" for i, name in enumerate(order)]
    pairs = list(zip(heads, order, strict=True))

    def text(row: Row) -> str:
        parts = []
        for head, name in pairs:
            value = row.get(name)
            kind = type(value)
            if value is None:
                parts += (head, "null")
            elif kind is str:
                parts += (head, _quoted(value))
            elif kind is int:
                parts += (head, int.__repr__(value))
            else:
                return _CANONICAL({n: row.get(n) for n in names})
        parts.append("}")
        return "".join(parts)
    return text


_CANONICALS: dict[str, Callable[[Row], str]] = {}


class Kind:
    """One kind of record as the merge sees it."""

    name = ""  # as `merged_records` and the audit log name it
    table = ""
    select = ""  # the same SELECT on either file (a WHERE or an ORDER BY follows)
    station_select = ""  # what is read of the station's records, if less than `select`
    order = "ORDER BY id"  # the order the station's records are merged in
    content: tuple[str, ...] = ()  # the columns compared (personal ones opened)
    voids = False  # whether the record can be voided (content has voided, void_reason)
    removable = False  # whether the station can remove one (its removal is carried over)
    lookup = "no"  # the column of `select` that `lookups` are values of
    looked_by = "no"  # the name `select` gives that column (`Merger._all_new`)
    # Whether the checks of its new records read of this file only what `looked_up` finds
    # for a batch beforehand (`ready` checks them with it, `insert` writes what passed): a
    # first merge of many of them is then checked by two forked children
    # (`Merger._add_apart`).
    apart = False
    looks_up: tuple[str, ...] = ()  # the columns `looked_up` reads of the station's records
    # What is read with each record merged apart, beside `station_select`: `(name, SQL
    # over the row q)` (`Warnings`: whether it says what its follow-ups say).
    beside: tuple[str, str] | None = None

    def looked_up(self, m: Merger, rows: list[Row]) -> Any:
        """What the checks of these new records read of this file (given to `ready`)."""
        return None

    def ready(self, m: Merger, rows: list[Row], found: Any = None) -> list[Row]:
        raise NotImplementedError

    def pack(self, m: Merger, ready: list[Row]) -> Any:
        """The rows `ready` made, as `insert(…, packed=True)` writes them: tuples, made by
        the child that checked them (fewer bytes back down the pipe, no pass here)."""
        raise NotImplementedError

    def insert(self, m: Merger, ready: list[Any], packed: bool = False) -> None:
        raise NotImplementedError

    def merged(self, rows: list[Row], ready: list[Row]) -> Any:
        """What the parent keeps of a batch merged apart, every record of it checked
        (`ready`, from the station's `rows`): see `Warnings.merged`."""
        return None

    def key(self, row: Row) -> str:
        return row["no"]

    def keyed(self, rows: list[Row]) -> dict[str, Row]:
        """Rows by their keys (`key`: unique in a file, for every kind but events)."""
        return {self.key(row): row for row in rows}

    def describe(self, key: str) -> str:
        return f"{self.name} {key}"

    def content_of(self, row: Row) -> Row:
        return {n: row.get(n) for n in self.content}

    def canonical(self, row: Row) -> str:
        """The record's content as its base digest is of (`_CANONICAL`)."""
        made = _CANONICALS.get(self.name)
        if made is None:
            made = _CANONICALS[self.name] = canonical(self.content)
        return made(row)

    def lookups(self, rows: dict[str, Row]) -> list[Any]:
        """The values of `lookup` that find the records of these keys in another file."""
        return list(rows)

    def lookups_of(self, keys_: list[str]) -> list[Any]:
        """The values of `lookup` of records known only by their keys (a removable kind's
        key is a JSON list that starts with it)."""
        return sorted({json.loads(k)[0] for k in keys_})

    def rows(self, db: Database, wanted: list[Any]) -> dict[str, Row]:
        """The records of `db` whose `lookup` is in `wanted`, by key, personal values opened;
        each keeps the row as stored under `_stored` (what a correction starts from)."""
        opened = personal.opener(db, self.table) if personal.SEALED.get(self.table) else None
        found: list[Row] = []
        for part in chunks(wanted, LOOKUP):
            cursor = db.conn.cursor()
            cursor.row_factory = None  # (tuples, made dicts here: faster than sqlite3.Row)
            cursor.execute(f"{self.select} WHERE {self.lookup} IN"
                           f" ({', '.join('?' * len(part))})", part)
            names = [d[0] for d in cursor.description]
            for r in cursor:
                stored = dict(zip(names, r, strict=True))
                row = dict(stored)
                if opened is not None:
                    opened(row)
                row["_stored"] = stored
                found.append(row)
        return self.keyed(found)

    def group(self, row: Row) -> Any:
        """What the records of one batch share whole: records of one group (`order` keeps
        them together) are never split between two batches."""
        return None

    def read(self, db: Database) -> Iterator[list[Row]]:
        """Every record of the station file `db`, in `order`, personal values opened,
        about `BATCH` at a time."""
        opened = personal.opener(db, self.table) if personal.SEALED.get(self.table) else None
        cursor = db.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"{self.station_select or self.select} {self.order}")
        names = [d[0] for d in cursor.description]
        held: list[Row] = []  # the last group of the batch before, whole in the next one
        while part := cursor.fetchmany(BATCH):
            rows = [dict(zip(names, r, strict=True)) for r in part]
            if opened is not None:
                for row in rows:
                    opened(row)
            rows = held + rows
            last = self.group(rows[-1])
            cut = len(rows)
            if last is not None:
                while cut > 0 and self.group(rows[cut - 1]) == last:
                    cut -= 1
            if cut == 0:  # one group so far: wait for the rest of it
                held = rows
                continue
            held = rows[cut:]
            yield rows[:cut]
        if held:
            yield held

    def add(self, m: Merger, rows: list[Row]) -> None:
        """Check and write the station's records new to this file. A kind whose checks
        read this file waits for the writer first (`m.wait()`); its writing may go to the
        writer (`m.write`)."""
        raise NotImplementedError

    def finish(self, m: Merger) -> None:
        """After the last batch of this kind."""

    def correct(self, m: Merger, current: Row, row: Row) -> None:
        raise NotImplementedError

    def remove(self, m: Merger, current: Row) -> None:
        raise NotImplementedError


def _ordinal(n: int) -> str:
    return {2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _found(db: Database, sql: str, values: list[Any]) -> dict[Any, Any]:
    """`sql` (its first column a key, `{marks}` the place of the values) for each value,
    500 at a time: key -> row."""
    out = {}
    for part in chunks(sorted(set(values), key=str), LOOKUP):
        for r in db.query(sql.format(marks=", ".join("?" * len(part))), list(part)):
            out[r[0]] = r
    return out


class Campaigns(Kind):
    name, table = "campaign", "campaigns"
    select = "SELECT name, first_day, last_day, note, note_enc FROM campaigns"
    content = ("name", "first_day", "last_day", "note")
    lookup = "name"

    def key(self, row):
        return row["name"]

    def _raw(self, row):
        return {"name": row["name"], "from": row["first_day"], "to": row["last_day"],
                "note": row["note"]}

    def add(self, m, rows):
        m.wait()
        for row in rows:
            m.attempt(self, row, lambda r=row: campaigns.insert_campaign(m.db, self._raw(r)))

    def correct(self, m, current, row):
        campaigns.correct_campaign(m.db, current, self._raw(row))


class Cases(Kind):
    name, table = "case", "cases"
    # (what `correct_case` reads of the stored case, and no more)
    select = (f"SELECT c.id, {', '.join(f'c.{column}' for column in cases.STORED)},"
              " c.status, c.voided, c.void_reason, c.void_reason_enc FROM cases c")
    order = "ORDER BY c.id"
    lookup = "c.no"
    content = (*CASE.columns(), "voided", "void_reason")
    voids = True

    def _prepared(self, m, row):
        return cases.prepare_case(m.db, raw_of(CASE, row)).row

    def add(self, m, rows):
        # (`prepare_case` reads nothing of the file: the writer goes on meanwhile)
        ready = [p for row in rows if (p := m.attempt(self, row, lambda r=row:
                                                      self._prepared(m, r))) is not None]
        if ready:
            m.write(lambda: cases.insert_cases(m.db, ready, m.import_id))

    def correct(self, m, current, row):
        cases.correct_case(m.db, current, self._prepared(m, row))


class Warnings(Kind):
    name, table = "warning", "warnings"
    # (what `correct_warning` reads of the stored warning, and no more)
    select = (f"SELECT w.id, {', '.join(f'w.{column}' for column in alerts.STORED)},"
              f" w.deadline_hours, w.deadline_at, {', '.join(alerts.SAID)} FROM warnings w")
    # (of the station's: its content, sealed columns and what its follow-ups say)
    station_select = (f"SELECT w.id, {', '.join(f'w.{c}' for c in WARNING.columns())},"
                      " w.phone_enc, w.name_enc, w.id_no_enc, w.source_enc, w.note_enc,"
                      f" {', '.join(f'w.{c}' for c in alerts.SAID)} FROM warnings w")
    order = "ORDER BY w.id"
    lookup = "w.no"
    content = WARNING.columns()
    beside = ("said_agrees", totals.said_agrees("q"))

    def _prepared(self, m, row):
        raw = raw_of(WARNING, row)
        raw["received"] = _moment(row["received_at"])
        return alerts.prepare_warning(m.db, raw).row

    def _new(self, m, row):
        # (with what its follow-ups said at the station: they are all new here too, and
        # `Followups.finish` checks it against them once they are in -- or, merged apart
        # with all of them, it was checked at the station as it was read: `beside`)
        prepared = self._prepared(m, row)
        for column in alerts.SAID:
            prepared[column] = row[column]
        return prepared

    apart = True

    def ready(self, m, rows, found=None):
        # (`prepare_warning` reads nothing of the file: the writer goes on meanwhile)
        return [p for row in rows if (p := m.attempt(self, row, lambda r=row:
                                                     self._new(m, r))) is not None]

    def pack(self, m, ready):
        # (with what they add to the per-day totals, worked out by the child too)
        return ([alerts.said_values(row) for row in ready],
                totals.day_counts(m.day_offset, map(alerts.counted_values, ready)))

    def merged(self, rows, ready):
        # (each station warning's id and its received time, in the order they are given
        # their ids here: what their follow-ups are checked against, `Followups.looked_up`;
        # and whether every one says what its follow-ups say at the station)
        return (array("q", [row["id"] for row in rows]),
                array("q", [row["received_at"] for row in ready]),
                all(row["said_agrees"] for row in rows))

    def insert(self, m, ready, packed=False):
        if packed:
            values, counts = ready
            alerts.insert_warnings(m.db, values, m.import_id, said=True, packed=True,
                                   counts=counts)
        else:
            alerts.insert_warnings(m.db, ready, m.import_id, said=True)

    def add(self, m, rows):
        ready = self.ready(m, rows)
        if ready:
            m.write(lambda: self.insert(m, ready))

    def correct(self, m, current, row):
        alerts.correct_warning(m.db, current, self._prepared(m, row))


class Events(Kind):
    """Case events: keyed by their whole content, as `import events` keys them."""

    name, table = "event", "case_events"
    select = ("SELECT c.no AS case_no, e.kind, e.date, e.count, e.amount_fen, e.note,"
              " e.note_enc, e.id, e.case_id FROM case_events e JOIN cases c ON c.id = e.case_id")
    # By date (a case's recoveries and once-only events in the order they happened); a
    # case's events of one day in one batch, so that the same event twice is one record.
    order = "ORDER BY e.date, c.no, e.id"
    removable = True
    content = ("case_no", "kind", "date", "count", "amount_fen", "note")
    lookup = "c.no"

    def lookups(self, rows):
        return sorted({r["case_no"] for r in rows.values()})

    def group(self, row):
        return (row["date"], row["case_no"])

    def _shown(self, row):
        # (free text: the key is kept in `merged_records` as it is, so its note is masked)
        return [mask_free_text(row[n]) if n == "note" else row[n] for n in self.content]

    def key(self, row):
        return json.dumps(self._shown(row), ensure_ascii=False)

    def keyed(self, rows):
        # The same event twice (two arrests of one person a day, entered one by one) is
        # two records: the second's key is the first's with its number, 2, after it.
        out: dict[str, Row] = {}
        for row in rows:
            key = self.key(row)
            if key in out:
                content = self._shown(row)
                n = 2
                while (key := json.dumps([*content, n], ensure_ascii=False)) in out:
                    n += 1
            out[key] = row
        return out

    def describe(self, key):
        case_no, kind, day, *rest = json.loads(key)
        again = f" (the {_ordinal(rest[3])} such)" if len(rest) > 3 else ""
        return f"the {kind} event of case {case_no} on {day}{again}"

    def remove(self, m, current):
        cases.drop_event(m.db, current["case_id"], current["case_no"], current,
                         f"removed in {m.station.path.name}")

    def add(self, m, rows):
        m.wait()
        ledger = cases.EventLedger(m.db)
        known = _found(m.db, "SELECT no, id, reported, voided FROM cases WHERE no IN ({marks})",
                       [r["case_no"] for r in rows])
        ready = []
        for row in rows:
            case = known.get(row["case_no"])
            if case is not None and case["voided"]:
                # (a case the county voided takes no event: this one is left out, named,
                # and its base kept -- the next merge finds it settled)
                m.set_aside(self, row, case["no"], "skipped")
                continue
            def one(r=row):
                event = cases.prepare_event(m.db, {
                    "case": r["case_no"], "kind": r["kind"], "date": r["date"],
                    "count": r["count"], "note": r["note"],
                    "amount": None if r["amount_fen"] is None else yuan(r["amount_fen"])},
                    known.get(r["case_no"]), case_field="case", kind_field="kind")
                ledger.check(event, "kind")
                return event
            event = m.attempt(self, row, one)
            if event is not None:
                ready.append(event)
        if ready:
            m.write(lambda: cases.insert_events(m.db, ready, m.import_id))


class Followups(Kind):
    name, table = "followup", "followups"
    select = ("SELECT f.id, f.warning_id, w.no AS warning_no, f.at, f.method, f.outcome,"
              " f.case_id, c.no AS case_no, f.note, f.note_enc FROM followups f"
              " JOIN warnings w ON w.id = f.warning_id LEFT JOIN cases c ON c.id = f.case_id")
    order = "ORDER BY f.id"
    content = ("warning_no", "at", "method", "outcome", "case_no", "note")
    lookup = "w.no"
    looked_by = "warning_no"
    removable = True

    def remove(self, m, current):
        alerts.drop_followup(m.db, current["warning_id"], current["warning_no"], current,
                             f"removed in {m.station.path.name}")

    def lookups(self, rows):
        return sorted({r["warning_no"] for r in rows.values()})

    def key(self, row):
        # `json.dumps([warning_no, at, method])`, written out: it runs for every follow-up
        return (f"[{_quoted_ascii(row['warning_no'])}, {int(row['at'])},"
                f" {_quoted_ascii(row['method'])}]")

    def describe(self, key):
        warning_no, at, method = json.loads(key)
        from tongwei_cli.core.settings import current

        return f"the {method} follow-up of {warning_no} at {clock.local_text(at, current().tz)}"

    def _prepared(self, m, row, warning=None, cases=None):
        return alerts.prepare_followup(m.db, {
            "warning": row["warning_no"], "at": _moment(row["at"]), "method": row["method"],
            "outcome": row["outcome"], "case": row["case_no"], "note": row["note"]},
            warning, warning_field="warning", cases=cases)

    apart = True
    looks_up = ("warning_no", "case_no", "warning_id")

    def looked_up(self, m, rows):
        # (each warning and case looked up once a batch, not once a follow-up)
        # (a warning as `(id, received_at)`, made a mapping where it is used: it runs for
        # every follow-up, here while the writer waits)
        known: dict[str, tuple[int, int]] = {}
        wanted = {r["warning_no"] for r in rows}
        if m.merged_warnings is not None:
            # (a warning merged apart just before: its id and received time known here,
            # by its id in the station file -- this file is not asked, the writer goes on)
            first, ids, received = m.merged_warnings
            for r in rows:
                i = bisect_left(ids, r["warning_id"])
                if i < len(ids) and ids[i] == r["warning_id"]:
                    known[r["warning_no"]] = (first + i, received[i])
            wanted.difference_update(known)
        named = [r["case_no"] for r in rows if r["case_no"]]
        if wanted or named:
            m.wait()
        cursor = m.db.conn.cursor()
        cursor.row_factory = None
        for part in chunks(sorted(wanted), LOOKUP):
            cursor.execute("SELECT no, id, received_at FROM warnings WHERE no IN"
                           f" ({', '.join('?' * len(part))})", part)
            known.update((no, (i, received)) for no, i, received in cursor)
        cases_ = _found(m.db, "SELECT no, id, voided FROM cases WHERE no IN ({marks})",
                        named) if named else {}
        return known, {no: dict(r) for no, r in cases_.items()}

    def ready(self, m, rows, found=None):
        known, cases_ = found
        out = []
        for row in rows:
            case = cases_.get(row["case_no"]) if row["case_no"] else None
            if case is not None and case["voided"]:
                # (a follow-up naming a case the county voided comes in without that link)
                m.set_aside(self, row, row["case_no"], "unlinked")
                row = {**row, "case_no": None}

            def one(r=row):
                no = r["warning_no"]
                warning = known.get(no)
                if warning is None:
                    raise alerts.no_warning(no, "warning")
                return self._prepared(m, r, {"id": warning[0], "no": no,
                                             "received_at": warning[1]}, cases_)
            prepared = m.attempt(self, row, one)
            if prepared is not None:
                out.append(prepared)
        return out

    def pack(self, m, ready):
        return [alerts.followup_values(f) for f in ready]

    def insert(self, m, ready, packed=False):
        # (a warning this merge brought in already says what its follow-ups say)
        new_after = m.before["warning"]
        ids = (f[0] for f in ready) if packed else (f["warning_id"] for f in ready)
        alerts.insert_followups(m.db, ready, m.import_id, packed=packed,
                                refresh={i for i in ids if i <= new_after})

    def add(self, m, rows):
        ready = self.ready(m, rows, self.looked_up(m, rows))
        if ready:
            m.write(lambda: self.insert(m, ready))

    def merged(self, rows, ready):
        return True  # (every one of the batch written)

    def finish(self, m):
        m.wait()
        # (every warning and every follow-up of the station's merged apart, none of either
        # here before, the warnings saying what their follow-ups said there: they say what
        # the same follow-ups say here)
        if m.import_id is not None and not (m.merged_warnings is not None and m.said_agreed
                                            and m.merged_whole.get(self.name)):
            totals.recount_said(m.db, m.import_id, m.before["warning"])

    def correct(self, m, current, row):
        # (corrected at the station to name a case the county voided: corrected here
        # without that link, named -- as a new follow-up naming it comes in)
        if row["case_no"] and m.db.one("SELECT 1 FROM cases WHERE no = ? AND voided = 1",
                                       (row["case_no"],)):
            m.set_aside(self, row, row["case_no"], "unlinked")
            row = {**row, "case_no": None}
        alerts.correct_followup(m.db, current, self._prepared(m, row))


class Outreach(Kind):
    """Sessions: by their `ref` when they have one, else by their number."""

    name, table = "outreach", "outreach"
    select = f"SELECT {outreach.COLUMNS} FROM outreach"
    content = (*(c for c in outreach.STORED if c != "no" and not is_sealed(c)), "voided",
               "void_reason")
    voids = True
    lookup = "coalesce('ref ' || ref, no)"

    def key(self, row):
        return f"ref {row['ref']}" if row["ref"] else row["no"]

    def describe(self, key):
        return f"session {key.removeprefix('ref ')}"

    def _prepared(self, m, row):
        return outreach.prepare_outreach(m.db, raw_of(OUTREACH, row)).row

    def add(self, m, rows):
        m.wait()
        ready = []
        for row in rows:
            prepared = m.attempt(self, row, lambda r=row: self._prepared(m, r))
            if prepared is not None:
                prepared["no"] = row["no"]
                ready.append(prepared)
        if ready:
            outreach.insert_outreach(m.db, ready, m.import_id)

    def correct(self, m, current, row):
        outreach.correct_outreach(m.db, current, self._prepared(m, row))


class CardActions(Kind):
    name, table = "card_action", "card_actions"
    select = cards.ACTION_SELECT
    order = "ORDER BY a.date, a.no"  # (a recheck after the rectifications it closes)
    lookup = "a.no"
    content = ("date", "institution", "kind", "station", "amount_fen", "deadline", "note",
               "voided", "void_reason")
    voids = True

    def describe(self, key):
        return f"action {key}"

    def _raw(self, m, row):
        raw = cards._raw_of(row)
        known = m.db.one("SELECT 1 FROM institutions WHERE name = ?", (row["institution"],))
        raw["institution_kind"] = None if known else row["institution_kind"]
        return raw

    def add(self, m, rows):
        m.wait()
        batch = cards.Batch(m.db)
        ready = []
        for row in rows:
            prepared = m.attempt(self, row, lambda r=row: cards.prepare_card_action(
                m.db, self._raw(m, r), batch).row)
            if prepared is not None:
                prepared["no"] = row["no"]
                ready.append(prepared)
        if ready:
            cards.insert_card_actions(m.db, ready, m.import_id)

    def correct(self, m, current, row):
        raw = self._raw(m, row)
        cards.correct_card_action(m.db, current, raw, raw)


class Restrictions(Kind):
    name, table = "restriction", "card_penalties"
    select = f"SELECT id, {cards.PENALTY_SEALED} FROM card_penalties"
    content = (*RESTRICTION.columns(), "voided", "void_reason")
    voids = True

    def _prepared(self, m, row):
        return cards.prepare_penalty(m.db, raw_of(RESTRICTION, row)).row

    def add(self, m, rows):
        m.wait()
        for row in rows:
            def one(r=row):
                prepared = self._prepared(m, r)
                prepared["no"] = r["no"]
                cards.insert_penalty(m.db, prepared, m.import_id)
            m.attempt(self, row, one)

    def correct(self, m, current, row):
        cards.correct_penalty(m.db, current, self._prepared(m, row))


# In the order they are merged: what a record names is merged before it.
KINDS: tuple[Kind, ...] = (Campaigns(), Cases(), Warnings(), Events(), Followups(),
                           Outreach(), CardActions(), Restrictions())
VOID_ENTITY = {"case": ("cases", "case"), "outreach": ("outreach", "session"),
               "restriction": ("card_penalties", "restriction")}


# -- opening a station file ----------------------------------------------------------------

@dataclass
class Station:
    """A station file, opened (and, inside `verified`, verified and held in one snapshot)."""

    path: Path
    db: Database
    database_id: str
    station: str | None = None
    anchor: dict[str, Any] = field(default_factory=dict)
    # Tables whose records are checked against their digests as they are merged, not by
    # `verify_station`: the many records of a kind that may be checked apart, their tags
    # checked by the forked children with them (`Merger._add_apart`).
    unchecked: set[str] = field(default_factory=set)
    # Whether this merge holds the file's write lock (`Database.read_held`): no one can
    # change it meanwhile, and a forked child's own connection to it reads the very state
    # that was verified (`Merger._add_apart`).
    held: bool = False


def open_station(db: Database, path: Path, key_file: Path | None = None) -> Station:
    """Open the station file at `path` with its own key (`key_file`, else where any file's
    key is looked for). The caller closes `station.db`."""
    if not path.exists():
        raise InvalidValue(f"{path} does not exist", "FILE")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder", "FILE")
    if path.resolve() == db.path.resolve():
        raise InvalidValue(f"{path} is the file being merged into", "FILE")
    try:
        station = open_db(db.settings, path)
    except StorageError as exc:  # (named as the file it is)
        if os.access(path.parent, os.W_OK):
            raise StorageError(exc.reason, "FILE") from None
        # (a folder nobody may write -- a write-protected medium -- where SQLite cannot
        # make the files beside it that its log needs: read in place)
        station = open_in_place(db.settings, path)
    try:
        found = keys.identity(station)
        if found is None:
            raise StorageError(f"{path.name} has no key (a file from before keys)", "FILE")
        if found.db_id == keys.database_id(db):
            raise InvalidValue(f"{path.name} is a copy of this very file (database "
                               f"{found.db_id})", "FILE")
        if key_file is not None:
            given = [k for k in keys.read_file(key_file) if k.db_id == found.db_id]
            if not given:
                raise keys.KeyMissing(f"{key_file} holds no key of database {found.db_id} "
                                      f"({path.name})", "--key-file")
            station.keyring.all(found.db_id)
            for key in given:
                station.keyring.remember(key)
        return Station(path, station, found.db_id)
    except BaseException:
        station.close()
        raise


def verify_station(station: Station) -> None:
    """Inside the station file's read transaction: its audit chain and every record's
    digest verified (a broken file is refused: nothing of it is merged), its station and
    the anchor of its chain read. The records of a kind that may be checked apart
    (`Kind.apart`, APART of them or more) are checked against their digests as they are
    merged, in the same snapshot (`station.unchecked`, `Merger._add_apart`): a file broken
    there is refused as it is found, nothing written."""
    db, name = station.db, station.path.name
    key = keys.current(db)
    checked, bad = audit.verify(db)
    if bad is not None:
        raise StorageError(f"{name}: its audit log is broken at row {bad['id']}: "
                           f"{bad['problem']}; nothing was merged", "FILE")
    db.use_key(key)
    if hasattr(os, "fork"):
        station.unchecked = {kind.table for kind in KINDS if kind.apart and db.scalar(
            f"SELECT count(*) FROM {kind.table}") >= APART}
    _verify_records(station, rows_elsewhere=station.unchecked)
    station.station = station_of(db)
    station.anchor = audit.anchor(db)


def _verify_records(station: Station, **which: Any) -> None:
    """`digests.verify_records` of the station file (`which`: of which tables), its first
    problem refusing it."""
    problems = digests.verify_records(station.db, limit=3, **which)
    if problems:
        raise StorageError(f"{station.path.name}: {problems[0]}; nothing was merged", "FILE")


def _station_reader(station: Station) -> sqlite3.Connection:
    """A connection of a forked child's own to the station file (one must not cross a
    fork), read-only, in one read transaction kept for the child's life: the state this
    merge verified, the merge holding the file's write lock (`Station.held`). As a belt,
    its audit chain must end where it did then (`audit.latest`, read on its own)."""
    conn = connect_readonly(station.path)
    try:
        conn.isolation_level = None
        conn.execute("BEGIN")
        last = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        if tuple(last or (0, GENESIS_HASH)) != (station.anchor["row"],
                                                station.anchor["hash"]):
            raise _changed(station)
    except BaseException:
        conn.close()
        raise
    return conn


def _readable_apart(station: Station) -> bool:
    """Whether the forked children can read the station file themselves
    (`_station_reader`), tried here before they are forked: not where the file or its
    folder lets no read-only connection in (its records are then sent to them)."""
    try:
        _station_reader(station).close()
    except sqlite3.Error:
        return False  # (a file changed since it was verified is refused: `_changed`)
    return True


def _changed(station: Station) -> StorageError:
    return StorageError(f"{station.path.name} changed while it was merged; nothing was "
                        "merged: merge it again", "FILE")


def verify_table(station: Station, table: str) -> None:
    """The records of one table of `station.unchecked` checked against their digests now
    (they are not merged apart after all, or a child found one that does not fit)."""
    if table in station.unchecked:
        _verify_records(station, only=(table,))
        station.unchecked.discard(table)


# -- merging -------------------------------------------------------------------------------

def _digest_at(digests_: str, place: int) -> str:
    """The digest of the record at `place` in a `merged_batches` row's `digests`."""
    return digests_[place * DIGEST_CHARS:(place + 1) * DIGEST_CHARS]


def _batch_keys(batch_id: int, keys_: Any, digests_: Any) -> list[str]:
    """The keys of a `merged_batches` row, checked against its digests (one for each, of
    DIGEST_CHARS): a row that does not hold together was changed behind tongwei's back."""
    try:
        found = json.loads(keys_)
    except (TypeError, ValueError):
        found = None
    if not (isinstance(found, list) and all(type(k) is str for k in found)
            and isinstance(digests_, str) and len(digests_) == len(found) * DIGEST_CHARS):
        raise StorageError(f"merged_batches row {batch_id} is damaged (changed outside "
                           "tongwei): `tongwei check` names it", "--db")
    return found


class Merger:
    """One station file merged into `db`, inside its write."""

    def __init__(self, db: Database, station: Station, prefer: str | None,
                 result: MergeResult):
        self.db, self.station, self.prefer, self.result = db, station, prefer, result
        self.key = keys.current(db)
        self.macs: dict[str, Any] = {}  # key id -> HMAC of its `merge` subkey, to copy
        self.problems: list[tuple[str, str | None, str]] = []
        self.import_id: int | None = None
        found = db.one("SELECT id FROM merge_sources WHERE db_id = ?", (station.database_id,))
        self.source_id: int | None = found[0] if found else None
        self.bases_changed = False  # a base added, changed or forgotten
        self.before: dict[str, int] = {}  # kind -> the highest id of its table before it
        self.day_offset = 0  # that of the per-day totals (`totals.day_counts`), read before a fork
        # The warnings merged apart in this write, every one of the station's: the id of the
        # first here, and the station's ids and received times in their order here (theirs
        # are in id order): `(first, ids, received)` (`Warnings.merged`).
        self.merged_warnings: tuple[int, array, array] | None = None
        self.said_agreed = False  # and each of them said what its follow-ups said there
        # kind -> whether every record of it was merged apart, none refused
        self.merged_whole: dict[str, bool] = {}
        self.batched: dict[str, Any] = {}  # kind -> its bases kept by batch (`_batched`)
        self.writer = Writer("tongwei-merge")
        # Records voided at the station, voided here once every kind is merged (a void case
        # takes no event: its events come in first): (kind, station's row, county's number).
        self.voids: list[tuple[Kind, Row, str]] = []

    # -- the writer --
    # A batch's new records are written (one multi-row INSERT a table: SQLite runs it with
    # the GIL released) in one writer thread while this one reads, opens, compares and
    # checks the next batch of the station file. The connection to this file is never used
    # by both: every use of it here first waits for the writer (`wait`).
    def write(self, job: Callable[[], Any]) -> None:
        """Run `job` (a write to this file) in the writer, after the one before."""
        self.writer.submit(job)

    def wait(self) -> None:
        """Wait for the batch being written; its error, if any, is raised here."""
        self.writer.wait()

    def close(self) -> None:
        self.writer.close()

    # -- the bases --
    def digest(self, text: str, key_id: str | None = None) -> str:
        """The base digest of a record's content (`Kind.canonical`)."""
        key_id = key_id or self.key.key_id
        mac = self.macs.get(key_id)
        if mac is None:
            mac = self.macs[key_id] = hmac.new(keys.subkey(self.db, "merge", key_id),
                                               digestmod=hashlib.sha256)
        h = mac.copy()
        h.update(text.encode("utf-8"))
        return h.hexdigest()[:DIGEST_CHARS]

    def is_base(self, base: tuple[str, str] | None, text: str) -> bool:
        if base is None:
            return False
        try:
            return hmac.compare_digest(self.digest(text, base[0]), base[1])
        except keys.KeyMissing:  # a key of the county's history that is not here
            return False

    def _has_bases(self, kind: Kind) -> bool:
        return self.source_id is not None and self.db.one(
            "SELECT 1 FROM merged_records WHERE source = ? AND kind = ?"
            " UNION ALL SELECT 1 FROM merged_batches WHERE source = ? AND kind = ? LIMIT 1",
            (self.source_id, kind.name) * 2) is not None

    def _bases(self, kind: Kind, keys_: list[str]) -> dict[str, tuple[str, str]]:
        """The bases of the records of these keys: each its own row's, else its entry in
        a batch (`_batched`)."""
        out = self._own_bases(kind, keys_)
        batched = self._batched(kind)
        if batched:
            where, batches = batched
            for key in keys_:
                if key not in out and (at := where.get(key)) is not None:
                    key_id, digests_ = batches[at >> 16]
                    out[key] = (key_id, _digest_at(digests_, at & 0xFFFF))
        return out

    def _own_bases(self, kind: Kind, keys_: list[str]) -> dict[str, tuple[str, str]]:
        """The bases of the records of these keys that have a row of their own
        (`merged_records`)."""
        out = {}
        for part in chunks(keys_, LOOKUP):
            for key, key_id, digest in self.db.query(
                    "SELECT key, key_id, digest FROM merged_records WHERE source = ? AND"
                    f" kind = ? AND key IN ({', '.join('?' * len(part))})",
                    [self.source_id, kind.name, *part]):
                out[key] = (key_id, digest)
        return out

    def _batched(self, kind: Kind) -> tuple[dict[str, int], list[tuple[str, str]]] | None:
        """The bases of `kind` kept a batch to a row (`merged_batches`: a first merge of
        many records, `_add_apart`), read once a merge: each key's batch and place in it
        (`batch << 16 | place`), and each batch's key id and digests. None: there are
        none."""
        if kind.name not in self.batched:
            where: dict[str, int] = {}
            batches: list[tuple[str, str]] = []
            if self.source_id is not None:
                for batch_id, key_id, keys_, digests_ in self.db.query(
                        "SELECT id, key_id, keys, digests FROM merged_batches WHERE"
                        " source = ? AND kind = ? ORDER BY id", (self.source_id, kind.name)):
                    n = len(batches) << 16
                    where.update((key, n | i) for i, key in enumerate(_batch_keys(
                        batch_id, keys_, digests_)))
                    batches.append((key_id, digests_))
            self.batched[kind.name] = (where, batches) if batches else None
        return self.batched[kind.name]

    def _batch_bases(self, kind: Kind, count: int, keys_: str, digests_: str) -> None:
        """Write the bases of a batch of `count` records of `kind` merged apart, all of them
        new here, in one row (`merged_batches`): their keys (a JSON array) and their digests
        (one after another, in the same order)."""
        if not count:
            return
        assert count <= 0xFFFF and len(digests_) == count * DIGEST_CHARS, (
            "a batch's places are 16 bits, each digest DIGEST_CHARS (`_batched`)")
        self._ensure_source()
        self.db.conn.execute(
            "INSERT INTO merged_batches (source, kind, key_id, keys, digests)"
            " VALUES (?, ?, ?, ?, ?)",
            (self.source_id, kind.name, self.key.key_id, keys_, digests_))
        self.bases_changed = True

    def _keep_bases(self, kind: Kind, items: list[tuple[str, str]]) -> None:
        """Write the bases `(key, digest)` of records of `kind` just settled."""
        self._ensure_source()
        key_id = self.key.key_id
        self.db.insert_many(
            "merged_records", ("source", "kind", "key", "key_id", "digest"),
            [(self.source_id, kind.name, key, key_id, digest) for key, digest in items],
            on_conflict="(source, kind, key) DO UPDATE SET key_id = excluded.key_id,"
                        " digest = excluded.digest")
        self.bases_changed = True

    # -- records --
    def set_aside(self, kind: Kind, row: Row, case_no: str, how: str) -> None:
        """A station's addition to a case the county voided (`MergeResult.set_aside`)."""
        self.result.set_aside.append((kind.describe(kind.key(row)), case_no, how))
        if how == "skipped":
            self.result.new -= 1

    def attempt(self, kind: Kind, row: Row, step: Callable[[], Any]) -> Any:
        """`step()`, or None with the record's refusal noted."""
        try:
            return step()
        except TongweiError as exc:
            self.problems.append((f"{self.station.path.name}: "
                                  f"{kind.describe(kind.key(row))}", exc.field, exc.reason))
            return None

    def run(self) -> None:
        try:
            for kind in KINDS:
                self._merge(kind)
        finally:
            self.close()
        for kind, row, no in self.voids:
            self.attempt(kind, row, lambda k=kind, r=row, n=no: self._void(k, r, n))
        if self.problems:
            raise MergeRefused(self.station.path.name, self.problems)

    def _merge(self, kind: Kind) -> None:
        """Every record of `kind` in the station file, a batch at a time."""
        result, db = self.result, self.db
        self.wait()
        based = self._has_bases(kind)
        if kind.removable and based:
            self._removed_at_station(kind)  # (first: a corrected event is its old one gone)
        # Nothing of this kind here yet: no station record can match one (their keys are
        # unique in the station file), and the lookups are spared.
        empty = db.one(f"SELECT 1 FROM {kind.table} LIMIT 1") is None
        self.before[kind.name] = db.scalar(f"SELECT coalesce(max(id), 0) FROM {kind.table}")
        # (a station's first merge of many records this file has none of -- into a new
        # county file, or one that holds other stations' records: checked apart)
        if not based and self._worth_apart(kind) and (empty or self._all_new(kind)):
            self._add_apart(kind)
            self.wait()
            kind.finish(self)
            return
        verify_table(self.station, kind.table)  # (if it was left to the children)
        for rows in kind.read(self.station.db):
            theirs = kind.keyed(rows)
            if not empty or based:
                self.wait()
            ours = {} if empty or not theirs else kind.rows(db, kind.lookups(theirs))
            bases = self._bases(kind, list(theirs)) if based else {}
            new: list[Row] = []
            taken: list[tuple[Row, Row]] = []
            keep: list[tuple[str, str]] = []
            if not ours and not bases:  # (every one new: a first merge)
                canonical, digest = kind.canonical, self.digest
                new = list(theirs.values())
                keep = [(key, digest(canonical(row))) for key, row in theirs.items()]
                result.new += len(new)
                theirs = {}
            for key, row in theirs.items():
                text = kind.canonical(row)
                current = ours.get(key)
                base = bases.get(key)
                settled = True
                if current is None:
                    if base is not None:  # merged before, removed here since
                        result.unchanged += 1
                    else:
                        new.append(row)
                        result.new += 1
                elif kind.content_of(current) == kind.content_of(row):
                    result.unchanged += 1
                elif self.is_base(base, text):
                    result.unchanged += 1  # changed here since: ours stays
                elif self.is_base(base, kind.canonical(current)):
                    taken.append((current, row))
                    result.corrected += 1
                else:
                    void = kind.voids and bool(current["voided"])
                    settled_by = None if self.prefer is None else (
                        "county" if void else self.prefer)
                    result.conflicts.append(Conflicting(
                        kind.describe(key), self._differ(kind, current, row), settled_by,
                        void))
                    if settled_by == "station":
                        taken.append((current, row))
                        result.corrected += 1
                    settled = settled_by is not None
                if settled:
                    digest = self.digest(text)
                    if base != (self.key.key_id, digest):
                        keep.append((key, digest))
            if (new or taken) and self.import_id is None:
                self.wait()
                self._ensure_import()
            if new:
                kind.add(self, new)
                if kind.voids:
                    self.voids += [(kind, row, row["no"]) for row in new if row["voided"]]
            if taken:
                self.wait()
            for current, row in taken:
                self.attempt(kind, row, lambda k=kind, c=current["_stored"], r=row:
                             k.correct(self, c, r))
                if kind.voids and row["voided"] and not current["voided"]:
                    self.voids.append((kind, row, current["no"]))
            if keep:
                self.write(lambda k=kind, items=keep: self._keep_bases(k, items))
            # (the records written so far given their digests by the writer too, as the
            # audit row at the end would: the tags of a batch, not of the whole file, then)
            self.write(lambda: digests.seal(self.db))
        self.wait()
        kind.finish(self)

    def _worth_apart(self, kind: Kind) -> bool:
        """Whether the station's records of `kind`, all new here, are checked apart: a kind
        whose checks read nothing of this file, APART records or more, and what sealing
        reads of this file loaded before the fork."""
        return (kind.apart and hasattr(os, "fork") and self.station.db.scalar(
            f"SELECT count(*) FROM {kind.table}") >= APART and prime(self.db))

    def _all_new(self, kind: Kind) -> bool:
        """Whether no record of `kind` here can match one of the station's: none has a
        `lookup` value that one of the station's has (read a few hundred at a time from
        either file). Then each of the station's is new here, as in a new file: a station
        merged for the first time into a county file that holds other stations' records."""
        cursor = self.station.db.conn.cursor()
        cursor.row_factory = None
        cursor.execute(f"SELECT DISTINCT q.{kind.looked_by} FROM"
                       f" ({kind.station_select or kind.select}) q")
        while part := [r[0] for r in cursor.fetchmany(LOOKUP)]:
            if self.db.one(f"{kind.select} WHERE {kind.lookup} IN"
                           f" ({', '.join('?' * len(part))}) LIMIT 1", part) is not None:
                return False
        return True

    def _add_apart(self, kind: Kind) -> None:
        """Every record of `kind` in the station file, none of them here yet (a first
        merge): a batch at a time, each batch opened, given its base and checked
        (`kind.ready`) by one of two forked children in turn, and written here by the
        writer while the children work on the next two.

        Where this merge holds the station file's write lock (`Station.held`), a child
        reads its batches itself, by their first and last ids, on its own read-only
        connection (`_station_reader`: the same state of the file); this process reads only
        those ids and what `kind.looked_up` needs. Otherwise the rows are read here and
        sent down the pipe."""
        st, result = self.station.db, self.result
        # Each record with what its digest covers and its digest, checked by the children
        # (`verify_station` left them): the same snapshot, the same check.
        checking = kind.table in self.station.unchecked
        direct = self.station.held and _readable_apart(self.station)
        base = kind.station_select or kind.select

        def select(where: str = "") -> str:
            """What is read of each record (`where`: which), as the children check it."""
            sql = f"{base}{where} {kind.order}"
            if kind.beside is not None:
                sql = (f"SELECT q.*, {kind.beside[1]} AS {kind.beside[0]} FROM ({sql}) q"
                       " ORDER BY q.id")
            return digests.tag_check_select(st, kind.table, sql) if checking else sql

        # (a batch's range inside the innermost select, before its ORDER BY: SQLite reads
        # just those rows, by the table's primary key -- `kind.order` is by it)
        between = select(f" WHERE {kind.order.removeprefix('ORDER BY ')} BETWEEN ? AND ?")
        cursor = st.conn.cursor()
        cursor.row_factory = None
        if direct:
            # (the children's columns, from their statement run here over no id: checked
            # before they are forked, the same in either case)
            names = [d[0] for d in cursor.execute(between, (1, 0)).description]
            cursor.execute(f"SELECT q.id{''.join(f', q.{c}' for c in kind.looks_up)}"
                           f" FROM ({base} {kind.order}) q ORDER BY q.id")
            looks_up = [(name, i) for i, name in enumerate(kind.looks_up, 1)]
        else:
            cursor.execute(select())
            names = [d[0] for d in cursor.description]
            looks_up = [(name, names.index(name)) for name in kind.looks_up]
        if checking:
            names = names[:-2]
        tag = st.sealer.tag
        opened = personal.opener(st, kind.table) if personal.SEALED.get(kind.table) else None
        canonical, digest = kind.canonical, self.digest
        digest("")  # (the HMAC of the bases made before the fork: a child has no connection)
        self.day_offset = self.db.scalar("SELECT offset_seconds FROM warning_days_zone")
        self.wait()
        self._ensure_import()

        def parts() -> Iterator[tuple[Any, Any]]:
            """Each batch as read -- or, read by the children, its first and last ids and
            how many records it has --, with what its checks read of this file
            (`looked_up`, made here: the children have no connection)."""
            while part := cursor.fetchmany(BATCH):
                found = (kind.looked_up(self, [{name: r[i] for name, i in looks_up}
                                               for r in part]) if looks_up else None)
                yield ((part[0][0], part[-1][0], len(part)) if direct else part), found

        reader: list[Any] = []  # a child's own connection to the station file, once opened

        def read(span: tuple[int, int, int]) -> list[tuple]:
            """In a child: the records of a batch from their first to their last id."""
            if not reader:
                reader.append(_station_reader(self.station))
            first, last, count = span
            part = reader[0].execute(between, (first, last)).fetchall()
            if len(part) != count:  # (cannot be, the file being held: a belt)
                raise _changed(self.station)
            return part

        def work(item: tuple[Any, Any]) -> tuple[Any, ...]:
            part, found = item
            if direct:
                part = read(part)
            fits = True
            if checking:  # (a record that does not fit its digest refuses the file)
                fits = all(r[-1] is not None and tag(r[-2]) == r[-1] for r in part)
                part = [r[:-2] for r in part]
            rows = [dict(zip(names, r, strict=True)) for r in part]
            if opened is not None:
                for row in rows:
                    opened(row)
            theirs = kind.keyed(rows)
            # (their bases as `_batch_bases` writes them: the keys as a JSON array, the
            # digests one after another -- two strings down the pipe, no pass here)
            keep = (len(theirs), json.dumps(list(theirs), ensure_ascii=False),
                    "".join([digest(canonical(row)) for row in theirs.values()]))
            # (the child's own, sent back with the batch)
            self.problems, result.set_aside = [], []
            ready = kind.ready(self, list(theirs.values()), found)
            merged = (kind.merged(rows, ready) if not self.problems and len(ready) == len(rows)
                      else None)
            return (kind.pack(self, ready), keep, self.problems, result.set_aside, fits,
                    merged)

        refused: list[tuple[str, str | None, str]] = []
        aside: list[tuple[str, str, str]] = []
        def written(ready: list[tuple], keep: tuple[int, str, str]) -> None:
            # (one job a batch: the writer takes a batch whole while this thread hands the
            # children their next parts -- a job waits for the one before it)
            if ready:
                kind.insert(self, ready, packed=True)
            self._batch_bases(kind, *keep)
            digests.seal(self.db)

        kept: list[Any] | None = []  # what `kind.merged` gave of each batch, in order
        for ready, keep, problems, set_aside, fits, merged in in_two(self.db, work, parts()):
            if not fits:
                verify_table(self.station, kind.table)  # (raises, naming the record)
                raise RuntimeError(f"a record of {kind.table} does not fit its digest")
            result.new += keep[0] - sum(how == "skipped" for *_, how in set_aside)
            refused += problems
            aside += set_aside
            if merged is None:
                kept = None
            elif kept is not None:
                kept.append(merged)
            self.write(lambda r=ready, k=keep: written(r, k))
        self.problems += refused
        result.set_aside += aside
        self.station.unchecked.discard(kind.table)
        self.merged_whole[kind.name] = kept is not None and not refused
        if kind.name == "warning" and kept:
            self._merged_warnings(kept)

    def _merged_warnings(self, kept: list[tuple[array, array, bool]]) -> None:
        """`merged_warnings`, once the writer has written them: each warning of the
        station's was given the next id here, in their order (checked: as many as there
        are, from the one after the highest before)."""
        ids, received = array("q"), array("q")
        for station_ids, times, _ in kept:
            ids += station_ids
            received += times
        first = self.before["warning"] + 1
        self.wait()
        count, low, high = self.db.one("SELECT count(*), min(id), max(id) FROM warnings"
                                       " WHERE id >= ?", (first,))
        if (count, low, high) == (len(ids), first, first + len(ids) - 1) and all(
                a < b for a, b in zip(ids, ids[1:], strict=False)):
            self.merged_warnings = (first, ids, received)
            self.said_agreed = all(agrees for *_, agrees in kept)

    def _removed_at_station(self, kind: Kind) -> None:
        """The county's records of `kind` merged from this file before and removed there
        since (an event corrected or withdrawn, a follow-up removed): those the county has
        not changed since go too; one the county changed since stays. The base of each is
        forgotten."""
        self._removed_from_batches(kind)
        after = ""
        while True:
            page = self.db.query(
                "SELECT key, key_id, digest FROM merged_records WHERE source = ? AND kind = ?"
                " AND key > ? ORDER BY key LIMIT ?", (self.source_id, kind.name, after, BATCH))
            if not page:
                return
            after = page[-1][0]
            there = kind.rows(self.station.db, kind.lookups_of([r[0] for r in page]))
            gone = [(key, (key_id, digest)) for key, key_id, digest in page
                    if key not in there]
            if not gone:
                continue
            self.db.conn.executemany(
                "DELETE FROM merged_records WHERE source = ? AND kind = ? AND key = ?",
                [(self.source_id, kind.name, key) for key, _ in gone])
            self.bases_changed = True
            self._remove_as_merged(kind, gone)

    def _removed_from_batches(self, kind: Kind) -> None:
        """`_removed_at_station` for the bases kept by batch: a batch at a time, the keys no
        longer at the station are taken out of it (the row written again without them) --
        and the county's record of each goes too if it is as merged, unless the record has
        a base of its own (`merged_records`: the pass after this one settles it)."""
        for (batch_id,) in self.db.query(
                "SELECT id FROM merged_batches WHERE source = ? AND kind = ? ORDER BY id",
                (self.source_id, kind.name)):
            key_id, keys_, digests_ = self.db.one(
                "SELECT key_id, keys, digests FROM merged_batches WHERE id = ?", (batch_id,))
            keys_ = _batch_keys(batch_id, keys_, digests_)
            there = kind.rows(self.station.db, kind.lookups_of(keys_))
            gone = [i for i, key in enumerate(keys_) if key not in there]
            if not gone:
                continue
            self.batched.pop(kind.name, None)
            self.bases_changed = True
            kept = sorted(set(range(len(keys_))) - set(gone))
            if kept:
                self.db.conn.execute(
                    "UPDATE merged_batches SET keys = ?, digests = ? WHERE id = ?",
                    (json.dumps([keys_[i] for i in kept], ensure_ascii=False),
                     "".join(_digest_at(digests_, i) for i in kept), batch_id))
            else:
                self.db.conn.execute("DELETE FROM merged_batches WHERE id = ?", (batch_id,))
            own = self._own_bases(kind, [keys_[i] for i in gone])
            self._remove_as_merged(kind, [(keys_[i], (key_id, _digest_at(digests_, i)))
                                          for i in gone if keys_[i] not in own])

    def _remove_as_merged(self, kind: Kind, gone: list[tuple[str, tuple[str, str]]]) -> None:
        """The county's records of these keys, removed at the station since they were
        merged, removed here too when each is still as merged (its base `(key id, digest)`);
        one the county changed since stays."""
        ours = kind.rows(self.db, kind.lookups_of([key for key, _ in gone]))
        for key, base in gone:
            current = ours.get(key)
            if current is not None and self.is_base(base, kind.canonical(current)):
                self._ensure_import()
                self.attempt(kind, current, lambda k=kind, c=current: k.remove(self, c))
                self.result.corrected += 1

    def _void(self, kind: Kind, row: Row, no: str) -> None:
        reason = row["void_reason"] or f"voided in {self.station.path.name}"
        if kind.name == "card_action":
            cards.void_action(self.db, cards._action_row(self.db, no), reason)
            return
        table, what = VOID_ENTITY[kind.name]
        current = dict(self.db.one(f"SELECT no, voided FROM {table} WHERE no = ?", (no,)))
        mark_void(self.db, table, kind.name, current, reason, what=what, field_name="FILE")

    def _differ(self, kind: Kind, current: Row, row: Row) -> list[tuple[str, str, str]]:
        personal_kinds = personal.TABLES.get(kind.table, {})
        tz = self.db.tz
        out = []
        for name in kind.content:
            a, b = current.get(name), row.get(name)
            if a == b:
                continue

            def shown(value: Any, name: str = name) -> str:
                if value is None:
                    return "-"
                if name in personal_kinds:
                    return MASKS[personal_kinds[name]](str(value))
                if name.endswith("_fen"):
                    return yuan(value)
                if name in ("at", "received_at"):
                    return clock.local_text(value, tz)
                return mask_free_text(str(value))  # (a note, opened: its numbers masked)

            out.append((column_of(name), shown(a), shown(b)))
        return out

    # -- bookkeeping --
    def _ensure_import(self) -> None:
        """The `imports` row the records written point to: the station file's size and
        SHA-256, as an import's, and the anchor of its chain."""
        if self.import_id is None:
            st = self.station
            size, sha = file_digest(st.path)
            self.import_id = self.db.conn.execute(
                "INSERT INTO imports (kind, file_name, file_size, sha256, rows, imported,"
                " unchanged, updated, at, officer, anchor)"
                " VALUES ('merge', ?, ?, ?, 0, 0, 0, 0, ?, ?, ?)",
                (st.path.name, size, sha, clock.stamp(), self.db.officer,
                 f"{st.anchor['row']}:{st.anchor['hash']}")).lastrowid

    def _ensure_source(self) -> None:
        """The station file's row in `merge_sources` (its bases point to it)."""
        if self.source_id is None:
            st, now = self.station, clock.stamp()
            self.source_id = self.db.conn.execute(
                "INSERT INTO merge_sources (db_id, station, file_name, merges, first_at,"
                " last_at, last_anchor, last_by) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                (st.database_id, st.station, st.path.name, now, now,
                 f"{st.anchor['row']}:{st.anchor['hash']}", self.db.officer)).lastrowid

    def changed(self) -> bool:
        """Whether the merge writes anything (else it leaves no trace, not even its log)."""
        return bool(self.result.new or self.result.corrected or self.bases_changed)

    def finish(self) -> None:
        """The bookkeeping of the merge: the station file's row, the counts of the
        `imports` row and the audit row."""
        st, result = self.station, self.result
        anchor = f"{st.anchor['row']}:{st.anchor['hash']}"
        self._ensure_source()
        self.db.conn.execute(
            "UPDATE merge_sources SET station = ?, file_name = ?, merges = merges + 1,"
            " last_at = ?, last_anchor = ?, last_by = ? WHERE id = ?",
            (st.station, st.path.name, clock.stamp(), anchor, self.db.officer,
             self.source_id))
        if self.import_id is not None:
            self.db.conn.execute(
                "UPDATE imports SET rows = ?, imported = ?, unchanged = ?, updated = ?"
                " WHERE id = ?", (result.new + result.unchanged + result.corrected
                                  + len(result.left), result.new, result.unchanged,
                                  result.corrected, self.import_id))
        self.db.audit("merge", "database", f"{st.database_id} {anchor}", None, {
            "file": st.path.name, "database_id": st.database_id, "station": st.station,
            "anchor_row": st.anchor["row"], "anchor": audit.short_anchor(
                st.anchor["row"], st.anchor["hash"]), "import_id": self.import_id,
            "new": result.new, "unchanged": result.unchanged, "corrected": result.corrected,
            "conflicts": len(result.left),
            "settled": len(result.conflicts) - len(result.left)})


def merge_file(db: Database, path: Path, *, prefer: str | None = None,
               key_file: Path | None = None, dry_run: bool = False) -> MergeResult:
    """Merge one station file into `db`, all or nothing. See the module docstring."""
    if prefer is not None and prefer not in PREFER:
        raise InvalidValue(f"{prefer!r} is not county or station", "--prefer")
    station = open_station(db, path, key_file)
    # The records make no reference cycles: the cyclic collector, which would walk every
    # live object again and again while hundreds of thousands of them come and go, waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # One state of the station file, verified and merged: held (no one can write it
        # meanwhile) where forked children may read it too -- unless someone is writing it
        # (a merge never waits for that), or it cannot be locked; no fork, no need.
        # (a station officer's write that comes meanwhile is told it waits for a merge)
        holder = (f"合并到 {db.path.name}", f"a merge into {db.path.name}")
        with (station.db.read_held(HOLD_WAIT_MS, holder) if hasattr(os, "fork")
              else station.db.read()) as held:
            station.held = held is True
            verify_station(station)
            result = MergeResult(path.name, station.database_id, station.station,
                                 f"{station.anchor['row']}:{station.anchor['hash']}",
                                 dry_run=dry_run)
            try:
                with db.write(holder=(f"合并 {path.name}", f"a merge of {path.name}")):
                    merger = Merger(db, station, prefer, result)
                    merger.run()
                    if not merger.changed():
                        raise _DryRun  # nothing to write: no audit row either
                    merger.finish()
                    if dry_run:
                        raise _DryRun
                    result.written = True
            except _DryRun:
                pass
    finally:
        station.db.close()
        if collecting:
            gc.enable()
    return result
