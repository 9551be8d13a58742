"""Beyond one file (issue 16): `tongwei export parquet`, the shipped figures.sql that
DuckDB runs over exported folders, and the browse_* views a person opens with Datasette.

The figures test is the contract: the demo data exported by three differently named
counties, side by side, and DuckDB's figures over the folders equal `tongwei report range
--format json`, county by county and summed."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from tongwei_cli.core import settings
from tongwei_cli.reports.figures import RATES, SECTIONS, rate
from tongwei_cli.reports.warehouse import DATASETS, figures_sql
from tongwei_cli.storage import keys
from tongwei_cli.storage.db import open_db

duckdb = pytest.importorskip("duckdb", reason="duckdb is a test dependency: pip install "
                             "-e '.[test]'")
pq = pytest.importorskip("pyarrow.parquet")

COUNTIES = ("通渭县", "陇西县", "渭源县")
PERIODS = (("2026-09-01", "2026-11-28"), ("2026-10-01", "2026-10-31"),
           ("2026-11-28", "2026-11-28"), ("2026-11-20", "2026-11-27"))
FULL_PHONE = re.compile(r"1[3-9]\d{9}")
FULL_ID = re.compile(r"\d{17}[\dXx]")


def county_file(run, monkeypatch, folder: Path, county: str) -> Path:
    """A county's file with the demo data, and its export in folder/<county>."""
    path = folder / f"{county}.db"
    run("--db", path, "demo")
    monkeypatch.setenv("TONGWEI_COUNTY", county)
    run("--db", path, "export", "parquet", folder / "exports" / county)
    return path


