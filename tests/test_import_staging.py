"""A long import does not lock officers out: the rows are checked and staged outside the
write lock, which is held only for the final copy; a change made meanwhile that makes a
staged row wrong refuses the whole import, with nothing written."""

from __future__ import annotations

import csv
import os
import pty
import sqlite3
import subprocess
import threading
import time
from datetime import datetime, timedelta

import pytest

from tests.conftest import days_ago, tongwei_exe
from tongwei_cli.core import settings
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.imports import engine
from tongwei_cli.storage.db import open_db


def warnings_csv(path, rows: int, prefix: str = "S", start_day: int = 30) -> None:
    start = datetime.fromisoformat(days_ago(start_day) + " 08:00")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "received", "level", "station", "phone"])
        for i in range(rows):
            at = start + timedelta(seconds=11 * i)
            writer.writerow([f"{prefix}{i:07d}", f"{at:%Y-%m-%d %H:%M}", "low", "平襄",
                             f"1390000{i % 10000:04d}"])


def write_rows(path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def count(db_path, sql: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


BIG = 200_000
WRITES = 16  # (writes that never pause hold an import back for a while: test_import_gives_way)


@pytest.mark.slow
def test_officers_write_while_a_large_import_runs(sh, db_path, tmp_path):
    """`case add` and `warning followup` from other processes, one after another while an
    import of 200k warnings runs (`WRITES` of them at most): each is done in a few seconds,
    never told the file is busy, and the import still lands whole, once they stop. (Before,
    the import held the file for its whole run: the first of them waited for all of it,
    30 s at most, then failed.)"""
    big = tmp_path / "big.csv"
    warnings_csv(big, BIG)
    assert sh("warning", "add", "--no", "OWN1", "--received", f"{days_ago(2)} 08:00",
              "--level", "low", "--station", "平襄", "--phone", "13800000001").returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "importer",
                "TONGWEI_LANG": "en"})
    started = time.perf_counter()
    importing = subprocess.Popen([*tongwei_exe(), "import", "warnings", str(big)], env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)  # under way: reading and checking the file
    writes: list[tuple[float, float, int, str]] = []  # (started at, seconds, status, stderr)
    first = datetime.fromisoformat(f"{days_ago(2)} 09:00")
    while importing.poll() is None and len(writes) < WRITES:
        n = len(writes)
        if n % 2:
            args = ["warning", "followup", "OWN1", "--at",
                    f"{first + timedelta(minutes=n):%Y-%m-%d %H:%M}", "--method", "phone",
                    "--outcome", "in-progress"]
        else:
            args = ["case", "add", "--no", f"OFF-{n}", "--reported", days_ago(1), "--type",
                    "loan", "--station", "平襄", "--loss", "100"]
        at = time.perf_counter()
        result = sh(*args)
        writes.append((at - started, time.perf_counter() - at, result.returncode,
                       result.stderr))
    out, err = importing.communicate()
    whole = time.perf_counter() - started
    assert importing.returncode == 0, err
    assert out == f"imported {BIG}, unchanged 0\n"
    assert len(writes) >= 4, f"the import ran only {whole:.1f} s: too few writes in it"
    assert [w for w in writes if w[2] != 0] == []
    worst = max(seconds for _, seconds, _, _ in writes)
    # The lock is held for the final copy only: a fraction of the import (before, nearly
    # all of it), and a few seconds even on a loaded machine.
    assert worst < max(3.0, 0.4 * whole), (worst, whole, [w[:2] for w in writes])
    assert count(db_path, "SELECT count(*) FROM warnings") == BIG + 1
    assert count(db_path, "SELECT count(*) FROM cases") == (len(writes) + 1) // 2
    assert count(db_path, "SELECT count(*) FROM followups") == len(writes) // 2
    assert count(db_path, "SELECT imported FROM imports") == BIG
    assert sh("audit", "verify").returncode == 0


# -- a change made meanwhile ----------------------------------------------------------

