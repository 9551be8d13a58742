"""`tongwei check`: the file, its keys, the audit chain, the records against their digests,
the triggers that guard them, and the domain rules.

Each rule is a named query kept as data: it returns one row per problem, with a `key`
(the record at fault) and a `detail`.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path
from typing import Any

from tongwei_cli.storage import audit, digests, keys, personal
from tongwei_cli.storage.db import SQL_DIR, Database, connect_readonly
from tongwei_cli.storage.totals import FOLLOWUPS_SAY


def _recount(table: str, keys: tuple[str, ...], counts: tuple[str, ...], detail: str) -> str:
    """A rule comparing the per-day totals `table` with a recount of its view
    `<table minus s>_parts` (015_day_totals.sql): one row per key that differs (rows that
    count nothing are left out on both sides)."""
    view = table.removesuffix("s") + "_parts"
    key, nonzero = ", ".join(keys), " OR ".join(f"{c} <> 0" for c in counts)
    sums = ", ".join(f"sum({c}) AS {c}" for c in counts)
    return f"""
        WITH recount AS (
            SELECT * FROM (SELECT {key}, {sums} FROM {view} GROUP BY {key})
            WHERE {nonzero}),
        stored AS (SELECT {key}, {", ".join(counts)} FROM {table} WHERE {nonzero})
        SELECT {" || ' ' || ".join(keys)}, '{detail}'
        FROM (SELECT * FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount)
              UNION ALL SELECT * FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored))
        GROUP BY {key}"""


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
    # The totals of what is outstanding (010_outstanding.sql), recounted.
    "outstanding warning totals match a recount": (("warnings", "warning_backlog"), """
        WITH recount AS (
            SELECT day, station, level, sum(opened) AS opened, sum(closed) AS closed,
                   sum(due_open) AS due_open, sum(due_late) AS due_late,
                   sum(fed_back) AS fed_back, sum(fed_late) AS fed_late
            FROM warning_backlog_parts GROUP BY day, station, level
            HAVING sum(opened) <> 0 OR sum(closed) <> 0 OR sum(due_open) <> 0
                OR sum(due_late) <> 0 OR sum(fed_back) <> 0 OR sum(fed_late) <> 0),
        stored AS (
            SELECT day, station, level, opened, closed, due_open, due_late, fed_back, fed_late
            FROM warning_backlog WHERE opened <> 0 OR closed <> 0 OR due_open <> 0
               OR due_late <> 0 OR fed_back <> 0 OR fed_late <> 0)
        SELECT 'day ' || day || ' ' || station || ' ' || level,
               'the stored counts of open and overdue warnings differ from a recount'
        FROM (SELECT * FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount)
              UNION ALL SELECT * FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored))
        GROUP BY day, station, level"""),
    "open warning totals match a recount": (("warnings", "warning_open"), """
        WITH recount AS (
            SELECT station, level, count(*) AS open FROM warnings
            WHERE feedback_at IS NULL GROUP BY station, level),
        stored AS (SELECT station, level, open FROM warning_open WHERE open <> 0)
        SELECT station || ' ' || level,
               'the stored count of open warnings differs from a recount'
        FROM (SELECT * FROM (SELECT * FROM stored EXCEPT SELECT * FROM recount)
              UNION ALL SELECT * FROM (SELECT * FROM recount EXCEPT SELECT * FROM stored))
        GROUP BY station, level"""),
    # The per-day totals of cases, events, outreach and two-card actions (015_day_totals.sql).
    "per-day case totals match a recount": (("cases", "case_events", "case_days"), _recount(
        "case_days", ("day", "station", "type"),
        ("reported", "loss_fen", "events", "solved", "arrested", "prosecuted",
         "recovered_fen", "frozen_fen", "stopped_fen"),
        "the stored totals differ from a recount of the cases and their events")),
    "per-day outreach totals match a recount": (("outreach", "outreach_days"), _recount(
        "outreach_days", ("day", "station", "audience", "form"),
        ("sessions", "attendees", "materials"),
        "the stored totals differ from a recount of the sessions")),
    "per-day two-card totals match a recount": (("card_actions", "card_days"), _recount(
        "card_days", ("day", "station", "kind"), ("actions", "fines_fen"),
        "the stored totals differ from a recount of the actions")),
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
    problems += triggers(db)
    signed = keys.identity(db) is not None
    key = None
    if signed:
        try:
            key = keys.current(db)
        except keys.KeyMissing as exc:
            problems.append(f"key: {exc.reason} (the audit chain and the records' digests "
                            "cannot be checked without it)")
        else:
            problems += key_file_mode(key)
    if key is not None or not signed:
        try:
            checked, bad = audit.verify(db)
        except keys.KeyMissing as exc:
            problems.append(f"audit: {exc.reason}")
        else:
            if bad is not None:
                problems.append(f"audit: row {bad['id']}: {bad['problem']} "
                                f"({checked} rows before it are intact)")
    if key is not None:
        db.use_key(key)
        problems += [f"records: {line}" for line in digests.verify_records(db)]
        problems += state(db)
    for column, n in personal.in_the_clear(db):
        problems.append(f"personal data: {column}: {n} value(s) stored in the clear, not "
                        "masked (written outside tongwei)")
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for name, (needs, sql) in RULES.items():
        if not set(needs) <= tables:
            continue
        for key, detail in db.query(sql):
            problems.append(f"{name}: {key}: {detail}")
    return problems


def state(db: Database) -> list[str]:
    """The records' digests together must be the state the last audit row sealed: a record
    removed with its digest, a digest made with the key but without an audit row, or audit
    rows cut from the end, all show here."""
    row = db.one("SELECT id, state FROM audit WHERE key_id IS NOT NULL ORDER BY id DESC"
                 " LIMIT 1")
    if row is None or row[1] is None:
        return []
    if digests.state(db) != int(row[1], 16):
        return [f"records: they are not the records as audit row {row[0]} left them (a "
                "record removed together with its digest, a change made with the key but "
                "without an audit row, or audit rows cut from the end)"]
    return []


def key_file_mode(key: keys.Key) -> list[str]:
    """A key file others can read gives the key away."""
    if key.source is None:
        return []
    try:
        mode = key.source.stat().st_mode & 0o777
    except OSError:
        return []
    if mode & 0o007:
        return [f"key: {key.source} can be read by every user (mode {mode:04o}): "
                f"chmod 600 {key.source}"]
    return []


def expected_triggers(db: Database) -> dict[str, str]:
    """The triggers the migrations made (read from `sql/*.sql`: the last CREATE of each
    name, less those dropped or on tables dropped since) and those of the record digests."""
    from tongwei_cli.storage.db import applied_migrations

    out = dict(_made_by(tuple(applied_migrations(db.conn))))
    if digests.enabled(db):
        out.update(digests.expected_triggers(db))
    return out


@functools.lru_cache(maxsize=4)
def _made_by(migrations: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The triggers `migrations` leave, `(name, CREATE statement)`: parsed once a process
    (a check runs often in one: the tests, the stateful model)."""
    from tongwei_cli.storage.migrations import statements

    made: dict[str, tuple[str, str]] = {}
    for name in migrations:
        path = SQL_DIR / f"{name}.sql"
        if not path.exists():
            continue
        for statement in statements(path.read_text("utf-8")):
            text = _uncommented(statement)
            create = _CREATE_TRIGGER.match(text)
            if create:
                made[create.group(1).lower()] = (create.group(2).lower(), text)
                continue
            dropped = _DROP.match(text)
            if dropped and dropped.group(1).upper() == "TRIGGER":
                made.pop(dropped.group(2).lower(), None)
            elif dropped:
                gone = dropped.group(2).lower()
                made = {k: v for k, v in made.items() if v[0] != gone}
            renamed = _RENAME.match(text)
            if renamed:
                old, new = renamed.group(1).lower(), renamed.group(2).lower()
                made = {k: (new if t == old else t, sql) for k, (t, sql) in made.items()}
    return tuple((name, sql) for name, (_, sql) in made.items())


