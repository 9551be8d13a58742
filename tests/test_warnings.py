"""Early warnings and follow-ups, through the command as an officer or a script uses it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from stdnum.cn import ric

from tests.conftest import days_ago
from tongwei_cli.core import clock


def resident(region: str = "621121", birth: str = "19900101", seq: str = "123") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


def add(run, no="YJ001", received=None, level="high", station="平襄", phone="13800000001",
        *extra, ok=True):
    received = received or f"{days_ago(2)} 10:15"
    return run("warning", "add", "--no", no, "--received", received, "--level", level,
               "--station", station, "--phone", phone, *extra, ok=ok)


def show(run, no, *extra):
    return json.loads(run("warning", "show", no, "--format", "json", *extra).stdout)


def test_add_prints_number_and_stores_deadline_from_level(run):
    result = add(run, "YJ001", f"{days_ago(2)} 10:15", "高风险", "平襄派出所", "138 0000 0001",
                 "--name", "测试甲", "--id", resident(), "--kind", "资金预警", "--type", "刷单")
    assert result.stdout == "YJ001\n"
    record = show(run, "YJ001")
    day = date.fromisoformat(days_ago(2))
    assert record["received_at"] == f"{day}T02:15:00Z"  # 10:15 in Gansu is 02:15 UTC
    assert record["deadline_at"] == f"{day}T04:15:00Z"  # high: 2 hours
    assert record["level"] == "high" and record["station"] == "pingxiang"
    assert record["kind"] == "money" and record["type"] == "task-scam"
    assert record["phone"] == "138****0001" and record["name"] == "测**"
    assert record["id_no"].startswith("621121") and "*" in record["id_no"]
    assert record["status"] == "overdue" and record["feedback_at"] is None


def test_add_json_prints_the_stored_record_masked(run):
    out = json.loads(add(run, "YJ002", None, "low", "马营", "13800000002", "--format",
                         "json").stdout)
    assert out["no"] == "YJ002" and out["phone"] == "138****0002"
    hours = (clock.parse_stamp(out["deadline_at"]) - clock.parse_stamp(out["received_at"]))
    assert hours == timedelta(hours=72)


def test_bad_values_are_refused_naming_the_option_and_nothing_is_written(run, db):
    result = add(run, "YJ003", None, "high", "平襄", "12345", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --phone: ")
    result = add(run, "YJ003", None, "extreme", "平襄", "13800000003", ok=False)
    assert result.exit_code == 1 and "--level" in result.stderr and "high" in result.stderr
    result = add(run, "YJ003", "2999-01-01 10:00", ok=False)
    assert "--received" in result.stderr and "future" in result.stderr
    result = add(run, "YJ003", None, "high", "平襄", "13800000003", "--id",
                 resident()[:-1] + "0" if resident()[-1] != "0" else resident()[:-1] + "1",
                 ok=False)
    assert "error: --id: check digit does not match" in result.stderr
    assert db.scalar("SELECT count(*) FROM warnings") == 0


def test_duplicate_number_is_refused(run):
    add(run, "YJ001")
    result = add(run, "YJ001", ok=False)
    assert result.exit_code == 1 and "--no" in result.stderr and "already exists" in result.stderr


@pytest.mark.slow
def test_missing_required_option_in_a_script_fails_at_once(sh):
    result = sh("warning", "add", "--no", "YJ9", "--level", "high", "--station", "平襄",
                "--phone", "13800000001")
    assert result.returncode == 2 and "--received" in result.stderr
    result = sh("warning", "followup", "YJ9", "--at", "now", "--method", "phone")
    assert result.returncode == 2 and "--outcome" in result.stderr
    assert "Traceback" not in result.stderr


def test_followup_rules(run):
    add(run, "YJ001", f"{days_ago(2)} 10:15")
    result = run("warning", "followup", "YJ001", "--at", f"{days_ago(2)} 10:00", "--method",
                 "phone", "--outcome", "dissuaded", ok=False)
    assert result.exit_code == 1 and "--at" in result.stderr and "before" in result.stderr
    result = run("warning", "followup", "YJ001", "--at", "2999-01-01 10:00", "--method",
                 "phone", "--outcome", "dissuaded", ok=False)
    assert "--at" in result.stderr and "future" in result.stderr
    result = run("warning", "followup", "YJ001", "--at", "now", "--method", "phone",
                 "--outcome", "defrauded", "--case", "TW-NONE", ok=False)
    assert "error: --case: no case numbered 'TW-NONE'" in result.stderr
    result = run("warning", "followup", "YJ404", "--at", "now", "--method", "phone",
                 "--outcome", "dissuaded", ok=False)
    assert result.exit_code == 1 and "YJ404" in result.stderr
    result = run("warning", "followup", "YJ001", "--at", "now", "--method", "fax",
                 "--outcome", "dissuaded", ok=False)
    assert "--method" in result.stderr and "visit" in result.stderr
    assert show(run, "YJ001")["followups"] == []


def test_feedback_is_the_first_non_in_progress_followup(run):
    add(run, "YJ001", f"{days_ago(2)} 10:15", "medium")  # deadline next day 10:15
    run("warning", "followup", "YJ001", "--at", f"{days_ago(2)} 10:30", "--method", "phone",
        "--outcome", "in-progress")
    assert show(run, "YJ001")["feedback_at"] is None
    out = run("warning", "followup", "YJ001", "--at", f"{days_ago(2)} 11:00", "--method",
              "phone", "--outcome", "unreachable")
    assert out.stdout.startswith("YJ001 phone")
    run("warning", "followup", "YJ001", "--at", f"{days_ago(1)} 15:00", "--method", "visit",
        "--outcome", "dissuaded", "--note", "回访")
    record = show(run, "YJ001")
    assert record["status"] == "closed"
    assert record["feedback_at"] == clock.stamp(
        clock.parse_stamp(record["received_at"]) + timedelta(minutes=45))
    assert record["on_time"] is True
    assert record["feedback_outcome"] == "unreachable"
    assert record["latest_outcome"] == "dissuaded"
    assert [f["outcome"] for f in record["followups"]] == ["in-progress", "unreachable",
                                                           "dissuaded"]
    assert record["visited_at"] is not None
    # the same follow-up twice is refused
    again = run("warning", "followup", "YJ001", "--at", f"{days_ago(1)} 15:00", "--method",
                "visit", "--outcome", "dissuaded", ok=False)
    assert again.exit_code == 1 and "already recorded" in again.stderr


def test_late_feedback_is_not_on_time(run):
    add(run, "YJ001", f"{days_ago(2)} 10:15", "high")
    run("warning", "followup", "YJ001", "--at", f"{days_ago(2)} 13:00", "--method", "phone",
        "--outcome", "dissuaded")
    record = show(run, "YJ001")
    assert record["status"] == "closed" and record["on_time"] is False
    table = run("warning", "show", "YJ001").stdout
    assert "On time" in table and "no" in table and "138****0001" in table
    assert "13800000001" not in table


def test_status_as_of_another_moment(run):
    add(run, "YJ001", f"{days_ago(2)} 10:15", "high")
    run("warning", "followup", "YJ001", "--at", f"{days_ago(2)} 13:00", "--method", "phone",
        "--outcome", "dissuaded")

    def status_at(moment):
        rows = json.loads(run("warning", "list", "--as-of", moment, "--format", "json").stdout)
        return rows[0]["status"] if rows else None

    assert status_at(f"{days_ago(2)} 10:00") is None  # not yet received
    assert status_at(f"{days_ago(2)} 11:00") == "open"
    assert status_at(f"{days_ago(2)} 12:45") == "overdue"
    assert status_at(f"{days_ago(2)} 13:00") == "closed"
    rows = json.loads(run("warning", "list", "--status", "overdue", "--as-of",
                          f"{days_ago(2)} 12:45", "--format", "json").stdout)
    assert rows[0]["overdue_minutes"] == 30 and rows[0]["feedback_at"] is None


def test_dispatch_list_sorted_by_deadline_with_counts_per_station(run):
    add(run, "A-LOW", f"{days_ago(5)} 08:00", "low", "马营", "13800000010")  # due day -2
    add(run, "B-HIGH", f"{days_ago(3)} 09:00", "high", "平襄", "13800000011")  # due day -3
    add(run, "C-MED", f"{days_ago(4)} 09:00", "medium", "平襄", "13800000012")  # due day -3
    add(run, "D-DONE", f"{days_ago(3)} 09:00", "high", "鸡川", "13800000013")
    run("warning", "followup", "D-DONE", "--at", f"{days_ago(3)} 10:00", "--method", "visit",
        "--outcome", "dissuaded")
    rows = json.loads(run("warning", "list", "--status", "overdue", "--format", "json").stdout)
    assert [r["no"] for r in rows] == ["C-MED", "B-HIGH", "A-LOW"]
    assert rows[0]["overdue_minutes"] > rows[1]["overdue_minutes"] > rows[2]["overdue_minutes"]
    table = run("warning", "list", "--status", "overdue").stdout
    assert "By station: Pingxiang Police Station 2, Maying Police Station 1" in table
    assert "3 total" in table and "138****0011" in table and "13800000011" not in table
    text = run("warning", "list", "--status", "overdue", "--format", "csv").stdout
    records = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["no"] for r in records] == ["C-MED", "B-HIGH", "A-LOW"]
    assert records[0]["phone"] == "138****0012" and records[0]["status"] == "overdue"
    # --limit: the most overdue, whatever their station (not the first station's first)
    first = json.loads(run("warning", "list", "--status", "overdue", "--limit", "2",
                           "--format", "json").stdout)
    assert [r["no"] for r in first] == ["C-MED", "B-HIGH"]
    closed = json.loads(run("warning", "list", "--status", "closed", "--station", "鸡川",
                            "--format", "json").stdout)
    assert [r["no"] for r in closed] == ["D-DONE"]
    high = json.loads(run("warning", "list", "--level", "高风险", "--format", "json").stdout)
    assert {r["no"] for r in high} == {"B-HIGH", "D-DONE"}


def test_reveal_shows_in_full_and_is_audited(run, db):
    add(run, "YJ001")
    out = run("warning", "list", "--reveal", "--format", "json").stdout
    assert "13800000001" in out
    assert db.scalar("SELECT count(*) FROM audit WHERE action = 'reveal'"
                     " AND entity = 'warning'") == 1


def test_warnings_and_followups_across_local_midnight(run):
    day = days_ago(1)
    add(run, "YJ-MID", f"{day} 00:30", "medium")
    record = show(run, "YJ-MID")
    previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    assert record["received_at"] == f"{previous}T16:30:00Z"  # the previous day in UTC
    listed = json.loads(run("warning", "list", "--from", day, "--to", day, "--format",
                            "json").stdout)
    assert [r["no"] for r in listed] == ["YJ-MID"]
    assert json.loads(run("warning", "list", "--to", previous, "--format", "json").stdout) == []
    refused = run("warning", "followup", "YJ-MID", "--at", f"{previous} 23:59", "--method",
                  "phone", "--outcome", "dissuaded", ok=False)
    assert "before the warning was received" in refused.stderr
    run("warning", "followup", "YJ-MID", "--at", f"{day} 00:45", "--method", "phone",
        "--outcome", "dissuaded")
    assert show(run, "YJ-MID")["feedback_at"] == f"{previous}T16:45:00Z"


def test_defrauded_outcome_and_case_naming_the_warning_link_them(run):
    add(run, "YJ001")
    add(run, "YJ002", None, "low", "马营", "13800000002")
    run("case", "add", "--no", "TW-1", "--reported", days_ago(1), "--type", "刷单",
        "--station", "平襄", "--loss", "5000")
    run("warning", "followup", "YJ001", "--at", "now", "--method", "phone", "--outcome",
        "defrauded", "--case", "TW-1")
    record = show(run, "YJ001")
    assert record["defrauded"] is True and record["cases"] == ["TW-1"]
    assert record["followups"][0]["case_no"] == "TW-1"
    assert show(run, "YJ002")["defrauded"] is False
    run("case", "add", "--no", "TW-2", "--reported", days_ago(1), "--type", "刷单",
        "--station", "马营", "--loss", "800", "--warning", "YJ002")
    record = show(run, "YJ002")
    assert record["defrauded"] is True and record["cases"] == ["TW-2"]


def test_set_deadline_changes_new_warnings_only_and_is_audited(run, db):
    add(run, "OLD", f"{days_ago(2)} 10:00", "high")
    out = run("ref", "set-deadline", "高风险", "4")
    assert out.stdout == "high 4\n"
    levels = json.loads(run("ref", "levels", "--format", "json").stdout)
    assert {r["code"]: r["deadline_hours"] for r in levels}["high"] == 4
    add(run, "NEW", f"{days_ago(2)} 10:00", "high", "平襄", "13800000002")
    old, new = show(run, "OLD"), show(run, "NEW")
    assert old["deadline_at"][11:16] == "04:00" and new["deadline_at"][11:16] == "06:00"
    row = db.one("SELECT before, after FROM audit WHERE action = 'set-deadline'")
    assert json.loads(row["before"]) == {"deadline_hours": 2}
    assert json.loads(row["after"]) == {"deadline_hours": 4}
    bad = run("ref", "set-deadline", "high", "-3", ok=False)
    assert bad.exit_code in (1, 2)
    bad = run("ref", "set-deadline", "extreme", "3", ok=False)
    assert bad.exit_code == 1 and "LEVEL" in bad.stderr


@pytest.mark.slow
def test_add_and_list_paths_do_not_load_pandas(sh, db_path, tmp_path):
    assert sh("init").returncode == 0
    probe = (
        "import sys\n"
        "from tongwei_cli.cli import main\n"
        "for args in (['warning', 'add', '--no', 'P1', '--received', 'now', '--level', 'high',"
        " '--station', '平襄', '--phone', '13800000001'], ['warning', 'list'],"
        " ['warning', 'followup', 'P1', '--at', 'now', '--method', 'phone',"
        " '--outcome', 'dissuaded']):\n"
        "    sys.argv = ['tongwei', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlite_utils') if m in sys.modules))\n")
    env = {"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "测试警官", "TONGWEI_LANG": "en",
           "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def _report_day(run, day: str) -> dict:
    return json.loads(run("report", "range", "--from", day, "--to", day, "--format",
                          "json").stdout)


def test_update_corrects_a_warning_and_the_figures_follow(run, db):
    """A warning entered as high risk at the wrong station: corrected to medium at 马营,
    its deadline moves, its late feedback becomes on time, and the day's figures say so."""
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high", "平襄", "13800000001", "--name", "测试甲")
    run("warning", "followup", "YJ1", "--at", f"{day} 13:00", "--method", "phone",
        "--outcome", "dissuaded")
    before = _report_day(run, day)
    assert before["warnings"]["on_time"] == 0  # high: due 12:00
    out = run("warning", "update", "YJ1", "--level", "中风险", "--station", "马营",
              "--note", "等级更正")
    assert out.stdout == "YJ1\n"
    record = show(run, "YJ1")
    assert record["level"] == "medium" and record["station"] == "maying"
    assert clock.parse_stamp(record["deadline_at"]) - clock.parse_stamp(
        record["received_at"]) == timedelta(hours=24)
    assert record["on_time"] is True and record["name"] == "测**"
    after = _report_day(run, day)
    assert after["warnings"]["on_time"] == 1 and after["warnings"]["received"] == 1
    levels = {r["level"]: r["received"] for r in after["breakdowns"]["by_level"]}
    assert levels == {"high": 0, "medium": 1, "low": 0}
    stations = {r["station"]: r["warnings"]["received"]
                for r in after["breakdowns"]["by_station"]}
    assert stations.get("pingxiang", 0) == 0 and stations["maying"] == 1
    row = db.one("SELECT officer, before, after FROM audit WHERE action = 'update'"
                 " AND entity = 'warning'")
    assert json.loads(row["before"])["level"] == "high"
    assert json.loads(row["after"])["station"] == "maying"
    assert row["officer"] == "测试警官"
    assert run("check").exit_code == 0  # the per-day totals were kept right


