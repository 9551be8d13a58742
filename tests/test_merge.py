"""Stations and the county: `tongwei init --station S` and `tongwei merge FILE…`.

Three station files and a county file, each made with the commands, merge into one whose
figures are the sum of theirs; a second merge changes nothing; a station's correction
comes through; a correction on both sides is a conflict, listed and settled by --prefer; a
tampered station file is refused with nothing written; a station file with another key
merges with --key-file, its personal data readable (and only sealed) in the county."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.conftest import OFFICER, Runner, before_migration, days_ago, read_only, tongwei_exe
from tongwei_cli import commands
from tongwei_cli.core import settings
from tongwei_cli.imports import merge as merge_module
from tongwei_cli.imports.merge import merge_file
from tongwei_cli.storage.db import _waiting_for, open_db

DAY = days_ago(10)
STATIONS = {"平襄": "pingxiang", "马营": "maying", "鸡川": "jichuan"}


def _fill(run, db, station, n):
    """A file's worth of records of every kind, `n` making each file's differ."""
    w = f"YJ{station[:2].upper()}{n}"
    run("--db", db, "case", "add", "--reported", DAY, "--type", "loan", "--station", station,
        "--loss", str(1000 * n), "--victim-name", f"王{n}明", "--victim-phone",
        f"1390000567{n}")
    no = run("--db", db, "case", "list", "--format", "json").stdout
    no = json.loads(no)[0]["no"]
    run("--db", db, "case", "event", no, "solved", "--date", DAY)
    run("--db", db, "case", "event", no, "recover", "--date", DAY, "--amount", "300")
    run("--db", db, "warning", "add", "--no", w, "--received", f"{DAY} 09:00", "--level",
        "high", "--station", station, "--phone", f"1380000567{n}", "--name", f"赵{n}")
    run("--db", db, "warning", "followup", w, "--at", f"{DAY} 10:00", "--method", "visit",
        "--outcome", "dissuaded")
    run("--db", db, "warning", "add", "--no", w + "B", "--received", f"{DAY} 09:30",
        "--level", "low", "--station", station, "--phone", f"1370000567{n}")
    run("--db", db, "outreach", "add", "--date", DAY, "--station", station, "--audience",
        "students", "--form", "lecture", "--venue", f"第{n}中学", "--attendees", str(100 * n),
        "--materials", str(10 * n))
    run("--db", db, "cards", "action", "--date", DAY, "--institution", f"农商银行{n}",
        "--institution-kind", "bank", "--kind", "fine", "--amount", str(500 * n))
    return no, w


def _figures(run, db):
    out = json.loads(run("--db", db, "report", "range", "--from", DAY, "--to", DAY,
                         "--format", "json").stdout)
    keep = {"cases": ("reported", "loss_fen", "solved", "arrested", "recovered_fen"),
            "warnings": ("received", "fed_back", "on_time", "visited", "dissuaded", "open"),
            "outreach": ("sessions", "attendees", "materials"),
            "cards": ("actions", "fines", "fines_fen")}
    return {f"{s}.{k}": out[s][k] for s, keys in keep.items() for k in keys}


def _clean(run, db):
    result = run("--db", db, "check")
    assert result.exit_code == 0, result.stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A county file and three station files, each with its own records, made once a
    module through the commands (each test merges copies: `files`)."""
    folder = tmp_path_factory.mktemp("merge")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("TONGWEI_"):
                patch.delenv(name)
        patch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
        patch.setenv("TONGWEI_OFFICER", OFFICER)
        patch.setenv("TONGWEI_LANG", "en")
        patch.setenv("COLUMNS", "200")
        settings.install(settings.Settings())
        try:
            run = Runner()
            county = folder / "county.db"
            run("--db", county, "init")
            _fill(run, county, "pingxiang", 1)
            for n, name in enumerate(STATIONS, 2):
                path = folder / f"{name}.db"
                result = run("--db", path, "init", "--station", name)
                assert f"station {STATIONS[name]}'s own file" in result.stderr
                _fill(run, path, STATIONS[name], n)
        finally:
            commands.close_db()
            settings._current = None
    return folder


@pytest.fixture
def files(built, tmp_path):
    """Copies of the module's county and station files, their keys where this test's
    commands look for them: (county, {name: (path, case number, warning number)})."""
    keys = Path(os.environ["XDG_CONFIG_HOME"]) / "tongwei" / "keys"
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    for key in (built / "config" / "tongwei" / "keys").iterdir():
        shutil.copyfile(key, keys / key.name)
        os.chmod(keys / key.name, 0o600)
    for name in ("county", *STATIONS):
        for suffix in ("", "-wal"):
            source = built / f"{name}.db{suffix}"
            if source.exists():
                shutil.copyfile(source, tmp_path / source.name)
    day = DAY.replace("-", "")
    made = {name: (tmp_path / f"{name}.db", f"TW{day}-{code.upper()}-001",
                   f"YJ{code[:2].upper()}{n}")
            for n, (name, code) in enumerate(STATIONS.items(), 2)}
    return tmp_path / "county.db", made


def test_a_station_file_numbers_its_records_with_its_code(files):
    county, made = files
    path, case_no, _ = made["平襄"]
    assert case_no == f"TW{DAY.replace('-', '')}-PINGXIANG-001"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT no FROM outreach").fetchone()[0].endswith("-PINGXIANG-001")
        assert conn.execute("SELECT no FROM card_actions").fetchone()[0].startswith(
            f"DK{DAY.replace('-', '')}-PINGXIANG-")


def test_three_stations_and_the_county_merge_into_the_sum_of_their_figures(run, files):
    county, made = files
    expected = _figures(run, county)
    for path, _, _ in made.values():
        for key, value in _figures(run, path).items():
            expected[key] += value
    result = run("--db", county, "merge", *[p for p, _, _ in made.values()])
    assert result.stdout.splitlines()[0] == (
        "merged from 平襄.db: 8 new, 0 unchanged, 0 corrected, 0 conflicts")
    assert _figures(run, county) == expected
    _clean(run, county)
    # The county's own numbering goes on as before, beside the stations'.
    run("--db", county, "case", "add", "--reported", DAY, "--type", "loan", "--station",
        "平襄", "--loss", "10")
    nos = [c["no"] for c in json.loads(run("--db", county, "case", "list", "--format",
                                             "json").stdout)]
    day = DAY.replace("-", "")
    assert f"TW{day}-002" in nos and f"TW{day}-MAYING-001" in nos
    assert sorted(nos)[0] == f"TW{day}-001"  # every number of the day sorts together

    again = run("--db", county, "merge", *[p for p, _, _ in made.values()])
    assert again.stdout.splitlines() == [
        f"nothing changed from {name}.db: 0 new, 8 unchanged, 0 corrected, 0 conflicts"
        for name in STATIONS]
    log = json.loads(run("--db", county, "audit", "list", "--format", "json").stdout)
    merges = [r for r in log if r["action"] == "merge"]
    assert len(merges) == 3  # the second merge wrote nothing
    after = json.loads(merges[0]["after"])
    assert after["new"] == 8 and after["station"] == "pingxiang"
    assert merges[0]["key"].split()[0] == after["database_id"]


