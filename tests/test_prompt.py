"""On a terminal, a missing required option is asked for (with the valid values shown, and
asked again after a wrong answer); in a script it never waits."""

from __future__ import annotations

import json
import os
import pty
import select
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import tongwei_exe


def converse(argv, env, answers, timeout=30.0) -> tuple[int, str]:
    """Run `argv` on a pseudo-terminal, typing each answer when its prompt text appears."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower, env=env,
                               close_fds=True)
    os.close(follower)
    seen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        while pending and pending[0][0].encode() in seen.split(b"\n")[-1]:
            os.write(leader, pending.pop(0)[1].encode() + b"\n")
        if process.poll() is not None and not ready:
            break
    process.wait(timeout=5)
    os.close(leader)
    return process.returncode, seen.decode("utf-8", "replace")


@pytest.mark.slow
def test_missing_options_are_asked_for_on_a_terminal(db_path):
    env = {**os.environ, "TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t", "COLUMNS": "120"}
    env = {k: v for k, v in env.items() if k != "TONGWEI_LANG"}
    code, screen = converse(
        [*tongwei_exe(), "case", "add"], env,
        [("(--reported)", "someday"), ("(--reported)", "today"), ("(--type)", "陇"),
         ("(--type)", "刷单"), ("(--station)", "平襄"), ("(--loss)", "1.5万")])
    assert code == 0, screen
    assert "is not a date" in screen  # the wrong answer was explained, then asked again
    assert "pingxiang" in screen and "平襄派出所" in screen  # the valid stations were shown
    assert "unknown fraud type" in screen
    row = sqlite3.connect(db_path).execute("SELECT type, station, loss_fen FROM cases").fetchone()
    assert row == ("task-scam", "pingxiang", 1500000)


@pytest.mark.slow
def test_a_script_never_waits(sh, db_path):
    result = sh("case", "add", "--type", "loan")  # stdin is a pipe, not a terminal
    assert result.returncode == 2 and "--reported" in result.stderr


@pytest.mark.slow
def test_a_long_list_on_a_terminal_is_cut_and_says_how_to_see_the_rest(sh, db_path, tmp_path):
    """250 cases: a terminal gets the newest 200 and a note; a pipe, --limit and CSV get
    what they ask for, with the totals."""
    from tests.conftest import days_ago
    from tongwei_cli.commands.options import SCREEN_ROWS

    rows = ["no,reported,type,station,loss"] + [
        f"L{i:03d},{days_ago(1 + i // 50)},loan,平襄,{100 + i}" for i in range(250)]
    (tmp_path / "cases.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert sh("import", "cases", tmp_path / "cases.csv").returncode == 0
    env = {**os.environ, "TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t", "COLUMNS": "160",
           "TONGWEI_LANG": "en"}
    code, screen = converse([*tongwei_exe(), "case", "list"], env, [])
    assert code == 0, screen[-500:]
    listed = {f"L{i:03d}" for i in range(250) if f"L{i:03d}" in screen}
    assert len(listed) == SCREEN_ROWS == 200
    assert "L000" in listed and "L249" not in listed  # the newest first
    assert f"Only the first {SCREEN_ROWS} rows are shown" in screen and "--limit N" in screen
    piped = sh("case", "list")
    assert piped.returncode == 0 and "L249" in piped.stdout and "Only the first" not in (
        piped.stdout + piped.stderr)
    assert sh("case", "list", "--format", "csv").stdout.count("\nL") == 250
    code, screen = converse([*tongwei_exe(), "case", "list", "--limit", "230"], env, [])
    assert sum(f"L{i:03d}" in screen for i in range(250)) == 230
    assert "Only the first" not in screen
    code, screen = converse([*tongwei_exe(), "warning", "list", "--status", "overdue"], env, [])
    assert code == 0 and "Only the first" not in screen  # the dispatch list is never cut


@pytest.mark.slow
def test_the_audit_log_on_a_terminal_shows_its_latest_rows(sh, db, db_path):
    """The log is oldest first; cut for the screen, it keeps the newest rows, not the
    oldest, and says so."""
    from tongwei_cli.commands.options import SCREEN_ROWS

    for i in range(SCREEN_ROWS + 5):
        with db.write():
            db.audit("note", "test", f"K{i:03d}")
    db.close()
    env = {**os.environ, "TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t", "COLUMNS": "250",
           "TONGWEI_LANG": "en"}
    code, screen = converse([*tongwei_exe(), "audit", "list", "--entity", "test"], env, [])
    assert code == 0, screen[-500:]
    assert f"Only the latest {SCREEN_ROWS} rows are shown" in screen
    shown = {f"K{i:03d}" for i in range(SCREEN_ROWS + 5) if f"K{i:03d}" in screen}
    assert shown == {f"K{i:03d}" for i in range(5, SCREEN_ROWS + 5)}
    every = sh("audit", "list", "--entity", "test", "--format", "json")
    assert len(json.loads(every.stdout)) == SCREEN_ROWS + 5


def test_a_wrong_value_given_is_asked_again_before_the_rest(db_path):
    env = {**os.environ, "TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t", "COLUMNS": "120"}
    env = {k: v for k, v in env.items() if k != "TONGWEI_LANG"}
    code, screen = converse(
        [*tongwei_exe(), "case", "add", "--station", "平湘", "--reported", "today"], env,
        [("(--station)", "平襄"), ("(--type)", "刷单"), ("(--loss)", "100")])
    assert code == 0, screen
    assert "unknown station" in screen and "平襄派出所" in screen
    assert screen.index("(--station)") < screen.index("(--type)")  # before the rest
    row = sqlite3.connect(db_path).execute("SELECT station, loss_fen FROM cases").fetchone()
    assert row == ("pingxiang", 10000)


@pytest.mark.slow
def test_the_progress_of_an_import_on_a_terminal_is_in_the_officers_language(db_path, tmp_path):
    """The bar an officer watches while a file is checked says what it does in Chinese
    under zh (it said "checking"), and the import's lines follow it."""
    from tests.test_import_staging import warnings_csv

    path = tmp_path / "w.csv"
    warnings_csv(path, 30_000)
    env = {**os.environ, "TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "t",
           "TONGWEI_LANG": "zh", "COLUMNS": "80"}
    code, screen = converse([*tongwei_exe(), "import", "warnings", str(path)], env, [])
    assert code == 0, screen
    assert "正在校验" in screen and "checking" not in screen
    assert "已导入 30000 条" in screen
