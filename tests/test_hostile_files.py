"""Hostile files and careless paths: `tongwei import` refuses them with one line -- exit 1,
`error: FILE: …`, nothing written -- instead of storing garbled names, aborting the whole
process or reading forever. The spreadsheets are built here byte by byte (zipfile and
hand-written XML) or with openpyxl; a large sheet is one highly compressible part, so no
test writes more than a few MB."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import tongwei_exe


def nothing_written(db_path: Path) -> bool:
    if not db_path.exists():
        return True
    with sqlite3.connect(db_path) as conn:
        return all(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
                   for table in ("warnings", "imports", "institutions", "card_actions"))


def command(db_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The installed command in a subprocess: an abort shows as exit 134, a hang as a
    timeout, instead of taking pytest down with it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    env.update(TONGWEI_DB=str(db_path), TONGWEI_OFFICER="测试警官", TONGWEI_LANG="en")
    return subprocess.run([*tongwei_exe(), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def refused_by_command(db_path: Path, path: Path, message: str, timeout: float = 60) -> None:
    done = command(db_path, "import", "warnings", str(path), timeout=timeout)
    assert (done.returncode, done.stdout) == (1, ""), (done.returncode, done.stderr[-2000:])
    assert done.stderr == f"error: FILE: {message}\n"
    assert nothing_written(db_path)


# -- not a regular file -------------------------------------------------------------

@pytest.mark.parametrize("name", ["/dev/zero", "/dev/null", "fifo"])
def test_what_is_not_a_regular_file_is_refused_before_a_byte_is_read(db_path, tmp_path, name):
    path = Path(name)
    if name == "fifo":
        path = tmp_path / "warnings.csv"
        os.mkfifo(path)  # opening it would wait for a writer forever
    refused_by_command(db_path, path, f"{path} is not a regular file (a device, a pipe or a "
                       "socket): save the data in a file and import that", timeout=30)
