"""Early warnings (预警) and their follow-ups (劝阻, 反馈): the domain functions.

Plain functions over a `Database`, like `cases`: `prepare_*` validates raw values (typed
or read from a file) into a row without writing; `insert_*` writes prepared rows inside
`db.write()`; `add_*` = prepare + write + audit. `tongwei import` calls the same
`prepare_*` and `insert_*`.

A warning's deadline is its received time plus its level's feedback hours *at receipt*
(`tongwei ref set-deadline` changes the hours for warnings received afterwards). Its
feedback is its earliest follow-up whose outcome is not `in-progress`; later follow-ups
(a return visit) are kept and do not move it. As of a moment T a warning is `closed` once
fed back, else `overdue` past its deadline, else `open`.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.core.fields import WARNING, is_sealed
from tongwei_cli.core.words import WORDS
from tongwei_cli.domain.choices import Choices
from tongwei_cli.domain.records import (
    PlainText,
    Prepared,
    as_record,
    corrected,
    corrections,
    raw_of,
)
from tongwei_cli.domain.records import filled as _filled
from tongwei_cli.domain.records import given as _given
from tongwei_cli.domain.reference import refs as refs_of
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database
from tongwei_cli.storage.totals import SAID, Counts, add_counts, count_days, refresh_warnings

STATUSES = ("open", "overdue", "closed")
KINDS = ("money", "contact")
METHODS = ("phone", "visit", "sms", "other")
OUTCOMES = ("dissuaded", "defrauded", "not-fraud", "unreachable", "in-progress")

# Columns of `warnings` that `warning add` sets (`core.fields.WARNING`), in option order.
STORED = WARNING.written()  # personal columns with their ciphertext and blind index


# Taken by code, English, Chinese, an alias of data/aliases.csv (what the platform's exports
# and officers write: 资金, 上门, 联系不上…), a prefix or a part (`domain.choices`).
STATUS_CHOICES = Choices("warning-statuses", {
    "open": WORDS["open"], "overdue": WORDS["overdue"], "closed": WORDS["fed-back"]}, "status")
KIND_CHOICES = Choices("warning-kinds", {kind: WORDS[kind] for kind in KINDS}, "warning kind")
METHOD_CHOICES = Choices("followup-methods", {method: WORDS[method] for method in METHODS},
                         "follow-up method")
OUTCOME_CHOICES = Choices("followup-outcomes", {outcome: WORDS[outcome] for outcome in OUTCOMES},
                          "outcome")


def status_value(value: Any, field: str = "status") -> str:
    """A status to list by: `overdue`, `已超期`, `超期`…"""
    return STATUS_CHOICES(value, field)


def kind_value(value: Any, field: str = "kind") -> str:
    return KIND_CHOICES(value, field)


def method_value(value: Any, field: str = "method") -> str:
    return METHOD_CHOICES(value, field)


def outcome_value(value: Any, field: str = "outcome") -> str:
    return OUTCOME_CHOICES(value, field)


# The moments of a warning and of a follow-up, stored as whole UTC seconds (migration 005)
# and shown, exported and logged as `YYYY-MM-DDTHH:MM:SSZ` text (`clock.texts`).
MOMENTS = ("received_at", "deadline_at", "feedback_at", "visited_at", "defrauded_at", "at")


# -- warnings -----------------------------------------------------------------------

def prepare_warning(db: Database, raw: Mapping[str, Any]) -> Prepared:
    """Validate one warning (the raw values of `core.fields.WARNING`) into a row of
    `warnings`. No write.

    An import calls this for every row, so it is written for speed: one dict built at the
    end, `raw` read once per field; the checks and their order are those of the fields."""
    tz = db.tz
    refs = refs_of(db)
    notes: list[str] = []
    no = validate.key(raw.get("no"), "no")
    received_at = validate.moment(raw.get("received"), "received", tz)
    level = refs.resolve("levels", raw.get("level"), "level")
    hours = refs.deadline_hours[level]
    deadline_at = received_at + hours * 3600
    station = refs.resolve("stations", raw.get("station"), "station")
    phone = validate.phone(raw.get("phone"), "phone")
    # (An empty cell is "" or None: tested first, as most optional cells are empty.)
    kind = raw.get("kind")
    kind = kind_value(kind, "kind") if kind != "" and _filled(kind) else None
    name = validate.optional_text(raw.get("name"))
    id_no = raw.get("id")
    if id_no != "" and _filled(id_no):
        rid = validate.resident_id(id_no, "id", tz)
        if rid.birth > datetime.fromtimestamp(received_at, tz).date():
            raise InvalidValue("the birth date in the number is after the warning", "id")
        if rid.warning:
            notes.append(f"--id: {rid.warning}")
        id_no = rid.number
    else:
        id_no = None
    fraud_type = raw.get("type")
    fraud_type = (refs.resolve("types", fraud_type, "type")
                  if fraud_type != "" and _filled(fraud_type) else None)
    return Prepared(personal.seal(db, "warnings", _PLAIN.fill(raw, {
        "no": no, "received_at": received_at, "level": level, "deadline_hours": hours,
        "deadline_at": deadline_at, "station": station, "phone": phone, "kind": kind,
        "name": name, "id_no": id_no, "type": fraud_type,
        "source": validate.optional_text(raw.get("source")),
        "note": validate.optional_text(raw.get("note"))})), notes)


_PLAIN = PlainText(WARNING)


_WARNING_INSERTED = (*STORED, "deadline_hours", "deadline_at")
_warning_values = operator.itemgetter(*_WARNING_INSERTED)
# What a warning's follow-ups say of it (`totals.SAID`). A merge brings a new warning in
# with what its follow-ups said in the station's file, and its follow-ups after it
# (`insert_followups(…, refresh=…)` then leaves it, and `totals.recount_said` checks it
# against them).
# A prepared warning with what its follow-ups say as `insert_warnings(…, said=True)` writes
# it (a merge makes these tuples where it checks the warnings, in its forked children).
said_values = operator.itemgetter(*_WARNING_INSERTED, *SAID)
# What the per-day totals count of such a warning (`storage.totals.day_counts`).
counted_values = operator.itemgetter("received_at", "deadline_at", "station", "level", *SAID)


def insert_warnings(db: Database, rows: Iterable[Any], import_id: int | None = None,
                    *, link: bool = True, said: bool = False, packed: bool = False,
                    counts: Counts | None = None) -> None:
    """Insert prepared warnings, inside `db.write()` (`db.insert_many`: a large batch is one
    statement). Imported ones take who and when from their `imports` row. `link=False`:
    the caller knows no case names a warning not yet stored (`link_cases`). `said`: the
    rows carry what their follow-ups say (`SAID`: a merge), counted in the per-day totals
    as they are stored; `packed`: they are `said_values` of the prepared rows already;
    `counts`: what they add to the per-day totals, worked out already (`day_counts`)."""
    rows = list(rows)
    before = db.scalar("SELECT coalesce(max(id), 0) FROM warnings")
    if said:
        db.insert_records("warnings", (*_WARNING_INSERTED, *SAID),
                          rows if packed else [said_values(row) for row in rows], import_id)
    else:
        db.insert_records("warnings", _WARNING_INSERTED,
                          [_warning_values(row) for row in rows], import_id)
    if counts is None:
        count_days(db, before)
    else:
        add_counts(db, counts)
    if link:
        link_cases(db, [row[0] for row in rows] if packed else [row["no"] for row in rows])


def link_cases(db: Database, numbers: list[str]) -> None:
    """Mark warnings just stored that a case entered earlier already names (预警后被骗):
    `linked_on`, the day the first such case was reported. Later changes to cases keep it
    by themselves (the triggers of 005_compact_times.sql)."""
    for start in range(0, len(numbers), 500):
        part = numbers[start:start + 500]
        found = db.query(
            "SELECT warning, min(reported) FROM cases INDEXED BY cases_warning_link"
            f" WHERE warning IN ({', '.join('?' * len(part))}) AND voided = 0"
            " GROUP BY warning", part)
        if found:
            db.conn.executemany("UPDATE warnings SET linked_on = ? WHERE no = ?",
                                [(first, no) for no, first in found])


def add_warning(db: Database, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and store one warning; returns the stored record and any notes to show."""
    prepared = prepare_warning(db, raw)
    row = prepared.row
    with db.write():
        if db.one("SELECT 1 FROM warnings WHERE no = ?", (row["no"],)):
            raise Conflict(f"warning {row['no']} already exists", "no")
        insert_warnings(db, [row])
        record = get_warning(db, row["no"])
        db.audit("add", "warning", row["no"], None, record)
    return record, prepared.warnings


