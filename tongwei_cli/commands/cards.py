"""`tongwei cards`: two-card supervision (管/控, 断卡) and people under restrictions."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
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
from tongwei_cli.core.fields import CARD_ACTION, RESTRICTION
from tongwei_cli.domain import cards as domain
from tongwei_cli.domain.records import record_reveal
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import TRAIL, Column, emit_key, emit_list, emit_record, warn

app = sub_app("""Two-card supervision (管/控, 断卡) of bank branches, payment firms and telecom
outlets, and the people under two-card restrictions (惩戒).

Examples:

  tongwei cards action --date 2026-11-29 --institution 农行通渭支行 --institution-kind bank \\
      --kind inspection --station 平襄

  tongwei cards action --date 2026-11-29 --institution 农行通渭支行 --kind rectify \\
      --deadline 2026-12-15

  tongwei cards list --open

  tongwei cards update DK20261129-002 --deadline 2026-12-31

  tongwei cards void DK20261129-001 --reason 重复录入

  tongwei cards penalty add --name 测试甲 --id-no 621121199001011233 --measure 金融惩戒 \\
      --start today --years 2
""")
penalty_app = sub_app("""People under two-card restrictions (惩戒, Anti-Telecom-Fraud Law
art. 31): 2 or 3 years each, consecutive ones never beyond 5 years. Names and ID numbers
are masked unless --reveal (which is audited).

Examples:

  tongwei cards penalty add --name 测试甲 --id-no 621121199001011233 --measure financial \\
      --start 2026-11-01 --years 2

  tongwei cards penalty list --active

  tongwei cards penalty show CJ20261101-001 --reveal

  tongwei cards penalty update CJ20261101-001 --years 2

  tongwei cards penalty void CJ20261101-001 --reason 录入错误
""")
app.add_typer(penalty_app, name="penalty")


ActionNo = Annotated[str, typer.Argument(metavar="ACTION_NO",
                                         help="The action's number (DK…).")]
PenaltyNo = Annotated[str, typer.Argument(metavar="NO", help="The restriction's number "
                                          "(CJ…).")]
Reason = Annotated[str | None, opt("Why the record is withdrawn. Required.", "--reason")]


KINDS_HELP = ("inspection (检查), interview (约谈), notice (提示函/通报), fine (罚款), "
              "rectify (责令整改), recheck (复查)")

INSTITUTION = Column("institution")  # (stored by id, read by name)
STATUS = Column("status", "word", label_key="status.rectification")
ACTION_FIELDS = [
    Column("no"), *columns_of(CARD_ACTION, "date"), INSTITUTION,
    Column("institution_kind", "word"),
    *columns_of(CARD_ACTION, "station", "kind", "amount", "deadline"), STATUS,
    Column("closed_on"),
    Column("closed_by"),
    *columns_of(CARD_ACTION, "note"),
    *TRAIL,
]
LIST_COLUMNS = [
    Column("no"), *columns_of(CARD_ACTION, "date"), INSTITUTION,
    *columns_of(CARD_ACTION, "station", "kind", "amount", "deadline"), STATUS,
    *columns_of(CARD_ACTION, "note"),
]
OPEN_COLUMNS = [
    Column("no"),
    Column("date"),
    Column("institution"),
    Column("station", "ref:stations"),
    Column("deadline"),
    Column("status", "word"),
    Column("days_overdue", "int"),
    Column("days_left", "int"),
    Column("note"),
]
INSTITUTION_COLUMNS = [
    Column("institution"),
    Column("kind", "word", label_key="kind.institution"),
    Column("station", "ref:stations"),
    Column("actions", "int"),
    Column("fines_fen", "money"),
    Column("open_rectifications", "int"),
    Column("last_action"),
]
PENALTY_COLUMNS = [
    Column("no"),
    *columns_of(RESTRICTION, "name", "id_no", "measure", "start", "years"),
    Column("end_date"),
    *columns_of(RESTRICTION, "appeal_by", "station"),
    Column("active", "bool"),
    *columns_of(RESTRICTION, "note"),
]
# What a narrow terminal leaves out first (`output.light_table`).
NARROW = ("note", "station", "kind", "deadline", "amount_fen")
OPEN_NARROW = ("note", "days_left", "station", "date")
INSTITUTION_NARROW = ("last_action", "kind", "station", "open_rectifications")
PENALTY_NARROW = ("note", "appeal_by", "station", "start_date", "years", "measure", "active")
PENALTY_FIELDS = [
    *PENALTY_COLUMNS,
    *TRAIL,
]


@app.command("action")
@with_fields(CARD_ACTION, add=True)
def action(fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Record a supervision action; prints its number (the stored record with --format json).
    A recheck closes the institution's open rectification.

    Example: tongwei cards action --date today --institution 中国移动通渭营业厅 --kind fine \\
        --amount 5000
    """
    db = get_db()
    record, warnings = domain.add_card_action(db, ask_missing(db, CARD_ACTION, fields, {
        "actions": [(k, zh) for k, (zh, _) in domain.ACTION_KINDS.items()]}))
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("list")
def list_(
    from_: FromOption = None, to: ToOption = None,
    institution: Annotated[str | None, opt("Only this institution: its name, or a part of "
                                            "it that only it has (农商).",
                                            "--institution")] = None,
    kind: Annotated[str | None, opt(f"Only this kind: {KINDS_HELP}.", "--kind")] = None,
    station: StationOption = None,
    open_: Annotated[bool, typer.Option(
        "--open", help="Rectifications not yet re-checked, the overdue ones first.")] = False,
    void: Annotated[bool, typer.Option("--void", help="List voided actions instead.")] = False,
    limit: LimitOption = None, fmt: FormatOption = None, output: OutputOption = None,
    encoding: EncodingOption = None,
) -> None:
    """List supervision actions of a period, newest first, with totals; or, with --open, the
    rectifications still waiting for their re-check.

    Example: tongwei cards list --from 2026-11-01 --kind fine
    """
    from tongwei_cli.core.words import say

    db = get_db()
    station_code = refs(db).resolve("stations", station, "station") if station else None
    name = domain.institution_named(db, institution) if institution else None
    if open_:
        rows = domain.open_rectifications(db, station=station_code, institution=name)
        overdue = sum(1 for r in rows if r["status"] == "overdue")
        footer = {"no": say("total.open_rectifications", n=len(rows)),
                  "status": say("total.overdue", n=overdue)}
        emit_list(rows[:limit] if limit else rows, OPEN_COLUMNS, fmt=fmt, output=output,
                  refs=refs(db), tz=db.tz, footer=footer, encoding=encoding, sheet="cards",
                  drop=OPEN_NARROW)
        return
    first, last = period(db, from_, to)
    kind_code = domain.action_kind(kind, "kind") if kind else None
    reading, on_screen = screen_limit(limit, fmt, output)
    rows, notes = screen_cut(domain.list_card_actions(
        db, first=first, last=last, institution=name, kind=kind_code, station=station_code,
        voided=void, limit=reading), on_screen)
    sums = domain.action_totals(rows)
    footer = None if notes else {
        "no": say("total.actions", n=sums["actions"]),
        "amount_fen": sums["fines_fen"]}
    emit_list(rows, LIST_COLUMNS, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
              footer=footer, notes=notes, encoding=encoding, sheet="cards",
              drop=NARROW)