def duck(engine_sql: str) -> list[dict]:
    con = duckdb.connect()
    try:
        cursor = con.execute(engine_sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def report_figures(run, path: Path, first: str, last: str) -> dict:
    """`report range --format json`'s four sections, flattened as figures.sql names them."""
    report = json.loads(run("--db", path, "report", "range", "--from", first, "--to", last,
                            "--format", "json").stdout)
    return {f"{section}_{key}": report[section][key]
            for section, keys_ in SECTIONS.items() for key in keys_}


def summed(rows: list[dict]) -> dict:
    """The counties' figures added up; rates again from the sums, as tongwei rounds them."""
    total = {k: sum(r[k] for r in rows) for k in rows[0]
             if not k.endswith("_rate")}
    for key, part in RATES.items():
        total[f"warnings_{key}"] = rate(total[f"warnings_{part}"], total["warnings_received"])
    return total


@pytest.mark.slow
def test_duckdb_reproduces_report_range_for_each_county_and_all_together(
        run, monkeypatch, tmp_path):
    paths = {county: county_file(run, monkeypatch, tmp_path, county) for county in COUNTIES}
    # the three differ: one more case and session in the second, a case voided in the third
    second, third = paths[COUNTIES[1]], paths[COUNTIES[2]]
    run("--db", second, "case", "add", "--no", "LX-1", "--reported", "2026-10-09", "--type",
        "loan", "--station", "平襄", "--loss", "5000.50")
    run("--db", second, "outreach", "add", "--date", "2026-10-10", "--station", "马营",
        "--audience", "students", "--form", "lecture", "--venue", "第二中学", "--attendees",
        "80", "--materials", "200")
    voided = sqlite3.connect(third).execute(
        "SELECT no FROM cases WHERE reported >= '2026-10-01' AND loss_fen > 0 LIMIT 1"
    ).fetchone()[0]
    run("--db", third, "case", "void", voided, "--reason", "重复录入")
    for county in COUNTIES[1:]:
        monkeypatch.setenv("TONGWEI_COUNTY", county)
        run("--db", paths[county], "export", "parquet", tmp_path / "exports" / county)

    for first, last in PERIODS:
        period = (date.fromisoformat(first), date.fromisoformat(last))
        expected = {c: report_figures(run, p, first, last) for c, p in paths.items()}
        if first <= "2026-10-09" <= last:
            assert len({json.dumps(e, sort_keys=True) for e in expected.values()}) == 3

        # one county's folder
        one = duck(figures_sql("duckdb", str(tmp_path / "exports" / COUNTIES[0]), *period))
        assert [r["county"] for r in one] == [COUNTIES[0], None]
        assert {k: v for k, v in one[0].items() if k != "county"} == expected[COUNTIES[0]]

        # the three side by side
        rows = duck(figures_sql("duckdb", str(tmp_path / "exports" / "*"), *period))
        by_county = {r.pop("county"): r for r in rows}
        assert set(by_county) == {*COUNTIES, None}
        for county in COUNTIES:
            assert by_county[county] == expected[county], (county, first, last)
        assert by_county[None] == summed(list(expected.values())), (first, last)


def test_an_export_of_some_days_holds_their_figures_and_replaces_the_last(
        run, monkeypatch, tmp_path):
    path = county_file(run, monkeypatch, tmp_path, "通渭县")
    folder = tmp_path / "exports" / "通渭县"
    every = {kind: pq.read_table(folder / f"kind={kind}").num_rows for kind in DATASETS}
    run("--db", path, "export", "parquet", folder, "--from", "2026-11-01", "--to",
        "2026-11-28")
    some = {kind: pq.read_table(folder / f"kind={kind}") for kind in DATASETS}
    assert all(0 < some[k].num_rows < every[k] for k in ("cases", "warnings", "followups"))
    assert min(some["cases"].column("reported").to_pylist()) >= date(2026, 11, 1)
    assert min(some["warnings"].column("received_date").to_pylist()) >= date(2026, 11, 1)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no work left behind
    rows = duck(figures_sql("duckdb", str(folder), date(2026, 11, 1), date(2026, 11, 28)))
    assert {k: v for k, v in rows[0].items() if k != "county"} == \
        report_figures(run, path, "2026-11-01", "2026-11-28")


def test_the_export_holds_no_personal_value_in_the_clear(run, monkeypatch, tmp_path):
    path = county_file(run, monkeypatch, tmp_path, "通渭县")
    folder = tmp_path / "exports" / "通渭县"
    tables = {kind: pq.read_table(folder / f"kind={kind}") for kind in DATASETS}
    clear = set()  # the sample's names, phones and ID numbers as they were imported
    for name, fields in (("warnings.csv", ("phone", "name", "id")),
                         ("cases.csv", ("victim-name", "victim-phone", "victim-id"))):
        with open(settings.data_dir() / "sample" / name, encoding="utf-8-sig") as f:
            clear |= {row[k] for row in csv.DictReader(f) for k in fields if row[k]}
    assert len(clear) > 100
    for kind, table in tables.items():
        assert table.column_names[0] == "county", kind
        assert set(table.column("county").to_pylist()) == {"通渭县"}, kind
        assert [c.name for c in DATASETS[kind].columns] == \
            [n for n in table.column_names if n not in ("kind", "year")]
        assert not [n for n in table.column_names if n.endswith(("_enc", "_bi"))], kind
        for name in table.column_names:
            for value in table.column(name).to_pylist():
                if isinstance(value, str):
                    assert value not in clear, (kind, name, value)
                    assert not FULL_PHONE.fullmatch(value) and not FULL_ID.fullmatch(value)
    warnings = tables["warnings"].to_pylist()
    assert all(w["phone"].count("*") == 4 for w in warnings)

    # the pseudonym: HMAC-SHA256 under the key's pseudonym subkey of the blind index
    db = open_db(settings.current(), path)
    try:
        secret = keys.current(db).subkey("pseudonym")
        stored = dict(db.query("SELECT no, phone_bi FROM warnings"))
    finally:
        db.close()
    for w in warnings:
        index = stored[w["no"]].to_bytes(8, "big", signed=True)
        assert w["phone_pseudonym"] == hmac.new(secret, index, hashlib.sha256).hexdigest()[:16]
    # ... the same for one phone in a warning and in the case of its victim: repeat victims
    # are counted without a name
    by_no = {w["no"]: w for w in warnings}
    linked = [(c, by_no[c["warning"]]) for c in tables["cases"].to_pylist()
              if c["warning"] in by_no and c["victim_phone"] == by_no[c["warning"]]["phone"]]
    assert linked
    assert all(c["victim_phone_pseudonym"] == w["phone_pseudonym"] for c, w in linked)


def test_a_file_without_records_exports_empty_datasets_with_their_columns(run, tmp_path):
    path = tmp_path / "empty.db"
    run("--db", path, "init")
    run("--db", path, "export", "parquet", tmp_path / "out")
    for kind, dataset in DATASETS.items():
        table = pq.read_table(tmp_path / "out" / f"kind={kind}" / "year=__HIVE_DEFAULT_PARTITION__"
                              / "part-0.parquet")
        assert table.num_rows == 0
        assert table.column_names == [c.name for c in dataset.columns]


def test_bad_bounds_and_a_file_for_a_folder_are_refused(run, tmp_path):
    run("init")
    result = run("export", "parquet", tmp_path / "out", "--from", "2026-11-02", "--to",
                 "2026-11-01", ok=False)
    assert result.exit_code == 1 and "--to" in result.stderr
    assert not (tmp_path / "out").exists()
    (tmp_path / "file").write_text("x")
    result = run("export", "parquet", tmp_path / "file", ok=False)
    assert result.exit_code != 0 and "file" in result.stderr


def test_without_the_key_nothing_is_exported(run, monkeypatch, tmp_path):
    run("init")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "another-login"))  # no key there
    result = run("export", "parquet", tmp_path / "out", ok=False)
    assert result.exit_code == 1 and "key" in result.stderr
    assert not (tmp_path / "out").exists()