@pytest.fixture
def meanwhile(monkeypatch, db_path):
    """`changes(sql, …)`: what another command commits between the check of the next
    import and its write (through a connection of its own)."""
    pending: list[tuple[str, tuple]] = []
    original = engine._write

    def write(*args, **kwargs):
        # another tongwei command: its own connection, key and audit row
        handle = open_db(settings.current(), db_path)
        try:
            for sql, _ in pending:
                if callable(sql):  # a command of the domain (it writes and audits itself)
                    sql(handle)
            with handle.write():
                for sql, params in pending:
                    if not callable(sql):
                        handle.conn.execute(sql, params)
                handle.audit("test", "meanwhile")
        finally:
            handle.close()
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "_write", write)

    def changes(sql, *params) -> None:
        pending.append((sql, params))

    return changes


def nothing_written(db_path, table: str, before: int) -> None:
    assert count(db_path, f"SELECT count(*) FROM {table}") == before
    assert count(db_path, "SELECT count(*) FROM imports") == 0
    assert count(db_path, "SELECT count(*) FROM audit WHERE action = 'import'") == 0


def test_a_key_stored_meanwhile_refuses_the_import(run, db_path, tmp_path, meanwhile):
    path = tmp_path / "w.csv"
    warnings_csv(path, 5, start_day=3)
    run("init")
    # another officer enters warning S0000003 while the file is being checked
    meanwhile("INSERT INTO warnings (no, received_at, level, deadline_hours, deadline_at,"
              " station, phone, created_at, created_by) VALUES ('S0000003', 1, 'low', 72,"
              " 259201, 'pingxiang', '13800000009', '2026-01-01T00:00:00Z', 'other')")
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == ("error: 1 line met records that another command changed while the "
                        "file was being checked; run the import again; nothing was written")
    assert lines[1] == "  line 5: no: warning S0000003 was stored meanwhile"
    nothing_written(db_path, "warnings", 1)
    # run again: the one stored meanwhile is named as a difference, the check as usual
    again = run("import", "warnings", path, ok=False)
    assert "line 5: no: warning S0000003 is already stored with a different" in again.stderr


def test_a_case_voided_meanwhile_refuses_its_events(run, db_path, tmp_path, meanwhile):
    for no in ("TW-A", "TW-B"):
        run("case", "add", "--no", no, "--reported", days_ago(9), "--type", "loan",
            "--station", "平襄", "--loss", "1000")
    path = tmp_path / "events.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case", "kind", "date", "count", "amount"])
        writer.writerow(["TW-A", "filed", days_ago(8), "", ""])
        writer.writerow(["TW-B", "filed", days_ago(8), "", ""])
        writer.writerow(["TW-B", "recover", days_ago(7), "", "600"])
    meanwhile("UPDATE cases SET voided = 1, void_reason = 'entered twice' WHERE no = 'TW-A'")
    # … and 500 yuan of TW-B recovered by `case event`: with the file's 600, past the loss
    meanwhile("INSERT INTO case_events (case_id, kind, date, amount_fen, created_at,"
              " created_by) SELECT id, 'recover', ?, 50000, 'x', 'other' FROM cases"
              " WHERE no = 'TW-B'", days_ago(6))
    result = run("import", "events", path, ok=False)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: 2 lines met records that another command changed")
    assert lines[1] == "  line 2: case: case TW-A was voided meanwhile"
    assert lines[2] == ("  line 4: amount: recoveries would total 1100 yuan, above the loss "
                        "of 1000 yuan")
    nothing_written(db_path, "case_events", 1)
    assert count(db_path, "SELECT count(*) FROM cases WHERE status <> 'reported'") == 0


def test_a_warning_changed_meanwhile_refuses_its_followups(run, db_path, tmp_path,
                                                          meanwhile):
    for no in ("W1", "W2"):
        run("warning", "add", "--no", no, "--received", f"{days_ago(3)} 08:00", "--level",
            "low", "--station", "平襄", "--phone", "13800000001")
    path = tmp_path / "f.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["warning", "at", "method", "outcome"])
        writer.writerow(["W1", f"{days_ago(3)} 09:00", "phone", "dissuaded"])
        writer.writerow(["W2", f"{days_ago(3)} 09:00", "visit", "dissuaded"])
        writer.writerow(["W2", f"{days_ago(3)} 10:00", "phone", "dissuaded"])
    # W1 removed; W2 given the same 09:00 visit by `warning followup`
    meanwhile("DELETE FROM warnings WHERE no = 'W1'")
    meanwhile("INSERT INTO followups (warning_id, at, method, outcome, created_at, created_by)"
              " SELECT id, received_at + 3600, 'visit', 'not-fraud', 'x', 'other'"
              " FROM warnings WHERE no = 'W2'")
    result = run("import", "followups", path, ok=False)
    lines = result.stderr.splitlines()
    assert lines[1] == "  line 2: warning: warning W1 was removed meanwhile"
    assert lines[2].startswith("  line 3: at: the visit follow-up of W2 at ")
    assert lines[2].endswith(" was stored meanwhile")
    assert len(lines) == 3
    nothing_written(db_path, "followups", 1)


