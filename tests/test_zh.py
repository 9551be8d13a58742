"""The officer's language, everywhere: under `--lang zh` (or TONGWEI_LANG=zh) every message
a person reads is Chinese -- errors, warnings, notes, prompts, the import summary, each bad
row's reason, Click's own usage errors and the `--help` of every command and option --
while option names, codes, values and exit statuses stay as they are, and English stays as
it was under `en`.

The first two tests are the lead's list of what a merged branch left untranslated: every
help text of the built command tree, and every message the code writes, must have its
Chinese in `core/words_zh.py`.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import typer.main

from tests.conftest import ROOT, days_ago, tongwei_exe
from tongwei_cli.cli import build_app
from tongwei_cli.core import fields, settings, words

PACKAGE = ROOT / "tongwei_cli"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `-o out.yaml` and the like land in the test's folder


# -- 1. every help text, every message: has its Chinese --------------------------------

def help_texts(command, path="tongwei"):
    """(where, text) of every help text of the built tree: commands, groups, options,
    arguments, and each command's -h."""
    ctx = command.context_class(command, info_name=path.rsplit(" ", 1)[-1])
    for text in (command.help, command.short_help):
        if text:
            yield path, text
    for param in [*command.params, command.get_help_option(ctx)]:
        if param is not None and getattr(param, "help", None):
            yield f"{path} {param.opts[0] if param.opts else param.name}", param.help
    for name, sub in getattr(command, "commands", {}).items():
        yield from help_texts(sub, f"{path} {name}")


def test_every_help_text_of_every_command_and_option_has_chinese():
    tree = typer.main.get_command(build_app())
    seen = list(help_texts(tree))
    assert len(seen) > 200
    missing = [f"{where}: {text!r}" for where, text in seen if words.help_chinese(text) is None]
    assert not missing, ("help with no Chinese in core/words_zh.py HELP:\n  "
                         + "\n  ".join(missing))


ERRORS = {"InvalidValue", "Conflict", "NotFound", "StorageError", "TongweiError", "KeyMissing",
          "warn",
          "status", "error_line", "localise"}
LISTS = {"warnings", "notes", "problems"}  # lists of notes and bad rows the code fills
SENTENCES = {"why", "how", "kept"}  # names that hold a part of a message

# Messages built from parts the harvest below cannot see: each sample stands for one.
COMPOSED = [
    "rectification DK1 was closed by recheck DK2: its kind cannot change (void the recheck "
    "first)",
    "recheck DK2 closed rectification DK1: its institution cannot change (void it and record "
    "the action anew)",
    "C1 is already stored with a different loss; use --update to correct it",
    "E1 is already stored with a different amount_fen; correct it with its own command",
    "cannot write /tmp/x.csv: Permission denied; it was left as it was",
    "/tmp/db is the database's write-ahead log; choose another file",
    "database: the database is busy with another writer; try again",
    "row 3: --victim-id: region code 621121 was not in force in 1990 (a later "
    "registration?); accepted",
    "3 bad rows; nothing was written",
    "Missing option '--loss'.",
    "No such option: --bogus (Possible options: --loss)",
    "Got unexpected extra argument(s) (x)",
    "Option '--from' requires an argument.",
    "Invalid value for '--limit': Input should be greater than or equal to 1",
    "No such command 'bogus'.",
    "Try 'tongwei case add -h' for help.",
    "audit row 5: row missing (deleted) (4 rows before it are intact)",
    "audit row 5: does not follow the previous row (4 rows before it are intact)",
    "audit row 5: content does not match its hash (4 rows before it are intact)",
]


# Values for placeholders whose sample must be a real one (a code, a sentence).
SAMPLES = {"result.kind": "cases", "what": "row", "hint": "; use --update to correct it",
           "repeats[index]": "3"}
