"""Exact output of the printable formats, and the HTML page printed by a real browser.

The printed time and the audit log's head vary from run to run and are normalised.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from test_reports import FIRST, LAST, data  # noqa: F401  (the hand-built data set)

from tongwei_cli.render import report as report_render


def normalise(text: str) -> str:
    text = re.sub(r"(Printed         |\*\*打印时间\*\*: )"
                  r"(\d{4}年\d+月\d+日|\d+ [A-Z][a-z]+ \d{4}) \d\d:\d\d", r"\1<PRINTED>", text)
    return re.sub(r"\d+:[0-9a-f]{8}…[0-9a-f]{4}", "<HEAD>", text)  # the audit anchor


EXPECTED_TEXT = """\
Tongwei County Public Security Bureau · Anti-fraud report
=========================================================
Bureau          Tongwei County Public Security Bureau
Report          Anti-fraud report
Period          3–9 March 2025
Station         Maying Police Station
Printed         <PRINTED>

Strike · cases
Figure               Period  Previous  vs previous  Year ago  vs year ago
-------------------------------------------------------------------------
Cases reported            1         0           +1         0           +1
Losses (yuan)     50,000.00      0.00   +50,000.00      0.00   +50,000.00
Solved                    0         0            0         0            0
Arrested                  0         0            0         0            0
Prosecuted                0         0            0         0            0
Recovered (yuan)       0.00      0.00            0      0.00            0
Frozen (yuan)          0.00      0.00            0      0.00            0
Stopped (yuan)     1,000.00      0.00    +1,000.00      0.00    +1,000.00

Prevent · warnings
Figure         Period  Previous  vs previous  Year ago  vs year ago
-------------------------------------------------------------------
Received            3         0           +3         0           +3
Fed back            2         0           +2         0           +2
Feedback rate  66.67%         —            —         —            —
On time             1         0           +1         0           +1
On-time rate   33.33%         —            —         —            —
Visited             2         0           +2         0           +2
Visit rate     66.67%         —            —         —            —
Dissuaded           1         0           +1         0           +1
Defrauded           1         0           +1         0           +1
Open                1         0           +1         0           +1
Overdue             0         0            0         0            0
All of the period's warnings (open and overdue: those of them still without
feedback at its end). Outstanding at the end of the period, whenever received:
1, 0 of them overdue.

Publicize · outreach
Figure     Period  Previous  vs previous  Year ago  vs year ago
---------------------------------------------------------------
Sessions        1         0           +1         0           +1
Attendees      15         0          +15         0          +15
Materials      40         0          +40         0          +40

Manage · two cards
Figure          Period  Previous  vs previous  Year ago  vs year ago
--------------------------------------------------------------------
Actions              1         0           +1         0           +1
Inspections          0         0            0         0            0
Interviews           0         0            0         0            0
Notices              0         0            0         0            0
Fines                0         0            0         0            0
Rectifications       1         0           +1         0           +1
Rechecks             0         0            0         0            0
Fines (yuan)      0.00      0.00            0      0.00            0

Station ranking (attention first)
#  Station  Outstanding  Overdue  Warnings  Feedback rate  On-time rate
-----------------------------------------------------------------------
1  Maying             1        0         3         66.67%        33.33%

#  Station  Visit rate  Cases  Loss (yuan)  Outreach
----------------------------------------------------
1  Maying       66.67%      1    50,000.00         1
Outstanding and overdue: every warning still without feedback at the end of the
period (whenever received); warnings and the rates: the warnings received in the
period.

By fraud type
Fraud type              Cases reported  Losses (yuan)  Solved  Arrested
-----------------------------------------------------------------------
Fake online investment               1      50,000.00       0         0

Fraud type              Recovered (yuan)  Frozen (yuan)
-------------------------------------------------------
Fake online investment              0.00           0.00

By station (cases)
Station  Cases reported  Losses (yuan)  Solved  Arrested  Recovered (yuan)
--------------------------------------------------------------------------
Maying                1      50,000.00       0         0              0.00