def test_a_record_corrected_meanwhile_is_not_overwritten(run, db_path, tmp_path, meanwhile):
    path = tmp_path / "w.csv"
    warnings_csv(path, 3, start_day=3)
    run("import", "warnings", path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[2][3] = "马营"  # the file corrects S0000001's station…
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    # … while an officer corrects its phone number
    # (through the domain: the number is kept encrypted, its blind index beside it)
    meanwhile(lambda h: alerts.update_warning(h, "S0000001", {"phone": "13800000077"}))
    result = run("import", "warnings", path, "--update", ok=False)
    assert result.stderr.splitlines()[1] == \
        "  line 3: no: warning S0000001 was changed meanwhile"
    assert count(db_path, "SELECT count(*) FROM warnings WHERE station = 'maying'") == 0
    assert count(db_path, "SELECT count(*) FROM imports") == 1
    # the file made to agree with the officer's correction: nothing it read has changed
    # since (the same change again changes nothing), so the correction is made
    rows[2][4] = "13800000077"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = run("import", "warnings", path, "--update")
    assert result.stdout == "imported 0, unchanged 2, updated 1\n"


def test_a_session_entered_meanwhile_refuses_the_outreach_import(run, db_path, tmp_path,
                                                                 meanwhile):
    """Outreach sessions and card actions are written through their domain's insert; what
    was entered meanwhile is found as a first import's `find` finds it."""
    write_rows(tmp_path / "o.csv", ["date", "station", "audience", "form", "venue",
                                    "attendees", "materials", "ref"],
               [[days_ago(2), "平襄", "students", "lecture", "一中", "50", "100", "R1"],
                [days_ago(2), "平襄", "elderly", "stall", "广场", "30", "60", "R2"]])
    run("init")
    meanwhile("INSERT INTO outreach (no, ref, date, station, audience, form, venue, attendees,"
              " materials, created_at, created_by) VALUES ('XC1', 'R2', ?, 'pingxiang',"
              " 'elderly', 'stall', '广场', 30, 60, 'x', 'other')", days_ago(2))
    result = run("import", "outreach", tmp_path / "o.csv", ok=False)
    assert result.stderr.splitlines()[1] == "  line 3: ref: session R2 was stored meanwhile"
    nothing_written(db_path, "outreach", 1)


@pytest.mark.parametrize("late", [1, 3])
def test_a_change_after_the_recheck_is_caught_before_anything_is_written(
        run, db_path, tmp_path, monkeypatch, meanwhile, late):
    """The recheck runs outside the lock. A change committed after it, before the write
    begins: the write is left and the recheck made again (once, `late=1`); after three
    such changes in a row the recheck is made inside the write (`late=3`)."""
    path = tmp_path / "w.csv"
    warnings_csv(path, 4, start_day=3)
    run("init")
    meanwhile("INSERT INTO campaigns (name, first_day, last_day, created_at, created_by)"
              " VALUES ('unrelated', '2026-01-01', '2026-01-02', 'x', 'other')")
    original, calls = engine._Stage.recheck, []

    def recheck(self, what):
        calls.append(self.db.conn.in_transaction and self.db._writing)
        original(self, what)
        if len(calls) <= late:  # just after it, outside the write
            conn = sqlite3.connect(db_path, isolation_level=None)
            conn.execute("INSERT INTO warnings (no, received_at, level, deadline_hours,"
                         " deadline_at, station, phone, created_at, created_by) VALUES"
                         f" ('O{len(calls)}', 1, 'low', 72, 259201, 'pingxiang',"
                         " '13800000009', 'x', 'other')")
            if len(calls) == late:
                conn.execute("INSERT INTO warnings (no, received_at, level, deadline_hours,"
                             " deadline_at, station, phone, created_at, created_by) VALUES"
                             " ('S0000000', 1, 'low', 72, 259201, 'pingxiang',"
                             " '13800000009', 'x', 'other')")
            conn.close()

    monkeypatch.setattr(engine._Stage, "recheck", recheck)
    result = run("import", "warnings", path, ok=False)
    # outside the write each time; inside it the last time when the file changed after
    # three rechecks in a row
    assert calls == ([False] * (late + 1) if late < 3 else [False, False, False, True])
    assert "line 2: no: warning S0000000 was stored meanwhile" in result.stderr
    nothing_written(db_path, "warnings", late + 1)


def test_nothing_changed_meanwhile_means_no_recheck(run, db_path, tmp_path, monkeypatch):
    path = tmp_path / "w.csv"
    warnings_csv(path, 4, start_day=3)
    run("init")
    calls = []
    monkeypatch.setattr(engine._Stage, "recheck", lambda self, what: calls.append(what))
    assert run("import", "warnings", path).stdout == "imported 4, unchanged 0\n"
    assert calls == []


# -- a write that waits says what for ------------------------------------------------

def _hold_the_file(db_path, holding: threading.Event, release: threading.Event) -> None:
    db = open_db(settings.Settings(db=str(db_path), officer="importer", lang="en"), db_path)
    try:
        with db.write(holder=("导入5条warnings", "an import of 5 warnings")):
            holding.set()
            release.wait(60)
            db.audit("test", "hold")
    finally:
        db.close()


def _case_add(db_path, stderr):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "officer",
                "TONGWEI_LANG": "en"})
    return subprocess.Popen([*tongwei_exe(), "case", "add", "--reported", days_ago(1),
                             "--type", "loan", "--station", "平襄", "--loss", "1"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=stderr)


@pytest.mark.parametrize("terminal", [True, False])
def test_a_waiting_write_says_what_it_waits_for_on_a_terminal(run, db_path, terminal):
    run("init")
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_file, args=(db_path, holding, release))
    holder.start()
    assert holding.wait(10)
    if terminal:
        parent, child = pty.openpty()
        process = _case_add(db_path, child)
        os.close(child)
        seen = b""
        while True:
            try:
                chunk = os.read(parent, 1024)
            except OSError:  # the other end closed
                break
            if not chunk:
                break
            seen += chunk
            if b"waiting" in seen:
                release.set()  # it waited and said so: let it in
        os.close(parent)
        process.wait(30)
        text = seen.decode()
    else:
        process = _case_add(db_path, subprocess.PIPE)
        threading.Timer(3.0, release.set).start()  # long enough to have waited a second
        text = process.communicate(timeout=60)[1].decode()
    release.set()
    holder.join()
    assert process.returncode == 0, text
    if terminal:
        assert "waiting for another writer (an import of 5 warnings, for " in text
        assert text.count("waiting") == 1
    else:
        assert text == ""  # a script's stderr stays clean
    assert count(db_path, "SELECT count(*) FROM cases") == 1
    assert not db_path.with_name(db_path.name + "-writing").exists()