def test_update_refuses_what_add_refuses_and_writes_nothing(run, db):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high", "平襄", "13800000001", "--name", "测试甲")
    run("warning", "followup", "YJ1", "--at", f"{day} 11:00", "--method", "visit",
        "--outcome", "in-progress")
    audited = db.scalar("SELECT count(*) FROM audit")
    cases = [
        (["--received", f"{day} 11:30"], "error: --received: its first follow-up"),
        (["--phone", "12345"], "error: --phone: "),
        (["--phone", "-"], "error: --phone: is required and cannot be cleared"),
        (["--level", "extreme"], "error: --level: "),
        (["--received", "2999-01-01 10:00"], "error: --received: "),
        ([], "error: W_NO: nothing to change"),
    ]
    for extra, message in cases:
        result = run("warning", "update", "YJ1", *extra, ok=False)
        assert result.exit_code == 1, extra
        assert result.stderr.startswith(message), (extra, result.stderr)
        assert result.stderr.count("\n") == 1
    missing = run("warning", "update", "NOPE", "--note", "x", ok=False)
    assert missing.exit_code == 1 and "W_NO" in missing.stderr
    assert db.scalar("SELECT count(*) FROM audit") == audited
    assert show(run, "YJ1")["level"] == "high"
    # An optional field can be cleared; the name leaves the record.
    run("warning", "update", "YJ1", "--name", "-")
    assert show(run, "YJ1")["name"] is None


