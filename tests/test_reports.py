"""Every figure of `tongwei report` against a hand-built data set where each number is known.

The period is the week 2025-03-03 (Mon) .. 2025-03-09 (Sun), Asia/Shanghai. Around it:
records just before and just after, a voided case and a voided session, warnings on both
sides of local midnight (00:30 local is the previous day in UTC), follow-ups that come
after the period ends, a case naming a warning, and a campaign covering the month.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from tongwei_cli.reports import figures as reports

FIRST, LAST = "2025-03-03", "2025-03-09"

# Everything is entered through the installed command's own code (in-process), so the
# warnings' stored feedback, visit and defrauded times are exactly what the tool keeps.
SCRIPT: list[tuple[str, ...]] = [
    # -- cases ----------------------------------------------------------------------------
    ("case", "add", "--no", "C1", "--reported", "2025-03-03", "--type", "task-scam",
     "--station", "平襄", "--loss", "10000", "--victim-name", "张三",
     "--victim-phone", "13800005678"),
    ("case", "event", "C1", "freeze", "--date", "2025-03-04", "--amount", "2500.50"),
    ("case", "event", "C1", "solved", "--date", "2025-03-05"),
    ("case", "event", "C1", "arrest", "--date", "2025-03-05", "--count", "3"),
    ("case", "event", "C1", "prosecute", "--date", "2025-03-09", "--count", "2"),
    ("case", "event", "C1", "recover", "--date", "2025-03-09", "--amount", "4000"),
    ("case", "add", "--no", "C2", "--reported", "2025-03-09", "--type", "investment",
     "--station", "马营", "--loss", "5万", "--warning", "W4"),
    ("case", "event", "C2", "stop-payment", "--date", "2025-03-09", "--amount", "1000"),
    ("case", "event", "C2", "freeze", "--date", "2025-03-10", "--amount", "20000"),  # after
    ("case", "add", "--no", "C3", "--reported", "2025-03-02", "--type", "loan",  # before
     "--station", "平襄", "--loss", "3000"),
    ("case", "event", "C3", "arrest", "--date", "2025-03-02"),  # before
    ("case", "event", "C3", "solved", "--date", "2025-03-03"),  # inside
    ("case", "add", "--no", "C4", "--reported", "2025-03-05", "--type", "task-scam",
     "--station", "平襄", "--loss", "99999"),
    ("case", "event", "C4", "solved", "--date", "2025-03-06"),
    ("case", "event", "C4", "recover", "--date", "2025-03-06", "--amount", "500"),
    ("case", "void", "C4", "--reason", "重复录入"),
    ("case", "add", "--no", "C5", "--reported", "2025-03-10", "--type", "other",  # after
     "--station", "马营", "--loss", "7000"),
    ("case", "add", "--no", "C6", "--reported", "2025-02-26", "--type", "romance",  # previous
     "--station", "平襄", "--loss", "2000"),
    ("case", "add", "--no", "C7", "--reported", "2024-03-04", "--type", "other",  # year ago
     "--station", "碧玉", "--loss", "1000"),
    # -- warnings (high 2 h, medium 24 h, low 72 h) ----------------------------------------
    ("warning", "add", "--no", "W1", "--received", "2025-03-03 00:30", "--level", "high",
     "--station", "平襄", "--phone", "13900001111", "--name", "李四"),
    ("warning", "followup", "W1", "--at", "2025-03-03 00:50", "--method", "phone",
     "--outcome", "dissuaded"),
    ("warning", "add", "--no", "W2", "--received", "2025-03-02 23:50", "--level", "high",
     "--station", "平襄", "--phone", "13900002222"),
    ("warning", "followup", "W2", "--at", "2025-03-03 00:10", "--method", "phone",
     "--outcome", "dissuaded"),
    ("warning", "add", "--no", "W3", "--received", "2025-03-09 23:40", "--level", "medium",
     "--station", "马营", "--phone", "13900003333", "--name", "王五"),
    ("warning", "followup", "W3", "--at", "2025-03-10 09:00", "--method", "visit",
     "--outcome", "dissuaded"),
    ("warning", "add", "--no", "W4", "--received", "2025-03-04 10:00", "--level", "high",
     "--station", "马营", "--phone", "13900004444"),
    ("warning", "followup", "W4", "--at", "2025-03-04 11:00", "--method", "phone",
     "--outcome", "in-progress"),
    ("warning", "followup", "W4", "--at", "2025-03-04 13:00", "--method", "visit",
     "--outcome", "unreachable"),
    ("warning", "add", "--no", "W5", "--received", "2025-03-05 09:00", "--level", "low",
     "--station", "平襄", "--phone", "13900005555"),
    ("warning", "followup", "W5", "--at", "2025-03-05 10:00", "--method", "phone",
     "--outcome", "dissuaded"),
    ("warning", "followup", "W5", "--at", "2025-03-06 15:00", "--method", "visit",
     "--outcome", "defrauded"),
    ("warning", "add", "--no", "W6", "--received", "2025-03-06 08:00", "--level", "medium",
     "--station", "平襄", "--phone", "13900006666", "--name", "赵六"),
    ("warning", "add", "--no", "W7", "--received", "2025-03-07 12:00", "--level", "high",
     "--station", "马营", "--phone", "13900007777"),
    ("warning", "followup", "W7", "--at", "2025-03-07 12:30", "--method", "visit",
     "--outcome", "dissuaded"),
    ("warning", "add", "--no", "W8", "--received", "2025-03-10 00:10", "--level", "high",
     "--station", "平襄", "--phone", "13900008888"),
    ("warning", "add", "--no", "W9", "--received", "2025-02-25 10:00", "--level", "low",
     "--station", "碧玉", "--phone", "13900009999"),
    ("warning", "followup", "W9", "--at", "2025-02-25 11:00", "--method", "phone",
     "--outcome", "not-fraud"),
    # -- outreach ----------------------------------------------------------------------------
    ("outreach", "add", "--date", "2025-03-04", "--station", "平襄", "--audience", "students",
     "--form", "hand-in-hand", "--venue", "通渭一中", "--venue-kind", "school",
     "--attendees", "120", "--materials", "300", "--ref", "X1"),
    ("outreach", "add", "--date", "2025-03-09", "--station", "马营", "--audience", "elderly",
     "--form", "door-to-door", "--venue", "马营村", "--attendees", "15", "--materials", "40",
     "--ref", "X2"),
    ("outreach", "add", "--date", "2025-03-10", "--station", "平襄", "--audience", "public",
     "--form", "stall", "--venue", "县城广场", "--attendees", "500", "--materials", "1000",
     "--ref", "X3"),
    ("outreach", "add", "--date", "2025-03-06", "--station", "平襄", "--audience", "villagers",
     "--form", "lecture", "--venue", "平襄村", "--attendees", "60", "--materials", "150",
     "--ref", "X4"),
    # -- two-card supervision ------------------------------------------------------------------
    ("cards", "action", "--date", "2025-03-04", "--institution", "农商银行平襄支行",
     "--institution-kind", "bank", "--station", "平襄", "--kind", "inspection"),
    ("cards", "action", "--date", "2025-03-05", "--institution", "农商银行平襄支行",
     "--kind", "fine", "--amount", "5000"),
    ("cards", "action", "--date", "2025-03-06", "--institution", "移动马营营业厅",
     "--institution-kind", "telecom", "--station", "马营", "--kind", "rectify",
     "--deadline", "2025-03-20"),
    ("cards", "action", "--date", "2025-03-11", "--institution", "移动马营营业厅",
     "--kind", "recheck"),
    # -- a campaign ----------------------------------------------------------------------------
    ("campaign", "add", "春季断卡行动", "--from", "2025-03-01", "--to", "2025-03-31"),
]

_BUILT: dict[str, Path] = {}


@pytest.fixture
def data(run, db_path, tmp_path_factory):
    """The hand-built data set in this test's database (built once, then copied)."""
    if "path" not in _BUILT:
        for args in SCRIPT:
            run(*args)
        # Void the lecture (O4): find its number by its ref.
        sessions = json.loads(run("outreach", "list", "--from", "2025-03-01", "--to",
                                  "2025-03-31", "--format", "json").stdout)
        lecture = next(s for s in sessions if s.get("ref") == "X4")
        run("outreach", "void", lecture["no"], "--reason", "误录")
        keep = tmp_path_factory.mktemp("dataset") / "tongwei.db"
        run("db", "backup", keep)
        _BUILT["path"] = keep
        _BUILT["keys"] = keys_folder()
    if not db_path.exists() or _BUILT["path"] != db_path:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        shutil.copy(_BUILT["path"], db_path)
        # The copy finds its key by the database's id: in this test's own config folder.
        if _BUILT["keys"] != keys_folder():
            shutil.copytree(_BUILT["keys"], keys_folder(), dirs_exist_ok=True)
    return db_path


