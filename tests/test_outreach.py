"""Outreach sessions (宣): add, list with totals, show, update, void, and the import."""

from __future__ import annotations

import json

import pytest

from tests.conftest import days_ago

BASE = ["outreach", "add", "--station", "平襄", "--audience", "在校学生", "--form", "手拉手",
        "--venue", "通渭县第一中学", "--venue-kind", "school"]


def add(run, *extra, date=None, attendees="320", materials="500", ok=True):
    return run(*BASE, "--date", date or days_ago(1), "--attendees", attendees,
               "--materials", materials, *extra, ok=ok)


def count(db_path) -> int:
    import sqlite3

    return sqlite3.connect(db_path).execute("SELECT count(*) FROM outreach").fetchone()[0]


def test_add_prints_the_number_and_stores_codes(run, db_path):
    result = add(run, "--posters", "4", "--app-installs", "35", "--notices-signed", "12")
    no = result.stdout.strip()
    assert no == f"XC{days_ago(1).replace('-', '')}-001"
    shown = json.loads(run("outreach", "show", no, "--format", "json").stdout)
    assert shown["station"] == "pingxiang" and shown["audience"] == "students"
    assert shown["form"] == "hand-in-hand" and shown["venue_kind"] == "school"
    assert (shown["attendees"], shown["materials"], shown["posters"]) == (320, 500, 4)
    assert (shown["app_installs"], shown["notices_signed"], shown["videos"]) == (35, 12, None)
    assert add(run).stdout.strip().endswith("-002")


def test_add_accepts_english_and_codes_and_json(run):
    result = run("outreach", "add", "--date", "today", "--station", "maying", "--audience",
                 "Elderly and people living alone", "--form", "face-to-face", "--venue",
                 "马营镇广场", "--attendees", "80", "--materials", "200", "--ref", "XC-01",
                 "--format", "json")
    record = json.loads(result.stdout)
    assert record["audience"] == "elderly" and record["ref"] == "XC-01"
    assert record["venue_kind"] is None


@pytest.mark.parametrize(("option", "value", "field", "reason"), [
    ("--attendees", "-5", "--attendees", "negative"),
    ("--materials", "12.5", "--materials", "whole number"),
    ("--posters", "-1", "--posters", "negative"),
    ("--audience", "外星人", "--audience", "unknown audience"),
    ("--form", "skywriting", "--form", "unknown form"),
    ("--venue-kind", "moon", "--venue-kind", "unknown venue kind"),
    ("--station", "兰州", "--station", "unknown station"),
    ("--date", "2999-01-01", "--date", "future"),
])
def test_refusals_name_the_field_and_write_nothing(run, db_path, option, value, field, reason):
    options = {"--date": days_ago(1), "--station": "平襄", "--audience": "在校学生",
               "--form": "手拉手", "--venue": "一中", "--venue-kind": "school",
               "--attendees": "320", "--materials": "500", option: value}
    result = run("outreach", "add", *[x for pair in options.items() for x in pair], ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}:") and reason in result.stderr
    assert count(db_path) == 0


def test_unknown_audience_lists_the_valid_ones(run):
    result = add(run, "--audience", "外星人", ok=False)
    assert "students 在校学生" in result.stderr and "elderly" in result.stderr


def test_a_missing_required_option_in_a_script_is_a_usage_error(run, db_path):
    result = run("outreach", "add", "--date", "today", "--station", "平襄", ok=False)
    assert result.exit_code == 2 and "--audience" in result.stderr
    assert count(db_path) == 0


def test_duplicate_ref_is_refused(run, db_path):
    add(run, "--ref", "XC-7")
    result = add(run, "--ref", "XC-7", ok=False)
    assert result.exit_code == 1 and "--ref" in result.stderr
    assert count(db_path) == 1


@pytest.mark.slow
def test_list_filters_and_ends_with_totals(run):
    add(run, "--posters", "3", date=days_ago(3), attendees="100", materials="300")
    add(run, date=days_ago(2), attendees="50", materials="60")
    run("outreach", "add", "--date", days_ago(1), "--station", "马营", "--audience", "villagers",
        "--form", "door-to-door", "--venue", "马营村", "--attendees", "40", "--materials", "80")
    every = json.loads(run("outreach", "list", "--format", "json").stdout)
    assert [r["date"] for r in every] == [days_ago(1), days_ago(2), days_ago(3)]
    station = json.loads(run("outreach", "list", "--station", "平襄", "--format",
                             "json").stdout)
    assert len(station) == 2
    period = json.loads(run("outreach", "list", "--from", days_ago(2), "--to", days_ago(1),
                            "--format", "json").stdout)
    assert len(period) == 2
    by_audience = json.loads(run("outreach", "list", "--audience", "农村", "--format",
                                 "json").stdout)
    assert [r["venue"] for r in by_audience] == ["马营村"]
    by_form = json.loads(run("outreach", "list", "--form", "手拉手", "--format", "json").stdout)
    assert len(by_form) == 2
    table = run("outreach", "list").stdout
    assert "3 sessions" in table and "190" in table and "440" in table
    zh = run("--lang", "zh", "outreach", "list", "--station", "平襄").stdout
    assert "合计 2 场" in zh and "150" in zh and "360" in zh


def test_list_to_csv_file(run, tmp_path):
    add(run)
    target = tmp_path / "out.csv"
    run("outreach", "list", "-o", target)
    text = target.read_text("utf-8-sig")
    assert text.splitlines()[0].startswith("no,ref,date,station,audience")
    assert "pingxiang,students,hand-in-hand" in text


