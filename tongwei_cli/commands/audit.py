"""`tongwei audit …`: who changed what, when; and whether the log is intact."""

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
    ToOption,
    period,
    screen_cut,
    screen_limit,
)
from tongwei_cli.render.output import Column, emit_list, status
from tongwei_cli.storage import audit as domain

app = sub_app("""The append-only audit log: every change, who made it and when, each row
chained to the one before by its SHA-256.

Example: tongwei audit list --from today --officer 李警官
""")

COLUMNS = [Column("id"), Column("at", "stamp"),
           Column("officer"), Column("action"),
           Column("entity"), Column("key"),
           Column("before"), Column("after")]


@app.command("list")
def list_(from_: FromOption = None, to: ToOption = None,
          officer: Annotated[str | None, typer.Option("--officer", help="Only this officer's "
                                                      "changes.", show_default=False)] = None,
          entity: Annotated[str | None, typer.Option("--entity", help="Only this kind of "
                                                     "record (case, warning, import…).",
                                                     show_default=False)] = None,
          limit: LimitOption = None, fmt: FormatOption = None, output: OutputOption = None,
          encoding: EncodingOption = None) -> None:
    """List the audit log, oldest first (personal data in it is always masked).

    Example: tongwei audit list --from 2026-11-01 --entity case
    """

    db = get_db()
    first, last = period(db, from_, to)
    reading, on_screen = screen_limit(limit, fmt, output)
    rows, notes = screen_cut(domain.list_audit(db, first=first, last=last, officer=officer,
                                               entity=entity, limit=reading), on_screen,
                             latest=True)
    emit_list(rows, COLUMNS, fmt=fmt, output=output, tz=db.tz, notes=notes,
              encoding=encoding, sheet="audit")


@app.command("verify")
def verify() -> None:
    """Check the hash chain of the audit log; exit 0 only if it is intact.

    Example: tongwei audit verify && echo intact
    """
    db = get_db(must_exist=True)
    checked, bad = domain.verify(db)
    if bad is not None:
        from tongwei_cli.core.words import error_line

        typer.echo(error_line(f"audit row {bad['id']}: {bad['problem']} "
                              f"({checked} rows before it are intact)"), err=True)
        raise typer.Exit(1)
    status(f"audit log intact: {checked} rows, head {domain.head(db)}")
