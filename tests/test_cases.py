"""Fraud cases through the command line: add, event, update, void, list, show."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from stdnum.cn import ric

from tests.conftest import days_ago

ID_F_1990 = "62242419900101002" + ric.calc_check_digit("62242419900101002" + "0")
BASE = ["case", "add", "--reported", days_ago(3), "--type", "刷单", "--station", "平襄",
        "--loss", "1.5万"]


def count(db_path, table="cases") -> int:
    return sqlite3.connect(db_path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def audit_rows(db_path, action) -> list[tuple]:
    return sqlite3.connect(db_path).execute(
        "SELECT officer, entity, key, before, after FROM audit WHERE action = ?",
        (action,)).fetchall()


def test_add_prints_the_new_number_and_stores_fen(run, db_path):
    result = run(*BASE)
    no = result.stdout.strip()
    assert no == f"TW{days_ago(3).replace('-', '')}-001"
    row = sqlite3.connect(db_path).execute(
        "SELECT type, station, loss_fen, status, created_by FROM cases").fetchone()
    assert row == ("task-scam", "pingxiang", 1500000, "reported", "测试警官")
    assert run(*BASE).stdout.strip().endswith("-002")
    assert audit_rows(db_path, "add")[0][:3] == ("测试警官", "case", no)


def test_add_json_prints_the_stored_record_masked(run):
    result = run(*BASE, "--no", "A1", "--victim-name", "测试甲", "--victim-phone",
                 "+86 138 0000 0001", "--victim-id", ID_F_1990, "--format", "json")
    record = json.loads(result.stdout)
    assert record["no"] == "A1" and record["loss_fen"] == 1500000
    assert record["victim_name"] == "测**" and record["victim_phone"] == "138****0001"
    assert record["victim_id"] == "622424********" + ID_F_1990[-4:]
    assert record["victim_gender"] == "F" and record["victim_age"] >= 35
    assert "13800000001" not in result.output and ID_F_1990 not in result.output


@pytest.mark.parametrize("extra, field, reason", [
    (["--loss", "-3"], "--loss", "negative"),
    (["--loss", "1.234"], "--loss", "two decimals"),
    (["--type", "nonsense"], "--type", "valid: task-scam 刷单返利"),
    (["--station", "陇"], "--station", "more than one station"),
    (["--reported", "2999-01-01"], "--reported", "in the future"),
    (["--reported", "2024-02-30"], "--reported", "not a real date"),
    (["--occurred", days_ago(1)], "--occurred", "after the reported date"),
    (["--victim-phone", "12345"], "--victim-phone", "mainland mobile"),
    (["--victim-id", ID_F_1990[:-1] + ("0" if ID_F_1990[-1] != "0" else "1")], "--victim-id",
     "check digit does not match"),
    (["--victim-id", ID_F_1990, "--victim-gender", "M"], "--victim-gender", "contradicts"),
    (["--victim-id", ID_F_1990, "--victim-age", "12"], "--victim-age", "contradicts"),
    (["--victim-age", "-1"], "--victim-age", "negative"),
    (["--victim-group", "aliens"], "--victim-group", "unknown audience"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_written(run, db_path, extra, field,
                                                                   reason):
    result = run(*BASE, *extra, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {field}: ")
    assert reason in lines[0]
    assert "Traceback" not in result.output
    assert count(db_path) == 0


def test_duplicate_number_is_refused(run, db_path):
    run(*BASE, "--no", "A1")
    result = run(*BASE, "--no", "A1", ok=False)
    assert result.exit_code == 1 and "error: --no: case A1 already exists" in result.stderr
    assert count(db_path) == 1


def test_missing_required_option_in_a_script_fails_at_once(run, db_path):
    result = run("case", "add", "--type", "刷单", "--station", "平襄", "--loss", "1", ok=False)
    assert result.exit_code == 2 and "--reported" in result.output
    assert count(db_path) == 0


def test_events_move_the_status_and_sum_up(run, db_path):
    run(*BASE, "--no", "A1")
    run("case", "event", "A1", "filed", "--date", days_ago(2))
    run("case", "event", "A1", "solved", "--date", days_ago(1))
    run("case", "event", "A1", "arrest", "--count", "3", "--date", days_ago(1))
    run("case", "event", "A1", "recover", "--amount", "5000.50", "--date", days_ago(1))
    run("case", "event", "A1", "freeze", "--amount", "2万")
    shown = json.loads(run("case", "show", "A1", "--format", "json").stdout)
    assert shown["status"] == "solved"
    assert [e["kind"] for e in shown["events"]] == ["filed", "solved", "arrest", "recover",
                                                    "freeze"]
    assert shown["totals"] == {"arrested": 3, "prosecuted": 0, "recovered_fen": 500050,
                               "frozen_fen": 2000000, "stopped_fen": 0}
    run("case", "event", "A1", "close")
    listed = json.loads(run("case", "list", "--status", "closed", "--format", "json").stdout)
    assert [c["no"] for c in listed] == ["A1"]


@pytest.mark.parametrize("args, field, reason", [
    (["solved"], "KIND", "already solved"),
    (["recover", "--amount", "10000.01"], "--amount", "above the loss"),
    (["freeze"], "--amount", "needs an amount"),
    (["solved", "--amount", "5"], "--amount", "only recover"),
    (["arrest", "--count", "1.5"], "--count", "whole number"),
    (["arrest", "--count", "-2"], "--count", "negative"),
    (["solved", "--date", "2000-01-01"], "--date", "before the case was reported"),
    (["explode"], "KIND", "unknown event"),
])
def test_event_refusals(run, db_path, args, field, reason):
    run(*BASE, "--no", "A1")
    run("case", "event", "A1", "solved", "--date", days_ago(2))
    run("case", "event", "A1", "recover", "--amount", "5000", "--date", days_ago(2))
    before = count(db_path, "case_events")
    result = run("case", "event", "A1", *args, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}: ") and reason in result.stderr
    assert count(db_path, "case_events") == before


def test_event_on_unknown_case(run):
    result = run("case", "event", "NOPE", "solved", ok=False)
    assert result.exit_code == 1 and "no case numbered 'NOPE'" in result.stderr


def test_update_corrects_and_keeps_before_and_after(run, db_path):
    run(*BASE, "--no", "A1", "--victim-phone", "13800000001")
    run("case", "update", "A1", "--loss", "20000", "--station", "马营", "--victim-phone", "-")
    stored = json.loads(run("case", "show", "A1", "--format", "json").stdout)
    assert stored["loss_fen"] == 2000000 and stored["station"] == "maying"
    assert stored["victim_phone"] is None and stored["updated_by"] == "测试警官"
    (_, _, key, before, after), = audit_rows(db_path, "update")
    assert key == "A1"
    assert json.loads(before) == {"loss_fen": 1500000, "station": "pingxiang",
                                  "victim_phone": "138****0001"}
    assert json.loads(after) == {"loss_fen": 2000000, "station": "maying", "victim_phone": None}
    for required in ("--loss", "--station", "--reported", "--type"):
        refused = run("case", "update", "A1", required, "-", ok=False)
        assert refused.exit_code == 1
        assert refused.stderr == f"error: {required}: is required and cannot be cleared\n"
    assert len(audit_rows(db_path, "update")) == 1


def test_update_cannot_push_loss_below_recovered(run, db_path):
    run(*BASE, "--no", "A1")
    run("case", "event", "A1", "recover", "--amount", "10000")
    result = run("case", "update", "A1", "--loss", "9999", ok=False)
    assert result.exit_code == 1 and "error: --loss:" in result.stderr
    assert count(db_path, "cases") == 1
    assert json.loads(run("case", "show", "A1", "--format", "json").stdout)["loss_fen"] == 1500000


def test_void_hides_the_case_keeps_it_and_refuses_events(run, db_path):
    run(*BASE, "--no", "A1")
    run(*BASE, "--no", "A2")
    run("case", "void", "A1", "--reason", "重复录入")
    listed = json.loads(run("case", "list", "--format", "json").stdout)
    assert [c["no"] for c in listed] == ["A2"]
    voided = json.loads(run("case", "list", "--status", "void", "--format", "json").stdout)
    assert [c["no"] for c in voided] == ["A1"]
    result = run("case", "event", "A1", "solved", ok=False)
    assert result.exit_code == 1 and "void" in result.stderr
    assert run("case", "void", "A1", "--reason", "again", ok=False).exit_code == 1
    assert count(db_path) == 2


@pytest.mark.slow
def test_list_filters_by_period_type_station(run):
    run("case", "add", "--no", "OLD", "--reported", days_ago(40), "--type", "loan",
        "--station", "马营", "--loss", "100")
    run("case", "add", "--no", "NEW", "--reported", days_ago(1), "--type", "虚假贷款",
        "--station", "平襄", "--loss", "200")
    run("case", "add", "--no", "ROM", "--reported", days_ago(1), "--type", "romance",
        "--station", "平襄派出所", "--loss", "300")

    def nos(*args):
        out = run("case", "list", *args, "--format", "json").stdout
        return sorted(c["no"] for c in json.loads(out))

    assert nos() == ["NEW", "OLD", "ROM"]
    assert nos("--from", days_ago(7)) == ["NEW", "ROM"]
    assert nos("--to", days_ago(7)) == ["OLD"]
    assert nos("--type", "Fake loan (student loans included)") == ["NEW", "OLD"]
    assert nos("--station", "马营") == ["OLD"]
    assert nos("--status", "reported", "--station", "pingxiang", "--type", "网络婚恋") == ["ROM"]
    bad = run("case", "list", "--status", "lost", ok=False)
    assert bad.exit_code == 1 and "valid: reported 已报案, filed 已立案" in bad.stderr


def test_list_csv_has_bom_english_headers_and_masks(run, tmp_path):
    run(*BASE, "--no", "A1", "--victim-name", "测试甲", "--victim-phone", "13800000001")
    out = tmp_path / "cases.csv"
    run("case", "list", "-o", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0]["no"] == "A1" and rows[0]["loss_fen"] == "1500000"
    assert rows[0]["victim_phone"] == "138****0001" and "测试甲" not in raw.decode("utf-8-sig")


def test_show_table_in_chinese_with_timeline(run):
    run(*BASE, "--no", "A1", "--victim-name", "测试甲")
    run("case", "event", "A1", "freeze", "--amount", "800")
    out = run("--lang", "zh", "case", "show", "A1").stdout
    for label in ("案件 A1", "刷单返利", "平襄派出所", "15,000.00", "冻结", "800.00", "测**"):
        assert label in out
    assert "测试甲" not in out
    english = run("--lang", "en", "case", "show", "A1").stdout
    assert "Task and rebate scam" in english and "Pingxiang Police Station" in english


def test_reveal_shows_in_full_and_is_audited(run, db_path):
    run(*BASE, "--no", "A1", "--victim-name", "测试甲", "--victim-phone", "13800000001")
    out = run("case", "show", "A1", "--reveal", "--format", "json").stdout
    assert json.loads(out)["victim_phone"] == "13800000001"
    (officer, entity, key, _, after), = audit_rows(db_path, "reveal")
    assert (officer, entity, key) == ("测试警官", "case", "A1")


def test_output_format_follows_extension(run, tmp_path):
    run(*BASE, "--no", "A1")
    target = tmp_path / "one.json"
    run("case", "show", "A1", "-o", target)
    assert json.loads(target.read_text("utf-8"))["no"] == "A1"
    bad = run("case", "show", "A1", "-o", tmp_path / "one.pdf", ok=False)
    assert bad.exit_code == 1 and "--output" in bad.stderr


def test_list_limit_shows_the_newest_with_their_money(run):
    for n, ago in (("A", 5), ("B", 3), ("C", 1)):
        run("case", "add", "--no", n, "--reported", days_ago(ago), "--type", "loan",
            "--station", "马营", "--loss", "1000")
    run("case", "event", "B", "recover", "--date", days_ago(2), "--amount", "300")
    run("case", "event", "B", "recover", "--date", days_ago(1), "--amount", "200")
    run("case", "event", "A", "freeze", "--date", days_ago(4), "--amount", "50")
    listed = json.loads(run("case", "list", "--limit", "2", "--format", "json").stdout)
    assert [c["no"] for c in listed] == ["C", "B"]
    assert listed[1]["recovered_fen"] == 50_000 and listed[0]["recovered_fen"] == 0
    every = json.loads(run("case", "list", "--format", "json").stdout)
    assert [c["no"] for c in every] == ["C", "B", "A"] and every[2]["frozen_fen"] == 5_000
