"""`tongwei case …`: fraud cases and their events (打)."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import completion, get_db, sub_app
from tongwei_cli.commands.options import (
    EncodingOption,
    FormatOption,
    FromOption,
    LimitOption,
    OutputOption,
    RevealOption,
    StationOption,
    ToOption,
    ask_missing,
    columns_of,
    need,
    opt,
    period,
    screen_cut,
    screen_limit,
    with_fields,
)
from tongwei_cli.core.fields import CASE, EVENT
from tongwei_cli.core.words import say
from tongwei_cli.domain import cases as domain
from tongwei_cli.domain.records import record_reveal
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import TRAIL, Column, emit_key, emit_list, emit_record, warn

app = sub_app("""Fraud cases and what became of them (打).

Examples:

  tongwei case add --reported 2026-11-29 --type 刷单返利 --station 平襄 --loss 12000.50

  tongwei case event TW20261129-001 filed

  tongwei case event TW20261129-001 solved

  tongwei case event TW20261129-001 arrest --count 3

  tongwei case list --from 2026-11-01 --status solved
""")

CaseNo = Annotated[str, typer.Argument(metavar="CASE_NO", help="The case number.")]


STATUS = Column("status", "word")
CASE_FIELDS = [
    *columns_of(CASE, "no"), STATUS, *columns_of(CASE, "reported", "occurred", "type",
                                                  "station", "loss"),
    *columns_of(CASE, "victim_name", "victim_phone", "victim_id", "victim_gender",
                "victim_age", "victim_group", "warning", "summary"),
    *TRAIL,
]
TOTAL_FIELDS = [
    Column("totals.arrested"),
    Column("totals.prosecuted"),
    Column("totals.recovered_fen", "money"),
    Column("totals.frozen_fen", "money"),
    Column("totals.stopped_fen", "money"),
]
EVENT_COLUMNS = [
    Column("n"), *columns_of(EVENT, "date", "kind", "count", "amount", "note"),
    Column("created_by", label_key="created_by.short"),
]
LIST_COLUMNS = [
    *columns_of(CASE, "no", "reported", "type", "station", "victim_name", "loss"),
    Column("recovered_fen", "money"),
    Column("frozen_fen", "money"),
    STATUS,
]
# What a narrow terminal leaves out first (`output.light_table`): what `show` gives.
NARROW = ("frozen_fen", "recovered_fen", "victim_name", "type")


@app.command("add")
@with_fields(CASE, add=True)
def add(fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Register a fraud case; prints its number (the stored record with --format json).

    Example: tongwei case add --reported today --type 刷单 --station 平襄 --loss 1.5万 \\
        --victim-name 测试甲 --victim-phone 13800000000
    """
    db = get_db()
    record, warnings = domain.add_case(db, ask_missing(db, CASE, fields))
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("event")
@with_fields(EVENT, add=True, skip=("case", "kind"))
def event(
    case_no: CaseNo,
    kind: Annotated[str, typer.Argument(metavar="KIND", help=EVENT["kind"].help,
                                        autocompletion=completion.words(domain.EVENT_KINDS))],
    fields: dict[str, str | None],
    fmt: FormatOption = None,
) -> None:
    """Record what happened to a case: filed (立案), solved (破案), arrest (抓获), prosecute
    (移送起诉), recover (挽回损失), freeze (冻结), stop-payment (止付), close (结案).

    Example: tongwei case event TWS20261106049 recover --amount 5000 --date yesterday
    """
    db = get_db()
    stored = domain.add_event(db, case_no, {**fields, "kind": kind})
    emit_key(f"{stored['case_no']} {stored['kind']} {stored['date']}", stored, fmt)


EventNo = Annotated[str, typer.Argument(metavar="N", help="The event's number: its # in "
                                        "`tongwei case show CASE_NO`.")]


@app.command("update-event")
@with_fields(EVENT, add=False, skip=("case", "kind"), help={
    "count": "People arrested or referred (arrest, prosecute; `-`: 1).",
    "amount": "Yuan recovered, frozen or stopped (recover, freeze, stop-payment)."})
def update_event(case_no: CaseNo, n: EventNo, fields: dict[str, str | None],
                 fmt: FormatOption = None) -> None:
    """Correct an event of a case: its date, count, amount or note, checked again as `case
    event` checks it. The case's status and every figure follow; the old and new values are
    kept in the audit log. Its kind cannot change: remove the event and add the right one.

    Example: tongwei case update-event TWS20261109051 3 --count 2
    """
    db = get_db()
    stored = domain.update_event(db, case_no, n, fields)
    emit_key(f"{stored['case_no']} #{stored['n']} {stored['kind']} {stored['date']}", stored,
             fmt)