# `tongwei check` prints its problems on stdout as a report a script may grep (partly
# written by SQL): they stay English, as the codes and keys of machine output do.
ENGLISH_ON_PURPOSE = {"tongwei_cli/storage/check.py"}


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _sample(node) -> str | None:
    """An English message as the code writes it, each `{…}` filled with a plausible value
    (digits for counts and line numbers, `'x'` for a repr, the `s` of a plural)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(part.value)
            continue
        expr = part.value
        source = ast.unparse(expr)
        if source in SAMPLES:
            out.append(SAMPLES[source])
        elif part.conversion == ord("r"):
            out.append("'x'")
        elif isinstance(expr, ast.IfExp) and isinstance(expr.body, ast.Constant):
            out.append(str(expr.body.value))
        elif re.search(r"\b(line|len|count|n|checked|pages|import_id|rows|rules|years)\b|"
                       r"_rows\b|'rows'|'pages'", source):
            out.append("7")
        else:
            out.append("x")
    return "".join(out)


def code_messages():
    """(where, sample) of every message the code writes: the reasons of its errors, its
    warnings and status lines, the notes and bad rows it collects, the parts of messages."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        if str(where) in ENGLISH_ON_PURPOSE:
            continue
        for node in ast.walk(tree):
            found = None
            if isinstance(node, ast.Call) and node.args:
                name = _name(node.func)
                if name in ERRORS:
                    found = node.args[0]
                elif (name == "append" and isinstance(node.func, ast.Attribute)
                      and _name(node.func.value) in LISTS):
                    found = node.args[0]
                    if isinstance(found, ast.Tuple):
                        found = found.elts[-1]
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                if _name(node.targets[0]) in SENTENCES:
                    found = node.value
                    if isinstance(found, ast.IfExp):
                        yield f"{where}:{node.lineno}", _sample(found.orelse)
                        found = found.body
            if found is None:
                continue
            sample = _sample(found)
            if sample is not None and sample.strip():
                yield f"{where}:{node.lineno}", sample
    for sample in COMPOSED:
        yield "tests/test_zh.py COMPOSED", sample
    from tongwei_cli.storage.maintenance import COMPANIONS

    for reason in COMPANIONS.values():
        yield "storage/maintenance.py COMPANIONS", reason


def test_every_message_the_code_writes_has_chinese():
    messages = list(code_messages())
    assert len(messages) > 180
    missing = [f"{where}: {sample!r}" for where, sample in messages
               if sample and words.chinese(sample) is None]
    assert not missing, ("messages with no Chinese in core/words_zh.py REASONS:\n  "
                         + "\n  ".join(missing))


# -- 2. a broad sample of failures under zh --------------------------------------------

def check_digit(first17: str) -> str:
    checksum = (1 - 2 * int(first17, 13)) % 11
    return "X" if checksum == 10 else str(checksum)


def resident_id(first17: str) -> str:
    return first17 + check_digit(first17)


GOOD_ID = resident_id("62242419900101123")
BAD_ID = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] != "1" else "2")
LATER_ID = resident_id("62112119900101123")  # Tongwei's code after 2003, born in 1990


def _codes() -> set[str]:
    """Every code, column and option word a Chinese message may name as it is."""
    out = set(words.WORDS)
    for kind in fields.KINDS:
        for f in kind.fields:
            out.update({f.name, f.header, f.stored or ""})
            out.update(re.split(r"[-_]", f.header))
    for path in settings.data_dir().glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row.get("code"):
                    out.add(row["code"])
                    out.update(row["code"].split("-"))
    return {c.lower() for c in out if c}


CODES = _codes()
# Names of things no Chinese replaces: formats, encodings, the program, SQLite's words.
TERMS = {"json", "csv", "xlsx", "text", "table", "html", "markdown", "utf", "bom", "sqlite",
         "utc", "wal", "mib", "tongwei", "yyyy"}


