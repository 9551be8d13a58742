"""Fraud cases (打) and what became of them: the domain functions.

Plain functions over a `Database`: they take raw values (typed or read from a
file), validate them with `validate`, write through `db.write()`, and return
plain dicts. They never print.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.core.fields import CASE, is_sealed
from tongwei_cli.core.words import WORDS
from tongwei_cli.domain.choices import Choices
from tongwei_cli.domain.records import (
    PlainText,
    Prepared,
    as_record,
    assign_numbers,
    correctable,
    corrected,
    corrections,
    iso,
    mark_void,
    raw_of,
    yuan,
)
from tongwei_cli.domain.records import given as _given
from tongwei_cli.domain.reference import refs as refs_of
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database, where

STATUSES = ("reported", "filed", "solved", "closed")
LIST_STATUSES = (*STATUSES, "void")
EVENT_KINDS = ("filed", "solved", "arrest", "prosecute", "recover", "freeze", "stop-payment",
               "close")
COUNT_KINDS = ("arrest", "prosecute")
AMOUNT_KINDS = ("recover", "freeze", "stop-payment")
ONCE_KINDS = ("filed", "solved", "close")
STAGE = {"filed": "filed", "solved": "solved", "close": "closed"}

# Taken by code, English, Chinese, an alias of data/aliases.csv, a prefix or a part
# (`domain.choices`): `case event TW… 抓获`, `case list --status 已破案`.
EVENT_CHOICES = Choices("event-kinds", {
    kind: WORDS.get(f"event.{kind}", WORDS[kind]) for kind in EVENT_KINDS}, "event")
STATUS_CHOICES = Choices("case-statuses", {status: WORDS[status] for status in LIST_STATUSES},
                         "status")


def event_kind(value: Any, field: str = "KIND") -> str:
    """An event's kind: `arrest`, `抓获`, `抓捕`…"""
    return EVENT_CHOICES(value, field)


def status_value(value: Any, field: str = "status") -> str:
    """A status to list by: `solved`, `已破案`, `破案`…, or `void` (已撤销)."""
    return STATUS_CHOICES(value, field)

# The columns of `cases` that `case add` and `case update` set (`core.fields.CASE`), each
# personal one with its ciphertext and blind index (`storage.personal`).
STORED = CASE.written()


def prepare_case(db: Database, raw: Mapping[str, Any]) -> Prepared:
    """Validate one case (the raw values of every field of `core.fields.CASE`) into a row of
    `cases`. No write."""
    tz = db.tz
    refs = refs_of(db)
    out: dict[str, Any] = {}
    warnings: list[str] = []
    out["no"] = validate.key(raw["no"], "no") if _given(raw, "no") else None
    reported = validate.date_value(raw.get("reported"), "reported", tz)
    out["reported"] = reported.isoformat()
    out["occurred"] = None
    if _given(raw, "occurred"):
        occurred = validate.date_value(raw["occurred"], "occurred", tz)
        if occurred > reported:
            raise InvalidValue(f"{occurred} is after the reported date {reported}", "occurred")
        out["occurred"] = occurred.isoformat()
    out["type"] = refs.resolve("types", raw.get("type"), "type")
    out["station"] = refs.resolve("stations", raw.get("station"), "station")
    out["loss_fen"] = validate.money_fen(raw.get("loss"), "loss")
    out["victim_name"] = validate.optional_text(raw.get("victim_name"))
    out["victim_phone"] = (validate.phone(raw["victim_phone"], "victim-phone")
                           if _given(raw, "victim_phone") else None)
    gender = (validate.gender(raw["victim_gender"], "victim-gender")
              if _given(raw, "victim_gender") else None)
    age = validate.age(raw["victim_age"], "victim-age") if _given(raw, "victim_age") else None
    out["victim_id"] = None
    if _given(raw, "victim_id"):
        rid = validate.resident_id(raw["victim_id"], "victim-id", tz)
        if rid.warning:
            warnings.append(f"--victim-id: {rid.warning}")
        if gender is not None and gender != rid.sex:
            raise InvalidValue("contradicts the sex in the ID number", "victim-gender")
        derived_age = rid.age_on(reported)
        if rid.birth > reported:
            raise InvalidValue("the birth date in the number is after the reported date",
                               "victim-id")
        if age is not None and abs(age - derived_age) > 1:
            raise InvalidValue(f"{age} contradicts the birth date in the ID number",
                               "victim-age")
        out["victim_id"] = rid.number
        gender = rid.sex
        age = derived_age if age is None else age
    out["victim_gender"] = gender
    out["victim_age"] = age
    out["victim_group"] = (refs.resolve("audiences", raw["victim_group"], "victim-group")
                           if _given(raw, "victim_group") else None)
    out["warning"] = validate.key(raw["warning"], "warning") if _given(raw, "warning") else None
    out["summary"] = validate.optional_text(raw.get("summary"))
    return Prepared(personal.seal(db, "cases", _PLAIN.fill(raw, out)), warnings)


