"""The figures of PRODUCT.md's "Meaning of the figures", computed in SQL.

Every figure of a period `[first, last]` (whole local days) is computed as of the end of
`last` -- or as of now, while that end is still ahead -- so a report of a past period never
changes when it is run again later. Voided records count nowhere; a station filter applies
to everything.

The queries are kept as data (`QUERIES`, as github-to-sqlite keeps its `VIEWS`). Each one
groups by the finest keys a breakdown needs (station and fraud type, station and level,
station and audience, station and kind); totals and breakdowns are sums of those few group
rows, and rates are computed from the sums. Nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.masking import mask_record
from tongwei_cli.domain.reference import refs
from tongwei_cli.storage.db import Database

# -- the queries ----------------------------------------------------------------------------
# Parameters: :first, :last (local dates, inclusive), :start, :end (UTC seconds of the start
# of `first` and of the day after `last`), :as_of (UTC seconds: min(:end, now)), :station.
#
# A warning's figures all come from the covering index warnings_received: what its
# follow-ups and the cases naming it say is kept on the warning (005_compact_times.sql).
# `dissuaded` wants the latest feedback *by the end of the period*: the stored `outcome` is
# the latest of all, right unless a later feedback (`outcome_at`) came after :as_of -- then,
# rarely, the follow-ups are asked.

# Counted with FILTER clauses: each row is tested once per figure, without the CASE and
# float arithmetic of total(...) -- half the time on a long period. `open` is what was not
# fed back by :as_of, so the received less the fed back.
_WARNING_FIGURES = """
               count(*) AS received,
               count(*) FILTER (WHERE w.feedback_at < :as_of) AS fed_back,
               count(*) FILTER (WHERE w.feedback_at < :as_of
                                  AND w.feedback_at <= w.deadline_at) AS on_time,
               count(*) FILTER (WHERE w.visited_at < :as_of) AS visited,
               count(*) FILTER (WHERE w.feedback_at < :as_of AND CASE
                   WHEN w.outcome_at IS NULL OR w.outcome_at < :as_of
                   THEN w.outcome = 'dissuaded'
                   ELSE (SELECT f.outcome FROM followups f
                         WHERE f.warning_id = w.id AND f.at < :as_of
                           AND f.outcome <> 'in-progress'
                         ORDER BY f.at DESC, f.id DESC LIMIT 1) = 'dissuaded' END) AS dissuaded,
               count(*) FILTER (WHERE w.defrauded_at < :as_of OR w.linked_on <= :last)
                   AS defrauded,
               count(*) - count(*) FILTER (WHERE w.feedback_at < :as_of) AS open,
               count(*) FILTER (WHERE (w.feedback_at IS NULL OR w.feedback_at >= :as_of)
                                  AND w.deadline_at < :as_of) AS overdue
        FROM warnings w INDEXED BY warnings_received
        WHERE w.received_at >= :start AND w.received_at < :end
          AND (:station IS NULL OR w.station = :station)
"""

_CASE_SUMS = """
               sum(reported) AS reported, sum(loss_fen) AS loss_fen, sum(events) AS events,
               sum(solved) AS solved, sum(arrested) AS arrested, sum(prosecuted) AS prosecuted,
               sum(recovered_fen) AS recovered_fen, sum(frozen_fen) AS frozen_fen,
               sum(stopped_fen) AS stopped_fen
        FROM case_days
        WHERE day >= :first AND day <= :last AND (:station IS NULL OR station = :station)
"""

# The per-day totals of whole zone days d0 <= day < d1 (006_warning_days.sql), and the
# warnings still open and past their deadline, which are counted afresh (the clock alone
# makes a warning overdue).
_DAY_SUMS = """
               sum(received) AS received, sum(fed_back) AS fed_back, sum(on_time) AS on_time,
               sum(visited) AS visited, sum(dissuaded) AS dissuaded, sum(defrauded) AS defrauded,
               max(latest) AS latest, max(linked_last) AS linked_last
        FROM warning_days
        WHERE day >= :d0 AND day < :d1 AND (:station IS NULL OR station = :station)
"""
_OVERDUE = """
        FROM warnings w INDEXED BY warnings_received
        WHERE w.feedback_at IS NULL AND w.received_at >= :start AND w.received_at < :end
          AND w.deadline_at < :as_of AND (:station IS NULL OR w.station = :station)
