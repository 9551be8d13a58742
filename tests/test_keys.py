"""The key lives outside the file: made by `init` (mode 0600, per-user folder or
TONGWEI_KEY_FILE), found by the database's id wherever the file is, checked before it is
used, exported as a recovery sheet and imported back, rotated; without it the file can be
read and nothing is written."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.conftest import days_ago, tongwei_exe
from tongwei_cli.core import settings
from tongwei_cli.storage import keys
from tongwei_cli.storage.db import open_db


def db_id_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT db_id FROM database_identity").fetchone()[0]
    finally:
        conn.close()


def key_file(path: Path) -> Path:
    return settings.config_dir() / "keys" / f"{db_id_of(path)}.key"


def add_case(call, no: str, *where: str, **options):
    return call(*where, "case", "add", "--no", no, "--reported", days_ago(2), "--type", "loan",
                "--station", "平襄", "--loss", "100", "--victim-name", "测试甲", **options)


def count(path: Path, table: str = "cases") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.no_database
def test_init_makes_a_key_file_0600_in_the_config_folder(run, db_path, tmp_path):
    result = run("init")
    path = key_file(db_path)
    assert str(path).startswith(str(tmp_path / "config" / "tongwei" / "keys"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert f"made: {path}" in result.stderr and "tongwei db key export" in result.stderr
    line = [x for x in path.read_text().splitlines() if not x.startswith("#")]
    assert len(line) == 1 and line[0].split()[:3] == ["tongwei-key", "1", db_id_of(db_path)]
    # The key is nowhere in the database file.
    secret = line[0].split()[4]
    assert secret.encode() not in db_path.read_bytes()
    assert bytes.fromhex(secret) not in db_path.read_bytes()
    again = run("init")  # an existing file: says where its key is
    assert f"key {line[0].split()[3]}" in again.stderr


def test_a_copy_at_another_path_finds_its_key(run, db_path, tmp_path):
    add_case(run, "A1")
    (tmp_path / "elsewhere").mkdir()
    copy = tmp_path / "elsewhere" / "copy.db"
    run("db", "backup", copy)
    moved = tmp_path / "moved.db"
    shutil.copy(copy, moved)
    for path in (copy, moved):
        add_case(run, "B1", "--db", str(path))
        run("--db", path, "audit", "verify")
        run("--db", path, "check")
    assert len(list((tmp_path / "config" / "tongwei" / "keys").iterdir())) == 1


def test_two_databases_keep_two_keys(run, tmp_path):
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path in (one, two):
        run("--db", path, "init")
        add_case(run, "A1", "--db", str(path))
    assert db_id_of(one) != db_id_of(two)
    assert key_file(one) != key_file(two)
    assert key_file(one).read_text() != key_file(two).read_text()
    # One's key file given to the other is not its key.
    shutil.copy(key_file(one), key_file(two))
    refused = add_case(run, "A2", "--db", str(two), ok=False)
    assert refused.exit_code == 1 and f"the key of database {db_id_of(two)}" in refused.stderr
    add_case(run, "A2", "--db", str(one))


@pytest.mark.no_database
def test_a_shared_key_file_holds_several_databases(run, tmp_path):
    shared = tmp_path / "shared" / "county.keys"
    env = {"TONGWEI_KEY_FILE": str(shared)}
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    for path in (one, two):
        run("--db", path, "init", env=env)
    lines = [x for x in shared.read_text().splitlines() if x.startswith("tongwei-key")]
    assert {x.split()[2] for x in lines} == {db_id_of(one), db_id_of(two)}
    assert stat.S_IMODE(shared.stat().st_mode) == 0o600
    assert not (tmp_path / "config" / "tongwei" / "keys").exists()
    # Another login (another config folder) uses the same file through TONGWEI_KEY_FILE.
    other = {"XDG_CONFIG_HOME": str(tmp_path / "officer-b"), **env}
    add_case(run, "B1", "--db", str(one), env=other)
    alone = add_case(run, "B2", "--db", str(two), env={"XDG_CONFIG_HOME": str(
        tmp_path / "officer-b")}, ok=False)
    assert alone.exit_code == 1 and "tongwei db key import" in alone.stderr


def test_without_the_key_reading_works_and_writing_is_refused(run, db_path, tmp_path):
    add_case(run, "A1")
    run("warning", "add", "--no", "W1", "--received", f"{days_ago(1)} 09:00", "--level",
        "high", "--station", "平襄", "--phone", "13800000001")
    path = key_file(db_path)
    db_id = db_id_of(db_path)
    path.rename(tmp_path / "lost.key")
    audit_rows = count(db_path, "audit")

    for args in (["case", "list"], ["case", "show", "A1"], ["warning", "list"],
                 ["report", "daily"], ["report", "range", "--from", days_ago(7), "--to",
                                       days_ago(0)], ["audit", "list"], ["db", "status"],
                 ["ref", "stations"], ["db", "backup", str(tmp_path / "b.db")]):
        result = run(*args)
        assert "13800000001" not in result.stdout and "测试甲" not in result.stdout
    status = json.loads(run("db", "status", "--format", "json").stdout)
    assert status["database_id"] == db_id and status["key_file"].startswith("not here")

    for args in (["case", "add", "--no", "A2", "--reported", days_ago(1), "--type", "loan",
                  "--station", "平襄", "--loss", "1"], ["case", "event", "A1", "filed"],
                 ["case", "void", "A1", "--reason", "x"], ["case", "show", "A1", "--reveal"],
                 ["warning", "followup", "W1", "--at", f"{days_ago(1)} 10:00", "--method",
                  "phone", "--outcome", "dissuaded"], ["db", "compact"],
                 ["audit", "verify"], ["audit", "anchor"], ["db", "key", "export"],
                 ["db", "key", "rotate"]):
        result = run(*args, ok=False)
        assert result.exit_code == 1, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
        assert f"the key of database {db_id}" in lines[0]
        assert str(path) in lines[0] and "tongwei db key import" in lines[0]
        assert "测试甲" not in result.stdout + result.stderr
    assert count(db_path, "audit") == audit_rows and count(db_path) == 1
    checked = run("check", ok=False)
    assert checked.exit_code == 1
    assert checked.stdout.startswith(f"key: the key of database {db_id}")


def test_the_recovery_sheet_brings_the_key_back(run, db_path, tmp_path):
    add_case(run, "A1")
    sheet = tmp_path / "sheet.txt"
    exported = run("db", "key", "export", "-o", sheet)
    assert "put it in the safe" in exported.stderr
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    text = sheet.read_text("utf-8")
    assert "RECOVERY SHEET" in text and "恢复" in text and db_id_of(db_path)[:4] in text
    assert run("audit", "list", "--format", "json").stdout.count('"key-export"') == 1
    key_file(db_path).unlink()
    assert add_case(run, "A2", ok=False).exit_code == 1

    restored = run("db", "key", "import", sheet)
    assert "restored" in restored.stderr
    assert stat.S_IMODE(key_file(db_path).stat().st_mode) == 0o600
    add_case(run, "A2")
    run("audit", "verify")
    run("check")
    again = run("db", "key", "import", "-", input=text)  # from standard input, idempotent
    assert "already in" in again.stderr


def test_a_mistyped_sheet_names_the_line(run, db_path, tmp_path):
    run("init")
    text = run("db", "key", "export").stdout
    lines = text.splitlines()
    n = next(i for i, x in enumerate(lines) if x.strip().startswith("k1.2"))
    groups = lines[n].split()
    wrong = groups[1][:-1] + ("0" if groups[1][-1] != "0" else "1")
    typo = "\n".join(lines[:n] + ["  " + " ".join([groups[0], wrong, *groups[2:]])]
                     + lines[n + 1:])
    result = run("db", "key", "import", "-", input=typo, ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"error: FILE: line {n + 1} (k1.2): the checksum does not"
                                     " match: a character is mistyped")
    # Typed back in upper case with other spacing: fine.
    run("db", "key", "import", "-", input=text.upper().replace("  ", " "))
    missing = "\n".join(x for x in lines if not x.strip().startswith("k1.4"))
    assert "line(s) k1.4 missing" in run("db", "key", "import", "-", input=missing,
                                         ok=False).stderr
    assert "not a tongwei recovery sheet" in run("db", "key", "import", "-", input="hello",
                                                 ok=False).stderr
    # Another database's sheet is refused.
    other = tmp_path / "other.db"
    run("--db", other, "init")
    foreign = run("--db", other, "db", "key", "export").stdout
    refused = run("db", "key", "import", "-", input=foreign, ok=False)
    assert refused.exit_code == 1
    assert f"the sheet is for database {db_id_of(other)}, not this one" in refused.stderr


def test_a_wrong_key_is_detected_and_never_used(run, db_path):
    add_case(run, "A1")
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.OperationalError, match="no such function: tw_guard"):
        conn.execute("UPDATE database_identity SET key_check = 'x'")
    conn.execute("DROP TRIGGER database_identity_guard")
    conn.execute("UPDATE database_identity SET key_check = ?", ("0" * 64,))
    conn.commit()
    conn.close()
    audit_rows = count(db_path, "audit")
    result = add_case(run, "A2", ok=False)
    assert result.exit_code == 1
    assert "does not match database" in result.stderr and "nothing was written" \
        in result.stderr
    assert count(db_path, "audit") == audit_rows and count(db_path) == 1


def test_rotation_keeps_old_rows_verifiable(run, db_path):
    add_case(run, "A1")
    old_sheet = run("db", "key", "export").stdout
    old_id = db_id_of(db_path)
    rotated = run("db", "key", "rotate")
    assert "rotated" in rotated.stderr and "tongwei db key export" in rotated.stderr
    assert db_id_of(db_path) == old_id  # the same database, a new key
    lines = [x for x in key_file(db_path).read_text().splitlines() if x.startswith("tongwei")]
    assert len(lines) == 2
    add_case(run, "A2")
    run("audit", "verify")
    run("check")
    conn = sqlite3.connect(db_path)
    signers = [r[0] for r in conn.execute("SELECT key_id FROM audit ORDER BY id")]
    rotation = conn.execute("SELECT before, after FROM audit WHERE action = 'key-rotate'"
                            ).fetchone()
    conn.close()
    assert len(set(signers)) == 2 and signers[-1] == json.loads(rotation[1])["key_id"]
    assert json.loads(rotation[0])["key_id"] == signers[0]
    assert "endorsed_by_old_key" in json.loads(rotation[1])
    # The sheet from before the rotation no longer restores the key.
    key_file(db_path).unlink()
    stale = run("db", "key", "import", "-", input=old_sheet, ok=False)
    assert stale.exit_code == 1 and "predates a rotation" in stale.stderr


def test_rotation_then_export_and_import_restores_every_key(run, db_path):
    add_case(run, "A1")
    run("db", "key", "rotate")
    add_case(run, "A2")
    sheet = run("db", "key", "export").stdout
    assert "key 1 " in sheet and "key 2 " in sheet and "current" in sheet and " old" in sheet
    key_file(db_path).unlink()
    run("db", "key", "import", "-", input=sheet)
    run("audit", "verify")  # rows signed by both keys
    # Without the old key the old rows cannot be checked: said, not passed.
    path = key_file(db_path)
    current = json.loads(run("db", "status", "--format", "json").stdout)["key_id"]
    path.write_text("".join(x + "\n" for x in path.read_text().splitlines()
                            if not x.startswith("tongwei-key") or current in x))
    result = run("audit", "verify", ok=False)
    assert result.exit_code == 1 and "is not here" in result.stderr


def test_a_rotation_is_refused_while_a_record_does_not_match(run, db_path):
    add_case(run, "A1")
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER cases_digest_update")
    conn.execute("UPDATE cases SET loss_fen = 1")
    conn.commit()
    conn.close()
    result = run("db", "key", "rotate", ok=False)
    assert result.exit_code == 1 and "run `tongwei check` first" in result.stderr
    assert "cases row 1 (A1)" in result.stderr


def test_subkeys_one_per_purpose(db):
    encrypt = keys.subkey(db, "encrypt")
    assert len(encrypt) == 32 and encrypt == keys.subkey(db, "encrypt")
    assert len({encrypt, keys.subkey(db, "blind-index"), keys.subkey(db, "audit"),
                keys.subkey(db, "digest")}) == 4
    current = keys.current(db)
    assert keys.subkey(db, "encrypt", current.key_id) == encrypt
    assert keys.available(db)
    with pytest.raises(keys.KeyMissing):
        keys.subkey(db, "encrypt", "0" * 16)
    with pytest.raises(ValueError):
        keys.subkey(db, "Not a purpose")


def test_a_key_file_others_can_read_is_named_by_check(run, db_path):
    run("init")
    os.chmod(key_file(db_path), 0o644)
    result = run("check", ok=False)
    assert result.exit_code == 1
    assert f"key: {key_file(db_path)} can be read by every user (mode 0644)" in result.stdout


def test_writing_paths_do_not_load_cryptography(db_path, tmp_path):
    """Signing and digests use the standard library: `case add` stays light."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGWEI_", "PYTHON"))}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "x", "TONGWEI_LANG": "en",
                "PYTHONPROFILEIMPORTTIME": "1"})
    subprocess.run([*tongwei_exe(), "init"], env=env, capture_output=True, check=True)
    result = subprocess.run([*tongwei_exe(), "case", "add", "--reported", days_ago(1),
                             "--type", "loan", "--station", "平襄", "--loss", "1"],
                            env=env, capture_output=True, text=True, check=True)
    loaded = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
              if line.startswith("import time:") and line.count("|") == 2}
    assert "tongwei_cli.storage.keys" in loaded
    assert not {m for m in loaded if m.split(".")[0] == "cryptography"}


def test_the_database_file_has_an_id_and_no_key(db):
    found = keys.identity(db)
    assert found is not None and len(found.db_id) == 32 and len(found.key_check) == 64
    reopened = open_db(settings.current(), db.path)
    assert keys.identity(reopened).db_id == found.db_id
    reopened.close()


def test_the_config_folder_is_platformdirs_own(monkeypatch, tmp_path):
    """Worked out without loading platformdirs, and the same as it says."""
    from platformdirs import user_config_path

    for value in (str(tmp_path / "xdg"), "", None):
        if value is None:
            monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
        else:
            monkeypatch.setenv("XDG_CONFIG_HOME", value)
        assert settings.config_dir() == user_config_path("tongwei", appauthor=False)
