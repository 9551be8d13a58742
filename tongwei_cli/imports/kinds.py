"""The kinds of record `tongwei import` loads, each built from its domain's functions:
cases, events, warnings, follow-ups, outreach sessions and two-card supervision actions.

The four that come by the hundred thousand (cases, events, warnings, follow-ups) are
written from the stage in SQL (`copy`), with what their domain's insert keeps beside the
rows, and say in SQL what a change made by another command since the check would make
wrong (`recheck`); outreach sessions and supervision actions go through their domain's
insert (numbering, institutions, re-checks closing rectifications).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.fields import (
    CARD_ACTION,
    CASE,
    EVENT,
    FOLLOWUP,
    OUTREACH,
    WARNING,
    RecordKind,
)
from tongwei_cli.domain import cards, cases, outreach
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.domain.records import Prepared
from tongwei_cli.domain.records import given as _given
from tongwei_cli.imports.engine import (
    STAGE,
    ImportKind,
    Problem,
    Row,
    chunks,
    copy_staged,
    register,
)
from tongwei_cli.storage.db import Database
from tongwei_cli.storage.totals import day_counts, refresh_warnings

# -- the built-in kinds -------------------------------------------------------------

def _find_by(db: Database, sql: str, keys: list[Any], key: Callable[[Row], Any]
             ) -> dict[Any, Row]:
    """Stored rows for `keys` (looked up 500 at a time with `sql` holding `{marks}`)."""
    found: dict[Any, Row] = {}
    for part in chunks(sorted(set(keys), key=str)):
        for r in db.query(sql.format(marks=", ".join("?" * len(part))), list(part)):
            record = dict(r)
            found[key(record)] = record
    return found




def _prepare_case(db: Database, raw: Row) -> Prepared:
    if not _given(raw, "no"):
        raise InvalidValue("is required in an import (the case number is how a second "
                           "import of the same file knows the case)", "no")
    return cases.prepare_case(db, raw)


def _find_cases(db: Database, keys: list[Any]) -> dict[Any, Row]:
    return _find_by(db, f"{cases.CASE_SELECT} WHERE c.no IN ({{marks}})", keys,
                    lambda r: r["no"])


def _copy_cases(db: Database, import_id: int) -> None:
    """`cases.insert_cases` of the staged cases; the triggers of 005_compact_times.sql link
    the warnings they name (预警后被骗), and those that name none are linked to the warning
    their victim's phone or ID number matches (`cases.link_by_person`)."""
    copy_staged(db, "cases", import_id)
    unlinked = [r[0] for r in db.query(
        "SELECT id FROM cases WHERE import_id = ? AND warning IS NULL AND"
        " (victim_phone_bi IS NOT NULL OR victim_id_bi IS NOT NULL)", (import_id,))]
    db.memo["cases_linked"] = len(cases.link_by_person(db, unlinked))


def _numbers_taken(what: str, table: str) -> Callable[[Database], list[Problem]]:
    """The recheck of a kind keyed by its number: staged rows whose number another command
    stored meanwhile."""
    def recheck(db: Database) -> list[Problem]:
        return [(line, "no", f"{what} {no} was stored meanwhile") for line, no in db.query(
            f"SELECT s.line, s.no FROM {STAGE} s"
            f" WHERE EXISTS (SELECT 1 FROM {table} t WHERE t.no = s.no) ORDER BY s.line")]
    return recheck


_recheck_cases = _numbers_taken("case", "cases")


def _correct_case(db: Database, old: Row, row: Row, import_id: int) -> None:
    cases.correct_case(db, old, row)


def _prepare_event(db: Database, raw: Row) -> Prepared:
    return Prepared(cases.prepare_event(db, raw, case_field="case", kind_field="kind"))


# (the note by its masked form and its ciphertext: `请回电138****5678` hides which number)
EVENT_CONTENT = ("case_id", "kind", "date", "count", "amount_fen", "note", "note_enc")


def _event_key(row: Row) -> tuple:
    return tuple(row[f] for f in EVENT_CONTENT)


def _find_events(db: Database, keys: list[Any]) -> dict[Any, Row]:
    case_ids = sorted({k[0] for k in keys})
    found: dict[Any, Row] = {}
    for part in chunks(case_ids):
        for r in db.query(f"SELECT {', '.join(EVENT_CONTENT)} FROM case_events"
                          f" WHERE case_id IN ({', '.join('?' * len(part))})", list(part)):
            found[tuple(r)] = dict(r)
    return found


