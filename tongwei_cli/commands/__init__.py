"""Command sub-apps, one per strand. Each module exposes `app` (a Typer) or `register`."""

from __future__ import annotations

import sqlite3
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from tongwei_cli import settings
from tongwei_cli.errors import RowErrors, TongweiError

if TYPE_CHECKING:
    from tongwei_cli.db import Database

_open: list[Database] = []


def get_db(must_exist: bool = False) -> Database:
    """The database of this invocation, opened (and migrated) once."""
    from tongwei_cli.db import open_db

    if _open:
        return _open[0]
    db = open_db(settings.current(), must_exist=must_exist)
    _open.append(db)
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(close_db)
    return db


def close_db() -> None:
    while _open:
        _open.pop().close()


def report_error(exc: TongweiError) -> None:
    if isinstance(exc, RowErrors):
        print(f"error: {exc.reason}; nothing was written", file=sys.stderr)
        for line in exc.lines():
            print(f"  {line}", file=sys.stderr)
        return
    print(f"error: {exc}", file=sys.stderr)


class TongweiGroup(TyperGroup):
    """Turns our exceptions into `error: --field: reason` and exit status 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TongweiError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except sqlite3.Error as exc:
            from tongwei_cli.db import describe_sqlite_error

            print(f"error: database: {describe_sqlite_error(exc)}", file=sys.stderr)
            raise typer.Exit(1) from None


def sub_app(help_text: str) -> typer.Typer:
    return typer.Typer(cls=TongweiGroup, help=help_text, no_args_is_help=True,
                       pretty_exceptions_enable=False, rich_markup_mode=None,
                       context_settings={"help_option_names": ["-h", "--help"]})


def register(app: typer.Typer) -> None:
    from tongwei_cli.commands import audit, cases, check, db, ref

    db.register(app)
    app.add_typer(ref.app, name="ref")
    app.add_typer(cases.app, name="case")
    app.add_typer(audit.app, name="audit")

    from tongwei_cli.commands import imports, warnings

    app.add_typer(warnings.app, name="warning")
    app.add_typer(imports.app, name="import")
    check.register(app)

    from tongwei_cli.commands import campaigns, cards, outreach

    app.add_typer(outreach.app, name="outreach")
    app.add_typer(cards.app, name="cards")
    app.add_typer(campaigns.app, name="campaign")
    imports._make("outreach", "outreach sessions (matched by ref, or by content without one)",
                  "date, station, audience, form, venue, venue-kind, attendees, materials, "
                  "ref, note, posters, videos, app-installs, notices-signed")
    imports._make("cards", "two-card supervision actions (matched by content; institutions "
                  "registered on first use)", "date, institution, kind, institution-kind, "
                  "amount, deadline, note, station")

    from tongwei_cli.commands import reports

    app.add_typer(reports.app, name="report")
