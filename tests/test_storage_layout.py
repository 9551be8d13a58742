"""The compact storage layout (migration 005): moments of warnings and follow-ups stored
as UTC seconds and shown as before, imported records naming their import instead of
repeating who and when, and what the reports ask of a warning kept on it -- through every
command that changes it, and carried over from a file written before 005."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import before_migration, days_ago, unchecked_write
from tongwei_cli.core import settings
from tongwei_cli.storage.db import open_db


def report(run, *args, db=None):
    where = ("--db", db) if db else ()
    return json.loads(run(*where, "report", *args, "--format", "json").stdout)


def test_a_file_from_before_005_keeps_every_record_and_figure(tmp_path, monkeypatch, run):
    """A file written with text timestamps is rebuilt in place: the same records, the same
    figures, `tongwei check` clean, and smaller."""
    path = tmp_path / "old.db"
    before_migration(monkeypatch, "005")
    old = open_db(settings.current(), path, create=True)
    c = old.conn
    c.execute("INSERT INTO imports (id, kind, file_name, file_size, sha256, at, officer)"
              " VALUES (1, 'warnings', 'w.csv', 10, 'x', '2025-03-01T02:00:00Z', '导入员')")
    warnings = [  # no, received, deadline, feedback, visited, import_id
        ("W1", "2025-03-02T16:30:00Z", "2025-03-02T18:30:00Z", "2025-03-02T17:00:00Z",
         "2025-03-04T01:00:00Z", 1),
        ("W2", "2025-03-03T02:00:00Z", "2025-03-03T04:00:00Z", None, None, None)]
    for i, (no, received, deadline, feedback, visited, import_id) in enumerate(warnings, 1):
        c.execute("INSERT INTO warnings (id, no, received_at, level, deadline_hours,"
                  " deadline_at, station, phone, feedback_at, visited_at, created_at,"
                  " created_by, import_id) VALUES (?, ?, ?, 'high', 2, ?, 'pingxiang',"
                  " '13800000001', ?, ?, '2025-03-03T05:00:00Z', '录入员', ?)",
                  (i, no, received, deadline, feedback, visited, import_id))
    # W1: dissuaded by phone, then a visit found the person unreachable: latest `unreachable`
    c.execute("INSERT INTO followups (warning_id, at, method, outcome, created_at, created_by)"
              " VALUES (1, '2025-03-02T17:00:00Z', 'phone', 'dissuaded', 'x', 'y'),"
              " (1, '2025-03-04T01:00:00Z', 'visit', 'unreachable', 'x', 'y')")
    c.execute("INSERT INTO cases (no, reported, type, station, loss_fen, warning, voided,"
              " created_at, created_by) VALUES"
              " ('C1', '2025-03-04', 'task-scam', 'pingxiang', 100, 'W2', 0, 'x', 'y'),"
              " ('C2', '2025-03-04', 'task-scam', 'pingxiang', 100, 'W1', 1, 'x', 'y')")
    old.close()
    monkeypatch.undo()
    settings.current()  # the environment set by conftest is still in place

    run("--db", path, "db", "status")  # opening it migrates it
    w1 = json.loads(run("--db", path, "warning", "show", "W1", "--format", "json").stdout)
    assert (w1["received_at"], w1["deadline_at"], w1["feedback_at"], w1["visited_at"]) == (
        "2025-03-02T16:30:00Z", "2025-03-02T18:30:00Z", "2025-03-02T17:00:00Z",
        "2025-03-04T01:00:00Z")
    assert [f["at"] for f in w1["followups"]] == ["2025-03-02T17:00:00Z",
                                                 "2025-03-04T01:00:00Z"]
    assert w1["latest_outcome"] == "unreachable"
    assert (w1["created_by"], w1["created_at"]) == ("导入员", "2025-03-01T02:00:00Z")
    w2 = json.loads(run("--db", path, "warning", "show", "W2", "--format", "json").stdout)
    assert (w2["created_by"], w2["defrauded"], w2["cases"]) == ("录入员", True, ["C1"])

    figures = report(run, "range", "--from", "2025-03-03", "--to", "2025-03-04", db=path)
    w = figures["warnings"]
    assert (w["received"], w["fed_back"], w["visited"], w["dissuaded"], w["defrauded"],
            w["open"], w["overdue"]) == (2, 1, 1, 0, 1, 1, 1)
    # The day W1 came, its only feedback by then was `dissuaded`.
    first_day = report(run, "range", "--from", "2025-03-03", "--to", "2025-03-03",
                       db=path)
    assert first_day["warnings"]["dissuaded"] == 1

    assert run("--db", path, "check").exit_code == 0
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT typeof(received_at), created_at FROM warnings WHERE no = 'W1'"
                       ).fetchone() == ("integer", None)
    assert raw.execute("SELECT outcome, outcome_at IS NOT NULL FROM warnings WHERE no = 'W1'"
                       ).fetchone() == ("unreachable", 1)
    raw.close()


@pytest.mark.slow
def test_a_case_naming_a_warning_counts_it_defrauded_through_every_change(run):
    def defrauded() -> int:
        return report(run, "range", "--from", days_ago(3), "--to", days_ago(0)
                      )["warnings"]["defrauded"]

    run("warning", "add", "--no", "W1", "--received", f"{days_ago(3)} 09:00", "--level",
        "high", "--station", "平襄", "--phone", "13800000001")
    assert defrauded() == 0
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "刷单",
        "--station", "平襄", "--loss", "100", "--warning", "W1")
    assert defrauded() == 1
    run("case", "update", "C1", "--warning", "W2")  # W2 is not in the file (yet)
    assert defrauded() == 0
    run("warning", "add", "--no", "W2", "--received", f"{days_ago(3)} 10:00", "--level",
        "low", "--station", "平襄", "--phone", "13800000002")
    assert defrauded() == 1  # the case was entered first
    # A report of a period that ended before the case was reported does not count it.
    assert report(run, "range", "--from", days_ago(3), "--to", days_ago(3)
                  )["warnings"]["defrauded"] == 0
    run("case", "void", "C1", "--reason", "重复")
    assert defrauded() == 0
    assert run("check").exit_code == 0


def test_an_imported_warning_that_a_case_already_names_counts_defrauded(run, tmp_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "刷单",
        "--station", "平襄", "--loss", "100", "--warning", "W2")
    path = tmp_path / "warnings.csv"
    path.write_text("no,received,level,station,phone\n"
                    f"W1,{days_ago(2)} 09:00,high,平襄,13800000001\n"
                    f"W2,{days_ago(2)} 10:00,high,平襄,13800000002\n", "utf-8")
    run("import", "warnings", path)
    shown = {no: json.loads(run("warning", "show", no, "--format", "json").stdout)
             for no in ("W1", "W2")}
    assert (shown["W1"]["defrauded"], shown["W2"]["defrauded"]) == (False, True)
    figures = report(run, "range", "--from", days_ago(2), "--to", days_ago(0))
    assert figures["warnings"]["defrauded"] == 1
    assert run("check").exit_code == 0


def test_imported_records_name_their_import_for_who_and_when(run, tmp_path, db_path):
    path = tmp_path / "warnings.csv"
    path.write_text("no,received,level,station,phone\n"
                    f"W1,{days_ago(1)} 09:00,high,平襄,13800000001\n", "utf-8")
    run("--officer", "导入员", "import", "warnings", path)
    run("--officer", "值班员", "warning", "add", "--no", "W2", "--received",
        f"{days_ago(1)} 10:00", "--level", "low", "--station", "平襄", "--phone",
        "13800000002")
    shown = {no: json.loads(run("warning", "show", no, "--format", "json").stdout)
             for no in ("W1", "W2")}
    assert shown["W1"]["created_by"] == "导入员" and shown["W2"]["created_by"] == "值班员"
    raw = sqlite3.connect(db_path)
    at, officer = raw.execute("SELECT at, officer FROM imports").fetchone()
    assert shown["W1"]["created_at"] == at and officer == "导入员"
    assert raw.execute("SELECT no, created_at IS NULL, created_by IS NULL FROM warnings"
                       " ORDER BY no").fetchall() == [("W1", 1, 1), ("W2", 0, 0)]
    raw.close()


@pytest.mark.slow
def test_a_large_old_file_is_compacted_once_migrated(tmp_path, monkeypatch, run):
    """The rebuild leaves the old tables' pages free; the file is compacted after it."""
    path = tmp_path / "old.db"
    before_migration(monkeypatch, "005")
    old = open_db(settings.current(), path, create=True)
    with old.write():
        old.conn.executemany(
            "INSERT INTO warnings (no, received_at, level, deadline_hours, deadline_at, station,"
            " phone, created_at, created_by) VALUES (?, '2025-03-02T16:30:00Z', 'high', 2,"
            " '2025-03-02T18:30:00Z', 'pingxiang', '13800000001', '2025-03-03T05:00:00Z', 'x')",
            [(f"W{n:06d}",) for n in range(30_000)])
        old.audit("test", "nothing", "x")
    old.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old.close()
    monkeypatch.undo()
    before = path.stat().st_size

    run("--db", path, "db", "status")  # opening it migrates it
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA freelist_count").fetchone()[0] < 100
    assert raw.execute("SELECT count(*), min(typeof(received_at)) FROM warnings").fetchone() \
        == (30_000, "integer")
    page = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    # (Its phone numbers are sealed by 009 too -- ciphertext and index beside the masked
    # form -- so the file is not smaller than before; but it holds no free pages.)
    assert path.stat().st_size < before + 30_000 * 120 and path.stat().st_size % page == 0
    assert run("--db", path, "check").exit_code == 0


def test_check_finds_what_is_kept_on_warnings_out_of_step(run, db_path):
    """The columns kept for the reports (feedback, latest outcome, linked case, per-day
    totals) are recounted by `tongwei check`; a stale one is named."""
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(2)} 09:00", "--level",
        "high", "--station", "平襄", "--phone", "13800000001")
    run("warning", "followup", "W1", "--at", f"{days_ago(2)} 10:00", "--method", "visit",
        "--outcome", "dissuaded")
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "刷单",
        "--station", "平襄", "--loss", "100", "--warning", "W1")
    assert run("check").exit_code == 0

    def broken(sql: str) -> str:
        unchecked_write(db_path, sql)
        result = run("check", ok=False)
        assert result.exit_code == 1
        return result.stdout + result.stderr

    assert "warnings follow their follow-ups" in broken(
        "UPDATE warnings SET outcome = 'unreachable'")
    assert "warnings know the cases that name them" in broken(
        "UPDATE warnings SET linked_on = NULL")
    assert "per-day warning totals match a recount" in broken(
        "UPDATE warning_days SET received = received + 1")