def test_a_correction_on_one_side_comes_through_and_one_on_both_is_a_conflict(run, files):
    county, made = files
    path, case_no, warning = made["平襄"]
    run("--db", county, "merge", path)
    run("--db", path, "case", "update", case_no, "--loss", "5000")
    run("--db", county, "warning", "update", warning, "--note", "县局核实")
    result = run("--db", county, "merge", path)
    assert "0 new, 7 unchanged, 1 corrected, 0 conflicts" in result.stdout
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert shown["loss_fen"] == 500000
    assert json.loads(run("--db", county, "warning", "show", warning, "--format",
                          "json").stdout)["note"] == "县局核实"  # the county's change stays
    _clean(run, county)

    run("--db", path, "case", "update", case_no, "--victim-name", "王小明", "--loss", "6000")
    run("--db", county, "case", "update", case_no, "--victim-name", "李大明")
    result = run("--db", county, "merge", path, ok=False)
    assert result.exit_code == 1
    assert "1 conflicts" in result.stdout
    line = [x for x in result.stderr.splitlines() if "conflict" in x][0]
    assert case_no in line and "victim-name (county 李**, station 王**)" in line
    assert "loss (county 5000, station 6000)" in line
    assert "李大明" not in result.stderr and "王小明" not in result.stderr
    assert json.loads(run("--db", county, "case", "show", case_no, "--format",
                          "json").stdout)["loss_fen"] == 500000  # left as it was
    result = run("--db", county, "merge", path, "--prefer", "station")
    assert "1 corrected, 0 conflicts" in result.stdout
    revealed = json.loads(run("--db", county, "case", "show", case_no, "--reveal",
                              "--format", "json").stdout)
    assert (revealed["victim_name"], revealed["loss_fen"]) == ("王小明", 600000)
    assert "0 new, 8 unchanged" in run("--db", county, "merge", path).stdout
    _clean(run, county)


def test_a_tampered_station_file_is_refused_with_nothing_written(run, files):
    county, made = files
    path, _, _ = made["马营"]
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET officer = '冒名' WHERE id = 3")
    before = county.read_bytes()
    result = run("--db", county, "merge", path, ok=False)
    assert result.exit_code == 1
    assert "马营.db: its audit log is broken at row 3" in result.stderr
    assert "nothing was merged" in result.stderr
    assert json.loads(run("--db", county, "report", "range", "--from", DAY, "--to", DAY,
                          "--format", "json").stdout)["cases"]["reported"] == 1
    log = json.loads(run("--db", county, "audit", "list", "--format", "json").stdout)
    assert not [r for r in log if r["action"] == "merge"]
    del before


