"""`tongwei demo`: load the bundled synthetic sample data, to try the tool on."""

from __future__ import annotations

from tongwei_cli.commands import get_db
from tongwei_cli.render.output import status


def demo() -> None:
    """Load the bundled sample data (synthetic people only: 测试甲…, phone numbers
    1380000xxxx) from 2026-09-01 to 2026-11-28, and a campaign covering October to December,
    into the database. Loading twice adds nothing. Use a separate file for it.

    Example: tongwei --db demo.db demo && tongwei --db demo.db report daily --date 2026-11-28
    """
    from tongwei_cli.imports.sample import LAST_DAY, load_sample

    db = get_db(create=True)
    for result in load_sample(db):
        status(f"{result.kind}: {result.summary()}")
    status(f"sample data ready in {db.path}; its last day is {LAST_DAY}")
