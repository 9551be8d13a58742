"""`tongwei audit …`: who changed what, when; and whether the log is intact."""

from __future__ import annotations

from pathlib import Path
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
chained to the one before and signed with the database's key (HMAC-SHA256; rows from before
keys keep their SHA-256). Anchors (row and hash of the head, as every report prints it) kept
outside the file catch a chain cut short or rebuilt.

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
              encoding=encoding, sheet="audit",
              drop=("id", "officer", "before"))


@app.command("verify")
def verify(
    anchor_file: Annotated[Path | None, typer.Option(
        "--anchor", help="A witness file written by `tongwei audit anchor -o FILE`: the "
        "chain must still pass through every anchor of this database in it.",
        dir_okay=False, show_default=False, metavar="FILE")] = None,
    head: Annotated[list[str] | None, typer.Option(
        "--head", help="An anchor as a report printed it (ROW:HASH, e.g. "
        "1234:9f3a1c2b…e07d): the chain must still pass through it. May be repeated.",
        show_default=False, metavar="N:HASH")] = None,
) -> None:
    """Check the audit chain (each row signed with the database's key, each following the
    one before) and, with --anchor or --head, that it still passes through the anchors
    recorded outside the file; exit 0 only if it does. Needs the database's key.

    Example: tongwei audit verify --anchor /mnt/usb/tongwei-anchors.txt && echo intact
    """
    from tongwei_cli.storage import keys

    db = get_db()
    anchors = [domain.parse_anchor(text) for text in head or []]
    with db.read():
        if keys.identity(db) is not None:
            keys.current(db)  # no key: one line saying which and where, exit 1
        if anchor_file is not None:
            anchors += domain.read_anchors(anchor_file, keys.database_id(db))
        checked, bad = domain.verify(db)
        if bad is None:
            bad = domain.check_anchors(db, anchors)
        tip = domain.head(db)
    if bad is not None:
        from tongwei_cli.core.words import error_line

        typer.echo(error_line(f"audit row {bad['id']}: {bad['problem']} "
                              f"({checked} rows checked)"), err=True)
        raise typer.Exit(1)
    if anchors:
        status(f"audit log intact: {checked} rows; passes through {len(anchors)} anchor(s);"
               f" anchor {tip}")
    else:
        status(f"audit log intact: {checked} rows; anchor {tip}")


@app.command("anchor")
def anchor(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Append the anchor to this witness file (kept outside the "
        "database: the backup stick, another machine). Default: print it.",
        dir_okay=False, show_default=False, metavar="FILE")] = None,
) -> None:
    """Verify the chain, then record its head -- row number and hash, with the date-time and
    the database's id -- outside the database. `audit verify --anchor FILE` later fails if
    the chain was cut short or rebuilt since, even by someone holding the key.

    Example: tongwei audit anchor -o /mnt/usb/tongwei-anchors.txt
    """
    from tongwei_cli.storage import keys

    db = get_db()
    with db.read():
        if keys.identity(db) is not None:
            keys.current(db)
        checked, bad = domain.verify(db)
        if bad is not None:
            typer.echo(f"error: audit row {bad['id']}: {bad['problem']}; no anchor written "
                       "for a broken chain", err=True)
            raise typer.Exit(1)
        info = domain.anchor(db)
    line = domain.anchor_line(info)
    if output is None or str(output) == "-":
        typer.echo(line, nl=False)
        return
    domain.append_anchor(output, info)
    status(f"anchor {info['short']} of database {info['database_id']} appended to {output}")
