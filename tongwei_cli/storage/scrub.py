"""`tongwei db scrub`: remove personal data from finished records, keep every figure.

A closed (or voided) case reported before the date, a warning received before the date
that has its feedback, and a two-card restriction that ended before the date keep only
the masked form of their names, phone numbers and ID numbers. Their free text -- a case's
summary and its events' notes, a warning's source and note and its follow-ups' notes,
reasons for voiding -- keeps its words but not the phone and ID numbers typed into it
(`mask_free_text`: stored so since migration 014), and the text as typed, sealed beside it
(`<column>_enc`), goes; so does that of outreach sessions, two-card actions and campaigns
over before the date. Deleted content is overwritten (`PRAGMA secure_delete`),
and the WAL is checkpointed and truncated so no old page image keeps the data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.masking import mask_free_text, mask_id, mask_name, mask_phone
from tongwei_cli.storage.db import Database
from tongwei_cli.storage.personal import FREE, TABLES

FINISHED_CASES = "(status = 'closed' OR voided = 1) AND reported < :before"
FINISHED_WARNINGS = "feedback_at IS NOT NULL AND received_at < :before_stamp"

# table -> (which rows are finished, given :before (a local date) and :before_stamp (UTC
#           seconds),
#           {column: masking function})
TARGETS: dict[str, tuple[str, dict[str, Any]]] = {
    "cases": (FINISHED_CASES,
              {"victim_name": mask_name, "victim_phone": mask_phone, "victim_id": mask_id,
               "summary": mask_free_text, "void_reason": mask_free_text}),
    "case_events": (f"case_id IN (SELECT id FROM cases WHERE {FINISHED_CASES})",
                    {"note": mask_free_text}),
    "warnings": (FINISHED_WARNINGS,
                 {"name": mask_name, "phone": mask_phone, "id_no": mask_id,
                  "source": mask_free_text, "note": mask_free_text}),
    "followups": (f"warning_id IN (SELECT id FROM warnings WHERE {FINISHED_WARNINGS})",
                  {"note": mask_free_text}),
    "card_penalties": ("end_date < :before",
                       {"name": mask_name, "id_no": mask_id, "note": mask_free_text,
                        "void_reason": mask_free_text}),
    # No personal fields, but free text a number can be typed into. (A reference, `ref`, is
    # a key that re-imports look up: left as it is.)
    "outreach": ("date < :before",
                 {"venue": mask_free_text, "note": mask_free_text,
                  "void_reason": mask_free_text}),
    # (A rectification still waiting for its re-check is not finished.)
    "card_actions": ("date < :before AND (kind <> 'rectify' OR closed_by IS NOT NULL"
                     " OR voided = 1)",
                     {"note": mask_free_text, "void_reason": mask_free_text}),
    "campaigns": ("last_day < :before", {"note": mask_free_text}),
}


def _cleared(_value: Any) -> None:
    return None


# The ciphertext and blind index of each personal column go (`storage.personal`): the
# masked form is all that stays of a finished record's person, even for the key's holder.
for _table, _columns in TABLES.items():
    for _column in _columns:
        TARGETS[_table][1].update({_column + "_enc": _cleared, _column + "_bi": _cleared})
# And the text as typed of each free text (`storage.personal`): only its masked form stays.
for _table, _names in FREE.items():
    for _column in _names:
        TARGETS[_table][1].update({_column: mask_free_text, _column + "_enc": _cleared})


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
