"""`--reveal`: showing personal data in full is itself a change to the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from tongwei_cli.storage.db import Database


def record_reveal(db: Database, entity: str, keys: Sequence[str]) -> None:
    """One audit row saying who revealed the personal data of which records."""
    with db.write():
        db.audit("reveal", entity, keys[0] if len(keys) == 1 else None, None,
                 {"records": list(keys)[:1000], "count": len(keys)})
