"""The audit chain under attack, each attack on a copy of the file: whoever has the file but
not the key cannot edit a row and mend the chain, cut its tail, delete and renumber, append
a row, drop the guards or change a record without an audit row, unnoticed; whoever has the
key too cannot rebuild the chain past an anchor kept outside the file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import before_migration, days_ago
from tongwei_cli.core import settings
from tongwei_cli.storage.db import audit_hash, keyed_hash, open_db
from tongwei_cli.storage.keys import read_file


def add_case(run, no: str, loss: str = "1000", db: Path | None = None) -> None:
    where = ("--db", db) if db else ()
    run(*where, "case", "add", "--no", no, "--reported", days_ago(5), "--type", "loan",
        "--station", "平襄", "--loss", loss, "--victim-name", "测试甲")


@pytest.fixture(scope="module")
def built_chain(tmp_path_factory) -> dict[str, Path | str]:
    """Where the first test that asks for `chain` keeps the file it built, for the others
    to copy."""
    return {"folder": tmp_path_factory.mktemp("chain")}


@pytest.fixture
def chain(run, db_path, built_chain):
    """A file with a few records and a dozen audit rows, and an anchor of its head taken
    before any attack, in a witness file outside it. Built (and checked) once a module,
    then copied: every test's file is a copy of the session's template, with the same key,
    which this test's config folder holds already."""
    witness = db_path.parent / "stick" / "anchors.txt"
    if "db" in built_chain:
        shutil.copyfile(built_chain["db"], db_path)
        os.chmod(db_path, 0o600)  # as `tongwei init` leaves it
        witness.parent.mkdir()
        witness.write_text(built_chain["witness"], "utf-8")
        return witness
    add_case(run, "A1")
    add_case(run, "A2")
    run("case", "event", "A1", "filed", "--date", days_ago(4))
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(3)} 09:00", "--level",
        "high", "--station", "平襄", "--phone", "13800000001")
    run("warning", "followup", "W1", "--at", f"{days_ago(3)} 10:00", "--method", "phone",
        "--outcome", "dissuaded")
    run("case", "update", "A2", "--loss", "2000")
    run("case", "event", "A1", "recover", "--amount", "100")
    run("case", "event", "A2", "freeze", "--amount", "500")
    assert run("audit", "verify").exit_code == 0 and run("check").exit_code == 0
    run("audit", "anchor", "-o", witness)
    built_chain["db"] = copy_of(db_path, "built", built_chain["folder"])
    built_chain["witness"] = witness.read_text("utf-8")
    return witness


def copy_of(db_path: Path, name: str, folder: Path | None = None) -> Path:
    """A copy at another path (it finds the same key by the database's id)."""
    run_db = sqlite3.connect(db_path)
    run_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    run_db.close()
    target = (folder or db_path.parent) / f"{name}.db"
    shutil.copy(db_path, target)
    return target


def raw(path: Path) -> sqlite3.Connection:
    """The sqlite3 shell: no tongwei functions."""
    return sqlite3.connect(path, isolation_level=None)


def rows(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT id, at, officer, action, entity, key, before, after, state,"
                        " key_id, prev_hash, hash FROM audit ORDER BY id").fetchall()


def plain_sha256(row: tuple, prev: str) -> str:
    """What an attacker without the key can compute: the SHA-256 of the row."""
    _, at, officer, action, entity, key, before, after, *_ = row
    return audit_hash((at, officer, action, entity, key, before, after, prev))


def verify(run, path: Path, *args: str):
    return run("--db", path, "audit", "verify", *args, ok=False)


def check(run, path: Path):
    return run("--db", path, "check", ok=False)


