"""Personal data at rest: a lost file or backup reveals nobody.

The file holds masked forms, ciphertext and blind indexes only; an old file is sealed in
place by its migration and VACUUMed, so that no page of it, of its WAL or of a backup
keeps a planted name, phone or ID number (`strings` and a byte search over the UTF-8 of the
Chinese names); `--reveal`, `find` and corrections open the ciphertext with the key, and
without the key they refuse in one line while masked lists and reports go on."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import before_migration, days_ago, unchecked_write
from tongwei_cli.core import settings
from tongwei_cli.storage.db import open_db
from tongwei_cli.storage.totals import COUNT_DAYS

NAMES = ("欧阳明珠", "司马青云")
PHONES = ("13900005678", "15800004321")
IDS = ("11010519491231002X", "622424199001010026")


def planted_values() -> list[bytes]:
    return [v.encode() for v in (*NAMES, *PHONES, *IDS)]


def leaks(path: Path) -> list[str]:
    """The planted values found in a file: by `strings` (the tool a finder would use) for
    the numbers, and by a byte search (UTF-8) for everything, the Chinese names included."""
    if not path.exists():
        return []
    data = path.read_bytes()
    found = [v.decode() for v in planted_values() if v in data]
    if shutil.which("strings"):
        out = subprocess.run(["strings", "-a", "-n", "8", str(path)], capture_output=True,
                             text=True, check=True).stdout
        found += [p for p in (*PHONES, *IDS) if p in out]
    return sorted(set(found))


def old_file(path: Path, monkeypatch) -> None:
    """A file as tongwei made it before migration 009: personal values in the clear, written
    through tongwei's own connection (keyed chain, digests), left with its WAL."""
    with monkeypatch.context() as patch:
        before_migration(patch, "009")
        handle = open_db(settings.current(), path, create=True)
        handle.conn.execute("PRAGMA secure_delete = OFF")
        try:
            with handle.write():
                for n, (name, phone, rid) in enumerate(zip(NAMES, PHONES, IDS, strict=True)):
                    handle.conn.execute(
                        "INSERT INTO cases (no, reported, type, station, loss_fen, victim_name,"
                        " victim_phone, victim_id, created_at, created_by) VALUES"
                        " (?, ?, 'loan', 'pingxiang', 100000, ?, ?, ?, 'x', 'x')",
                        (f"OLD{n}", days_ago(3), name, phone, rid))
                    handle.conn.execute(
                        "INSERT INTO warnings (no, received_at, level, deadline_hours,"
                        " deadline_at, station, phone, name, id_no, created_at, created_by)"
                        " VALUES (?, 1764000000, 'high', 2, 1764007200, 'pingxiang', ?, ?, ?,"
                        " 'x', 'x')", (f"OLDW{n}", phone, name, rid))
                    handle.conn.execute(
                        "INSERT INTO card_penalties (no, name, id_no, measure, start_date, years,"
                        " end_date, appeal_by, created_at, created_by) VALUES"
                        " (?, ?, ?, 'credit', '2026-01-01', 2, '2027-12-31', '2026-01-31',"
                        " 'x', 'x')", (f"OLDP{n}", name, rid))
                # and cases entered and removed since: the pages they filled are free
                # pages now, which keep what they held until the file is VACUUMed
                handle.conn.executemany(
                    "INSERT INTO cases (no, reported, type, station, loss_fen, victim_name,"
                    " victim_phone, victim_id, summary, created_at, created_by) VALUES"
                    " (?, ?, 'loan', 'pingxiang', 100, ?, ?, NULL, ?, 'x', 'x')",
                    [(f"GONE{i}", days_ago(3), NAMES[1], PHONES[1], "案情" * 20)
                     for i in range(400)])
                handle.conn.execute(COUNT_DAYS, {"after": 0})  # (the per-day totals)
                handle.audit("test", "planted")
            handle.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with handle.write():
                handle.conn.execute("DELETE FROM cases WHERE no LIKE 'GONE%'")
                handle.audit("test", "removed")
        finally:
            handle.close()