Station  Frozen (yuan)
----------------------
Maying            0.00

By warning level
Level        Received  Fed back  Feedback rate  On-time rate  Visit rate  Open
------------------------------------------------------------------------------
High risk           2         2        100.00%        50.00%     100.00%     0
Medium risk         1         0          0.00%         0.00%       0.00%     1
Low risk            0         0              —             —           —     0

Level        Overdue
--------------------
High risk          0
Medium risk        0
Low risk           0

By audience
Audience                      Sessions  Attendees  Materials
------------------------------------------------------------
Elderly and people living a…         1         15         40

Prepared by: 测试警官    Reviewed by: ____________    Approved by: ____________

--------------------------------------------------------------------------------
Figures as of   10 March 2025 00:00
Audit log head  <HEAD>
"""

EXPECTED_MARKDOWN = """\
# 通渭县公安局 · 反诈工作统计

- **单位**: 通渭县公安局
- **报表**: 反诈工作统计
- **期间**: 2025年3月3日至3月9日
- **范围**: 马营派出所
- **打印时间**: <PRINTED>

## 打 · 案件

| 项目 | 本期 | 上期 | 环比 | 去年同期 | 同比 |
|---|---:|---:|---:|---:|---:|
| 报案数(起) | 1 | 0 | +1 | 0 | +1 |
| 损失金额(元) | 50,000.00 | 0.00 | +50,000.00 | 0.00 | +50,000.00 |
| 破案(起) | 0 | 0 | 0 | 0 | 0 |
| 抓获(人) | 0 | 0 | 0 | 0 | 0 |
| 移送起诉(人) | 0 | 0 | 0 | 0 | 0 |
| 挽回损失(元) | 0.00 | 0.00 | 0 | 0.00 | 0 |
| 冻结(元) | 0.00 | 0.00 | 0 | 0.00 | 0 |
| 止付(元) | 1,000.00 | 0.00 | +1,000.00 | 0.00 | +1,000.00 |

## 防 · 预警劝阻

| 项目 | 本期 | 上期 | 环比 | 去年同期 | 同比 |
|---|---:|---:|---:|---:|---:|
| 接收预警(条) | 3 | 0 | +3 | 0 | +3 |
| 已反馈 | 2 | 0 | +2 | 0 | +2 |
| 反馈率 | 66.67% | — | — | — | — |
| 按时反馈 | 1 | 0 | +1 | 0 | +1 |
| 按时率 | 33.33% | — | — | — | — |
| 见面劝阻 | 2 | 0 | +2 | 0 | +2 |
| 见面率 | 66.67% | — | — | — | — |
| 劝阻成功 | 1 | 0 | +1 | 0 | +1 |
| 预警后被骗 | 1 | 0 | +1 | 0 | +1 |
| 未反馈 | 1 | 0 | +1 | 0 | +1 |
| 超时未反馈 | 0 | 0 | 0 | 0 | 0 |

以上均为本期接收预警的数字（未反馈、超时未反馈：其中截至期末仍未反馈的）。截至期末全部待反馈预警 1 条，其中超时 0 条。

## 宣 · 宣传

| 项目 | 本期 | 上期 | 环比 | 去年同期 | 同比 |
|---|---:|---:|---:|---:|---:|
| 宣传(场次) | 1 | 0 | +1 | 0 | +1 |
| 受众(人次) | 15 | 0 | +15 | 0 | +15 |
| 发放资料(份) | 40 | 0 | +40 | 0 | +40 |

## 管控 · 断卡

| 项目 | 本期 | 上期 | 环比 | 去年同期 | 同比 |
|---|---:|---:|---:|---:|---:|
| 检查处置合计 | 1 | 0 | +1 | 0 | +1 |
| 检查 | 0 | 0 | 0 | 0 | 0 |
| 约谈 | 0 | 0 | 0 | 0 | 0 |
| 提示函/通报 | 0 | 0 | 0 | 0 | 0 |
| 罚款(次) | 0 | 0 | 0 | 0 | 0 |
| 责令整改 | 1 | 0 | +1 | 0 | +1 |
| 复查 | 0 | 0 | 0 | 0 | 0 |
| 罚款金额(元) | 0.00 | 0.00 | 0 | 0.00 | 0 |

