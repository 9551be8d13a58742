"""Reliability: concurrent writers, hostile text, broken and read-only files, full disks."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import days_ago, read_only

WRITERS = 6
PER_WRITER = 12


@pytest.mark.slow
def test_concurrent_writers_lose_nothing_and_never_see_locked(sh, db_path):
    """Six processes adding cases to one fresh file at once: every acknowledged command is a
    row, and no one is told the database is locked."""

    def writer(w: int) -> list[tuple[str, int, str]]:
        done = []
        for i in range(PER_WRITER):
            no = f"W{w}-{i}"
            result = sh("case", "add", "--no", no, "--reported", days_ago(1), "--type", "loan",
                        "--station", "平襄", "--loss", str(100 + i))
            done.append((no, result.returncode, result.stderr))
        return done

    with ThreadPoolExecutor(WRITERS) as pool:
        results = [r for batch in pool.map(writer, range(WRITERS)) for r in batch]
    failures = [(no, code, err) for no, code, err in results if code != 0]
    assert failures == []
    assert not any("locked" in err for _, _, err in results)
    stored = {r[0] for r in sqlite3.connect(db_path).execute("SELECT no FROM cases")}
    assert stored == {no for no, _, _ in results}
    assert sh("audit", "verify").returncode == 0
    assert sh("check").returncode == 0


def _open_fresh(path, barrier, errors) -> None:
    from tongwei_cli.storage.db import _connect

    barrier.wait()
    try:
        _connect(path).close()
    except sqlite3.OperationalError as exc:
        errors.put(str(exc))


@pytest.mark.slow
def test_commands_creating_one_file_at_once_wait_for_each_other(tmp_path):
    """Switching a new file to WAL takes a lock SQLite does not wait for: six commands
    creating the same file in the same instant must still all get in (the writers test
    above hit this about one run in twenty before they waited)."""
    ctx = multiprocessing.get_context("fork")
    errors = ctx.Queue()
    for round_ in range(80):
        path = tmp_path / f"race{round_}.db"
        path.touch(mode=0o600)
        barrier = ctx.Barrier(WRITERS)
        workers = [ctx.Process(target=_open_fresh, args=(path, barrier, errors))
                   for _ in range(WRITERS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert all(w.exitcode == 0 for w in workers)
    assert errors.empty(), errors.get()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


HOSTILE = [
    "Robert'); DROP TABLE cases;--",
    '"quoted" \\ back\\slash',
    "nul\x00inside",
    "\u202eright-to-left\u202c mark",
    "emoji 🚓💰 and 中文",
    "x" * 5000,
    "=HYPERLINK(\"http://evil\",\"click\")",
    "+1+1", "-2", "@SUM(A1)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_shown_verbatim(run, text):
    run("case", "add", "--no", "H1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "1", "--summary", text)
    shown = json.loads(run("case", "show", "H1", "--format", "json").stdout)
    assert shown["summary"] == text.strip()
    assert len(json.loads(run("case", "list", "--format", "json").stdout)) == 1


def test_csv_output_neutralises_formulas_but_keeps_numbers(run, tmp_path):
    run("case", "add", "--no", "F1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "12.5", "--summary", "=1+2")
    target = tmp_path / "out.csv"
    run("case", "show", "F1", "-o", target)
    text = target.read_text("utf-8-sig")
    assert ",'=1+2," in text and ",1250," in text


@pytest.mark.slow
def test_read_only_database_is_refused_cleanly_and_left_unchanged(sh, db_path):
    sh("case", "add", "--no", "A1", "--reported", "today", "--type", "loan", "--station",
       "平襄", "--loss", "1")
    sh("db", "backup", db_path.with_name("unused.db"))  # checkpoint-free: just exercise reads
    before = db_path.read_bytes()
    with read_only(db_path):
        result = sh("case", "add", "--reported", "today", "--type", "loan", "--station",
                    "平襄", "--loss", "1")
        listed = sh("case", "list", "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "read-only" in result.stderr
    assert db_path.read_bytes() == before
    assert listed.returncode in (0, 1) and "Traceback" not in listed.stderr


def test_full_disk_is_a_clear_error_and_nothing_half_written(run, db_path):
    run("init")
    conn = sqlite3.connect(db_path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    from tongwei_cli.storage import db as storage

    original = storage._connect

    def tight(path):
        connection = original(path)
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    storage._connect = tight
    try:
        long_text = "满" * 200_000
        result = run("case", "add", "--no", "BIG", "--reported", days_ago(1), "--type", "loan",
                     "--station", "平襄", "--loss", "1", "--summary", long_text, ok=False)
    finally:
        storage._connect = original
    assert result.exit_code == 1
    assert "full" in result.stderr and "nothing was written" in result.stderr
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def _every_text_field(day: str, text: str):
    """(add command, show command, JSON key) for each free-text field of every strand."""
    return [
        (["case", "add", "--no", "T1", "--reported", day, "--type", "loan", "--station", "平襄",
          "--loss", "1", "--victim-name", text], ["case", "show", "T1", "--reveal"],
         "victim_name"),
        (["warning", "add", "--no", "W1", "--received", f"{day} 08:00", "--level", "low",
          "--station", "平襄", "--phone", "13800000001", "--note", text, "--source", text],
         ["warning", "show", "W1"], "note"),
        (["warning", "add", "--no", "W2", "--received", f"{day} 08:00", "--level", "low",
          "--station", "平襄", "--phone", "13800000001", "--name", text],
         ["warning", "show", "W2", "--reveal"], "name"),
        (["outreach", "add", "--date", day, "--station", "平襄", "--audience", "students",
          "--form", "lecture", "--venue", text, "--attendees", "1", "--materials", "0",
          "--ref", "R1", "--note", text], ["outreach", "show", "R1"], "venue"),
        (["cards", "action", "--date", day, "--institution", text, "--institution-kind", "bank",
          "--kind", "inspection", "--note", text], None, "institution"),
        (["campaign", "add", "--from", day, "--to", day, "--", text],
         ["campaign", "show", "--", text], "name"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("text", [t for t in HOSTILE if len(t) < 1000 and "\x00" not in t]
                         + ["x" * 5000, "nul\x00inside"])
def test_hostile_text_in_every_strand_round_trips(run, text):
    day = days_ago(1)
    for add, show, key in _every_text_field(day, text):
        result = run(*add[:2], "--format", "json", *add[2:], ok=False)
        if result.exit_code != 0:
            # The only refusals allowed are of keys and institution names, never a crash.
            assert result.exit_code == 1 and "Traceback" not in result.output, result.output
            assert add[1] in ("action", "add") and key in ("institution", "name"), result.stderr
            continue
        stored = json.loads(result.stdout)
        if show is not None:
            stored = json.loads(run(*show[:2], "--format", "json", *show[2:]).stdout)
        assert stored[key] == text.strip(), (add[:2], key)