def test_an_old_file_is_sealed_in_place_and_no_page_keeps_a_clear_value(
        run, tmp_path, monkeypatch):
    """(The old file is made with `secure_delete` off, as a build of SQLite without it
    leaves freed pages: its removed cases stay readable in them until 009's VACUUM.)"""
    path = tmp_path / "old.db"
    old_file(path, monkeypatch)
    assert leaks(path) or leaks(Path(f"{path}-wal"))  # (the plant is really there)

    run("--db", path, "case", "list")  # opening it migrates it
    conn = sqlite3.connect(path)
    row = conn.execute("SELECT victim_name, victim_phone, victim_id, victim_phone_enc,"
                       " victim_phone_bi FROM cases WHERE no = 'OLD0'").fetchone()
    assert row[:3] == ("欧***", "139****5678", "110105********002X")
    assert isinstance(row[3], bytes) and b"13900005678" not in row[3]
    assert isinstance(row[4], int)
    conn.close()
    backup = tmp_path / "usb" / "copy.db"
    backup.parent.mkdir()
    run("--db", path, "db", "backup", backup)
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), backup):
        assert leaks(part) == [], part
    assert run("--db", path, "check").exit_code == 0
    migrate = json.loads(sqlite3.connect(path).execute(
        "SELECT after FROM audit WHERE action = 'migrate' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0])
    assert migrate["personal_rows_encrypted"] == 6

    # Everything as it was, through the key.
    shown = json.loads(run("--db", path, "case", "show", "OLD1", "--reveal", "--format",
                           "json").stdout)
    assert (shown["victim_name"], shown["victim_phone"], shown["victim_id"]) == (
        NAMES[1], PHONES[1], IDS[1])
    found = json.loads(run("--db", path, "find", PHONES[0], "--format", "json").stdout)
    assert [(r["strand"], r["no"]) for r in found] == [("case", "OLD0"), ("warning", "OLDW0")]
    restricted = json.loads(run("--db", path, "find", IDS[0], "--format", "json").stdout)
    assert {r["no"] for r in restricted} == {"OLD0", "OLDW0", "OLDP0"}


def test_what_is_written_now_is_sealed_and_never_shown_raw(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-name", NAMES[0], "--victim-phone", PHONES[0],
        "--victim-id", IDS[0])
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(2)} 10:00", "--level",
        "high", "--station", "平襄", "--phone", PHONES[0], "--name", NAMES[0], "--id", IDS[0])
    run("cards", "penalty", "add", "--name", NAMES[1], "--id-no", IDS[1], "--measure",
        "credit", "--start", days_ago(5), "--years", "2")
    run("db", "compact")  # (the WAL checkpointed into the file)
    assert leaks(db_path) == [] and leaks(Path(f"{db_path}-wal")) == []
    # No output carries the ciphertext or the blind index, revealed or not.
    for args in (("case", "show", "C1"), ("case", "list"), ("warning", "show", "W1"),
                 ("warning", "list"), ("cards", "penalty", "list"),
                 ("case", "show", "C1", "--reveal"), ("warning", "list", "--reveal")):
        out = run(*args, "--format", "json").stdout
        assert "_enc" not in out and "_bi" not in out, args
    listed = json.loads(run("case", "list", "--format", "json").stdout)[0]
    assert listed["victim_name"] == "欧***" and listed["victim_phone"] == "139****5678"
    logged = "".join(r for r in run("audit", "list", "--format", "json").stdout)
    assert not any(v in logged for v in (*NAMES, *PHONES, *IDS))


