"""Whatever a buggy spreadsheet export holds, `import` answers with our error or imports:
it never crashes. (hypothesis over the file readers, header mapping and row checks)"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fresh_database
from tongwei_cli.core import settings as tw_settings
from tongwei_cli.core.errors import TongweiError
from tongwei_cli.imports.engine import run_import
from tongwei_cli.storage.db import open_db

HEADERS = ["no", "received", "level", "station", "phone", "name", "id", "预警编号", "预警时间",
           "风险等级", "管辖单位", "手机号码", "身份证号", "kind", "type", "", "no"]
CELLS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["高风险", "平襄派出所", "13800000001", "2026/1/2 3:04", "2026-13-40 25:61",
                     "=cmd|' /C calc'!A0", "1e309", "NaN", "\x00", "，", '"', "\ufeff"]),
    st.integers().map(str),
)
counter = itertools.count()
FOLDER = tempfile.TemporaryDirectory()


def fresh_db():
    tw_settings.install(tw_settings.Settings(officer="fuzz", lang="en"))
    path = Path(FOLDER.name) / f"f{next(counter)}.db"
    fresh_database(path)  # (a copy: migrating a new file each example was most of the time)
    return open_db(tw_settings.current(), path)


def attempt(path: Path, kind: str = "warnings") -> None:
    db = fresh_db()
    try:
        run_import(db, kind, path, dry_run=True)
    except TongweiError:
        pass
    finally:
        db.close()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8),
       rows=st.lists(st.lists(CELLS, max_size=9), max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_csv_is_imported_or_refused_with_our_error(header, rows, encoding):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path = Path(FOLDER.name) / f"in{next(counter)}.csv"
    path.write_bytes(buffer.getvalue().encode(encoding, "replace"))
    attempt(path)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_any_bytes_are_refused_with_our_error(data, suffix):
    path = Path(FOLDER.name) / f"junk{next(counter)}{suffix}"
    path.write_bytes(data)
    attempt(path)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                          lambda children: st.lists(children, max_size=3)
                          | st.dictionaries(st.sampled_from(HEADERS), children, max_size=4),
                          max_leaves=10))
def test_any_json_is_imported_or_refused_with_our_error(value):
    import json

    path = Path(FOLDER.name) / f"j{next(counter)}.json"
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    attempt(path, "cases")