# -- what the domain's inserts keep beside the rows -----------------------------------

def test_totals_links_statuses_and_feedback_follow_a_staged_import(run, db_path, tmp_path):
    """Written from the stage, the records carry what the single-record commands keep
    beside them: per-day warning totals (added to a day that has some already), the link
    of a warning to the case entered before it, case statuses, warnings' feedback."""
    day = days_ago(4)
    run("warning", "add", "--no", "TYPED", "--received", f"{day} 07:00", "--level", "low",
        "--station", "平襄", "--phone", "13800000001")
    write_rows(tmp_path / "cases.csv", ["no", "reported", "type", "station", "loss", "warning"],
               [["C1", days_ago(3), "loan", "平襄", "5000", "S0000001"]])
    run("import", "cases", tmp_path / "cases.csv")
    warnings_csv(tmp_path / "w.csv", 30, start_day=4)  # 08:00 on, every 11 s: the same day
    run("import", "warnings", tmp_path / "w.csv")
    write_rows(tmp_path / "f.csv", ["warning", "at", "method", "outcome"],
               [["S0000001", f"{day} 09:00", "visit", "defrauded"],
                ["S0000002", f"{day} 09:00", "phone", "dissuaded"],
                ["TYPED", f"{day} 08:00", "phone", "in-progress"],
                ["TYPED", f"{day} 10:00", "visit", "dissuaded"]])
    run("import", "followups", tmp_path / "f.csv")
    write_rows(tmp_path / "e.csv", ["case", "kind", "date", "amount"],
               [["C1", "filed", days_ago(3), ""], ["C1", "recover", days_ago(2), "100"],
                ["C1", "solved", days_ago(2), ""]])
    run("import", "events", tmp_path / "e.csv")
    conn = sqlite3.connect(db_path)
    stored = set(conn.execute(
        "SELECT day, station, level, received, fed_back, on_time, visited, dissuaded,"
        " defrauded, latest, linked_last FROM warning_days"))
    recount = set(conn.execute(
        "SELECT day, station, level, count(*), sum(fed_back), sum(on_time), sum(visited),"
        " sum(dissuaded), sum(defrauded), max(latest), max(linked_on)"
        " FROM warning_day_parts GROUP BY day, station, level"))
    linked = conn.execute("SELECT linked_on FROM warnings WHERE no = 'S0000001'").fetchone()
    fed = conn.execute("SELECT count(*) FROM warnings WHERE feedback_at IS NOT NULL"
                       " AND visited_at IS NOT NULL").fetchone()
    status = conn.execute("SELECT status FROM cases WHERE no = 'C1'").fetchone()
    conn.close()
    assert stored == recount and sum(r[3] for r in stored) == 31
    assert linked == (days_ago(3),)
    assert fed == (2,)  # S0000001 and TYPED: fed back and visited
    assert status == ("solved",)
    assert run("check").exit_code == 0


