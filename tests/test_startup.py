"""Start-up: the help, write, list and CSV import paths of the installed command load neither
pandas, numpy nor sqlite_utils (PRODUCT.md, "Speed and scale"; issue 7).

Each command runs as a script would run it -- the installed `tongwei`, in a subprocess --
with `PYTHONPROFILEIMPORTTIME=1`, so that Python itself lists on stderr every module the
process imported. No timings are asserted here: `benchmarks/run.py` measures those.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import days_ago, tongwei_exe

HEAVY = ("pandas", "numpy", "sqlite_utils", "pyarrow", "duckdb")


def imported_modules(stderr: str) -> set[str]:
    """Module names from `-X importtime` lines: `import time: 12 | 34 |   pkg.mod`."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name)
    return names


@pytest.fixture
def probe(db_path):
    """Runs the installed command and returns (result, the heavy modules it imported)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGWEI_", "PYTHON"))}
    env.update({"TONGWEI_DB": str(db_path), "TONGWEI_OFFICER": "测试警官",
                "TONGWEI_LANG": "en", "COLUMNS": "200"})

    def call(*args: str, ok: bool = True):
        result = subprocess.run([*tongwei_exe(), *map(str, args)], capture_output=True,
                                text=True, input="", timeout=120,
                                env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
        if ok:
            assert result.returncode == 0, result.stderr[-2000:]
        loaded = imported_modules(result.stderr)
        assert "tongwei_cli" in loaded, "the import-time probe saw nothing"
        heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
        return result, heavy

    # Migrations legitimately load sqlite_utils: the file is migrated first.
    call("init")
    return call


@pytest.mark.slow
def test_help_and_every_single_record_path(probe):
    yesterday = days_ago(1)
    commands = [
        ("--help",),
        ("case", "add", "--no", "S1", "--reported", yesterday, "--type", "loan", "--station",
         "平襄", "--loss", "1200"),
        ("case", "event", "S1", "filed", "--date", yesterday),
        ("warning", "add", "--no", "W1", "--received", f"{yesterday} 09:30", "--level", "high",
         "--station", "平襄", "--phone", "13800000001"),
        ("warning", "followup", "W1", "--at", f"{yesterday} 10:00", "--method", "phone",
         "--outcome", "dissuaded"),
        ("outreach", "add", "--date", yesterday, "--station", "平襄", "--audience", "students",
         "--form", "lecture", "--venue", "通渭县第一中学", "--venue-kind", "school",
         "--attendees", "120", "--materials", "300"),
        ("cards", "action", "--date", yesterday, "--institution", "通渭农商银行",
         "--institution-kind", "bank", "--kind", "inspection"),
        ("case", "list"),
        ("warning", "list"),
    ]
    for argv in commands:
        _, heavy = probe(*argv)
        assert heavy == [], (argv, heavy)


@pytest.mark.slow
def test_csv_import_path(probe, tmp_path):
    received = f"{days_ago(2)} 08:00"
    path = tmp_path / "warnings.csv"
    path.write_text("no,received,level,station,phone\n"
                    f"W10,{received},high,平襄,13800000010\n"
                    f"W11,{received},low,马营,13800000011\n", encoding="utf-8")
    result, heavy = probe("import", "warnings", path)
    assert "imported 2" in result.stdout
    assert heavy == []


@pytest.mark.slow
def test_the_probe_sees_a_heavy_import(probe, db_path):
    """The probe itself works: migrating a new file does load sqlite_utils."""
    fresh = db_path.parent / "fresh.db"
    _, heavy = probe("--db", fresh, "init")
    assert "sqlite_utils" in heavy


@pytest.mark.slow
def test_a_command_loads_its_own_strand_and_no_catalogue(probe):
    """`tongwei case add` imports the `case` strand's command module and none of the other
    strands' (only the command about to run is built, and of its group only that command);
    under zh, a run that shows no help and no error does not load the Chinese catalogue --
    a help page or an error does, when it is shown."""
    result, _ = probe("--lang", "zh", "case", "add", "--reported", days_ago(1), "--type",
                      "loan", "--station", "平襄", "--loss", "100")
    loaded = imported_modules(result.stderr)
    commands = {m.rsplit(".", 1)[1] for m in loaded if m.startswith("tongwei_cli.commands.")}
    assert commands <= {"cases", "options", "completion", "click_api", "chinese"}, commands
    assert "tongwei_cli.core.words_zh" not in loaded
    page, _ = probe("--lang", "zh", "case", "add", "-h")
    assert "登记诈骗案件" in page.stdout
    assert "tongwei_cli.core.words_zh" in imported_modules(page.stderr)
