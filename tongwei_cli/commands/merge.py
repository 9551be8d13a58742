"""`tongwei merge FILE…`: station files into this one (imports/merge.py says how)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tongwei_cli.commands import get_db
from tongwei_cli.commands.options import FormatOption


def merge(
    files: Annotated[list[Path], typer.Argument(
        metavar="FILE...", help="Station files (made with `tongwei init --station S`) or "
        "any tongwei file.", dir_okay=False, show_default=False)],
    prefer: Annotated[str | None, typer.Option(
        "--prefer", help="Settle a conflict (a record both sides changed since the last "
        "merge) with the county's or the station's version: county or station. Without "
        "it a conflict is listed and left as it is.", show_default=False,
        metavar="county|station")] = None,
    key_file: Annotated[Path | None, typer.Option(
        "--key-file", help="The key file that holds the station file's key (`tongwei db key "
        "export` prints it as a recovery sheet; `db key import` writes a key file). "
        "Default: where any file's key is looked for, by its database id.",
        dir_okay=False, show_default=False, metavar="F")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything and say what "
                                          "would be merged; write nothing.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Merge station files into this one: each record new to the county is added, one
    the same is left, one changed on one side since the last merge of that file takes the
    changed side, and one changed on both sides differently is a conflict, listed (exit
    1) and left unless --prefer settles it. Each file is merged all or nothing, after its
    audit log and records are verified; its personal data is opened with its own key and
    sealed with the county's. Merging the same file again changes nothing.

    Examples:

      tongwei --db 平襄.db init --station 平襄

      tongwei merge 平襄.db --dry-run

      tongwei merge 平襄.db --prefer station
    """
    from tongwei_cli.core.errors import InvalidValue
    from tongwei_cli.imports.merge import PREFER, merge_file
    from tongwei_cli.render.output import status, to_json, warn

    if prefer is not None and prefer.strip().lower() not in PREFER:
        raise InvalidValue(f"{prefer!r} is not county or station", "--prefer")
    prefer = prefer.strip().lower() if prefer else None
    as_json = bool(fmt and fmt.strip().lower() == "json")
    if fmt and fmt.strip().lower() not in ("json", "text", "table"):
        raise InvalidValue(f"unknown format {fmt!r}; valid: text, json", "format")
    db = get_db()
    results = []
    for path in files:
        result = merge_file(db, path, prefer=prefer, key_file=key_file, dry_run=dry_run)
        results.append(result)
        for conflict in result.conflicts:
            if conflict.void and conflict.settled:
                status(f"conflict settled: void in the county, it stays void (the station's "
                       f"version is not taken): {conflict.line()}")
            elif conflict.void:
                warn(f"conflict, left unmerged (void in the county, it stays void whichever "
                     f"--prefer is given): {conflict.line()}")
            elif conflict.settled:
                status(f"conflict settled with the {conflict.settled}'s version: "
                       f"{conflict.line()}")
            else:
                warn(f"conflict, left unmerged: {conflict.line()}")
        for what, case, how in result.set_aside:
            if how == "skipped":
                warn(f"skipped, case {case} is void in the county: {what}")
            else:
                warn(f"merged without its case, case {case} is void in the county: {what}")
        if not as_json:
            print(result.summary())
        if result.written:
            status(f"{result.file}: database {result.database_id}, audit anchor "
                   f"{result.anchor.split(':')[0]}:{result.anchor.split(':')[1][:8]}…"
                   f"{result.anchor[-4:]}")
    if as_json:
        payload = [r.as_dict() for r in results]
        sys.stdout.write(to_json(payload[0] if len(payload) == 1 else payload))
    if any(r.left for r in results):
        raise typer.Exit(1)
