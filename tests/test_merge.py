"""Stations and the county: `tongwei init --station S` and `tongwei merge FILE…`.

Three station files and a county file, each made with the commands, merge into one whose
figures are the sum of theirs; a second merge changes nothing; a station's correction
comes through; a correction on both sides is a conflict, listed and settled by --prefer; a
tampered station file is refused with nothing written; a station file with another key
merges with --key-file, its personal data readable (and only sealed) in the county."""

from __future__ import annotations

import json
import sqlite3
import subprocess

import pytest

from tests.conftest import days_ago, tongwei_exe

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
    keep = {"cases": ("reported", "loss_fen", "solved", "recovered_fen"),
            "warnings": ("received", "fed_back", "on_time", "visited", "dissuaded", "open"),
            "outreach": ("sessions", "attendees", "materials"),
            "cards": ("actions", "fines", "fines_fen")}
    return {f"{s}.{k}": out[s][k] for s, keys in keep.items() for k in keys}


def _clean(run, db):
    result = run("--db", db, "check")
    assert result.exit_code == 0, result.stdout


@pytest.fixture
def files(run, tmp_path):
    """A county file and three station files, each with its own records."""
    county = tmp_path / "county.db"
    run("--db", county, "init")
    _fill(run, county, "pingxiang", 1)
    made = {}
    for n, name in enumerate(STATIONS, 2):
        path = tmp_path / f"{name}.db"
        result = run("--db", path, "init", "--station", name)
        assert f"station {STATIONS[name]}'s own file" in result.stderr
        made[name] = (path, *_fill(run, path, STATIONS[name], n))
    return county, made


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