def keys_folder() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "tongwei" / "keys"


def report_json(run, *args) -> dict:
    return json.loads(run("report", *args, "--format", "json").stdout)


# -- the range report --------------------------------------------------------------------------

def test_range_cases(run, data):
    r = report_json(run, "range", "--from", FIRST, "--to", LAST)
    assert (r["from"], r["to"], r["station"]) == (FIRST, LAST, None)
    assert r["cases"] == {
        "reported": 2,  # C1, C2; C4 voided, C3 before, C5 after
        "loss_fen": 6_000_000,
        "solved": 2,  # C1 and C3 (reported before, solved inside); C4 voided
        "arrested": 3,  # C3's arrest is dated before the period
        "prosecuted": 2,
        "recovered_fen": 400_000,  # C4's 500 is void
        "frozen_fen": 250_050,  # C2's freeze is dated after the period
        "stopped_fen": 100_000,
    }


def test_range_warnings(run, data):
    r = report_json(run, "range", "--from", FIRST, "--to", LAST)
    assert r["warnings"] == {
        "received": 6,  # W1 (00:30 local, 16:30 UTC the day before), W3-W7; not W2, W8
        "fed_back": 4,  # W1, W4, W5, W7; W3's feedback comes after the period
        "feedback_rate": 0.6667,
        "on_time": 3,  # W4 fed back at 13:00, deadline 12:00
        "on_time_rate": 0.5,
        "visited": 3,  # W4, W5, W7; W3's visit is after the period
        "visit_rate": 0.5,
        "dissuaded": 2,  # W1, W7; W5's latest feedback is `defrauded`, W4's `unreachable`
        "defrauded": 2,  # W5 (outcome), W4 (case C2 names it)
        "open": 2,  # W3, W6
        "overdue": 1,  # W6; W3's deadline is after the end of the period
    }


