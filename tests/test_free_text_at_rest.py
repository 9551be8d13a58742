"""Free text at rest (issue 13, issue 12 item 8): a phone or ID number typed into a summary,
a note, a source, a venue or a reason is masked in the file itself, the text as typed sealed
beside it (`<column>_enc`), so that `strings` on the file, its WAL or a `db backup` copy
finds none of it -- whether the text came by a command, an import (checked in forked
children), a merge of a station file or an older tongwei (migration 014, then VACUUM); the
key's holder still reads it with `--reveal`, after a rotation too; a text without a number is
stored as it is and needs neither the key nor `cryptography`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import before_migration, days_ago, tongwei_exe
from tongwei_cli.core import settings
from tongwei_cli.core.errors import TongweiError
from tongwei_cli.domain import cases
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import migration_names, open_db
from tongwei_cli.storage.totals import count_days

PHONES = ("13800001234", "13900004321", "13700006789")
# Made-up numbers with PHONES[0]'s mask (138****1234) and other hidden digits -- the very
# thing three tests are about, so these alone cannot keep 0000 in digits 4-7; they are
# only ever shown with --reveal.
SAME_MASK = ("13855551234", "13866661234", "13877771234")
IDS = ("622421198503120037", "110105198001010075")  # valid check digits (python-stdnum)
SECRETS = (*PHONES, *IDS)


def said(n: int) -> str:
    """A text holding a phone and an ID number, among words and keys that stay as typed."""
    return f"第{n}条：请回电{PHONES[n % 3]}，身份证{IDS[n % 2]}，预警YJ2026112800396，损失1.5万"


def masked(n: int) -> str:
    phone, rid = PHONES[n % 3], IDS[n % 2]
    return (f"第{n}条：请回电{phone[:3]}****{phone[-4:]}，身份证{rid[:6]}********{rid[-4:]}，"
            "预警YJ2026112800396，损失1.5万")


def leaks(*paths: Path) -> list[str]:
    """The planted numbers found in these files: by `strings` (the tool a finder would use)
    and by a byte search."""
    found = set()
    for path in paths:
        if not path.exists():
            continue
        data = path.read_bytes()
        found |= {s for s in SECRETS if s.encode() in data}
        if shutil.which("strings"):
            out = subprocess.run(["strings", "-a", "-n", "8", str(path)], capture_output=True,
                                 text=True, check=True).stdout
            found |= {s for s in SECRETS if s in out}
    return sorted(found)


def files_of(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm")]


def stored(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def record_everything(call, day: str) -> None:
    """Every free text a command takes, each holding a phone and an ID number."""
    call("case", "add", "--no", "C1", "--reported", day, "--type", "loan", "--station", "平襄",
         "--loss", "1000", "--summary", said(0))
    call("case", "event", "C1", "recover", "--amount", "300", "--date", day, "--note", said(1))
    call("case", "add", "--no", "C2", "--reported", day, "--type", "loan", "--station", "平襄",
         "--loss", "500", "--summary", "没有号码的案情")
    call("case", "void", "C2", "--reason", said(2))
    call("warning", "add", "--no", "W1", "--received", f"{day} 09:00", "--level", "high",
         "--station", "平襄", "--phone", "13800000001", "--source", said(3), "--note", said(4))
    call("warning", "followup", "W1", "--at", f"{day} 09:30", "--method", "phone",
         "--outcome", "dissuaded", "--note", said(5))
    call("outreach", "add", "--date", day, "--station", "平襄", "--audience", "students",
         "--form", "lecture", "--venue", f"一中（联系{PHONES[2]}）", "--attendees", "10",
         "--materials", "20", "--note", said(6))
    call("cards", "action", "--date", day, "--institution", "农行通渭支行",
         "--institution-kind", "bank", "--kind", "inspection", "--station", "平襄",
         "--note", said(7))
    call("cards", "penalty", "add", "--name", "测试甲", "--id-no", "622424199001010026",
         "--measure", "financial", "--start", days_ago(40), "--years", "2", "--note", said(8))
    call("campaign", "add", "秋季行动", "--from", days_ago(40), "--to", days_ago(20),
         "--note", said(9))


# -- written by the installed command ----------------------------------------------------------

def test_numbers_typed_through_the_installed_command_are_only_ever_sealed(sh, db_path,
                                                                          tmp_path):
    def call(*args: str) -> subprocess.CompletedProcess:
        result = sh(*args)
        assert result.returncode == 0, (args, result.stderr)
        return result

    record_everything(call, days_ago(3))
    backup = tmp_path / "usb" / "copy.db"
    backup.parent.mkdir()
    call("db", "backup", backup)
    assert leaks(*files_of(db_path), backup) == []
    # The columns hold the masked text, the ciphertext beside it; a text without a number
    # as it is, without one.
    assert stored(db_path, "SELECT no, summary, summary_enc IS NOT NULL, void_reason,"
                           " void_reason_enc IS NOT NULL FROM cases ORDER BY id") == [
        ("C1", masked(0), 1, None, 0), ("C2", "没有号码的案情", 0, masked(2), 1)]
    for table, column, n in (("case_events", "note", 1), ("warnings", "source", 3),
                             ("warnings", "note", 4), ("followups", "note", 5),
                             ("outreach", "note", 6), ("card_actions", "note", 7),
                             ("card_penalties", "note", 8), ("campaigns", "note", 9)):
        assert stored(db_path, f"SELECT {column}, typeof({column}_enc) FROM {table}") == [
            (masked(n), "blob")], (table, column)
    assert stored(db_path, "SELECT venue FROM outreach") == [("一中（联系137****6789）",)]

    # Shown masked; opened with --reveal (audited), the case's events and the warning's
    # follow-ups with it.
    shown = call("case", "show", "C1").stdout
    assert "138****1234" in shown and not [s for s in SECRETS if s in shown]
    case = json.loads(call("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert case["summary"] == said(0) and case["events"][0]["note"] == said(1)
    assert json.loads(call("case", "show", "C2", "--reveal", "--format", "json").stdout)[
        "void_reason"] == said(2)
    warning = json.loads(call("warning", "show", "W1", "--reveal", "--format", "json").stdout)
    assert (warning["source"], warning["note"], warning["followups"][0]["note"]) == (
        said(3), said(4), said(5))
    assert json.loads(call("warning", "show", "W1", "--format", "json").stdout)[
        "followups"][0]["note"] == masked(5)
    penalty = json.loads(call("cards", "penalty", "show", "CJ" + days_ago(40).replace(
        "-", "") + "-001", "--reveal", "--format", "json").stdout)
    assert penalty["note"] == said(8)
    # No output carries a ciphertext; the audit log keeps the masked text only.
    for args in (("case", "show", "C1"), ("warning", "show", "W1"), ("outreach", "list"),
                 ("cards", "list"), ("campaign", "list"), ("audit", "list"),
                 ("case", "show", "C1", "--reveal"), ("warning", "show", "W1", "--reveal")):
        out = call(*args, "--format", "json").stdout
        assert '_enc"' not in out, args  # (no key of a sealed column)
        assert "--reveal" in args or not [s for s in SECRETS if s in out], args
    logged = " ".join(a or "" for (a,) in stored(db_path, "SELECT after FROM audit"))
    assert masked(0) in logged and not [s for s in SECRETS if s in logged]
    # The browsing views show the masked text, never a ciphertext.
    for view in ("browse_cases", "browse_warnings", "browse_followups", "browse_outreach",
                 "browse_card_actions", "browse_campaigns"):
        for row in stored(db_path, f"SELECT * FROM {view}"):
            assert not [v for v in row if isinstance(v, bytes)], view
            assert not [s for s in SECRETS for v in row if isinstance(v, str) and s in v]
    assert stored(db_path, "SELECT name, days, note FROM browse_campaigns") == [
        ("秋季行动", 21, masked(9))]
    assert call("check").returncode == 0


def test_a_correction_told_apart_only_by_the_hidden_digits_is_a_change(run, db_path):
    """`138****1234` hides which number: a correction to another number with the same mask
    is stored, audited and revealed (the ciphertext tells them apart)."""
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--summary", "请回电13800001234")
    run("case", "event", "C1", "arrest", "--date", days_ago(1), "--note", "线索13800001234")
    run("case", "update", "C1", "--summary", f"请回电{SAME_MASK[0]}")
    run("case", "update-event", "C1", "1", "--note", f"线索{SAME_MASK[0]}")
    shown = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert shown["summary"] == f"请回电{SAME_MASK[0]}"
    assert shown["events"][0]["note"] == f"线索{SAME_MASK[0]}"
    updates = [r for r in json.loads(run("audit", "list", "--format", "json").stdout)
               if r["action"] in ("update", "update-event")]
    assert len(updates) == 2
    assert all("138****1234" in r["after"] and "_enc" not in r["after"] for r in updates)
    # an update that gives the same text changes nothing
    run("case", "update", "C1", "--summary", f"请回电{SAME_MASK[0]}")
    assert len([r for r in json.loads(run("audit", "list", "--format", "json").stdout)
                if r["action"] == "update"]) == 1
    assert run("check").exit_code == 0


# -- imports -----------------------------------------------------------------------------------

def test_an_import_checked_in_forked_children_seals_its_free_text(run, db_path, tmp_path):
    """A warnings file over a megabyte is checked by forked children (the key primed in
    them): the numbers in its notes and sources reach the file sealed only; a re-import with
    a number changed behind its mask is a difference, corrected with --update."""
    day = days_ago(3)
    lines = ["no,received,level,station,phone,source,note"]
    for i in range(12000):
        note = said(i) if i % 1000 == 0 else f"普通备注{i:05d}" + "，已电话劝阻" * 4
        lines.append(f"YJF{i:05d},{day} {8 + i // 3600 % 10:02d}:{i // 60 % 60:02d},low,平襄,"
                     f"1390000{i % 10000:04d},{'银行' if i % 3 else said(i + 1)},{note}")
    path = tmp_path / "warnings.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert path.stat().st_size > 1 << 20  # (the size from which children check the rows)
    assert "imported 12000" in run("import", "warnings", path).stdout
    assert leaks(*files_of(db_path)) == []
    assert stored(db_path, "SELECT note, typeof(note_enc), source FROM warnings"
                           " WHERE no = 'YJF00000'") == [(masked(0), "blob", masked(1))]
    assert stored(db_path, "SELECT count(*) FROM warnings WHERE note_enc IS NOT NULL") == [
        (12,)]
    shown = json.loads(run("warning", "show", "YJF01000", "--reveal", "--format",
                           "json").stdout)
    assert shown["note"] == said(1000)

    # The same file again: unchanged. A number changed behind its mask: a difference.
    assert "imported 0, unchanged 12000" in run("import", "warnings", path).stdout
    lines[1] = lines[1].replace(PHONES[0], SAME_MASK[2])
    path.write_text("\n".join(lines) + "\n", "utf-8")
    refused = run("import", "warnings", path, ok=False)
    assert "YJF00000 is already stored with a different note" in refused.stderr
    run("import", "warnings", path, "--update")
    shown = json.loads(run("warning", "show", "YJF00000", "--reveal", "--format",
                           "json").stdout)
    assert shown["note"] == said(0).replace(PHONES[0], SAME_MASK[2])
    assert leaks(*files_of(db_path)) == []
    assert run("check").exit_code == 0


def test_every_kind_of_import_seals_its_free_text(run, db_path, tmp_path):
    day = days_ago(3)
    files = {
        "cases": f"no,reported,type,station,loss,summary\nC1,{day},loan,平襄,1000,{said(0)}\n",
        "events": f"case,kind,date,amount,note\nC1,recover,{day},100,{said(1)}\n",
        "warnings": f"no,received,level,station,phone,note\nW1,{day} 09:00,low,平襄,"
                    f"13800000001,{said(2)}\n",
        "followups": f"warning,at,method,outcome,note\nW1,{day} 10:00,phone,dissuaded,"
                     f"{said(3)}\n",
        "outreach": f"date,station,audience,form,venue,attendees,materials,note\n{day},平襄,"
                    f"students,lecture,一中{PHONES[1]},10,20,{said(4)}\n",
        "cards": f"date,institution,institution-kind,kind,note\n{day},农行,bank,inspection,"
                 f"{said(5)}\n",
    }
    for kind, text in files.items():
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, "utf-8")
        assert "imported 1" in run("import", kind, path).stdout, kind
        # the same file again finds its row unchanged (masked text and ciphertext alike)
        assert "imported 0, unchanged 1" in run("import", kind, path).stdout, kind
    run("db", "compact")
    assert leaks(*files_of(db_path)) == []
    case = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert (case["summary"], case["events"][0]["note"]) == (said(0), said(1))
    assert run("check").exit_code == 0


# -- the key -----------------------------------------------------------------------------------

def test_a_rotation_seals_the_free_text_again_and_reveal_follows(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--summary", said(0))
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(2)} 09:00", "--level",
        "low", "--station", "平襄", "--phone", "13800000001", "--note", said(1))
    run("campaign", "add", "秋季行动", "--from", days_ago(9), "--to", days_ago(1),
        "--note", said(2))
    before = stored(db_path, "SELECT summary_enc FROM cases")
    run("db", "key", "rotate")
    after = stored(db_path, "SELECT summary_enc FROM cases")
    assert after != before and after[0][0] is not None
    shown = json.loads(run("case", "show", "C1", "--reveal", "--format", "json").stdout)
    assert shown["summary"] == said(0)
    assert json.loads(run("warning", "show", "W1", "--reveal", "--format", "json").stdout)[
        "note"] == said(1)
    # a correction after the rotation starts from the text as typed
    run("campaign", "update", "秋季行动", "--to", days_ago(0))
    assert stored(db_path, "SELECT note FROM campaigns") == [(masked(2),)]
    run("campaign", "update", "秋季行动", "--note", said(3))
    assert stored(db_path, "SELECT note FROM campaigns") == [(masked(3),)]
    assert run("check").exit_code == 0


def test_without_the_key_a_number_in_free_text_is_refused_in_one_line(run, db, tmp_path):
    keys = Path(settings.config_dir()) / "keys"
    hidden = tmp_path / "elsewhere"
    shutil.move(keys, hidden)
    try:
        raw = {"reported": days_ago(1), "type": "loan", "station": "平襄", "loss": "100"}
        # Sealing a text without a number needs no key (the write itself still signs its
        # audit row with it)...
        plain = cases.prepare_case(db, {**raw, "summary": "没有号码"}).row
        assert plain["summary"] == "没有号码" and plain["summary_enc"] is None
        # ...one with a number does, and says which key is missing.
        with pytest.raises(TongweiError) as caught:
            cases.prepare_case(db, {**raw, "summary": said(0)})
        assert "not here" in caught.value.reason
        for lang, word in (("en", "key"), ("zh", "密钥")):
            result = run("--lang", lang, "case", "add", "--reported", days_ago(1), "--type",
                         "loan", "--station", "平襄", "--loss", "1", "--summary", said(0),
                         ok=False)
            lines = result.stderr.strip().splitlines()
            assert result.exit_code == 1 and len(lines) == 1 and word in lines[0], lines
        # masked lists still work
        assert run("case", "list").exit_code == 0
    finally:
        shutil.move(hidden, keys)
    assert stored(db.path, "SELECT count(*) FROM cases") == [(0,)]


@pytest.mark.slow
def test_a_summary_without_a_number_does_not_load_cryptography(db_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGWEI_", "PYTHON"))}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "测试警官",
                "TONGWEI_LANG": "en", "PYTHONPROFILEIMPORTTIME": "1"})

    def loads_cryptography(*args: str) -> bool:
        result = subprocess.run([*tongwei_exe(), *args], capture_output=True, text=True,
                                env=env, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return "cryptography" in {line.rsplit("|", 1)[1].strip().split(".")[0]
                                  for line in result.stderr.splitlines()
                                  if line.startswith("import time:") and line.count("|") == 2}

    add = ("case", "add", "--reported", days_ago(1), "--type", "loan", "--station", "平襄",
           "--loss", "100", "--summary")
    assert not loads_cryptography(*add, "在网上刷单被骗，已报案")
    assert loads_cryptography(*add, said(0))


# -- what tongwei check sees --------------------------------------------------------------------

def test_check_names_a_sealed_text_changed_or_a_number_put_in_the_clear(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(2), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--summary", said(0))
    run("case", "add", "--no", "C2", "--reported", days_ago(2), "--type", "loan", "--station",
        "平襄", "--loss", "100", "--summary", said(1))
    assert run("check").exit_code == 0
    # Someone with the file and a stand-in for tongwei's trigger function, not the key:
    # another case's ciphertext swapped in (it opens: the digest names the change), and a
    # number typed in the clear.
    conn = sqlite3.connect(db_path)
    conn.create_function("tw_dirty", 3, lambda *args: None)
    conn.execute("UPDATE cases SET summary_enc = (SELECT summary_enc FROM cases"
                 " WHERE no = 'C2') WHERE no = 'C1'")
    conn.execute(f"UPDATE cases SET summary = '请回电{PHONES[2]}' WHERE no = 'C2'")
    conn.commit()
    conn.close()
    result = run("check", ok=False)
    assert "records: cases row 1 (C1): changed without an audit row" in result.stdout
    assert "records: cases row 2 (C2): changed without an audit row" in result.stdout
    assert "personal data: cases.summary: 1 value(s) stored in the clear" in result.stdout


# -- an older file -------------------------------------------------------------------------------

def old_file(path: Path, monkeypatch) -> None:
    """A file as tongwei made it before migration 014: free text in the clear, written
    through tongwei's own connection (keyed chain, digests), with freed pages that still
    hold numbers (`secure_delete` off, as a build of SQLite without it leaves them) and
    its WAL."""
    day = days_ago(5)
    with monkeypatch.context() as patch:
        before_migration(patch, "014")
        handle = open_db(settings.current(), path, create=True)
        handle.conn.execute("PRAGMA secure_delete = OFF")
        try:
            with handle.write():
                c = handle.conn
                c.execute("INSERT INTO cases (no, reported, type, station, loss_fen, summary,"
                          " status, voided, void_reason, created_at, created_by) VALUES"
                          " ('OLD1', ?, 'loan', 'pingxiang', 100000, ?, 'filed', 1, ?, 'x',"
                          " 'x')",
                          (day, said(0), said(1)))
                c.execute("INSERT INTO case_events (case_id, kind, date, note, created_at,"
                          " created_by) VALUES (1, 'filed', ?, ?, 'x', 'x')", (day, said(2)))
                c.execute("INSERT INTO warnings (no, received_at, level, deadline_hours,"
                          " deadline_at, station, phone, source, note, created_at,"
                          " created_by) VALUES ('OLDW', 1764000000, 'high', 2, 1764007200,"
                          " 'pingxiang', '138****0001', ?, ?, 'x', 'x')", (said(3), said(4)))
                count_days(handle, 0)  # (the per-day and outstanding totals)
                c.execute("INSERT INTO followups (warning_id, at, method, outcome, note,"
                          " created_at, created_by) VALUES (1, 1764001000, 'phone',"
                          " 'in-progress', ?, 'x', 'x')", (said(5),))
                c.execute("INSERT INTO outreach (no, date, station, audience, form, venue,"
                          " attendees, materials, note, created_at, created_by) VALUES"
                          " ('XC1', ?, 'pingxiang', 'students', 'lecture', ?, 1, 1, ?, 'x',"
                          " 'x')", (day, f"一中{PHONES[1]}", said(6)))
                c.execute("INSERT INTO institutions (name, kind, created_at, created_by)"
                          " VALUES ('农行', 'bank', 'x', 'x')")
                c.execute("INSERT INTO card_actions (no, institution_id, date, kind, note,"
                          " created_at, created_by) VALUES ('DK1', 1, ?, 'inspection', ?,"
                          " 'x', 'x')", (day, said(7)))
                penalty = personal.seal(handle, "card_penalties", {
                    "name": "测试乙", "id_no": "622424199001010026", "note": said(8)})
                c.execute("INSERT INTO card_penalties (no, name, name_enc, name_bi, id_no,"
                          " id_no_enc, id_no_bi, measure, start_date, years, end_date,"
                          " appeal_by, note, created_at, created_by) VALUES ('CJ1', :name,"
                          " :name_enc, :name_bi, :id_no, :id_no_enc, :id_no_bi, 'credit',"
                          " '2026-01-01', 2, '2027-12-31', '2026-01-16', :note, 'x', 'x')",
                          penalty)
                c.execute("INSERT INTO campaigns (name, first_day, last_day, note, created_at,"
                          " created_by) VALUES ('行动', ?, ?, ?, 'x', 'x')", (day, day, said(9)))
                # what an earlier merge kept of an event: its key, the note in it
                c.execute("INSERT INTO merge_sources (db_id, station, file_name, merges,"
                          " first_at, last_at, last_anchor, last_by) VALUES ('d' ||"
                          " hex(zeroblob(15)), 'maying', '马营.db', 1, 'x', 'x', '1:ab', 'x')")
                c.execute("INSERT INTO merged_records (source, kind, key, key_id, digest)"
                          " VALUES (1, 'event', ?, 'k', 'd')", (json.dumps(
                              ["TW1", "filed", day, None, None, said(10)],
                              ensure_ascii=False),))
                # and cases entered and removed since: their pages are free pages now,
                # which keep what they held until the file is VACUUMed
                c.executemany("INSERT INTO cases (no, reported, type, station, loss_fen,"
                              " summary, created_at, created_by) VALUES (?, ?, 'loan',"
                              " 'pingxiang', 100, ?, 'x', 'x')",
                              [(f"GONE{i}", day, said(i) * 3) for i in range(300)])
                handle.audit("test", "planted")
            handle.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with handle.write():
                handle.conn.execute("DELETE FROM cases WHERE no LIKE 'GONE%'")
                handle.audit("test", "removed")
        finally:
            handle.close()


def test_an_old_file_has_its_free_text_sealed_in_place_and_no_page_keeps_it(
        run, tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    old_file(path, monkeypatch)
    assert leaks(*files_of(path))  # (the plant is really there)

    run("--db", path, "case", "list")  # opening it migrates it
    assert stored(path, "SELECT summary, void_reason, typeof(summary_enc),"
                        " typeof(void_reason_enc) FROM cases") == [
        (masked(0), masked(1), "blob", "blob")]
    for table, column, n in (("case_events", "note", 2), ("warnings", "source", 3),
                             ("warnings", "note", 4), ("followups", "note", 5),
                             ("outreach", "note", 6), ("card_actions", "note", 7),
                             ("card_penalties", "note", 8), ("campaigns", "note", 9)):
        assert stored(path, f"SELECT {column}, typeof({column}_enc) FROM {table}") == [
            (masked(n), "blob")], (table, column)
    key = stored(path, "SELECT key FROM merged_records")[0][0]
    assert json.loads(key)[-1] == masked(10)
    backup = tmp_path / "usb" / "copy.db"
    backup.parent.mkdir()
    run("--db", path, "db", "backup", backup)
    assert leaks(*files_of(path), backup) == []
    migrate = json.loads(stored(path, "SELECT after FROM audit WHERE action = 'migrate'"
                                      " ORDER BY id DESC LIMIT 1")[0][0])
    assert migrate["applied"] == [n for n in migration_names() if n >= "014"]
    assert migrate["free_text_rows_sealed"] == 9  # 8 records and the merged event's key
    assert run("--db", path, "check").exit_code == 0
    shown = json.loads(run("--db", path, "case", "show", "OLD1", "--reveal", "--format",
                           "json").stdout)
    assert (shown["summary"], shown["void_reason"], shown["events"][0]["note"]) == (
        said(0), said(1), said(2))


# -- a merge -------------------------------------------------------------------------------------

def test_a_station_file_brings_its_sealed_text_into_the_county(run, tmp_path):
    county, station = tmp_path / "county.db", tmp_path / "平襄.db"
    run("--db", county, "init")
    run("--db", station, "init", "--station", "平襄")
    day = days_ago(3)
    run("--db", station, "case", "add", "--reported", day, "--type", "loan", "--station",
        "平襄", "--loss", "1000", "--summary", said(0))
    no = json.loads(run("--db", station, "case", "list", "--format", "json").stdout)[0]["no"]
    run("--db", station, "case", "event", no, "filed", "--date", day, "--note", said(1))
    run("--db", station, "warning", "add", "--no", "W1", "--received", f"{day} 09:00",
        "--level", "high", "--station", "平襄", "--phone", "13800000001", "--note", said(2))
    run("--db", station, "warning", "followup", "W1", "--at", f"{day} 09:30", "--method",
        "phone", "--outcome", "dissuaded", "--note", said(3))
    run("--db", station, "outreach", "add", "--date", day, "--station", "平襄", "--audience",
        "students", "--form", "lecture", "--venue", "一中", "--attendees", "10", "--materials",
        "20", "--note", said(4))
    run("--db", station, "campaign", "add", "秋季行动", "--from", day, "--to", day,
        "--note", said(5))

    assert run("--db", county, "merge", station).stdout.startswith("merged from 平襄.db")
    assert leaks(*files_of(county)) == []
    case = json.loads(run("--db", county, "case", "show", no, "--reveal", "--format",
                          "json").stdout)
    assert (case["summary"], case["events"][0]["note"]) == (said(0), said(1))
    warning = json.loads(run("--db", county, "warning", "show", "W1", "--reveal", "--format",
                             "json").stdout)
    assert (warning["note"], warning["followups"][0]["note"]) == (said(2), said(3))
    assert stored(county, "SELECT note FROM outreach UNION ALL SELECT note FROM campaigns") == [
        (masked(4),), (masked(5),)]
    # (what the county keeps of the merged event: its key, with the note masked)
    assert not [s for s in SECRETS for (k,) in stored(county, "SELECT key FROM merged_records")
                if s in k]
    again = run("--db", county, "merge", station).stdout
    assert again.startswith("nothing changed from 平襄.db")

    # The station corrects the number behind its mask: the county takes it.
    run("--db", station, "case", "update", no, "--summary",
        said(0).replace(PHONES[0], SAME_MASK[1]))
    assert "1 corrected" in run("--db", county, "merge", station).stdout
    case = json.loads(run("--db", county, "case", "show", no, "--reveal", "--format",
                          "json").stdout)
    assert case["summary"] == said(0).replace(PHONES[0], SAME_MASK[1])
    assert leaks(*files_of(county)) == []
    assert run("--db", county, "check").exit_code == 0


def test_every_free_text_has_its_ciphertext_column_and_the_scrub_reaches_it(db):
    """The declarations (`Field.free`, and each withdrawn record's reason) say which columns
    are free text: each has its `_enc` beside it, which the scrub clears, the key rotation
    seals again and the browsing views never show."""
    from tongwei_cli.storage.scrub import TARGETS

    for table, columns in personal.FREE.items():
        have = {r[1] for r in db.query(f"PRAGMA table_info({table})")}
        for column in columns:
            assert {column, column + "_enc"} <= have, (table, column)
            assert column in TARGETS[table][1] and column + "_enc" in TARGETS[table][1]
    views = [r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'view'"
                                    " AND name LIKE 'browse%'")]
    for view in views:
        names = [r[1] for r in db.query(f"PRAGMA table_info({view})")]
        assert not [n for n in names if n.endswith(("_enc", "_bi"))], view
