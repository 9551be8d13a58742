"""A stateful test: random sequences of adds, events, voids, warnings and follow-ups, and
their corrections and removals, driven through the domain functions on a real file, against
a plain-Python model of every figure of PRODUCT.md. After every step, `report range` over a
random period must equal the model, and `tongwei check` must find nothing.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tests.conftest import fresh_database
from tongwei_cli.core import clock
from tongwei_cli.core import settings as tw_settings
from tongwei_cli.core.errors import TongweiError
from tongwei_cli.domain import cases
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.reports import figures as reports
from tongwei_cli.storage.check import run_checks
from tongwei_cli.storage.db import open_db

# 25 sequences of 25 steps: whole in CI; tests/test_quick_twins.py runs a few in the quick loop.
pytestmark = pytest.mark.slow

TZ = ZoneInfo("Asia/Shanghai")
STATIONS = ["pingxiang", "maying"]
HOURS = {"high": 2, "medium": 24, "low": 72}
KINDS = ["filed", "solved", "arrest", "prosecute", "recover", "freeze", "stop-payment", "close"]


def stamp(moment: datetime) -> str:
    return clock.stamp(moment)


class Figures(RuleBasedStateMachine):
    """The model keeps what the tool accepted and computes the figures itself."""

    @initialize()
    def fresh_file(self):
        self.folder = tempfile.TemporaryDirectory()
        tw_settings.install(tw_settings.Settings(officer="model", lang="en"))
        fresh_database(Path(self.folder.name) / "m.db")  # as `init` leaves it (a copy)
        self.db = open_db(tw_settings.current(), Path(self.folder.name) / "m.db")
        self.now = clock.now_utc()
        self.today = clock.today(TZ)
        self.cases: dict[str, dict] = {}
        self.warnings: dict[str, dict] = {}
        self.serial = 0

    def teardown(self):
        if hasattr(self, "db"):
            self.db.close()
            self.folder.cleanup()

    # -- strike --------------------------------------------------------------------
    @rule(ago=st.integers(0, 40), loss=st.integers(0, 500_000), station=st.sampled_from(STATIONS),
          link=st.booleans())
    def add_case(self, ago, loss, station, link):
        reported = self.today - timedelta(days=ago)
        warning = None
        if link and self.warnings:
            warning = sorted(self.warnings)[ago % len(self.warnings)]
        raw = {"reported": reported.isoformat(), "type": "loan", "station": station,
               "loss": f"{loss / 100:.2f}", "warning": warning}
        record, _ = cases.add_case(self.db, raw)
        self.cases[record["no"]] = {"reported": reported, "loss": loss, "station": station,
                                    "voided": False, "events": [], "warning": warning}

    @rule(pick=st.integers(0, 10**6), kind=st.sampled_from(KINDS), after=st.integers(0, 15),
          n=st.integers(1, 6), amount=st.integers(1, 300_000))
    def add_event(self, pick, kind, after, n, amount):
        if not self.cases:
            return
        no = sorted(self.cases)[pick % len(self.cases)]
        case = self.cases[no]
        day = min(case["reported"] + timedelta(days=after), self.today)
        raw = {"kind": kind, "date": day.isoformat(),
               "count": str(n) if kind in ("arrest", "prosecute") else None,
               "amount": f"{amount / 100:.2f}" if kind in ("recover", "freeze", "stop-payment")
               else None}
        try:
            cases.add_event(self.db, no, raw)
        except TongweiError:
            return
        assert not case["voided"], "an event was accepted on a voided case"
        case["events"].append((kind, day, n if raw["count"] else None,
                               amount if raw["amount"] else None))
        recovered = sum(e[3] for e in case["events"] if e[0] == "recover")
        assert recovered <= case["loss"], "recoveries above the loss were accepted"
        assert sum(e[0] == "solved" for e in case["events"]) <= 1

    @rule(pick=st.integers(0, 10**6))
    def void_case(self, pick):
        if not self.cases:
            return
        no = sorted(self.cases)[pick % len(self.cases)]
        try:
            cases.void_case(self.db, no, "model")
        except TongweiError:
            assert self.cases[no]["voided"]
            return
        self.cases[no]["voided"] = True

    def latest(self) -> datetime:
        """The latest minute a moment is given: the one before the model's `now`. (Its own
        minute would be a moment at `now` itself when the run began on a whole minute:
        before `now` for tongwei, which reads the clock later, but not for the model.)"""
        return (self.now - timedelta(minutes=1)).astimezone(TZ).replace(second=0)

    # -- prevent -------------------------------------------------------------------
    @rule(minutes_ago=st.integers(1, 40 * 1440), level=st.sampled_from(list(HOURS)),
          station=st.sampled_from(STATIONS))
    def add_warning(self, minutes_ago, level, station):
        received = (self.now - timedelta(minutes=minutes_ago)).astimezone(TZ).replace(second=0)
        self.serial += 1
        no = f"W{self.serial:04d}"
        alerts.add_warning(self.db, {"no": no, "received": f"{received:%Y-%m-%d %H:%M}",
                                     "level": level, "station": station,
                                     "phone": "13800000001"})
        self.warnings[no] = {"received": received, "level": level, "station": station,
                             "deadline": received + timedelta(hours=HOURS[level]),
                             "followups": []}

    @rule(pick=st.integers(0, 10**6), after=st.integers(0, 6000),
          method=st.sampled_from(["phone", "visit", "sms"]),
          outcome=st.sampled_from(["dissuaded", "defrauded", "not-fraud", "unreachable",
                                   "in-progress"]))
    def followup(self, pick, after, method, outcome):
        if not self.warnings:
            return
        no = sorted(self.warnings)[pick % len(self.warnings)]
        warning = self.warnings[no]
        at = min(warning["received"] + timedelta(minutes=after), self.latest())
        try:
            alerts.add_followup(self.db, no, {"at": f"{at:%Y-%m-%d %H:%M}", "method": method,
                                              "outcome": outcome})
        except TongweiError:
            return
        warning["followups"].append((at, method, outcome))

    @rule(pick=st.integers(0, 10**6), level=st.none() | st.sampled_from(list(HOURS)),
          station=st.none() | st.sampled_from(STATIONS),
          shift=st.none() | st.integers(-3000, 3000))
    def update_warning(self, pick, level, station, shift):
        """A correction of level, station or received time (`warning update`)."""
        if not self.warnings:
            return
        no = sorted(self.warnings)[pick % len(self.warnings)]
        warning = self.warnings[no]
        received = warning["received"]
        if shift is not None:
            received = min(received + timedelta(minutes=shift), self.latest())
        changes = {"level": level, "station": station,
                   "received": None if shift is None else f"{received:%Y-%m-%d %H:%M}"}
        try:
            alerts.update_warning(self.db, no, changes)
        except TongweiError:
            # nothing to change, or a received time after one of its follow-ups
            assert (level, station, shift) == (None, None, None) or any(
                f[0] < received for f in warning["followups"])
            return
        assert all(f[0] >= received for f in warning["followups"])
        hours = (HOURS[level] if level is not None and level != warning["level"]
                 else (warning["deadline"] - warning["received"]) / timedelta(hours=1))
        warning.update(received=received, level=level or warning["level"],
                       station=station or warning["station"],
                       deadline=received + timedelta(hours=hours))

    @rule(pick=st.integers(0, 10**6), which=st.integers(0, 100),
          outcome=st.sampled_from(["dissuaded", "defrauded", "not-fraud", "unreachable",
                                   "in-progress"]), remove=st.booleans())
    def correct_followup(self, pick, which, outcome, remove):
        """A follow-up's outcome corrected (`warning followup … --update`) or the follow-up
        removed (`warning remove-followup`)."""
        with_followups = sorted(no for no, w in self.warnings.items() if w["followups"])
        if not with_followups:
            return
        no = with_followups[pick % len(with_followups)]
        followups = self.warnings[no]["followups"]
        index = which % len(followups)
        at, method, _ = followups[index]
        raw = {"at": f"{at:%Y-%m-%d %H:%M}", "method": method}
        if remove:
            alerts.remove_followup(self.db, no, raw, "model")
            del followups[index]
        else:
            alerts.add_followup(self.db, no, {**raw, "outcome": outcome}, update=True)
            followups[index] = (at, method, outcome)

    @rule(pick=st.integers(0, 10**6))
    def remove_warning(self, pick):
        """A warning removed with its follow-ups (`warning remove`), unless a case names it."""
        if not self.warnings:
            return
        no = sorted(self.warnings)[pick % len(self.warnings)]
        try:
            alerts.remove_warning(self.db, no, "model")
        except TongweiError:
            assert any(c["warning"] == no and not c["voided"] for c in self.cases.values())
            return
        del self.warnings[no]

    # -- the figures -----------------------------------------------------------------
    def model(self, first: date, last: date) -> dict:
        start = datetime.combine(first, datetime.min.time(), tzinfo=TZ)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
        as_of = min(end, self.now)
        live = [c for c in self.cases.values() if not c["voided"]]
        events = [e for c in live for e in c["events"] if first <= e[1] <= last]

        def total(kind, index):
            return sum(e[index] for e in events if e[0] == kind)

        figures = {"cases": {
            "reported": sum(first <= c["reported"] <= last for c in live),
            "loss_fen": sum(c["loss"] for c in live if first <= c["reported"] <= last),
            "solved": sum(e[0] == "solved" for e in events),
            "arrested": total("arrest", 2), "prosecuted": total("prosecute", 2),
            "recovered_fen": total("recover", 3), "frozen_fen": total("freeze", 3),
            "stopped_fen": total("stop-payment", 3)}}
        got = {"received": 0, "fed_back": 0, "on_time": 0, "visited": 0, "dissuaded": 0,
               "defrauded": 0, "open": 0, "overdue": 0}
        for no, w in self.warnings.items():
            if not start <= w["received"] < end:
                continue
            got["received"] += 1
            # by time; at the same minute, in the order they were entered (the later one
            # is the latest)
            seen = sorted((f for f in w["followups"] if f[0] < as_of), key=lambda f: f[0])
            feedback = [f for f in seen if f[2] != "in-progress"]
            if feedback:
                got["fed_back"] += 1
                got["on_time"] += feedback[0][0] <= w["deadline"]
                got["dissuaded"] += feedback[-1][2] == "dissuaded"
            else:
                got["open"] += 1
                got["overdue"] += w["deadline"] < as_of
            got["visited"] += any(f[1] == "visit" for f in seen)
            named = any(c["warning"] == no and c["reported"] <= last for c in live)
            got["defrauded"] += any(f[2] == "defrauded" for f in seen) or named
        figures["warnings"] = got
        return figures

    def outstanding(self, last: date) -> dict[str, tuple[int, int]]:
        """Per station: the warnings received before the end of `last` and without feedback
        then (as of now for today), whenever received; and of those, the overdue ones."""
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=TZ)
        as_of = min(end, clock.now_utc())
        out: dict[str, tuple[int, int]] = {}
        for w in self.warnings.values():
            if w["received"] >= end or any(f[0] < as_of and f[2] != "in-progress"
                                           for f in w["followups"]):
                continue
            n, late = out.get(w["station"], (0, 0))
            out[w["station"]] = (n + 1, late + (w["deadline"] < as_of))
        return out

    @invariant()
    def report_matches_the_model(self):
        if not hasattr(self, "db"):
            return
        for first_ago, last_ago in ((40, 0), (7, 1), (0, 0), (20, 10)):
            first = self.today - timedelta(days=first_ago)
            last = self.today - timedelta(days=last_ago)
            report = reports.range_report(self.db, first, last)
            expected = self.model(first, last)
            for section, values in expected.items():
                actual = {k: report[section][k] for k in values}
                assert actual == values, (section, first, last, actual, values)
            pending = self.outstanding(last)
            ranked = {r["station"]: (r["outstanding"], r["outstanding_overdue"])
                      for r in report["ranking"] if r["outstanding"]}
            assert ranked == pending, (first, last, ranked, pending)
            assert report["outstanding"] == {
                "open": sum(n for n, _ in pending.values()),
                "overdue": sum(late for _, late in pending.values())}

    @invariant()
    def ranking_and_dispatch_list_agree(self):
        """The daily report's ranking counts the outstanding warnings its dispatch list
        lists, today and on past days."""
        if not hasattr(self, "db"):
            return
        for ago in (0, 1, 10):
            day = self.today - timedelta(days=ago)
            report = reports.daily_report(self.db, day)
            listed: dict[str, tuple[int, int]] = {}
            for row in report["dispatch"]:
                n, late = listed.get(row["station"], (0, 0))
                listed[row["station"]] = (n + 1, late + row["overdue"])
            ranked = {r["station"]: (r["outstanding"], r["outstanding_overdue"])
                      for r in report["ranking"] if r["outstanding"]}
            assert ranked == listed == self.outstanding(day), (day, ranked, listed)
            assert report["dispatch_total"] == len(report["dispatch"])
            assert report["dispatch_overdue"] == sum(r["overdue"] for r in report["dispatch"])

    @invariant()
    def the_file_checks_clean(self):
        """What is kept for the reports (per-day totals, each warning's feedback) matches a
        recount after every step: `tongwei check` finds nothing."""
        if hasattr(self, "db"):
            assert run_checks(self.db) == []


Figures.TestCase.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
test_report_figures_match_a_model = Figures.TestCase
