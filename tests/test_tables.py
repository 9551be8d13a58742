"""Tables a person reads on a terminal of 80 columns: keys, numbers, dates and money whole
on their line, long free text cut with … (and whole in `show`), one way of writing how late
a warning is, and long lists drawn without rich's per-cell Table."""

from __future__ import annotations

import csv
import json

import pytest
from rich.cells import cell_len

from tongwei_cli.render.output import fen_to_yuan

LONG_VENUE = "通渭县第一中学东校区学术报告厅新教学楼三层西侧"
LONG_INSTITUTION = "中国农业银行股份有限公司通渭县平襄镇解放路支行营业部"


def assert_fits(output: str, width: int = 80) -> None:
    for line in output.splitlines():  # the notes under the table too
        assert cell_len(line) <= width, line


@pytest.fixture
def demo(run, monkeypatch):
    run("demo")
    run("outreach", "add", "--date", "2026-11-28", "--station", "平襄", "--audience", "学生",
        "--form", "手拉手", "--venue", LONG_VENUE, "--venue-kind", "school",
        "--attendees", "320", "--materials", "500")
    run("cards", "action", "--date", "2026-11-28", "--institution", LONG_INSTITUTION,
        "--institution-kind", "bank", "--kind", "fine", "--amount", "1500.50")
    monkeypatch.setenv("COLUMNS", "80")
    return run


def rows_of(run, *argv: str) -> list[dict]:
    return json.loads(run(*argv, "--format", "json").output)


def line_of(output: str, key: str) -> str:
    found = [line for line in output.splitlines() if key in line]
    assert len(found) == 1, (key, output)
    return found[0]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lists_at_80_columns_keep_keys_dates_and_money_whole(demo, monkeypatch, lang):
    monkeypatch.setenv("TONGWEI_LANG", lang)
    run = demo
    cases = run("case", "list").output
    assert_fits(cases)
    for case in rows_of(run, "case", "list"):
        line = line_of(cases, case["no"])  # the key whole, on one line with its date and loss
        assert case["reported"] in line and fen_to_yuan(case["loss_fen"]) in line
    warnings = run("warning", "list", "--status", "overdue", "--as-of",
                   "2026-12-01 00:00").output
    assert_fits(warnings)
    overdue = rows_of(run, "warning", "list", "--status", "overdue", "--as-of",
                      "2026-12-01 00:00")
    assert overdue
    for warning in overdue:
        line = line_of(warnings, warning["no"])
        assert "2026-11-" in line and line.rstrip().endswith(("m", "分"))
    cards = run("cards", "list").output
    assert_fits(cards)
    fine = line_of(cards, "1,500.50")  # the fine whole, on the line of its key
    assert "DK20261128-" in fine and "2026-11-28" in fine
    for argv in (("outreach", "list"), ("cards", "institutions"), ("cards", "penalty", "list"),
                 ("campaign", "list"), ("audit", "list"), ("cards", "list", "--open")):
        assert_fits(run(*argv).output)
    # what a list leaves out on a narrow terminal, it names
    assert ("not shown in 80 columns" in cases) if lang == "en" else ("终端宽 80 列" in cases)
    assert ("Frozen" in cases) if lang == "en" else ("冻结(元)" in cases)


def test_long_free_text_is_cut_with_an_ellipsis_and_shown_whole(demo):
    run = demo
    sessions = run("outreach", "list").output
    session = next(r for r in rows_of(run, "outreach", "list") if r["venue"] == LONG_VENUE)
    line = line_of(sessions, session["no"])
    assert "…" in line and LONG_VENUE not in sessions and "320" in line
    assert LONG_VENUE in run("outreach", "show", session["no"]).output
    institutions = run("cards", "institutions").output
    line = line_of(institutions, "1,500.50")
    assert "…" in line and LONG_INSTITUTION not in institutions
    assert line.startswith(LONG_INSTITUTION[:4])  # cut at its end
    # a pipe or a file gets every value whole
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.delenv("COLUMNS")
    try:
        assert LONG_VENUE in run("outreach", "list").output
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("lang, late", [("en", "2d 8h 16m"), ("zh", "2天8小时16分")])
def test_how_late_reads_the_same_in_every_view(demo, monkeypatch, lang, late):
    monkeypatch.setenv("TONGWEI_LANG", lang)
    run = demo
    key = "YJ2026112700390"  # deadline 2026-11-28 15:44, still open
    listed = run("warning", "list", "--status", "overdue", "--as-of", "2026-12-01 00:00").output
    assert line_of(listed, key).rstrip().endswith(late)
    shown = run("warning", "show", key, "--as-of", "2026-12-01 00:00").output
    assert late in shown
    for fmt in ("text", "markdown", "html"):
        report = run("report", "daily", "--date", "2026-11-30", "--format", fmt).output
        assert key in report and report.count(late) == 1, fmt  # its one overdue warning


def test_a_long_list_is_drawn_without_rich_table(run, tmp_path, monkeypatch):
    path = tmp_path / "warnings.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["no", "received", "level", "station", "phone", "name"])
        for i in range(3000):
            out.writerow([f"YJ{i:013d}", f"2026-11-{1 + i % 20:02d} {i % 24:02d}:{i % 60:02d}",
                          "high", "平襄", f"138{i:08d}", "测试甲"])
    run("import", "warnings", str(path))
    import rich.table

    drawn = []
    real = rich.table.Table.add_row
    monkeypatch.setattr(rich.table.Table, "add_row",
                        lambda self, *a, **k: drawn.append(1) or real(self, *a, **k))
    monkeypatch.setenv("COLUMNS", "80")
    output = run("warning", "list", "--status", "overdue", "--as-of", "2026-12-01 00:00").output
    assert drawn == []  # no per-row rich Table: widths computed once, rows joined as text
    rows = [line for line in output.splitlines() if line.startswith("YJ")]
    assert len(rows) == 3000 and all(cell_len(line) <= 80 for line in rows)
    assert "YJ0000000002999" in output and "3000 total" in output