"""

QUERIES: dict[str, str] = {
    # The case figures -- cases reported in the period (count, loss) and events dated in it
    # (solved, arrested, prosecuted, recovered, frozen, stopped), of cases not voided, each
    # event under its case's station and type -- from the per-day totals of
    # 015_day_totals.sql (exact for any whole days: nothing in them depends on the moment).
    # A station and type are listed when a case or an event of the six kinds is counted.
    "cases": """
        SELECT station, type,""" + _CASE_SUMS + """
        GROUP BY station, type
        HAVING sum(reported) <> 0 OR sum(events) <> 0
    """,
    # Totals only (a comparison period, a campaign's running totals).
    "cases_total": """
        SELECT :station AS station, NULL AS type,""" + _CASE_SUMS,
    # The warnings received in the period and their state as of :as_of, from the covering
    # index warnings_received (named: the planner must not read the table for the GROUP BY).
    "warnings": """
        SELECT w.station AS station, w.level AS level,""" + _WARNING_FIGURES + """
        GROUP BY w.station, w.level
    """,
    # The same, totals only (a comparison period, a campaign's running totals): without the
    # GROUP BY's sort, a third faster on a long period.
    "warnings_total": """
        SELECT :station AS station, NULL AS level,""" + _WARNING_FIGURES,
    # Outreach sessions dated in the period, not voided (015_day_totals.sql).
    "outreach": """
        SELECT station, audience, form, sum(sessions) AS sessions,
               sum(attendees) AS attendees, sum(materials) AS materials
        FROM outreach_days
        WHERE day >= :first AND day <= :last AND (:station IS NULL OR station = :station)
        GROUP BY station, audience, form
        HAVING sum(sessions) <> 0
    """,
    # Two-card supervision actions dated in the period, not voided (015_day_totals.sql;
    # station '' for an action of no station).
    "cards": """
        SELECT nullif(station, '') AS station, kind, sum(actions) AS actions,
               sum(fines_fen) AS fines_fen
        FROM card_days
        WHERE day >= :first AND day <= :last AND (:station IS NULL OR station = :station)
        GROUP BY station, kind
        HAVING sum(actions) <> 0
    """,
    "warning_days": """
        SELECT station, level,""" + _DAY_SUMS + """
        GROUP BY station, level
    """,
    "warning_days_total": """
        SELECT :station AS station, NULL AS level,""" + _DAY_SUMS,
    "overdue": """
        SELECT w.station, w.level, count(*)""" + _OVERDUE + """
        GROUP BY w.station, w.level
    """,
    "overdue_total": """
        SELECT NULL, NULL, count(*)""" + _OVERDUE,
    # What is outstanding at the end of the period (010_outstanding.sql): the open warnings
    # now, and the day totals after the period's last day (:d), taken off them.
    "open_now": """
        SELECT total(open) FROM warning_open WHERE (:station IS NULL OR station = :station)
    """,
    "backlog_open": """
        SELECT station, level, open FROM warning_open
        WHERE open <> 0 AND (:station IS NULL OR station = :station)
    """,
    "backlog_after": """
        SELECT station, level, sum(opened) AS opened, sum(closed) AS closed,
               sum(due_open) AS due_open, sum(due_late) AS due_late,
               sum(fed_back) AS fed_back, sum(fed_late) AS fed_late
        FROM warning_backlog
        WHERE day > :d AND (:station IS NULL OR station = :station)
        GROUP BY station, level
    """,
    # Today: the open warnings whose deadline is still ahead today (a few hours of
    # deadlines, one range of warnings_open per station).
    "backlog_due_today": """
        SELECT w.station, w.level, count(*) FROM warnings w INDEXED BY warnings_open
        WHERE w.feedback_at IS NULL
          AND w.station IN (SELECT code FROM stations WHERE :station IS NULL OR code = :station)
          AND w.deadline_at >= :as_of AND w.deadline_at < :end
        GROUP BY w.station, w.level
    """,
    # The same counted from the warnings themselves, where the day totals cannot answer
    # (days not on the zone's midnights: a summer-time zone).
    "backlog_scan": """
        SELECT w.station, w.level,
               count(*) AS outstanding,
               count(*) FILTER (WHERE w.deadline_at < :as_of) AS overdue
        FROM warnings w
        WHERE w.received_at < :end AND (w.feedback_at IS NULL OR w.feedback_at >= :as_of)
          AND (:station IS NULL OR w.station = :station)
        GROUP BY w.station, w.level
    """,
    # The dispatch list, one station at a time: warnings received by the end of the period
    # and without feedback as of :as_of, by deadline. Those without feedback now, in the
    # station's range of warnings_open, at most :limit of them (the count from the totals,
    # so that the walk stops when the last one is found) ...
    # (Their deadlines first, from the index alone; then the rows up to the deadline of
    # the :limit-th of all stations -- only the rows shown, and any sharing that deadline,
    # are read from the table.)
    "dispatch_open_deadlines": """
        SELECT w.deadline_at FROM warnings w INDEXED BY warnings_open
        WHERE w.feedback_at IS NULL AND w.station = :code AND w.received_at < :end
        ORDER BY w.deadline_at
        LIMIT :limit
    """,
    "dispatch_open": """
        SELECT w.no, w.received_at, w.level, w.station, w.deadline_at, w.kind, w.type,
               w.phone, w.name
        FROM warnings w INDEXED BY warnings_open
        WHERE w.feedback_at IS NULL AND w.station = :code AND w.received_at < :end
          AND w.deadline_at <= :cut
        ORDER BY w.deadline_at, w.no
        LIMIT :limit
    """,
    # ... and, for a period that has ended, those fed back only after its end (open then),
    # read from that moment on in warnings_feedback until all :limit (their count) are found.
    "dispatch_later": """
        SELECT w.no, w.received_at, w.level, w.station, w.deadline_at, w.kind, w.type,
               w.phone, w.name
        FROM warnings w INDEXED BY warnings_feedback
        WHERE w.feedback_at IS NOT NULL AND w.feedback_at >= :as_of AND w.received_at < :end
          AND w.station = :code
        LIMIT :limit
    """,
    # Day by day over a span (the chart): warnings received and, of those, fed back by
    # :as_of; cases reported. :days is a JSON array of [day, start, end] (UTC seconds).
    "series": """
        WITH days (day, start, stop) AS (
            SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
                   json_extract(value, '$[2]')
            FROM json_each(:days))
        SELECT d.day AS day,
               (SELECT count(*) FROM warnings w
                WHERE w.received_at >= d.start AND w.received_at < d.stop
                  AND (:station IS NULL OR w.station = :station)) AS received,
               (SELECT count(*) FROM warnings w
                WHERE w.received_at >= d.start AND w.received_at < d.stop
                  AND w.feedback_at < :as_of
                  AND (:station IS NULL OR w.station = :station)) AS fed_back,
               (SELECT coalesce(sum(c.reported), 0) FROM case_days c
                WHERE c.day = d.day AND (:station IS NULL OR c.station = :station)) AS cases
        FROM days d ORDER BY d.day
    """,
}

# -- the keys of each section, in the order reports show them -------------------------------

CASE_KEYS = ("reported", "loss_fen", "solved", "arrested", "prosecuted", "recovered_fen",
             "frozen_fen", "stopped_fen")
WARNING_COUNTS = ("received", "fed_back", "on_time", "visited", "dissuaded", "defrauded",
                  "open", "overdue")
WARNING_KEYS = ("received", "fed_back", "feedback_rate", "on_time", "on_time_rate",
                "visited", "visit_rate", "dissuaded", "defrauded", "open", "overdue")
OUTREACH_KEYS = ("sessions", "attendees", "materials")
CARD_KINDS = {"inspection": "inspections", "interview": "interviews", "notice": "notices",
              "fine": "fines", "rectify": "rectifies", "recheck": "rechecks"}
CARD_KEYS = ("actions", *CARD_KINDS.values(), "fines_fen")
SECTIONS = {"cases": CASE_KEYS, "warnings": WARNING_KEYS, "outreach": OUTREACH_KEYS,
            "cards": CARD_KEYS}
RATES = {"feedback_rate": "fed_back", "on_time_rate": "on_time", "visit_rate": "visited"}

# What a rise means, figure by figure: "bad" when more is worse news (losses, cases, warnings
# left open or overdue, people defrauded after a warning), "good" when more is better (solved,
# recovered, fed back, dissuaded, outreach). Figures not named (warnings received, two-card
# actions) are neither. It travels in every period report as `rising`, so that a page can
# colour a change by its meaning rather than by its sign.
RISING: dict[str, dict[str, str]] = {
    "cases": {"reported": "bad", "loss_fen": "bad", "solved": "good", "arrested": "good",
              "prosecuted": "good", "recovered_fen": "good", "frozen_fen": "good",
              "stopped_fen": "good"},
    "warnings": {"fed_back": "good", "feedback_rate": "good", "on_time": "good",
                 "on_time_rate": "good", "visited": "good", "visit_rate": "good",
                 "dissuaded": "good", "defrauded": "bad", "open": "bad", "overdue": "bad"},
    "outreach": {"sessions": "good", "attendees": "good", "materials": "good"},
    "cards": {},
}

DISPATCH_LIMIT = 200  # the most urgent; `tongwei warning list --status open` has them all


# -- periods ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole local days `[first, last]`."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before (环比)."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def year_ago(self) -> Period:
        """The same days a year earlier (同比); 29 February becomes the 28th."""
        return Period(_year_before(self.first), _year_before(self.last))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _params(db: Database, period: Period, station: str | None) -> dict[str, Any]:
    start, end = clock.day_seconds(period.first, period.last, db.tz)
    return {"first": period.first.isoformat(), "last": period.last.isoformat(),
            "start": start, "end": end, "as_of": min(end, clock.now_seconds()),
            "station": station}


# -- sums and rates ---------------------------------------------------------------------------

def rate(part: int, whole: int) -> float | None:
    """`part / whole` with four decimals, or None when nothing was received."""
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _ints(row: Any, keys: Iterable[str]) -> dict[str, int]:
    return {k: int(row[k] or 0) for k in keys}


def _sum(rows: Iterable[dict[str, Any]], keys: Iterable[str]) -> dict[str, int]:
    keys = tuple(keys)
    total = dict.fromkeys(keys, 0)
    for row in rows:
        for key in keys:
            total[key] += row[key]
    return total


def case_section(counts: dict[str, int]) -> dict[str, Any]:
    return {k: counts.get(k, 0) for k in CASE_KEYS}


def warning_section(counts: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    received = counts.get("received", 0)
    for key in WARNING_KEYS:
        out[key] = rate(counts.get(RATES[key], 0), received) if key in RATES \
            else counts.get(key, 0)
    return out


def outreach_section(counts: dict[str, int]) -> dict[str, Any]:
    return {k: counts.get(k, 0) for k in OUTREACH_KEYS}


def card_section(by_kind: dict[str, int], fines_fen: int) -> dict[str, Any]:
    out: dict[str, Any] = {"actions": sum(by_kind.values())}
    for kind, key in CARD_KINDS.items():
        out[key] = by_kind.get(kind, 0)
    out["fines_fen"] = fines_fen
    return out


# -- one period -------------------------------------------------------------------------------

@dataclass
class Figures:
    """The grouped rows of one period; sections and breakdowns are sums of them."""

    period: Period
    station: str | None
    as_of: str
    cases: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    outreach: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    # (rows name, key) -> {value: the rows with it}: the breakdown by station and the ranking
    # each ask for every station's sections, so the rows are grouped once, not scanned each
    # time
    _index: dict[tuple[str, str], dict[Any, list[dict[str, Any]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def pick(self, rows: str, where: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The group rows of `rows` ("cases", "warnings"…) matching `where`."""
        every = getattr(self, rows)
        if not where:
            return every
        if len(where) > 1:
            return [r for r in every if all(r.get(k) == v for k, v in where.items())]
        ((key, value),) = where.items()
        index = self._index.get((rows, key))
        if index is None:
            index = self._index[(rows, key)] = {}
            for row in every:
                index.setdefault(row.get(key), []).append(row)
        return index.get(value, [])

    def sections(self, where: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
        """The four sections, over the group rows matching `where` (e.g. a station)."""
        cards = self.pick("cards", where)
        by_kind: dict[str, int] = {}
        for row in cards:
            by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["actions"]
        return {
            "cases": case_section(_sum(self.pick("cases", where), CASE_KEYS)),
            "warnings": warning_section(_sum(self.pick("warnings", where), WARNING_COUNTS)),
            "outreach": outreach_section(_sum(self.pick("outreach", where), OUTREACH_KEYS)),
            "cards": card_section(by_kind, sum(r["fines_fen"] for r in cards)),
        }

    def keys(self, rows: str, key: str) -> set[Any]:
        return {r[key] for r in getattr(self, rows)}


def figures(db: Database, period: Period, station: str | None = None, *,
            grouped: bool = True, params: dict[str, Any] | None = None) -> Figures:
    """Run the section queries for one period (`grouped=False`: for totals only)."""
    params = params or _params(db, period, station)
    names = ("cases", "warnings") if grouped else ("cases_total", "warnings_total")
    cases = [{"station": row["station"], "type": row["type"], **_ints(row, CASE_KEYS)}
             for row in db.query(QUERIES[names[0]], params)]
    outreach = [{"station": r["station"], "audience": r["audience"], "form": r["form"],
                 **_ints(r, OUTREACH_KEYS)} for r in db.query(QUERIES["outreach"], params)]
    cards = [{"station": r["station"], "kind": r["kind"], **_ints(r, ("actions", "fines_fen"))}
             for r in db.query(QUERIES["cards"], params)]
    rows = _warning_days(db, params, grouped)
    if rows is None:
        rows = db.query(QUERIES[names[1]], params)
    warnings = {(r["station"], r["level"]): {"station": r["station"], "level": r["level"],
                                             **_ints(r, WARNING_COUNTS)}
                for r in rows if r["received"]}
    return Figures(period, station, clock.text_of(params["as_of"]), cases,
                   list(warnings.values()), outreach, cards)


def _warning_days(db: Database, params: dict[str, Any], grouped: bool
                  ) -> list[dict[str, Any]] | None:
    """The warning figures of the period from the per-day totals (006_warning_days.sql),
    or None where they cannot answer exactly: days not on the zone's midnights, or
    something counted there (a feedback, a case naming a warning) after the period's end.
    `overdue` comes from the open warnings."""
    zone = db.scalar("SELECT offset_seconds FROM warning_days_zone")
    start, end = params["start"], params["end"]
    if zone is None or (start + zone) % 86400 or (end + zone) % 86400:
        return None
    days = {**params, "d0": (start + zone) // 86400, "d1": (end + zone) // 86400}
    rows = [dict(r) for r in db.query(
        QUERIES["warning_days" if grouped else "warning_days_total"], days)]
    # Served only if everything counted in those days came before the period's end.
    latest = max((r["latest"] for r in rows if r["latest"] is not None), default=None)
    linked = max((r["linked_last"] for r in rows if r["linked_last"] is not None),
                 default=None)
    if (latest is not None and latest >= params["as_of"]) or \
            (linked is not None and linked > params["last"]):
        return None
    late_sql = QUERIES["overdue" if grouped else "overdue_total"]
    # The same count by another way: the index of the warnings open now (the dispatch
    # list's), read whole, when fewer are open now than the period received -- a long
    # period (a campaign) on a large file, where the received range is millions of rows.
    received = sum(r["received"] or 0 for r in rows)
    if received and db.scalar(QUERIES["open_now"], params) < received:
        late_sql = late_sql.replace("INDEXED BY warnings_received", "INDEXED BY warnings_open")
    late = {(r["station"], r["level"]) if grouped else (params["station"], None): r[2]
            for r in db.query(late_sql, days)}
    for row in rows:
        row["open"] = (row["received"] or 0) - (row["fed_back"] or 0)
        row["overdue"] = late.get((row["station"], row["level"]), 0)
    return rows


def _sorted_codes(db: Database, kind: str, codes: Iterable[Any]) -> list[Any]:
    """Codes in the reference data's order; unknown ones (and None) after them."""
    order = {r["code"]: i for i, r in enumerate(refs(db).rows[kind])}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c is None, str(c)))


