"""`tongwei check` finds what is wrong, and only that."""

from __future__ import annotations

import sqlite3

from tests.conftest import days_ago, unchecked_write


def add_case(run, no="A1", loss="1000"):
    run("case", "add", "--no", no, "--reported", days_ago(5), "--type", "loan", "--station",
        "平襄", "--loss", loss)


def test_clean_file_exits_0(run):
    add_case(run)
    run("case", "event", "A1", "recover", "--amount", "500")
    result = run("check")
    assert "clean" in result.stderr and result.stdout == ""


def test_each_broken_rule_is_one_line_and_exit_1(run, db_path):
    add_case(run)
    run("case", "event", "A1", "recover", "--amount", "500")
    run("case", "event", "A1", "solved")
    unchecked_write(db_path, "UPDATE cases SET loss_fen = 100, status = 'reported'")
    result = run("check", ok=False)
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert any(line.startswith("recoveries within the loss: A1:") for line in lines)
    assert any(line.startswith("case status follows its events: A1:") for line in lines)
    assert len(lines) == 2


def test_forged_audit_row_is_found(run, db_path):
    add_case(run)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET officer = 'someone else' WHERE action = 'add'")
    conn.commit()
    result = run("check", ok=False)
    assert result.exit_code == 1 and "audit: row" in result.stdout
    verify = run("audit", "verify", ok=False)
    assert verify.exit_code == 1 and "content does not match its hash" in verify.stderr


def test_a_rectification_closed_by_a_voided_or_moved_recheck_is_found(run, db_path):
    """The links `cards update` and `cards void` keep right, checked behind their back."""
    run("cards", "action", "--date", days_ago(9), "--institution", "测试银行",
        "--institution-kind", "bank", "--kind", "rectify", "--deadline", days_ago(1))
    run("cards", "action", "--date", days_ago(5), "--institution", "测试银行", "--kind",
        "recheck")
    assert run("check").exit_code == 0
    unchecked_write(db_path, "UPDATE card_actions SET voided = 1 WHERE kind = 'recheck'")
    lines = run("check", ok=False).stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rectifications closed by a recheck: DK")
    unchecked_write(db_path, "UPDATE card_actions SET voided = 0 WHERE kind = 'recheck'",
                    "UPDATE card_actions SET closed_on = date(closed_on, '+1 day')"
                    " WHERE kind = 'rectify'")
    assert "rectifications closed by a recheck" in run("check", ok=False).stdout