def _copy_events(db: Database, import_id: int) -> None:
    """`cases.insert_events` of the staged events: the rows, then the status of each case
    an event moved along."""
    copy_staged(db, "case_events", import_id)
    stages = sorted(cases.STAGE)
    cursor = db.conn.execute(f"SELECT DISTINCT case_id FROM {STAGE} WHERE kind IN"
                             f" ({', '.join('?' * len(stages))}) ORDER BY case_id", stages)
    while part := cursor.fetchmany(500):
        for (case_id,) in part:
            cases.refresh_status(db, case_id)


# A staged event that a change made since the check makes wrong: its case voided, reported
# later than the event, or given the same event (or a once-only one) by another command.
_EVENTS_CHANGED = (
    "SELECT s.line, s.case_no, s.kind, s.date, c.voided IS NOT 0 AS void, c.reported,"
    " EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = s.case_id AND e.kind = s.kind"
    "  AND e.date = s.date AND e.count IS s.count AND e.amount_fen IS s.amount_fen"
    "  AND e.note IS s.note AND e.note_enc IS s.note_enc) AS same,"
    " s.kind IN ({once}) AND EXISTS (SELECT 1 FROM case_events e"
    "  WHERE e.case_id = s.case_id AND e.kind = s.kind) AS again"
    f" FROM {STAGE} s LEFT JOIN cases c ON c.id = s.case_id"
    " WHERE c.voided IS NOT 0 OR s.date < c.reported"
    " OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = s.case_id AND e.kind = s.kind"
    "  AND (s.kind IN ({once}) OR (e.date = s.date AND e.count IS s.count"
    "  AND e.amount_fen IS s.amount_fen AND e.note IS s.note"
    "  AND e.note_enc IS s.note_enc)))")

# Cases whose recoveries, stored and staged, now pass their loss (stored ones added, or the
# loss corrected, since the check): the last staged recovery of each.
_RECOVERED_PAST_LOSS = (
    "SELECT x.line, x.total, c.loss_fen FROM (SELECT s.case_id, max(s.line) AS line,"
    " sum(s.amount_fen) + (SELECT coalesce(sum(e.amount_fen), 0) FROM case_events e"
    "  WHERE e.case_id = s.case_id AND e.kind = 'recover') AS total"
    f" FROM {STAGE} s WHERE s.kind = 'recover' GROUP BY s.case_id) x"
    " JOIN cases c ON c.id = x.case_id WHERE x.total > c.loss_fen")


def _recheck_events(db: Database) -> list[Problem]:
    once = ", ".join(f"'{kind}'" for kind in cases.ONCE_KINDS)  # our own constants
    problems: list[Problem] = []
    for r in db.query(_EVENTS_CHANGED.format(once=once)):
        if r["void"]:
            problems.append((r["line"], "case", f"case {r['case_no']} was voided meanwhile"))
        elif r["date"] < r["reported"]:
            problems.append((r["line"], "date", f"{r['date']} is before the case was "
                                                f"reported ({r['reported']})"))
        elif r["same"]:
            problems.append((r["line"], "kind", f"the same {r['kind']} event of case "
                                                f"{r['case_no']} was stored meanwhile"))
        else:
            problems.append((r["line"], "kind", f"case {r['case_no']} already has a "
                                                f"{r['kind']} event"))
    for line, total, loss in db.query(_RECOVERED_PAST_LOSS):
        problems.append((line, "amount", f"recoveries would total {cases.yuan(total)} yuan, "
                                         f"above the loss of {cases.yuan(loss)} yuan"))
    return problems


class _StagedLedger(cases.EventLedger):
    """`cases.EventLedger` that also counts what this import has staged for a case: the
    stage, not the database, says what earlier batches of the file did to it."""

    def _load(self, case_id: int) -> None:
        if case_id in self.kinds:
            return
        super()._load(case_id)
        for kind, amount in self.db.query(f"SELECT kind, amount_fen FROM {STAGE}"
                                          " WHERE case_id = ?", (case_id,)):
            self.kinds[case_id].add(kind)
            if kind == "recover":
                self.recovered[case_id] += amount