def breakdowns(db: Database, fig: Figures) -> dict[str, list[dict[str, Any]]]:
    """By fraud type (cases), by station (all four sections), by level (warnings), by
    audience and by form (outreach). Rows with nothing in them are left out, except that
    every warning level is listed."""
    by_type = []
    for code in _sorted_codes(db, "types", fig.keys("cases", "type")):
        rows = fig.pick("cases", {"type": code})
        by_type.append({"type": code, **case_section(_sum(rows, CASE_KEYS))})
    by_station = []
    stations = set().union(*(fig.keys(n, "station")
                             for n in ("cases", "warnings", "outreach", "cards")))
    for code in _sorted_codes(db, "stations", stations):
        by_station.append({"station": code, **fig.sections({"station": code})})
    by_level = []
    levels = [r["code"] for r in refs(db).rows["levels"]]
    levels += sorted(fig.keys("warnings", "level") - set(levels))
    for code in levels:
        rows = fig.pick("warnings", {"level": code})
        by_level.append({"level": code, **warning_section(_sum(rows, WARNING_COUNTS))})
    by_audience = []
    for code in _sorted_codes(db, "audiences", fig.keys("outreach", "audience")):
        rows = fig.pick("outreach", {"audience": code})
        by_audience.append({"audience": code, **outreach_section(_sum(rows, OUTREACH_KEYS))})
    by_form = []
    for code in _sorted_codes(db, "forms", fig.keys("outreach", "form")):
        rows = fig.pick("outreach", {"form": code})
        by_form.append({"form": code, **outreach_section(_sum(rows, OUTREACH_KEYS))})
    return {"by_type": by_type, "by_station": by_station, "by_level": by_level,
            "by_audience": by_audience, "by_form": by_form}