def test_update_corrects_and_audits_and_clears(run, db):
    no = add(run, "--note", "雨天").stdout.strip()
    run("outreach", "update", no, "--attendees", "350", "--videos", "2", "--note", "-")
    record = json.loads(run("outreach", "show", no, "--format", "json").stdout)
    assert (record["attendees"], record["videos"], record["note"]) == (350, 2, None)
    audit = db.one("SELECT before, after FROM audit WHERE action = 'update' AND key = ?",
                   (no,))
    assert json.loads(audit["before"])["attendees"] == 320
    assert json.loads(audit["after"])["attendees"] == 350
    refused = run("outreach", "update", no, "--attendees", "-1", ok=False)
    assert refused.exit_code == 1 and "--attendees" in refused.stderr
    cleared = run("outreach", "update", no, "--venue", "-", ok=False)
    assert cleared.exit_code == 1 and "--venue" in cleared.stderr
    assert json.loads(run("outreach", "show", no, "--format", "json").stdout)["attendees"] == 350


def test_void_keeps_the_session_but_leaves_it_out(run):
    no = add(run, "--ref", "XC-9").stdout.strip()
    add(run, attendees="10", materials="10")
    run("outreach", "void", "XC-9", "--reason", "重复录入")
    listed = json.loads(run("outreach", "list", "--format", "json").stdout)
    assert [r["attendees"] for r in listed] == [10]
    voided = json.loads(run("outreach", "list", "--void", "--format", "json").stdout)
    assert voided[0]["no"] == no and voided[0]["void_reason"] == "重复录入"
    again = run("outreach", "void", no, "--reason", "x", ok=False)
    assert again.exit_code == 1 and "already void" in again.stderr
    assert run("outreach", "update", no, "--attendees", "1", ok=False).exit_code == 1


def test_show_unknown_session(run):
    result = run("outreach", "show", "XC19990101-001", ok=False)
    assert result.exit_code == 1 and "SESSION" in result.stderr


# -- import --------------------------------------------------------------------------

HEADER = ["date", "station", "audience", "form", "venue", "venue-kind", "attendees",
          "materials", "ref", "note"]


def write_xlsx(path, header, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.slow
def test_import_xlsx_then_again_adds_nothing(run, sh, tmp_path):
    from datetime import date as day

    path = write_xlsx(tmp_path / "宣传.xlsx", HEADER, [
        [day.fromisoformat(days_ago(3)), "平襄", "在校学生", "手拉手", "通渭一中", "school", 320,
         500, "XC-1", None],
        [days_ago(2), "马营", "elderly", "面对面", "马营广场", None, 80.0, 200, None, "雨天"],
    ])
    first = sh("import", "outreach", path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "imported 2, unchanged 0"
    again = sh("import", "outreach", path)
    assert again.returncode == 0 and again.stdout.strip() == "imported 0, unchanged 2"
    listed = json.loads(run("outreach", "list", "--format", "json").stdout)
    assert [(r["ref"], r["attendees"], r["import_id"]) for r in listed] == [
        (None, 80, 1), ("XC-1", 320, 1)]


def test_import_csv_with_chinese_headers_gb18030(run, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        ("日期,派出所,宣传对象,宣传形式,宣传地点,场所类型,参与人数,发放资料,张贴海报,签署告知书\n"
         f"{days_ago(1)},平襄,农村群众,入户走访,平襄镇王家村,village,45,90,3,12\n"
         ).encode("gb18030"))
    result = run("import", "outreach", path)
    assert "imported 1" in result.stdout
    record = json.loads(run("outreach", "list", "--format", "json").stdout)[0]
    assert (record["audience"], record["form"], record["posters"],
            record["notices_signed"]) == ("villagers", "door-to-door", 3, 12)


def test_import_is_all_or_nothing_and_names_every_bad_row(run, db_path, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(HEADER) + "\n"
                    f"{days_ago(1)},平襄,students,lecture,一中,school,100,100,,\n"
                    f"{days_ago(1)},平襄,外星人,lecture,一中,school,100,100,,\n"
                    f"{days_ago(1)},平襄,students,lecture,二中,school,-4,100,,\n", "utf-8")
    result = run("import", "outreach", path, ok=False)
    assert result.exit_code == 1 and "nothing was written" in result.stderr
    assert "line 3: audience: unknown audience" in result.stderr
    assert "line 4: attendees: must not be negative" in result.stderr
    assert count(db_path) == 0


def test_import_refuses_a_known_ref_with_other_details(run, db_path, tmp_path):
    add(run, "--ref", "XC-5")
    path = tmp_path / "again.csv"
    path.write_text(",".join(HEADER) + "\n"
                    f"{days_ago(1)},平襄,students,hand-in-hand,通渭县第一中学,school,999,500,"
                    "XC-5,\n", "utf-8")
    result = run("import", "outreach", path, ok=False)
    assert result.exit_code == 1 and "XC-5" in result.stderr and "attendees" in result.stderr
    assert count(db_path) == 1


def test_import_dry_run_writes_nothing(run, db_path, tmp_path):
    path = tmp_path / "dry.csv"
    path.write_text(",".join(HEADER) + "\n"
                    f"{days_ago(1)},平襄,students,lecture,一中,school,100,100,,\n", "utf-8")
    result = run("import", "outreach", path, "--dry-run")
    assert "would import 1" in result.stdout
    assert count(db_path) == 0