def test_without_the_key_figures_and_masked_lists_work_and_the_rest_refuses(
        run, db_path, tmp_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-name", NAMES[0], "--victim-phone", PHONES[0])
    keys = Path(settings.config_dir()) / "keys"
    hidden = tmp_path / "elsewhere"
    shutil.move(keys, hidden)
    assert json.loads(run("case", "list", "--format", "json").stdout)[0][
        "victim_phone"] == "139****5678"
    assert run("report", "daily", "--format", "json").exit_code == 0
    for args in (("case", "show", "C1", "--reveal"), ("find", PHONES[0]),
                 ("case", "add", "--reported", "today", "--type", "loan", "--station", "平襄",
                  "--loss", "1", "--victim-name", "某人")):
        result = run(*args, ok=False)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "key" in lines[0] and "not here" in lines[0], lines
    zh = run("--lang", "zh", "find", PHONES[0], ok=False).stderr
    assert zh.startswith("错误：") and "密钥" in zh
    shutil.move(hidden, keys)
    assert run("case", "show", "C1", "--reveal").exit_code == 0


def test_rotation_seals_every_value_again_and_lookups_follow(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-name", NAMES[0], "--victim-phone", PHONES[0])
    conn = sqlite3.connect(db_path)
    before = conn.execute("SELECT victim_phone_enc, victim_phone_bi FROM cases").fetchone()
    conn.close()
    run("db", "key", "rotate")
    conn = sqlite3.connect(db_path)
    after = conn.execute("SELECT victim_phone_enc, victim_phone_bi FROM cases").fetchone()
    conn.close()
    assert after[0] != before[0] and after[1] != before[1]
    shown = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert shown["victim_phone"] == PHONES[0] and shown["victim_name"] == NAMES[0]
    assert len(json.loads(run("find", PHONES[0], "--format", "json").stdout)) == 1
    assert run("check").exit_code == 0


def test_a_ciphertext_changed_behind_tongwei_is_caught(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-phone", PHONES[0])
    run("case", "add", "--no", "C2", "--reported", days_ago(1), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--victim-phone", PHONES[1])
    # another case's ciphertext swapped in (the attacker has no key): AES-SIV still opens it,
    # as it is a real ciphertext of that column -- the record's digest names the change
    unchecked_write(db_path, "UPDATE cases SET victim_phone_enc = (SELECT victim_phone_enc"
                    " FROM cases WHERE no = 'C2') WHERE no = 'C1'")
    # a flipped byte does not open at all
    unchecked_write(db_path, "UPDATE cases SET victim_phone_enc = zeroblob(27) WHERE no = 'C2'")
    result = run("case", "show", "C2", "--reveal", ok=False)
    assert result.exit_code == 1
    assert "does not open with the database's key" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_value_stored_in_the_clear_behind_tongwei_is_named_by_check(run, db_path):
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(2)} 10:00", "--level",
        "high", "--station", "平襄", "--phone", PHONES[0])
    assert run("check").exit_code == 0
    unchecked_write(db_path, f"UPDATE warnings SET phone = '{PHONES[1]}' WHERE no = 'W1'")
    result = run("check", ok=False)
    assert "personal data: warnings.phone: 1 value(s) stored in the clear" in result.stdout


def test_a_reimport_tells_two_names_with_the_same_mask_apart(run, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(f"no,reported,type,station,loss,victim-name\nC1,{days_ago(3)},loan,平襄,100,"
                    "张三\n", "utf-8")
    run("import", "cases", path)
    assert run("import", "cases", path).stdout.startswith("imported 0, unchanged 1")
    path.write_text(f"no,reported,type,station,loss,victim-name\nC1,{days_ago(3)},loan,平襄,100,"
                    "张四\n", "utf-8")
    result = run("import", "cases", path, ok=False)
    assert "is already stored with a different victim-name" in result.stderr
    run("import", "cases", path, "--update")
    shown = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert shown["victim_name"] == "张四"


def test_scrub_leaves_only_the_masked_form(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(60), "--type", "loan",
        "--station", "平襄", "--loss", "100", "--victim-phone", PHONES[0])
    run("case", "event", "C1", "close", "--date", days_ago(50))
    run("db", "scrub", "--before", days_ago(10))
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT victim_phone, victim_phone_enc, victim_phone_bi FROM cases"
                        ).fetchone() == ("139****5678", None, None)
    conn.close()
    shown = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert shown["victim_phone"] == "139****5678"
    assert run("check").exit_code == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_find_lists_a_person_across_strands_and_is_audited(run, lang):
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(9)} 10:00", "--level",
        "high", "--station", "平襄", "--phone", PHONES[0], "--name", NAMES[0], "--id", IDS[1])
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "loan", "--station",
        "马营", "--loss", "100", "--victim-name", NAMES[0], "--victim-id", IDS[1])
    run("cards", "penalty", "add", "--name", NAMES[0], "--id-no", IDS[1], "--measure",
        "credit", "--start", days_ago(5), "--years", "2")
    run("warning", "add", "--no", "W2", "--received", f"{days_ago(1)} 10:00", "--level",
        "low", "--station", "平襄", "--phone", PHONES[1], "--name", NAMES[1])
    by_id = json.loads(run("find", IDS[1], "--format", "json").stdout)
    assert [r["strand"] for r in by_id] == ["case", "restriction", "warning"]  # newest first
    assert all(r["id_no"] == "622424********0026" for r in by_id)
    by_phone = json.loads(run("find", "139 0000 5678", "--format", "json").stdout)
    assert [r["no"] for r in by_phone] == ["W1"]
    by_name = run("--lang", lang, "find", NAMES[0], "--name", "--reveal")
    assert NAMES[0] in by_name.stdout and NAMES[1] not in by_name.stdout
    assert by_name.stdout.count(NAMES[0]) == 3
    lookups = [json.loads(r["after"]) | {"key": r["key"]} for r in json.loads(
        run("audit", "list", "--format", "json").stdout) if r["action"] == "find"]
    assert [(x["key"], x["by"], x["found"]) for x in lookups] == [
        ("622424********0026", "id", 3), ("139****5678", "phone", 1), ("欧***", "name", 3)]
    assert lookups[-1]["revealed"] is True
    none = run("--lang", lang, "find", "13000000000")
    assert none.stdout == "" and ("No warning" in none.stderr or "未找到" in none.stderr)