def test_range_outreach_and_cards(run, data):
    r = report_json(run, "range", "--from", FIRST, "--to", LAST)
    assert r["outreach"] == {"sessions": 2, "attendees": 135, "materials": 340}
    assert r["cards"] == {"actions": 3, "inspections": 1, "interviews": 0, "notices": 0,
                          "fines": 1, "rectifies": 1, "rechecks": 0, "fines_fen": 500_000}


def test_station_filter_applies_to_everything(run, data):
    r = report_json(run, "range", "--from", FIRST, "--to", LAST, "--station", "平襄")
    assert r["station"] == "pingxiang"
    assert r["cases"] == {"reported": 1, "loss_fen": 1_000_000, "solved": 2, "arrested": 3,
                          "prosecuted": 2, "recovered_fen": 400_000, "frozen_fen": 250_050,
                          "stopped_fen": 0}
    assert r["warnings"] == {"received": 3, "fed_back": 2, "feedback_rate": 0.6667,
                             "on_time": 2, "on_time_rate": 0.6667, "visited": 1,
                             "visit_rate": 0.3333, "dissuaded": 1, "defrauded": 1, "open": 1,
                             "overdue": 1}
    assert r["outreach"] == {"sessions": 1, "attendees": 120, "materials": 300}
    assert r["cards"]["actions"] == 2 and r["cards"]["fines_fen"] == 500_000
    assert [row["station"] for row in r["ranking"]] == ["pingxiang"]