# -- rows checked in a second process ------------------------------------------------

def _mixed_warnings(path, *, bad: bool) -> None:
    rows = [[f"P{i:05d}", f"{days_ago(5)} 08:{i % 60:02d}", "高", "平襄", f"1390000{i:04d}",
             "张三" if i % 3 == 0 else "", "622424199001010026" if i % 7 == 0 else ""]
            for i in range(9000)]  # five batches a child: more than a pipe holds
    if bad:
        rows[10][3] = "火星"  # no such station
        rows[2500][1] = "yesterday-ish"  # no time
    write_rows(path, ["no", "received", "level", "station", "phone", "name", "id"], rows)


@pytest.mark.parametrize("bad", [False, True])
def test_rows_checked_in_a_second_process_give_the_same_import(run, db_path, tmp_path,
                                                               monkeypatch, bad):
    """A large file of warnings (or cases) is read and checked by two forked children (the
    reader checks every other batch, the second child the rest) while the parent stages
    what it has, in the file's order: the outcome -- rows stored, their sealed personal values, the
    bad lines named, the notes -- is that of checking in one process."""
    path = tmp_path / "w.csv"
    _mixed_warnings(path, bad=bad)
    outcomes = []
    forks: list[int] = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    for worker_bytes in (10**12, 0):  # in one process, then in a child
        monkeypatch.setattr(engine, "WORKER_BYTES", worker_bytes)
        forks.clear()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{db_path}{suffix}"):
                os.unlink(f"{db_path}{suffix}")
        run("init")
        result = run("import", "warnings", path, ok=not bad)
        assert result.exit_code == (1 if bad else 0)
        assert len(forks) == (2 if worker_bytes == 0 else 0)  # a reader and a checker
        rows = count(db_path, "SELECT count(*) FROM warnings")
        sealed = count(db_path, "SELECT count(*) FROM warnings WHERE name = '张*'"
                                " AND name_enc IS NOT NULL AND id_no_enc IS NOT NULL")
        outcomes.append((result.stdout, result.stderr, rows, sealed))
    assert outcomes[0] == outcomes[1]
    if bad:
        assert "line 12" in outcomes[1][1] and "火星" in outcomes[1][1]
        assert "line 2502" in outcomes[1][1] and outcomes[1][2] == 0
    else:
        assert outcomes[1][0] == "imported 9000, unchanged 0\n"
        assert outcomes[1][3] == 429  # every 21st row has both a name and an ID number
    assert run("check").exit_code == 0