def leftover_english(message: str, argv: list[str]) -> list[str]:
    """English words left in `message` once what stays as it is is taken out: what the
    user typed, options, quoted and `code` values, numbers and dates, the valid values
    after 可选：, codes, columns and technical names."""
    text = message
    for arg in sorted(argv, key=len, reverse=True):
        if len(arg) > 2:
            text = text.replace(arg, " ")
    text = re.sub(r"可选：.*?(?=[）)]|$)", " ", text)
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", " ", text)
    text = re.sub(r"--?[A-Za-z][\w-]*", " ", text)
    text = re.sub(r"\b[A-Z][A-Z_]+\b", " ", text)  # arguments: CASE_NO, HOURS, FILE
    text = re.sub(r"\S*[/\\]\S*", " ", text)  # paths
    return [w for w in re.findall(r"[A-Za-z]{3,}", text)
            if w.lower() not in CODES and w.lower() not in TERMS]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """One database with a case, a void case, a warning and a campaign; every failure
    below leaves it as it was."""
    from typer.testing import CliRunner

    from tongwei_cli.cli import app

    folder = tmp_path_factory.mktemp("zh")
    db = folder / "desk.db"
    key = folder / "desk.key"  # the desk's own key file: every test's config folder differs
    env = {"TONGWEI_DB": str(db), "TONGWEI_OFFICER": "测试警官", "TONGWEI_LANG": "en",
           "TONGWEI_KEY_FILE": str(key)}
    runner = CliRunner()
    commands = [
        ["init"],
        ["case", "add", "--no", "C1", "--reported", days_ago(5), "--type", "loan",
         "--station", "平襄", "--loss", "1000"],
        ["case", "add", "--no", "C2", "--reported", days_ago(5), "--type", "loan",
         "--station", "平襄", "--loss", "1000"],
        ["case", "event", "C2", "solved"],
        ["case", "add", "--no", "CV", "--reported", days_ago(5), "--type", "loan",
         "--station", "平襄", "--loss", "1000"],
        ["case", "void", "CV", "--reason", "重复录入"],
        ["warning", "add", "--no", "W1", "--received", f"{days_ago(1)} 10:00", "--level",
         "high", "--station", "平襄", "--phone", "13800000001"],
        ["campaign", "add", "冬季攻势", "--from", days_ago(30), "--to", days_ago(1)],
    ]
    from tongwei_cli import commands as command_floor

    for argv in commands:
        result = runner.invoke(app, argv, env=env, catch_exceptions=False)
        command_floor.close_db()
        assert result.exit_code == 0, (argv, result.stderr)
    bad = folder / "bad.csv"
    bad.write_text("no,reported,type,station,loss,victim-phone\n"
                   f"B1,{days_ago(1)},loan,平湘,100,\n"
                   f"B2,2999-01-01,loan,平襄,100,\n"
                   f"B3,{days_ago(1)},loan,平襄,-5,\n"
                   f"B4,{days_ago(1)},loan,平襄,100,12345\n", encoding="utf-8")
    return {"db": db, "folder": folder, "bad": bad, "key": key}


@pytest.fixture
def at_desk(desk, monkeypatch):
    """The desk, with its key file where this test's commands look for it."""
    monkeypatch.setenv("TONGWEI_KEY_FILE", str(desk["key"]))
    return desk


CASE = ["case", "add", "--reported", "yesterday", "--type", "loan", "--station", "平襄",
        "--loss", "100"]
WARNING = ["warning", "add", "--no", "W9", "--received", "2026-11-01 10:00", "--level",
           "high", "--station", "平襄", "--phone", "13800000009"]

