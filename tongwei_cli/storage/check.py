"""`tongwei check`: the file, its keys, the audit chain and the domain rules.

Each rule is a named query kept as data: it returns one row per problem, with a `key`
(the record at fault) and a `detail`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tongwei_cli.storage import audit
from tongwei_cli.storage.db import Database, connect_readonly
from tongwei_cli.storage.totals import FOLLOWUPS_SAY

# name -> (tables it needs, SQL returning (key, detail) rows)
RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "recoveries within the loss": (("cases", "case_events"), """
        SELECT c.no, 'recovered ' || sum(e.amount_fen) || ' fen of a loss of ' || c.loss_fen
        FROM cases c JOIN case_events e ON e.case_id = c.id AND e.kind = 'recover'
        GROUP BY c.id HAVING sum(e.amount_fen) > c.loss_fen"""),
    "events not before the report": (("cases", "case_events"), """
        SELECT c.no, e.kind || ' on ' || e.date || ' before the report on ' || c.reported
        FROM cases c JOIN case_events e ON e.case_id = c.id WHERE e.date < c.reported"""),
    "no events on voided cases": (("cases", "case_events"), """
        SELECT c.no, e.kind || ' entered ' || coalesce(e.created_at, i.at)
               || ' after the case was voided'
        FROM cases c JOIN case_events e ON e.case_id = c.id
        LEFT JOIN imports i ON i.id = e.import_id
        WHERE c.voided = 1 AND c.updated_at IS NOT NULL
          AND coalesce(e.created_at, i.at) > c.updated_at"""),
    "case status follows its events": (("cases", "case_events"), """
        SELECT c.no, 'status ' || c.status || ' but events say ' || x.expected FROM cases c
        JOIN (SELECT c2.id, CASE
                WHEN max(e.kind = 'close') THEN 'closed'
                WHEN max(e.kind = 'solved') THEN 'solved'
                WHEN max(e.kind = 'filed') THEN 'filed' ELSE 'reported' END AS expected
              FROM cases c2 LEFT JOIN case_events e ON e.case_id = c2.id GROUP BY c2.id) x
          ON x.id = c.id
        WHERE c.status <> x.expected"""),
    "follow-ups not before their warning": (("warnings", "followups"), """
        SELECT w.no, 'follow-up at ' || strftime('%Y-%m-%dT%H:%M:%SZ', f.at, 'unixepoch')
               || ' before the warning at '
               || strftime('%Y-%m-%dT%H:%M:%SZ', w.received_at, 'unixepoch')
        FROM warnings w JOIN followups f ON f.warning_id = w.id WHERE f.at < w.received_at"""),
    # The columns kept on `warnings` for the reports (005_compact_times.sql), re-derived.
    "warnings follow their follow-ups": (("warnings", "followups"), """
        SELECT w.no, 'stored feedback ' || coalesce(w.feedback_at, '-') || ', visit '
               || coalesce(w.visited_at, '-') || ', defrauded ' || coalesce(w.defrauded_at, '-')
               || ', latest ' || coalesce(w.outcome, '-') || ' at ' || coalesce(w.outcome_at, '-')
               || ' but the follow-ups say ' || coalesce(x.feedback_at, '-') || ', '
               || coalesce(x.visited_at, '-') || ', ' || coalesce(x.defrauded_at, '-') || ', '
               || coalesce(x.outcome, '-') || ' at ' || coalesce(x.outcome_at, '-')
        FROM warnings w LEFT JOIN (""" + FOLLOWUPS_SAY.format(where="") + """) x
          ON x.warning_id = w.id
        WHERE w.feedback_at IS NOT x.feedback_at OR w.visited_at IS NOT x.visited_at
           OR w.defrauded_at IS NOT x.defrauded_at OR w.outcome IS NOT x.outcome
           OR w.outcome_at IS NOT x.outcome_at"""),
    "per-day warning totals match a recount": (("warnings", "warning_days"), """
        WITH recount AS (
            SELECT day, station, level, count(*) AS received, sum(fed_back) AS fed_back,
                   sum(on_time) AS on_time, sum(visited) AS visited,
                   sum(dissuaded) AS dissuaded, sum(defrauded) AS defrauded
            FROM warning_day_parts GROUP BY day, station, level),
        stored AS (
            SELECT day, station, level, received, fed_back, on_time, visited, dissuaded,
                   defrauded
            FROM warning_days WHERE received <> 0 OR fed_back <> 0 OR on_time <> 0
               OR visited <> 0 OR dissuaded <> 0 OR defrauded <> 0)
        SELECT 'day ' || day || ' ' || station || ' ' || level,
               'the stored totals differ from a recount of the warnings'
        FROM (SELECT * FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount)
              UNION ALL SELECT * FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored))
        GROUP BY day, station, level"""),
    "warnings know the cases that name them": (("warnings", "cases"), """
        SELECT w.no, 'linked_on ' || coalesce(w.linked_on, 'none') || ' but the cases say '
               || coalesce(x.first, 'none')
        FROM warnings w LEFT JOIN (SELECT warning, min(reported) AS first FROM cases
                                   WHERE warning IS NOT NULL AND voided = 0
                                   GROUP BY warning) x ON x.warning = w.no
        WHERE w.linked_on IS NOT x.first"""),
    "rectification deadlines after their actions": (("card_actions",), """
        SELECT no, 'deadline ' || deadline || ' not after ' || date FROM card_actions
        WHERE kind = 'rectify' AND (deadline IS NULL OR deadline <= date)"""),
    "fines have an amount": (("card_actions",), """
        SELECT no, 'a fine without an amount' FROM card_actions
        WHERE kind = 'fine' AND amount_fen IS NULL"""),
    "rectifications closed by a recheck": (("card_actions",), """
        SELECT a.no, 'closed by action ' || coalesce(r.no, a.closed_by) || ' on '
               || coalesce(a.closed_on, '-')
               || ', which is not a later recheck of the same institution on that day'
        FROM card_actions a LEFT JOIN card_actions r ON r.id = a.closed_by
        WHERE a.closed_by IS NOT NULL
          AND (r.id IS NULL OR r.kind <> 'recheck' OR r.date < a.date OR r.voided = 1
               OR r.institution_id <> a.institution_id OR a.closed_on IS NOT r.date)"""),
    "campaigns end after they start": (("campaigns",), """
        SELECT name, 'ends ' || last_day || ' before it starts ' || first_day FROM campaigns
        WHERE last_day < first_day"""),
}


def _integrity(path: Path) -> list[str]:
    """`PRAGMA integrity_check` on a connection of its own (read-only), for a thread."""
    conn = connect_readonly(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def run_checks(db: Database) -> list[str]:
    """Every problem found, one line each; an empty list means the file is clean.

    The page-by-page integrity check (a third of the time on a large file) runs on a second
    connection in a thread while this one checks keys, the audit chain and the rules:
    SQLite lets go of the GIL while it reads, so the two share the machine's cores."""
    from concurrent.futures import ThreadPoolExecutor

    try:
        db.scalar("SELECT count(*) FROM sqlite_master")  # a file SQLite cannot read at all
    except sqlite3.DatabaseError as exc:
        return [f"integrity: {exc}"]
    with ThreadPoolExecutor(1, thread_name_prefix="tongwei-check") as pool:
        pending = pool.submit(_integrity, db.path)
        try:
            problems = _keys_audit_rules(db)
        except sqlite3.DatabaseError as exc:
            problems = [f"integrity: {exc}"]
        try:
            integrity = pending.result()
        except sqlite3.DatabaseError as exc:
            integrity = [str(exc)]
    if integrity != ["ok"]:
        problems = [f"integrity: {line}" for line in integrity] + problems
    return problems


def _keys_audit_rules(db: Database) -> list[str]:
    problems: list[str] = []
    for row in db.query("PRAGMA foreign_key_check"):
        problems.append(f"foreign key: {row[0]} row {row[1]} points at a missing {row[2]}")
    checked, bad = audit.verify(db)
    if bad is not None:
        problems.append(f"audit: row {bad['id']}: {bad['problem']} "
                        f"({checked} rows before it are intact)")
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for name, (needs, sql) in RULES.items():
        if not set(needs) <= tables:
            continue
        for key, detail in db.query(sql):
            problems.append(f"{name}: {key}: {detail}")
    return problems


def summary(db: Database) -> dict[str, Any]:
    return {"rules": len(RULES), "audit_rows": db.scalar("SELECT count(*) FROM audit")}
