"""`tongwei init` and `tongwei db …`: the database file itself."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import FormatOption, OutputOption
from tongwei_cli.core import settings
from tongwei_cli.render.output import Column, emit_record, status

app = sub_app("""The database file: where it is, what is in it, a safe copy, compaction.

Example: tongwei db backup /mnt/usb/tongwei-2026-11-29.db
""")


def init() -> None:
    """Create the database (or bring an existing one up to date) and load the reference data.

    Example: tongwei --db /srv/tongwei/county.db init
    """
    db = get_db()
    status(f"database ready: {db.path}")


@app.command("path")
def path() -> None:
    """Print the path of the database file in use (it need not exist yet).

    Example: tongwei db path
    """
    typer.echo(str(settings.current().db_path))


STATUS_FIELDS = [
    Column("path"), Column("size_bytes"),
    Column("wal_bytes"),
    Column("schema_version"),
    Column("sqlite_version"),
    Column("audit_rows"), Column("audit_head"),
]


@app.command("status")
def db_status(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Path, size, schema version, SQLite version, row counts and WAL size.

    Example: tongwei db status --format json
    """
    from tongwei_cli.storage import maintenance as dbinfo

    db = get_db(must_exist=True)
    info = dbinfo.status(db)
    count_fields = [Column(f"rows.{t}", zh=t, en=t) for t in info["rows"]]
    emit_record(info, [*STATUS_FIELDS, *count_fields], fmt=fmt, output=output,
                title="tongwei db status")


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(metavar="PATH", help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the database with SQLite's online backup (safe while others write), then check
    the copy.

    Example: tongwei db backup /mnt/usb/tongwei-2026-11-29.db
    """
    from tongwei_cli.storage import maintenance as dbinfo

    db = get_db(must_exist=True)
    result = dbinfo.backup(db, target, force=force)
    status(f"backed up {result['pages']} pages to {result['path']}; copy checked: ok")


@app.command("compact")
def compact() -> None:
    """Rewrite the file with every page full (SQLite's VACUUM) and report the space given
    back. Worth it after a scrub or many removals, or when records were added far out of
    date order (pages of the date indexes are then left part-empty); the records and figures
    do not change. Run it when no one else is writing (they wait up to 30 s for it, then
    are told to try again); it needs free disk space about twice the file's size.

    Example: tongwei db compact
    """
    from tongwei_cli.storage import maintenance as dbinfo

    db = get_db(must_exist=True)
    sizes = dbinfo.compact(db)
    mib = 2 ** 20
    status(f"compacted {db.path}: {sizes['before'] / mib:.1f} MiB -> "
           f"{sizes['after'] / mib:.1f} MiB")


@app.command("scrub")
def scrub(
    before: Annotated[str, typer.Option("--before", help="Scrub records finished before this "
                                        "day (YYYY-MM-DD).", show_default=False)],
) -> None:
    """Remove personal data (names, phone numbers, ID numbers) from closed cases, fed-back
    warnings and ended two-card restrictions older than a day, keeping only the masked form.
    Every figure stays as it was; the audit log says what was done.

    Example: tongwei db scrub --before 2024-01-01
    """
    from tongwei_cli.core import validate
    from tongwei_cli.storage.scrub import scrub as run_scrub

    db = get_db(must_exist=True)
    day = validate.date_value(before, "before", db.tz)
    changed = run_scrub(db, day)
    status("scrubbed " + ", ".join(f"{n} {table}" for table, n in changed.items()))