# (arguments, exit status, the field the message must name)
FAILURES = [
    ([*CASE, "--victim-id", BAD_ID], 1, "--victim-id"),
    ([*CASE, "--victim-id", "12345"], 1, "--victim-id"),
    ([*CASE, "--victim-phone", "12345"], 1, "--victim-phone"),
    ([*CASE[:7], "平湘", *CASE[8:]], 1, "--station"),
    ([*CASE[:5], "不存在的类型", *CASE[6:]], 1, "--type"),
    (["case", "add", "--reported", "2999-01-01", *CASE[4:]], 1, "--reported"),
    (["case", "add", "--reported", "someday", *CASE[4:]], 1, "--reported"),
    (["case", "add", "--reported", "2026-02-30", *CASE[4:]], 1, "--reported"),
    ([*CASE[:-1], "12.345"], 1, "--loss"),
    ([*CASE[:-1], "abc"], 1, "--loss"),
    ([*CASE[:-1], "-5"], 1, "--loss"),
    ([*CASE, "--victim-gender", "X"], 1, "--victim-gender"),
    ([*CASE, "--victim-age", "200"], 1, "--victim-age"),
    ([*CASE, "--no", "C1"], 1, "--no"),
    ([*CASE, "--occurred", "today", "--reported", "yesterday"], 1, "--occurred"),
    (CASE[:-2], 2, "--loss"),
    ([*CASE, "--bogus"], 2, "--bogus"),
    (["case", "event", "CV", "solved"], 1, "CASE_NO"),
    (["case", "event", "NOPE", "solved"], 1, "CASE_NO"),
    (["case", "event", "C1", "recover", "--amount", "5000"], 1, "--amount"),
    (["case", "event", "C1", "recover"], 1, "--amount"),
    (["case", "event", "C1", "freeze", "--amount", "0"], 1, "--amount"),
    (["case", "event", "C1", "arrest", "--count", "-1"], 1, "--count"),
    (["case", "event", "C1", "solved", "--count", "2"], 1, "--count"),
    (["case", "event", "C1", "bogus"], 1, "KIND"),
    (["case", "event", "C2", "solved"], 1, "KIND"),
    (["case", "event", "C1"], 2, "KIND"),
    (["case", "show", "NOPE"], 1, "CASE_NO"),
    (["case", "update", "C1"], 1, "CASE_NO"),
    (["case", "update", "CV", "--loss", "5"], 1, "CV"),
    (["case", "void", "C1"], 2, "--reason"),
    (["case", "list", "--status", "weird"], 1, "--status"),
    (["case", "list", "--format", "yaml"], 1, "--format"),
    (["case", "list", "--from", "2026-11-10", "--to", "2026-11-01"], 1, "--to"),
    (["case", "list", "--limit", "0"], 2, "--limit"),
    (["case", "list", "--from"], 2, "--from"),
    (["case", "list", "-o", "out.yaml"], 1, "--output"),
    (["case", "bogus"], 2, "bogus"),
    (["case", "list", "extra"], 2, "extra"),
    ([*WARNING[:-2], "--phone", "12345"], 1, "--phone"),
    ([*WARNING[:5], "2026-13-01 10:00", *WARNING[6:]], 1, "--received"),
    ([*WARNING[:7], "extreme", *WARNING[8:]], 1, "--level"),
    (["warning", "add", "--no", "W1", *WARNING[4:]], 1, "--no"),
    (["warning", "followup", "W1", "--at", f"{days_ago(2)} 09:00", "--method", "phone",
      "--outcome", "dissuaded"], 1, "--at"),
    (["warning", "followup", "NOPE", "--at", "now", "--method", "phone", "--outcome",
      "dissuaded"], 1, "W_NO"),
    (["warning", "followup", "W1", "--at", "now", "--method", "fax", "--outcome",
      "dissuaded"], 1, "--method"),
    (["warning", "list", "--status", "weird"], 1, "--status"),
    (["outreach", "add", "--date", "today", "--station", "平襄", "--audience", "students",
      "--form", "lecture", "--venue", "一中", "--attendees", "1.5", "--materials", "10"],
     1, "--attendees"),
    (["outreach", "add", "--date", "today", "--station", "平襄", "--audience", "martians",
      "--form", "lecture", "--venue", "一中", "--attendees", "10", "--materials", "10"],
     1, "--audience"),
    (["cards", "action", "--date", "today", "--institution", "农行", "--institution-kind",
      "bank", "--kind", "fine"], 1, "--amount"),
    (["cards", "action", "--date", "today", "--institution", "农行", "--institution-kind",
      "bank", "--kind", "rectify", "--deadline", days_ago(3)], 1, "--deadline"),
    (["cards", "action", "--date", "today", "--institution", "新机构", "--kind",
      "inspection"], 1, "--institution-kind"),
    (["campaign", "add", "春雷", "--from", "2026-11-10", "--to", "2026-11-01"], 1, "--to"),
    (["campaign", "add", "冬季攻势", "--from", "2026-11-01", "--to", "2026-11-10"], 1,
     "NAME"),
    (["report", "range", "--from", "2999-01-01", "--to", "2999-01-02"], 1, "--from"),
    (["report", "bulletin", "--campaign", "没有这个"], 1, "--campaign"),
    (["import", "cases", "/nonexistent/cases.csv"], 1, "FILE"),
    (["ref", "set-deadline", "high", "0"], 1, "HOURS"),
]