@app.command("remove-event")
def remove_event(
    case_no: CaseNo, n: EventNo,
    reason: Annotated[str | None, opt("Why it is removed. Required.", "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Remove an event entered in error (typed twice, or on the wrong case). The case's
    status and every figure follow; the audit log keeps what the event said, who removed it
    and why.

    Example: tongwei case remove-event TWS20261109051 4 --reason 重复录入
    """
    reason = need(reason, "--reason", "删除原因 reason")
    db = get_db()
    removed = domain.remove_event(db, case_no, n, reason)
    emit_key(say("removed", what=f"{removed['case_no']} #{removed['n']} {removed['kind']} "
                                 f"{removed['date']}"), removed, fmt)


@app.command("update")
@with_fields(CASE, add=False, help={"no": "A new case number."})
def update(case_no: CaseNo, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Correct a case. Give only the fields that change; `-` clears an optional one. The old
    and new values are kept in the audit log.

    Example: tongwei case update TWS20261119057 --loss 13000 --station 马营
    """
    db = get_db()
    record, warnings = domain.update_case(db, case_no, fields)
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("void")
def void(
    case_no: CaseNo,
    reason: Annotated[str | None, opt("Why the case is withdrawn. Required.", "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Withdraw a case entered in error: it is kept, marked void, and counted nowhere.

    Example: tongwei case void TWS20261119058 --reason "重复录入"
    """
    reason = need(reason, "--reason", "撤销原因 reason")
    db = get_db()
    record = domain.void_case(db, case_no, reason)
    emit_key(record["no"], record, fmt)


@app.command("list")
def list_(
    from_: FromOption = None, to: ToOption = None,
    type_: Annotated[str | None, opt("Only this fraud type.", "--type")] = None,
    station: StationOption = None,
    status: Annotated[str | None, opt("Only this status: reported, filed, solved, closed, "
                                       "or void (voided cases are hidden otherwise); or "
                                       "in Chinese: 已报案, 已立案, 已破案, 已结案, 已撤销.",
                                       "--status")] = None,
    limit: LimitOption = None, reveal: RevealOption = False,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """List cases reported in a period, newest first, with money recovered and frozen.

    Example: tongwei case list --from 2026-11-01 --to today --station 平襄 --format csv
    """
    db = get_db()
    first, last = period(db, from_, to)
    if status is not None:
        status = domain.status_value(status, "status")
    reading, on_screen = screen_limit(limit, fmt, output)
    rows, notes = screen_cut(domain.list_cases(
        db, first=first, last=last,
        type_=refs(db).resolve("types", type_, "type") if type_ else None,
        station=refs(db).resolve("stations", station, "station") if station else None,
        status=status, limit=reading), on_screen)
    if reveal:
        rows = record_reveal(db, "case", CASE, rows)
    footer = None if notes else {
        "no": f"{len(rows)}", "loss_fen": sum(r["loss_fen"] for r in rows),
        "recovered_fen": sum(r["recovered_fen"] for r in rows),
        "frozen_fen": sum(r["frozen_fen"] for r in rows)}
    emit_list(rows, LIST_COLUMNS, fmt=fmt, output=output, reveal=reveal, refs=refs(db),
              tz=db.tz, footer=footer, notes=notes, encoding=encoding, sheet="case",
              drop=NARROW)


@app.command("show")
def show(case_no: CaseNo, reveal: RevealOption = False, fmt: FormatOption = None,
         output: OutputOption = None) -> None:
    """Show a case with its timeline of events and money totals.

    Example: tongwei case show TWS20261117055 --reveal
    """
    db = get_db()
    record = domain.show_case(db, case_no, reveal=reveal)
    if reveal:
        record = record_reveal(db, "case", CASE, [record])[0]
    from tongwei_cli.core.words import say

    fields = [c for c in CASE_FIELDS if record.get(c.key) is not None or c.key in
              ("no", "status", "loss_fen")]
    emit_record(record, [*fields, *TOTAL_FIELDS], fmt=fmt,
                output=output, reveal=reveal, refs=refs(db), tz=db.tz,
                title=say("title.case", no=record["no"])
                + (say("void_suffix") if record["voided"] else ""),
                sections=[(say("section.timeline"), record["events"], EVENT_COLUMNS)])
