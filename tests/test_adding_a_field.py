"""The README's promise: adding a field to a kind of record is one line in its declaration
(core/fields.py) and one migration. Tried on a copy of the package, through the command."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINE = '    Field("victim_job", "职业", "Occupation", "Victim\'s occupation."),\n'


@pytest.mark.slow
def test_one_declaration_line_and_one_migration_add_a_field(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "tongwei_cli", tmp_path / "tongwei_cli",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", tmp_path / "data")
    fields = tmp_path / "tongwei_cli" / "core" / "fields.py"
    text = fields.read_text("utf-8")
    anchor = ('    Field("summary", "简要案情", "Summary", "Short account of what happened.",'
              ' free=True),\n')
    assert anchor in text
    fields.write_text(text.replace(anchor, anchor + LINE), "utf-8")
    sql = tmp_path / "tongwei_cli" / "storage" / "sql"
    last = max(int(p.name[:3]) for p in sql.glob("[0-9][0-9][0-9]_*.sql"))
    (sql / f"{last + 1:03d}_victim_job.sql").write_text(
        "ALTER TABLE cases ADD COLUMN victim_job TEXT;\n", "utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update(PYTHONPATH=str(tmp_path), TONGWEI_DB=str(tmp_path / "t.db"),
               TONGWEI_OFFICER="t", TONGWEI_LANG="en")

    def tw(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "tongwei_cli", *args], env=env,
                                capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert result.returncode == 0, result.stderr
        return result

    tw("init")
    assert "--victim-job" in tw("case", "add", "--help").stdout
    tw("case", "add", "--no", "J1", "--reported", "2026-11-20", "--type", "刷单",
       "--station", "平襄", "--loss", "100", "--victim-job", "教师")
    assert json.loads(tw("case", "show", "J1", "--format", "json").stdout)["victim_job"] == "教师"
    tw("case", "update", "J1", "--victim-job", "农民")
    assert json.loads(tw("case", "show", "J1", "--format", "json").stdout)["victim_job"] == "农民"
    tw("case", "update", "J1", "--victim-job", "-")
    assert json.loads(tw("case", "show", "J1", "--format", "json").stdout)["victim_job"] is None

    rows = tmp_path / "cases.csv"
    with rows.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["no", "reported", "type", "station", "loss", "victim_job"])
        writer.writerow(["J2", "2026-11-21", "刷单", "平襄", "200", "学生"])
    assert "victim-job" in tw("import", "cases", "--help").stdout
    tw("import", "cases", str(rows))
    assert json.loads(tw("case", "show", "J2", "--format", "json").stdout)["victim_job"] == "学生"