@app.command("update")
@with_fields(CARD_ACTION, add=False, help={
    "institution": "The institution's name (a new one is registered, with "
                   "--institution-kind).",
    "institution_kind": "bank, payment, telecom or outlet; required when --institution "
                        "names a new one.",
    "deadline": "Rectification deadline, after the date.",
    "station": "Police station in charge (`-`: the institution's)."})
def update(no: ActionNo, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Correct a supervision action. Give only the fields that change; `-` clears an optional
    one (date, institution and kind cannot be cleared). The whole action is checked again as
    `cards action` checks it, and the old and new values are kept in the audit log. A void
    action cannot be corrected.

    Changing --kind drops an amount or deadline the new kind does not take (give them again
    to keep them). Rectify and recheck stay linked: the kind or institution of a rectify
    closed by a recheck, or of a recheck that closed one, cannot change (void the recheck
    first); a closed rectify's date stays on or before its recheck's, a recheck's date on or
    after those it closed (their re-check date follows it); an action corrected into a
    recheck, or a recheck moved to another date or institution, closes the institution's
    open rectifications ordered on or before it, as a new recheck would.

    Example: tongwei cards update DK20261128-001 --amount 8000 --note 复核后更正
    """
    db = get_db()
    record, warnings = domain.update_card_action(db, no, fields)
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("void")
def void(no: ActionNo, reason: Reason = None, fmt: FormatOption = None) -> None:
    """Withdraw a supervision action entered in error: it is kept, marked void, and left out
    of lists and reports. Voiding a recheck re-opens the rectifications it closed.

    Example: tongwei cards void DK20261124-001 --reason 重复录入
    """
    reason = need(reason, "--reason", "撤销原因 reason")
    db = get_db()
    record = domain.void_card_action(db, no, reason)
    emit_key(record["no"], record, fmt)


@app.command("show")
def show(no: ActionNo, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Show one supervision action.

    Example: tongwei cards show DK20261128-001
    """
    from tongwei_cli.core.words import say

    db = get_db()
    record = domain.get_card_action(db, no)
    fields = [c for c in ACTION_FIELDS if record.get(c.key) is not None]
    emit_record(record, fields, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
                title=say("title.card_action", no=record["no"])
                + (say("void_suffix") if record["voided"] else ""))


@app.command("institutions")
def institutions(station: StationOption = None, fmt: FormatOption = None,
                 output: OutputOption = None) -> None:
    """List the institutions under supervision, with their actions, fines and open
    rectifications.

    Example: tongwei cards institutions --station 平襄
    """
    db = get_db()
    rows = domain.list_institutions(
        db, station=refs(db).resolve("stations", station, "station") if station else None)
    emit_list(rows, INSTITUTION_COLUMNS, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
              drop=INSTITUTION_NARROW)


@penalty_app.command("add")
@with_fields(RESTRICTION, add=True, help={
    "appeal_by": f"Last day to appeal. Default: {domain.APPEAL_DAYS} days after --start."})
def penalty_add(fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Place a person under a two-card restriction; prints its number. The end date is
    computed (the day before the start's anniversary); a person's consecutive restrictions
    never run beyond 5 years.

    Example: tongwei cards penalty add --name 测试甲 --id-no 621121199001011233 \\
        --measure 金融 --start today --years 3
    """
    db = get_db()
    record, warnings = domain.add_penalty(db, ask_missing(db, RESTRICTION, fields, {
        "measures": [(k, zh) for k, (zh, _) in domain.MEASURES.items()]}))
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@penalty_app.command("update")
@with_fields(RESTRICTION, add=False, help={
    "appeal_by": "Last day to appeal (`-`: the default, "
                 f"{domain.APPEAL_DAYS} days after the start)."})
def penalty_update(no: PenaltyNo, fields: dict[str, str | None], fmt: FormatOption = None
                   ) -> None:
    """Correct a restriction. Give only the fields that change; `-` clears the station, the
    note or an appeal date given by hand. It is checked again as `penalty add` checks it,
    the five-year rule included; a new start or term moves the end date (and the appeal
    date, unless given). The old and new values are kept in the audit log (masked).

    Example: tongwei cards penalty update CJ20261101-001 --years 2 --note 复议后改为两年
    """
    db = get_db()
    record, warnings = domain.update_penalty(db, no, fields)
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@penalty_app.command("list")
def penalty_list(
    active: Annotated[bool, typer.Option("--active", help="Only restrictions in force "
                                         "today.")] = False,
    station: StationOption = None,
    id_no: Annotated[str | None, opt("Only this person's restrictions.", "--id-no")] = None,
    void: Annotated[bool, typer.Option("--void", help="List voided restrictions "
                                       "instead.")] = False,
    reveal: RevealOption = False, fmt: FormatOption = None, output: OutputOption = None,
) -> None:
    """List restrictions, the latest first (names and ID numbers masked).

    Example: tongwei cards penalty list --active --format csv -o restrictions.csv
    """
    db = get_db()
    rows = domain.list_penalties(
        db, active=active, id_no=id_no, voided=void,
        station=refs(db).resolve("stations", station, "station") if station else None)
    if reveal and rows:
        rows = record_reveal(db, "card_penalty", RESTRICTION, rows)
    emit_list(rows, PENALTY_COLUMNS, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
              reveal=reveal, drop=PENALTY_NARROW)


@penalty_app.command("show")
def penalty_show(no: PenaltyNo, reveal: RevealOption = False, fmt: FormatOption = None,
                 output: OutputOption = None) -> None:
    """Show one restriction (name and ID number masked unless --reveal, which is audited).

    Example: tongwei cards penalty show CJ20261101-001 --reveal
    """
    from tongwei_cli.core.words import say

    db = get_db()
    record = domain.get_penalty(db, no)
    if reveal:
        record = record_reveal(db, "card_penalty", RESTRICTION, [record])[0]
    fields = [c for c in PENALTY_FIELDS if record.get(c.key) is not None]
    emit_record(record, fields, fmt=fmt, output=output, reveal=reveal, refs=refs(db),
                tz=db.tz, title=say("title.restriction", no=record["no"])
                + (say("void_suffix") if record["voided"] else ""))


@penalty_app.command("void")
def penalty_void(no: PenaltyNo, reason: Reason = None, fmt: FormatOption = None) -> None:
    """Withdraw a restriction entered in error: it is kept, marked void, and left out of the
    lists and of the five-year rule for consecutive restrictions.

    Example: tongwei cards penalty void CJ20261101-001 --reason 录入错误
    """
    reason = need(reason, "--reason", "撤销原因 reason")
    db = get_db()
    record = domain.void_penalty(db, no, reason)
    emit_key(record["no"], record, fmt)