# A stored warning as the program reads it: moments in seconds; who entered it and when from
# its import for an imported one. `outcome`, `outcome_at` and `linked_on` serve the reports
# only and are not part of the record.
WARNING_SELECT = (
    f"SELECT w.id, {', '.join(f'w.{column}' for column in STORED)}, w.deadline_hours,"
    " w.deadline_at, w.feedback_at, w.visited_at, w.defrauded_at,"
    " coalesce(w.created_at, i.at) AS created_at,"
    " coalesce(w.created_by, i.officer) AS created_by, w.updated_at, w.updated_by, w.import_id"
    " FROM warnings w LEFT JOIN imports i ON i.id = w.import_id")


def _numbered(db: Database, select: str, no: Any, field: str) -> sqlite3.Row:
    """The warning numbered `no`, as `select` (over `warnings w`) reads it."""
    clean = validate.text(no)
    if not clean:
        raise InvalidValue("is required", field)
    row = db.one(f"{select} WHERE w.no = ?", (clean,))
    if row is None:
        raise no_warning(clean, field)
    return row


def no_warning(no: str, field: str) -> NotFound:
    """The error of a warning number that names no warning."""
    return NotFound(f"no warning numbered {no!r}", field)


def _warning_row(db: Database, no: Any, field: str = "W_NO") -> dict[str, Any]:
    return dict(_numbered(db, WARNING_SELECT, no, field))


