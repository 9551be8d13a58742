"""`tongwei outreach`: outreach sessions (宣)."""

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
from tongwei_cli.core.fields import OUTREACH
from tongwei_cli.domain import outreach as domain
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import TRAIL, Column, emit_key, emit_list, emit_record, warn

app = sub_app("""Outreach sessions (宣): whom a station reached, where, and how.

Examples:

  tongwei outreach add --date 2026-11-29 --station 平襄 --audience 在校学生 --form 手拉手 \\
      --venue 通渭县第一中学 --venue-kind school --attendees 320 --materials 500

  tongwei outreach list --from 2026-11-01 --station 平襄

  tongwei outreach void XC20261129-001 --reason 重复录入
""")

Session = Annotated[str, typer.Argument(metavar="SESSION",
                                        help="The session's number (XC…) or its --ref.")]


FIELDS = [Column("no"), *columns_of(OUTREACH, "ref"),
          *columns_of(OUTREACH, "date", "station", "audience", "form", "venue", "venue_kind",
                      "attendees", "materials", "posters", "videos", "app_installs",
                      "notices_signed", "note"), *TRAIL]
LIST_COLUMNS = [
    Column("no"),
    *columns_of(OUTREACH, "date", "station", "audience", "form", "venue", "attendees",
                "materials", "posters", "videos", "app_installs", "notices_signed",
                labels={"posters": ("海报", "Posters"), "videos": ("视频", "Videos"),
                        "app_installs": ("APP安装", "App installs"),
                        "notices_signed": ("告知书", "Notices")}),
]
# What a narrow terminal leaves out first (`output.light_table`): the attendance stays.
NARROW = ("notices_signed", "app_installs", "videos", "posters", "materials", "form",
          "audience")


@app.command("add")
@with_fields(OUTREACH, add=True)
def add(fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Register an outreach session; prints its number (the stored record with --format json).

    Example: tongwei outreach add --date today --station 平襄 --audience 老年人 --form 面对面 \\
        --venue 平襄镇广场 --venue-kind community --attendees 80 --materials 200
    """
    db = get_db()
    record, warnings = domain.add_outreach(db, ask_missing(db, OUTREACH, fields))
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("update")
@with_fields(OUTREACH, add=False)
def update(session: Session, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Correct a session. Give only the fields that change; `-` clears an optional one. The
    old and new values are kept in the audit log.

    Example: tongwei outreach update XC20261127-001 --attendees 350 --videos 2
    """
    db = get_db()
    record = domain.update_outreach(db, session, fields)
    emit_key(record["no"], record, fmt)


@app.command("void")
def void(
    session: Session,
    reason: Annotated[str | None, opt("Why the session is withdrawn. Required.",
                                       "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Withdraw a session entered in error: it is kept, marked void, and counted nowhere.

    Example: tongwei outreach void XC20261127-001 --reason 重复录入
    """
    reason = need(reason, "--reason", "撤销原因 reason")
    db = get_db()
    record = domain.void_outreach(db, session, reason)
    emit_key(record["no"], record, fmt)


@app.command("list")
def list_(
    from_: FromOption = None, to: ToOption = None, station: StationOption = None,
    audience: Annotated[str | None, opt("Only this audience.", "--audience")] = None,
    form: Annotated[str | None, opt("Only this form.", "--form")] = None,
    void: Annotated[bool, typer.Option("--void", help="List voided sessions instead.")] = False,
    limit: LimitOption = None, fmt: FormatOption = None, output: OutputOption = None,
    encoding: EncodingOption = None,
) -> None:
    """List sessions of a period, newest first, ending with the totals.

    Example: tongwei outreach list --from 2026-11-01 --to today --audience students
    """
    from tongwei_cli.core.words import say

    db = get_db()
    first, last = period(db, from_, to)
    reading, on_screen = screen_limit(limit, fmt, output)
    rows, notes = screen_cut(domain.list_outreach(
        db, first=first, last=last,
        station=refs(db).resolve("stations", station, "station") if station else None,
        audience=refs(db).resolve("audiences", audience, "audience") if audience else None,
        form=refs(db).resolve("forms", form, "form") if form else None,
        voided=void, limit=reading), on_screen)
    sums = domain.totals(rows)
    footer = None if notes else {
        "no": say("total.sessions", n=sums["sessions"]),
        **{k: str(v) for k, v in sums.items() if k != "sessions"}}
    emit_list(rows, LIST_COLUMNS, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
              footer=footer, notes=notes, encoding=encoding, sheet="outreach",
              drop=NARROW)


@app.command("show")
def show(session: Session, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Show one session.

    Example: tongwei outreach show XC20261127-001
    """
    from tongwei_cli.core.words import say

    db = get_db()
    record = domain.get_outreach(db, session)
    fields = [c for c in FIELDS if record.get(c.key) is not None]
    emit_record(record, fields, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
                title=say("title.outreach", no=record["no"])
                + (say("void_suffix") if record["voided"] else ""))