## 派出所排名（需关注者在前）

| 序 | 派出所 | 待反馈 | 其中超时 | 预警 | 反馈率 | 按时率 | 见面率 | 案件 | 损失(元) | 宣传 |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| 1 | 马营 | 1 | 0 | 3 | 66.67% | 33.33% | 66.67% | 1 | 50,000.00 | 1 |

待反馈、其中超时：截至期末仍未反馈的全部预警（不论何日接收）；预警、反馈率、按时率、见面率：本期接收的预警。

## 按诈骗类型

| 诈骗类型 | 报案数(起) | 损失金额(元) | 破案(起) | 抓获(人) | 挽回损失(元) | 冻结(元) |
|---|---:|---:|---:|---:|---:|---:|
| 虚假网络投资理财 | 1 | 50,000.00 | 0 | 0 | 0.00 | 0.00 |

## 按派出所（案件）

| 派出所 | 报案数(起) | 损失金额(元) | 破案(起) | 抓获(人) | 挽回损失(元) | 冻结(元) |
|---|---:|---:|---:|---:|---:|---:|
| 马营 | 1 | 50,000.00 | 0 | 0 | 0.00 | 0.00 |

## 按预警等级

| 预警等级 | 接收预警(条) | 已反馈 | 反馈率 | 按时率 | 见面率 | 未反馈 | 超时未反馈 |
|---|---:|---:|---:|---:|---:|---:|---:|
| 高风险 | 2 | 2 | 100.00% | 50.00% | 100.00% | 0 | 0 |
| 中风险 | 1 | 0 | 0.00% | 0.00% | 0.00% | 1 | 0 |
| 低风险 | 0 | 0 | — | — | — | 0 | 0 |

## 按宣传对象

| 宣传对象 | 宣传(场次) | 受众(人次) | 发放资料(份) |
|---|---:|---:|---:|
| 老年人及独居群体 | 1 | 15 | 40 |

制表人：测试警官    审核人：____________    负责人：____________

---