def _warning_key(db: Database, no: Any, field: str) -> sqlite3.Row:
    """What a follow-up is checked against (its warning's id, number and received time):
    one probe of the number's index, asked for every row of a follow-ups import."""
    return _numbered(db, "SELECT w.id, w.no, w.received_at FROM warnings w", no, field)


def get_warning(db: Database, no: str, field: str = "W_NO") -> dict[str, Any]:
    """The stored warning as a plain record (no internal id; moments as text)."""
    return clock.texts(as_record(_warning_row(db, no, field)), MOMENTS)


def status_at(record: Mapping[str, Any], moment: int) -> str:
    """`closed`, `overdue` or `open` as of `moment` (UTC seconds; the record's moments
    in seconds too)."""
    if record["feedback_at"] is not None and record["feedback_at"] <= moment:
        return "closed"
    return "overdue" if record["deadline_at"] < moment else "open"


def show_warning(db: Database, no: str, as_of: datetime | None = None, *,
                 reveal: bool = False) -> dict[str, Any]:
    """The warning with every follow-up in order, its status, and whether it was fed back
    on time; `cases` are the cases linked to it (预警后被骗). `reveal`: the follow-ups'
    notes as typed (opened from their ciphertext; `--reveal`, whose caller opens the
    warning's own fields and writes the audit row)."""
    record = _warning_row(db, no)
    moment = clock.seconds(as_of)
    followups = [clock.texts({k: v for k, v in (
        personal.opened(db, "followups", dict(r)) if reveal else dict(r)).items()
        if not is_sealed(k)}, MOMENTS) for r in db.query(
        "SELECT f.at, f.method, f.outcome, c.no AS case_no, f.note, f.note_enc,"
        " coalesce(f.created_at, i.at) AS created_at,"
        " coalesce(f.created_by, i.officer) AS created_by"
        " FROM followups f LEFT JOIN cases c ON c.id = f.case_id"
        " LEFT JOIN imports i ON i.id = f.import_id"
        " WHERE f.warning_id = ? ORDER BY f.at, f.id", (record["id"],))]
    linked = [r[0] for r in db.query(
        "SELECT no FROM cases WHERE warning = ? AND voided = 0"
        " UNION SELECT c.no FROM followups f JOIN cases c ON c.id = f.case_id"
        " WHERE f.warning_id = ? ORDER BY 1", (record["no"], record.pop("id")))]
    record["status"] = status_at(record, moment)
    record["on_time"] = (None if record["feedback_at"] is None
                         else record["feedback_at"] <= record["deadline_at"])
    record["overdue_minutes"] = _overdue_minutes(record, moment)
    feedback = next((f for f in followups if f["outcome"] != "in-progress"), None)
    record["feedback_outcome"] = feedback["outcome"] if feedback else None
    fed = [f for f in followups if f["outcome"] != "in-progress"]
    record["latest_outcome"] = fed[-1]["outcome"] if fed else None
    record["defrauded"] = record["defrauded_at"] is not None or bool(linked)
    record["cases"] = linked
    record["followups"] = followups
    return clock.texts(record, MOMENTS)