_case_values = operator.itemgetter(*STORED)
_PLAIN = PlainText(CASE)


def insert_cases(db: Database, rows: Iterable[dict[str, Any]], import_id: int | None = None
                 ) -> None:
    """Insert prepared rows (numbers already assigned), inside `db.write()`
    (`db.insert_many`: a large batch is one statement). Imported ones take who and when
    from their `imports` row."""
    db.insert_records("cases", STORED, [_case_values(row) for row in rows], import_id)


def add_case(db: Database, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and store one case; returns the stored record and any warnings."""
    prepared = prepare_case(db, raw)
    row = prepared.row
    with db.write():
        if row["no"] is None:
            assign_numbers(db, "cases", "TW", [row], "reported")
        elif db.one("SELECT 1 FROM cases WHERE no = ?", (row["no"],)):
            raise Conflict(f"case {row['no']} already exists", "no")
        insert_cases(db, [row])
        stored = _case_row(db, row["no"])
        record = _with_status(as_record(stored))
        db.audit("add", "case", row["no"], None, _audited(record))
        links = link_by_person(db, [stored["id"]])
        if links:  # (the warning it now names)
            record = get_case(db, row["no"])
    return record, prepared.warnings + [_link_note(db, link) for link in links]


# 预警后被骗 found, not only typed: a case added (or imported) without a warning, whose
# victim's phone or ID number is that of a warning received in the 30 days up to the day it
# was reported and not yet linked to a case, is linked to it (the latest such warning).
# Thirty days: the platform warns while the contact is under way, and a victim the warning
# did not stop is defrauded within days to a few weeks; a longer window would link a case
# to an unrelated earlier warning of the same number (a phone passed on, an old contact).
LINK_WINDOW_DAYS = 30


def link_by_person(db: Database, case_ids: Iterable[int]) -> list[tuple[str, str, str, int]]:
    """Inside `db.write()`: link each of these cases that names no warning to the warning
    its victim's phone or ID number matches (`LINK_WINDOW_DAYS`), through the blind indexes;
    one audit row each says why. Returns `(case no, warning no, matched by, received at)`."""
    links = []
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        rows = db.query(
            "SELECT id, no, reported, victim_phone_bi, victim_id_bi FROM cases"
            f" WHERE id IN ({', '.join('?' * len(part))}) AND warning IS NULL AND voided = 0"
            " AND (victim_phone_bi IS NOT NULL OR victim_id_bi IS NOT NULL) ORDER BY id", part)
        for case_id, no, reported, phone_bi, id_bi in rows:
            day = date.fromisoformat(reported)
            first, end = clock.day_seconds(day - timedelta(days=LINK_WINDOW_DAYS), day, db.tz)
            for by, column, value in (("phone", "phone_bi", phone_bi),
                                      ("id", "id_no_bi", id_bi)):
                if value is None:
                    continue
                found = db.one(
                    f"SELECT no, received_at FROM warnings WHERE {column} = ? AND"
                    " received_at >= ? AND received_at < ? AND linked_on IS NULL"
                    " ORDER BY received_at DESC, no DESC LIMIT 1", (value, first, end))
                if found is None:
                    continue
                db.conn.execute("UPDATE cases SET warning = ? WHERE id = ?", (found[0], case_id))
                db.audit("link", "case", no, {"warning": None},
                         {"warning": found[0], "matched_by": by})
                links.append((no, found[0], by, found[1]))
                break
    return links


def _link_note(db: Database, link: tuple[str, str, str, int]) -> str:
    no, warning, by, received = link
    by_words = {"phone": "phone number", "id": "ID number"}[by]
    return (f"linked to warning {warning} of {clock.local_text(received, db.tz)}, which has "
            f"the victim's {by_words} (预警后被骗); undo: tongwei case update {no} --warning -")


def _audited(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("events", "totals", "id")}


# A stored case as the program reads it; who entered an imported one, and when, comes from
# its import.
CASE_SELECT = (
    f"SELECT c.id, {', '.join(f'c.{column}' for column in STORED)}, c.status, c.voided,"
    " c.void_reason, coalesce(c.created_at, i.at) AS created_at,"
    " coalesce(c.created_by, i.officer) AS created_by, c.updated_at, c.updated_by, c.import_id"
    " FROM cases c LEFT JOIN imports i ON i.id = c.import_id")


def _case_row(db: Database, no: str, field_name: str = "CASE_NO") -> dict[str, Any]:
    no = validate.text(no)
    row = db.one(f"{CASE_SELECT} WHERE c.no = ?", (no,))
    if row is None:
        raise NotFound(f"no case numbered {no!r}", field_name)
    return dict(row)


def get_case(db: Database, no: str, field_name: str = "CASE_NO") -> dict[str, Any]:
    """The stored case as a plain record (no internal id), `voided` as a bool."""
    return _with_status(as_record(_case_row(db, no, field_name)))


def _with_status(record: dict[str, Any]) -> dict[str, Any]:
    """A withdrawn case says so: its status is `void` (已撤销), whatever its events reached."""
    if record["voided"]:
        record["status"] = "void"
    return record


def show_case(db: Database, no: str, *, reveal: bool = False) -> dict[str, Any]:
    """The case with its timeline of events and the sums of its money events; `reveal`:
    the events' notes as typed (opened from their ciphertext; `--reveal`, whose caller
    opens the case's own fields and writes the audit row)."""
    row = _case_row(db, no)
    events = [{k: v for k, v in (personal.opened(db, "case_events", e) if reveal else e
                                  ).items() if k != "id" and not is_sealed(k)}
              for e in _events(db, row["id"])]
    record = get_case(db, no)
    record["events"] = events
    record["totals"] = _totals(events)
    return record


def _events(db: Database, case_id: int) -> list[dict[str, Any]]:
    """A case's events in timeline order, each with its number `n` in that order (the `#`
    of `case show`, by which `update-event` and `remove-event` name it)."""
    return [{"n": n, **dict(e)} for n, e in enumerate(db.query(
        "SELECT e.id, e.kind, e.date, e.count, e.amount_fen, e.note, e.note_enc,"
        " coalesce(e.created_at, i.at) AS created_at,"
        " coalesce(e.created_by, i.officer) AS created_by"
        " FROM case_events e LEFT JOIN imports i ON i.id = e.import_id"
        " WHERE e.case_id = ? ORDER BY e.date, e.id", (case_id,)), 1)]


def _totals(events: list[dict[str, Any]]) -> dict[str, int]:
    totals = {"arrested": 0, "prosecuted": 0, "recovered_fen": 0, "frozen_fen": 0,
              "stopped_fen": 0}
    keys = {"arrest": "arrested", "prosecute": "prosecuted", "recover": "recovered_fen",
            "freeze": "frozen_fen", "stop-payment": "stopped_fen"}
    for event in events:
        key = keys.get(event["kind"])
        if key:
            totals[key] += event["amount_fen"] if key.endswith("_fen") else event["count"]
    return totals


# -- events -----------------------------------------------------------------------

def prepare_event(db: Database, raw: Mapping[str, Any], case: Mapping[str, Any] | None = None,
                  *, case_field: str = "CASE_NO", kind_field: str = "KIND") -> dict[str, Any]:
    """Validate one event (`case`, `kind`, `date`, `count`, `amount`, `note`) against its case
    as stored. Checks that depend on other events (once-only kinds, recoveries within the
    loss) are in `check_event_sequence`."""
    if case is None:  # by its number: only what the checks below read
        clean = validate.text(raw.get("case"))
        case = db.one("SELECT id, no, reported, voided FROM cases WHERE no = ?", (clean,))
        if case is None:
            raise NotFound(f"no case numbered {clean!r}", case_field)
    if case["voided"]:
        raise Conflict(f"case {case['no']} is void; events cannot be added", case_field)
    kind = EVENT_CHOICES(raw.get("kind"), kind_field)
    when = (validate.date_value(raw["date"], "date", db.tz) if _given(raw, "date")
            else clock.today(db.tz))
    if when.isoformat() < case["reported"]:
        raise InvalidValue(f"{when} is before the case was reported ({case['reported']})",
                           "date")
    number = None
    if kind in COUNT_KINDS:
        number = validate.count(raw["count"], "count") if _given(raw, "count") else 1
        if number == 0:
            raise InvalidValue(f"a {kind} event needs a count of at least 1", "count")
    elif _given(raw, "count"):
        raise InvalidValue(f"only arrest and prosecute events take a count, not {kind}",
                           "count")
    amount = None
    if kind in AMOUNT_KINDS:
        if not _given(raw, "amount"):
            raise InvalidValue(f"a {kind} event needs an amount in yuan", "amount")
        amount = validate.money_fen(raw["amount"], "amount")
        if amount == 0:
            raise InvalidValue("must be more than zero", "amount")
    elif _given(raw, "amount"):
        raise InvalidValue(f"only recover, freeze and stop-payment events take an amount, "
                           f"not {kind}", "amount")
    return personal.seal(db, "case_events", {
        "case_id": case["id"], "case_no": case["no"], "kind": kind, "date": when.isoformat(),
        "count": number, "amount_fen": amount, "note": validate.optional_text(raw.get("note"))})


class EventLedger:
    """What is already true of each case's events, to check a batch of new ones in order."""

    def __init__(self, db: Database, *, leaving_out: int | None = None):
        self.db = db
        self.leaving_out = leaving_out  # the id of an event being corrected
        self.kinds: dict[int, set[str]] = {}
        self.recovered: dict[int, int] = {}
        self.loss: dict[int, int] = {}

    def _load(self, case_id: int) -> None:
        if case_id in self.kinds:
            return
        rows = self.db.query("SELECT kind, amount_fen FROM case_events WHERE case_id = ?"
                             " AND id IS NOT ?", (case_id, self.leaving_out))
        self.kinds[case_id] = {r["kind"] for r in rows}
        self.recovered[case_id] = sum(r["amount_fen"] or 0 for r in rows
                                      if r["kind"] == "recover")
        self.loss[case_id] = self.db.scalar("SELECT loss_fen FROM cases WHERE id = ?",
                                            (case_id,))

    def forget(self) -> None:
        """Drop what is remembered (the events checked so far are written: the database
        says it now)."""
        self.kinds.clear()
        self.recovered.clear()
        self.loss.clear()

    def check(self, event: Mapping[str, Any], kind_field: str = "KIND") -> None:
        """Refuse an event its case's history does not allow; then count it in."""
        case_id = event["case_id"]
        self._load(case_id)
        kind = event["kind"]
        if kind in ONCE_KINDS and kind in self.kinds[case_id]:
            word = {"filed": "filed", "solved": "solved", "close": "closed"}[kind]
            raise Conflict(f"case {event['case_no']} is already {word}", kind_field)
        if kind == "recover":
            total = self.recovered[case_id] + event["amount_fen"]
            if total > self.loss[case_id]:
                raise InvalidValue(
                    f"recoveries would total {yuan(total)} yuan, above the loss of "
                    f"{yuan(self.loss[case_id])} yuan", "amount")
            self.recovered[case_id] = total
        self.kinds[case_id].add(kind)


INSERT_EVENT = (
    "INSERT INTO case_events (case_id, kind, date, count, amount_fen, note, note_enc,"
    " created_at, created_by, import_id) VALUES (:case_id, :kind, :date, :count,"
    " :amount_fen, :note, :note_enc, :created_at, :created_by, :import_id)")


def insert_events(db: Database, events: list[dict[str, Any]], import_id: int | None = None
                  ) -> None:
    """Insert checked events and move their cases' status along, inside `db.write()`.
    Imported ones take who and when from their `imports` row."""
    now, who = db.origin(import_id)
    db.conn.executemany(INSERT_EVENT, ({**e, "created_at": now, "created_by": who,
                                        "import_id": import_id} for e in events))
    touched = {e["case_id"] for e in events if e["kind"] in STAGE}
    for case_id in touched:
        refresh_status(db, case_id)


def refresh_status(db: Database, case_id: int) -> None:
    """A case's status is the furthest stage its events reached."""
    kinds = {r[0] for r in db.query(
        "SELECT DISTINCT kind FROM case_events WHERE case_id = ?", (case_id,))}
    status = "reported"
    for kind in ONCE_KINDS:  # in order: filed, solved, close
        if kind in kinds:
            status = STAGE[kind]
    db.conn.execute("UPDATE cases SET status = ? WHERE id = ?", (status, case_id))


def add_event(db: Database, case_no: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Record one event of a case; returns the event as stored."""
    with db.write():
        event = prepare_event(db, {**raw, "case": case_no})
        EventLedger(db).check(event)
        insert_events(db, [event])
        stored = {k: v for k, v in event.items() if k != "case_id" and not is_sealed(k)}
        db.audit("event", "case", event["case_no"], None, stored)
    return stored


def _event(db: Database, case: Mapping[str, Any], number: Any) -> dict[str, Any]:
    """Event `number` (its `#` in `case show`) of the stored case."""
    n = validate.count(number, "N")
    for event in _events(db, case["id"]):
        if event["n"] == n:
            return event
    raise NotFound(f"case {case['no']} has no event {n} (see `tongwei case show {case['no']}`)",
                   "N")


_EVENT_SHOWN = ("kind", "date", "count", "amount_fen", "note")


def update_event(db: Database, case_no: str, number: Any, changes: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """Correct the date, count, amount or note of a case's event (by its `#`), checked again
    as `case event` checks it, the case's status and every figure following; the old and
    new values go to the audit log. Its kind cannot change: remove it and add another."""
    changes = corrections(changes, "case update-event", "N")
    with db.write():
        case = _case_row(db, case_no)
        if case["voided"]:
            raise Conflict(f"case {case['no']} is void and cannot be corrected", "CASE_NO")
        event = _event(db, case, number)
        raw = {"kind": event["kind"], "date": event["date"], "count": event["count"],
               "amount": None if event["amount_fen"] is None else yuan(event["amount_fen"]),
               "note": personal.opened(db, "case_events", event)["note"]}
        corrected(raw, changes, ("note",) + (("count",) if event["kind"] in COUNT_KINDS
                                             else ()))
        new = prepare_event(db, raw, case)
        EventLedger(db, leaving_out=event["id"]).check(new)
        before = {k: event[k] for k in (*_EVENT_SHOWN, "note_enc") if event[k] != new[k]}
        if before:
            if "note_enc" in before:  # (the masked note may read the same)
                before["note"] = event["note"]
            after = {k: new[k] for k in before}
            db.conn.execute("UPDATE case_events SET date = :date, count = :count,"
                            " amount_fen = :amount_fen, note = :note, note_enc = :note_enc"
                            " WHERE id = :id", {**new, "id": event["id"]})
            refresh_status(db, case["id"])
            db.audit("update-event", "case", case["no"],
                     {"event": event["kind"], **before}, {"event": event["kind"], **after})
        return {"case_no": case["no"], "n": event["n"],
                **{k: new[k] for k in _EVENT_SHOWN}}


def remove_event(db: Database, case_no: str, number: Any, reason: Any) -> dict[str, Any]:
    """Remove an event entered in error (typed twice, on the wrong case), by its `#` in
    `case show`: the case's status and every figure follow; the audit log keeps what it
    said, who removed it and why."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        case = _case_row(db, case_no)
        if case["voided"]:
            raise Conflict(f"case {case['no']} is void and cannot be corrected", "CASE_NO")
        event = _event(db, case, number)
        removed = drop_event(db, case["id"], case["no"], event, reason)
    return {"case_no": case["no"], "n": event["n"], **removed}


def drop_event(db: Database, case_id: int, case_no: str, event: Mapping[str, Any],
               reason: str) -> dict[str, Any]:
    """Inside `db.write()`: remove a stored event (a row with its `id`), the case's status
    following, the audit log keeping what it said and why. Returns what it said."""
    db.conn.execute("DELETE FROM case_events WHERE id = ?", (event["id"],))
    refresh_status(db, case_id)
    removed = {k: event[k] for k in _EVENT_SHOWN}
    db.audit("remove-event", "case", case_no, removed, {"reason": reason})
    return removed


# -- corrections and voiding --------------------------------------------------------

def update_case(db: Database, no: str, changes: Mapping[str, Any]
                ) -> tuple[dict[str, Any], list[str]]:
    """Correct fields of a case; the old and new values go to the audit log."""
    changes = corrections(changes, "case add", "CASE_NO")
    with db.write():
        current = _case_row(db, no)
        correctable(current, "case", "CASE_NO")
        corrected(raw := raw_of(CASE, personal.opened(db, "cases", current)), changes,
                  CASE.clearable())
        if "victim_id" in changes and "victim_age" not in changes:
            raw["victim_age"] = None  # derive the age again from the new number
        if "victim_id" in changes and "victim_gender" not in changes:
            raw["victim_gender"] = None
        prepared = prepare_case(db, raw)
        new = prepared.row
        correct_case(db, current, new)
        return get_case(db, new["no"]), prepared.warnings


def correct_case(db: Database, current: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Apply a validated row (`prepare_case`) to the stored case `current` (a row with its
    `id`), inside `db.write()`: the checks that depend on its events, the UPDATE, and an
    audit row with the old and new values. `case update` and `import cases --update`."""
    correctable(current, "case", "no")
    if new["no"] != current["no"] and db.one("SELECT 1 FROM cases WHERE no = ?",
                                             (new["no"],)):
        raise Conflict(f"case {new['no']} already exists", "no")
    recovered = db.scalar("SELECT coalesce(sum(amount_fen), 0) FROM case_events"
                          " WHERE case_id = ? AND kind = 'recover'", (current["id"],))
    if new["loss_fen"] < recovered:
        raise InvalidValue(f"{yuan(new['loss_fen'])} yuan is less than the "
                           f"{yuan(recovered)} yuan already recovered", "loss")
    first_event = db.scalar("SELECT min(date) FROM case_events WHERE case_id = ?",
                            (current["id"],))
    if first_event and new["reported"] > first_event:
        raise InvalidValue(f"{new['reported']} is after the case's first event "
                           f"({first_event})", "reported")
    before, after = personal.changes("cases", current, new, STORED)
    if not before:
        return
    sets = ", ".join(f"{k} = :{k}" for k in after)
    db.conn.execute(f"UPDATE cases SET {sets}, updated_at = :at, updated_by = :by"
                    " WHERE id = :id", {**after, "at": clock.stamp(), "by": db.officer,
                                        "id": current["id"]})
    db.audit("update", "case", new["no"], before, after)


def void_case(db: Database, no: str, reason: str) -> dict[str, Any]:
    """Withdraw a case: kept, shown as void, left out of every figure."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        current = _case_row(db, no)
        mark_void(db, "cases", "case", current, reason, what="case", field_name="CASE_NO")
    return get_case(db, current["no"])


# -- lists ------------------------------------------------------------------------

def list_cases(db: Database, *, first: date | None = None, last: date | None = None,
               type_: str | None = None, station: str | None = None,
               status: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Cases reported in `[first, last]`, newest first, with their money totals."""
    clause, params = where(
        ("c.reported >= ?", iso(first)), ("c.reported <= ?", iso(last)), ("c.type = ?", type_),
        ("c.station = ?", station), ("c.voided = ?", 1 if status == "void" else 0),
        ("c.status = ?", status if status != "void" else None))
    # The cases first (newest first, cut to --limit), then the money of their events: a
    # short list reads only the cases it shows.
    params.append(limit or -1)
    sql = (
        "WITH picked AS (SELECT c.id, c.no, c.reported, c.occurred, c.type, c.station,"
        " c.loss_fen, c.status, c.voided, c.victim_name, c.victim_phone, c.warning"
        f" FROM cases c WHERE {clause}"
        " ORDER BY c.reported DESC, c.no DESC LIMIT ?)"
        " SELECT c.no, c.reported, c.occurred, c.type, c.station, c.loss_fen, c.status,"
        " c.voided, c.victim_name, c.victim_phone, c.warning,"
        " coalesce(sum(CASE WHEN e.kind = 'arrest' THEN e.count END), 0) AS arrested,"
        " coalesce(sum(CASE WHEN e.kind = 'recover' THEN e.amount_fen END), 0) AS recovered_fen,"
        " coalesce(sum(CASE WHEN e.kind = 'freeze' THEN e.amount_fen END), 0) AS frozen_fen,"
        " coalesce(sum(CASE WHEN e.kind = 'stop-payment' THEN e.amount_fen END), 0)"
        " AS stopped_fen"
        " FROM picked c LEFT JOIN case_events e ON e.case_id = c.id"
        " GROUP BY c.id ORDER BY c.reported DESC, c.no DESC")
    return [_with_status(as_record(r)) for r in db.query(sql, params)]
