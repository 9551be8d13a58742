"""`tongwei merge FILE…`: station files (or any tongwei file) brought into this one.

Each station file is opened with its own key (found by its database id like any file's, or
in `--key-file`), its audit chain and record digests verified, and read in one snapshot;
its personal values are opened with its key, in memory only, and sealed again with this
file's key by the domain's own `prepare_*` functions -- no ciphertext crosses keys.

Records are matched by their natural keys (`KINDS` below). Three versions of each are
compared: the station's now (S), the county's now (C), and the content merged last time
from this station file (the base B: a keyed digest kept in `merged_records`):

* no C: new, added -- through the domain's inserts, which keep what depends on the record
  (warning totals, feedback times, case status, rectifications closed);
* C = S: unchanged;
* C ≠ S, and S is B: the county changed it since; the county's stays;
* C ≠ S, and C is B: the station changed it since; the station's corrects the county's
  (audited as every correction is);
* C ≠ S, and neither is B (or there is no B: the record was never merged from this file):
  a conflict, listed with the fields that differ and left as it is, unless `--prefer
  county|station` settles it. A record is never half-merged.

Everything is written in one `BEGIN IMMEDIATE` transaction, with one `imports` row (kind
`merge`) the new records point to, and one audit row naming the station file's database id
and the anchor of its chain; any bad record refuses the whole merge. A second merge of the
same file finds everything unchanged and writes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue, RowErrors, StorageError, TongweiError
from tongwei_cli.core.fields import CASE, OUTREACH, RESTRICTION, WARNING
from tongwei_cli.core.masking import MASKS
from tongwei_cli.domain import campaigns, cards, cases, outreach
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.domain.records import mark_void, raw_of, yuan
from tongwei_cli.domain.station_file import station_of
from tongwei_cli.imports.engine import column_of
from tongwei_cli.storage import audit, digests, keys, personal
from tongwei_cli.storage.db import Database, open_db

PREFER = ("county", "station")


# -- the result ---------------------------------------------------------------------------

@dataclass
class Conflicting:
    """A record both sides changed since the last merge: what it is, and each field that
    differs with the county's and the station's value (as people may see them: masked)."""

    what: str
    fields: list[tuple[str, str, str]]
    settled: str | None = None  # "county" or "station" under --prefer

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
                "conflicting": [{"record": c.what, "settled": c.settled,
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


class Kind:
    """One kind of record as the merge sees it."""

    name = ""  # as `merged_records` and the audit log name it
    table = ""
    select = ""  # the same SELECT on either file
    content: tuple[str, ...] = ()  # the columns compared (personal ones opened)
    voids = False  # whether the record can be voided (content has voided, void_reason)
    removable = False  # whether the station can remove one (its removal is carried over)

    def key(self, row: dict[str, Any]) -> str:
        return row["no"]

    def describe(self, key: str) -> str:
        return f"{self.name} {key}"

    lookup = "no"  # the column of `select` that `lookups` are values of

    def lookups(self, rows: dict[str, dict[str, Any]]) -> list[Any]:
        """The values of `lookup` that find the records of these keys in another file."""
        return list(rows)

    def lookups_of(self, keys_: list[str]) -> list[Any]:
        """The values of `lookup` of records known only by their keys (a removable kind's
        key is a JSON list that starts with it)."""
        return sorted({json.loads(k)[0] for k in keys_})

    def remove(self, m: Merger, current: dict[str, Any]) -> None:
        raise NotImplementedError

    def rows(self, db: Database, wanted: list[Any] | None = None
             ) -> dict[str, dict[str, Any]]:
        """The records of `db` (every one, or those whose `lookup` is in `wanted`), by key,
        personal values opened; each keeps the row as stored under `_stored` (what a
        correction starts from)."""
        if wanted is None:
            found = db.query(self.select)
        else:
            found = []
            for start in range(0, len(wanted), 500):
                part = wanted[start:start + 500]
                found += db.query(f"{self.select} WHERE {self.lookup} IN"
                                  f" ({', '.join('?' * len(part))})", part)
        sealed = bool(personal.TABLES.get(self.table))
        out = {}
        for r in found:
            stored = dict(r)
            row = personal.opened(db, self.table, stored) if sealed else dict(stored)
            row["_stored"] = stored
            out[self.key(row)] = row
        return out

    def ordered(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows

    def add(self, m: Merger, rows: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def correct(self, m: Merger, current: dict[str, Any], row: dict[str, Any]) -> None:
        raise NotImplementedError


def _values(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {n: row.get(n) for n in names}


class Campaigns(Kind):
    name, table = "campaign", "campaigns"
    select = "SELECT name, first_day, last_day, note FROM campaigns"
    content = ("name", "first_day", "last_day", "note")
    lookup = "name"

    def key(self, row):
        return row["name"]

    def _raw(self, row):
        return {"name": row["name"], "from": row["first_day"], "to": row["last_day"],
                "note": row["note"]}

    def add(self, m, rows):
        for row in rows:
            m.attempt(self, row, lambda r=row: campaigns.insert_campaign(m.db, self._raw(r)))

    def correct(self, m, current, row):
        campaigns.correct_campaign(m.db, current, self._raw(row))


class Cases(Kind):
    name, table = "case", "cases"
    select = cases.CASE_SELECT
    lookup = "c.no"
    content = (*CASE.columns(), "voided", "void_reason")
    voids = True

    def _prepared(self, m, row):
        return cases.prepare_case(m.db, raw_of(CASE, row)).row

    def add(self, m, rows):
        ready = [p for row in rows if (p := m.attempt(self, row, lambda r=row:
                                                      self._prepared(m, r))) is not None]
        if ready:
            cases.insert_cases(m.db, ready, m.import_id)

    def correct(self, m, current, row):
        cases.correct_case(m.db, current, self._prepared(m, row))


class Warnings(Kind):
    name, table = "warning", "warnings"
    select = alerts.WARNING_SELECT
    lookup = "w.no"
    content = WARNING.columns()

    def _prepared(self, m, row):
        raw = raw_of(WARNING, row)
        raw["received"] = _moment(row["received_at"])
        return alerts.prepare_warning(m.db, raw).row

    def add(self, m, rows):
        ready = [p for row in rows if (p := m.attempt(self, row, lambda r=row:
                                                      self._prepared(m, r))) is not None]
        if ready:
            alerts.insert_warnings(m.db, ready, m.import_id)

    def correct(self, m, current, row):
        alerts.correct_warning(m.db, current, self._prepared(m, row))


class Events(Kind):
    """Case events: keyed by their whole content, as `import events` keys them."""

    name, table = "event", "case_events"
    select = ("SELECT c.no AS case_no, e.kind, e.date, e.count, e.amount_fen, e.note,"
              " e.id, e.case_id FROM case_events e JOIN cases c ON c.id = e.case_id")
    removable = True
    content = ("case_no", "kind", "date", "count", "amount_fen", "note")
    lookup = "c.no"

    def lookups(self, rows):
        return sorted({r["case_no"] for r in rows.values()})

    def ordered(self, rows):
        return sorted(rows, key=lambda r: (r["date"], r["case_no"]))

    def key(self, row):
        return json.dumps([row[n] for n in self.content], ensure_ascii=False)

    def describe(self, key):
        case_no, kind, day, *_ = json.loads(key)
        return f"the {kind} event of case {case_no} on {day}"

    def remove(self, m, current):
        cases.drop_event(m.db, current["case_id"], current["case_no"], current,
                         f"removed in {m.station.path.name}")

    def add(self, m, rows):
        ledger = cases.EventLedger(m.db)
        ready = []
        for row in rows:
            def one(r=row):
                event = cases.prepare_event(m.db, {
                    "case": r["case_no"], "kind": r["kind"], "date": r["date"],
                    "count": r["count"], "note": r["note"],
                    "amount": None if r["amount_fen"] is None else yuan(r["amount_fen"])},
                    case_field="case", kind_field="kind")
                ledger.check(event, "kind")
                return event
            event = m.attempt(self, row, one)
            if event is not None:
                ready.append(event)
        if ready:
            cases.insert_events(m.db, ready, m.import_id)


class Followups(Kind):
    name, table = "followup", "followups"
    select = ("SELECT f.id, f.warning_id, w.no AS warning_no, f.at, f.method, f.outcome,"
              " f.case_id, c.no AS case_no, f.note FROM followups f"
              " JOIN warnings w ON w.id = f.warning_id LEFT JOIN cases c ON c.id = f.case_id")
    content = ("warning_no", "at", "method", "outcome", "case_no", "note")
    lookup = "w.no"
    removable = True

    def remove(self, m, current):
        alerts.drop_followup(m.db, current["warning_id"], current["warning_no"], current,
                             f"removed in {m.station.path.name}")

    def lookups(self, rows):
        return sorted({r["warning_no"] for r in rows.values()})

    def key(self, row):
        return json.dumps([row["warning_no"], row["at"], row["method"]])

    def describe(self, key):
        warning_no, at, method = json.loads(key)
        from tongwei_cli.core.settings import current

        return f"the {method} follow-up of {warning_no} at {clock.local_text(at, current().tz)}"

    def _prepared(self, m, row):
        return alerts.prepare_followup(m.db, {
            "warning": row["warning_no"], "at": _moment(row["at"]), "method": row["method"],
            "outcome": row["outcome"], "case": row["case_no"], "note": row["note"]},
            warning_field="warning")

    def add(self, m, rows):
        ready = [p for row in rows if (p := m.attempt(self, row, lambda r=row:
                                                      self._prepared(m, r))) is not None]
        if ready:
            alerts.insert_followups(m.db, ready, m.import_id)

    def correct(self, m, current, row):
        alerts.correct_followup(m.db, current, self._prepared(m, row))


class Outreach(Kind):
    """Sessions: by their `ref` when they have one, else by their number."""

    name, table = "outreach", "outreach"
    select = f"SELECT {outreach.COLUMNS} FROM outreach"
    content = (*(c for c in outreach.STORED if c != "no"), "voided", "void_reason")
    voids = True
    lookup = "coalesce('ref ' || ref, no)"

    def key(self, row):
        return f"ref {row['ref']}" if row["ref"] else row["no"]

    def describe(self, key):
        return f"session {key.removeprefix('ref ')}"

    def _prepared(self, m, row):
        return outreach.prepare_outreach(m.db, raw_of(OUTREACH, row)).row

    def add(self, m, rows):
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
    lookup = "a.no"

    def ordered(self, rows):
        return sorted(rows, key=lambda r: (r["date"], r["no"]))
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
    """A station file, opened, verified and read."""

    path: Path
    database_id: str
    station: str | None
    anchor: dict[str, Any]
    records: dict[str, dict[str, dict[str, Any]]]  # kind -> key -> opened row


def read_station(db: Database, path: Path, key_file: Path | None = None) -> Station:
    """Open the station file at `path` with its own key (`key_file`, else where any file's
    key is looked for), verify its audit chain and its records' digests, and read every
    record in one snapshot, personal values opened (in memory only). A broken file is
    refused: nothing of it is merged."""
    if not path.exists():
        raise InvalidValue(f"{path} does not exist", "FILE")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder", "FILE")
    if path.resolve() == db.path.resolve():
        raise InvalidValue(f"{path} is the file being merged into", "FILE")
    station = open_db(db.settings, path)
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
        key = keys.current(station)
        with station.read():
            checked, bad = audit.verify(station)
            if bad is not None:
                raise StorageError(f"{path.name}: its audit log is broken at row {bad['id']}: "
                                   f"{bad['problem']}; nothing was merged", "FILE")
            station.use_key(key)
            problems = digests.verify_records(station, limit=3)
            if problems:
                raise StorageError(f"{path.name}: {problems[0]}; nothing was merged", "FILE")
            records = {kind.name: kind.rows(station) for kind in KINDS}
            institutions = {r[0]: r[1] for r in station.query(
                "SELECT name, kind FROM institutions")}
            for row in records["card_action"].values():
                row["institution_kind"] = institutions.get(row["institution"])
            return Station(path, found.db_id, station_of(station), audit.anchor(station),
                           records)
    finally:
        station.close()


# -- merging -------------------------------------------------------------------------------

def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


class Merger:
    """One station file merged into `db`, inside its write."""

    def __init__(self, db: Database, station: Station, prefer: str | None,
                 result: MergeResult):
        self.db, self.station, self.prefer, self.result = db, station, prefer, result
        self.key = keys.current(db)
        self.subkeys: dict[str, bytes] = {}
        self.problems: list[tuple[str, str | None, str]] = []
        self.import_id: int | None = None
        self.bases: dict[tuple[str, str], tuple[str, str]] = {
            (r[0], r[1]): (r[2], r[3]) for r in db.query(
                "SELECT kind, key, key_id, digest FROM merged_records WHERE source = ?",
                (station.database_id,))}
        self.new_bases: dict[tuple[str, str], str] = {}
        self.forgotten: list[tuple[str, str]] = []  # bases of records gone at the station

    def digest(self, content: dict[str, Any], key_id: str | None = None) -> str:
        key_id = key_id or self.key.key_id
        if key_id not in self.subkeys:
            self.subkeys[key_id] = keys.subkey(self.db, "merge", key_id)
        return hmac.new(self.subkeys[key_id], _canonical(content), hashlib.sha256
                        ).hexdigest()[:32]

    def is_base(self, kind: Kind, key: str, content: dict[str, Any]) -> bool:
        base = self.bases.get((kind.name, key))
        if base is None:
            return False
        try:
            return hmac.compare_digest(self.digest(content, base[0]), base[1])
        except keys.KeyMissing:  # a key of the county's history that is not here
            return False

    def attempt(self, kind: Kind, row: dict[str, Any], step):  # noqa: ANN001
        """`step()`, or None with the record's refusal noted."""
        try:
            return step()
        except TongweiError as exc:
            self.problems.append((f"{self.station.path.name}: "
                                  f"{kind.describe(kind.key(row))}", exc.field, exc.reason))
            return None

    def run(self) -> None:
        result = self.result
        voids: list[tuple[Kind, dict[str, Any]]] = []
        for kind in KINDS:
            theirs = self.station.records[kind.name]
            gone = self._removed_at_station(kind, theirs) if kind.removable else []
            if not theirs and not gone:
                continue
            ours = kind.rows(self.db, kind.lookups(theirs)) if theirs else {}
            new, taken = [], []
            for key, row in theirs.items():
                content = _values(row, kind.content)
                current = ours.get(key)
                settled = True
                if current is None:
                    if (kind.name, key) in self.bases:  # merged before, removed here since
                        result.unchanged += 1
                    else:
                        new.append(row)
                        result.new += 1
                elif _values(current, kind.content) == content:
                    result.unchanged += 1
                elif self.is_base(kind, key, content):
                    result.unchanged += 1  # changed here since: ours stays
                elif self.is_base(kind, key, _values(current, kind.content)):
                    taken.append((current, row))
                    result.corrected += 1
                else:
                    conflict = Conflicting(kind.describe(key),
                                           self._differ(kind, current, row), self.prefer)
                    result.conflicts.append(conflict)
                    if self.prefer == "station":
                        taken.append((current, row))
                        result.corrected += 1
                    elif self.prefer is None:
                        settled = False
                if settled:
                    self.new_bases[(kind.name, key)] = self.digest(content)
            if new or taken or gone:
                self._ensure_import()
            for current in gone:  # (first: a corrected event is its old one gone, a new one)
                self.attempt(kind, current, lambda k=kind, c=current: k.remove(self, c))
            if new:
                kind.add(self, kind.ordered(new))
                if kind.voids:
                    voids += [(kind, row) for row in new if row["voided"]]
            for current, row in taken:
                self.attempt(kind, row, lambda k=kind, c=current["_stored"], r=row:
                             k.correct(self, c, r))
                if kind.voids and row["voided"] and not current["voided"]:
                    voids.append((kind, row))
        for kind, row in voids:
            self.attempt(kind, row, lambda k=kind, r=row: self._void(k, r))
        if self.problems:
            raise MergeRefused(self.station.path.name, self.problems)

    def _removed_at_station(self, kind: Kind, theirs: dict[str, dict[str, Any]]
                            ) -> list[dict[str, Any]]:
        """The county's records of `kind` merged from this file before and removed there
        since (an event corrected or withdrawn, a follow-up removed): those the county has
        not changed since go too; one the county changed since stays. The base of each is
        forgotten."""
        keys_ = [key for (name, key) in self.bases if name == kind.name and key not in theirs]
        if not keys_:
            return []
        ours = kind.rows(self.db, kind.lookups_of(keys_))
        gone = []
        for key in keys_:
            self.forgotten.append((kind.name, key))
            current = ours.get(key)
            if current is not None and self.is_base(kind, key, _values(current, kind.content)):
                gone.append(current)
                self.result.corrected += 1
        return gone

    def _void(self, kind: Kind, row: dict[str, Any]) -> None:
        reason = row["void_reason"] or f"voided in {self.station.path.name}"
        if kind.name == "card_action":
            cards.void_action(self.db, cards._action_row(self.db, row["no"]), reason)
            return
        table, what = VOID_ENTITY[kind.name]
        current = dict(self.db.one(f"SELECT no, voided FROM {table} WHERE no = ?",
                                   (row["no"],)))
        mark_void(self.db, table, kind.name, current, reason, what=what, field_name="FILE")

    def _differ(self, kind: Kind, current: dict[str, Any], row: dict[str, Any]
                ) -> list[tuple[str, str, str]]:
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
                return str(value)

            out.append((column_of(name), shown(a), shown(b)))
        return out

    def _ensure_import(self) -> None:
        if self.import_id is None:
            st = self.station
            size = st.path.stat().st_size
            self.import_id = self.db.conn.execute(
                "INSERT INTO imports (kind, file_name, file_size, sha256, rows, imported,"
                " unchanged, updated, at, officer) VALUES ('merge', ?, ?, ?, 0, 0, 0, 0, ?, ?)",
                (st.path.name, size, st.anchor["hash"], clock.stamp(), self.db.officer)
            ).lastrowid

    def changes_bases(self) -> bool:
        return bool(self.forgotten) or any(self.bases.get(k, (None, None))[1] != d or
                   self.bases.get(k, (None, None))[0] != self.key.key_id
                   for k, d in self.new_bases.items())

    def finish(self) -> None:
        """The bookkeeping of the merge: the bases, the station file's row, the counts of
        the `imports` row and the audit row."""
        st, result = self.station, self.result
        anchor = f"{st.anchor['row']}:{st.anchor['hash']}"
        now = clock.stamp()
        self.db.conn.execute(
            "INSERT INTO merge_sources (db_id, station, file_name, merges, first_at, last_at,"
            " last_anchor, last_by) VALUES (?, ?, ?, 1, ?, ?, ?, ?)"
            " ON CONFLICT (db_id) DO UPDATE SET station = excluded.station,"
            " file_name = excluded.file_name, merges = merges + 1, last_at = excluded.last_at,"
            " last_anchor = excluded.last_anchor, last_by = excluded.last_by",
            (st.database_id, st.station, st.path.name, now, now, anchor, self.db.officer))
        self.db.conn.executemany(
            "DELETE FROM merged_records WHERE source = ? AND kind = ? AND key = ?",
            [(st.database_id, kind, key) for kind, key in self.forgotten])
        self.db.conn.executemany(
            "INSERT INTO merged_records (source, kind, key, key_id, digest)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, kind, key) DO UPDATE SET"
            " key_id = excluded.key_id, digest = excluded.digest",
            [(st.database_id, kind, key, self.key.key_id, digest)
             for (kind, key), digest in self.new_bases.items()])
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
    station = read_station(db, path, key_file)
    result = MergeResult(path.name, station.database_id, station.station,
                         f"{station.anchor['row']}:{station.anchor['hash']}", dry_run=dry_run)
    try:
        with db.write(holder=(f"合并 {path.name}", f"a merge of {path.name}")):
            merger = Merger(db, station, prefer, result)
            merger.run()
            if not (result.new or result.corrected or merger.changes_bases()):
                raise _DryRun  # nothing to write: no audit row either
            merger.finish()
            if dry_run:
                raise _DryRun
            result.written = True
    except _DryRun:
        pass
    return result