def test_breakdowns(run, data):
    b = report_json(run, "range", "--from", FIRST, "--to", LAST)["breakdowns"]
    by_type = {row["type"]: row for row in b["by_type"]}
    assert set(by_type) == {"task-scam", "investment", "loan"}
    assert by_type["loan"]["reported"] == 0 and by_type["loan"]["solved"] == 1
    assert by_type["investment"]["loss_fen"] == 5_000_000
    by_station = {row["station"]: row for row in b["by_station"]}
    assert set(by_station) == {"pingxiang", "maying"}
    assert by_station["maying"]["warnings"]["received"] == 3
    assert by_station["maying"]["cards"]["rectifies"] == 1
    by_level = {row["level"]: row for row in b["by_level"]}
    assert list(by_level) == ["high", "medium", "low"]
    assert by_level["high"]["received"] == 3 and by_level["high"]["on_time"] == 2
    assert by_level["medium"]["overdue"] == 1 and by_level["medium"]["open"] == 2
    assert by_level["low"]["feedback_rate"] == 1.0
    assert [(a["audience"], a["sessions"]) for a in b["by_audience"]] == [
        ("students", 1), ("elderly", 1)]
    # sums of a breakdown are the totals
    for key in ("received", "fed_back", "open", "overdue"):
        assert sum(row[key] for row in b["by_level"]) == \
            report_json(run, "range", "--from", FIRST, "--to", LAST)["warnings"][key]


def test_comparisons(run, data):
    r = report_json(run, "range", "--from", FIRST, "--to", LAST)
    prev, year = r["previous"], r["year_ago"]
    assert (prev["from"], prev["to"]) == ("2025-02-24", "2025-03-02")
    assert (year["from"], year["to"]) == ("2024-03-03", "2024-03-09")
    assert prev["cases"]["reported"] == 2  # C3, C6
    assert prev["cases"]["loss_fen"] == 500_000
    assert prev["cases"]["arrested"] == 1
    # W2 (23:50) was still open at the end of 2 March; its feedback came at 00:10 on the 3rd
    assert prev["warnings"]["received"] == 2
    assert prev["warnings"]["fed_back"] == 1
    assert prev["warnings"]["open"] == 1 and prev["warnings"]["overdue"] == 0
    assert prev["change"]["cases"]["reported"] == 0
    assert prev["change"]["cases"]["loss_fen"] == 5_500_000
    assert prev["change"]["warnings"]["received"] == 4
    assert prev["change"]["warnings"]["feedback_rate"] == round(0.6667 - 0.5, 4)
    assert year["cases"]["reported"] == 1 and year["change"]["cases"]["reported"] == 1
    assert year["warnings"]["feedback_rate"] is None
    assert year["change"]["warnings"]["feedback_rate"] is None


def test_ranking_puts_attention_first(run, data):
    ranking = report_json(run, "range", "--from", FIRST, "--to", LAST)["ranking"]
    assert len(ranking) == 18
    top = ranking[0]
    assert top["station"] == "pingxiang" and top["overdue"] == 1 and top["rank"] == 1
    assert ranking[1]["station"] == "maying"  # an open warning, not yet overdue
    assert ranking[1]["on_time_rate"] == 0.3333  # W7 only; W4 late, W3 not yet fed back
    assert [r["rank"] for r in ranking] == list(range(1, 19))