def _overdue_minutes(record: Mapping[str, Any], moment: int) -> int | None:
    """How long past its deadline a warning without feedback is at `moment`."""
    if status_at(record, moment) != "overdue":
        return None
    return (moment - record["deadline_at"]) // 60


def list_warnings(db: Database, *, status: str | None = None, level: str | None = None,
                  station: str | None = None, first_stamp: int | None = None,
                  end_stamp: int | None = None, as_of: datetime | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Warnings received in `[first_stamp, end_stamp)` (UTC seconds) and by `as_of` (default
    now), with their status as of then. Open and overdue ones come by deadline (the most
    overdue first); otherwise newest first. (`warning_columns`, a record a row, the
    moments as text.)"""
    keys, columns = warning_columns(
        db, status=status, level=level, station=station, first_stamp=first_stamp,
        end_stamp=end_stamp, as_of=as_of, limit=limit)
    values = [clock.texts_of(column) if key in MOMENTS else column
              for key, column in zip(keys, columns, strict=True)]
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


def warning_columns(db: Database, *, status: str | None = None, level: str | None = None,
                    station: str | None = None, first_stamp: int | None = None,
                    end_stamp: int | None = None, as_of: datetime | None = None,
                    limit: int | None = None, followups: bool = True
                    ) -> tuple[list[str], list[Sequence[Any]]]:
    """`list_warnings` a column at a time: the keys, and the values under each, the
    moments (`MOMENTS`) as stored -- whole UTC seconds, or None -- for the writer to show
    as it shows them (a list of thousands: no record a row). `followups=False`: without
    the count of each one's follow-ups (a table does not show it: a look-up a warning in
    the follow-ups' index, a sixth of the query on the national file's dispatch list)."""
    moment = clock.seconds(as_of)
    where = ["w.received_at <= :moment"]
    params: dict[str, Any] = {"moment": moment}
    if first_stamp is not None:
        where.append("w.received_at >= :first")
        params["first"] = first_stamp
    if end_stamp is not None:
        where.append("w.received_at < :end")
        params["end"] = end_stamp
    if level:
        where.append("w.level = :level")
        params["level"] = level
    if station:
        where.append("w.station = :station")
        params["station"] = station
    # The status as of the moment (`status_at`), how late (`_overdue_minutes`) and the
    # feedback and visit not yet made then (NULL) come from SQLite with the rows: no
    # Python work a row.
    closed = "w.feedback_at <= :moment"
    # (`{open}`: of a warning never fed back, only its follow-ups in progress -- all it has
    # -- from their own small index: 016_dispatch_index.sql)
    columns = ("w.no, w.received_at, w.level, w.station, w.kind, w.type, w.name, w.phone,"
               f" w.deadline_at, CASE WHEN {closed} THEN w.feedback_at END AS feedback_at,"
               " CASE WHEN w.visited_at <= :moment THEN w.visited_at END AS visited_at,"
               + (" (SELECT count(*) FROM followups f {open} f.warning_id = w.id"
                  "  AND f.at <= :moment) AS followups," if followups else "")
               + f" CASE WHEN {closed} THEN 'closed' WHEN w.deadline_at < :moment"
               "  THEN 'overdue' ELSE 'open' END AS status,"
               f" CASE WHEN {closed} OR w.deadline_at >= :moment THEN NULL"
               "  ELSE (:moment - w.deadline_at) / 60 END AS overdue_minutes")
    in_progress = "INDEXED BY followups_in_progress WHERE f.outcome = 'in-progress' AND"
    common = " AND ".join(where)
    if status in ("open", "overdue"):
        # Without feedback by the moment (overdue ones included, as on the dispatch list):
        # those never fed back, from the partial index of open warnings, which holds every
        # column shown (016: not a page of the table read), and those fed back only after
        # the moment -- not a walk through every warning ever received.
        if status == "overdue":
            common += " AND w.deadline_at < :moment"
        sql = (f"SELECT {columns.format(open=in_progress)} FROM warnings w"
               f" INDEXED BY warnings_open WHERE w.feedback_at IS NULL AND {common}"
               f" UNION ALL SELECT {columns.format(open='WHERE')} FROM warnings w"
               f" INDEXED BY warnings_feedback WHERE w.feedback_at > :moment AND {common}")
        # By deadline: the whole list is sorted here, not by SQLite's sorter, which copies
        # every row it sorts (a third of the query for the national file's 3,000 overdue
        # warnings); a --limit is SQLite's to apply, after its own sort.
        if limit:
            sql += " ORDER BY deadline_at, no"
    else:
        if status == "closed":
            common += " AND w.feedback_at IS NOT NULL AND w.feedback_at <= :moment"
        # Newest first, by the received-time index (which holds feedback_at too): a --limit
        # then reads only what it shows.
        sql = (f"SELECT {columns.format(open='WHERE')} FROM warnings w INDEXED BY"
               f" warnings_received WHERE {common} ORDER BY w.received_at DESC, w.no DESC")
    if limit:
        sql += " LIMIT :limit"
        params["limit"] = limit
    cursor = db.conn.cursor()
    cursor.row_factory = None  # (plain tuples: the columns are taken apart below)
    cursor.execute(sql, params)
    keys = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if status in ("open", "overdue") and not limit:  # (deadline and number: never NULL)
        rows.sort(key=operator.itemgetter(keys.index("deadline_at"), keys.index("no")))
    return keys, list(zip(*rows, strict=True)) or [() for _ in keys]


# -- follow-ups ---------------------------------------------------------------------

def prepare_followup(db: Database, raw: Mapping[str, Any], warning: Mapping[str, Any] | None
                     = None, *, warning_field: str = "W_NO",
                     cases: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Validate one follow-up (the raw values of `core.fields.FOLLOWUP`) against its warning
    as stored. `cases`: the cases a batch of follow-ups names, looked up by the caller
    (number -> id, no, voided; a number not in it names no case)."""
    if warning is None:
        warning = _warning_key(db, raw.get("warning"), warning_field)
    at_stamp = validate.moment(raw.get("at"), "at", db.tz)
    if at_stamp < warning["received_at"]:
        raise InvalidValue(
            f"{clock.local_text(at_stamp, db.tz)} is before the warning was received "
            f"({clock.local_text(warning['received_at'], db.tz)})", "at")
    method = method_value(raw.get("method"), "method")
    outcome = outcome_value(raw.get("outcome"), "outcome")
    case_id = case_no = None
    if _given(raw, "case"):
        case_no = validate.text(raw["case"])
        case = (db.one("SELECT id, no, voided FROM cases WHERE no = ?", (case_no,))
                if cases is None else cases.get(case_no))
        if case is None:
            raise NotFound(f"no case numbered {case_no!r}", "case")
        if case["voided"]:
            raise Conflict(f"case {case_no} is void", "case")
        case_id = case["id"]
    return personal.seal(db, "followups", {
        "warning_id": warning["id"], "warning_no": warning["no"], "at": at_stamp,
        "method": method, "outcome": outcome, "case_id": case_id, "case_no": case_no,
        "note": validate.optional_text(raw.get("note"))})