def ranking(db: Database, fig: Figures, pending: Backlog) -> list[dict[str, Any]]:
    """Per station, the figures a county meeting compares, the stations that need attention
    first: most outstanding overdue warnings at the end of the period (those the dispatch
    list shows as overdue), then most outstanding, then the lowest on-time, feedback and
    visit rates of the period's warnings (a station with no warnings has nothing pending and
    sorts as 100%), then the largest losses and most cases, then the fewest outreach
    sessions. `open` and `overdue` are of the period's warnings, as in the sections;
    `outstanding` and `outstanding_overdue` of every warning, as the dispatch list."""
    if fig.station:
        codes = [fig.station]
    else:
        codes = [r["code"] for r in refs(db).rows["stations"]]
        extra = set().union(*(fig.keys(n, "station") for n in ("cases", "warnings",
                                                                 "outreach"))) - set(codes)
        extra |= set(pending.by_station()) - set(codes)
        codes += sorted(c for c in extra if c is not None)
    late = pending.by_station()
    rows = []
    for code in codes:
        s = fig.sections({"station": code})
        w, c = s["warnings"], s["cases"]
        rows.append({
            "station": code, "received": w["received"], "feedback_rate": w["feedback_rate"],
            "on_time_rate": w["on_time_rate"], "visit_rate": w["visit_rate"],
            "open": w["open"], "overdue": w["overdue"],
            "outstanding": late.get(code, (0, 0))[0],
            "outstanding_overdue": late.get(code, (0, 0))[1], "cases": c["reported"],
            "loss_fen": c["loss_fen"], "sessions": s["outreach"]["sessions"]})

    def need(row: dict[str, Any]) -> tuple:
        def r(value: float | None) -> float:
            return 1.0 if value is None else value
        return (-row["outstanding_overdue"], -row["outstanding"], r(row["on_time_rate"]),
                r(row["feedback_rate"]),
                r(row["visit_rate"]), -row["loss_fen"], -row["cases"], row["sessions"])

    rows.sort(key=need)  # stable: equal stations keep the reference order
    for number, row in enumerate(rows, 1):
        row["rank"] = number
    return rows