def test_past_report_does_not_change_later(run, data):
    before = report_json(run, "range", "--from", FIRST, "--to", LAST)
    run("warning", "followup", "W6", "--at", "2025-03-12 09:00", "--method", "visit",
        "--outcome", "dissuaded")
    # W4's latest feedback in the period was `unreachable`; a return visit after it ends
    # makes the warning's latest outcome `dissuaded` -- but not in the past period's figures.
    run("warning", "followup", "W4", "--at", "2025-03-12 10:00", "--method", "visit",
        "--outcome", "dissuaded")
    run("case", "event", "C2", "recover", "--date", "2025-03-12", "--amount", "100")
    after = report_json(run, "range", "--from", FIRST, "--to", LAST)
    for section in ("cases", "warnings", "outreach", "cards"):
        assert after[section] == before[section]
    longer = report_json(run, "range", "--from", FIRST, "--to", "2025-03-12")
    assert longer["warnings"]["dissuaded"] == 2 + 3  # and W3, W4, W6 by the 12th
    assert run("check").exit_code == 0


# -- daily, campaign, bulletin ---------------------------------------------------------------

def test_daily(run, data):
    r = report_json(run, "daily", "--date", "2025-03-09")
    assert (r["from"], r["to"], r["date"]) == ("2025-03-09", "2025-03-09", "2025-03-09")
    assert r["cases"]["reported"] == 1 and r["cases"]["prosecuted"] == 2
    assert r["cases"]["recovered_fen"] == 400_000 and r["cases"]["stopped_fen"] == 100_000
    assert r["warnings"]["received"] == 1 and r["warnings"]["open"] == 1
    assert r["outreach"]["sessions"] == 1
    # the change against the day before
    assert (r["previous"]["from"], r["previous"]["to"]) == ("2025-03-08", "2025-03-08")
    assert r["previous"]["change"]["cases"]["reported"] == 1
    # the campaign covering the day, running totals from its first day to this day
    c = r["campaign"]
    assert (c["name"], c["from"], c["to"]) == ("春季断卡行动", "2025-03-01", "2025-03-09")
    assert c["cases"]["reported"] == 3  # C3, C1, C2
    assert c["cases"]["arrested"] == 4
    assert c["warnings"]["received"] == 7  # W2 and the six of the week
    # the dispatch list: open at the end of the day, by deadline, masked
    assert r["dispatch_total"] == 2
    assert [w["no"] for w in r["dispatch"]] == ["W6", "W3"]
    w6, w3 = r["dispatch"]
    assert w6["overdue"] is True and w6["overdue_minutes"] == (2 * 24 + 16) * 60
    assert w3["overdue"] is False and w3["overdue_minutes"] == 0
    assert w6["phone"] == "139****6666" and w6["name"] == "赵*"
    assert w3["name"] == "王*"


def test_daily_named_campaign_and_none(run, data):
    r = report_json(run, "daily", "--date", "2025-03-05", "--station", "马营")
    assert r["campaign"]["warnings"]["received"] == 1  # W4 only, at 马营
    assert r["dispatch"] == [] or all(w["station"] == "maying" for w in r["dispatch"])
    assert report_json(run, "daily", "--date", "2025-02-20")["campaign"] is None
    r = report_json(run, "daily", "--date", "2025-04-02", "--campaign", "春季")
    assert (r["campaign"]["from"], r["campaign"]["to"]) == ("2025-03-01", "2025-03-31")
    failed = run("report", "daily", "--date", "2025-02-20", "--campaign", "春季", ok=False)
    assert failed.exit_code == 1 and "--campaign" in failed.stderr