def _id(case):
    argv = case[0]
    return "-".join(a for a in argv[:3] if not a.startswith("2"))[:40] + f"-{case[2]}"


@pytest.mark.parametrize(("argv", "status", "names"), FAILURES,
                         ids=[f"{i:02d}-{_id(c)}" for i, c in enumerate(FAILURES)])
def test_a_failure_under_zh_is_one_chinese_line_naming_the_field(run, at_desk, argv, status,
                                                                  names):
    result = run("--lang", "zh", "--db", at_desk["db"], *argv, ok=False)
    assert result.exit_code == status, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    error = lines[-1]
    assert error.startswith("错误："), result.stderr
    assert names in error, error
    assert CJK.search(error), error
    assert not leftover_english(error, argv), (leftover_english(error, argv), error)
    if status == 2:  # Click's own lines too: the usage line and the hint
        assert not any(line.startswith(("Usage:", "Error:", "Try ")) for line in lines)


def test_the_same_failures_stay_as_they_were_in_english(run, at_desk):
    desk = at_desk
    expected = {
        0: "error: --victim-id: check digit does not match",
        2: "error: --victim-phone: is not a mainland mobile number (11 digits starting 13–19)",
        15: "Error: Missing option '--loss'.",
        16: "Error: No such option: --bogus",
        19: "error: --amount: recoveries would total 5000 yuan, above the loss of 1000 yuan",
    }
    for index, line in expected.items():
        argv, status, _ = FAILURES[index]
        result = run("--lang", "en", "--db", desk["db"], *argv, ok=False)
        assert result.exit_code == status
        assert line in result.stderr, result.stderr
        assert not CJK.search(result.stderr.replace("平襄", "")), result.stderr


def test_every_bad_row_of_an_import_says_why_in_chinese(run, at_desk):
    desk = at_desk
    result = run("--lang", "zh", "--db", desk["db"], "import", "cases", desk["bad"], ok=False)
    assert result.exit_code == 1
    first, *rows = result.stderr.splitlines()
    assert first == "错误：4 行有误；未写入任何内容"
    assert [row.split("：")[0].strip() for row in rows] == ["第 2 行", "第 3 行", "第 4 行",
                                                            "第 5 行"]
    for row, column in zip(rows, ["station", "reported", "loss", "victim-phone"], strict=True):
        assert f"：{column}：" in row, row
        assert CJK.search(row.split("：", 2)[2]), row
        assert not leftover_english(row, ["平湘", "12345"]), row
    english = run("--lang", "en", "--db", desk["db"], "import", "cases", desk["bad"],
                  ok=False)
    assert english.stderr.splitlines()[:2] == [
        "error: 4 bad lines; nothing was written",
        "  line 2: station: unknown station '平湘'; did you mean 平襄派出所? valid: "
        + english.stderr.split("valid: ", 1)[1].split("\n", 1)[0]]


# -- 3. what goes right: summaries, notes, confirmations, prompts, help -----------------

def test_the_import_summary_and_its_notes_are_chinese(run, tmp_path):
    run("--lang", "zh", "init")
    data = tmp_path / "cases.csv"
    data.write_text("no,reported,type,station,loss,victim-id,remark\n"
                    f"K1,{days_ago(1)},loan,平襄,100,{LATER_ID},x\n"
                    f"K2,{days_ago(1)},loan,平襄,200,,y\n", encoding="utf-8")
    dry = run("--lang", "zh", "import", "cases", data, "--dry-run")
    assert dry.stdout.strip() == "将导入 2 条，未变 0 条（试运行：未写入任何内容）"
    done = run("--lang", "zh", "import", "cases", data)
    assert done.stdout.strip() == "已导入 2 条，未变 0 条"
    notes = done.stderr.splitlines()
    assert "提示：已忽略列：remark" in notes
    assert ("提示：第 2 行：--victim-id：地区码 621121 在 1990 年尚未启用（可能是后来登记的？）；"
            "已接受") in notes
    assert "导入 #1：cases.csv（2 行）" in notes
    again = run("--lang", "zh", "import", "cases", data)
    assert again.stdout.strip() == "已导入 0 条，未变 2 条"
    english = run("--lang", "en", "import", "cases", data)
    assert english.stdout.strip() == "imported 0, unchanged 2"


