"""`tongwei report …`: the daily summary, period and campaign reports, the bulletin."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import completion, get_db, sub_app
from tongwei_cli.commands.click_api import MissingParameter, UsageError
from tongwei_cli.commands.options import (
    EncodingOption,
    FormatOption,
    FromOption,
    OutputOption,
    StationOption,
    ToOption,
)
from tongwei_cli.domain.reference import refs

app = sub_app("""Reports: the daily summary (每日一汇总), any period, a campaign, and the bulletin
paragraph the bureau publishes. Every figure is computed as of the end of the period, so a
report of a past period never changes. Formats: table, text, markdown, json, csv, html, xlsx.

Examples:

  tongwei report daily --format text | lp

  tongwei report range --from 2026-11-01 --to 2026-11-30 -o november.xlsx

  tongwei report campaign 2026年秋冬季 --format html -o campaign.html

  tongwei report daily --date yesterday -o 日报.pdf

  tongwei report bulletin --campaign 2026年秋冬季 --approx
""")

CampaignOption = Annotated[str | None, typer.Option(
    "--campaign", help="A campaign by name (or a unique prefix); see `tongwei campaign list`.",
    show_default=False, autocompletion=completion.campaigns)]


def _station(db, station: str | None) -> str | None:
    return refs(db).resolve("stations", station, "station") if station else None


def _emit(db, report, fmt, output, encoding=None) -> None:
    from tongwei_cli.render.output import REPORT_FORMATS, choose_format
    from tongwei_cli.render.report import emit_report

    if choose_format(fmt, output, REPORT_FORMATS) in ("html", "pdf") \
            and report["report"] != "bulletin":
        from datetime import date

        from tongwei_cli.reports.figures import chart_period, series

        # the page's chart, over the report's own days (a campaign's span; at least the 30
        # days up to a daily report's day): the data travels inside the report, the
        # renderer draws it
        span = chart_period(date.fromisoformat(report["from"]), date.fromisoformat(report["to"]))
        report = {**report, "series": series(db, span, report["station"])}
    emit_report(report, fmt=fmt, output=output, refs=refs(db), tz=db.tz,
                lang=db.settings.lang, encoding=encoding)


@app.command("daily")
def daily(
    day: Annotated[str | None, typer.Option(
        "--date", help="The day (YYYY-MM-DD, today, yesterday). Default: today.",
        show_default=False)] = None,
    station: StationOption = None,
    campaign: Annotated[str | None, typer.Option(
        "--campaign", help="Show this campaign's running totals. Default: the campaign "
        "covering the day, if any (of overlapping ones, the one that started last).",
        show_default=False, autocompletion=completion.campaigns)] = None,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """The daily summary: the day's figures against the day before and a year ago, the
    running totals of the campaign, the station ranking, and the warnings still without
    feedback to dispatch (masked).

    Example: tongwei report daily --date yesterday --format text -o summary.txt
    """
    from tongwei_cli.core import clock, validate
    from tongwei_cli.reports import figures as reports

    db = get_db()
    when = validate.date_value(day, "date", db.tz) if day else clock.today(db.tz)
    _emit(db, reports.daily_report(db, when, _station(db, station), campaign), fmt, output,
          encoding)


@app.command("range")
def range_(
    from_: FromOption = None, to: ToOption = None, station: StationOption = None,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """Any period of whole days: the four strands, breakdowns by fraud type, station, level
    and audience, the station ranking, and the change against the period before (环比) and
    a year earlier (同比). --from and --to are required.

    Example: tongwei report range --from 2026-11-01 --to 2026-11-30 --station 平襄
    """
    from tongwei_cli.core import validate
    from tongwei_cli.reports import figures as reports

    if from_ is None:
        raise MissingParameter(param_hint="'--from'", param_type="option")
    if to is None:
        raise MissingParameter(param_hint="'--to'", param_type="option")
    db = get_db()
    first = validate.date_value(from_, "from", db.tz)
    last = validate.date_value(to, "to", db.tz, allow_future=True)
    _emit(db, reports.range_report(db, first, last, _station(db, station)), fmt, output, encoding)


@app.command("campaign")
def campaign_(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The campaign's name.")],
    station: StationOption = None,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """The range report over a campaign's days (up to today while it runs).

    Example: tongwei report campaign 2026年秋冬季 --format markdown
    """
    from tongwei_cli.reports import figures as reports

    db = get_db()
    _emit(db, reports.campaign_report(db, name, _station(db, station)), fmt, output, encoding)


@app.command("bulletin")
def bulletin(
    campaign: CampaignOption = None, from_: FromOption = None, to: ToOption = None,
    approx: Annotated[bool, typer.Option(
        "--approx", help="Write outreach counts as the press does: 43 -> 40余次, "
        "30450 -> 30000余份 (cut to tens below 100, else to two significant digits).")]
    = False,
    station: StationOption = None,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """The paragraph the bureau publishes: cases solved, people arrested and referred,
    money recovered and frozen (万元), the warning feedback rate, outreach. Give either
    --campaign or --from and --to.

    Example: tongwei report bulletin --campaign 2026年秋冬季 --approx
    """
    from tongwei_cli.core import validate
    from tongwei_cli.reports import figures as reports

    if campaign is not None and (from_ is not None or to is not None):
        raise UsageError("give either --campaign or --from/--to, not both")
    if campaign is None:
        if from_ is None and to is None:
            raise UsageError("give --campaign NAME, or --from and --to")
        if from_ is None:
            raise MissingParameter(param_hint="'--from'", param_type="option")
        if to is None:
            raise MissingParameter(param_hint="'--to'", param_type="option")
    db = get_db()
    if campaign is not None:
        report = reports.bulletin(db, campaign_name=campaign, station=_station(db, station),
                                  rough=approx)
    else:
        report = reports.bulletin(db, first=validate.date_value(from_, "from", db.tz),
                                  last=validate.date_value(to, "to", db.tz, allow_future=True),
                                  station=_station(db, station), rough=approx)
    _emit(db, report, fmt, output, encoding)