- **统计截至**: 2025年3月10日 00:00
- **审计链头**: `<HEAD>`
"""


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in line)


def test_text_exact(run, data):
    out = run("report", "range", "--from", FIRST, "--to", LAST, "--station", "马营",
              "--format", "text").stdout
    assert normalise(out) == EXPECTED_TEXT


def test_markdown_exact(run, data):
    out = run("--lang", "zh", "report", "range", "--from", FIRST, "--to", LAST,
              "--station", "马营", "--format", "markdown").stdout
    assert normalise(out) == EXPECTED_MARKDOWN


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", [("daily", "--date", "2025-03-09"),
                                  ("range", "--from", FIRST, "--to", LAST),
                                  ("campaign", "春季断卡行动"),
                                  ("bulletin", "--campaign", "春季断卡行动")])
def test_text_is_plain_and_fits_80_cells(run, data, lang, kind):
    out = run("--lang", lang, "report", *kind, "--format", "text").stdout
    assert "\x1b" not in out
    lines = out.splitlines()
    assert max(display_width(line) for line in lines) <= 80
    assert lines[0].startswith("通渭县公安局" if lang == "zh" else "Tongwei County")
    assert re.fullmatch(r"(审计链头|Audit log head)\s+\d+:[0-9a-f]{8}…[0-9a-f]{4}", lines[-1])
    assert ("测试警官" in out) and (("打印时间" in out) or ("Printed" in out))


def test_text_head_matches_the_audit_log(run, data):
    out = run("report", "daily", "--date", "2025-03-09", "--format", "text").stdout
    verify = run("audit", "list", "--format", "json").stdout
    last = json.loads(verify)[-1]
    anchor = f"{last['id']}:{last['hash'][:8]}…{last['hash'][-4:]}"
    assert out.splitlines()[-1].split()[-1] == anchor
    run("audit", "verify", "--head", anchor)  # the printed page checks against the file


def test_display_width_helpers():
    assert report_render.cells("平襄abc") == 7
    assert report_render.pad("平襄", 6, right=True) == "  平襄"
    assert report_render.clip("老年人及独居群体", 9) == "老年人及…"
    lines = report_render.wrap("共破获电信网络诈骗案件8起，抓获违法犯罪嫌疑人49人", 20)
    assert all(report_render.cells(x) <= 20 for x in lines)
    assert "".join(lines) == "共破获电信网络诈骗案件8起，抓获违法犯罪嫌疑人49人"


def test_csv_rows(run, data):
    out = run("report", "range", "--from", FIRST, "--to", LAST, "--format", "csv").stdout
    assert out.startswith("section,key,value")  # a pipe gets no BOM; a file does
    rows = list(csv.reader(io.StringIO(out)))
    figures = {(s, k): v for s, k, v in rows[1:]}
    assert figures[("cases", "reported")] == "2"
    assert figures[("cases", "loss_fen")] == "6000000"
    assert figures[("warnings", "feedback_rate")] == "0.6667"
    assert figures[("previous.change.cases", "loss_fen")] == "5500000"
    assert figures[("breakdowns.by_station.maying.warnings", "received")] == "3"
    assert figures[("ranking.pingxiang", "rank")] == "1"
    assert figures[("year_ago.warnings", "feedback_rate")] == ""


def test_csv_one_row_per_figure_under_unique_keys_in_local_time(run, data):
    """Sections never `None`, two dispatch rows never under one station's key, and times
    in the county's local time with the offset (pandas reads the Tongwei hour)."""
    import pandas as pd

    out = run("report", "daily", "--date", "2025-03-09", "--format", "csv").stdout
    frame = pd.read_csv(io.StringIO(out.lstrip("\ufeff")), dtype=str, keep_default_na=False)
    assert not frame.duplicated(["section", "key"]).any()
    assert not frame["section"].str.contains("None").any()
    day = json.loads(run("report", "daily", "--date", "2025-03-09", "--format", "json").stdout)
    figures = {(s, k): v for s, k, v in frame.itertuples(index=False)}
    for item in day["dispatch"]:
        assert figures[(f"dispatch.{item['no']}", "station")] == item["station"]
    assert figures[("dispatch.W6", "received_at")] == "2025-03-06 08:00:00+08:00"
    assert figures[("report", "as_of")] == "2025-03-10 00:00:00+08:00"
    assert not any(k == "rising" or s.startswith("rising") for s, k in figures)
    moment = pd.Timestamp(figures[("dispatch.W6", "deadline_at")])
    assert (moment.hour, str(moment.tz)) == (8, "UTC+08:00")


def test_csv_a_case_of_no_station_has_a_key(run, tmp_path):
    """A two-card action of no station: `breakdowns.by_station._none`, never `None`."""
    run("cards", "action", "--date", "2025-03-04", "--institution", "农商银行",
        "--institution-kind", "bank", "--kind", "inspection")
    out = run("report", "range", "--from", "2025-03-01", "--to", "2025-03-09",
              "--format", "csv").stdout
    sections = {row[0] for row in csv.reader(io.StringIO(out.lstrip("\ufeff")))}
    assert "breakdowns.by_station._none.cards" in sections
    assert not any("None" in s for s in sections)


def test_list_csv_times_are_local_with_their_offset(run, data):
    out = run("warning", "list", "--from", FIRST, "--to", LAST, "--format", "csv").stdout
    rows = {r["no"]: r for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}
    assert rows["W1"]["received_at"] == "2025-03-03 00:30:00+08:00"  # UTC 2025-03-02 16:30
    assert rows["W1"]["feedback_at"] == "2025-03-03 00:50:00+08:00"
    stored = json.loads(run("warning", "list", "--format", "json").stdout)
    assert next(r for r in stored if r["no"] == "W1")["received_at"] == "2025-03-02T16:30:00Z"


