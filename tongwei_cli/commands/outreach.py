"""`tongwei outreach`: outreach sessions (宣)."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import (
    FormatOption,
    FromOption,
    LimitOption,
    OutputOption,
    StationOption,
    ToOption,
    need,
    need_ref,
    period,
    screen_cut,
    screen_limit,
)
from tongwei_cli.domain import outreach as domain
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import TRAIL, Column, emit_key, emit_list, emit_record, warn

app = sub_app("""Outreach sessions (宣): whom a station reached, where, and how.

Examples:

  tongwei outreach add --date today --station 平襄 --audience 在校学生 --form 手拉手
  --venue 通渭县第一中学 --venue-kind school --attendees 320 --materials 500

  tongwei outreach list --from 2026-11-01 --station 平襄

  tongwei outreach void XC20261129-001 --reason 重复录入
""")

Session = Annotated[str, typer.Argument(metavar="SESSION",
                                        help="The session's number (XC…) or its --ref.")]


def _opt(help_text: str, name: str):
    return typer.Option(name, help=help_text, show_default=False)


Date = Annotated[str | None, _opt("Date of the session (YYYY-MM-DD, today, yesterday). "
                                  "Required.", "--date")]
Station = Annotated[str | None, _opt("Police station: code or name (平襄). Required.",
                                     "--station")]
Audience = Annotated[str | None, _opt("Who was reached: code, English or Chinese name (在校学生, "
                                      "elderly…). See `tongwei ref audiences`. Required.",
                                      "--audience")]
Form = Annotated[str | None, _opt("Form: hand-in-hand 手拉手, face-to-face 面对面, point-to-point "
                                  "点对点, lecture, stall, door-to-door, media. Required.",
                                  "--form")]
Venue = Annotated[str | None, _opt("Where: the place's name. Required.", "--venue")]
VenueKind = Annotated[str | None, _opt("Kind of place: school, enterprise, village, bank… "
                                       "See `tongwei ref venues`.", "--venue-kind")]
Attendees = Annotated[str | None, _opt("People reached (whole number). Required.",
                                       "--attendees")]
Materials = Annotated[str | None, _opt("Leaflets and other materials handed out. Required.",
                                       "--materials")]
Ref = Annotated[str | None, _opt("The centre's own number for the session (unique).", "--ref")]
Note = Annotated[str | None, _opt("A note.", "--note")]
Posters = Annotated[str | None, _opt("Posters put up.", "--posters")]
Videos = Annotated[str | None, _opt("Videos played.", "--videos")]
AppInstalls = Annotated[str | None, _opt("Anti-fraud app installs (国家反诈中心APP).",
                                         "--app-installs")]
NoticesSigned = Annotated[str | None, _opt("Anti-fraud notices signed (反诈告知书).",
                                           "--notices-signed")]

FIELDS = [
    Column("no", "编号", "No."),
    Column("ref", "中心编号", "Ref"),
    Column("date", "日期", "Date"),
    Column("station", "派出所", "Station", "ref:stations"),
    Column("audience", "宣传对象", "Audience", "ref:audiences"),
    Column("form", "形式", "Form", "ref:forms"),
    Column("venue", "地点", "Venue"),
    Column("venue_kind", "场所类型", "Venue kind", "ref:venues"),
    Column("attendees", "受众(人)", "Attendees"),
    Column("materials", "资料(份)", "Materials"),
    Column("posters", "海报(张)", "Posters"),
    Column("videos", "视频(次)", "Videos"),
    Column("app_installs", "APP安装(人)", "App installs"),
    Column("notices_signed", "告知书签署(份)", "Notices signed"),
    Column("note", "备注", "Note"),
    *TRAIL,
]
LIST_COLUMNS = [
    Column("no", "编号", "No."),
    Column("date", "日期", "Date"),
    Column("station", "派出所", "Station", "ref:stations"),
    Column("audience", "宣传对象", "Audience", "ref:audiences"),
    Column("form", "形式", "Form", "ref:forms"),
    Column("venue", "地点", "Venue"),
    Column("attendees", "受众(人)", "Attendees", "int"),
    Column("materials", "资料(份)", "Materials", "int"),
    Column("posters", "海报", "Posters", "int"),
    Column("videos", "视频", "Videos", "int"),
    Column("app_installs", "APP安装", "App installs", "int"),
    Column("notices_signed", "告知书", "Notices", "int"),
]


def _fields(**values: str | None) -> dict[str, str | None]:
    return values


@app.command("add")
def add(
    date: Date = None, station: Station = None, audience: Audience = None, form: Form = None,
    venue: Venue = None, venue_kind: VenueKind = None, attendees: Attendees = None,
    materials: Materials = None, ref: Ref = None, note: Note = None, posters: Posters = None,
    videos: Videos = None, app_installs: AppInstalls = None,
    notices_signed: NoticesSigned = None, fmt: FormatOption = None,
) -> None:
    """Register an outreach session; prints its number (the stored record with --format json).

    Example: tongwei outreach add --date today --station 平襄 --audience 老年人 --form 面对面
    --venue 平襄镇广场 --venue-kind community --attendees 80 --materials 200
    """
    db = get_db()
    date = need(date, "--date", "日期 date")
    station = need_ref(db, station, "stations", "--station", "派出所 station")
    audience = need_ref(db, audience, "audiences", "--audience", "宣传对象 audience")
    form = need_ref(db, form, "forms", "--form", "形式 form")
    venue = need(venue, "--venue", "地点 venue")
    attendees = need(attendees, "--attendees", "受众人数 attendees")
    materials = need(materials, "--materials", "发放资料 materials")
    record, warnings = domain.add_outreach(db, _fields(
        date=date, station=station, audience=audience, form=form, venue=venue,
        venue_kind=venue_kind, attendees=attendees, materials=materials, ref=ref, note=note,
        posters=posters, videos=videos, app_installs=app_installs,
        notices_signed=notices_signed))
    for line in warnings:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("update")
def update(
    session: Session,
    date: Annotated[str | None, _opt("Date of the session.", "--date")] = None,
    station: Annotated[str | None, _opt("Police station.", "--station")] = None,
    audience: Annotated[str | None, _opt("Audience.", "--audience")] = None,
    form: Annotated[str | None, _opt("Form.", "--form")] = None,
    venue: Annotated[str | None, _opt("Venue.", "--venue")] = None,
    venue_kind: VenueKind = None,
    attendees: Annotated[str | None, _opt("People reached.", "--attendees")] = None,
    materials: Annotated[str | None, _opt("Materials handed out.", "--materials")] = None,
    ref: Ref = None, note: Note = None, posters: Posters = None, videos: Videos = None,
    app_installs: AppInstalls = None, notices_signed: NoticesSigned = None,
    fmt: FormatOption = None,
) -> None:
    """Correct a session. Give only the fields that change; `-` clears an optional one. The
    old and new values are kept in the audit log.

    Example: tongwei outreach update XC20261129-001 --attendees 350 --videos 2
    """
    db = get_db()
    record = domain.update_outreach(db, session, _fields(
        date=date, station=station, audience=audience, form=form, venue=venue,
        venue_kind=venue_kind, attendees=attendees, materials=materials, ref=ref, note=note,
        posters=posters, videos=videos, app_installs=app_installs,
        notices_signed=notices_signed))
    emit_key(record["no"], record, fmt)


@app.command("void")
def void(
    session: Session,
    reason: Annotated[str | None, _opt("Why the session is withdrawn. Required.",
                                       "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Withdraw a session entered in error: it is kept, marked void, and counted nowhere.

    Example: tongwei outreach void XC20261129-001 --reason 重复录入
    """
    reason = need(reason, "--reason", "撤销原因 reason")
    db = get_db()
    record = domain.void_outreach(db, session, reason)
    emit_key(record["no"], record, fmt)


