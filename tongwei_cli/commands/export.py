"""`tongwei export …`: the records, for a warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import FromOption, ToOption

app = sub_app("""The records, for a warehouse: Parquet datasets a province can keep side by
side with other counties' and query with DuckDB or Spark (see the README, "Warehouse").

Example: tongwei export parquet exports/通渭县 --from 2026-01-01 --to 2026-12-31
""")


@app.command("parquet")
def parquet(
    folder: Annotated[Path, typer.Argument(
        metavar="DIR", help="The county's export folder (made if missing); what an earlier "
        "export wrote there is replaced.", file_okay=False)],
    from_: FromOption = None, to: ToOption = None,
) -> None:
    """One Parquet dataset per kind of record (cases, case_events, warnings, followups,
    outreach, card_actions, restrictions) under DIR/kind=KIND/year=YEAR/, with the county's
    name ($TONGWEI_COUNTY, default 通渭县) on every row. Names, phones and ID numbers only
    masked, phones and ID numbers also as a keyed pseudonym (the same person, the same
    pseudonym: repeat victims can be counted without names). --from and --to keep the
    records dated in those days (warnings by the day received, follow-ups by their day).

    Example: tongwei export parquet exports/通渭县 --from 2026-11-01 --to 2026-11-30
    """
    import time

    from tongwei_cli.core import validate
    from tongwei_cli.core.errors import InvalidValue
    from tongwei_cli.render.output import status
    from tongwei_cli.render.parquet import write_datasets
    from tongwei_cli.reports.warehouse import DATASETS, frames
    from tongwei_cli.storage import keys

    db = get_db()
    first = validate.date_value(from_, "from", db.tz) if from_ else None
    last = validate.date_value(to, "to", db.tz, allow_future=True) if to else None
    if first and last and last < first:
        raise InvalidValue(f"{last} is before --from {first}", "to")
    keys.current(db)  # the pseudonyms are keyed: without the key, say so before writing
    started = time.perf_counter()
    with db.read():
        counts = write_datasets(folder, (
            (kind, [(c.name, c.type) for c in dataset.columns],
             frames(db, kind, first, last)) for kind, dataset in DATASETS.items()))
    seconds = time.perf_counter() - started
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    status(f"exported to {folder} in {seconds:.1f} s: {parts}")
