"""The installed command as people and scripts meet it: help, version, start-up, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command

from tests.conftest import ROOT, days_ago
from tongwei_cli import __version__
from tongwei_cli.cli import app


def all_commands():
    """(path, click command) for every command of the app, groups included."""
    root = get_command(app)
    stack = [((), root)]
    while stack:
        path, command = stack.pop()
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            stack.append(((*path, name), sub))


def test_every_command_and_option_has_help_text():
    missing = []
    for path, command in all_commands():
        if not (command.help or "").strip():
            missing.append(" ".join(path) or "tongwei")
        for param in command.params:
            if getattr(param, "help", None) is None and param.param_type_name == "option" \
                    and param.name not in ("install_completion", "show_completion"):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_every_leaf_command_shows_an_example():
    leaves = [(p, c) for p, c in all_commands() if not getattr(c, "commands", None)]
    without = [" ".join(p) for p, c in leaves if "tongwei " not in (c.help or "")]
    assert without == []


def test_readme_mentions_every_command():
    readme = (ROOT / "README.md").read_text("utf-8")
    groups = {p[0] for p, _ in all_commands() if p}
    assert [g for g in sorted(groups) if f"tongwei {g}" not in readme] == []


def test_version_and_module_entry_point(sh):
    result = sh("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"tongwei {__version__}"
    module = subprocess.run([sys.executable, "-m", "tongwei_cli", "--version"],
                            capture_output=True, text=True)
    assert module.stdout.strip() == f"tongwei {__version__}"


@pytest.mark.slow
def test_installed_command_adds_and_lists_as_a_script_would(sh):
    add = sh("case", "add", "--reported", days_ago(1), "--type", "investment", "--station",
             "碧玉", "--loss", "3000", "--victim-name", "测试乙")
    assert add.returncode == 0, add.stderr
    listed = sh("case", "list", "--format", "json")
    rows = json.loads(listed.stdout)
    assert rows[0]["no"] == add.stdout.strip() and rows[0]["victim_name"] == "测**"
    assert "测试乙" not in listed.stdout


@pytest.mark.slow
def test_script_errors_have_no_traceback_and_exit_1(sh, db_path):
    result = sh("case", "add", "--reported", "someday", "--type", "loan", "--station", "平襄",
                "--loss", "1")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: --reported: 'someday' is not a date " \
                                    "(YYYY-MM-DD, today, yesterday)"


@pytest.mark.slow
def test_usage_errors_exit_2_naming_the_option(sh):
    result = sh("case", "list", "--frm", "today")
    assert result.returncode == 2 and "--frm" in result.stderr
    missing = sh("case", "add", "--type", "loan", "--station", "平襄", "--loss", "1", input="")
    assert missing.returncode == 2 and "--reported" in missing.stderr


def test_not_a_database_is_one_clear_line(sh, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"hello" * 1000)
    result = sh("--db", junk, "case", "list")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not a readable tongwei database" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["case", "add", "--reported", "today", "--type", "loan", "--station", "平襄", "--loss", "5"],
    ["case", "list"],
    ["--help"],
])
def test_write_and_list_paths_load_no_pandas_numpy_or_sqlite_utils(sh, db_path, argv):
    assert sh("init").returncode == 0  # migrations (which need sqlite_utils) are done here
    probe = (
        "import sys\n"
        "from tongwei_cli.cli import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'sqlite_utils') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env_db = {"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t", "PATH": "",
              "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            env=env_db, cwd=Path(db_path).parent)
    assert "HEAVY []" in result.stderr, result.stderr


@pytest.mark.slow
def test_language_follows_option_env_and_locale(sh):
    sh("case", "add", "--reported", "today", "--type", "loan", "--station", "平襄", "--loss", "1")
    locale = {"TONGWEI_LANG": "", "LC_ALL": "", "LC_MESSAGES": ""}
    zh = sh("case", "list", env={**locale, "LANG": "zh_CN.UTF-8"}).stdout
    en = sh("--lang", "en", "case", "list", env={**locale, "LANG": "zh_CN.UTF-8"}).stdout
    forced = sh("--lang", "zh", "case", "list", env={**locale, "LANG": "en_US.UTF-8"}).stdout
    assert "虚假贷款" in zh and "报案日期" in zh  # the locale's language
    assert "虚假贷款" in forced and "Fake loan" in en and "报案日期" in forced
    assert sh("--lang", "fr", "case", "list").returncode == 1


@pytest.mark.slow
def test_db_path_and_status(sh, db_path):
    assert sh("db", "path").stdout.strip() == str(db_path)
    sh("init")
    status = json.loads(sh("db", "status", "--format", "json").stdout)
    assert status["path"] == str(db_path) and status["rows"]["cases"] == 0
    row, digest = status["audit_anchor"].split(":")
    assert len(digest) == 64 and status["audit_head"] == f"{row}:{digest[:8]}…{digest[-4:]}"


@pytest.mark.slow
def test_backup_copies_and_checks(sh, db_path, tmp_path):
    sh("case", "add", "--reported", "today", "--type", "loan", "--station", "平襄", "--loss", "1")
    target = tmp_path / "copy.db"
    result = sh("db", "backup", target)
    assert result.returncode == 0, result.stderr
    copy = sh("--db", target, "case", "list", "--format", "json")
    assert len(json.loads(copy.stdout)) == 1
    again = sh("db", "backup", target)
    assert again.returncode == 1 and "--force" in again.stderr