def test_a_new_received_time_keeps_the_hours_the_warning_was_given(run):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high")
    run("ref", "set-deadline", "high", "6")
    run("warning", "update", "YJ1", "--received", f"{day} 09:00")
    record = show(run, "YJ1")
    assert record["received_at"] == f"{day}T01:00:00Z"
    assert record["deadline_at"] == f"{day}T03:00:00Z"  # 2 hours, as when it came in
    run("warning", "update", "YJ1", "--level", "medium")
    run("warning", "update", "YJ1", "--level", "high")
    assert show(run, "YJ1")["deadline_at"] == f"{day}T07:00:00Z"  # a new level: 6 hours now


@pytest.mark.slow
def test_update_in_a_script_masks_the_person(sh):
    """Through the installed command: the JSON of the corrected record is masked."""
    assert sh("warning", "add", "--no", "YJ9", "--received", f"{days_ago(1)} 08:00", "--level",
              "low", "--station", "平襄", "--phone", "13800000009").returncode == 0
    result = sh("warning", "update", "YJ9", "--phone", "13800001111", "--name", "测试乙",
                "--format", "json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["phone"] == "138****1111" and record["name"] == "测**"
    assert "13800001111" not in result.stdout + result.stderr


def test_a_followup_is_corrected_by_giving_it_again_with_update(run, db):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high")
    run("case", "add", "--no", "TW1", "--reported", day, "--type", "loan", "--station", "平襄",
        "--loss", "500")
    followup = ["warning", "followup", "YJ1", "--at", f"{day} 11:00", "--method", "phone"]
    run(*followup, "--outcome", "dissuaded")
    assert _report_day(run, day)["warnings"]["dissuaded"] == 1
    again = run(*followup, "--outcome", "defrauded", "--case", "TW1", ok=False)
    assert again.exit_code == 1
    assert again.stderr == (f"error: --at: a phone follow-up of YJ1 at {day} 11:00 is already "
                            "recorded (--update corrects it)\n")
    out = run(*followup, "--outcome", "defrauded", "--case", "TW1", "--update")
    assert out.stdout == f"YJ1 phone {day} 11:00 defrauded\n"
    record = show(run, "YJ1")
    assert len(record["followups"]) == 1 and record["followups"][0]["outcome"] == "defrauded"
    assert record["defrauded"] is True and record["cases"] == ["TW1"]
    figures = _report_day(run, day)["warnings"]
    assert figures["dissuaded"] == 0 and figures["defrauded"] == 1 and figures["fed_back"] == 1
    row = db.one("SELECT before, after FROM audit WHERE action = 'update'"
                 " AND entity = 'followup'")
    assert json.loads(row["before"]) == {"outcome": "dissuaded", "case": None}
    assert json.loads(row["after"]) == {"outcome": "defrauded", "case": "TW1"}
    # --update with nothing stored at that moment simply records it.
    run("warning", "followup", "YJ1", "--at", f"{day} 15:00", "--method", "visit",
        "--outcome", "dissuaded", "--update")
    assert len(show(run, "YJ1")["followups"]) == 2
    assert run("check").exit_code == 0


@pytest.mark.slow
def test_a_followup_entered_in_error_is_removed_and_the_warning_reopens(run, sh, db):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high")
    add(run, "YJ2", f"{day} 10:00", "high", "平襄", "13800000002")
    run("warning", "followup", "YJ1", "--at", f"{day} 11:00", "--method", "phone",
        "--outcome", "dissuaded")  # meant for YJ2
    run("warning", "followup", "YJ2", "--at", f"{day} 10:30", "--method", "visit",
        "--outcome", "in-progress")
    assert _report_day(run, day)["warnings"]["fed_back"] == 1
    wrong = ["warning", "remove-followup", "YJ1", "--at", f"{day} 11:00"]
    missing = run(*wrong, "--method", "visit", "--reason", "x", ok=False)
    assert missing.exit_code == 1
    assert missing.stderr == f"error: --at: no follow-up YJ1 {day} 11:00 visit is recorded\n"
    script = sh(*wrong, "--method", "phone")  # a script without --reason fails at once
    assert script.returncode == 2 and "--reason" in script.stderr
    out = run(*wrong, "--method", "phone", "--reason", "录错预警编号")
    assert out.stdout == f"removed YJ1 {day} 11:00 phone\n"
    record = show(run, "YJ1")
    assert record["followups"] == [] and record["status"] == "overdue"
    assert record["feedback_at"] is None and record["feedback_outcome"] is None
    figures = _report_day(run, day)["warnings"]
    assert figures["fed_back"] == 0 and figures["dissuaded"] == 0 and figures["open"] == 2
    row = db.one("SELECT officer, key, before, after FROM audit WHERE action = 'remove'")
    assert row["key"] == f"YJ1 {day} 11:00 phone" and row["officer"] == "测试警官"
    assert json.loads(row["before"])["outcome"] == "dissuaded"
    assert json.loads(row["after"]) == {"removed": True, "reason": "录错预警编号"}
    # The other warning's follow-ups are untouched; the right one can now be recorded.
    run("warning", "followup", "YJ2", "--at", f"{day} 11:00", "--method", "phone",
        "--outcome", "dissuaded")
    assert show(run, "YJ2")["feedback_at"] == f"{day}T03:00:00Z"
    assert len(show(run, "YJ2")["followups"]) == 2
    assert run("check").exit_code == 0


def test_removing_one_of_several_followups_keeps_what_the_others_say(run):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high")
    for at, method, outcome in (("10:20", "phone", "in-progress"), ("10:40", "visit",
                                                                     "dissuaded"),
                                ("12:30", "phone", "not-fraud")):
        run("warning", "followup", "YJ1", "--at", f"{day} {at}", "--method", method,
            "--outcome", outcome)
    run("warning", "remove-followup", "YJ1", "--at", f"{day} 10:40", "--method", "visit",
        "--reason", "时间录错")
    record = show(run, "YJ1")
    assert record["feedback_at"] == f"{day}T04:30:00Z"  # now the 12:30 call: late (due 12:00)
    assert record["on_time"] is False and record["visited_at"] is None
    assert record["feedback_outcome"] == "not-fraud"
    assert [f["at"][11:16] for f in record["followups"]] == ["02:20", "04:30"]
    assert run("check").exit_code == 0


@pytest.mark.slow
def test_a_warning_entered_in_error_is_removed_with_its_followups(run, sh, db):
    day = days_ago(3)
    add(run, "YJ1", f"{day} 10:00", "high", "平襄", "13800000001", "--name", "测试甲")
    add(run, "YJ2", f"{day} 10:05", "medium", "平襄", "13800000002")
    run("warning", "followup", "YJ1", "--at", f"{day} 10:30", "--method", "visit",
        "--outcome", "dissuaded")
    run("case", "add", "--no", "TW1", "--reported", day, "--type", "loan", "--station", "平襄",
        "--loss", "500", "--warning", "YJ1")
    audited = db.scalar("SELECT count(*) FROM audit")
    named = run("warning", "remove", "YJ1", "--reason", "平台重复推送", ok=False)
    assert named.exit_code == 1 and named.stderr == (
        "error: W_NO: case TW1 names this warning; correct the case first "
        "(tongwei case update TW1 --warning -)\n")
    assert sh("warning", "remove", "YJ1").returncode == 2  # no --reason: refused at once
    assert db.scalar("SELECT count(*) FROM audit") == audited
    run("case", "update", "TW1", "--warning", "-")
    out = run("warning", "remove", "YJ1", "--reason", "平台重复推送")
    assert out.stdout == "removed YJ1\n"
    assert db.scalar("SELECT count(*) FROM warnings") == 1
    assert db.scalar("SELECT count(*) FROM followups") == 0
    figures = _report_day(run, day)
    assert figures["warnings"]["received"] == 1 and figures["warnings"]["visited"] == 0
    assert {r["level"]: r["received"] for r in figures["breakdowns"]["by_level"]} == {
        "high": 0, "medium": 1, "low": 0}
    row = db.one("SELECT before, after FROM audit WHERE action = 'remove'"
                 " AND entity = 'warning'")
    before = json.loads(row["before"])
    assert before["name"] == "测**" and before["phone"] == "138****0001"  # masked in the log
    assert [f["outcome"] for f in before["followups"]] == ["dissuaded"]
    assert json.loads(row["after"]) == {"removed": True, "reason": "平台重复推送"}
    missing = run("warning", "remove", "YJ1", "--reason", "x", ok=False)
    assert missing.exit_code == 1 and "no warning numbered 'YJ1'" in missing.stderr
    add(run, "YJ1", f"{day} 10:00", "low")  # the number is free again
    assert run("check").exit_code == 0


def test_show_says_who_corrected_a_warning(run):
    add(run, "YJ1", f"{days_ago(2)} 10:00", "high")
    assert "Corrected by" not in run("warning", "show", "YJ1").stdout
    run("warning", "update", "YJ1", "--note", "更正")
    shown = run("warning", "show", "YJ1").stdout
    assert "Corrected by" in shown and "测试警官" in shown