def change(now: dict[str, dict[str, Any]], then: dict[str, dict[str, Any]]
           ) -> dict[str, dict[str, Any]]:
    """Section by section, `now - then` (rates: the difference of the rates, or None)."""
    out: dict[str, dict[str, Any]] = {}
    for section, keys in SECTIONS.items():
        out[section] = {}
        for key in keys:
            a, b = now[section][key], then[section][key]
            if a is None or b is None:
                out[section][key] = None
            elif isinstance(a, float) or isinstance(b, float):
                out[section][key] = round(a - b, 4)
            else:
                out[section][key] = a - b
    return out


def comparison(db: Database, current: dict[str, dict[str, Any]], period: Period,
               station: str | None) -> dict[str, Any]:
    other = figures(db, period, station, grouped=False).sections()
    return {"from": period.first.isoformat(), "to": period.last.isoformat(), **other,
            "change": change(current, other)}


def _meta(db: Database, kind: str, period: Period, station: str | None) -> dict[str, Any]:
    return {"report": kind, "from": period.first.isoformat(), "to": period.last.isoformat(),
            "station": station}


def _footer(db: Database, as_of: str) -> dict[str, Any]:
    from tongwei_cli.storage.audit import head

    return {"as_of": as_of, "generated_at": clock.stamp(), "officer": db.officer,
            "audit_head": head(db)}


def period_report(db: Database, period: Period, station: str | None = None,
                  kind: str = "range", previous: Period | None = None,
                  pending: Backlog | None = None) -> dict[str, Any]:
    """The range report: the four sections, breakdowns, what is outstanding at the end,
    station ranking, 环比 and 同比."""
    fig = figures(db, period, station)
    sections = fig.sections()
    pending = pending or backlog(db, period, station)
    report = {**_meta(db, kind, period, station), **sections,
              "outstanding": pending.totals(),
              "breakdowns": breakdowns(db, fig), "ranking": ranking(db, fig, pending),
              "previous": comparison(db, sections, previous or period.previous(), station),
              "year_ago": comparison(db, sections, period.year_ago(), station),
              "rising": {section: dict(senses) for section, senses in RISING.items()}}
    report.update(_footer(db, fig.as_of))
    return report