_CREATE_TRIGGER = re.compile(r"CREATE\s+TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)\s.*?\bON\s+"
                             r"(\w+)", re.I | re.S)
_DROP = re.compile(r"DROP\s+(TABLE|TRIGGER)\s+(?:IF\s+EXISTS\s+)?(\w+)", re.I)
_RENAME = re.compile(r"ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)", re.I)


def _uncommented(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines()
                     if not line.strip().startswith("--")).strip().rstrip(";").strip()


def _normal(sql: str) -> str:
    return " ".join(_uncommented(sql).split()).lower()


def triggers(db: Database) -> list[str]:
    """Each trigger that guards the audit log or the records, or keeps what the reports
    read, that was dropped or changed."""
    present = {r[0].lower(): r[1] or "" for r in db.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    problems = []
    for name, sql in expected_triggers(db).items():
        if name not in present:
            problems.append(f"trigger: {name} is missing (dropped outside tongwei): changes "
                            "it guards or keeps are no longer checked")
        elif _normal(present[name]) != _normal(sql):
            problems.append(f"trigger: {name} was changed outside tongwei")
    return problems


def summary(db: Database) -> dict[str, Any]:
    records = db.scalar("SELECT count(*) FROM record_digests") if digests.enabled(db) else 0
    return {"rules": len(RULES), "audit_rows": db.scalar("SELECT count(*) FROM audit"),
            "records": records}
