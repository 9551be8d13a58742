"""The report figures on their floor: `reports.figures.range_report` and `daily_report` over
a small data set entered with the domain functions (no command line), each number known.

The period is 2025-03-03 .. 2025-03-09 (Asia/Shanghai), with records just outside it, a
voided case, a voided session, a warning received at 00:30 local time (the previous day in
UTC) and a campaign covering the month."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tongwei_cli.core.errors import InvalidValue, NotFound
from tongwei_cli.core.fields import CARD_ACTION, CASE, EVENT, FOLLOWUP, OUTREACH, WARNING
from tongwei_cli.domain import campaigns, cards, cases, outreach
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.reports import figures as reports

FIRST, LAST = date(2025, 3, 3), date(2025, 3, 9)


def blank(record, /, **given):
    return {**dict.fromkeys(record.names()), **given}


@pytest.fixture
def week(db):
    def case(no, reported, station, loss, **given):
        cases.add_case(db, blank(CASE, no=no, reported=reported, type="task-scam",
                                 station=station, loss=loss, **given))

    def event(no, kind, day, **given):
        cases.add_event(db, no, blank(EVENT, kind=kind, date=day, **given))

    def warning(no, received, level, station, phone, **given):
        alerts.add_warning(db, blank(WARNING, no=no, received=received, level=level,
                                     station=station, phone=phone, **given))

    def followup(no, at, method, outcome):
        alerts.add_followup(db, no, blank(FOLLOWUP, at=at, method=method, outcome=outcome))

    case("C1", "2025-03-03", "平襄", "10000", victim_name="张三", victim_phone="13800005678")
    event("C1", "freeze", "2025-03-04", amount="2500.50")
    event("C1", "solved", "2025-03-05")
    event("C1", "arrest", "2025-03-05", count="3")
    event("C1", "recover", "2025-03-09", amount="4000")
    case("C2", "2025-03-09", "马营", "5万", warning="W4")
    event("C2", "stop-payment", "2025-03-09", amount="1000")
    case("C3", "2025-03-02", "平襄", "3000")  # the day before
    event("C3", "solved", "2025-03-03")  # inside
    case("C4", "2025-03-05", "平襄", "99999")
    event("C4", "recover", "2025-03-06", amount="500")
    cases.void_case(db, "C4", "重复录入")  # counted nowhere
    case("C5", "2025-03-10", "马营", "7000")  # the day after

    warning("W1", "2025-03-03 00:30", "high", "平襄", "13900001111", name="李四")
    followup("W1", "2025-03-03 00:50", "phone", "dissuaded")  # on time
    warning("W2", "2025-03-02 23:50", "high", "平襄", "13900002222")  # the day before
    warning("W4", "2025-03-04 10:00", "high", "马营", "13900004444")
    followup("W4", "2025-03-04 11:00", "phone", "in-progress")
    followup("W4", "2025-03-04 13:00", "visit", "unreachable")  # late (due 12:00), a visit
    warning("W6", "2025-03-06 08:00", "medium", "平襄", "13900006666", name="赵六")  # open

    outreach.add_outreach(db, blank(OUTREACH, date="2025-03-04", station="平襄",
                                    audience="students", form="hand-in-hand", venue="通渭一中",
                                    attendees="120", materials="300"))
    lecture, _ = outreach.add_outreach(db, blank(OUTREACH, date="2025-03-06", station="平襄",
                                                 audience="villagers", form="lecture",
                                                 venue="平襄村", attendees="60",
                                                 materials="150"))
    outreach.void_outreach(db, lecture["no"], "误录")

    cards.add_card_action(db, blank(CARD_ACTION, date="2025-03-04", institution="农商银行",
                                    institution_kind="bank", station="平襄",
                                    kind="inspection"))
    cards.add_card_action(db, blank(CARD_ACTION, date="2025-03-05", institution="农商银行",
                                    kind="fine", amount="5000"))
    campaigns.add_campaign(db, "春季断卡行动", "2025-03-01", "2025-03-31")
    return db


def test_the_week_in_figures(week):
    r = reports.range_report(week, FIRST, LAST)
    assert (r["report"], r["from"], r["to"], r["station"]) == ("range", "2025-03-03",
                                                               "2025-03-09", None)
    assert r["cases"] == {"reported": 2, "loss_fen": 6_000_000, "solved": 2, "arrested": 3,
                          "prosecuted": 0, "recovered_fen": 400_000, "frozen_fen": 250_050,
                          "stopped_fen": 100_000}
    w = r["warnings"]
    assert (w["received"], w["fed_back"], w["on_time"], w["visited"]) == (3, 2, 1, 1)
    assert (w["dissuaded"], w["defrauded"], w["open"], w["overdue"]) == (1, 1, 1, 1)
    assert (w["feedback_rate"], w["on_time_rate"]) == (0.6667, 0.3333)
    assert r["outreach"] == {"sessions": 1, "attendees": 120, "materials": 300}
    assert r["cards"]["actions"] == 2 and r["cards"]["fines"] == 1
    assert r["cards"]["fines_fen"] == 500_000
    assert re.fullmatch(r"\d+:[0-9a-f]{8}…[0-9a-f]{4}", r["audit_head"])  # the anchor
    assert r["officer"] == "测试警官"


def test_a_station_filter_applies_to_everything(week):
    r = reports.range_report(week, FIRST, LAST, "maying")
    assert r["station"] == "maying"
    assert (r["cases"]["reported"], r["cases"]["loss_fen"]) == (1, 5_000_000)
    assert r["warnings"]["received"] == 1 and r["outreach"]["sessions"] == 0
    assert r["cards"]["actions"] == 0


def test_breakdowns_and_the_ranking(week):
    r = reports.range_report(week, FIRST, LAST)
    levels = {row["level"]: row["received"] for row in r["breakdowns"]["by_level"]}
    assert levels == {"high": 2, "medium": 1, "low": 0}
    stations = {row["station"]: row["cases"]["reported"]
                for row in r["breakdowns"]["by_station"]}
    assert stations == {"pingxiang": 1, "maying": 1}
    assert r["ranking"][0]["rank"] == 1 and r["ranking"][0]["overdue"] == 1


def test_the_comparisons(week):
    r = reports.range_report(week, FIRST, LAST)
    assert (r["previous"]["from"], r["previous"]["to"]) == ("2025-02-24", "2025-03-02")
    assert r["previous"]["cases"]["reported"] == 1  # C3
    assert r["previous"]["change"]["cases"]["reported"] == 1
    assert (r["year_ago"]["from"], r["year_ago"]["to"]) == ("2024-03-03", "2024-03-09")


def test_a_day_its_dispatch_list_masked_and_the_campaign_running_totals(week):
    r = reports.daily_report(week, date(2025, 3, 9))
    assert (r["report"], r["date"]) == ("daily", "2025-03-09")
    assert r["cases"]["reported"] == 1 and r["cases"]["recovered_fen"] == 400_000
    c = r["campaign"]
    assert (c["name"], c["from"], c["to"]) == ("春季断卡行动", "2025-03-01", "2025-03-09")
    assert c["cases"]["reported"] == 3  # C3, C1, C2
    assert c["warnings"]["received"] == 4  # W2 and the three of the week
    assert r["dispatch_total"] == 2
    assert [w["no"] for w in r["dispatch"]] == ["W2", "W6"]
    w6 = r["dispatch"][1]
    assert w6["phone"] == "139****6666" and w6["name"] == "赵*" and w6["overdue"] is True
    assert reports.daily_report(week, date(2025, 2, 20))["campaign"] is None


def test_report_refusals_name_the_field(week):
    with pytest.raises(InvalidValue) as backwards:
        reports.range_report(week, LAST, FIRST)
    assert backwards.value.field == "to"
    with pytest.raises(InvalidValue) as ahead:
        reports.range_report(week, date(2999, 1, 1), date(2999, 1, 2))
    assert ahead.value.field == "from"
    with pytest.raises(InvalidValue) as tomorrow:
        reports.daily_report(week, date(2999, 1, 1))
    assert tomorrow.value.field == "date"
    with pytest.raises(InvalidValue) as before_it:
        reports.daily_report(week, date(2025, 2, 20), campaign_name="春季")
    assert before_it.value.field == "campaign"
    with pytest.raises(NotFound) as missing:
        reports.daily_report(week, LAST, campaign_name="没有")
    assert missing.value.field == "campaign"


def test_an_empty_file_reports_zeros_and_no_rates(db):
    r = reports.range_report(db, FIRST, LAST)
    assert r["cases"]["reported"] == 0 and r["warnings"]["received"] == 0
    assert r["warnings"]["feedback_rate"] is None and r["outreach"]["sessions"] == 0


def test_overdue_counts_the_same_by_either_index(week):
    """The period's warnings still open and overdue are counted from the index of the
    warnings open now when fewer are open than the period received (a campaign on a large
    file), else from the period's received range: the same figure either way."""
    def overdue_and_index() -> tuple[int, str]:
        statements: list[str] = []
        week.conn.set_trace_callback(statements.append)
        try:
            w = reports.range_report(week, FIRST, LAST)["warnings"]
        finally:
            week.conn.set_trace_callback(None)
        start = "1740931200"  # 2025-03-03 00:00 in Shanghai: the period's, not a comparison's
        used = {name for s in statements if "w.deadline_at < " in s and "count(*)" in s
                and f">= {start}" in s
                for name in ("warnings_open", "warnings_received") if f"BY {name}" in s}
        return w["overdue"], "/".join(sorted(used))

    assert overdue_and_index() == (1, "warnings_open")  # few open now: W6 (and W2)
    for n in range(4):  # open now, received after the period: more open than it received
        alerts.add_warning(week, blank(WARNING, no=f"LATER{n}", received="2025-03-20 09:00",
                                       level="low", station="马营", phone="13900007777"))
    assert overdue_and_index() == (1, "warnings_received")