# -- one state of the file ---------------------------------------------------------------------

def _latest_change(db: Database) -> int:
    """The id of the latest audit row: every change to the file writes one."""
    return db.scalar("SELECT coalesce(max(id), 0) FROM audit")


class _Beside:
    """A part of a report computed on a second connection, in a thread, while the caller's
    connection computes the rest: SQLite lets go of the GIL while it reads, so a daily
    report's campaign totals and the day's own figures share the machine's two cores.

    Both connections read inside a transaction. If the latest audit row each one sees
    differs (something was written between the two starts), `result()` gives None and the
    caller computes that part itself, so a report never mixes two states of the file."""

    def __init__(self, db: Database, work: Callable[[Database], Any]):
        from concurrent.futures import ThreadPoolExecutor

        from tongwei_cli.storage.db import open_db

        self.db = db
        self.other = open_db(db.settings, db.path)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="tongwei-report")
        self.future = self.pool.submit(self._run, work)
        self.value: Any = None
        self.done = False

    def _run(self, work: Callable[[Database], Any]) -> tuple[int, Any]:
        with self.other.read():
            return _latest_change(self.other), work(self.other)

    def result(self) -> Any:
        """What `work` gave, or None when the other connection saw another state."""
        if not self.done:
            self.done = True
            try:
                seen, value = self.future.result()
            finally:
                self.pool.shutdown()
                self.other.close()
            self.value = value if seen == _latest_change(self.db) else None
        return self.value


# -- the reports ------------------------------------------------------------------------------

def check_period(db: Database, first: date, last: date) -> Period:
    if last < first:
        raise InvalidValue(f"{last} is before --from {first}", "to")
    if first > clock.today(db.tz):
        raise InvalidValue(f"{first} is in the future", "from")
    return Period(first, last)


def range_report(db: Database, first: date, last: date, station: str | None = None
                 ) -> dict[str, Any]:
    with db.read():
        return period_report(db, check_period(db, first, last), station)


def campaign_period(db: Database, campaign: dict[str, Any]) -> Period:
    """The campaign's days, up to today while it is still running."""
    first = date.fromisoformat(campaign["first_day"])
    last = min(date.fromisoformat(campaign["last_day"]), clock.today(db.tz))
    if first > last:
        raise InvalidValue(f"campaign {campaign['name']!r} starts on {first}, after today",
                           "NAME")
    return Period(first, last)


def _campaign_info(campaign: dict[str, Any]) -> dict[str, Any]:
    return {"name": campaign["name"], "first_day": campaign["first_day"],
            "last_day": campaign["last_day"]}


def campaign_report(db: Database, name: str, station: str | None = None) -> dict[str, Any]:
    from tongwei_cli.domain.campaigns import get_campaign

    campaign = get_campaign(db, name)
    with db.read():
        report = period_report(db, campaign_period(db, campaign), station, kind="campaign")
    report["campaign"] = _campaign_info(campaign)
    # the paragraph the bureau publishes, at the head of the campaign's page
    name = refs(db).name("stations", station, "zh") if station else None
    report["text"] = bulletin_text(report, name, rough=False)
    return report


