"""Exact output of the printable formats, and the HTML page printed by a real browser.

The printed time and the audit log's head vary from run to run and are normalised.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from test_reports import FIRST, LAST, data  # noqa: F401  (the hand-built data set)

from tongwei_cli.render import report as report_render


def normalise(text: str) -> str:
    text = re.sub(r"(Printed         |\*\*打印时间\*\*: )\d{4}-\d\d-\d\d \d\d:\d\d",
                  r"\1<PRINTED>", text)
    return re.sub(r"\d+:[0-9a-f]{8}…[0-9a-f]{4}", "<HEAD>", text)  # the audit anchor


EXPECTED_TEXT = """\
Tongwei County Public Security Bureau · Anti-fraud report
=========================================================
Bureau          Tongwei County Public Security Bureau
Report          Anti-fraud report
Period          2025-03-03 to 2025-03-09
Station         Maying Police Station
Printed         <PRINTED>
Officer         测试警官

Strike · cases
Figure               Period  Previous      Change  Year ago      Change
-----------------------------------------------------------------------
Cases reported            1         0          +1         0          +1
Losses (yuan)     50,000.00      0.00  +50,000.00      0.00  +50,000.00
Solved                    0         0           0         0           0
Arrested                  0         0           0         0           0
Prosecuted                0         0           0         0           0
Recovered (yuan)       0.00      0.00           0      0.00           0
Frozen (yuan)          0.00      0.00           0      0.00           0
Stopped (yuan)     1,000.00      0.00   +1,000.00      0.00   +1,000.00

Prevent · warnings
Figure         Period  Previous  Change  Year ago  Change
---------------------------------------------------------
Received            3         0      +3         0      +3
Fed back            2         0      +2         0      +2
Feedback rate  66.67%         —       —         —       —
On time             1         0      +1         0      +1
On-time rate   33.33%         —       —         —       —
Visited             2         0      +2         0      +2
Visit rate     66.67%         —       —         —       —
Dissuaded           1         0      +1         0      +1
Defrauded           1         0      +1         0      +1
Open                1         0      +1         0      +1
Overdue             0         0       0         0       0

Publicize · outreach
Figure     Period  Previous  Change  Year ago  Change
-----------------------------------------------------
Sessions        1         0      +1         0      +1
Attendees      15         0     +15         0     +15
Materials      40         0     +40         0     +40

Manage · two cards
Figure          Period  Previous  Change  Year ago  Change
----------------------------------------------------------
Actions              1         0      +1         0      +1
Inspections          0         0       0         0       0
Interviews           0         0       0         0       0
Notices              0         0       0         0       0
Fines                0         0       0         0       0
Rectifications       1         0      +1         0      +1
Rechecks             0         0       0         0       0
Fines (yuan)      0.00      0.00       0      0.00       0

Station ranking (attention first)
#  Station  Warnings  Feedback rate  On-time rate  Visit rate  Overdue  Cases
-----------------------------------------------------------------------------
1  Maying          3         66.67%        33.33%      66.67%        0      1

#  Station  Loss (yuan)  Outreach
---------------------------------
1  Maying     50,000.00         1

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

--------------------------------------------------------------------------------
Figures as of   2025-03-10 00:00
Audit log head  <HEAD>
"""

EXPECTED_MARKDOWN = """\
# 通渭县公安局 · 反诈工作统计

- **单位**: 通渭县公安局
- **报表**: 反诈工作统计
- **期间**: 2025-03-03 至 2025-03-09
- **范围**: 马营派出所
- **打印时间**: <PRINTED>
- **制表人**: 测试警官

## 打 · 案件

| 项目 | 本期 | 上期(环比) | 增减 | 去年同期(同比) | 增减 |
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

| 项目 | 本期 | 上期(环比) | 增减 | 去年同期(同比) | 增减 |
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

## 宣 · 宣传

| 项目 | 本期 | 上期(环比) | 增减 | 去年同期(同比) | 增减 |
|---|---:|---:|---:|---:|---:|
| 宣传(场次) | 1 | 0 | +1 | 0 | +1 |
| 受众(人次) | 15 | 0 | +15 | 0 | +15 |
| 发放资料(份) | 40 | 0 | +40 | 0 | +40 |

## 管控 · 断卡

| 项目 | 本期 | 上期(环比) | 增减 | 去年同期(同比) | 增减 |
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

| 序 | 派出所 | 预警 | 反馈率 | 按时率 | 见面率 | 超时 | 案件 | 损失(元) | 宣传 |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|
| 1 | 马营 | 3 | 66.67% | 33.33% | 66.67% | 0 | 1 | 50,000.00 | 1 |

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

---

- **统计截至**: 2025-03-10 00:00
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
    assert out.startswith("\ufeffsection,key,value")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    figures = {(s, k): v for s, k, v in rows[1:]}
    assert figures[("cases", "reported")] == "2"
    assert figures[("cases", "loss_fen")] == "6000000"
    assert figures[("warnings", "feedback_rate")] == "0.6667"
    assert figures[("previous.change.cases", "loss_fen")] == "5500000"
    assert figures[("breakdowns.by_station.maying.warnings", "received")] == "3"
    assert figures[("ranking.pingxiang", "rank")] == "1"
    assert figures[("year_ago.warnings", "feedback_rate")] == ""


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


def test_xlsx(run, data, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "week.xlsx"
    run("report", "range", "--from", FIRST, "--to", LAST, "-o", target)
    book = load_workbook(target)
    names = book.sheetnames
    assert names[:5] == ["Report", "Strike · cases", "Prevent · warnings",
                         "Publicize · outreach", "Manage · two cards"]
    cases = book["Strike · cases"]
    assert cases.freeze_panes == "A2"
    assert cases["A1"].value == "Figure" and cases["A1"].font.bold
    assert cases["A3"].value == "Losses (yuan)"
    assert cases["B3"].value == 60000 and cases["B3"].number_format == "#,##0.00"
    assert cases["B2"].value == 2 and isinstance(cases["B2"].value, int)
    warnings = book["Prevent · warnings"]
    assert warnings["B4"].value == 0.6667 and warnings["B4"].number_format == "0.00%"
    assert all(book[n].freeze_panes == "A2" for n in names)


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