class _EventRules:
    """The rules across a case's events, for an import: what earlier rows of the file did
    to a case is remembered only until their batch is staged (then the stage says it), so
    that memory does not grow with the file."""

    def __init__(self, db: Database):
        self.ledger = _StagedLedger(db)

    def __call__(self, event: Row) -> None:
        self.ledger.check(event, "kind")

    def staged(self) -> None:
        self.ledger.forget()


def _find_warnings(db: Database, keys: list[Any]) -> dict[Any, Row]:
    return _find_by(db, f"{alerts.WARNING_SELECT} WHERE w.no IN ({{marks}})", keys,
                    lambda r: r["no"])


# What the new warnings add to the per-day totals (006_warning_days.sql), summed from the
# stage a batch at a time while the file is checked (`tally`), so that the write adds a few
# hundred rows instead of grouping every new warning as `count_days` would: a warning just
# stored counts as received and nothing else (no follow-up, no link yet), its latest moment
# its receipt -- what `count_days` finds for it. `tongwei check` recounts them.
_TALLY_DAYS = (
    "INSERT INTO temp.import_days (day, station, level, received, latest)"
    " SELECT (s.received_at + z.offset_seconds) / 86400, s.station, s.level, count(*),"
    f" max(s.received_at) FROM {STAGE} s, main.warning_days_zone z"
    " WHERE s.seq BETWEEN ? AND ? GROUP BY 1, 2, 3"
    " ON CONFLICT (day, station, level) DO UPDATE SET"
    " received = received + excluded.received, latest = max(latest, excluded.latest)")
_ADD_DAYS = (
    "INSERT INTO warning_days (day, station, level, received, fed_back, on_time, visited,"
    "  dissuaded, defrauded, latest, linked_last)"
    " SELECT day, station, level, received, 0, 0, 0, 0, 0, latest, NULL"
    " FROM temp.import_days WHERE true"
    " ON CONFLICT (day, station, level) DO UPDATE SET"
    " received = received + excluded.received, latest = max(latest, excluded.latest)")


# And to the totals of what is outstanding (010_outstanding.sql): a new warning is open,
# counted on its day of receipt (`opened`, the received tallied above), on its deadline's day
# (`due_open`, tallied here) and among the open ones of its station and level.
_TALLY_DUE = (
    "INSERT INTO temp.import_due (day, station, level, due)"
    " SELECT (s.deadline_at + z.offset_seconds) / 86400, s.station, s.level, count(*)"
    f" FROM {STAGE} s, main.warning_days_zone z"
    " WHERE s.seq BETWEEN ? AND ? GROUP BY 1, 2, 3"
    " ON CONFLICT (day, station, level) DO UPDATE SET due = due + excluded.due")
_ADD_BACKLOG = (
    ("INSERT INTO warning_backlog (day, station, level, opened)"
     " SELECT day, station, level, received FROM temp.import_days WHERE true"
     " ON CONFLICT (day, station, level) DO UPDATE SET opened = opened + excluded.opened"),
    ("INSERT INTO warning_backlog (day, station, level, due_open)"
     " SELECT day, station, level, due FROM temp.import_due WHERE true"
     " ON CONFLICT (day, station, level) DO UPDATE SET due_open = due_open + excluded.due_open"),
    ("INSERT INTO warning_open (station, level, open)"
     " SELECT station, level, sum(received) FROM temp.import_days GROUP BY station, level"
     " ON CONFLICT (station, level) DO UPDATE SET open = open + excluded.open"))


def _tally_tables(db: Database) -> None:
    db.conn.execute("CREATE TABLE IF NOT EXISTS temp.import_days (day INTEGER, station TEXT,"
                    " level TEXT, received INTEGER, latest INTEGER,"
                    " PRIMARY KEY (day, station, level)) WITHOUT ROWID")
    db.conn.execute("CREATE TABLE IF NOT EXISTS temp.import_due (day INTEGER, station TEXT,"
                    " level TEXT, due INTEGER, PRIMARY KEY (day, station, level)) WITHOUT ROWID")


def _tally_warnings(db: Database, first: int, last: int) -> None:
    _tally_tables(db)
    db.conn.execute(_TALLY_DAYS, (first, last))
    db.conn.execute(_TALLY_DUE, (first, last))


