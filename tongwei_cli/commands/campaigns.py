"""`tongwei campaign`: named periods that reports sum over."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import completion, get_db, sub_app
from tongwei_cli.commands.options import (
    FormatOption,
    OutputOption,
    ask_missing,
    columns_of,
    with_fields,
)
from tongwei_cli.core.fields import CAMPAIGN
from tongwei_cli.domain import campaigns as domain
from tongwei_cli.render.output import Column, emit_key, emit_list, emit_record

app = sub_app("""Campaigns (专项行动): named periods that reports sum over. They may overlap.

Examples:

  tongwei campaign add 冬季攻势 --from 2026-11-01 --to 2027-01-31

  tongwei campaign list

  tongwei report campaign 冬季攻势
""")

Name = Annotated[str, typer.Argument(metavar="NAME", help="The campaign's name.",
                                     autocompletion=completion.campaigns)]

COLUMNS = [
    *columns_of(CAMPAIGN, "name", "from", "to"),
    Column("days", "int"),
    *columns_of(CAMPAIGN, "note"),
]
FIELDS = [*COLUMNS, Column("created_at", "stamp"),
          Column("created_by")]


@app.command("add")
@with_fields(CAMPAIGN, add=True, skip=("name",))
def add(name: Name, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Register a campaign; prints its name (the stored record with --format json).

    Example: tongwei campaign add "2026冬季攻势" --from 2026-11-01 --to 2027-01-31
    """
    db = get_db()
    fields = ask_missing(db, CAMPAIGN, fields)
    record = domain.add_campaign(db, name, fields["from"], fields["to"], fields["note"])
    emit_key(record["name"], record, fmt, reveal=True)  # a campaign's name is not personal


@app.command("update")
@with_fields(CAMPAIGN, add=False, help={"name": "A new name."})
def update(campaign: Name, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Correct a campaign: its name, first or last day, or note (`-` clears the note). The
    old and new values are kept in the audit log; reports over it follow.

    Example: tongwei campaign update 2026年秋冬季 --to 2027-01-31
    """
    db = get_db()
    record = domain.update_campaign(db, campaign, fields)
    emit_key(record["name"], record, fmt, reveal=True)  # a campaign's name is not personal


@app.command("remove")
def remove(name: Name, reason: Annotated[str | None, typer.Option(
        "--reason", help="Why it is removed. Required.", show_default=False)] = None,
        fmt: FormatOption = None) -> None:
    """Remove a campaign registered in error. No record belongs to a campaign, so nothing
    else changes; the audit log keeps what it was, who removed it and why.

    Example: tongwei campaign remove 2026年秋冬季 --reason 重复登记
    """
    from tongwei_cli.commands.options import need
    from tongwei_cli.core.words import say

    reason = need(reason, "--reason", "删除原因 reason")
    db = get_db()
    removed = domain.remove_campaign(db, name, reason)
    emit_key(say("removed", what=removed["name"]), removed, fmt, reveal=True)


@app.command("list")
def list_(
    covering: Annotated[str | None, typer.Option(
        "--covering", help="Only campaigns covering this day (today, YYYY-MM-DD).",
        show_default=False)] = None,
    fmt: FormatOption = None, output: OutputOption = None,
) -> None:
    """List campaigns, the latest first.

    Example: tongwei campaign list --covering today
    """
    from tongwei_cli.core import validate

    db = get_db()
    day = validate.date_value(covering, "covering", db.tz, allow_future=True) \
        if covering else None
    emit_list(domain.list_campaigns(db, covering=day), COLUMNS, fmt=fmt, output=output,
              tz=db.tz, reveal=True,  # nothing personal: `name` is the campaign's
              drop=("days",))


@app.command("show")
def show(name: Name, fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Show one campaign (a unique start of its name is enough).

    Example: tongwei campaign show 2026年秋冬季
    """
    from tongwei_cli.core.words import say

    db = get_db()
    record = domain.get_campaign(db, name)
    emit_record(record, FIELDS, fmt=fmt, output=output, tz=db.tz, reveal=True,
                title=say("title.campaign", name=record["name"]))
