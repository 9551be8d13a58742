"""What a user sees of a list, unchanged by the work that made long lists draw fast: the same
rows, columns, masking and escapes in the table, CSV and JSON as the renderer before it
(the files in tests/list_output/ were written by that renderer), and a table whose CJK
columns line up.

`TONGWEI_WRITE_SNAPSHOTS=1` writes the files again (only ever from a renderer whose output
is known to be right)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import Runner, using_key_file
from stdnum.cn import ric

HERE = Path(__file__).resolve().parent / "list_output"
WRITE = os.environ.get("TONGWEI_WRITE_SNAPSHOTS") == "1"

ESC_NAME = "\x1b[31m张\u202e三"  # turns a terminal red, then reverses what follows
RAW = ("\x1b", "\u202e")
ID_NO = "62242419900101002" + ric.calc_check_digit("62242419900101002" + "0")
AS_OF = ("--as-of", "2026-11-25 12:00")

# (no, received, level, station, phone, name, id, kind, type)
WARNINGS = [
    ("YJ20261120001", "2026-11-20 08:00", "high", "平襄", "13800001234", "欧阳诸葛慕容长名字",
     ID_NO, "money", "loan"),
    ("YJ20261120002", "2026-11-20 09:30", "medium", "华家岭", "13900005678", ESC_NAME, "",
     "contact", ""),
    ("13800005678", "2026-11-21 10:15", "low", "义岗川", "13700009999", "Zhang San", "", "",
     "investment"),
    ("YJ20261122004", "2026-11-22 23:59", "high", "马营", "15000001111", "=HYPERLINK(1)", "",
     "money", "shopping"),
    ("YJ20261125005", "2026-11-25 11:00", "high", "北城铺", "18800002222", "", "", "", ""),
    ("YJ20261124006", "2026-11-24 07:45", "medium", "第三铺", "13600003333", "李四", "", "",
     "task-scam"),
]


@pytest.fixture(scope="module")
def list_file(tmp_path_factory):
    """Warnings of every shape the dispatch list shows -- a long Chinese name, a name that
    would drive a terminal, a warning numbered like a phone, a formula, an open one, a fed
    back one -- and cases whose summary holds a phone number (made once a module)."""
    path = tmp_path_factory.mktemp("lists") / "lists.db"
    key = path.with_suffix(".key")
    with using_key_file(key):
        run = Runner()

        def call(*args: str) -> None:
            run("--db", path, "--officer", "测试警官", "--lang", "en", *args)

        call("init")
        for no, received, level, station, phone, name, id_no, kind, type_ in WARNINGS:
            args = ["warning", "add", "--no", no, "--received", received, "--level", level,
                    "--station", station, "--phone", phone]
            for option, value in (("--name", name), ("--id", id_no), ("--kind", kind),
                                  ("--type", type_)):
                if value:
                    args += [option, value]
            call(*args)
        call("warning", "followup", "YJ20261124006", "--at", "2026-11-24 09:00", "--method",
             "phone", "--outcome", "dissuaded")
        call("case", "add", "--no", "TW20261120-001", "--reported", "2026-11-20", "--type",
             "loan", "--station", "平襄", "--loss", "12000.50", "--victim-name", "王小明",
             "--victim-phone", "13800004321", "--summary", "请回电138 0000 5678，身份证" + ID_NO)
        call("case", "add", "--no", "TW20261121-002", "--reported", "2026-11-21", "--type",
             "investment", "--station", "华家岭", "--loss", "300", "--victim-name", ESC_NAME,
             "--summary", "=1+1 转账\t两次")
    return path


@pytest.fixture
def lists(list_file, db_path, monkeypatch):
    shutil.copyfile(list_file, db_path)
    monkeypatch.setenv("TONGWEI_KEY_FILE", str(list_file.with_suffix(".key")))


# name -> (argv, COLUMNS or None for a pipe)
VIEWS = {
    "overdue.csv": (("warning", "list", "--status", "overdue", *AS_OF, "--format", "csv"),
                    "200"),
    "overdue.json": (("warning", "list", "--status", "overdue", *AS_OF, "--format", "json"),
                     "200"),
    "overdue.pipe.txt": (("warning", "list", "--status", "overdue", *AS_OF), None),
    "overdue.80.txt": (("warning", "list", "--status", "overdue", *AS_OF), "80"),
    "overdue.zh.80.txt": (("--lang", "zh", "warning", "list", "--status", "overdue", *AS_OF),
                          "80"),
    "overdue.zh.pipe.txt": (("--lang", "zh", "warning", "list", "--status", "overdue",
                             *AS_OF), None),
    "overdue.zh.50.txt": (("--lang", "zh", "warning", "list", "--status", "overdue", *AS_OF),
                          "50"),
    "open.pipe.txt": (("warning", "list", "--status", "open", *AS_OF), None),
    "open.csv": (("warning", "list", "--status", "open", *AS_OF, "--format", "csv"), "200"),
    "all.csv": (("warning", "list", *AS_OF, "--format", "csv"), "200"),
    "all.json": (("warning", "list", *AS_OF, "--format", "json"), "200"),
    "all.zh.pipe.txt": (("--lang", "zh", "warning", "list", *AS_OF), None),
    "cases.csv": (("case", "list", "--from", "2026-11-01", "--to", "2026-11-30", "--format",
                   "csv"), "200"),
    "cases.json": (("case", "list", "--from", "2026-11-01", "--to", "2026-11-30", "--format",
                    "json"), "200"),
    "cases.pipe.txt": (("case", "list", "--from", "2026-11-01", "--to", "2026-11-30"), None),
    "cases.zh.80.txt": (("--lang", "zh", "case", "list", "--from", "2026-11-01", "--to",
                         "2026-11-30"), "80"),
}


def view(run: Runner, name: str) -> str:
    argv, columns = VIEWS[name]
    return run(*argv, env={"COLUMNS": columns}).stdout


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_list_reads_as_before(run, lists, name):
    """Table (on a pipe, at 200, 80 and 50 columns, English and Chinese), CSV and JSON of
    the dispatch list, the whole warning list and the case list: the same text as the
    renderer before the fast lists wrote."""
    out = view(run, name)
    snapshot = HERE / name
    if WRITE:
        HERE.mkdir(exist_ok=True)
        snapshot.write_text(out, encoding="utf-8", newline="")
    assert out == snapshot.read_bytes().decode("utf-8")


def test_no_personal_data_in_any_list(run, lists):
    """The snapshots above hold nothing in full: no phone, ID number or name as typed, in
    a field or in free text."""
    for name in VIEWS:
        out = view(run, name)
        for secret in ("13800001234", "0000 5678", ID_NO, "欧阳诸葛慕容长名字", "王小明",
                       "13800005678", "Zhang San"):
            assert secret not in out, (name, secret)


@pytest.mark.parametrize("name", [n for n in VIEWS if n.endswith(".txt")])
def test_control_characters_are_shown_as_escapes_in_tables(run, lists, name):
    out = view(run, name)
    for ch in RAW:
        assert ch not in out, repr(out)
    if "80" not in name and "50" not in name:  # (the name column is left out when narrow)
        assert "\\x1b" in out


def test_machine_formats_keep_the_masked_value_as_stored(run, lists):
    rows = json.loads(view(run, "overdue.json"))
    names = {r["no"]: r["name"] for r in rows}
    assert names["YJ20261120002"] == "\x1b*******"  # masked, not escaped
    assert "138****5678" in names  # a number that reads as a phone is masked as one
    csv_text = view(run, "overdue.csv")
    assert "'=**" in csv_text  # a formula is never one


# What comes after the Chinese columns of a row: a date or moment, a duration, a status (each
# by the cell it starts at), a sum of money (right-aligned: by the cell it ends at).
AFTER_CJK = re.compile(r"(?P<start>\d{4}-\d\d-\d\d(?: \d\d:\d\d)?|\d+天\S*|已报案)"
                       r"|(?P<end>[\d,]+\.\d\d)")


def test_the_light_table_lines_up_cjk_columns(run, lists):
    """Each column of a Chinese table sits at the same terminal cells on every row, a
    Chinese character counted as two (the heading, the station and name before them), and
    the table is no wider than the terminal."""
    from rich.cells import cell_len

    for name in ("overdue.zh.80.txt", "overdue.zh.50.txt", "overdue.zh.pipe.txt",
                 "cases.zh.80.txt"):
        lines = view(run, name).splitlines()
        rules = [i for i, line in enumerate(lines) if line.startswith("──")]
        rows = lines[rules[0] + 1:rules[1]]
        assert len(rows) >= 2, name
        places = {tuple(cell_len(line[:m.start()]) if m["start"] else
                        -cell_len(line[:m.end()]) for m in AFTER_CJK.finditer(line))
                  for line in rows}
        assert len(places) == 1, (name, places, rows)
        assert len(next(iter(places))) >= 2, name
        if "pipe" not in name:
            width = int(name.split(".")[-2])
            assert all(cell_len(line) <= width for line in lines), name


def test_report_daily_on_a_terminal_draws_every_block_light(run, lists):
    """On a terminal, every block of the report is drawn by the light table (no box,
    moments whole, the name left out at 80 columns and said so, controls escaped); on a
    pipe the page is as rich draws it."""
    from rich.console import Console

    from tongwei_cli.commands import get_db
    from tongwei_cli.domain.reference import refs
    from tongwei_cli.render import report
    from tongwei_cli.reports.figures import daily_report

    db = get_db()
    try:
        from datetime import date

        data = report.masked(daily_report(db, date(2026, 11, 25))["dispatch"], False)
        page = report.visible_page(report.layout(
            {**daily_report(db, date(2026, 11, 25)), "dispatch": data}, refs(db), db.tz,
            "zh"))
    finally:
        from tongwei_cli import commands

        commands.close_db()

    def drawn(width):
        console = Console(width=80, file=io.StringIO(), color_system=None, highlight=False,
                          markup=False, emoji=False)
        for part in report.to_rich(page, width):
            console.print(part)
        return console.file.getvalue()

    light, piped = drawn(80), drawn(None)
    assert not set("┃│┏━") & set(light)  # no block in a box
    block = "\n".join(light[light.index("待调度预警（"):].splitlines()[:12])
    assert "YJ20261120001" in block
    assert "11月20日 10:00" in block  # a moment whole, never cut with …
    assert "未显示：姓名" in block  # what 80 columns could not show, named
    # and how to see it from a report: its CSV or spreadsheet (`show` shows a record)
    note = light[light.index("未显示"):][:120]
    assert "--format csv" in note and "show" not in note
    for ch in RAW:
        assert ch not in light
    assert "┏━" in piped[piped.index("待调度预警（"):][:200]  # the pipe: rich's table


def test_a_report_block_on_a_terminal_keeps_each_sum_whole_and_each_change_in_colour(
        monkeypatch):
    """At 80 columns rich's boxes split a sum of money over two lines (340,120,26 / 9.00);
    the light table keeps every number whole, leaves out the last column instead and says
    so, and shows a change in its colour (green good, red bad) where the terminal takes
    colour."""
    from rich.cells import cell_len

    from tongwei_cli.render import output, report
    from tongwei_cli.render.report import Block, Cell

    money = [Cell(34012026900, "money"), Cell(-504371300, "delta-money", "bad"),
             Cell(-504371300, "delta-money", "good"), Cell(34516398200, "money"),
             Cell(34516398200, "money")]
    block = Block("cases", "打 · 案件", ["项目", "当日", "环比", "同比", "前一日", "去年同日"],
                  [[Cell("损失金额(元)"), *money]])
    monkeypatch.setattr(output, "_styled", lambda: True)
    text = report._light_block(block, "zh", 80)
    lines = text.plain.splitlines()
    assert all(cell_len(line) <= 80 for line in lines), lines
    row = next(line for line in lines if line.startswith("损失金额"))
    assert "340,120,269.00" in row and "345,163,982.00" in row and "-5,043,713.00" in row
    assert "未显示：去年同日" in text.plain  # the column left out, named
    colours = {span.style for span in text.spans if "-5,043,713.00" in text.plain[
        span.start:span.end]}
    assert {c.color.number for c in colours} == {1, 2}, colours  # red, green


# (zone, received times): around the end and the start of summer time in St John's (half an
# hour off UTC; 01:00-02:00 on 2026-11-01 shown twice), and in Kathmandu (a quarter hour).
ZONED = {
    "America/St_Johns": ("2026-10-31 22:40", "2026-11-01 00:59", "2026-11-01 01:30-02:30",
                         "2026-11-01 01:30-03:30", "2026-11-01 03:10", "2026-03-07 23:59",
                         "2026-03-08 01:30", "2026-03-08 03:30"),
    "Asia/Kathmandu": ("2026-11-01 00:10", "2026-11-01 05:44", "2026-11-01 05:46",
                       "2026-10-31 23:59"),
}


@pytest.mark.parametrize("name", sorted(ZONED))
def test_the_dispatch_list_in_a_zone_with_summer_time_or_a_quarter_hour(run, monkeypatch,
                                                                        tmp_path, name):
    """The dispatch list's CSV is its records (its JSON) written by `to_csv` byte for byte,
    and its table shows each moment as `local_text` does -- the offset said in the hour the
    clocks showed twice -- in a zone with summer time and one a quarter hour off."""
    from zoneinfo import ZoneInfo

    from tongwei_cli.core.clock import local_text
    from tongwei_cli.render.output import to_csv

    monkeypatch.setenv("TONGWEI_TZ", name)
    for n, received in enumerate(ZONED[name]):
        run("warning", "add", "--no", f"YJ{n:03d}", "--received", received, "--level",
            ("low", "medium", "high")[n % 3], "--station", "平襄", "--phone", "13800000001")
    listed = ("warning", "list", "--status", "overdue", "--as-of", "2026-12-01 12:00")
    records = json.loads(run(*listed, "--format", "json").stdout)
    assert len(records) == len(ZONED[name])
    tz = ZoneInfo(name)
    run(*listed, "-o", tmp_path / "overdue.csv")
    assert (tmp_path / "overdue.csv").read_bytes() == to_csv(records, tz=tz).encode("utf-8")
    lines = run(*listed, env={"COLUMNS": None}).stdout.splitlines()
    for record in records:
        line = next(line for line in lines if line.startswith(record["no"]))
        for key in ("received_at", "deadline_at"):
            assert local_text(record[key], tz) in line, (line, key)
    assert any("-02:30" in line for line in lines) == (name == "America/St_Johns")
