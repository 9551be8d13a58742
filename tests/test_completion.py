"""With the shell completion installed, values complete: stations, reference values of any
field, event kinds, campaign names — from the database, or the shipped lists before one
exists."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import tongwei_exe


def completion_env(words: str, db_path) -> dict[str, str]:
    return {"_TONGWEI_COMPLETE": "complete_bash", "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1), "TONGWEI_DB": str(db_path)}


def complete(words: str, db_path) -> list[str]:
    """What the shell gets from the installed command."""
    result = subprocess.run(tongwei_exe(), env={**os.environ, **completion_env(words, db_path)},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def complete_here(run, words: str, db_path) -> list[str]:
    """The same from the command tree in this process (the installed command's way in is
    the one above)."""
    return run(env=completion_env(words, db_path), prog_name="tongwei").stdout.split()


@pytest.mark.no_database
def test_values_complete_from_the_file_and_the_shipped_lists(run, db_path):
    assert complete("tongwei case add --station ping", db_path) == ["pingxiang"]  # no file yet
    assert not db_path.exists()  # completing never creates the database
    run("init")
    run("campaign", "add", "冬季攻势", "--from", "2026-11-01", "--to", "2026-12-31")
    assert complete("tongwei report daily --campaign 冬", db_path) == ["冬季攻势"]
    assert complete_here(run, "tongwei warning add --level h", db_path) == ["high"]
    assert complete_here(run, "tongwei case add --victim-group el", db_path) == ["elderly"]
    assert complete_here(run, "tongwei outreach add --form hand", db_path) == ["hand-in-hand"]
    assert complete_here(run, "tongwei case event TW1 s", db_path) == ["solved",
                                                                       "stop-payment"]
    assert complete_here(run, "tongwei report daily --campaign 冬", db_path) == ["冬季攻势"]
    assert complete_here(run, "tongwei case list --station 平", db_path) == ["平襄派出所"]
    assert complete_here(run, "tongwei case event TW1 抓", db_path) == ["抓获"]