def test_a_bad_station_record_is_refused_naming_it_and_the_file(run, files, tmp_path):
    county, made = files
    path, case_no, _ = made["鸡川"]
    # The county has a case of that number, reported after the station's events: the case
    # is a conflict, and its events are refused as an import would refuse them.
    run("--db", county, "case", "add", "--no", case_no, "--reported", days_ago(1), "--type",
        "loan", "--station", "鸡川", "--loss", "100")
    before = _figures(run, county)
    result = run("--db", county, "merge", path, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 鸡川.db: 2 records refused; nothing was written"
    assert lines[1].strip().startswith(f"鸡川.db: the solved event of case {case_no} on {DAY}:"
                                       " date: ")
    assert "is before the case was reported" in lines[1]
    assert _figures(run, county) == before  # nothing of the file, the warnings included
    _clean(run, county)


def test_a_station_file_with_another_key_merges_with_key_file(run, files, tmp_path, sh,
                                                               monkeypatch):
    county, made = files
    station = tmp_path / "新景.db"
    key_file = tmp_path / "xinjing.key"
    env = {"TONGWEI_KEY_FILE": str(key_file), "XDG_CONFIG_HOME": str(tmp_path / "elsewhere")}
    for args in (["init", "--station", "新景"],
                 ["case", "add", "--reported", DAY, "--type", "loan", "--station", "新景",
                  "--loss", "800", "--victim-name", "欧阳修远", "--victim-phone",
                  "13500005678"]):
        made_ = sh("--db", station, *args, env=env)
        assert made_.returncode == 0, made_.stderr
    refused = sh("--db", county, "merge", station)
    assert refused.returncode == 1 and "is not here" in refused.stderr
    merged = sh("--db", county, "merge", station, "--key-file", key_file)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith("merged from 新景.db: 1 new")
    no = f"TW{DAY.replace('-', '')}-XINJING-001"
    shown = json.loads(sh("--db", county, "case", "show", no, "--reveal", "--format",
                          "json").stdout)
    assert (shown["victim_name"], shown["victim_phone"]) == ("欧阳修远", "13500005678")
    subprocess.run([*tongwei_exe(), "--db", str(county), "db", "compact"], check=False,
                   capture_output=True)
    raw = county.read_bytes()
    for wal in (county.with_name(county.name + "-wal"),):
        if wal.exists():
            raw += wal.read_bytes()
    assert "欧阳修远".encode() not in raw and b"13500005678" not in raw
    assert sh("--db", county, "check").returncode == 0


def test_merge_in_chinese_and_dry_run(run, files):
    county, made = files
    path, _, _ = made["平襄"]
    dry = run("--db", county, "merge", path, "--dry-run")
    assert "would merge from 平襄.db: 8 new" in dry.stdout
    assert "8 new" in run("--db", county, "merge", path, "--dry-run").stdout  # nothing kept
    zh = run("--db", county, "--lang", "zh", "merge", path)
    assert zh.stdout.startswith("已从 平襄.db 合并：新增 8 条，未变 0 条，更正 0 条，冲突 0 条")


def test_an_event_corrected_and_a_follow_up_removed_at_the_station_follow_in_the_county(
        run, files):
    """A corrected event is a new content (the old one gone at the station): the county
    takes the new one and drops the old, instead of counting both; a follow-up removed at
    the station goes in the county too; one the county changed since is left alone."""
    county, made = files
    path, case_no, warning = made["平襄"]
    run("--db", county, "merge", path)
    before = _figures(run, county)
    # the recovery (#2 in the timeline: solved, recover) was 1500 yuan, not 300
    run("--db", path, "case", "update-event", case_no, "2", "--amount", "1500")
    run("--db", path, "warning", "remove-followup", warning, "--at", f"{DAY} 10:00",
        "--method", "visit", "--reason", "错录")
    result = run("--db", county, "merge", path)
    assert "1 new" in result.stdout and "2 corrected, 0 conflicts" in result.stdout
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert [(e["kind"], e["amount_fen"]) for e in shown["events"]] == [
        ("solved", None), ("recover", 150000)]
    after = _figures(run, county)
    assert after["cases.recovered_fen"] == before["cases.recovered_fen"] - 30000 + 150000
    assert after["warnings.fed_back"] == before["warnings.fed_back"] - 1
    assert json.loads(run("--db", county, "warning", "show", warning, "--format",
                          "json").stdout)["followups"] == []
    assert "0 new" in run("--db", county, "merge", path).stdout  # and nothing more
    _clean(run, county)


# -- what the county keeps of its merges (migration 013) ---------------------------------

def test_merged_records_and_merge_sources_are_under_the_record_digests(run, files):
    """The bases a merge keeps decide whether a later merge takes the station's version or
    the county's: one changed in the sqlite3 shell is named by `tongwei check`."""
    county, made = files
    path, _, warning = made["平襄"]
    run("--db", county, "merge", path)
    _clean(run, county)
    with sqlite3.connect(county) as conn:
        with pytest.raises(sqlite3.OperationalError, match="tw_dirty"):
            conn.execute("UPDATE merged_records SET digest = '0' WHERE key = ?", (warning,))
        conn.execute("DROP TRIGGER merged_records_digest_update")
        conn.execute("UPDATE merged_records SET digest = '0' WHERE key = ?", (warning,))
        row = conn.execute("SELECT id FROM merged_records WHERE key = ?", (warning,)).fetchone()
        conn.execute("DROP TRIGGER merge_sources_digest_update")
        conn.execute("UPDATE merge_sources SET merges = 7")
    result = run("--db", county, "check", ok=False)
    assert result.exit_code == 1
    assert (f"records: merged_records row {row[0]} (warning {warning} from 平襄.db): changed "
            "without an audit row") in result.stdout
    assert "records: merge_sources row 1 (平襄.db): changed without an audit row" in result.stdout


def test_the_import_row_of_a_merge_holds_the_file_digest_and_the_chain_anchor(run, files):
    county, made = files
    path, _, _ = made["马营"]
    with sqlite3.connect(path) as conn:
        head = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    run("--db", county, "merge", path)
    with sqlite3.connect(county) as conn:
        size, sha, anchor = conn.execute("SELECT file_size, sha256, anchor FROM imports"
                                         " WHERE kind = 'merge'").fetchone()
    assert anchor == f"{head[0]}:{head[1]}"  # the station's chain, as it was read
    assert (size, sha) == (path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_county_file_merged_before_013_keeps_what_it_merged(run, tmp_path, monkeypatch):
    """Migration 013: the bases point to their station file by its row, the anchor moves
    from `sha256` to `anchor`, and both tables come under the record digests."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        before_migration(patch, "013")
        old = open_db(settings.current(), path, create=True)
        with old.write():
            old.conn.execute(
                "INSERT INTO merge_sources (db_id, station, file_name, merges, first_at,"
                " last_at, last_anchor, last_by) VALUES ('d' || hex(zeroblob(15)), 'maying',"
                " '马营.db', 1, '2026-11-30T08:00:00Z', '2026-11-30T08:00:00Z', '9:' ||"
                " hex(zeroblob(32)), 'x')")
            db_id = old.scalar("SELECT db_id FROM merge_sources")
            old.conn.executemany(
                "INSERT INTO merged_records (source, kind, key, key_id, digest)"
                " VALUES (?, ?, ?, 'k1', ?)", [(db_id, "warning", "YJ1", "a" * 32),
                                               (db_id, "case", "TW1", "b" * 32)])
            import_id = old.conn.execute(
                "INSERT INTO imports (kind, file_name, file_size, sha256, rows, imported,"
                " unchanged, updated, at, officer) VALUES ('merge', '马营.db', 1, 'c0ffee',"
                " 2, 2, 0, 0, '2026-11-30T08:00:00Z', 'x')").lastrowid
            old.audit("merge", "database", f"{db_id} 9:c0ffee", None,
                      {"import_id": import_id})
        old.close()
    _clean(run, path)  # (opened, and so migrated, with every migration)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT s.db_id, m.kind, m.key, m.digest FROM merged_records m"
                            " JOIN merge_sources s ON s.id = m.source ORDER BY m.id"
                            ).fetchall() == [(db_id, "case", "TW1", "b" * 32),
                                             (db_id, "warning", "YJ1", "a" * 32)]
        assert conn.execute("SELECT sha256, anchor FROM imports WHERE kind = 'merge'"
                            ).fetchone() == ("", "9:c0ffee")
        tagged = conn.execute("SELECT count(*) FROM record_digests WHERE tbl IN (11, 12)")
        assert tagged.fetchone()[0] == 3


# -- a void in the county ----------------------------------------------------------------

def test_a_record_void_in_the_county_stays_void_whichever_side_is_preferred(run, files):
    """The county voided a case the station has changed since: a conflict, listed as
    such; `--prefer station` settles it with the void standing (tongwei has no un-void),
    and the next merge finds nothing more to do."""
    county, made = files
    path, case_no, _ = made["平襄"]
    run("--db", county, "merge", path)
    run("--db", county, "case", "void", case_no, "--reason", "重复报案")
    run("--db", path, "case", "update", case_no, "--loss", "5000")
    result = run("--db", county, "merge", path, ok=False)
    assert result.exit_code == 1 and "1 conflicts" in result.stdout
    line = [x for x in result.stderr.splitlines() if case_no in x][0]
    assert line.startswith("warning: conflict, left unmerged (void in the county, it stays "
                           "void whichever --prefer is given): ")
    assert "loss (county 2000, station 5000)" in line
    settled = run("--db", county, "merge", path, "--prefer", "station")
    assert "0 new, 7 unchanged, 0 corrected, 0 conflicts" in settled.stdout
    assert "conflict settled: void in the county, it stays void (the station's version is " \
           "not taken): " in settled.stderr
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert (shown["status"], shown["loss_fen"]) == ("void", 200000)
    again = run("--db", county, "merge", path)
    assert again.stdout.startswith("nothing changed from 平襄.db: 0 new, 8 unchanged")
    _clean(run, county)


def test_what_a_station_adds_to_a_case_the_county_voided_is_set_aside_by_name(
        run, files, sh):
    """The county voided a case after merging it; the station then added an event to it
    and a follow-up naming it. The merge goes through (the rest of the file comes in):
    the event is left out and the follow-up comes in without its case, each named on
    stderr; the case stays void and out of the figures, the follow-up counts for its
    warning; the next merge finds nothing to do."""
    county, made = files
    path, case_no, warning = made["平襄"]
    run("--db", county, "merge", path)
    run("--db", county, "case", "void", case_no, "--reason", "重复报案")
    run("--db", path, "case", "event", case_no, "arrest", "--date", DAY)
    run("--db", path, "warning", "add", "--no", "YJPX9", "--received", f"{DAY} 11:00",
        "--level", "high", "--station", "pingxiang", "--phone", "13600005679")
    run("--db", path, "warning", "followup", "YJPX9", "--at", f"{DAY} 12:00", "--method",
        "visit", "--outcome", "defrauded", "--case", case_no)
    before = _figures(run, county)
    merged = sh("--db", county, "merge", path)
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith("merged from 平襄.db: 2 new, 8 unchanged, 0 corrected")
    assert (f"warning: skipped, case {case_no} is void in the county: the arrest event of "
            f"case {case_no} on {DAY}") in merged.stderr
    assert (f"warning: merged without its case, case {case_no} is void in the county: the "
            "visit follow-up of YJPX9 at ") in merged.stderr
    after = _figures(run, county)
    assert (after["cases.reported"], after["cases.arrested"]) == (before["cases.reported"], 0)
    assert after["warnings.received"] == before["warnings.received"] + 1
    assert after["warnings.visited"] == before["warnings.visited"] + 1
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert shown["status"] == "void" and "arrest" not in [e["kind"] for e in shown["events"]]
    followup = json.loads(run("--db", county, "warning", "show", "YJPX9", "--format",
                              "json").stdout)["followups"][0]
    assert (followup["outcome"], followup.get("case_no")) == ("defrauded", None)
    again = sh("--db", county, "merge", path, "--format", "json")
    assert again.returncode == 0 and json.loads(again.stdout)["written"] is False
    assert "skipped" not in again.stderr
    _clean(run, county)


def test_a_follow_up_the_station_corrected_to_name_a_case_the_county_voided_comes_in_unlinked(
        run, files, sh):
    """After a first merge the county voided a case, and the station corrected a follow-up
    to name it: the merge goes through, the follow-up corrected without the link to the
    void case and named on stderr and in the JSON; the next merge finds nothing to do."""
    county, made = files
    path, case_no, warning = made["平襄"]
    run("--db", county, "merge", path)
    run("--db", county, "case", "void", case_no, "--reason", "重复报案")
    run("--db", path, "warning", "followup", warning, "--at", f"{DAY} 10:00", "--method",
        "visit", "--outcome", "defrauded", "--case", case_no, "--update")
    merged = sh("--db", county, "merge", path, "--format", "json")
    assert merged.returncode == 0, merged.stderr
    result = json.loads(merged.stdout)
    assert (result["written"], result["new"], result["corrected"]) == (True, 0, 1)
    assert [(v["case"], v["how"]) for v in result["void_in_county"]] == [(case_no, "unlinked")]
    assert (f"warning: merged without its case, case {case_no} is void in the county: the "
            f"visit follow-up of {warning} at ") in merged.stderr
    followup = json.loads(run("--db", county, "warning", "show", warning, "--format",
                              "json").stdout)["followups"][0]
    assert (followup["outcome"], followup.get("case_no")) == ("defrauded", None)
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert shown["status"] == "void"
    again = sh("--db", county, "merge", path, "--format", "json")
    assert again.returncode == 0 and json.loads(again.stdout)["written"] is False
    assert "void in the county" not in again.stderr
    _clean(run, county)


# -- large files: batches ----------------------------------------------------------------

def _merged(county: Path, station: Path):
    """`merge_file` of `station` into `county`, in-process (for what the summary line does
    not show: the result's lists)."""
    db = open_db(settings.current(), county)
    try:
        return merge_file(db, station)
    finally:
        db.close()


def _station_of(run, folder: Path, n: int, prefix: str = "YJM", station: str = "平襄"
                ) -> Path:
    """A station file with `n` warnings (`prefix` and a number) and a follow-up of each,
    imported."""
    folder.mkdir()
    day = days_ago(3)
    (folder / "w.csv").write_text("no,received,level,station,phone\n" + "".join(
        f"{prefix}{i:05d},{day} {8 + i // 60 % 10:02d}:{i % 60:02d},low,{station},"
        f"1390000{i:04d}\n" for i in range(n)), "utf-8")
    (folder / "f.csv").write_text("warning,at,method,outcome\n" + "".join(
        f"{prefix}{i:05d},{day} 19:{i % 60:02d},{'visit' if i % 3 else 'phone'},dissuaded\n"
        for i in range(n)), "utf-8")
    path = folder / f"{station}.db"
    run("--db", path, "init", "--station", station)
    run("--db", path, "import", "warnings", folder / "w.csv")
    run("--db", path, "import", "followups", folder / "f.csv")
    return path


def _merged_peak(run, folder: Path, station: Path) -> int:
    """Peak Python memory of merging `station` into a new county file."""
    county = folder / "county.db"
    run("--db", county, "init")
    db = open_db(settings.current(), county)
    try:
        tracemalloc.start()
        result = merge_file(db, station)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    finally:
        db.close()
    assert result.written and result.new == len(result.conflicts) * 0 + result.new
    _clean(run, county)
    again = run("--db", county, "merge", station)
    assert again.stdout.startswith("nothing changed")
    return peak


def test_a_station_file_is_read_a_batch_at_a_time(run, tmp_path, monkeypatch):
    """Memory does not grow with the station file: 4 times the records, (nearly) the same
    peak -- here with batches of 20 records."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    small = _station_of(run, tmp_path / "small", 60)
    large = _station_of(run, tmp_path / "large", 240)
    (tmp_path / "warm").mkdir()
    _merged_peak(run, tmp_path / "warm", small)  # (everything imported once)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    peaks = _merged_peak(run, tmp_path / "a", small), _merged_peak(run, tmp_path / "b", large)
    assert peaks[1] < 1.3 * peaks[0], peaks


def test_what_a_station_warning_says_of_its_follow_ups_is_checked_against_them(
        run, files):
    """A merge brings a new warning in with its feedback time as the station's file has
    it, then its follow-ups: a feedback time changed behind tongwei's back in the station's
    file (no digest covers it: it is worked out from the follow-ups) is worked out again."""
    county, made = files
    path, _, warning = made["鸡川"]
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE warnings SET feedback_at = feedback_at + 86400 WHERE no = ?",
                     (warning,))
    run("--db", county, "merge", path)
    shown = json.loads(run("--db", county, "warning", "show", warning, "--format",
                           "json").stdout)
    assert shown["feedback_at"] == shown["followups"][0]["at"]
    _clean(run, county)


def test_the_same_event_twice_is_two_records(run, files, monkeypatch):
    """Two arrests of one case on one day, entered one by one, are two events: both come
    in (a batch never splits a case's events of one day)."""
    monkeypatch.setattr(merge_module, "BATCH", 1)
    county, made = files
    path, case_no, _ = made["马营"]
    for _ in range(2):
        run("--db", path, "case", "event", case_no, "arrest", "--date", DAY)
    expected = _figures(run, county)
    expected["cases.arrested"] += _figures(run, path)["cases.arrested"]
    run("--db", county, "merge", path)
    assert _figures(run, county)["cases.arrested"] == expected["cases.arrested"] == 2
    shown = json.loads(run("--db", county, "case", "show", case_no, "--format", "json").stdout)
    assert [e["kind"] for e in shown["events"]].count("arrest") == 2
    assert run("--db", county, "merge", path).stdout.startswith("nothing changed")
    _clean(run, county)


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(["no", "at", "note", "loss_fen", "voided", "x"]),
                       st.none() | st.text() | st.integers() | st.booleans()
                       | st.floats(allow_nan=False)))
def test_the_base_of_a_record_is_written_as_before(row):
    """The text a base digest is of is the same as `json.dumps` wrote it (bases kept
    before stay comparable); a follow-up's key too."""
    names = ("no", "at", "note", "loss_fen", "voided")
    assert merge_module.canonical(names)(row) == json.dumps(
        {n: row.get(n) for n in names}, ensure_ascii=False, sort_keys=True,
        separators=(",", ":"), default=str)
    followup = {"warning_no": str(row.get("note") or "YJ1"), "at": 1764547200,
                "method": "visit"}
    assert merge_module.Followups().key(followup) == json.dumps(
        [followup["warning_no"], followup["at"], followup["method"]])


def test_follow_ups_checked_apart_naming_a_case_the_county_voided_come_in_unlinked(
        run, tmp_path, monkeypatch):
    """The first follow-ups a county takes from a station, checked by the forked children:
    one naming a case the county voided since it merged it comes in without that link and
    is named (the children's notes come back with their batch); the others keep theirs."""
    monkeypatch.setattr(merge_module, "BATCH", 2)
    monkeypatch.setattr(merge_module, "APART", 1)
    station, county = tmp_path / "平襄.db", tmp_path / "county.db"
    run("--db", station, "init", "--station", "平襄")
    run("--db", county, "init")
    for n in (1, 2):
        run("--db", station, "case", "add", "--reported", DAY, "--type", "loan", "--station",
            "pingxiang", "--loss", "1000", "--victim-phone", f"1390000567{n}")
    void_no, kept_no = sorted(c["no"] for c in json.loads(
        run("--db", station, "case", "list", "--format", "json").stdout))
    run("--db", county, "merge", station)
    run("--db", county, "case", "void", void_no, "--reason", "重复报案")
    for n, case_no in enumerate((void_no, kept_no, void_no, kept_no, None)):
        run("--db", station, "warning", "add", "--no", f"YJPX{n}", "--received",
            f"{DAY} 09:00", "--level", "high", "--station", "pingxiang", "--phone",
            f"1380000567{n}")
        run("--db", station, "warning", "followup", f"YJPX{n}", "--at", f"{DAY} 10:00",
            "--method", "visit", "--outcome", "defrauded",
            *(("--case", case_no) if case_no else ()))
    result = _merged(county, station)
    assert (result.written, result.new) == (True, 10)
    assert sorted((what.split(" at ")[0], case, how) for what, case, how in result.set_aside) == [
        ("the visit follow-up of YJPX0", void_no, "unlinked"),
        ("the visit follow-up of YJPX2", void_no, "unlinked")]
    linked = {n: json.loads(run("--db", county, "warning", "show", f"YJPX{n}", "--format",
                                "json").stdout)["followups"][0].get("case_no")
              for n in range(5)}
    assert linked == {0: None, 1: kept_no, 2: None, 3: kept_no, 4: None}
    assert run("--db", county, "merge", station).stdout.startswith("nothing changed")
    _clean(run, county)


def test_a_first_merge_checked_apart_brings_every_record_and_refuses_a_bad_one(
        run, tmp_path, monkeypatch):
    """Many new warnings are opened, checked and sealed again by two forked children: the
    county gets every one of them, readable with its own key; a station file written by
    another program holding the station's key (its digests and chain verify) with a
    warning tongwei's checks refuse is refused whole, naming that warning."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 90)
    assert merge_module.Warnings().apart
    county = tmp_path / "county.db"
    run("--db", county, "init")
    result = _merged(county, station)
    assert (result.written, result.new) == (True, 180)
    shown = json.loads(run("--db", county, "warning", "show", "YJM00047", "--reveal",
                           "--format", "json").stdout)
    assert shown["phone"] == "13900000047" and len(shown["followups"]) == 1
    assert run("--db", county, "merge", station).stdout.startswith("nothing changed")
    _clean(run, county)

    sdb = open_db(settings.current(), station)
    try:
        with sdb.write():
            sdb.conn.execute("UPDATE warnings SET no = 'YJ M47' WHERE no = 'YJM00047'")
            sdb.audit("update", "warning", "YJM00047", {"no": "YJM00047"}, {"no": "YJ M47"})
    finally:
        sdb.close()
    other = tmp_path / "other.db"
    run("--db", other, "init")
    with pytest.raises(merge_module.MergeRefused) as refused:
        _merged(other, station)
    assert refused.value.lines()[0] == (
        "平襄.db: warning YJ M47: no: must not contain spaces or control characters")
    assert "follow-up of YJ M47" in refused.value.lines()[1]  # (its warning not merged)
    assert json.loads(run("--db", other, "warning", "list", "--format", "json").stdout) == []


def test_a_record_changed_behind_tongweis_back_is_found_when_many_are_merged(
        run, tmp_path, monkeypatch):
    """The warnings and follow-ups of a large station file are checked against their
    digests as they are merged (by the forked children, in the same snapshot): one changed
    with the `sqlite3` shell refuses the merge, naming it, with nothing written -- in a
    first merge (checked apart) as in a later one (checked here)."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    assert _merged(county, station).written  # (a first merge, before the change)
    run("--db", station, "warning", "add", "--no", "YJNEW1", "--received",
        f"{days_ago(3)} 09:00", "--level", "low", "--station", "平襄", "--phone",
        "13900001234")
    with sqlite3.connect(station) as conn:
        conn.create_function("tw_dirty", 3, lambda *_: None)  # (another program's own)
        conn.execute("UPDATE warnings SET note = '改过' WHERE no = 'YJM00047'")
        row_id = conn.execute("SELECT id FROM warnings WHERE no = 'YJM00047'").fetchone()[0]
    expected = (f"平襄.db: warnings row {row_id} (YJM00047): changed without an audit row"
                " (it no longer matches its digest); nothing was merged")
    for target in (county, tmp_path / "other.db"):  # (a later merge, then a first one)
        if not target.exists():
            run("--db", target, "init")
        before = json.loads(run("--db", target, "audit", "list", "--format", "json").stdout)
        result = run("--db", target, "merge", station, ok=False)
        assert result.exit_code == 1
        assert expected in result.stderr.replace("\n", " ")
        assert json.loads(run("--db", target, "audit", "list", "--format",
                              "json").stdout) == before
        assert "YJNEW1" not in run("--db", target, "warning", "list", "--format",
                                   "json").stdout


def test_follow_ups_merged_apart_find_warnings_merged_apart_by_the_station_ids(
        run, tmp_path, monkeypatch):
    """The warnings of a first merge checked apart are given their ids here in the
    station's order; the follow-ups merged apart after them find their warning by its id
    in the station file (not by asking this one): with warnings removed at the station
    (gaps in its ids) and a late second follow-up of an early warning, every follow-up is
    on its own warning here, with the times and outcomes the station had."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    for no in ("YJM00005", "YJM00040"):
        run("--db", station, "warning", "remove", no, "--reason", "重复推送")
    run("--db", station, "warning", "followup", "YJM00002", "--at", f"{days_ago(2)} 08:00",
        "--method", "visit", "--outcome", "defrauded")
    county = tmp_path / "county.db"
    run("--db", county, "init")
    result = _merged(county, station)
    assert (result.written, result.new) == (True, 58 + 59)

    def said(path: Path) -> list[tuple]:
        with sqlite3.connect(path) as conn:
            return sorted(conn.execute(
                "SELECT w.no, f.at, f.method, f.outcome, w.feedback_at, w.outcome"
                " FROM followups f JOIN warnings w ON w.id = f.warning_id"))

    assert said(county) == said(station)
    assert len(said(county)) == 59
    _clean(run, county)


def test_what_station_warnings_say_of_their_follow_ups_is_checked_when_many_are_merged(
        run, tmp_path, monkeypatch):
    """Every warning and follow-up of a station file merged apart into a new county file:
    the warnings come in saying what their follow-ups say -- checked in the station's file
    as they are read -- also when a feedback time and an outcome were changed there behind
    tongwei's back (no digest covers them: they are worked out from the follow-ups)."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    with sqlite3.connect(station) as conn:
        conn.execute("UPDATE warnings SET feedback_at = feedback_at + 86400"
                     " WHERE no = 'YJM00007'")
        conn.execute("UPDATE warnings SET outcome = 'defrauded' WHERE no = 'YJM00051'")
    county = tmp_path / "county.db"
    run("--db", county, "init")
    assert _merged(county, station).new == 120
    for no in ("YJM00007", "YJM00051"):
        shown = json.loads(run("--db", county, "warning", "show", no, "--format",
                               "json").stdout)
        assert shown["feedback_at"] == shown["followups"][0]["at"]
        assert shown["latest_outcome"] == "dissuaded"
    _clean(run, county)


def _bases_kept(path: Path) -> dict[str, tuple[int, int]]:
    """Per kind, how many bases a county file keeps in batches and in rows of their own."""
    with sqlite3.connect(path) as conn:
        batched = dict(conn.execute("SELECT kind, sum(json_array_length(keys))"
                                    " FROM merged_batches GROUP BY kind"))
        own = dict(conn.execute("SELECT kind, count(*) FROM merged_records GROUP BY kind"))
    return {kind: (batched.get(kind, 0), own.get(kind, 0)) for kind in {*batched, *own}}


def _first_merge_apart(run, tmp_path: Path, monkeypatch, n: int) -> tuple[Path, Path]:
    """A station file of `n` warnings and a follow-up of each, merged into a new county file
    checked apart (batches of 20): its bases are all kept by batch. (station, county)"""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", n)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    assert _merged(county, station).new == 2 * n
    assert _bases_kept(county) == {"warning": (n, 0), "followup": (n, 0)}
    return station, county


def test_the_bases_of_a_first_merge_checked_apart_are_kept_a_batch_to_a_row(
        run, tmp_path, monkeypatch):
    """A first merge of many records keeps their bases a batch to a row (migration 017),
    and they mean what a base of its own means: merged again, nothing changed; a station's
    correction comes through, the county's own stays, one made on both sides is a conflict
    settled by --prefer; a follow-up removed at the station goes in the county too, out of
    its batch; a batch changed in the `sqlite3` shell is named by `check`."""
    station, county = _first_merge_apart(run, tmp_path, monkeypatch, 60)
    with sqlite3.connect(county) as conn:
        assert conn.execute("SELECT count(*) FROM merged_batches").fetchone()[0] == 6
    assert run("--db", county, "merge", station).stdout.startswith(
        "nothing changed from 平襄.db: 0 new, 120 unchanged")

    run("--db", station, "warning", "update", "YJM00001", "--note", "派出所核实")
    run("--db", county, "warning", "update", "YJM00002", "--note", "县局核实")
    run("--db", station, "warning", "update", "YJM00003", "--note", "派出所说法")
    run("--db", county, "warning", "update", "YJM00003", "--note", "县局说法")
    run("--db", station, "warning", "remove-followup", "YJM00004", "--at",
        f"{days_ago(3)} 19:04", "--method", "visit", "--reason", "错录")
    result = run("--db", county, "merge", station, ok=False)
    assert result.exit_code == 1
    assert "0 new, 117 unchanged, 2 corrected, 1 conflicts" in result.stdout
    assert "warning YJM00003" in result.stderr and "note" in result.stderr

    def note(no: str) -> str | None:
        return json.loads(run("--db", county, "warning", "show", no, "--format",
                              "json").stdout)["note"]

    assert (note("YJM00001"), note("YJM00002"), note("YJM00003")) == (
        "派出所核实", "县局核实", "县局说法")
    assert json.loads(run("--db", county, "warning", "show", "YJM00004", "--format",
                          "json").stdout)["followups"] == []
    # (the settled warning has a base of its own now; the removed follow-up none at all)
    assert _bases_kept(county) == {"warning": (60, 1), "followup": (59, 0)}
    _clean(run, county)

    result = run("--db", county, "merge", station, "--prefer", "station")
    assert "1 corrected, 0 conflicts" in result.stdout
    assert note("YJM00003") == "派出所说法"
    assert run("--db", county, "merge", station).stdout.startswith("nothing changed")
    _clean(run, county)

    with sqlite3.connect(county) as conn:
        conn.execute("DROP TRIGGER merged_batches_digest_update")
        conn.execute("UPDATE merged_batches SET digests = upper(digests)"
                     " WHERE kind = 'warning' AND id = (SELECT min(id) FROM merged_batches)")
        row = conn.execute("SELECT min(id) FROM merged_batches").fetchone()[0]
    result = run("--db", county, "check", ok=False)
    assert result.exit_code == 1
    assert (f"records: merged_batches row {row} (warning batch of 20 from 平襄.db): changed"
            " without an audit row") in result.stdout.replace("\n", " ")
    # (a batch that no longer holds together: the merge says so in one line, nothing written)
    with sqlite3.connect(county) as conn:
        conn.execute("UPDATE merged_batches SET keys = '[\"YJM00001\"' WHERE id = ?", (row,))
    before = county.read_bytes()
    for language, said in (("en", f"merged_batches row {row} is damaged"),
                           ("zh", f"merged_batches 第 {row} 行已损坏")):
        result = run("--db", county, "merge", station, ok=False,
                     env={"TONGWEI_LANG": language})
        assert result.exit_code == 1 and said in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert county.read_bytes() == before


def test_bases_kept_by_batch_still_hold_after_the_county_rotates_its_key(
        run, tmp_path, monkeypatch):
    """A batch's digests are under the key they were made with (kept in the key file after a
    rotation): once the county has a new key, a correction made at the station comes
    through as a correction, not a conflict -- the county's record found as merged by the
    old key's digest -- and every base is kept again under the new key (rows of their own,
    as for any base made under an older key); merged again, nothing changed."""
    station, county = _first_merge_apart(run, tmp_path, monkeypatch, 40)
    run("--db", county, "db", "key", "rotate")
    run("--db", station, "warning", "update", "YJM00007", "--note", "派出所核实")
    assert run("--db", county, "merge", station).stdout.startswith(
        "merged from 平襄.db: 0 new, 79 unchanged, 1 corrected, 0 conflicts")
    assert json.loads(run("--db", county, "warning", "show", "YJM00007", "--format",
                          "json").stdout)["note"] == "派出所核实"
    assert _bases_kept(county) == {"warning": (40, 40), "followup": (40, 40)}
    assert run("--db", county, "merge", station).stdout.startswith("nothing changed")
    _clean(run, county)


# -- the forked children reading the station file themselves ---------------------------------

def _batches_given(monkeypatch) -> list[str]:
    """How each batch merged apart went to the forked children, as they were handed out:
    "ids" (its first and last ids: the child read the records itself) or "rows" (the
    records, read here and sent down the pipe)."""
    given: list[str] = []
    real = merge_module.in_two

    def handing(db, work, parts):
        def told():
            for part in parts:
                given.append("rows" if isinstance(part[0], list) else "ids")
                yield part
        return real(db, work, told())

    monkeypatch.setattr(merge_module, "in_two", handing)
    return given


def _held_by_another(path: Path) -> sqlite3.Connection:
    """Another connection holding `path`'s write lock (a station officer writing)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _content(path: Path) -> dict[str, list[tuple]]:
    """What a county file holds of the merged records, but for ciphertexts (sealed anew
    each time) and the moments they were written."""
    out = {}
    with sqlite3.connect(path) as conn:
        for table in ("warnings", "followups", "merged_records", "warning_days"):
            names = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                     if not r[1].endswith("_enc") and r[1] not in ("created_at", "updated_at")]
            out[table] = conn.execute(f"SELECT {', '.join(names)} FROM {table}"
                                      " ORDER BY 1, 2, 3").fetchall()
    return out


def test_children_reading_the_station_file_themselves_merge_what_they_were_sent(
        run, tmp_path, monkeypatch):
    """A first merge checked apart: the children read their batches of the station file
    themselves, by id range; while a station officer is writing to it (its write lock
    taken), the merge does not wait for them -- its records are then read here and sent to
    the children. Either way the county gets the same records (gaps in the station's ids,
    a late second follow-up), the same bases and totals, readable, its checks clean."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 90)
    for no in ("YJM00005", "YJM00040", "YJM00041"):
        run("--db", station, "warning", "remove", no, "--reason", "重复推送")
    run("--db", station, "warning", "followup", "YJM00002", "--at", f"{days_ago(2)} 08:00",
        "--method", "visit", "--outcome", "defrauded")
    direct, piped = tmp_path / "direct.db", tmp_path / "piped.db"
    run("--db", direct, "init")
    for suffix in ("", "-wal"):  # (the same file, the same key: the same blind indexes)
        if Path(f"{direct}{suffix}").exists():
            shutil.copyfile(f"{direct}{suffix}", f"{piped}{suffix}")
    given = _batches_given(monkeypatch)
    assert _merged(direct, station).new == 87 + 88
    assert set(given) == {"ids"} and len(given) == 5 + 5
    given.clear()
    officer = _held_by_another(station)
    try:
        assert _merged(piped, station).new == 87 + 88
    finally:
        officer.rollback()
        officer.close()
    assert set(given) == {"rows"} and len(given) == 5 + 5
    assert _content(direct) == _content(piped)
    assert len(_content(direct)["followups"]) == 88
    shown = [json.loads(run("--db", county, "warning", "list", "--reveal", "--format",
                            "json").stdout) for county in (direct, piped)]
    assert shown[0] == shown[1] and len(shown[0]) == 87
    assert "13900000047" in json.dumps(shown[0])
    for county in (direct, piped):
        _clean(run, county)
        assert run("--db", county, "merge", station).stdout.startswith("nothing changed")


def test_the_station_file_cannot_be_written_while_it_is_merged(run, tmp_path, monkeypatch):
    """While a merge reads the station file (and its children read it on their own), no
    one can write to it: what they read is what was verified."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    tried: list[str] = []
    real = merge_module.in_two

    def meanwhile(db, work, parts):
        officer = sqlite3.connect(station, timeout=0, isolation_level=None)
        try:
            officer.execute("BEGIN IMMEDIATE")
            officer.execute("ROLLBACK")
            tried.append("written")
        except sqlite3.OperationalError as exc:
            tried.append(str(exc))
        finally:
            officer.close()
        told.append(_waiting_for(station))  # (what an officer's write would be told)
        return real(db, work, parts)

    told: list[str] = []
    monkeypatch.setattr(merge_module, "in_two", meanwhile)
    assert _merged(county, station).new == 120
    assert tried == ["database is locked"] * 2  # (the warnings, then the follow-ups)
    assert all(line.startswith("waiting for another writer (a merge into county.db, for ")
               for line in told) and len(told) == 2, told
    assert _waiting_for(station) == "waiting for another writer to finish…"  # (no note left)
    officer = _held_by_another(station)  # (and once the merge is over, it is free again)
    officer.rollback()
    officer.close()


def test_a_station_file_that_cannot_be_written_merges_and_stays_as_it_was(
        run, tmp_path, monkeypatch):
    """A station file nobody may write (on a write-protected medium, say): the merge takes
    no lock it cannot have, brings every record in and changes nothing of the file."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    sqlite3.connect(station).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    before = hashlib.sha256(station.read_bytes()).hexdigest()
    with read_only(station):
        result = run("--db", county, "merge", station)
    assert result.stdout.startswith("merged from 平襄.db: 120 new")
    assert hashlib.sha256(station.read_bytes()).hexdigest() == before
    wal = Path(f"{station}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    _clean(run, county)


def test_children_that_cannot_open_the_station_file_are_sent_its_records(
        run, tmp_path, monkeypatch):
    """Where the station file lets no read-only connection in (tried before the children
    are forked), its records are read here and sent to them: the merge is the same."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    county = tmp_path / "county.db"
    run("--db", county, "init")

    def refused(path):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(merge_module, "connect_readonly", refused)
    given = _batches_given(monkeypatch)
    assert _merged(county, station).new == 120
    assert set(given) == {"rows"}
    _clean(run, county)


def test_a_record_changed_behind_tongweis_back_is_found_by_children_reading_it(
        run, tmp_path, monkeypatch):
    """A warning changed with the `sqlite3` shell in a station file whose records the
    children read themselves: the first merge is refused, naming it, nothing written."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    with sqlite3.connect(station) as conn:
        conn.create_function("tw_dirty", 3, lambda *_: None)  # (another program's own)
        conn.execute("UPDATE warnings SET note = '改过' WHERE no = 'YJM00047'")
        row_id = conn.execute("SELECT id FROM warnings WHERE no = 'YJM00047'").fetchone()[0]
    county = tmp_path / "county.db"
    run("--db", county, "init")
    before = json.loads(run("--db", county, "audit", "list", "--format", "json").stdout)
    given = _batches_given(monkeypatch)
    result = run("--db", county, "merge", station, ok=False)
    assert "ids" in given
    assert result.exit_code == 1
    assert (f"平襄.db: warnings row {row_id} (YJM00047): changed without an audit row"
            " (it no longer matches its digest); nothing was merged"
            in result.stderr.replace("\n", " "))
    assert json.loads(run("--db", county, "audit", "list", "--format", "json").stdout) == before
    assert json.loads(run("--db", county, "warning", "list", "--format", "json").stdout) == []


@pytest.mark.parametrize(("language", "found_by"), [("en", "parent"), ("zh", "child")])
def test_a_station_file_changed_while_it_is_merged_is_refused(
        run, tmp_path, monkeypatch, language, found_by):
    """Should the lock on the station file not hold (a file system that ignores it) and a
    station officer write to it once it is verified, what the children would read is not
    what was verified: its audit chain goes on past the anchor the merge verified. The
    merge is refused in one line, nothing written -- found as the children's connection
    is tried before they are forked, or (were it not tried) by a child itself."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 60)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    before = json.loads(run("--db", county, "audit", "list", "--format", "json").stdout)
    open_station, verify = merge_module.open_station, merge_module.verify_station

    def unlocked(*args, **kwargs):
        opened = open_station(*args, **kwargs)

        @contextmanager
        def held(wait_ms=0, holder=None):  # (a read that only believes it holds the lock)
            with opened.db.read():
                yield True

        opened.db.read_held = held
        return opened

    def then_written(opened):
        verify(opened)
        added = subprocess.run(
            [*tongwei_exe(), "--db", station, "warning", "add", "--no", "YJNEW1",
             "--received", f"{days_ago(3)} 09:00", "--level", "low", "--station", "平襄",
             "--phone", "13900001234"], capture_output=True, text=True)
        assert added.returncode == 0, added.stderr

    monkeypatch.setattr(merge_module, "open_station", unlocked)
    monkeypatch.setattr(merge_module, "verify_station", then_written)
    if found_by == "child":
        monkeypatch.setattr(merge_module, "_readable_apart", lambda station: True)
    result = run("--db", county, "merge", station, ok=False, env={"TONGWEI_LANG": language})
    assert result.exit_code == 1
    assert result.stderr.strip() == {
        "en": "error: FILE: 平襄.db changed while it was merged; nothing was merged: merge it"
              " again",
        "zh": "错误：FILE：平襄.db 在合并期间被改动；未合并任何内容：请重新合并"}[language]
    assert json.loads(run("--db", county, "audit", "list", "--format", "json").stdout) == before


def test_a_stations_first_merge_into_a_county_with_records_is_checked_apart(
        run, tmp_path, monkeypatch):
    """A county file that already holds other stations' warnings and follow-ups: a station
    merged for the first time, none of its warning numbers known here, has its warnings
    and follow-ups checked apart as into a new file -- and the county's figures are the sum
    of the two; a station file whose numbers the county already has is merged here, record
    by record: its warnings, another station's there, are conflicts, listed, none taken."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    first = _station_of(run, tmp_path / "a", 50, "YJA", "马营")
    second = _station_of(run, tmp_path / "b", 60, "YJB", "平襄")
    county = tmp_path / "county.db"
    run("--db", county, "init")
    assert _merged(county, first).new == 100
    given = _batches_given(monkeypatch)
    result = _merged(county, second)
    assert (result.written, result.new) == (True, 120)
    assert len(given) == 3 + 3  # (every batch of warnings and of follow-ups, apart)

    def counts(path: Path) -> tuple:
        figures = json.loads(run("--db", path, "report", "range", "--from", days_ago(3),
                                 "--to", days_ago(3), "--format", "json").stdout)
        return tuple(figures["warnings"][k] for k in ("received", "fed_back", "dissuaded"))

    assert counts(county) == tuple(a + b for a, b in zip(counts(first), counts(second),
                                                          strict=True)) == (110, 110, 110)
    _clean(run, county)
    # (each station's bases kept by batch, apart from the other's: neither finds a change)
    assert _bases_kept(county) == {"warning": (110, 0), "followup": (110, 0)}
    for station in (second, first):
        assert run("--db", county, "merge", station).stdout.startswith("nothing changed")

    third = _station_of(run, tmp_path / "c", 30, "YJB", "鸡川")  # (YJB00000… known here)
    given.clear()
    other = _merged(county, third)
    assert given == [] and other.new == 0 and len(other.conflicts) == 30
    _clean(run, county)


def test_a_station_file_on_a_write_protected_medium_is_merged_where_it_is(
        run, tmp_path, monkeypatch):
    """A station file brought on a write-protected medium, in a folder where SQLite cannot
    make the files its log needs: read in place, every record merged, nothing made beside
    it -- unless a log (`-wal`) beside it holds changes an in-place read would miss: then
    refused in one line naming the file, saying to copy both; nothing written."""
    monkeypatch.setattr(merge_module, "BATCH", 20)
    monkeypatch.setattr(merge_module, "APART", 10)
    station = _station_of(run, tmp_path / "s", 30)
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{station}{suffix}").exists()  # (the last connection took them)
    county = tmp_path / "county.db"
    run("--db", county, "init")
    before = sorted(p.name for p in station.parent.iterdir())
    with read_only(station.parent):
        result = run("--db", county, "merge", station)
    assert result.stdout.startswith("merged from 平襄.db: 60 new")
    assert sorted(p.name for p in station.parent.iterdir()) == before
    _clean(run, county)

    logged = tmp_path / "logged"
    logged.mkdir()
    shutil.copyfile(station, logged / station.name)
    (logged / f"{station.name}-wal").write_bytes(b"\0" * 4096)  # (a log with changes)
    other = tmp_path / "other.db"
    run("--db", other, "init")
    audit = json.loads(run("--db", other, "audit", "list", "--format", "json").stdout)
    with read_only(logged):
        results = {language: run("--db", other, "merge", logged / station.name, ok=False,
                                 env={"TONGWEI_LANG": language}) for language in ("en", "zh")}
    path = logged / station.name
    assert {language: (r.exit_code, r.stderr.replace("\n", " ").strip())
            for language, r in results.items()} == {
        "en": (1, f"error: FILE: {path} cannot be read where it is: 平襄.db-wal beside it holds"
                  " changes not yet in the file; copy both to a folder that can be written,"
                  " then use the copy"),
        "zh": (1, f"错误：FILE：{path} 无法在原处读取：旁边的 平襄.db-wal 中有尚未写入文件的改动；"
                  "请把两者一起复制到可写入的文件夹，再使用副本")}
    assert json.loads(run("--db", other, "audit", "list", "--format", "json").stdout) == audit
