"""`tongwei db scrub`: remove personal data from finished records, keep every figure.

A closed (or voided) case reported before the date, a warning received before the date
that has its feedback, and a two-card restriction that ended before the date keep only
the masked form of their names, phone numbers and ID numbers. Deleted content is
overwritten (`PRAGMA secure_delete`), and the WAL is checkpointed and truncated so no
old page image keeps the data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.masking import mask_id, mask_name, mask_phone
from tongwei_cli.storage.db import Database

# table -> (which rows are finished, given :before (a local date) and :before_stamp (UTC
#           seconds),
#           {column: masking function})
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "cases": ("(status = 'closed' OR voided = 1) AND reported < :before",
              {"victim_name": mask_name, "victim_phone": mask_phone, "victim_id": mask_id}),
    "warnings": ("feedback_at IS NOT NULL AND received_at < :before_stamp",
                 {"name": mask_name, "phone": mask_phone, "id_no": mask_id}),
    "card_penalties": ("end_date < :before",
                       {"name": mask_name, "id_no": mask_id}),
}


def scrub(db: Database, before: date) -> dict[str, int]:
    """Mask the personal data of finished records older than `before`; returns rows changed
    per table."""
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    params = {"before": before.isoformat(),
              "before_stamp": clock.day_seconds(before, before, db.tz)[0]}
    db.conn.execute("PRAGMA secure_delete = ON")
    changed: dict[str, int] = {}
    with db.write():
        for table, (where, columns) in TARGETS.items():
            if table not in tables:
                continue
            names = list(columns)
            rows = db.query(f"SELECT id, {', '.join(names)} FROM {table} WHERE {where}", params)
            updates = []
            for row in rows:
                new = {c: columns[c](row[c]) if row[c] else row[c] for c in names}
                if any(new[c] != row[c] for c in names):
                    updates.append({**new, "id": row["id"]})
            if updates:
                sets = ", ".join(f"{c} = :{c}" for c in names)
                db.conn.executemany(f"UPDATE {table} SET {sets} WHERE id = :id", updates)
            changed[table] = len(updates)
        db.audit("scrub", "personal-data", before.isoformat(), None,
                 {"before": before.isoformat(), "rows": changed})
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return changed
