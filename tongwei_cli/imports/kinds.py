"""The kinds of record `tongwei import` loads, each built from its domain's functions:
cases, events, warnings, follow-ups, outreach sessions and two-card supervision actions."""

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
from tongwei_cli.imports.engine import ImportKind, Row, chunks, register
from tongwei_cli.storage.db import Database

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


def _insert_cases(db: Database, rows: list[Row], import_id: int) -> None:
    cases.insert_cases(db, rows, import_id)


def _correct_case(db: Database, old: Row, row: Row, import_id: int) -> None:
    cases.correct_case(db, old, row)


def _prepare_event(db: Database, raw: Row) -> Prepared:
    return Prepared(cases.prepare_event(db, raw, case_field="case", kind_field="kind"))


EVENT_CONTENT = ("case_id", "kind", "date", "count", "amount_fen", "note")


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


def _insert_events(db: Database, rows: list[Row], import_id: int) -> None:
    cases.insert_events(db, rows, import_id)


class _EventRules:
    """The rules across a case's events, for an import: what earlier rows of the file did
    to a case is remembered only until their batch is written (then the database says it),
    so that memory does not grow with the file."""

    def __init__(self, db: Database):
        self.ledger = cases.EventLedger(db)

    def __call__(self, event: Row) -> None:
        self.ledger.check(event, "kind")

    def written(self) -> None:
        self.ledger.forget()


def _find_warnings(db: Database, keys: list[Any]) -> dict[Any, Row]:
    return _find_by(db, f"{alerts.WARNING_SELECT} WHERE w.no IN ({{marks}})", keys,
                    lambda r: r["no"])


class _WarningInserter:
    """The new warnings of one import. Whether some case names a warning not stored yet is
    asked once, at the first batch: only then can a new warning be one that a case already
    names (预警后被骗) and need its `linked_on` set. (Nothing else writes while the import
    holds the file, so the answer cannot turn from no to yes.)"""

    def __init__(self) -> None:
        self.awaited: bool | None = None

    def __call__(self, db: Database, rows: list[Row], import_id: int) -> None:
        if self.awaited is None:
            self.awaited = db.one(
                "SELECT 1 FROM cases c INDEXED BY cases_warning_link"
                " WHERE c.warning IS NOT NULL AND c.voided = 0"
                " AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.no = c.warning)"
            ) is not None
        alerts.insert_warnings(db, rows, import_id, link=self.awaited)


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


def _insert_followups(db: Database, rows: list[Row], import_id: int) -> None:
    alerts.insert_followups(db, rows, import_id)


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
            "compared": kind.compared()}


register(ImportKind(
    name="cases", entity="case", **_columns(CASE, also_required=("no",)),
    prepare=_prepare_case, key=lambda row: row["no"], find=_find_cases,
    insert=_insert_cases, update=_correct_case,
    order=lambda row: (row["reported"], row["no"]),
    describe=lambda row: f"case {row['no']}", overlap=True))
register(ImportKind(
    name="events", entity="case", **{**_columns(EVENT), "compared": ()},
    prepare=_prepare_event, key=_event_key, find=_find_events,
    insert=_insert_events, checker=_EventRules, key_column="kind",
    order=lambda row: (row["date"], row["case_id"]),
    describe=lambda row: f"the same {row['kind']} event of case {row['case_no']}"))
register(ImportKind(
    name="warnings", entity="warning", **_columns(WARNING),
    prepare=alerts.prepare_warning, key=lambda row: row["no"], find=_find_warnings,
    inserter=_WarningInserter, update=_correct_warning,
    order=lambda row: (row["received_at"], row["no"]),
    describe=lambda row: f"warning {row['no']}", overlap=True))
register(ImportKind(
    name="followups", entity="followup", **_columns(FOLLOWUP),
    prepare=_prepare_followup, key=_followup_key, find=_find_followups,
    insert=_insert_followups,
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