def test_campaign_report(run, data):
    r = report_json(run, "campaign", "春季断卡行动")
    assert (r["from"], r["to"]) == ("2025-03-01", "2025-03-31")
    assert r["campaign"]["name"] == "春季断卡行动"
    assert r["cases"]["solved"] == 2 and r["cases"]["frozen_fen"] == 2_250_050
    assert r["warnings"]["received"] == 8 and r["warnings"]["fed_back"] == 6
    assert r["previous"]["to"] == "2025-02-28"
    missing = run("report", "campaign", "没有这个", ok=False)
    assert missing.exit_code == 1 and "NAME" in missing.stderr


BULLETIN = ("“春季断卡行动”开展以来，共破获电信网络诈骗案件2起，抓获违法犯罪嫌疑人4人，"
            "移送起诉2人，挽回损失0.40万元，冻结涉案资金2.25万元，止付涉案资金0.10万元；"
            "预警信息反馈率达75%，见面率50%，成功劝阻4人；"
            "开展各类反诈宣传3次，覆盖群众635人次，发放宣传资料1340份。")


def test_bulletin(run, data):
    assert run("report", "bulletin", "--campaign", "春季断卡行动").stdout == BULLETIN + "\n"
    rough = run("report", "bulletin", "--campaign", "春季断卡行动", "--approx").stdout
    assert "开展各类反诈宣传3次，覆盖群众630余人次，发放宣传资料1300余份。" in rough
    assert "抓获违法犯罪嫌疑人4人" in rough
    week = run("report", "bulletin", "--from", FIRST, "--to", LAST).stdout
    assert week.startswith("2025年3月3日至3月9日，共破获电信网络诈骗案件2起")
    data_ = report_json(run, "bulletin", "--from", FIRST, "--to", LAST, "--station", "平襄")
    assert data_["text"].startswith("2025年3月3日至3月9日，平襄派出所共破获")
    assert data_["cases"]["solved"] == 2 and data_["approx"] is False


def test_bulletin_needs_a_period(run, data):
    for args in ((), ("--campaign", "春季", "--from", FIRST), ("--from", FIRST)):
        result = run("report", "bulletin", *args, ok=False)
        assert result.exit_code == 2, result.stderr