def test_confirmations_and_warnings_are_chinese(run, tmp_path):
    ready = run("--lang", "zh", "init")
    assert ready.stderr.startswith("数据库已就绪：")
    added = run("--lang", "zh", *CASE, "--no", "Z1", "--victim-id", LATER_ID)
    assert added.stdout.strip() == "Z1"  # the key: what a script reads, unchanged
    assert added.stderr.strip() == ("警告：--victim-id：地区码 621121 在 1990 年尚未启用"
                                    "（可能是后来登记的？）；已接受")
    out = tmp_path / "cases.csv"
    listed = run("--lang", "zh", "case", "list", "-o", out)
    assert listed.stderr.strip() == f"已写入 {out}"
    assert out.read_text(encoding="utf-8-sig").startswith("no,")  # CSV headers stay English
    english = run("--lang", "en", *CASE, "--no", "Z2", "--victim-id", LATER_ID)
    assert english.stderr.strip() == ("warning: --victim-id: region code 621121 was not in "
                                      "force in 1990 (a later registration?); accepted")


def _zh_env(db_path, **more):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "测试警官", "COLUMNS": "100",
                **more})
    return env


@pytest.mark.parametrize("how", ["option", "environment", "locale"])
def test_the_help_of_a_command_is_chinese_with_its_examples_runnable(db_path, how):
    argv, env = [*tongwei_exe()], _zh_env(db_path)
    if how == "option":
        argv += ["--lang", "zh"]
        env["TONGWEI_LANG"] = "en"
    elif how == "environment":
        env["TONGWEI_LANG"] = "zh"
    else:
        env.update({"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"})
    result = subprocess.run([*argv, "case", "add", "--help"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert page.startswith("用法：tongwei case add [OPTIONS]")
    assert "登记诈骗案件" in page and "选项：" in page and "必填" in page
    assert "--victim-id" in page and "显示本帮助并退出" in page
    example = " ".join(word for word in page.split("示例：", 1)[1].split("选项：")[0].split()
                       if word != "\\")  # (a line going on on the next ends in ` \`)
    assert example.startswith("tongwei case add --reported today --type 刷单 --station 平襄 "
                              "--loss 1.5万 --victim-name 测试甲")
    for line in page.splitlines():  # wrapped by display width, not by characters
        from tongwei_cli.commands.chinese import width

        assert width(line) <= 100, line


def test_the_command_list_and_a_usage_error_are_chinese(db_path):
    env = _zh_env(db_path, TONGWEI_LANG="zh")
    page = subprocess.run([*tongwei_exe(), "--help"], capture_output=True, text=True,
                          env=env, timeout=60).stdout
    assert "命令：" in page and "  case      诈骗案件及其进展（打）" in page
    missing = subprocess.run([*tongwei_exe(), "case", "add", "--type", "loan"],
                             capture_output=True, text=True, env=env, input="", timeout=60)
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        "用法：tongwei case add [OPTIONS]", "查看帮助：tongwei case add -h", "",
        "错误：缺少选项 '--reported'。"]


def test_a_terminal_asks_in_chinese(db_path):
    from tests.test_prompt import converse

    env = _zh_env(db_path, TONGWEI_LANG="zh", COLUMNS="120")
    code, screen = converse(
        [*tongwei_exe(), "case", "add", "--station", "平湘"], env,
        [("（--station）：", "平襄"), ("（--reported）：", "someday"),
         ("（--reported）：", "today"), ("（--type）：", "刷单"), ("（--loss）：", "1.5万")])
    assert code == 0, screen
    assert "--station：未知的派出所 '平湘'" in screen  # the value given, refused first
    assert "派出所（--station）：" in screen and "平襄派出所" in screen
    assert "报案日期（YYYY-MM-DD 或 今天）（--reported）：" in screen
    assert "'someday' 不是日期" in screen
    assert "reported" not in screen.replace("--reported", "")
    row = sqlite3.connect(db_path).execute("SELECT type, station, loss_fen FROM cases").fetchone()
    assert row == ("task-scam", "pingxiang", 1500000)


def test_json_keys_and_codes_stay_english_under_zh(run):
    run("init")
    shown = run("--lang", "zh", *CASE, "--no", "J1", "--format", "json")
    record = json.loads(shown.stdout)
    assert record["no"] == "J1" and record["station"] == "pingxiang"
    assert record["type"] == "loan"


def test_english_start_up_does_not_read_the_chinese_catalogue(db_path):
    env = _zh_env(db_path, TONGWEI_LANG="en", PYTHONPROFILEIMPORTTIME="1")
    for argv in (["--help"], ["case", "add", "--help"], ["init"]):
        result = subprocess.run([*tongwei_exe(), *argv], capture_output=True, text=True,
                                env=env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "tongwei_cli.core.words_zh" not in result.stderr
        assert "tongwei_cli.commands.chinese" not in result.stderr
    zh = subprocess.run([*tongwei_exe(), "--lang", "zh", "--help"], capture_output=True,
                        text=True, env=env, timeout=60)
    assert "tongwei_cli.core.words_zh" in zh.stderr


def test_a_chinese_message_keeps_its_values_as_they_are():
    assert words.localise("'2026-13-01' is not a real date", "zh") == "'2026-13-01' 不是真实的日期"
    assert (words.localise("unknown fraud type '刷卡'; valid: loan 虚假贷款", "zh")
            == "未知的诈骗类型 '刷卡'；可选：loan 虚假贷款")
    assert (words.localise("a recover event needs an amount in yuan", "zh")
            == "挽回损失事项需要填写金额（元）")
    assert words.localise("something nobody translated", "zh") == "something nobody translated"
    assert words.localise("check digit does not match", "en") == "check digit does not match"
    assert words.error_line("check digit does not match", "--victim-id", "zh") == \
        "错误：--victim-id：校验位不符"


def test_every_pattern_of_the_catalogue_reads_its_own_sample():
    """Each English pattern reads a message of its own shape, its Chinese uses only its
    placeholders, and no pattern hides an exact entry."""
    from tongwei_cli.core.words_zh import REASONS

    for english, zh in REASONS.items():
        names = set(re.findall(r"\{(\w+)(?::[qdowt])?\}", english))
        assert not re.search(r"\{\w+![a-z]\}", english), english
        assert set(re.findall(r"\{(\w+)(?:![wl])?\}", zh)) <= names, english
        sample = re.sub(r"\{(\w+)(?::(\w))?\}",
                        lambda m: {"q": "'v'", "d": "7", "o": "--opt", "w": "recover"}.get(
                            m[2] or "", "v1"), english)
        got = words.chinese(sample)
        assert got is not None, english
        if "{" not in zh and "{" not in english:
            assert got == zh, english
    assert Path(words.__file__).with_name("words_zh.py").exists()


def test_a_forged_audit_row_is_reported_in_chinese(run, db_path):
    run("init")
    run(*CASE, "--no", "F1")
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET officer = 'someone else' WHERE action = 'add'")
    conn.commit()
    conn.close()
    verify = run("--lang", "zh", "audit", "verify", ok=False)
    assert verify.exit_code == 1
    assert re.fullmatch(r"错误：审计记录第 \d+ 条：内容与其哈希值不符(（签名密钥 [0-9a-f]+）)?"
                        r"（已检查 \d+ 条）\n",
                        verify.stderr), verify.stderr
    checked = run("--lang", "zh", "check", ok=False)
    # the forged row, and the guard dropped to forge it
    assert checked.exit_code == 1 and checked.stderr.strip() == "发现 2 个问题"