@app.command("list")
def list_(
    from_: FromOption = None, to: ToOption = None, station: StationOption = None,
    audience: Annotated[str | None, _opt("Only this audience.", "--audience")] = None,
    form: Annotated[str | None, _opt("Only this form.", "--form")] = None,
    void: Annotated[bool, typer.Option("--void", help="List voided sessions instead.")] = False,
    limit: LimitOption = None, fmt: FormatOption = None, output: OutputOption = None,
) -> None:
    """List sessions of a period, newest first, ending with the totals.

    Example: tongwei outreach list --from 2026-11-01 --to today --audience students
    """
    from tongwei_cli.core.words import pick

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
        "no": pick(f"合计 {sums['sessions']} 场", f"{sums['sessions']} sessions"),
        **{k: str(v) for k, v in sums.items() if k != "sessions"}}
    emit_list(rows, LIST_COLUMNS, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
              footer=footer, notes=notes)


@app.command("show")
def show(session: Session, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Show one session.

    Example: tongwei outreach show XC20261129-001
    """
    from tongwei_cli.core.words import pick

    db = get_db()
    record = domain.get_outreach(db, session)
    fields = [c for c in FIELDS if record.get(c.key) is not None]
    emit_record(record, fields, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
                title=pick(f"宣传活动 {record['no']}", f"Outreach session {record['no']}")
                + (pick("（已撤销）", " (void)") if record["voided"] else ""))
