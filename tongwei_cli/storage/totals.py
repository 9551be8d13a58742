"""What SQL keeps from other rows: the per-day warning totals (006_warning_days.sql), the
totals of outstanding warnings (010_outstanding.sql) and the columns of `warnings` that its
follow-ups decide (005_compact_times.sql). Written by the domain as it stores warnings and
follow-ups; recounted by `tongwei check`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from tongwei_cli.storage.db import Database

# Warnings stored after id :after, added to the per-day totals (006_warning_days.sql): one
# statement for a whole batch. Later changes of a warning are counted by triggers.
COUNT_DAYS = """
    INSERT INTO warning_days (day, station, level, received, fed_back, on_time, visited,
                              dissuaded, defrauded, latest, linked_last)
    SELECT day, station, level, count(*), sum(fed_back), sum(on_time), sum(visited),
           sum(dissuaded), sum(defrauded), max(latest), max(linked_on)
    FROM warning_day_parts
    WHERE id > :after
    GROUP BY day, station, level
    ON CONFLICT (day, station, level) DO UPDATE SET
        received = received + excluded.received,
        fed_back = fed_back + excluded.fed_back,
        on_time = on_time + excluded.on_time,
        visited = visited + excluded.visited,
        dissuaded = dissuaded + excluded.dissuaded,
        defrauded = defrauded + excluded.defrauded,
        latest = max(latest, excluded.latest),
        linked_last = CASE WHEN linked_last IS NULL THEN excluded.linked_last
                           WHEN excluded.linked_last IS NULL THEN linked_last
                           ELSE max(linked_last, excluded.linked_last) END
"""


# The same warnings added to the totals of what is outstanding (010_outstanding.sql).
COUNT_BACKLOG = """
    INSERT INTO warning_backlog (day, station, level, opened, closed, due_open, due_late,
                                 fed_back, fed_late)
    SELECT day, station, level, sum(opened), sum(closed), sum(due_open), sum(due_late),
           sum(fed_back), sum(fed_late)
    FROM warning_backlog_parts
    WHERE id > :after
    GROUP BY day, station, level
    ON CONFLICT (day, station, level) DO UPDATE SET
        opened = opened + excluded.opened, closed = closed + excluded.closed,
        due_open = due_open + excluded.due_open, due_late = due_late + excluded.due_late,
        fed_back = fed_back + excluded.fed_back, fed_late = fed_late + excluded.fed_late
"""
# (`+feedback_at`: the warnings after :after, by their ids -- not every open warning of the
# file, by the partial index of open ones, which SQLite would otherwise walk)
COUNT_OPEN = """
    INSERT INTO warning_open (station, level, open)
    SELECT station, level, count(*) FROM warnings
    WHERE id > :after AND +feedback_at IS NULL
    GROUP BY station, level
    ON CONFLICT (station, level) DO UPDATE SET open = open + excluded.open