def test_range_refusals(run, data):
    result = run("report", "range", "--from", FIRST, ok=False)
    assert result.exit_code == 2 and "--to" in result.stderr
    result = run("report", "range", "--from", LAST, "--to", FIRST, ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: --to:")
    result = run("report", "range", "--from", FIRST, "--to", LAST, "--station", "nowhere",
                 ok=False)
    assert result.exit_code == 1 and "--station" in result.stderr
    result = run("report", "range", "--from", FIRST, "--to", LAST, "--format", "docx", ok=False)
    assert result.exit_code == 1 and "--format" in result.stderr


def test_no_personal_data_in_any_format(run, data, tmp_path):
    for fmt in ("table", "json", "csv", "text", "markdown", "html"):
        out = run("report", "daily", "--date", "2025-03-09", "--format", fmt).stdout
        for secret in ("13900006666", "赵六", "王五", "13800005678", "张三"):
            assert secret not in out, (fmt, secret)
    target = tmp_path / "daily.xlsx"
    run("report", "daily", "--date", "2025-03-09", "-o", target)
    from openpyxl import load_workbook

    book = load_workbook(target)
    text = " ".join(str(c.value) for s in book.worksheets for row in s.iter_rows()
                    for c in row if c.value is not None)
    assert "赵*" in text and "赵六" not in text and "13900006666" not in text


# -- pieces ----------------------------------------------------------------------------------

def test_periods():
    p = reports.Period(date(2025, 3, 3), date(2025, 3, 9))
    assert p.days == 7
    assert p.previous() == reports.Period(date(2025, 2, 24), date(2025, 3, 2))
    assert p.year_ago() == reports.Period(date(2024, 3, 3), date(2024, 3, 9))
    leap = reports.Period(date(2024, 2, 1), date(2024, 2, 29))
    assert leap.year_ago() == reports.Period(date(2023, 2, 1), date(2023, 2, 28))
    assert leap.previous() == reports.Period(date(2024, 1, 3), date(2024, 1, 31))


@pytest.mark.parametrize(("n", "expected"), [
    (0, (0, False)), (8, (8, False)), (10, (10, False)), (43, (40, True)), (49, (40, True)),
    (100, (100, False)), (256, (250, True)), (1980, (1900, True)), (30450, (30000, True)),
    (30000, (30000, False)), (123456, (120000, True))])
def test_approx(n, expected):
    assert reports.approx(n) == expected


def test_money_and_rates_for_the_press():
    assert reports.wan(21_810_000) == "21.81"
    assert reports.wan(42_930_000) == "42.93"
    assert reports.wan(250_050) == "0.25"
    assert reports.wan(250_000 + 50_000 - 5) == "0.30"  # 2999.95 yuan, half up
    assert reports.per_cent(1.0) == "100"
    assert reports.per_cent(0.985) == "98.5"
    assert reports.per_cent(0.6667) == "66.7"
    assert reports.rate(2, 3) == 0.6667 and reports.rate(0, 0) is None


def test_empty_database_reports(run):
    r = report_json(run, "daily")
    assert r["warnings"]["feedback_rate"] is None and r["dispatch"] == []
    assert r["cases"]["reported"] == 0
    assert run("report", "bulletin", "--from", "yesterday", "--to", "today").stdout.endswith(
        "。\n")


def test_installed_command(sh, data):
    result = sh("report", "range", "--from", FIRST, "--to", LAST, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["warnings"]["received"] == 6
    result = sh("--lang", "zh", "report", "bulletin", "--campaign", "春季断卡行动")
    assert result.returncode == 0 and result.stdout == BULLETIN + "\n"


# -- one state of the file ------------------------------------------------------------------------

def test_campaign_totals_computed_beside_are_those_computed_alone(data):
    """The daily report runs the campaign's warnings on a second connection; the figures are
    exactly those of the same query on the report's own connection."""
    from datetime import date

    from tongwei_cli.core import settings
    from tongwei_cli.reports import figures as reports
    from tongwei_cli.storage.db import open_db

    db = open_db(settings.current(), data)
    try:
        daily = reports.daily_report(db, date(2025, 3, 9))
        alone = reports.figures(db, reports.Period(date(2025, 3, 1), date(2025, 3, 9)),
                                grouped=False).sections()
        assert {k: daily["campaign"][k] for k in alone} == alone
        assert daily["campaign"]["warnings"]["received"] == 7
    finally:
        db.close()


def test_a_change_between_the_two_connections_is_not_mixed_in(data):
    """If something is written after the report's read transaction began but before the
    second connection's, the second connection's rows are thrown away (result() is None)
    and the report's own connection answers."""
    from datetime import date

    from tongwei_cli.core import settings
    from tongwei_cli.reports import figures as reports
    from tongwei_cli.storage.db import open_db

    db = open_db(settings.current(), data)
    writer = open_db(settings.current(), data)
    try:
        period = reports.Period(date(2025, 3, 1), date(2025, 3, 9))
        with db.read():
            before = reports.figures(db, period, grouped=False).sections()
            with writer.write():
                writer.audit("test", "nothing", "x")
            beside = reports._Beside(
                db, lambda other: reports.figures(other, period, grouped=False).sections())
            assert beside.result() is None
            again = reports.figures(db, period, grouped=False).sections()
        assert again == before
    finally:
        writer.close()
        db.close()


def test_dispatch_list_cut_keeps_the_earliest_deadlines_and_numbers(run):
    """With more open warnings than the list shows, the list holds the earliest deadlines,
    and among equal deadlines the lowest numbers -- exactly the first rows by (deadline, no)."""
    from tests.conftest import days_ago

    for no, hour in (("W5", "08:00"), ("W3", "08:00"), ("W4", "08:00"), ("W1", "09:00"),
                     ("W2", "07:00")):
        run("warning", "add", "--no", no, "--received", f"{days_ago(2)} {hour}", "--level",
            "high", "--station", "平襄", "--phone", "13800000001")
    from tongwei_cli.core import settings
    from tongwei_cli.reports import figures as reports
    from tongwei_cli.storage.db import open_db

    db = open_db(settings.current())
    try:
        period = reports.Period(*(reports.date.fromisoformat(days_ago(1)),) * 2)
        rows, total, _overdue = reports.dispatch(db, period, None, limit=3)
        assert total == 5
        assert [r["no"] for r in rows] == ["W2", "W3", "W4"]
        rows, _, _ = reports.dispatch(db, period, None, limit=10)
        assert [r["no"] for r in rows] == ["W2", "W3", "W4", "W5", "W1"]
    finally:
        db.close()


@pytest.mark.slow
def test_per_day_totals_answer_exactly_what_the_index_scan_answers(run):
    """The per-day totals (006) and a scan of the warnings give the same figures for every
    period they can serve; where something counted came after the period's end, they
    decline and the scan answers."""
    from datetime import date

    from tests.conftest import days_ago
    from tongwei_cli.core import settings
    from tongwei_cli.reports import figures as reports
    from tongwei_cli.storage.db import open_db

    for n, (ago, hour, level, station) in enumerate([
            (6, "00:30", "high", "平襄"), (6, "23:50", "low", "马营"), (5, "09:00", "medium",
                                                                       "平襄"),
            (3, "10:00", "high", "马营"), (2, "08:00", "low", "平襄"), (1, "12:00", "high",
                                                                      "鸡川")]):
        run("warning", "add", "--no", f"W{n}", "--received", f"{days_ago(ago)} {hour}",
            "--level", level, "--station", station, "--phone", "13800000001")
    for no, at, method, outcome in [("W0", f"{days_ago(6)} 01:00", "phone", "dissuaded"),
                                    ("W0", f"{days_ago(4)} 09:00", "visit", "unreachable"),
                                    ("W1", f"{days_ago(5)} 10:00", "visit", "in-progress"),
                                    ("W2", f"{days_ago(5)} 20:00", "phone", "defrauded"),
                                    ("W3", f"{days_ago(3)} 11:00", "visit", "dissuaded")]:
        run("warning", "followup", no, "--at", at, "--method", method, "--outcome", outcome)
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "刷单",
        "--station", "平襄", "--loss", "100", "--warning", "W4")

    db = open_db(settings.current())
    try:
        served = declined = 0
        for first_ago, last_ago in ((6, 0), (6, 6), (5, 3), (3, 0), (0, 0), (6, 4)):
            for station in (None, "pingxiang"):
                period = reports.Period(date.fromisoformat(days_ago(first_ago)),
                                        date.fromisoformat(days_ago(last_ago)))
                params = reports._params(db, period, station)
                for grouped in (True, False):
                    days = reports._warning_days(db, params, grouped)
                    name = "warnings" if grouped else "warnings_total"
                    scan = [dict(r) for r in db.query(reports.QUERIES[name], params)
                            if r["received"]]
                    if days is None:
                        declined += 1
                        continue
                    served += 1
                    days = [r for r in days if r["received"]]
                    def key(r):
                        return (r["station"] or "", r["level"] or "")

                    assert [{k: int(r[k] or 0) for k in reports.WARNING_COUNTS}
                            for r in sorted(days, key=key)] == \
                        [{k: int(r[k] or 0) for k in reports.WARNING_COUNTS}
                         for r in sorted(scan, key=key)], (first_ago, last_ago, station)
        # Periods ending today are served; those that ended before a later feedback or the
        # case naming W4 are not.
        assert served >= 8 and declined >= 4
    finally:
        db.close()
    assert run("check").exit_code == 0