@dataclass
class Backlog:
    """What is outstanding at the end of a period (or now, while it is still ahead): per
    station and level, the warnings received by then and without feedback then, and of
    those the overdue ones (deadline before then) -- what the dispatch list lists."""

    counts: dict[tuple[str, str], tuple[int, int]]  # (station, level) -> (outstanding, overdue)
    # (station) -> (without feedback now, fed back only after the end): the two parts of the
    # outstanding, each a range of its own index
    parts: dict[str, tuple[int, int]] | None

    def by_station(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for (code, _level), (n, late) in self.counts.items():
            a, b = out.get(code, (0, 0))
            out[code] = (a + n, b + late)
        return out

    def totals(self) -> dict[str, int]:
        return {"open": sum(n for n, _ in self.counts.values()),
                "overdue": sum(late for _, late in self.counts.values())}


def backlog(db: Database, period: Period, station: str | None = None) -> Backlog:
    """The warnings outstanding at the end of `period` (and the overdue ones), from the
    totals of 010_outstanding.sql: the open ones now, less the day totals after the
    period's last day -- a few rows, however many warnings were never fed back. Where the
    period's end is not one of the totals' midnights (a summer-time zone), counted from the
    warnings."""
    params = _params(db, period, station)
    zone = db.scalar("SELECT offset_seconds FROM warning_days_zone")
    end = params["end"]
    if zone is None or (end + zone) % 86400:
        return Backlog({(r[0], r[1]): (r[2], r[3])
                        for r in db.query(QUERIES["backlog_scan"], params)}, None)
    params["d"] = (end + zone) // 86400 - 1
    now: dict[tuple[str, str], int] = {(r[0], r[1]): r[2]
                                       for r in db.query(QUERIES["backlog_open"], params)}
    after = {(r["station"], r["level"]): r for r in db.query(QUERIES["backlog_after"], params)}
    ahead: dict[tuple[str, str], int] = {}
    if params["as_of"] < end:  # today: deadlines between now and midnight are not past yet
        ahead = {(r[0], r[1]): r[2] for r in db.query(QUERIES["backlog_due_today"], params)}
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    parts: dict[str, tuple[int, int]] = {}
    for key in set(now) | set(after):
        o = now.get(key, 0)
        s = after.get(key)
        opened, closed, due_open, due_late, fed_back, fed_late = (
            (s["opened"], s["closed"], s["due_open"], s["due_late"], s["fed_back"],
             s["fed_late"]) if s is not None else (0,) * 6)
        still, later = o - opened, fed_back - closed
        overdue = o - due_open + fed_late - due_late - ahead.get(key, 0)
        if still or later:
            counts[key] = (still + later, overdue)
            a, b = parts.get(key[0], (0, 0))
            parts[key[0]] = (a + still, b + later)
    return Backlog(counts, parts)


def dispatch(db: Database, period: Period, station: str | None,
             limit: int = DISPATCH_LIMIT, pending: Backlog | None = None
             ) -> tuple[list[dict[str, Any]], int, int]:
    """Warnings without feedback at the end of the day (or now), by deadline, at most
    `limit` of them; and how many there are in all, and how many of those are overdue (the
    totals of `backlog`)."""
    pending = pending or backlog(db, period, station)
    params = _params(db, period, station)
    rows: list[dict[str, Any]] = []
    if pending.parts is None:  # no day totals to go by: each station's rows, all read
        parts = dict.fromkeys(pending.by_station(), (limit, -1))  # (LIMIT -1: none)
    else:
        parts = pending.parts
    ended = params["as_of"] == params["end"]
    for code, (_still, later) in parts.items():
        if later and ended:
            rows += [dict(r) for r in db.query(QUERIES["dispatch_later"], {
                **params, "code": code, "limit": later})]
    deadlines = [r["deadline_at"] for r in rows]
    for code, (still, _later) in parts.items():
        if still > 0:
            deadlines += [r[0] for r in db.query(QUERIES["dispatch_open_deadlines"], {
                **params, "code": code, "limit": min(still, limit)})]
    deadlines.sort()
    cut = deadlines[limit - 1] if len(deadlines) >= limit else None
    for code, (still, _later) in parts.items():
        if still > 0:
            rows += [dict(r) for r in db.query(QUERIES["dispatch_open"], {
                **params, "code": code, "limit": min(still, limit),
                "cut": cut if cut is not None else 2**62})]
    rows.sort(key=lambda r: (r["deadline_at"], r["no"]))
    rows = rows[:limit]
    totals = pending.totals()
    as_of = params["as_of"]
    rows = [mask_record(r) for r in rows]  # reports never show personal data in full
    for row in rows:
        row["overdue"] = row["deadline_at"] < as_of
        row["overdue_minutes"] = (as_of - row["deadline_at"]) // 60 if row["overdue"] else 0
        clock.texts(row, ("received_at", "deadline_at"))
    return rows, totals["open"], totals["overdue"]


def daily_report(db: Database, day: date, station: str | None = None,
                 campaign_name: str | None = None) -> dict[str, Any]:
    """One day's figures, the change against the day before (`previous`) and a year ago,
    the running totals of the campaign covering the day (or the one named), and the
    dispatch list."""
    from tongwei_cli.domain.campaigns import campaign_covering, get_campaign

    if day > clock.today(db.tz):
        raise InvalidValue(f"{day} is in the future", "date")
    campaign = (get_campaign(db, campaign_name, "campaign") if campaign_name
                else campaign_covering(db, day))
    span = None
    if campaign is not None:
        first = date.fromisoformat(campaign["first_day"])
        if first > day:
            raise InvalidValue(f"campaign {campaign['name']!r} starts on {first}, after {day}",
                               "campaign")
        span = Period(first, min(day, date.fromisoformat(campaign["last_day"])))
    with db.read():
        # The campaign's running totals are computed beside the day's figures.
        beside = running = None
        if span is not None:
            params = _params(db, span, station)
            beside = _Beside(db, lambda other: figures(
                other, span, station, grouped=False, params=params).sections())
        try:
            period = Period(day, day)
            pending = backlog(db, period, station)
            report = period_report(db, period, station, kind="daily", pending=pending)
            report["date"] = day.isoformat()
            rows, total, overdue = dispatch(db, period, station, pending=pending)
        finally:
            if beside is not None:
                running = beside.result()  # waits for the thread; its connection is closed
        if span is not None and running is None:
            running = figures(db, span, station, grouped=False, params=params).sections()
        report["campaign"] = None
        if running is not None:
            report["campaign"] = {**_campaign_info(campaign), "from": span.first.isoformat(),
                                  "to": span.last.isoformat(), **running}
    report["dispatch"] = rows
    report["dispatch_total"] = total
    report["dispatch_overdue"] = overdue
    return report


CHART_DAYS = (30, 366)  # a chart shows at least a month, at most a year


def chart_period(first: date, last: date) -> Period:
    """The days a report's chart shows: the report's own days (a campaign's span), but at
    least the 30 days ending `last` (a daily report) and at most the 366 ending it."""
    shortest, longest = CHART_DAYS
    days = min(max((last - first).days + 1, shortest), longest)
    return Period(last - timedelta(days=days - 1), last)


def series(db: Database, span: Period, station: str | None = None) -> list[dict[str, Any]]:
    """Day by day over `span`: warnings received, of those fed back by the end of its last
    day, cases reported (the report page's chart)."""
    days = [span.first + timedelta(days=n) for n in range(span.days)]
    bounds = [[d.isoformat(), *clock.day_seconds(d, d, db.tz)] for d in days]
    params = _params(db, span, station)
    params["days"] = json.dumps(bounds)
    return [dict(r) for r in db.query(QUERIES["series"], params)]


# -- the bulletin -----------------------------------------------------------------------------

def wan(fen: int) -> str:
    """Fen as 万元 with two decimals, rounded half up: 21810000 -> '21.81'."""
    return str((Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def per_cent(value: float) -> str:
    """0.985 -> '98.5', 1.0 -> '100': at most one decimal, no trailing zero."""
    text = str((Decimal(str(value)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP))
    return text[:-2] if text.endswith(".0") else text


def approx(n: int) -> tuple[int, bool]:
    """A count as the press writes it: (the round number, whether 余 follows).

    Below 10 the count is exact; below 100 it is cut to whole tens (43 -> 40余); from 100 it
    is cut to two significant digits (30450 -> 30000余, 1980 -> 1900余, 256 -> 250余).
    Cut, never rounded up, since 余 means "and more"; a count that is already round stays
    exact (40 -> 40)."""
    if n < 10:
        return n, False
    step = 10 if n < 100 else 10 ** (len(str(n)) - 2)
    cut = n // step * step
    return cut, cut != n


def _count(n: int, unit: str, rough: bool) -> str:
    if rough:
        value, more = approx(n)
        return f"{value}余{unit}" if more else f"{value}{unit}"
    return f"{n}{unit}"


def _cn_date(day: date, year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def bulletin_text(report: dict[str, Any], station_name: str | None, rough: bool) -> str:
    """The paragraph the bureau publishes, from a period's sections.

    Clauses whose figure is zero are left out, as the press does; if a whole strand is
    empty its part is left out. --approx roughens the outreach counts (sessions, people,
    leaflets) -- the strike figures are legal counts and stay exact."""
    first, last = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    campaign = report.get("campaign")
    if campaign:
        lead = f"“{campaign['name']}”开展以来" if not campaign["name"].startswith("“") \
            else f"{campaign['name']}开展以来"
    elif first == last:
        lead = _cn_date(first)
    else:
        lead = f"{_cn_date(first)}至{_cn_date(last, year=first.year != last.year)}"
    c, w, o = report["cases"], report["warnings"], report["outreach"]
    strike = []
    if c["solved"]:
        strike.append(f"破获电信网络诈骗案件{c['solved']}起")
    if c["arrested"]:
        strike.append(f"抓获违法犯罪嫌疑人{c['arrested']}人")
    if c["prosecuted"]:
        strike.append(f"移送起诉{c['prosecuted']}人")
    if c["recovered_fen"]:
        strike.append(f"挽回损失{wan(c['recovered_fen'])}万元")
    if c["frozen_fen"]:
        strike.append(f"冻结涉案资金{wan(c['frozen_fen'])}万元")
    if c["stopped_fen"]:
        strike.append(f"止付涉案资金{wan(c['stopped_fen'])}万元")
    parts = []
    if strike:
        parts.append("共" + "，".join(strike))
    if w["received"]:
        prevent = f"预警信息反馈率达{per_cent(w['feedback_rate'])}%"
        if w["visited"]:
            prevent += f"，见面率{per_cent(w['visit_rate'])}%"
        if w["dissuaded"]:
            prevent += f"，成功劝阻{w['dissuaded']}人"
        parts.append(prevent)
    if o["sessions"]:
        publicise = f"开展各类反诈宣传{_count(o['sessions'], '次', rough)}"
        if o["attendees"]:
            publicise += f"，覆盖群众{_count(o['attendees'], '人次', rough)}"
        if o["materials"]:
            publicise += f"，发放宣传资料{_count(o['materials'], '份', rough)}"
        parts.append(publicise)
    if not parts:
        parts.append("未发生需通报的工作数据")
    if station_name:
        parts[0] = station_name + parts[0]
    return f"{lead}，" + "；".join(parts) + "。"


def bulletin(db: Database, *, first: date | None = None, last: date | None = None,
             campaign_name: str | None = None, station: str | None = None,
             rough: bool = False) -> dict[str, Any]:
    """The bulletin: its paragraph and the figures behind it."""
    campaign = None
    if campaign_name is not None:
        from tongwei_cli.domain.campaigns import get_campaign

        campaign = get_campaign(db, campaign_name, "campaign")
        period = campaign_period(db, campaign)
    else:
        assert first is not None and last is not None
        period = check_period(db, first, last)
    with db.read():
        fig = figures(db, period, station, grouped=False)
    report: dict[str, Any] = {**_meta(db, "bulletin", period, station), **fig.sections()}
    if campaign:
        report["campaign"] = _campaign_info(campaign)
    report["approx"] = rough
    name = refs(db).name("stations", station, "zh") if station else None
    report["text"] = bulletin_text(report, name, rough)
    report.update(_footer(db, fig.as_of))
    return report