_FOLLOWUP_INSERTED = ("warning_id", "at", "method", "outcome", "case_id", "note",
                      "note_enc")
# A checked follow-up as `insert_followups` writes it (its warning's id first).
followup_values = operator.itemgetter(*_FOLLOWUP_INSERTED)


def insert_followups(db: Database, followups: list[Any],
                     import_id: int | None = None, *,
                     refresh: Iterable[int] | None = None, packed: bool = False) -> None:
    """Insert checked follow-ups and refresh their warnings' feedback, visit and defrauded
    times (and latest outcome), inside `db.write()`. The only writer of those columns.
    Imported ones take who and when from their `imports` row. `refresh`: the warnings to
    refresh, when not all of theirs (a merge: not those stored with what their follow-ups
    say, `insert_warnings(…, said=True)`). `packed`: the follow-ups are `followup_values`
    of the checked ones already."""
    db.insert_records("followups", _FOLLOWUP_INSERTED,
                      followups if packed else [followup_values(f) for f in followups],
                      import_id)
    if refresh is None:
        refresh = {f[0] for f in followups} if packed else {f["warning_id"] for f in followups}
    refresh_warnings(db, refresh)


FOLLOWUP_STORED = (
    "SELECT f.id, f.warning_id, f.at, f.method, f.outcome, f.case_id, c.no AS case_no, f.note,"
    " f.note_enc FROM followups f LEFT JOIN cases c ON c.id = f.case_id")