def _tally_part(db: Database) -> Callable[[list[Row]], Any]:
    """`_tally_warnings` of one batch, worked out by the child that checks it (an import
    checked apart) with `totals.day_counts` (as a merge's children do): `{"days": [[day,
    station, level, received, latest]…], "due": [[day, station, level, due]…]}` for
    `_tally_add`, or None where the zone's days are unknown. (Read here, before the fork:
    the zone's offset.)"""
    offset = db.scalar("SELECT offset_seconds FROM warning_days_zone")

    def part(rows: list[Row]) -> dict[str, list] | None:
        if offset is None:
            return None
        # (a new warning: no follow-up says anything of it yet)
        days, backlog, _ = day_counts(offset, ((r["received_at"], r["deadline_at"],
                                                r["station"], r["level"], None, None, None,
                                                None, None) for r in rows))
        # (a day row: key, received … latest; a backlog row: key, opened, closed, due_open…)
        return {"days": [[*d[:4], d[9]] for d in days],
                "due": [[*b[:3], b[5]] for b in backlog if b[5]]}

    return part


def _tally_add(db: Database, parts: list[dict[str, list]]) -> None:
    """The children's `_tally_part`s, added up as `_tally_warnings` adds its batches."""
    _tally_tables(db)
    for part in parts:
        db.conn.executemany(_PUT_DAYS, part["days"])
        db.conn.executemany(_PUT_DUE, part["due"])


_PUT_DAYS = ("INSERT INTO temp.import_days (day, station, level, received, latest)"
             " VALUES (?, ?, ?, ?, ?)" + _TALLY_DAYS[_TALLY_DAYS.index(" ON CONFLICT"):])
_PUT_DUE = ("INSERT INTO temp.import_due (day, station, level, due) VALUES (?, ?, ?, ?)"
            + _TALLY_DUE[_TALLY_DUE.index(" ON CONFLICT"):])


def _copy_warnings(db: Database, import_id: int) -> None:
    """`alerts.insert_warnings` of the staged warnings: the rows, the per-day totals and the
    totals of what is outstanding (as tallied), and the link of a new warning that a case
    entered earlier already names (预警后被骗), which the triggers then count in those
    totals."""
    before = db.scalar("SELECT coalesce(max(id), 0) FROM warnings")
    copy_staged(db, "warnings", import_id)
    db.conn.execute(_ADD_DAYS)
    for statement in _ADD_BACKLOG:
        db.conn.execute(statement)
    named = [r[0] for r in db.query(
        "SELECT DISTINCT c.warning FROM cases c INDEXED BY cases_warning_link"
        " WHERE c.warning IS NOT NULL AND c.voided = 0"
        " AND EXISTS (SELECT 1 FROM warnings w WHERE w.no = c.warning AND w.id > ?)",
        (before,))]
    if named:
        alerts.link_cases(db, named)


_recheck_warnings = _numbers_taken("warning", "warnings")


def _correct_warning(db: Database, old: Row, row: Row, import_id: int) -> None:
    alerts.correct_warning(db, old, row)


def _prepare_followup(db: Database, raw: Row) -> Prepared:
    return Prepared(alerts.prepare_followup(db, raw, warning_field="warning"))


def _followup_key(row: Row) -> tuple:
    return (row["warning_id"], row["at"], row["method"])


def _find_followups(db: Database, keys: list[Any]) -> dict[Any, Row]:
    warning_ids = sorted({k[0] for k in keys})
    found: dict[Any, Row] = {}
    for part in chunks(warning_ids):
        for r in db.query(f"{alerts.FOLLOWUP_STORED}"
                          f" WHERE f.warning_id IN ({', '.join('?' * len(part))})", list(part)):
            found[_followup_key(r)] = dict(r)
    return found


def _copy_followups(db: Database, import_id: int) -> None:
    """`alerts.insert_followups` of the staged follow-ups: the rows, then their warnings'
    feedback, visit and defrauded times and latest outcome."""
    copy_staged(db, "followups", import_id)
    cursor = db.conn.execute(f"SELECT DISTINCT warning_id FROM {STAGE} ORDER BY warning_id")
    while part := cursor.fetchmany(5000):
        refresh_warnings(db, [r[0] for r in part])


