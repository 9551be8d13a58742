"""`tongwei init` and `tongwei db …`: the database file itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tongwei_cli.commands import completion, get_db, sub_app
from tongwei_cli.commands.options import FormatOption, OutputOption
from tongwei_cli.core import settings
from tongwei_cli.render.output import Column, emit_record, status

app = sub_app("""The database file: where it is, what is in it, a safe copy, compaction,
and its key.

Example: tongwei db backup /mnt/usb/tongwei-2026-11-29.db
""")

key_app = sub_app("""The database's key: kept outside the file (in the per-user config folder,
or where TONGWEI_KEY_FILE says), found by the database's id. It signs the audit log and the
records' digests, and will encrypt the personal data. Without it the file can still be read
(lists, shows, reports); every change is refused.

Example: tongwei db key export -o 密钥恢复单.txt
""")
app.add_typer(key_app, name="key")


def init(
    station: Annotated[str | None, typer.Option(
        "--station", help="Make this file a police station's own: the numbers it gives "
        "(cases, outreach, supervision actions, restrictions) carry the station's code, so "
        "that the county can merge every station's file (`tongwei merge`). Code, name or "
        "unique prefix (平襄). Set once.", show_default=False,
        autocompletion=completion.reference("stations"))] = None,
) -> None:
    """Create the database (or bring an existing one up to date), load the reference data,
    and make the database's key (a key file of mode 0600 in the per-user config folder, or
    TONGWEI_KEY_FILE). Says where the key is. With --station, the file is that police
    station's own (TW20261202-PINGXIANG-001); the county merges it with `tongwei merge`.

    The only command that makes a database (and its folder): every other one refuses a
    path with no database at it.

    Examples:

      tongwei --db /srv/tongwei/county.db init

      tongwei --db 平襄.db init --station 平襄
    """
    from tongwei_cli.storage import keys

    db = get_db(create=True)
    status(f"database ready: {db.path}")
    if station is not None:
        from tongwei_cli.domain.station_file import set_station

        code, now = set_station(db, station)
        status(f"station {code}'s own file: its numbers carry {code.upper()} "
               f"(TW<date>-{code.upper()}-001)" if now else
               f"station {code}'s own file (already)")
    found = keys.identity(db)
    if found is None:
        return
    created = db.keyring.created
    if created is not None:
        status(f"key {created.key_id} of database {created.db_id} made: {created.source}; "
               "print its recovery sheet for the safe: tongwei db key export -o FILE")
        return
    try:
        key = keys.current(db)
    except keys.KeyMissing as exc:
        from tongwei_cli.render.output import warn

        warn(exc.reason)
        return
    status(f"key {key.key_id} of database {key.db_id}: {key.source}")


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
    Column("audit_rows"), Column("audit_head"), Column("audit_anchor"),
    Column("database_id"), Column("key_id"), Column("key_file"),
]


@app.command("status")
def db_status(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """Path, size, schema version, SQLite version, row counts and WAL size.

    Example: tongwei db status --format json
    """
    from tongwei_cli.storage import maintenance as dbinfo

    db = get_db()
    info = dbinfo.status(db)
    count_fields = [Column(f"rows.{t}", zh=t, en=t) for t in info["rows"]]
    emit_record(info, [*STATUS_FIELDS, *count_fields], fmt=fmt, output=output,
                title="tongwei db status")


@app.command("backup")
def backup(
    target: Annotated[str, typer.Argument(
        metavar="PATH", help="Where to write the copy; its folder must exist (it is never made).")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the database with SQLite's online backup (safe while others write), then check
    the copy.

    Example: tongwei db backup /mnt/usb/tongwei-2026-11-29.db
    """
    from tongwei_cli.storage import maintenance as dbinfo

    db = get_db()
    result = dbinfo.backup(db, target, force=force)
    status(f"backed up {result['pages']} pages to {result['path']}; copy checked: ok")
    status(f"audit anchor {result['anchor']} (keep it: tongwei audit anchor -o FILE)")
    if result["database_id"]:
        status(f"the key is not in the copy: it stays in the key file of database "
               f"{result['database_id']}; keep its recovery sheet (tongwei db key export) "
               "apart from the copy")


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

    db = get_db()
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

    db = get_db()
    day = validate.date_value(before, "before", db.tz)
    changed = run_scrub(db, day)
    status("scrubbed " + ", ".join(f"{n} {table}" for table, n in changed.items()))


@key_app.command("export")
def key_export(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the sheet to FILE (mode 0600) instead of the screen.",
        dir_okay=False, show_default=False, metavar="FILE")] = None,
) -> None:
    """Print the recovery sheet of the database's key (all its keys, the current one first):
    printable text with a checksum on every line, for the bureau's safe. `db key import`
    restores it. Recorded in the audit log.

    Example: tongwei db key export -o 密钥恢复单.txt && lp 密钥恢复单.txt && shred -u 密钥恢复单.txt
    """
    from tongwei_cli.storage import keys

    db = get_db()
    text = keys.sheet(db, printed_by=db.officer, where=str(db.path))
    with db.write():
        db.audit("key-export", "database", keys.database_id(db),
                 None, {"key_id": keys.current(db).key_id,
                        "to": str(output) if output else "screen"})
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    _write_secret(output, text)
    status(f"recovery sheet written to {output}: print it, put it in the safe, delete the "
           "file")


def _write_secret(path: Path, text: str) -> None:
    import os

    from tongwei_cli.core.errors import StorageError

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror}", "--output") from None


@key_app.command("import")
def key_import(
    sheet: Annotated[str, typer.Argument(
        metavar="FILE", help="The recovery sheet (as exported, or typed back in); - reads "
        "standard input.")],
) -> None:
    """Restore the database's key from its recovery sheet: the sheet must be this
    database's (its id) and hold its current key (the key check value); a mistyped line is
    named. The keys go to the key file (TONGWEI_KEY_FILE, else the per-user folder).

    Example: tongwei db key import 密钥恢复单.txt
    """
    import sys

    from tongwei_cli.core.errors import InvalidValue
    from tongwei_cli.storage import keys

    if sheet == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(sheet).read_text("utf-8")
        except OSError as exc:
            raise InvalidValue(f"cannot read {sheet}: {exc.strerror}", "FILE") from None
        except UnicodeDecodeError:
            raise InvalidValue(f"{sheet} is not a recovery sheet (not UTF-8 text)",
                               "FILE") from None
    db = get_db()
    target, added, key = keys.import_sheet(db, text)
    with db.write():
        db.audit("key-import", "database", key.db_id, None,
                 {"key_id": key.key_id, "key_file": str(target),
                  "keys_added": [k.key_id for k in added]})
    what = f"{len(added)} key(s) added to" if added else "the keys were already in"
    status(f"key {key.key_id} of database {key.db_id} restored: {what} {target}")


@key_app.command("rotate")
def key_rotate() -> None:
    """Give the database a new key, in one transaction: the records' digests are made
    again under it, the rotation's audit row is signed with it and carries the old key's
    endorsement. The old key stays in the key file (the rows signed before still verify
    with it); print a new recovery sheet afterwards. Refused while `tongwei check` finds a
    record that does not match its digest.

    Example: tongwei db key rotate && tongwei db key export -o 密钥恢复单.txt
    """
    from tongwei_cli.storage import keys

    db = get_db()
    old, new = keys.rotate(db)
    status(f"key of database {new.db_id} rotated: {old.key_id} -> {new.key_id} "
           f"({new.source}); print the new recovery sheet: tongwei db key export -o FILE")
