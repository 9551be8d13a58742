"""Every record can be corrected or withdrawn, audited: a case's events (typed twice or
wrongly) and campaigns. The figures, the case's status and `tongwei check` follow."""

from __future__ import annotations

import json
import re

import pytest

from tongwei_cli.core.errors import Conflict, NotFound
from tongwei_cli.domain import campaigns, cases
from tongwei_cli.reports import figures
from tongwei_cli.storage.audit import list_audit
from tongwei_cli.storage.check import run_checks


def _case(db, no="C1"):
    cases.add_case(db, {"no": no, "reported": "2026-11-20", "type": "刷单", "station": "平襄",
                        "loss": "10000"})


def _arrested(db) -> int:
    from datetime import date

    report = figures.range_report(db, date(2026, 11, 1), date(2026, 11, 30))
    return report["cases"]["arrested"]


def test_an_arrest_typed_twice_is_removed_and_the_figures_follow(db):
    _case(db)
    for _ in range(2):
        cases.add_event(db, "C1", {"kind": "arrest", "count": "3", "date": "2026-11-21"})
    assert _arrested(db) == 6
    removed = cases.remove_event(db, "C1", "2", "重复录入")
    assert removed["kind"] == "arrest" and removed["count"] == 3
    assert _arrested(db) == 3
    assert [e["n"] for e in cases.show_case(db, "C1")["events"]] == [1]
    row = [r for r in list_audit(db) if r["action"] == "remove-event"][-1]
    assert json.loads(row["before"])["count"] == 3 and "重复录入" in row["after"]
    assert run_checks(db) == []


def test_an_event_is_corrected_and_checked_again(db):
    _case(db)
    cases.add_event(db, "C1", {"kind": "arrest", "count": "3", "date": "2026-11-21"})
    cases.add_event(db, "C1", {"kind": "recover", "amount": "4000", "date": "2026-11-22"})
    cases.update_event(db, "C1", "1", {"count": "4"})
    assert _arrested(db) == 4
    with pytest.raises(Exception) as refused:  # recoveries stay within the loss
        cases.update_event(db, "C1", "2", {"amount": "20000"})
    assert refused.value.field == "amount"
    with pytest.raises(Exception) as before_report:
        cases.update_event(db, "C1", "1", {"date": "2026-11-01"})
    assert before_report.value.field == "date"
    cases.update_event(db, "C1", "2", {"amount": "5000", "note": "退赃"})
    shown = cases.show_case(db, "C1")
    assert shown["totals"]["recovered_fen"] == 500000
    assert shown["events"][1]["note"] == "退赃"
    with pytest.raises(NotFound):
        cases.update_event(db, "C1", "9", {"count": "1"})
    assert run_checks(db) == []


def test_removing_the_solved_event_moves_the_status_back(db):
    _case(db)
    cases.add_event(db, "C1", {"kind": "filed", "date": "2026-11-20"})
    cases.add_event(db, "C1", {"kind": "solved", "date": "2026-11-25"})
    assert cases.get_case(db, "C1")["status"] == "solved"
    cases.remove_event(db, "C1", "2", "错录")
    assert cases.get_case(db, "C1")["status"] == "filed"
    assert run_checks(db) == []


def test_a_void_case_keeps_its_events(db):
    _case(db)
    cases.add_event(db, "C1", {"kind": "arrest", "date": "2026-11-21"})
    cases.void_case(db, "C1", "重复")
    with pytest.raises(Conflict):
        cases.remove_event(db, "C1", "1", "x")


def test_events_are_corrected_and_removed_through_the_command(run):
    run("case", "add", "--no", "C1", "--reported", "2026-11-20", "--type", "刷单", "--station",
        "平襄", "--loss", "1万")
    run("case", "event", "C1", "arrest", "--count", "3", "--date", "2026-11-21")
    run("case", "event", "C1", "arrest", "--count", "3", "--date", "2026-11-21")
    assert re.search(r"^2  2026-11-21  arrest  +3 ", run("case", "show", "C1").output, re.M)
    assert "removed C1 #2 arrest" in run("case", "remove-event", "C1", "2", "--reason",
                                         "重复").output
    run("case", "update-event", "C1", "1", "--count", "2")
    shown = json.loads(run("case", "show", "C1", "--format", "json").output)
    assert shown["totals"]["arrested"] == 2 and len(shown["events"]) == 1
    refused = run("case", "remove-event", "C1", "5", "--reason", "x", ok=False)
    assert refused.exit_code == 1 and "N" in refused.output and "no event 5" in refused.output
    assert run("check").exit_code == 0


def test_campaigns_are_corrected_and_removed(db):
    campaigns.add_campaign(db, "冬季", "2026-11-01", "2026-12-31")
    renamed = campaigns.update_campaign(db, "冬季", {"name": "冬季攻势", "to": "2027-01-31"})
    assert renamed["name"] == "冬季攻势" and renamed["days"] == 92
    with pytest.raises(Exception) as refused:
        campaigns.update_campaign(db, "冬季攻势", {"to": "2026-10-01"})
    assert refused.value.field == "to"
    campaigns.remove_campaign(db, "冬季攻势", "重复登记")
    assert campaigns.list_campaigns(db) == []
    logged = [r for r in list_audit(db) if r["entity"] == "campaign"]
    assert [r["action"] for r in logged] == ["add", "update", "remove"]
    assert "冬季攻势" in logged[-1]["before"]  # what was removed stays readable


def test_campaign_commands(run):
    run("campaign", "add", "冬季", "--from", "2026-11-01", "--to", "2026-12-31")
    run("campaign", "update", "冬季", "--note", "全县")
    assert json.loads(run("campaign", "show", "冬季", "--format", "json").output)["note"] == "全县"
    run("campaign", "remove", "冬季", "--reason", "错")
    assert run("campaign", "show", "冬季", ok=False).exit_code == 1


def test_a_voided_case_says_void_wherever_it_is_shown(run):
    run("case", "add", "--no", "V1", "--reported", "2026-11-20", "--type", "刷单", "--station",
        "平襄", "--loss", "100")
    run("case", "event", "V1", "filed", "--date", "2026-11-20")
    run("case", "void", "V1", "--reason", "重复")
    listed = json.loads(run("case", "list", "--status", "void", "--format", "json").output)
    assert [r["status"] for r in listed] == ["void"]
    assert json.loads(run("case", "show", "V1", "--format", "json").output)["status"] == "void"
    shown = run("--lang", "zh", "case", "show", "V1").output
    status = next(line for line in shown.splitlines() if "状态" in line)
    assert "已撤销" in status and "已立案" not in status