def test_a_file_that_goes_bad_midway_is_refused_when_checked_in_a_second_process(
        run, db_path, tmp_path, monkeypatch):
    """The reader's own refusal (here: a GB18030 line in a UTF-8 file) comes back from the
    child as the same one-line error, nothing written, and no child is left behind."""
    path = tmp_path / "w.csv"
    _mixed_warnings(path, bad=False)
    with path.open("a", encoding="gb18030", newline="") as handle:
        handle.write(f"P99999,{days_ago(5)} 09:00,高,平襄,13900009999,王五,\n")
    monkeypatch.setattr(engine, "WORKER_BYTES", 0)
    run("init")
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    assert "GB18030" in result.stderr and "9002" in result.stderr
    assert count(db_path, "SELECT count(*) FROM warnings") == 0
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


def test_a_reimport_checked_apart_matches_and_corrects_as_in_one_process(
        run, db_path, tmp_path, monkeypatch):
    """Checked apart, the children stage the rows and send only their keys: a second import
    of the same file (every row unchanged), one with corrections (`--update`, the rows
    fetched whole from the children's files) and one with a number repeated give what one
    process gives -- the same output, the same stored rows -- and the
    children's stage files are gone afterwards, whatever the outcome."""
    first, second, repeated = tmp_path / "w.csv", tmp_path / "w2.csv", tmp_path / "w3.csv"
    _mixed_warnings(first, bad=False)
    lines = first.read_text(encoding="utf-8").splitlines()
    # (lines 101 and 7001 of the second file name other people: two corrections)
    changed = [line.replace("张三", "李四") if n in (100, 7000) else line
               for n, line in enumerate(lines)]
    assert changed != lines
    second.write_text("\n".join(changed) + "\n", encoding="utf-8")
    repeated.write_text("\n".join(lines + [lines[4000]]) + "\n", encoding="utf-8")
    # (the stored rows again and 50 new ones: the new rows' totals added up from the stage,
    # the children's own sums set aside since not every row they staged is new)
    more = tmp_path / "w4.csv"
    more.write_text("\n".join(changed + [line.replace("P0", "Q0", 1) for line in lines[1:51]])
                    + "\n", encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # (TMPDIR read afresh)
    outcomes = []
    for worker_bytes in (10**12, 0):  # in one process, then apart
        monkeypatch.setattr(engine, "WORKER_BYTES", worker_bytes)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(f"{db_path}{suffix}"):
                os.unlink(f"{db_path}{suffix}")
        run("init")
        results = [run("import", "warnings", first), run("import", "warnings", first),
                   run("import", "warnings", second, ok=False),
                   run("import", "warnings", second, "--update"),
                   run("import", "warnings", repeated, ok=False),
                   run("import", "warnings", more)]
        conn = sqlite3.connect(db_path)
        # (each in the order of its batches -- a thousand rows, or two thousand apart --
        # sorted by time received: the ids differ, not what is stored)
        stored = conn.execute("SELECT no, received_at, name, name_enc IS NOT NULL"
                              " FROM warnings ORDER BY no").fetchall()
        conn.close()
        outcomes.append(([(r.exit_code, r.stdout, r.stderr) for r in results], stored))
        assert list(scratch.iterdir()) == []  # no stage file left behind
    assert outcomes[0] == outcomes[1]
    codes = [code for code, _, _ in outcomes[1][0]]
    assert codes == [0, 0, 1, 0, 1, 0]
    assert outcomes[1][0][5][1] == "imported 50, unchanged 9000\n"
    assert "unchanged 9000" in outcomes[1][0][1][1]
    assert "line 101" in outcomes[1][0][2][2] and "line 7001" in outcomes[1][0][2][2]
    assert "updated 2" in outcomes[1][0][3][1]
    assert "line 9002" in outcomes[1][0][4][2] and "line 4001" in outcomes[1][0][4][2]
    assert sum(1 for row in outcomes[1][1] if row[2] == "李*") == 2
    assert len(outcomes[1][1]) == 9050
    assert run("check").exit_code == 0