def test_find_answers_through_an_index(db):
    plan = " ".join(str(r[3]) for r in db.query(
        "EXPLAIN QUERY PLAN SELECT no FROM warnings WHERE phone_bi = ?", (1,)))
    assert "USING INDEX warnings_phone_bi" in plan
    for table, column in (("cases", "victim_id_bi"), ("card_penalties", "id_no_bi"),
                          ("warnings", "name_bi")):
        plan = " ".join(str(r[3]) for r in db.query(
            f"EXPLAIN QUERY PLAN SELECT no FROM {table} WHERE {column} = ?", (1,)))
        assert "USING INDEX" in plan, (table, plan)


def test_a_case_whose_victim_was_warned_is_linked_and_can_be_unlinked(run, tmp_path):
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(5)} 10:00", "--level",
        "high", "--station", "平襄", "--phone", PHONES[0])
    run("warning", "add", "--no", "W-OLD", "--received", f"{days_ago(80)} 10:00", "--level",
        "high", "--station", "平襄", "--phone", PHONES[1])
    added = run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "loan",
                "--station", "平襄", "--loss", "100", "--victim-phone", PHONES[0])
    assert "linked to warning W1" in added.stderr and "matched" not in added.stdout
    assert len(added.stderr.strip().splitlines()) == 1
    shown = json.loads(run("case", "show", "C1", "--format", "json").stdout)
    assert shown["warning"] == "W1"
    assert json.loads(run("warning", "show", "W1", "--format", "json").stdout)["defrauded"]
    link = [json.loads(r["after"]) for r in json.loads(run(
        "audit", "list", "--format", "json").stdout) if r["action"] == "link"]
    assert link == [{"matched_by": "phone", "warning": "W1"}]
    # a warning outside the 30 days is not taken; a second case does not take W1 again
    assert "linked" not in run("case", "add", "--no", "C2", "--reported", days_ago(1),
                               "--type", "loan", "--station", "平襄", "--loss", "1",
                               "--victim-phone", PHONES[1]).stderr
    run("case", "update", "C1", "--warning", "-")
    assert json.loads(run("case", "show", "C1", "--format", "json").stdout)["warning"] is None
    assert not json.loads(run("warning", "show", "W1", "--format", "json").stdout)["defrauded"]
    # an import links too, and says so
    path = tmp_path / "cases.csv"
    path.write_text(f"no,reported,type,station,loss,victim-phone\nC3,{days_ago(1)},loan,平襄,"
                    f"100,{PHONES[0]}\n", "utf-8")
    result = run("import", "cases", path)
    assert "1 case(s) linked to the warning" in result.stderr
    assert json.loads(run("case", "show", "C3", "--format", "json").stdout)["warning"] == "W1"
    assert run("check").exit_code == 0
