"""Personal data: masked everywhere, revealed only on request (and audited), scrubbed when
its time is over."""

from __future__ import annotations

import json
import sqlite3

from stdnum.cn import ric

from tests.conftest import days_ago

ID = "62242419900101002" + ric.calc_check_digit("62242419900101002" + "0")
PHONE = "13800000042"
NAME = "测试甲乙"


def add_case(run, no, reported, **extra):
    args = ["case", "add", "--no", no, "--reported", reported, "--type", "loan", "--station",
            "平襄", "--loss", "1000", "--victim-name", NAME, "--victim-phone", PHONE,
            "--victim-id", ID]
    for key, value in extra.items():
        args += [f"--{key}", value]
    run(*args)


def test_scrub_masks_finished_old_cases_keeps_figures_and_audits(run, db_path):
    add_case(run, "OLD", days_ago(30))
    run("case", "event", "OLD", "recover", "--amount", "300", "--date", days_ago(20))
    run("case", "event", "OLD", "close", "--date", days_ago(20))
    add_case(run, "OPEN", days_ago(30))
    add_case(run, "NEW", days_ago(1))
    run("case", "event", "NEW", "close")
    result = run("db", "scrub", "--before", days_ago(10))
    assert "1 cases" in result.stderr
    conn = sqlite3.connect(db_path)
    rows = dict(conn.execute("SELECT no, victim_phone FROM cases").fetchall())
    assert rows == {"OLD": "138****0042", "OPEN": PHONE, "NEW": PHONE}
    old = json.loads(run("case", "show", "OLD", "--reveal", "--format", "json").stdout)
    assert old["victim_name"] == "测***" and old["victim_id"].count("*") == 8
    assert old["loss_fen"] == 100000 and old["totals"]["recovered_fen"] == 30000
    (after,), = conn.execute("SELECT after FROM audit WHERE action = 'scrub'").fetchall()
    assert json.loads(after)["rows"]["cases"] == 1
    raw = db_path.read_bytes()
    assert ID.encode() not in raw or b"OPEN" in raw  # others still hold it; OLD's is gone
    assert run("check").exit_code == 0


def test_scrubbed_number_is_gone_from_the_file(run, db_path):
    add_case(run, "ONLY", days_ago(30))
    run("case", "event", "ONLY", "close", "--date", days_ago(20))
    run("db", "scrub", "--before", days_ago(10))
    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert PHONE.encode() not in raw and ID.encode() not in raw
