"""Campaigns: named periods that reports sum over."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_add_list_show(run):
    assert run("campaign", "add", "冬季攻势", "--from", "2026-11-01", "--to",
               "2027-01-31").stdout.strip() == "冬季攻势"
    run("campaign", "add", "断卡行动", "--from", "2026-11-10", "--to", "2026-11-30")
    listed = json.loads(run("campaign", "list", "--format", "json").stdout)
    assert [c["name"] for c in listed] == ["断卡行动", "冬季攻势"]
    shown = json.loads(run("campaign", "show", "冬季", "--format", "json").stdout)
    assert shown == {**shown, "name": "冬季攻势", "first_day": "2026-11-01",
                     "last_day": "2027-01-31", "days": 92}
    assert "冬季攻势" in run("campaign", "list").stdout  # a campaign's name is not masked


def test_end_before_start_is_refused_and_nothing_written(run, db_path):
    result = run("campaign", "add", "倒序", "--from", "2026-11-20", "--to", "2026-11-10",
                 ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --to:") and "before" in result.stderr
    assert json.loads(run("campaign", "list", "--format", "json").stdout) == []


def test_names_are_unique(run):
    run("campaign", "add", "夏季行动", "--from", "2026-06-01", "--to", "2026-08-31")
    result = run("campaign", "add", "夏季行动", "--from", "2026-07-01", "--to", "2026-07-31",
                 ok=False)
    assert result.exit_code == 1 and "NAME" in result.stderr and "already" in result.stderr
    assert len(json.loads(run("campaign", "list", "--format", "json").stdout)) == 1


def test_one_day_campaign_and_bad_dates(run):
    run("campaign", "add", "宣传日", "--from", "2026-06-01", "--to", "2026-06-01")
    bad = run("campaign", "add", "x", "--from", "2026-02-30", "--to", "2026-03-01", ok=False)
    assert bad.exit_code == 1 and "--from" in bad.stderr
    missing = run("campaign", "add", "y", "--from", "2026-02-01", ok=False)
    assert missing.exit_code == 2 and "--to" in missing.stderr


def test_show_unknown(run):
    result = run("campaign", "show", "没有", ok=False)
    assert result.exit_code == 1 and "no campaign" in result.stderr
