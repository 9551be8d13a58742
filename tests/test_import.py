"""`tongwei import`: real files (XLSX by openpyxl, CSV in every encoding, JSON), checked
row by row, all or nothing, idempotent."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from stdnum.cn import ric

from tests.conftest import days_ago
from tongwei_cli.core.masking import mask_id
from tongwei_cli.imports import engine as importer
from tongwei_cli.imports import readers
from tongwei_cli.storage import personal

ID = "62112119900101123" + ric.calc_check_digit("62112119900101123" + "0")
PLATFORM_HEADERS = ["预警编号", "预警时间", "风险等级", "管辖单位", "手机号码", "姓名",
                    "身份证号", "诈骗类型", "序号"]


def platform_rows(n: int = 3) -> list[list]:
    day = days_ago(3).replace("-", "/")
    levels = ["高风险", "中风险", "低风险"]
    stations = ["平襄派出所", "马营派出所", "鸡川派出所"]
    return [[f"YJ{i:04d}", f"{day} {8 + i % 10}:15", levels[i % 3], stations[i % 3],
             f"1380000{i:04d}", f"测试{'甲乙丙丁'[i % 4]}", ID if i == 0 else "", "刷单返利", i]
            for i in range(n)]


def write_csv(path: Path, header: list, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def count(db, table: str) -> int:
    return db.scalar(f"SELECT count(*) FROM {table}")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_platform_csv_in_each_encoding(run, db, tmp_path, encoding):
    path = write_csv(tmp_path / "预警.csv", PLATFORM_HEADERS, platform_rows(), encoding)
    result = run("import", "warnings", path)
    assert result.stdout == "imported 3, unchanged 0\n"
    assert "ignored column: 序号" in result.stderr
    rows = {r["no"]: dict(r) for r in db.query("SELECT * FROM warnings")}
    assert rows["YJ0000"]["level"] == "high" and rows["YJ0001"]["station"] == "maying"
    assert rows["YJ0002"]["name"] == "测**" and rows["YJ0000"]["id_no"] == mask_id(ID)
    opened = personal.reveal(db, "warnings", [rows["YJ0002"], rows["YJ0000"]])
    assert opened[0]["name"] == "测试丙" and opened[1]["id_no"] == ID
    assert rows["YJ0000"]["type"] == "task-scam"


def test_xlsx_written_by_openpyxl_with_date_cells_and_number_cells(run, db, tmp_path):
    day = date.fromisoformat(days_ago(2))
    rows = [["X1", datetime(day.year, day.month, day.day, 0, 30), "high", "平襄",
             13800000001, "测试甲"],
            ["X2", datetime(day.year, day.month, day.day, 9, 5), "中风险", "马营派出所",
             "+86 138 0000 0002", None]]
    path = write_xlsx(tmp_path / "warnings.xlsx", ["No", "Received", "LEVEL", "station",
                                                   "phone", "name"], rows)
    assert run("import", "warnings", path).stdout == "imported 2, unchanged 0\n"
    shown = {no: json.loads(run("warning", "show", no, "--format", "json", "--reveal").stdout)
             for no in ("X1", "X2")}
    previous = day - timedelta(days=1)
    assert shown["X1"]["received_at"] == f"{previous}T16:30:00Z"  # 00:30 local: UTC day before
    assert shown["X1"]["phone"] == "13800000001" and shown["X2"]["phone"] == "13800000002"
    assert shown["X2"]["deadline_at"] == f"{day + timedelta(days=1)}T01:05:00Z"  # 24 hours
    # stored as whole UTC seconds
    stored = {r["no"]: r["received_at"] for r in db.query("SELECT no, received_at FROM warnings")}
    assert stored["X1"] == int(datetime.fromisoformat(f"{previous}T16:30:00+00:00").timestamp())


def test_json_array_and_underscore_headers(run, db, tmp_path):
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(2)} 10:00", "--level",
        "low", "--station", "平襄", "--phone", "13800000001")
    run("case", "add", "--no", "TW-1", "--reported", days_ago(1), "--type", "刷单",
        "--station", "平襄", "--loss", "1000")
    data = [{"warning": "W1", "at": f"{days_ago(2)} 11:00", "method": "电话",
             "outcome": "in-progress"},
            {"warning": "W1", "at": f"{days_ago(1)} 09:00", "method": "visit",
             "outcome": "defrauded", "case": "TW-1", "note": "已被骗"}]
    path = tmp_path / "followups.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert run("import", "followups", path).stdout == "imported 2, unchanged 0\n"
    warning = json.loads(run("warning", "show", "W1", "--format", "json").stdout)
    assert warning["status"] == "closed" and warning["defrauded"] is True
    assert warning["cases"] == ["TW-1"]
    cases = [{"no": "TW-2", "reported": days_ago(1), "type": "loan", "station": "马营",
              "loss": "1.5万", "victim_phone": "13800000009", "Victim_Gender": "女"}]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), "utf-8")
    assert run("import", "cases", path).stdout == "imported 1, unchanged 0\n"
    case = json.loads(run("case", "show", "TW-2", "--format", "json").stdout)
    assert case["loss_fen"] == 1_500_000 and case["victim_gender"] == "F"


def test_bad_rows_in_several_places_write_nothing_and_are_all_named(run, db, tmp_path):
    rows = platform_rows(8)
    rows[1][4] = "12345"  # phone, line 3
    rows[4][2] = "极高风险"  # level, line 6
    rows[6][0] = rows[5][0]  # duplicate key, line 8
    rows[7][1] = "2999/1/1 10:00"  # future, line 9
    path = write_csv(tmp_path / "bad.csv", PLATFORM_HEADERS, rows, "gb18030")
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 4 bad lines; nothing was written"
    assert lines[1].startswith("  line 3: phone: ")
    assert lines[2].startswith("  line 6: level: unknown warning level '极高风险'")
    assert lines[3] == "  line 8: no: warning YJ0005 repeats line 7"
    assert lines[4].startswith("  line 9: received: ") and "future" in lines[4]
    assert count(db, "warnings") == 0 and count(db, "imports") == 0
    assert db.scalar("SELECT count(*) FROM audit WHERE action = 'import'") == 0


def test_many_bad_rows_show_the_first_twenty(run, tmp_path):
    rows = platform_rows(25)
    for row in rows:
        row[3] = "某某派出所"
    path = write_xlsx(tmp_path / "bad.xlsx", PLATFORM_HEADERS, rows)
    result = run("import", "warnings", path, ok=False)
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 25 bad rows; nothing was written"
    assert lines[1].startswith("  row 2: station: unknown station '某某派出所'")
    assert lines[-1] == "  … and 5 more"


def test_same_file_twice_adds_nothing(run, db, tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", PLATFORM_HEADERS, platform_rows(5))
    run("import", "warnings", path)
    audit_rows = count(db, "audit")
    result = run("import", "warnings", path)
    assert result.stdout == "imported 0, unchanged 5\n"
    assert count(db, "warnings") == 5 and count(db, "imports") == 1
    assert count(db, "audit") == audit_rows


def test_same_key_with_other_content_is_refused_or_updated(run, db, tmp_path):
    rows = platform_rows(3)
    write_csv(tmp_path / "a.csv", PLATFORM_HEADERS, rows)
    run("import", "warnings", tmp_path / "a.csv")
    rows[2][3] = "榜罗派出所"
    rows.append(["YJ0100", rows[0][1], "高风险", "平襄", "13800000100", "", "", "", 9])
    write_csv(tmp_path / "b.csv", PLATFORM_HEADERS, rows)
    refused = run("import", "warnings", tmp_path / "b.csv", ok=False)
    assert refused.exit_code == 1
    assert "line 4: no: warning YJ0002 is already stored with a different station; use " \
           "--update" in refused.stderr
    assert count(db, "warnings") == 3
    done = run("import", "warnings", tmp_path / "b.csv", "--update")
    assert done.stdout == "imported 1, unchanged 2, updated 1\n"
    assert db.scalar("SELECT station FROM warnings WHERE no = 'YJ0002'") == "bangluo"
    audit = db.one("SELECT before, after FROM audit WHERE action = 'update'"
                   " AND entity = 'warning'")
    assert json.loads(audit["after"]) == {"station": "bangluo"}
    # the reports' per-day totals moved the warning to its new station too
    assert db.scalar("SELECT sum(received) FROM warning_days WHERE station = 'bangluo'") == 1
    assert run("check").exit_code == 0


def test_dry_run_checks_and_writes_nothing(run, db, tmp_path):
    path = write_csv(tmp_path / "w.csv", PLATFORM_HEADERS, platform_rows(4))
    result = run("import", "warnings", path, "--dry-run")
    assert result.stdout == "would import 4, unchanged 0 (dry run: nothing written)\n"
    assert count(db, "warnings") == 0 and count(db, "imports") == 0


def test_one_import_row_and_one_audit_row_naming_the_file(run, db, tmp_path):
    path = write_csv(tmp_path / "预警0801.csv", PLATFORM_HEADERS, platform_rows(6))
    result = run("import", "warnings", path, "--format", "json")
    summary = json.loads(result.stdout)
    assert summary["imported"] == 6 and summary["import_id"] == 1
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    imp = db.one("SELECT * FROM imports")
    assert (imp["kind"], imp["file_name"], imp["sha256"], imp["imported"]) == (
        "warnings", "预警0801.csv", digest, 6)
    assert imp["file_size"] == path.stat().st_size and imp["officer"] == "测试警官"
    assert db.scalar("SELECT count(DISTINCT import_id) FROM warnings") == 1
    assert db.scalar("SELECT min(import_id) FROM warnings") == imp["id"]
    audits = db.query("SELECT after FROM audit WHERE action = 'import'")
    assert len(audits) == 1
    after = json.loads(audits[0]["after"])
    assert after["file"] == "预警0801.csv" and after["sha256"] == digest
    assert after["imported"] == 6 and "13800000" not in audits[0]["after"]


def test_followups_file_with_platform_headers_and_midnight(run, db, tmp_path):
    day = days_ago(1)
    previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    run("warning", "add", "--no", "M1", "--received", f"{day} 00:30", "--level", "medium",
        "--station", "平襄", "--phone", "13800000001")
    header = ["预警编号", "劝阻时间", "劝阻方式", "劝阻结果", "备注"]
    path = write_csv(tmp_path / "f.csv", header,
                     [["M1", f"{previous} 23:50", "电话", "劝阻成功", ""]], "utf-8-sig")
    result = run("import", "followups", path, ok=False)
    assert "line 2: at: " in result.stderr and "before the warning was received" in result.stderr
    path = write_csv(tmp_path / "g.csv", header,
                     [["M1", f"{day} 00:40", "电话", "处置中", ""],
                      ["M1", f"{day} 09:00", "上门", "劝阻成功", "回访"],
                      ["M1", f"{day} 08:00", "电话", "无法联系", ""]], "utf-8-sig")
    assert run("import", "followups", path).stdout == "imported 3, unchanged 0\n"
    record = json.loads(run("warning", "show", "M1", "--format", "json").stdout)
    # the feedback is the earliest non-in-progress follow-up (08:00 local), whatever the order
    assert record["feedback_at"] == f"{day}T00:00:00Z"
    assert record["feedback_outcome"] == "unreachable" and record["on_time"] is True
    assert [f["outcome"] for f in record["followups"]] == ["in-progress", "unreachable",
                                                           "dissuaded"]
    assert run("import", "followups", path).stdout == "imported 0, unchanged 3\n"


def test_cases_and_events_import_through_the_case_rules(run, db, tmp_path):
    cases = write_csv(tmp_path / "cases.csv",
                      ["案件编号", "报案日期", "诈骗类型", "管辖单位", "损失金额(元)",
                       "受害人姓名"],
                      [["TW-A", days_ago(5), "刷单返利", "平襄派出所", "12000.50", "测试甲"],
                       ["TW-B", days_ago(4), "虚假贷款", "马营", "3000", ""]], "gb18030")
    assert run("import", "cases", cases).stdout == "imported 2, unchanged 0\n"
    events = write_csv(tmp_path / "events.csv", ["case", "kind", "date", "count", "amount"],
                       [["TW-A", "solved", days_ago(3), "", ""],
                        ["TW-A", "arrest", days_ago(3), "2", ""],
                        ["TW-A", "recover", days_ago(2), "", "10000"],
                        ["TW-B", "freeze", days_ago(2), "", "1000"]])
    assert run("import", "events", events).stdout == "imported 4, unchanged 0\n"
    assert run("import", "events", events).stdout == "imported 0, unchanged 4\n"
    case = json.loads(run("case", "show", "TW-A", "--format", "json").stdout)
    assert case["status"] == "solved" and case["totals"]["recovered_fen"] == 1_000_000
    bad = write_csv(tmp_path / "bad.csv", ["case", "kind", "date", "count", "amount"],
                    [["TW-A", "solved", days_ago(1), "", ""],
                     ["TW-A", "recover", days_ago(1), "", "2000.51"],
                     ["TW-Z", "arrest", days_ago(1), "1", ""],
                     ["TW-B", "recover", days_ago(1), "", "500"]])
    result = run("import", "events", bad, ok=False)
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 3 bad lines; nothing was written"
    assert lines[1].startswith("  line 2: kind: case TW-A is already solved")
    assert lines[2].startswith("  line 3: amount: recoveries would total")
    assert lines[3].startswith("  line 4: case: no case numbered 'TW-Z'")
    assert db.scalar("SELECT count(*) FROM case_events") == 4
    no_key = write_csv(tmp_path / "nokey.csv", ["reported", "type", "station", "loss"],
                       [[days_ago(1), "other", "平襄", "10"]])
    result = run("import", "cases", no_key, ok=False)
    assert "no column" in result.stderr and "--FILE" not in result.stderr


def test_the_case_rules_hold_across_batches(run, db, tmp_path, monkeypatch):
    """Batches of two rows: what earlier batches did to a case (filed, recovered so far) is
    read back from the file once they are written, and still counts for later rows, in a
    good file and in a bad one."""
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    cases = write_csv(tmp_path / "cases.csv", ["no", "reported", "type", "station", "loss"],
                      [[f"TW-{c}", days_ago(9), "loan", "平襄", "12000.50"] for c in "ABC"])
    run("import", "cases", cases)
    header = ["case", "kind", "date", "count", "amount"]
    good = [["TW-A", "filed", days_ago(8), "", ""], ["TW-B", "filed", days_ago(8), "", ""],
            ["TW-A", "recover", days_ago(7), "", "6000"], ["TW-C", "filed", days_ago(7), "", ""],
            ["TW-A", "recover", days_ago(6), "", "6000"], ["TW-B", "freeze", days_ago(6), "", "5"]]
    bad = write_csv(tmp_path / "bad.csv", header, [
        *good, ["TW-A", "filed", days_ago(5), "", ""],
        ["TW-A", "recover", days_ago(5), "", "1"], ["TW-B", "filed", days_ago(5), "", ""]])
    result = run("import", "events", bad, ok=False)
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 3 bad lines; nothing was written"
    assert lines[1].startswith("  line 8: kind: case TW-A is already filed")
    assert lines[2].startswith("  line 9: amount: recoveries would total 12001 yuan")
    assert lines[3].startswith("  line 10: kind: case TW-B is already filed")
    assert db.scalar("SELECT count(*) FROM case_events") == 0
    early = write_csv(tmp_path / "early.csv", header, [
        ["TW-Z", "filed", days_ago(8), "", ""], *good, ["TW-C", "filed", days_ago(5), "", ""]])
    lines = run("import", "events", early, ok=False).stderr.splitlines()
    assert lines[1].startswith("  line 2: case: no case numbered 'TW-Z'")
    assert lines[2].startswith("  line 9: kind: case TW-C is already filed")
    assert run("import", "events", write_csv(tmp_path / "good.csv", header, good)
               ).stdout == "imported 6, unchanged 0\n"
    a = json.loads(run("case", "show", "TW-A", "--format", "json").stdout)
    assert a["totals"]["recovered_fen"] == 1_200_000 and a["status"] == "filed"


def test_header_problems_are_clear(run, tmp_path):
    path = write_csv(tmp_path / "w.csv", ["预警编号", "风险等级"], [["X", "high"]])
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    assert "the file has no received, station, phone columns" in result.stderr
    path = write_csv(tmp_path / "dup.csv", ["no", "预警编号"], [["X", "Y"]])
    result = run("import", "warnings", path, ok=False)
    assert "both give no" in result.stderr
    result = run("import", "warnings", tmp_path / "missing.csv", ok=False)
    assert result.exit_code in (1, 2) and "missing.csv" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    assert "empty" in run("import", "warnings", empty, ok=False).stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", "utf-8")
    assert "not valid JSON" in run("import", "warnings", junk, ok=False).stderr


@pytest.mark.slow
def test_import_through_the_installed_command_in_a_pipe(sh, db_path, tmp_path):
    path = write_csv(tmp_path / "w.csv", PLATFORM_HEADERS, platform_rows(30), "gb18030")
    result = sh("import", "warnings", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 30, unchanged 0\n"
    assert "\x1b[" not in result.stderr and "checking" not in result.stderr  # no bar in a pipe
    again = sh("import", "warnings", path)
    assert again.stdout == "imported 0, unchanged 30\n"
    listed = sh("warning", "list", "--status", "open", "--format", "csv")
    assert listed.returncode == 0 and listed.stdout.count("\n") == 31
    assert "13800000" not in listed.stdout


def test_header_normalisation():
    assert readers.normalise_header(" Victim_Phone ") == "victim-phone"
    assert readers.normalise_header("身份证号（必填）*") == "身份证号(必填)"
    kind = importer.kinds()["warnings"]
    columns, notes = readers.map_headers(kind, ["预警编号", "RECEIVED", "风险等级", "管辖单位",
                                                 "手机号", "其他"])
    assert columns == ["no", "received", "level", "station", "phone", None]
    assert notes == ["ignored column: 其他"]


@pytest.mark.slow
def test_a_file_sorted_newest_first_takes_no_more_room(sh, tmp_path):
    """Platform exports often list the newest warning first. Written in that order, the
    indexes' pages would be left half full (100k warnings: 44 % more room); each batch is
    written in time order instead."""
    start = datetime(2026, 6, 1, 8, 0)
    rows = [[f"YJ{i:06d}", f"{start + timedelta(minutes=3 * i):%Y-%m-%d %H:%M}", "high",
             "平襄", f"1380000{i % 10000:04d}"] for i in range(20000)]
    pages = {}
    for name, order in (("oldest", rows), ("newest", rows[::-1])):
        path = write_csv(tmp_path / f"{name}.csv", ["no", "received", "level", "station",
                                                    "phone"], order)
        db = tmp_path / f"{name}.db"
        assert sh("--db", db, "init").returncode == 0
        assert sh("--db", db, "import", "warnings", path).returncode == 0
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages[name] = conn.execute("PRAGMA page_count").fetchone()[0] - \
            conn.execute("PRAGMA freelist_count").fetchone()[0]
        conn.close()
    assert pages["newest"] <= pages["oldest"] * 1.05, pages


def test_a_file_typed_with_the_headings_of_tongweis_own_tables_imports(run, tmp_path):
    """损失(元), 受害人, 电话, 人群 are what `case list`/`case show` head their columns with;
    a spreadsheet typed from them imports like the platform's own headers."""
    path = tmp_path / "cases.csv"
    path.write_text("案件编号,报案日期,诈骗类型,派出所,损失(元),受害人,电话,人群\n"
                    "L1,2026-11-20,刷单,平襄,1500,测试甲,13800001111,老年人\n", "utf-8")
    run("import", "cases", path)
    shown = json.loads(run("case", "show", "L1", "--format", "json", "--reveal").output)
    assert (shown["loss_fen"], shown["victim_name"], shown["victim_phone"],
            shown["victim_group"]) == (150000, "测试甲", "13800001111", "elderly")
