"""`tongwei import KIND FILE`: bulk loading of the platform's exports and spreadsheets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import FormatOption

app = sub_app("""Load a file of records: CSV (UTF-8, UTF-8 with BOM or GB18030), XLSX or JSON.

Columns are the option names of the matching add command (`received`, `victim-phone` or
`victim_phone`…) or the platform's Chinese headers (预警编号, 预警时间, 风险等级,
手机号码, 身份证号, 管辖单位…; see data/import_headers.csv). Every row is checked first:
a file with any bad row writes nothing, and every bad row is named with its line and
column. Importing the same file again adds nothing. The summary line
(`imported 1200, unchanged 30`) goes to stdout; notes and the progress bar to stderr.

Examples:

  tongwei import warnings 预警推送_20261129.xlsx

  tongwei import followups feedback.csv --dry-run
""")

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="A .csv, .xlsx or .json file.",
                                         dir_okay=False, show_default=False)]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check everything and say what "
                                      "would be written; write nothing.")]
Update = Annotated[bool, typer.Option("--update", help="A row whose key is stored with other "
                                      "values corrects the stored record (kept in the audit "
                                      "log) instead of being refused.")]


def _run(kind: str, file: Path, dry_run: bool, update: bool, fmt: str | None) -> None:
    from tongwei_cli.imports.engine import run_import
    from tongwei_cli.render.output import status, to_json
    from tongwei_cli.render.progress import progress_bar

    db = get_db()
    bar, advance = progress_bar()
    try:
        if bar is not None:
            bar.start()
        result = run_import(db, kind, file, dry_run=dry_run, update=update, progress=advance,
                            notice=status if bar is not None else None)
    finally:
        if bar is not None:
            bar.stop()
    linked = db.memo.pop("cases_linked", 0)
    if linked:
        result.notes.insert(0, f"{linked} case(s) linked to the warning their victim's phone "
                            "or ID number matches (预警后被骗; see tongwei audit list)")
    if n := result.gave_way:
        result.notes.append(f"the import gave way {n} time(s) to another command's write,"
                            " which went first")
    for note in result.notes[:20]:
        status(f"note: {note}")
    if len(result.notes) > 20:
        status(f"note: … and {len(result.notes) - 20} more")
    if fmt and fmt.strip().lower() == "json":
        sys.stdout.write(to_json(result.as_dict()))
        return
    if fmt and fmt.strip().lower() not in ("text", "table"):
        from tongwei_cli.core.errors import InvalidValue

        raise InvalidValue(f"unknown format {fmt!r}; valid: text, json", "format")
    print(result.summary())
    if result.import_id is not None:
        status(f"import #{result.import_id}: {result.file} ({result.rows} rows)")


def _make(kind: str, title: str) -> None:
    from tongwei_cli.core import fields

    record = {"cases": fields.CASE, "events": fields.EVENT, "warnings": fields.WARNING,
              "followups": fields.FOLLOWUP, "outreach": fields.OUTREACH,
              "cards": fields.CARD_ACTION}[kind]

    def command(file: FileArg, dry_run: DryRun = False, update: Update = False,
                fmt: FormatOption = None) -> None:
        _run(kind, file, dry_run, update, fmt)

    command.__doc__ = (f"Import {title} from FILE.\n\nColumns: {', '.join(record.headers())}."
                       f"\n\nExample: tongwei import {kind} {kind}.xlsx --dry-run")
    app.command(kind)(command)


_make("cases", "fraud cases (no is required: it makes a second import add nothing)")
_make("events", "case events (matched by their content)")
_make("warnings", "early warnings")
_make("followups", "follow-ups of warnings (matched by warning, time and method)")