@pytest.mark.parametrize("command", [("case", "list"), ("warning", "list"),
                                     ("outreach", "list"), ("cards", "list"),
                                     ("audit", "list"),
                                     ("report", "range", "--from", FIRST, "--to", LAST)])
def test_csv_in_gb18030_for_the_platform(run, data, tmp_path, command):
    target = tmp_path / "out.csv"
    run(*command, "--encoding", "gb18030", "-o", target)
    raw = target.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # there is Chinese in every one of them
    assert text.splitlines()[0].split(",")[0] in ("no", "id", "section")


def test_encoding_is_for_csv_only(run, data):
    result = run("case", "list", "--format", "json", "--encoding", "gb18030", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: --encoding:")
    result = run("case", "list", "--format", "csv", "--encoding", "latin-1", ok=False)
    assert result.exit_code == 1 and "gb18030" in result.stderr


def test_json_shape(run, data):
    r = json.loads(run("report", "daily", "--date", "2025-03-09", "--format", "json").stdout)
    for key in ("from", "to", "station", "cases", "warnings", "outreach", "cards",
                "breakdowns", "ranking", "previous", "year_ago", "campaign", "dispatch",
                "dispatch_total", "audit_head", "as_of"):
        assert key in r
    for section in ("cases", "warnings", "outreach", "cards"):
        for key, value in r[section].items():
            if key.endswith("_rate"):
                assert value is None or (0 <= value <= 1 and round(value, 4) == value)
            else:
                assert isinstance(value, int), (section, key)


def test_xlsx_a_clerk_prints_and_pandas_reads(run, data, tmp_path):
    """Short sheet names, the full title in A1, the headings in row 2 (pandas: header=1),
    real local date-times, lateness in hours, notes on the info sheet only, and every
    sheet set up to print on A4, one page wide, with its heading row repeated."""
    import pandas as pd
    from openpyxl import load_workbook

    target = tmp_path / "day.xlsx"
    run("report", "daily", "--date", "2025-03-09", "-o", target)
    day = json.loads(run("report", "daily", "--date", "2025-03-09", "--format", "json").stdout)
    book = load_workbook(target)
    assert book.properties.creator == "tongwei"
    assert book.sheetnames == ["Info", "Cases", "Warnings", "Outreach", "Cards", "Campaign",
                               "Dispatch", "Ranking", "By type", "By station", "By level",
                               "By audience"]
    cases = book["Cases"]
    assert cases["A1"].value == "Strike · cases" and cases["A1"].font.bold
    assert [c.value for c in cases[2]] == ["Figure", "Day", "Day before", "vs day before",
                                           "Year ago", "vs year ago"]
    assert cases["A4"].value == "Losses (yuan)" and cases["B4"].value == 50000
    assert cases["B4"].number_format == "#,##0.00" and cases["B3"].number_format == "#,##0"
    for sheet in book:
        setup = sheet.page_setup
        assert (setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$2:$2" and sheet.freeze_panes == "A3"
        assert "Daily anti-fraud summary" in sheet.oddHeader.left.text
        assert sheet.oddHeader.right.text == "9 March 2025"
        assert sheet.oddFooter.center.text == "Page &P of &N"
        assert len(sheet.title) <= 12

    dispatch = pd.read_excel(target, sheet_name="Dispatch", header=1, engine="openpyxl")
    assert list(dispatch.columns) == ["Warning no.", "Station", "Level", "Received",
                                      "Deadline", "Late (hours)", "Phone", "Name"]
    assert len(dispatch) == len(day["dispatch"]) and dispatch["Warning no."].notna().all()
    w6 = dispatch.set_index("Warning no.").loc["W6"]
    assert w6["Received"] == datetime(2025, 3, 6, 8, 0)  # local time (UTC 00:00)
    assert w6["Deadline"] == datetime(2025, 3, 7, 8, 0)
    assert w6["Late (hours)"] == 64.0  # to the end of the day, 2025-03-10 00:00
    received = book["Dispatch"]["D3"]
    assert isinstance(received.value, datetime) and received.number_format == "yyyy-mm-dd hh:mm"
    info = pd.read_excel(target, sheet_name="Info", header=1, engine="openpyxl")
    notes = dict(zip(info["Item"], info["Value"], strict=True))
    assert notes["Warnings to dispatch (no feedback)"].startswith(f"{day['dispatch_total']} in all")
    assert notes["Prepared by"] == "测试警官" and "Reviewed by" in notes
    for name in book.sheetnames[1:]:  # no note rows inside a table
        frame = pd.read_excel(target, sheet_name=name, header=1, engine="openpyxl")
        assert not frame.iloc[:, 0].isna().any(), name


def test_xlsx_in_chinese_has_chinese_sheet_names(run, data, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "日报.xlsx"
    run("--lang", "zh", "report", "daily", "--date", "2025-03-09", "-o", target)
    book = load_workbook(target)
    assert book.sheetnames[:5] == ["信息", "案件", "预警", "宣传", "断卡"]
    assert book["案件"]["D2"].value == "环比" and book["案件"]["F2"].value == "同比"
    assert book["待调度"]["F2"].value == "超时(小时)"
    assert book["案件"].oddFooter.center.text == "第 &P 页 共 &N 页"


@pytest.mark.parametrize("command", [("case", "list"), ("warning", "list"),
                                     ("outreach", "list"), ("cards", "list"),
                                     ("audit", "list")])
def test_lists_write_xlsx(run, data, tmp_path, command):
    import pandas as pd
    from openpyxl import load_workbook

    target = tmp_path / "list.xlsx"
    result = run(*command, "-o", target)
    assert result.stdout == ""
    rows = json.loads(run(*command, "--format", "json").stdout)
    book = load_workbook(target)
    assert book.properties.creator == "tongwei"
    frame = pd.read_excel(target, header=1, engine="openpyxl")  # the first sheet: the rows
    assert len(frame) == len(rows)
    for sheet in book:
        assert sheet.page_setup.paperSize == 9 and sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == "$2:$2"
    moments = [c for row in book.worksheets[0].iter_rows(min_row=3) for c in row
               if isinstance(c.value, datetime)]
    assert moments and all(c.number_format in ("yyyy-mm-dd hh:mm", "yyyy-mm-dd")
                           for c in moments)


def test_list_xlsx_values(run, data, tmp_path):
    import pandas as pd

    target = tmp_path / "cases.xlsx"
    run("case", "list", "--from", FIRST, "--to", LAST, "-o", target)
    frame = pd.read_excel(target, header=1, engine="openpyxl").set_index("Case no.")
    assert frame.loc["C2", "Reported"] == datetime(2025, 3, 9)
    assert frame.loc["C2", "Loss (yuan)"] == 50000
    assert frame.loc["C1", "Victim"] == "张*"  # masked in a spreadsheet too
    warnings = tmp_path / "warnings.xlsx"
    run("warning", "list", "--from", FIRST, "--to", LAST, "-o", warnings)
    frame = pd.read_excel(warnings, header=1, engine="openpyxl").set_index("Warning no.")
    assert frame.loc["W1", "Received"] == datetime(2025, 3, 3, 0, 30)  # local, not UTC
    assert frame.loc["W1", "Station"] == "Pingxiang Police Station"


def test_output_file_picks_the_format(run, data, tmp_path):
    for ext, probe in ((".md", "# Tongwei"), (".txt", "Tongwei County"),
                       (".json", '"report": "range"'), (".html", "<!DOCTYPE html>"),
                       (".csv", "section,key,value")):
        target = tmp_path / f"r{ext}"
        result = run("report", "range", "--from", FIRST, "--to", LAST, "-o", target)
        assert result.stdout == ""
        assert probe in target.read_text("utf-8")


# -- the HTML page in a real browser ------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
A4 = (595.28, 841.89)  # points

# Appended to a copy of the page: lays it out at the printable width of A4 (210 mm less the
# page margins of the @page rule, 12 mm each side = 186 mm = 703 CSS px) and records every
# table, cell or chart wider than the page.
MEASURE = """
<script>
window.addEventListener('load', () => {
  const width = document.documentElement.clientWidth;
  const bad = [];
  for (const el of document.querySelectorAll('table, td, th, svg, h1, h2, dl, p')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 || box.left < -0.5) bad.push(el.tagName + ':' + box.right);
    if (el.tagName === 'TD' && el.scrollWidth > el.clientWidth + 1)
      bad.push('cell:' + el.textContent);
  }
  const out = document.createElement('pre');
  out.id = 'measure';
  out.textContent = JSON.stringify({width, bad, tables: document.querySelectorAll('table').length});
  document.body.appendChild(out);
});
</script>
"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def media_boxes(pdf: bytes) -> list[tuple[float, ...]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", pdf)
    return [tuple(float(x) for x in box.split()) for box in boxes]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install "
                    "chromium); the HTML page cannot be printed to PDF here")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_prints_on_a4(run, data, tmp_path, lang):
    page = tmp_path / "daily.html"
    run("--lang", lang, "report", "daily", "--date", "2025-03-09", "-o", page)
    source = page.read_text("utf-8")
    assert "@page { size: A4" in source and "<svg" in source
    assert "http://" not in source.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in source  # self-contained: nothing to fetch
    assert "赵六" not in source and "13900006666" not in source

    pdf = tmp_path / "daily.pdf"
    result = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                      page.as_uri())
    assert pdf.exists(), result.stderr
    boxes = media_boxes(pdf.read_bytes())
    assert boxes, "no pages in the PDF"
    for x0, y0, x1, y1 in boxes:
        assert abs((x1 - x0) - A4[0]) < 1.5 and abs((y1 - y0) - A4[1]) < 1.5, boxes

    measured = tmp_path / "measure.html"
    measured.write_text(source.replace("</body>", MEASURE + "</body>"), "utf-8")
    result = chromium(tmp_path, "--window-size=703,1000", "--virtual-time-budget=5000",
                      "--dump-dom", measured.as_uri())
    found = re.search(r'<pre id="measure">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    report = json.loads(found.group(1).replace("&quot;", '"'))
    assert report["tables"] >= 8
    assert report["bad"] == [], report


# -- the page's words: dates, headings, colours, signatures, line rules ---------------------------

def section_rows(page: str, key: str) -> tuple[list[str], dict[str, list[tuple[str, str]]]]:
    """The headings of a section of the HTML page, and its rows: label -> [(class, text)]."""
    body = re.search(rf'<section class="block[^"]*" id="{key}">(.*?)</section>', page,
                     re.S).group(1)
    heads = re.findall(r"<th[^>]*>(.*?)</th>", body)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        found = re.findall(r'<td(?: class="([^"]*)")?>(.*?)</td>', row)
        if found:
            rows[found[0][1]] = found[1:]
    return heads, rows


def test_html_colours_a_change_by_what_it_means(run, data):
    """More losses, more open warnings, more defrauded: bad (red), whatever the sign; more
    solved, more dissuaded: good; warnings received: neither."""
    page = run("report", "range", "--from", FIRST, "--to", LAST, "--format", "html").stdout
    r = json.loads(run("report", "range", "--from", FIRST, "--to", LAST,
                       "--format", "json").stdout)
    heads, rows = section_rows(page, "cases")
    assert heads == ["Figure", "Period", "Previous", "vs previous", "Year ago", "vs year ago"]
    assert rows["Losses (yuan)"][2] == ("n bad", "+55,000.00")
    assert rows["Solved"][2] == ("n good", "+2")
    checked = 0
    for section in ("cases", "warnings", "outreach", "cards"):
        _, rows = section_rows(page, section)
        labels = list(rows)
        for n, key in enumerate(r[section]):
            for column, other in ((2, "previous"), (4, "year_ago")):
                delta = r[other]["change"][section][key]
                sense = r["rising"][section].get(key)
                classes = set(rows[labels[n]][column][0].split())
                want = None
                if delta and sense:
                    want = sense if delta > 0 else {"good": "bad", "bad": "good"}[sense]
                assert classes - {"n"} == ({want} if want else set()), (section, key, other)
                checked += 1
    assert checked == 2 * sum(len(r[s]) for s in ("cases", "warnings", "outreach", "cards"))
    _, rows = section_rows(page, "warnings")
    assert rows["Received"][2][0] == "n"  # neither good nor bad


def test_chinese_page_dates_headings_and_signatures(run, data):
    text = run("--lang", "zh", "report", "daily", "--date", "2025-03-09", "--format",
               "text").stdout
    assert "日期      2025年3月9日" in text
    assert "专项行动累计：春季断卡行动（2025年3月1日至3月9日）" in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text), "an ISO date on the Chinese page"
    assert "制表人：测试警官    审核人：____________    负责人：____________" in text
    assert "增减" not in text and " 环比 " in text and " 同比" in text
    page = run("--lang", "zh", "report", "daily", "--date", "2025-03-09", "--format",
               "html").stdout
    assert "@top-left" in page and '"第 " counter(page) " 页 共 " counter(pages) " 页"' in page
    assert '@top-right { content: "2025年3月9日"' in page
    assert "<title>通渭县公安局 · 反诈工作每日汇总 · 2025年3月9日</title>" in page
    assert "table-layout: fixed" not in page
    english = run("report", "daily", "--date", "2025-03-09", "--format", "html").stdout
    assert '"Page " counter(page) " of " counter(pages)' in english
    assert "Prepared by: <span>测试警官</span>" in english


def test_running_header_cannot_break_out_of_the_style(run, data):
    """A campaign's name goes into the page's CSS (the running header): quotes, backslashes
    and markup in it are escapes there."""
    run("campaign", "add", '春季"}</style><script>x</script>\\', "--from", "2025-03-01",
        "--to", "2025-03-31")
    page = run("report", "campaign", "春季\"", "--station", "马营", "--format", "html").stdout
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style and "</script>" not in style


def test_campaign_page_opens_with_its_bulletin_and_charts_its_own_days(run, data):
    r = json.loads(run("--lang", "zh", "report", "campaign", "春季断卡行动", "--format",
                       "json").stdout)
    assert r["text"].startswith("“春季断卡行动”开展以来，共破获电信网络诈骗案件")
    page = run("--lang", "zh", "report", "campaign", "春季断卡行动", "--format", "html").stdout
    assert "<h2>通报</h2>" in page and html.escape(r["text"]) in page
    days = re.findall(r"<title>(\d{4}-\d\d-\d\d) ", page)
    assert (days[0], days[-1]) == (r["from"], r["to"]) == ("2025-03-01", "2025-03-31")
    assert "每日预警与案件（2025年3月1日至3月31日）" in page
    text = run("--lang", "zh", "report", "campaign", "春季断卡行动", "--format", "text").stdout
    assert "通报\n“春季断卡行动”开展以来" in text


def test_text_lines_follow_the_chinese_line_rules():
    from tongwei_cli.render.report import NO_END, NO_START, cells, wrap

    text = ("专项行动累计：2026年秋冬季打击治理电信网络诈骗专项行动（2026年10月1日至11月28日）。"
            "共破获“两卡”违法犯罪案件8起（含跨省案件2起），抓获嫌疑人49人；冻结42.93万元。")
    for width in range(12, 81):
        lines = wrap(text, width)
        assert "".join(lines) == text, width
        assert all(cells(line) <= width for line in lines), width
        assert not any(line[0] in NO_START for line in lines[1:]), (width, lines)
        assert not any(line[-1] in NO_END for line in lines[:-1]), (width, lines)


def test_pdf_without_its_engine_says_how_to_get_it(run, data, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it were not installed
    target = tmp_path / "day.pdf"
    result = run("report", "daily", "--date", "2025-03-09", "-o", target, ok=False)
    assert result.exit_code == 1 and not target.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --format: PDF needs WeasyPrint")
    assert "pip install" in lines[0] and "--format html" in lines[0]
    assert "Traceback" not in result.stderr