# -- browsing the file ----------------------------------------------------------------------

def test_the_views_show_local_times_chinese_names_and_masked_people(run):
    run("demo")
    conn = sqlite3.connect(settings.current().db_path)
    conn.row_factory = sqlite3.Row
    warning = dict(conn.execute("SELECT * FROM browse_warnings WHERE no = 'YJ2026090100001'")
                   .fetchone())
    stored = conn.execute("SELECT received_at FROM warnings WHERE no = 'YJ2026090100001'"
                          ).fetchone()[0]
    assert warning["received"] == time.strftime("%Y-%m-%d %H:%M",
                                                time.gmtime(stored + 8 * 3600))
    assert warning["station"].endswith("派出所") and warning["level"].endswith("风险")
    assert warning["phone"] == "138****0001"
    for view in ("browse_cases", "browse_warnings", "browse_followups", "browse_outreach",
                 "browse_card_actions", "browse_campaigns"):
        cursor = conn.execute(f"SELECT * FROM {view}")
        names = [d[0] for d in cursor.description]
        assert not [n for n in names if n.endswith(("_enc", "_bi", "_at"))], view
        for row in cursor.fetchall():
            for value in row:
                assert not isinstance(value, bytes), view
                if isinstance(value, int):  # counts and ages, never a moment
                    assert value < 10**6, (view, value)
                if isinstance(value, str):
                    assert not FULL_PHONE.search(value) and not FULL_ID.search(value)
    conn.close()
    assert run("check").exit_code == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_datasette_serves_the_views_with_their_metadata(run, tmp_path):
    pytest.importorskip("datasette", reason="datasette is a test dependency: pip install "
                        "-e '.[test]' (it could not be installed here)")
    run("demo")
    metadata = settings.data_dir() / "datasette" / "metadata.json"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(settings.current().db_path),
         "--metadata", str(metadata), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/tongwei"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/browse_warnings.json?_shape=array"
                                            "&no=YJ2026090100001", timeout=5) as answer:
                    rows = json.load(answer)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(server.stderr.read().decode())
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not answer")
        with urllib.request.urlopen(f"{base}/browse_warnings", timeout=5) as answer:
            page = answer.read().decode()
        with urllib.request.urlopen(f"{base}.json", timeout=5) as answer:
            tables = {t["name"]: t["hidden"] for t in json.load(answer)["tables"]}
    finally:
        server.terminate()
        server.wait(timeout=10)
    (row,) = rows
    assert re.fullmatch(r"2026-09-01 \d\d:\d\d", row["received"])
    assert row["phone"] == "138****0001" and row["station"].endswith("派出所")
    assert "预警 · Early warnings" in page and "反馈期限 · Feedback deadline" in page
    # (a merge's bookkeeping: the keyed bases of every record merged, the station files)
    assert tables["merged_records"] is True and tables["merge_sources"] is True
    assert tables["audit"] is False


def test_the_datasette_metadata_names_every_table_titled_or_hidden(run):
    """Every table of a file is either given a title or hidden in the shipped metadata
    (the raw tables and the bookkeeping, a merge's keyed bases among them, are not
    browsed): a table a migration adds is not shown raw by default."""
    run("init")
    metadata = json.loads((settings.data_dir() / "datasette" / "metadata.json").read_text(
        "utf-8"))
    (described,) = metadata["databases"].values()
    conn = sqlite3.connect(settings.current().db_path)
    tables = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    assert tables - set(described["tables"]) == set()
    assert described["tables"]["merged_records"] == {"hidden": True}
    assert described["tables"]["merge_sources"] == {"hidden": True}


def test_the_readme_documents_every_column_of_every_dataset():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for kind, dataset in DATASETS.items():
        table = readme.split(f"`kind={kind}` — partitioned by the year of `{dataset.by}`")[1]
        table = table.split("\n\n")[1]
        documented = re.findall(r"^\| `(\w+)` \| ([^|]+) \|", table, re.M)
        assert [name for name, _ in documented] == [c.name for c in dataset.columns], kind