def test_a_row_edited_and_every_later_hash_recomputed_is_caught(run, db_path, chain):
    copy = copy_of(db_path, "edited")
    conn = raw(copy)
    conn.execute("DROP TRIGGER audit_no_update")
    table = rows(conn)
    prev = table[4][10]
    for row in table[4:]:  # row 7 made a smaller loss; every hash from row 5 on mended
        after = row[7].replace("200000", "2000") if row[0] == 7 else row[7]
        digest = plain_sha256((*row[:7], after), prev)
        conn.execute("UPDATE audit SET after = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     (after, prev, digest, row[0]))
        prev = digest
    assert "2000" in conn.execute("SELECT after FROM audit WHERE id = 7").fetchone()[0]
    conn.close()
    result = verify(run, copy)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: audit row 5: content does not match its hash")
    assert "audit: row 5: content does not match its hash" in check(run, copy).stdout


def test_a_cut_tail_is_caught_by_the_anchor_and_by_check(run, db_path, chain):
    copy = copy_of(db_path, "cut")
    conn = raw(copy)
    conn.execute("DROP TRIGGER audit_no_delete")
    last = conn.execute("SELECT max(id) FROM audit").fetchone()[0]
    conn.execute("DELETE FROM audit WHERE id > ?", (last - 2,))
    conn.close()
    assert verify(run, copy).exit_code == 0  # what is left is a whole chain ...
    result = verify(run, copy, "--anchor", chain)  # ... that ends before the anchor
    assert result.exit_code == 1
    assert f"audit row {last}: the chain ends at row {last - 2}, before the anchor" \
        in result.stderr
    # The records still show the changes the cut rows recorded: check says so.
    found = check(run, copy)
    assert found.exit_code == 1
    assert f"records: they are not the records as audit row {last - 2} left them" \
        in found.stdout


def test_a_row_deleted_and_the_rest_renumbered_is_caught(run, db_path, chain):
    copy = copy_of(db_path, "renumbered")
    conn = raw(copy)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute("DELETE FROM audit WHERE id = 6")
    conn.execute("UPDATE audit SET id = id - 1 WHERE id > 6")
    conn.close()
    result = verify(run, copy)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: audit row 6: does not follow the previous row")
    # Mending the link too (without the key) only moves the failure to the signature.
    conn = raw(copy)
    prev = conn.execute("SELECT hash FROM audit WHERE id = 5").fetchone()[0]
    conn.execute("UPDATE audit SET prev_hash = ? WHERE id = 6", (prev,))
    conn.close()
    assert verify(run, copy).stderr.startswith(
        "error: audit row 6: content does not match its hash")


def test_an_appended_row_with_a_correct_unkeyed_hash_is_caught(run, db_path, chain):
    copy = copy_of(db_path, "appended")
    conn = raw(copy)
    last, prev = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    content = ("2026-01-01T00:00:00Z", "测试警官", "void", "case", "A1", None,
               '{"voided": true}', prev)
    conn.execute("INSERT INTO audit (id, at, officer, action, entity, key, before, after,"
                 " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (last + 1, *content, audit_hash(content)))
    conn.close()
    result = verify(run, copy)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: audit row {last + 1}: is not signed with the key")
    # ... and claiming the key without having it does no better.
    conn = raw(copy)
    key_id = conn.execute("SELECT key_id FROM database_identity").fetchone()[0]
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET key_id = ?, state = '000000000000' WHERE id = ?",
                 (key_id, last + 1))
    conn.close()
    assert verify(run, copy).stderr.startswith(
        f"error: audit row {last + 1}: content does not match its hash")


def test_a_chain_replaced_by_an_unsigned_one_is_caught(run, db_path, chain):
    """Every row rewritten as an old SHA-256 row: the file says it has a key."""
    copy = copy_of(db_path, "unsigned")
    conn = raw(copy)
    conn.execute("DROP TRIGGER audit_no_update")
    prev = "0" * 64
    for row in rows(conn):
        digest = plain_sha256(row, prev)
        conn.execute("UPDATE audit SET key_id = NULL, state = NULL, prev_hash = ?, hash = ?"
                     " WHERE id = ?", (prev, digest, row[0]))
        prev = digest
    conn.close()
    result = verify(run, copy)
    assert result.exit_code == 1 and "no row is signed with the key" in result.stderr


def test_dropped_or_changed_guards_are_named_by_check(run, db_path, chain):
    copy = copy_of(db_path, "unguarded")
    conn = raw(copy)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER cases_digest_update")
    conn.execute("DROP TRIGGER warnings_digest_delete")
    conn.execute("DROP TRIGGER database_identity_guard")
    conn.execute("DROP TRIGGER cases_link_update")
    conn.execute("CREATE TRIGGER cases_link_update AFTER UPDATE ON cases BEGIN SELECT 1; END")
    conn.close()
    out = check(run, copy)
    assert out.exit_code == 1
    lines = out.stdout.splitlines()
    for name in ("audit_no_update", "cases_digest_update", "warnings_digest_delete",
                 "database_identity_guard"):
        assert f"trigger: {name} is missing (dropped outside tongwei): changes it guards or" \
               " keeps are no longer checked" in lines
    assert "trigger: cases_link_update was changed outside tongwei" in lines
    assert len(lines) == 5, lines


def test_a_record_changed_in_the_sqlite3_shell_is_refused_or_named(run, db_path, chain):
    copy = copy_of(db_path, "shell")
    conn = raw(copy)
    for sql in ("UPDATE cases SET loss_fen = 5 WHERE no = 'A1'",
                "DELETE FROM case_events", "UPDATE warnings SET station = 'maying'"):
        with pytest.raises(sqlite3.OperationalError, match="no such function: tw_dirty"):
            conn.execute(sql)
    assert conn.execute("SELECT loss_fen FROM cases WHERE no = 'A1'").fetchone()[0] == 100000
    # With the guards dropped the change goes in, and check names each record.
    conn.execute("DROP TRIGGER cases_digest_update")
    conn.execute("DROP TRIGGER followups_digest_delete")
    conn.execute("UPDATE cases SET loss_fen = 5 WHERE no = 'A1'")
    conn.execute("DELETE FROM followups")
    conn.execute("INSERT INTO warnings (no, received_at, level, deadline_hours, deadline_at,"
                 " station, phone, created_at, created_by) VALUES ('W9', 1, 'high', 2, 7201,"
                 " 'pingxiang', '13800000009', 'x', 'y')")
    conn.close()
    out = check(run, copy).stdout.splitlines()
    assert "records: cases row 1 (A1): changed without an audit row (it no longer matches " \
           "its digest)" in out
    assert "records: followups row 1: removed without an audit row" in out
    assert "records: warnings row 2 (W9): added behind tongwei's back (it has no digest)" \
        in out
    # A record removed together with its digest: the state the last audit row sealed.
    copy2 = copy_of(db_path, "shell2")
    conn = raw(copy2)
    conn.execute("DROP TRIGGER case_events_digest_delete")
    conn.execute("DELETE FROM case_events WHERE kind = 'freeze'")
    conn.execute("DELETE FROM record_digests WHERE tbl = 2 AND row_id NOT IN"
                 " (SELECT id FROM case_events)")
    conn.close()
    out = check(run, copy2).stdout
    assert "records: they are not the records as audit row" in out


def test_a_chain_rebuilt_with_the_key_is_caught_by_the_anchor(run, db_path, chain):
    """An insider with the key file rewrites row 5 and signs every row after it again: the
    chain verifies on its own, but no longer passes through the anchor kept on the stick,
    nor through the head printed on an earlier report."""
    report = json.loads(run("report", "daily", "--format", "json").stdout)
    printed = report["audit_head"]
    copy = copy_of(db_path, "rebuilt")
    conn = raw(copy)
    db_id = conn.execute("SELECT db_id FROM database_identity").fetchone()[0]
    keys_dir = Path(settings.config_dir()) / "keys"
    key = next(k for k in read_file(keys_dir / f"{db_id}.key") if k.db_id == db_id)
    conn.execute("DROP TRIGGER audit_no_update")
    table = rows(conn)
    prev = table[4][10]
    for row in table[4:]:
        after = row[7].replace("200000", "2000") if row[0] == 5 else row[7]
        officer = "someone else" if row[0] == 5 else row[2]
        signed = (row[0], row[1], officer, *row[3:7], after, row[8], row[9], prev)
        digest = keyed_hash(key.subkey("audit"), signed)
        conn.execute("UPDATE audit SET officer = ?, after = ?, prev_hash = ?, hash = ?"
                     " WHERE id = ?", (officer, after, prev, digest, row[0]))
        prev = digest
    conn.close()
    assert verify(run, copy).exit_code == 0  # the rebuilt chain holds together
    result = verify(run, copy, "--anchor", chain)
    assert result.exit_code == 1
    anchored = chain.read_text().split()[-1].split(":")[0]
    assert f"error: audit row {anchored}: does not match the anchor" in result.stderr
    assert "the chain was rewritten since" in result.stderr
    by_head = verify(run, copy, "--head", printed)
    assert by_head.exit_code == 1 and "does not match the anchor" in by_head.stderr
    # The untouched original passes through both.
    assert verify(run, db_path, "--anchor", chain, "--head", printed).exit_code == 0


def test_anchors_are_printed_and_appended(run, db_path, chain, tmp_path):
    line = chain.read_text().splitlines()[-1].split()
    db_id = sqlite3.connect(db_path).execute("SELECT db_id FROM database_identity").fetchone()
    assert line[0] == "tongwei-anchor" and line[2] == f"database={db_id[0]}"
    row, digest = line[3].split(":")
    assert len(digest) == 64
    run("case", "void", "A2", "--reason", "重复")
    run("audit", "anchor", "-o", chain)  # appended, not replaced
    assert len(chain.read_text().splitlines()) == 2
    printed = run("audit", "anchor").stdout  # no -o: standard output
    assert printed.startswith("tongwei-anchor ") and printed.count("\n") == 1
    intact = run("audit", "verify", "--anchor", chain)
    assert "passes through 2 anchor(s)" in intact.stderr
    short = f"{row}:{digest[:8]}…{digest[-4:]}"
    assert run("audit", "verify", "--head", short, "--head", f"{row}:{digest}").exit_code == 0
    # A file of another database's anchors, or not an anchor file at all, is refused.
    other = tmp_path / "other.txt"
    other.write_text(f"tongwei-anchor 2026-01-01T00:00:00Z database={'0' * 32} 1:{'a' * 64}\n")
    assert "holds no anchor of this database" in verify(run, db_path, "--anchor", other).stderr
    other.write_text("hello\n")
    assert "line 1: not an anchor line" in verify(run, db_path, "--anchor", other).stderr
    assert verify(run, db_path, "--head", "12").exit_code == 1


def test_backup_and_reports_show_the_anchor(run, db_path, chain, tmp_path):
    backup = run("db", "backup", tmp_path / "copy.db")
    head = json.loads(run("db", "status", "--format", "json").stdout)["audit_head"]
    assert f"audit anchor {head}" in backup.stderr
    assert "the key is not in the copy" in backup.stderr
    text = run("report", "daily", "--format", "text").stdout
    assert text.splitlines()[-1].split()[-1] == head
    assert head in run("audit", "verify").stderr


@pytest.mark.no_database
def test_an_old_chain_is_kept_and_the_keyed_chain_follows_its_head(tmp_path, monkeypatch,
                                                                   run):
    """A file from before keys: its SHA-256 rows verify as before, the migration is the
    first signed row and follows their head, its records get digests, and the old part can
    no longer be rewritten either (the signed row pins its head)."""
    path = tmp_path / "old.db"
    before_migration(monkeypatch, "008")
    run("--db", path, "init")
    # (Campaigns: an old file's cases and warnings keep their personal values in the clear
    # until migration 009 seals them, which tests/test_at_rest.py follows.)
    run("--db", path, "campaign", "add", "甲行动", "--from", days_ago(9), "--to", days_ago(2))
    run("--db", path, "campaign", "add", "乙行动", "--from", days_ago(9), "--to", days_ago(2))
    run("--db", path, "campaign", "update", "甲行动", "--to", days_ago(1))
    conn = raw(path)
    legacy = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    old_head = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert "database_identity" not in {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master")}
    conn.close()
    assert run("--db", path, "audit", "verify").exit_code == 0
    monkeypatch.undo()
    keys_dir = Path(settings.config_dir()) / "keys"
    assert not keys_dir.exists()

    run("--db", path, "case", "list")  # opening it migrates it and makes its key
    conn = raw(path)
    first = conn.execute("SELECT id, action, key_id, prev_hash FROM audit WHERE key_id"
                         " IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    assert first[0] == legacy + 1 and first[1] == "migrate" and first[3] == old_head
    db_id, keyed_from = conn.execute("SELECT db_id, keyed_from FROM database_identity"
                                     ).fetchone()
    assert keyed_from == legacy + 1
    assert (keys_dir / f"{db_id}.key").exists()
    digested = conn.execute("SELECT count(*) FROM record_digests").fetchone()[0]
    assert digested == 2  # two campaigns
    after = json.loads(conn.execute("SELECT after FROM audit WHERE id = ?",
                                    (first[0],)).fetchone()[0])
    assert "009_sealed_personal" in after["applied"] and after["records_digested"] == 2
    conn.close()
    assert run("--db", path, "audit", "verify").exit_code == 0
    assert run("--db", path, "check").exit_code == 0
    add_case(run, "NEW1", db=path)
    run("--db", path, "case", "event", "NEW1", "filed")
    assert run("--db", path, "check").exit_code == 0

    # Rewriting an old SHA-256 row and mending the old part of the chain is caught where
    # the signed chain begins.
    conn = raw(path)
    conn.execute("DROP TRIGGER audit_no_update")
    prev = "0" * 64
    for row in conn.execute("SELECT id, at, officer, action, entity, key, before, after"
                            " FROM audit WHERE key_id IS NULL ORDER BY id").fetchall():
        after = (row[7] or "").replace("乙行动", "丙行动") or row[7]
        digest = audit_hash((*row[1:7], after, prev))
        conn.execute("UPDATE audit SET after = ?, prev_hash = ?, hash = ? WHERE id = ?",
                     (after, prev, digest, row[0]))
        prev = digest
    conn.close()
    result = verify(run, path)
    assert result.stderr.startswith(f"error: audit row {legacy + 1}: does not follow the "
                                    "previous row")


def test_every_write_path_keeps_the_records_and_their_digests_in_step(run, db_path,
                                                                       tmp_path):
    """Imports, corrections, removals, voids, scrubs and a rotation: check stays clean."""
    add_case(run, "C1")
    run("case", "event", "C1", "filed")
    run("case", "update", "C1", "--loss", "3000")
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(3)} 09:00", "--level",
        "high", "--station", "平襄", "--phone", "13800000001")
    run("warning", "followup", "W1", "--at", f"{days_ago(3)} 10:00", "--method", "phone",
        "--outcome", "dissuaded")
    run("warning", "remove-followup", "W1", "--at", f"{days_ago(3)} 10:00", "--method",
        "phone", "--reason", "错录")
    csv = tmp_path / "w.csv"
    csv.write_text("no,received,level,station,phone\n" + "".join(
        f"P{n},{days_ago(2)} 08:{n:02d},low,平襄,138000000{n:02d}\n" for n in range(40)),
        encoding="utf-8")
    run("import", "warnings", csv)
    run("warning", "remove", "P3", "--reason", "重复推送")
    run("outreach", "add", "--date", days_ago(1), "--station", "平襄", "--audience",
        "students", "--form", "lecture", "--venue", "一中", "--attendees", "10",
        "--materials", "20")
    run("cards", "action", "--date", days_ago(1), "--institution", "测试银行",
        "--institution-kind", "bank", "--kind", "inspection")
    run("campaign", "add", "冬季", "--from", days_ago(30), "--to", days_ago(0))
    run("case", "void", "C1", "--reason", "重复")
    run("case", "show", "C1", "--reveal")
    run("db", "compact")
    assert run("check").exit_code == 0
    run("db", "key", "rotate")
    assert run("check").exit_code == 0
    add_case(run, "C2")
    assert run("check").exit_code == 0
    conn = raw(db_path)
    assert conn.execute("SELECT count(*) FROM record_digests").fetchone()[0] == sum(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in (
            "cases", "case_events", "warnings", "followups", "outreach", "institutions",
            "card_actions", "card_penalties", "campaigns", "imports"))


def test_the_installed_command_catches_a_mended_chain(run, sh, db_path):
    # The records written in-process; what the installed command says of the mended chain
    # in a subprocess.
    run("init")
    for n in range(3):
        run("case", "add", "--no", f"S{n}", "--reported", days_ago(2), "--type", "loan",
            "--station", "平襄", "--loss", "10")
    conn = raw(db_path)
    conn.execute("DROP TRIGGER audit_no_update")
    table = rows(conn)
    prev = table[1][10]
    for row in table[1:]:
        digest = plain_sha256(row, prev)
        conn.execute("UPDATE audit SET officer = 'x', prev_hash = ?, hash = ? WHERE id = ?",
                     (prev, digest, row[0]))
        prev = digest
    conn.close()
    result = sh("audit", "verify")
    assert result.returncode == 1 and result.stderr.startswith("error: audit row 2: ")
    assert "Traceback" not in result.stderr
    checked = sh("check")
    assert checked.returncode == 1 and "audit: row 2: content does not match" in checked.stdout


def test_sha256_of_the_old_rows_is_unchanged():
    """The old rows' algorithm is the one they were written with."""
    content = ("2025-01-01T00:00:00Z", "x", "add", "case", "A", None, "{}", "0" * 64)
    expected = hashlib.sha256(json.dumps(list(content), ensure_ascii=False,
                                         separators=(",", ":")).encode()).hexdigest()
    assert audit_hash(content) == expected


def test_digests_need_the_key_in_the_process(db):
    """A write outside write() (which loads the key) is refused by the triggers."""
    with db.write():
        db.conn.execute("INSERT INTO campaigns (name, first_day, last_day, created_at,"
                        " created_by) VALUES ('x', '2025-01-01', '2025-01-02', 'a', 'b')")
        db.audit("add", "campaign", "x")
    with pytest.raises(sqlite3.OperationalError):
        db.conn.execute("UPDATE campaigns SET note = 'y'")
    reopened = open_db(settings.current(), db.path)
    assert reopened.scalar("SELECT note FROM campaigns") is None
    reopened.close()


def test_derived_columns_are_recounted_not_digested(run, db_path, chain):
    """What tongwei derives (a warning's feedback times, a case's status) is not digested --
    an import of follow-ups or events need not tag every warning or case again -- and a
    change of it behind tongwei's back is found by check's recount instead."""
    copy = copy_of(db_path, "derived")
    conn = raw(copy)
    conn.execute("UPDATE warnings SET feedback_at = NULL, outcome = NULL")
    conn.execute("UPDATE cases SET status = 'closed' WHERE no = 'A1'")
    conn.close()
    out = check(run, copy).stdout.splitlines()
    assert any(line.startswith("warnings follow their follow-ups: W1:") for line in out)
    assert any(line.startswith("case status follows its events: A1:") for line in out)
    assert not any(line.startswith("records:") for line in out)


def test_a_migration_that_adds_a_column_keeps_the_digests(db, run):
    """`digests.refresh` (run after every migration): a table whose columns changed is
    re-tagged over its new columns, but a record changed behind tongwei's back before it
    stays named."""
    from tongwei_cli.storage import digests

    add_case(run, "M1", db=db.path)
    add_case(run, "M2", db=db.path)
    conn = raw(db.path)
    conn.execute("DROP TRIGGER cases_digest_update")
    conn.execute("UPDATE cases SET loss_fen = 7 WHERE no = 'M2'")
    conn.close()
    with db.write():
        db.conn.execute("ALTER TABLE cases ADD COLUMN extra TEXT")
        assert digests.refresh(db) == ["cases"]
        db.audit("migrate", "schema", "test")
    triggers = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type ="
                                       " 'trigger'")}
    assert "cases_digest_update" in triggers
    result = run("--db", db.path, "check", ok=False)
    assert result.stdout.splitlines() == [
        "records: cases row 2 (M2): changed without an audit row (it no longer matches its "
        "digest)"]
    run("--db", db.path, "case", "update", "M1", "--loss", "5")
    assert "cases row 1" not in run("--db", db.path, "check", ok=False).stdout