# A staged follow-up that a change made since the check makes wrong: its warning removed or
# received later, its case voided, or the same follow-up entered by another command.
_FOLLOWUPS_CHANGED = (
    "SELECT s.line, s.warning_no, s.at, s.method, s.case_no, w.id IS NULL AS gone,"
    " w.received_at, s.case_id IS NOT NULL AND c.voided IS NOT 0 AS void"
    f" FROM {STAGE} s LEFT JOIN warnings w ON w.id = s.warning_id"
    " LEFT JOIN cases c ON c.id = s.case_id"
    " WHERE w.id IS NULL OR w.received_at > s.at"
    " OR (s.case_id IS NOT NULL AND c.voided IS NOT 0)"
    " OR EXISTS (SELECT 1 FROM followups f WHERE f.warning_id = s.warning_id"
    "  AND f.at = s.at AND f.method = s.method)")


def _recheck_followups(db: Database) -> list[Problem]:
    from tongwei_cli.core.settings import current

    tz = current().tz
    problems: list[Problem] = []
    for r in db.query(_FOLLOWUPS_CHANGED):
        if r["gone"]:
            problems.append((r["line"], "warning",
                             f"warning {r['warning_no']} was removed meanwhile"))
        elif r["received_at"] > r["at"]:
            problems.append((r["line"], "at", f"{clock.local_text(r['at'], tz)} is before "
                             "the warning was received "
                             f"({clock.local_text(r['received_at'], tz)})"))
        elif r["void"]:
            problems.append((r["line"], "case", f"case {r['case_no']} was voided meanwhile"))
        else:
            problems.append((r["line"], "at", f"{_followup_name(dict(r))} was stored "
                                              "meanwhile"))
    return problems


def _correct_followup(db: Database, old: Row, row: Row, import_id: int) -> None:
    alerts.correct_followup(db, old, row)


def _followup_name(row: Row) -> str:
    from tongwei_cli.core.settings import current

    when = clock.local_text(row["at"], current().tz)
    return f"the {row['method']} follow-up of {row['warning_no']} at {when}"


def _columns(kind: RecordKind, *, also_required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An import kind's columns (its fields' option names), those its header must have, and
    the stored values a re-import compares, from the record's declaration."""
    return {"columns": kind.headers(), "required": (*also_required, *kind.required()),
            "compared": kind.compared(), "labels": {f.zh: f.header for f in kind.fields}}


register(ImportKind(
    name="cases", entity="case", **_columns(CASE, also_required=("no",)),
    prepare=_prepare_case, key=lambda row: row["no"], find=_find_cases,
    copy=_copy_cases, recheck=_recheck_cases, update=_correct_case,
    order=lambda row: (row["reported"], row["no"]),
    describe=lambda row: f"case {row['no']}", overlap=True))
register(ImportKind(
    name="events", entity="case", **{**_columns(EVENT), "compared": ()},
    prepare=_prepare_event, key=_event_key, find=_find_events,
    copy=_copy_events, recheck=_recheck_events, checker=_EventRules, key_column="kind",
    staged_index=("case_id",),
    order=lambda row: (row["date"], row["case_id"]),
    describe=lambda row: f"the same {row['kind']} event of case {row['case_no']}"))
register(ImportKind(
    name="warnings", entity="warning", **_columns(WARNING),
    prepare=alerts.prepare_warning, key=lambda row: row["no"], find=_find_warnings,
    copy=_copy_warnings, recheck=_recheck_warnings,
    tally=_tally_warnings, tally_part=_tally_part, tally_add=_tally_add,
    update=_correct_warning,
    order=lambda row: (row["received_at"], row["no"]),
    describe=lambda row: f"warning {row['no']}", overlap=True))
register(ImportKind(
    name="followups", entity="followup", **_columns(FOLLOWUP),
    prepare=_prepare_followup, key=_followup_key, find=_find_followups,
    copy=_copy_followups, recheck=_recheck_followups, staged_index=("warning_id",),
    order=lambda row: (row["warning_id"], row["at"]),
    update=_correct_followup, key_column="at", describe=_followup_name))

register(ImportKind(
    name="outreach", entity="outreach", **_columns(OUTREACH),
    prepare=outreach.prepare_outreach, key=outreach.import_key, find=outreach.find_outreach,
    insert=outreach.insert_outreach, key_column="ref", describe=outreach.describe))
register(ImportKind(
    name="cards", entity="card_action", **{**_columns(CARD_ACTION), "compared": ()},
    prepare=cards.prepare_import_row, key=cards.content_key, find=cards.find_card_actions,
    insert=cards.insert_card_actions,
    checker=cards.import_checker, key_column="institution", describe=cards.describe_action))
