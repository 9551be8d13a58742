"""Hostile files and careless paths: `tongwei import` refuses them with one line -- exit 1,
`error: FILE: …`, nothing written -- instead of storing garbled names, aborting the whole
process or reading forever. The spreadsheets are built here byte by byte (zipfile and
hand-written XML) or with openpyxl; a large sheet is one highly compressible part, so no
test writes more than a few MB."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.conftest import days_ago, tongwei_exe
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.imports import engine, readers

HEADER = "no,received,level,station,phone,name\n"


def line(i: int, name: str = "张伟", station: str = "平襄派出所", level: str = "高风险") -> str:
    return f"YJ{i:04d},{days_ago(3)} 08:{i % 60:02d},{level},{station},1380000{i:04d},{name}\n"


def nothing_written(db_path: Path) -> bool:
    if not db_path.exists():
        return True
    with sqlite3.connect(db_path) as conn:
        return all(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
                   for table in ("warnings", "imports", "institutions", "card_actions"))


def refused(result, message: str) -> None:
    """One line on stderr, exit 1, nothing on stdout."""
    assert (result.exit_code, result.stdout) == (1, ""), (result.stdout, result.stderr)
    assert result.stderr == f"error: FILE: {message}\n"


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


# -- CSV: one encoding a file --------------------------------------------------------

def test_a_gb18030_row_under_utf8_ones_is_refused_not_garbled(run, db_path, tmp_path):
    path = tmp_path / "预警.csv"
    path.write_bytes((HEADER + "".join(line(i) for i in range(2, 7))).encode()
                     + line(7).encode("gb18030") + line(8).encode())
    refused(run("import", "warnings", path, ok=False),
            "line 7 is GB18030 but lines before it are UTF-8: save the file in one encoding")
    assert nothing_written(db_path)


def test_a_utf8_row_in_a_gb18030_file_is_refused_though_it_decodes(run, db_path, tmp_path):
    # 张伟 in UTF-8 is "寮犱紵" in GB18030: without the check the row imports, garbled.
    utf8 = line(7, station="pingxiang", level="high").encode()
    utf8.decode("gb18030")
    path = tmp_path / "预警.csv"
    path.write_bytes((HEADER + "".join(line(i) for i in range(2, 7))).encode("gb18030")
                     + utf8 + line(8).encode("gb18030"))
    refused(run("import", "warnings", path, ok=False),
            "line 7 is UTF-8 but lines before it are GB18030: save the file in one encoding")
    assert nothing_written(db_path)


def test_a_mixed_cards_file_creates_no_second_institution(run, db_path, tmp_path):
    header = "date,institution,kind,institution-kind\n"
    rows = [f"{days_ago(5 - i)},测试银行,inspection,bank\n" for i in range(3)]
    path = tmp_path / "cards.csv"
    path.write_bytes((header + rows[0] + rows[1]).encode() + rows[2].encode("gb18030"))
    refused(run("import", "cards", path, ok=False),
            "line 4 is GB18030 but lines before it are UTF-8: save the file in one encoding")
    path.write_bytes((header + rows[0] + rows[1]).encode("gb18030") + rows[2].encode())
    refused(run("import", "cards", path, ok=False),
            "line 4 is UTF-8 but lines before it are GB18030: save the file in one encoding")
    assert nothing_written(db_path)


def test_a_utf8_bom_then_a_gb18030_row_and_a_line_of_both(run, db_path, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + line(2, station="pingxiang",
                                                              level="high").encode("gb18030"))
    refused(run("import", "warnings", path, ok=False),
            "line 2 is GB18030 but lines before it are UTF-8: save the file in one encoding")
    path.write_bytes(HEADER.encode() + f"YJ0002,{days_ago(3)} 08:00,high,".encode()
                     + "平襄".encode() + b",13800000002," + "张伟\n".encode("gb18030"))
    refused(run("import", "warnings", path, ok=False),
            "line 2 mixes UTF-8 and GB18030 text: save the file in one encoding")
    assert nothing_written(db_path)


def test_gb18030_text_that_happens_to_look_like_utf8_still_imports(run, tmp_path):
    # "寮犱紵" is GB18030 whose bytes are valid UTF-8 (张伟); in a line with other GB18030
    # text the line is not UTF-8, so the file is one encoding and imports as it is.
    path = tmp_path / "gb.csv"
    path.write_bytes((HEADER + line(2) + line(3, name="寮犱紵")).encode("gb18030"))
    assert run("import", "warnings", path).stdout == "imported 2, unchanged 0\n"
    shown = json.loads(run("warning", "show", "YJ0003", "--format", "json",
                           "--reveal").stdout)
    assert shown["name"] == "寮犱紵"


def test_the_mixed_line_is_found_past_the_first_blocks(tmp_path):
    """The reader checks a GB18030 file a MiB at a time: the line number stays exact across
    blocks (the file is about 3.5 MB), and the refusal comes while reading, before the
    engine would have checked the row."""
    path = tmp_path / "big.csv"
    path.write_bytes(HEADER.encode() + b"".join(
        line(i, station="pingxiang", level="high").encode() if i == 30_000
        else line(i, name="王芳").encode("gb18030") for i in range(2, 40_002)))
    stream, _ = readers.read_rows(engine.kinds()["warnings"], path)
    with pytest.raises(InvalidValue, match=r"^FILE: line 30000 is UTF-8 but lines before it are "):
        for _ in stream:
            pass