def stored_followup(db: Database, followup: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stored follow-up of the same warning at the same moment by the same method."""
    row = db.one(f"{FOLLOWUP_STORED} WHERE f.warning_id = ? AND f.at = ? AND f.method = ?",
                 (followup["warning_id"], followup["at"], followup["method"]))
    return None if row is None else dict(row)


def add_followup(db: Database, warning_no: str, raw: Mapping[str, Any], *,
                 update: bool = False) -> dict[str, Any]:
    """Record one follow-up of a warning; returns the follow-up and the warning's state.
    One of the same moment and method is refused, or with `update` corrected (its outcome,
    case and note, audited)."""
    with db.write():
        followup = prepare_followup(db, {**raw, "warning": warning_no})
        stored = clock.texts({k: v for k, v in followup.items()
                              if k not in ("warning_id", "case_id") and not is_sealed(k)},
                             MOMENTS)
        current = stored_followup(db, followup)
        if current is not None and not update:
            raise Conflict(f"a {followup['method']} follow-up of {followup['warning_no']} at "
                           f"{clock.local_text(followup['at'], db.tz)} is already recorded "
                           "(--update corrects it)", "at")
        if current is not None:
            correct_followup(db, current, followup)
        else:
            insert_followups(db, [followup])
            db.audit("followup", "warning", followup["warning_no"], None, stored)
        warning = _warning_row(db, followup["warning_no"])
    stored["feedback_at"] = clock.text_of(warning["feedback_at"])
    stored["status"] = status_at(warning, clock.seconds())
    stored["on_time"] = (None if warning["feedback_at"] is None
                         else warning["feedback_at"] <= warning["deadline_at"])
    return stored


# -- the county's deadline setting --------------------------------------------------

def set_deadline(db: Database, level: str, hours: Any) -> dict[str, Any]:
    """Change a level's feedback deadline (hours), recorded in the audit log. Warnings
    already received keep the deadline they were given."""
    code = refs_of(db).resolve("levels", level, "LEVEL")
    number = validate.count(hours, "HOURS")
    if not 1 <= number <= 24 * 90:
        raise InvalidValue("must be between 1 and 2160 hours (90 days)", "HOURS")
    with db.write():
        old = db.scalar("SELECT deadline_hours FROM warning_levels WHERE code = ?", (code,))
        if old != number:
            db.conn.execute("UPDATE warning_levels SET deadline_hours = ? WHERE code = ?",
                            (number, code))
            db.audit("set-deadline", "level", code, {"deadline_hours": old},
                     {"deadline_hours": number})
    db.memo.pop("refs", None)  # reload the reference data held in memory
    return {"code": code, "deadline_hours": number, "previous_hours": old}


# -- corrections (import --update) --------------------------------------------------

def correct_warning(db: Database, current: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    """Apply a validated row (`prepare_warning`) to the stored warning `current` (with its
    `id`), inside `db.write()`, with an audit row of the old and new values. A new received
    time or level moves the deadline; follow-ups must stay after the received time."""
    before, after = personal.changes("warnings", current, new, STORED)
    if not before:
        return
    if "received_at" in after or "level" in after:
        # A new level takes that level's hours now; a new received time alone keeps the
        # hours the warning was given.
        hours = new["deadline_hours"] if "level" in after else current["deadline_hours"]
        after["deadline_at"] = new["received_at"] + hours * 3600
        before["deadline_at"] = current["deadline_at"]
        if hours != current["deadline_hours"]:
            after["deadline_hours"] = hours
            before["deadline_hours"] = current["deadline_hours"]
    if "received_at" in after:
        first = db.scalar("SELECT min(at) FROM followups WHERE warning_id = ?",
                          (current["id"],))
        if first is not None and first < new["received_at"]:
            raise InvalidValue(f"its first follow-up ({clock.local_text(first, db.tz)}) would "
                               "be before the new received time", "received")
    sets = ", ".join(f"{k} = :{k}" for k in after)
    db.conn.execute(f"UPDATE warnings SET {sets}, updated_at = :at, updated_by = :by"
                    " WHERE id = :id", {**after, "at": clock.stamp(), "by": db.officer,
                                        "id": current["id"]})
    db.audit("update", "warning", current["no"], clock.texts(before, MOMENTS),
             clock.texts(after, MOMENTS))


def update_warning(db: Database, no: str, changes: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], list[str]]:
    """Correct fields of a warning (any field but its number; `-` clears an optional
    one): the whole record checked again as `warning add` checks it, then `correct_warning`.
    Returns the stored record and any notes on the values."""
    changes = corrections(changes, "warning add", "W_NO")
    with db.write():
        current = _warning_row(db, no)
        raw = raw_of(WARNING, personal.opened(db, "warnings", current))
        raw["received"] = datetime.fromtimestamp(current["received_at"], UTC)
        prepared = prepare_warning(db, corrected(raw, changes, WARNING.clearable()))
        correct_warning(db, current, prepared.row)
    return get_warning(db, current["no"]), prepared.warnings


def correct_followup(db: Database, current: Mapping[str, Any], new: Mapping[str, Any]
                     ) -> None:
    """Change the outcome, case or note of a stored follow-up (same warning, time and
    method), inside `db.write()`, with an audit row; the warning's times follow."""
    fields = ("outcome", "case_id", "note", "note_enc")
    before = {k: current[k] for k in fields if current[k] != new[k]}
    if not before:
        return
    if "note_enc" in before:  # (the masked note may read the same)
        before["note"] = current["note"]
    after = {k: new[k] for k in before}
    db.conn.execute("UPDATE followups SET outcome = :outcome, case_id = :case_id, note = :note,"
                    " note_enc = :note_enc WHERE id = :id",
                    {"outcome": new["outcome"], "case_id": new["case_id"],
                     "note": new["note"], "note_enc": new["note_enc"], "id": current["id"]})
    refresh_warnings(db, [current["warning_id"]])

    def shown(values: dict[str, Any], case_no: Any) -> dict[str, Any]:
        out = {k: v for k, v in values.items() if k != "case_id"}
        if "case_id" in values:
            out["case"] = case_no
        return out

    db.audit("update", "followup", followup_name(db, new["warning_no"], new["at"],
                                                 new["method"]),
             shown(before, current.get("case_no")), shown(after, new.get("case_no")))


def followup_name(db: Database, warning_no: str, at: int, method: str) -> str:
    """`YJ001 2026-11-29 11:00 phone`: a follow-up as the audit log and messages name it."""
    return f"{warning_no} {clock.local_text(at, db.tz)} {method}"


def remove_followup(db: Database, warning_no: str, raw: Mapping[str, Any], reason: Any
                    ) -> tuple[dict[str, Any], str]:
    """Remove a follow-up entered in error (on the wrong warning, at the wrong time, by the
    wrong method): the row goes; the audit log keeps what it said, who removed it and why;
    the warning's feedback, visit and outcome are worked out again from the follow-ups left
    (none left: open again). Returns the removed follow-up and its name (`followup_name`)."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        warning = _warning_key(db, warning_no, "W_NO")
        at = validate.moment(raw.get("at"), "at", db.tz, allow_future=True)
        method = method_value(raw.get("method"), "method")
        current = stored_followup(db, {"warning_id": warning["id"], "at": at,
                                       "method": method})
        name = followup_name(db, warning["no"], at, method)
        if current is None:
            raise NotFound(f"no follow-up {name} is recorded", "at")
        removed = drop_followup(db, warning["id"], warning["no"], current, reason)
    return removed, name


def drop_followup(db: Database, warning_id: int, warning_no: str,
                  current: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """Inside `db.write()`: remove a stored follow-up (a row with its `id`, `at`, `method`,
    `outcome`, `case_no`, `note`); the warning's feedback, visit and outcome are worked out
    again from those left; the audit log keeps what it said and why."""
    at, method = current["at"], current["method"]
    db.conn.execute("DELETE FROM followups WHERE id = ?", (current["id"],))
    db.conn.execute("UPDATE warnings SET feedback_at = NULL, visited_at = NULL,"
                    " defrauded_at = NULL, outcome = NULL, outcome_at = NULL"
                    " WHERE id = ?", (warning_id,))
    refresh_warnings(db, [warning_id])  # (those left, if any)
    removed = clock.texts({"warning_no": warning_no, "at": at, "method": method,
                           "outcome": current["outcome"], "case_no": current["case_no"],
                           "note": current["note"]}, MOMENTS)
    db.audit("remove", "followup", followup_name(db, warning_no, at, method), removed,
             {"removed": True, "reason": reason})
    return removed


def remove_warning(db: Database, no: str, reason: Any) -> dict[str, Any]:
    """Remove a warning entered in error (a duplicate push, a number typed wrong), with its
    follow-ups: the audit log keeps what they said (personal data masked), who removed them
    and why; the figures lose it. Refused while a case names the warning. Returns the
    removed warning with its follow-ups."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        record = show_warning(db, no)
        named = [r[0] for r in db.query("SELECT no FROM cases WHERE warning = ? AND voided = 0"
                                        " ORDER BY no", (record["no"],))]
        if named:
            raise Conflict(f"case {', '.join(named)} names this warning; correct the case "
                           f"first (tongwei case update {named[0]} --warning -)", "W_NO")
        warning_id = _warning_key(db, record["no"], "W_NO")["id"]
        db.conn.execute("DELETE FROM followups WHERE warning_id = ?", (warning_id,))
        db.conn.execute("DELETE FROM warnings WHERE id = ?", (warning_id,))
        kept = {k: v for k, v in record.items()
                if k not in ("status", "overdue_minutes", "on_time", "feedback_outcome",
                             "latest_outcome", "defrauded", "cases")}
        db.audit("remove", "warning", record["no"], kept, {"removed": True, "reason": reason})
    return kept