"""


def count_days(db: Database, after: int) -> None:
    """Add the warnings stored after id `after` to the per-day totals and to the totals of
    what is outstanding."""
    db.conn.execute(COUNT_DAYS, {"after": after})
    db.conn.execute(COUNT_BACKLOG, {"after": after})
    db.conn.execute(COUNT_OPEN, {"after": after})


def _day(moment: int, offset: int) -> int:
    """`(moment + offset) / 86400` as SQLite divides integers (towards zero)."""
    value = moment + offset
    return value // 86400 if value >= 0 else -(-value // 86400)


Counts = tuple[list[tuple], list[tuple], list[tuple]]


def day_counts(offset: int, warnings: Iterable[tuple]) -> Counts:
    """What `count_days` would add for warnings not stored yet, worked out here from their
    values -- `(received_at, deadline_at, station, level, feedback_at, visited_at,
    defrauded_at, outcome, outcome_at)`, none linked to a case yet (`linked_on` is set
    once a warning is stored) -- and `offset`, that of `warning_days_zone`: the rows
    `add_counts` adds to `warning_days`, `warning_backlog` and `warning_open`, group by
    group as the views `warning_day_parts` and `warning_backlog_parts` make them. (A
    merge's forked children work them out with the warnings they check.)"""
    days: dict[tuple, list] = {}
    backlog: dict[tuple, list[int]] = {}
    still_open: dict[tuple, int] = {}
    for received, deadline, station, level, feedback, visited, defrauded, outcome, \
            outcome_at in warnings:
        fed = feedback is not None
        day = (_day(received, offset), station, level)
        row = days.get(day)
        if row is None:
            row = days[day] = [0, 0, 0, 0, 0, 0, received]
        row[0] += 1
        row[1] += fed
        row[2] += fed and feedback <= deadline
        row[3] += visited is not None
        row[4] += outcome == "dissuaded"
        row[5] += defrauded is not None
        row[6] = max(row[6], received, feedback or 0, visited or 0, defrauded or 0,
                     outcome_at or 0)
        part = backlog.setdefault(day, [0] * 6)
        part[0] += not fed
        part[1] += fed
        part = backlog.setdefault((_day(deadline, offset), station, level), [0] * 6)
        part[2] += not fed
        part[3] += fed and feedback > deadline
        if fed:
            part = backlog.setdefault((_day(feedback, offset), station, level), [0] * 6)
            part[4] += 1
            part[5] += feedback > deadline
        else:
            still_open[station, level] = still_open.get((station, level), 0) + 1
    return ([(*key, *row, None) for key, row in days.items()],
            [(*key, *row) for key, row in backlog.items()],
            [(*key, n) for key, n in still_open.items()])


def _upsert(statement: str, columns: int) -> str:
    """A `COUNT_…` statement with one row of values (`columns` of them) for its SELECT."""
    head, conflict = statement[:statement.index("SELECT")], statement.index("ON CONFLICT")
    return f"{head}VALUES ({', '.join('?' * columns)}) {statement[conflict:]}"


_ADD = (_upsert(COUNT_DAYS, 11), _upsert(COUNT_BACKLOG, 9), _upsert(COUNT_OPEN, 3))


def add_counts(db: Database, counts: Counts) -> None:
    """Add `day_counts` of warnings just stored to the totals (in place of `count_days`)."""
    for statement, rows in zip(_ADD, counts, strict=True):
        db.conn.executemany(statement, rows)


# The columns of `warnings` its follow-ups say (005_compact_times.sql): this module is
# their only writer once a warning is stored.
SAID = ("feedback_at", "visited_at", "defrauded_at", "outcome", "outcome_at")

# What a warning's follow-ups say of it, per warning (`{where}`: which follow-ups): the
# SAID columns. Also `tongwei check`'s recount of those columns.
FOLLOWUPS_SAY = (
    "SELECT f.warning_id,"
    " min(CASE WHEN f.outcome <> 'in-progress' THEN f.at END) AS feedback_at,"
    " min(CASE WHEN f.method = 'visit' THEN f.at END) AS visited_at,"
    " min(CASE WHEN f.outcome = 'defrauded' THEN f.at END) AS defrauded_at,"
    " nullif(max(CASE WHEN f.outcome <> 'in-progress' THEN f.at END),"
    "        min(CASE WHEN f.outcome <> 'in-progress' THEN f.at END)) AS outcome_at,"
    " (SELECT g.outcome FROM followups g WHERE g.warning_id = f.warning_id"
    "  AND g.outcome <> 'in-progress' ORDER BY g.at DESC, g.id DESC LIMIT 1) AS outcome"
    " FROM followups f {where} GROUP BY f.warning_id")

# Those columns refreshed for the warnings whose ids are the JSON array :ids, one statement
# for a whole batch. (Every warning refreshed has a follow-up: they are only ever added or
# corrected, never removed.)
REFRESH_WARNINGS = (
    "UPDATE warnings SET feedback_at = x.feedback_at, visited_at = x.visited_at,"
    " defrauded_at = x.defrauded_at, outcome = x.outcome, outcome_at = x.outcome_at"
    " FROM (" + FOLLOWUPS_SAY.format(
        where="WHERE f.warning_id IN (SELECT value FROM json_each(:ids))") + ") AS x"
    " WHERE warnings.id = x.warning_id")


def refresh_warnings(db: Database, warning_ids: Iterable[int]) -> None:
    ids = sorted(warning_ids)
    for start in range(0, len(ids), 5000):
        db.conn.execute(REFRESH_WARNINGS, {"ids": json.dumps(ids[start:start + 5000])})


# The warnings stored after id :after by import :import whose columns above differ from what
# their follow-ups say now: one statement (no trigger fires for those that agree).
_SAID_WRONG = (
    "SELECT w.id FROM warnings w LEFT JOIN (" + FOLLOWUPS_SAY.format(
        where="WHERE f.warning_id > :after AND f.warning_id IN"
              " (SELECT id FROM warnings WHERE id > :after AND import_id = :import)") + ") x"
    " ON x.warning_id = w.id"
    " WHERE w.id > :after AND w.import_id = :import"
    " AND (" + " OR ".join(f"w.{column} IS NOT x.{column}" for column in SAID) + ")")


def recount_said(db: Database, import_id: int, after: int) -> list[int]:
    """The warnings stored by import `import_id` (after id `after`) with what their
    follow-ups said in another file (a merge: `insert_warnings(…, said=True)`), once their
    follow-ups are stored: those whose columns differ from what their follow-ups here say
    (the other file's were wrong) are worked out again. Returns their ids."""
    ids = [r[0] for r in db.query(_SAID_WRONG, {"after": after, "import": import_id})]
    for start in range(0, len(ids), 5000):
        part = json.dumps(ids[start:start + 5000])
        db.conn.execute("UPDATE warnings SET feedback_at = NULL, visited_at = NULL,"
                        " defrauded_at = NULL, outcome = NULL, outcome_at = NULL"
                        " WHERE id IN (SELECT value FROM json_each(?))", (part,))
    refresh_warnings(db, ids)  # (those with follow-ups)
    return ids


def said_agrees(row: str) -> str:
    """The SQL of whether the warning `row` (an alias with its `id` and the columns
    FOLLOWUPS_SAY works out) says what its follow-ups in the same file say -- nothing, when
    it has none: 1 or 0, a warning at a time (two lookups by its id), as `recount_said`
    would find it. (A merge that brings every warning and every follow-up of a station file
    in, none of either here before, checks this in the station file as it reads the
    warnings, and need not recount them here.)"""
    same = " AND ".join(f"x.{column} IS {row}.{column}" for column in SAID)
    nothing = " AND ".join(f"{row}.{column} IS NULL" for column in SAID)
    says = FOLLOWUPS_SAY.format(where=f"WHERE f.warning_id = {row}.id")
    return f"coalesce((SELECT {same} FROM ({says}) x), {nothing})"
