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
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import days_ago, tongwei_exe
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.imports import engine, readers

HEADER = "no,received,level,station,phone,name\n"
LIMITS = ("a sheet may have at most 200 columns (A to GR) and 1,048,576 rows; delete what "
          "lies beyond the data and save the file again")


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



def test_a_line_too_long_to_watch_does_not_hide_the_next_one(tmp_path):
    """A line over 1 MiB is not watched (the watch keeps no more than that); the lines
    after it are, and keep their numbers."""
    path = tmp_path / "long.csv"
    path.write_bytes(HEADER.encode() + line(2, name="王芳").encode("gb18030")
                     + b"YJ0003," + b"x" * (3 << 20) + b"\n"
                     + line(4, station="pingxiang", level="high").encode())
    stream, _ = readers.read_rows(engine.kinds()["warnings"], path)
    with pytest.raises(InvalidValue, match=r"^FILE: line 4 is UTF-8 but lines before it are "):
        for _ in stream:
            pass


# -- spreadsheets --------------------------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def header_row() -> str:
    names = ["no", "received", "level", "station", "phone"]
    return '<row r="1">' + "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{n}</t></is></c>'
        for i, n in enumerate(names)) + "</row>"


def data_row(r: int, no: str = "X1") -> str:
    values = [no, f"{days_ago(2)} 10:00", "high", "平襄", "13800000001"]
    return f'<row r="{r}">' + "".join(
        f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)) + "</row>"


def xlsx(path: Path, rows: str = "", *, dimension: str | None = None, header: str = "",
         big: tuple[bytes, int] | None = None, level: int = 6) -> Path:
    """A minimal XLSX: one sheet whose <sheetData> holds `rows`, or (`big`) a row written
    n times into the part as it is deflated."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml",
                         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Override PartName="/xl/workbook.xml" ContentType='
                         '"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                         'sheet.main+xml"/></Types>')
        archive.writestr("_rels/.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         f'2006/relationships"><Relationship Id="rId1" Type="{REL}/'
                         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml",
                         f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets><sheet name="S" '
                         'sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                         f'2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet"'
                         ' Target="worksheets/sheet1.xml"/></Relationships>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((head + (header or header_row()) + rows).encode())
            if big:
                block, times = big
                for _ in range(times):
                    part.write(block)
            part.write(b"</sheetData></worksheet>")
    return path


FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize("case, rows, dimension, message", [
    ("cell", data_row(2) + FAR, None, f"cell XFD1048576 is out of bounds: {LIMITS}"),
    ("declared", data_row(2) + FAR, "A1:XFD1048576",
     f"the sheet declares the range A1:XFD1048576: {LIMITS}"),
    ("unsorted", '<row r="3"><c r="D1048577"><v>1</v></c></row>' + data_row(2), None,
     f"cell D1048577 is out of bounds: {LIMITS}"),
    ("prefixed", data_row(2) + f'<row r="3"><x:c xmlns:x="{NS}" r="XFD1048576"><x:v>1</x:v>'
     "</x:c></row>", None,
     "cannot be read: its sheet needs more than 2 GiB of memory (are cells scattered far "
     "apart?); delete what lies beyond the data and save the file again, or save it as CSV"),
])
def test_a_cell_far_out_is_refused_instead_of_aborting(db_path, tmp_path, case, rows,
                                                       dimension, message):
    """For a cell at XFD1048576 python-calamine would allocate 512 GiB and abort the process
    (exit 134). The cells are checked before (in any order: a cell past the rows seen so far
    is caught too); a sheet whose XML is not in the usual shape (here a prefixed cell) is
    measured by calamine in a child process, which dies instead."""
    path = xlsx(tmp_path / f"{case}.xlsx", rows, dimension=dimension)
    assert path.stat().st_size < 5000
    refused_by_command(db_path, path, message)


def test_a_declared_dimension_past_the_limits_is_refused(run, db_path, tmp_path):
    path = xlsx(tmp_path / "w.xlsx", data_row(2), dimension="A1:GS2")
    refused(run("import", "warnings", path, ok=False),
            f"the sheet declares the range A1:GS2: {LIMITS}")
    assert nothing_written(db_path)


def test_columns_up_to_gr_are_read_and_past_it_refused(run, db_path, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["no", "received", "level", "station", "phone"])
    sheet.append(["W1", f"{days_ago(2)} 09:00", "high", "平襄", "13800000001"])
    sheet["GR1"], sheet["GR2"] = "extra", "x"
    book.save(tmp_path / "200.xlsx")
    result = run("import", "warnings", tmp_path / "200.xlsx")
    assert result.stdout == "imported 1, unchanged 0\n"
    sheet["GS2"] = "y"  # column 201
    book.save(tmp_path / "201.xlsx")
    refused(run("import", "warnings", tmp_path / "201.xlsx", ok=False),
            f"the sheet declares the range A1:GS2: {LIMITS}")


def test_a_sheet_spanning_more_than_30_million_cells_is_refused(run, db_path, tmp_path):
    far = '<row r="150001"><c r="GR150001"><v>1</v></c></row>'
    path = xlsx(tmp_path / "area.xlsx", data_row(2) + far)
    refused(run("import", "warnings", path, ok=False),
            "the sheet spans 150,001 rows × 200 columns (30,000,200 cells; at most "
            "30,000,000 are read): split it, or save it as CSV")
    assert nothing_written(db_path)


def test_a_zip_bomb_part_is_refused(run, db_path, tmp_path):
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1000
    path = xlsx(tmp_path / "bomb.xlsx", big=(row, 400), level=9)  # 20 MB in a few kB
    assert path.stat().st_size < 200_000
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: FILE: xl/worksheets/sheet1.xml in it unpacks to ")
    assert result.stderr.endswith(" times its packed size (at most 100): refused as a zip "
                                  "bomb\n")
    assert nothing_written(db_path)


@pytest.mark.slow
def test_a_sheet_of_more_than_1_gib_of_xml_is_refused_at_once(db_path, tmp_path):
    """The 35 MB sheet with 2.4 GB of XML that held 2.9 GB of memory for 53 s: the
    archive's sizes refuse it before a byte is unpacked. (Building it takes a few
    seconds; the file is about 8 MB.)"""
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 2000
    path = xlsx(tmp_path / "huge.xlsx", big=(row, (1100 << 20) // len(row)), level=1)
    refused_by_command(db_path, path, "unpacks to 1.1 GiB: a spreadsheet may unpack to at "
                       "most 1 GiB; split it, or save it as CSV", timeout=30)


def test_a_part_larger_than_the_archive_says_is_refused(run, db_path, tmp_path):
    path = xlsx(tmp_path / "forged.xlsx", data_row(2) + data_row(3, "X2"))
    data = bytearray(path.read_bytes())
    entry = data.rindex(b"xl/worksheets/sheet1.xml") - 46  # its central directory record
    assert data[entry:entry + 4] == b"PK\x01\x02"
    data[entry + 24:entry + 28] = (200).to_bytes(4, "little")  # says 200 bytes unpacked
    path.write_bytes(bytes(data))
    refused(run("import", "warnings", path, ok=False),
            "is damaged: xl/worksheets/sheet1.xml in it is larger than the archive says")
    assert nothing_written(db_path)


@pytest.mark.slow
def test_a_spreadsheet_over_256_mib_is_refused(run, db_path, tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(257 << 20)  # sparse: nothing is written to disk
    refused(run("import", "warnings", path, ok=False),
            "is 257 MiB: a spreadsheet may be at most 256 MiB; split it, or save it as CSV")
    assert nothing_written(db_path)


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_the_first_visible_sheet_is_read_not_a_hidden_one(run, tmp_path, state):
    book = openpyxl.Workbook()
    old = book.active
    old.title, old.sheet_state = "旧", state
    visible = book.create_sheet("预警")
    for sheet, no in ((old, "OLD1"), (visible, "NEW1")):
        sheet.append(["no", "received", "level", "station", "phone"])
        sheet.append([no, f"{days_ago(2)} 09:00", "high", "平襄", "13800000001"])
    book.active = 1
    book.save(tmp_path / "two.xlsx")
    assert run("import", "warnings", tmp_path / "two.xlsx").stdout == \
        "imported 1, unchanged 0\n"
    listed = json.loads(run("warning", "list", "--format", "json").stdout)
    assert [w["no"] for w in listed] == ["NEW1"]


def test_a_formula_without_a_saved_value_is_refused_naming_the_cell(run, db_path, tmp_path):
    """openpyxl writes a formula without the value Excel would have saved with it; calamine
    then reads the cell as empty, and the name would be lost without a word."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["no", "received", "level", "station", "phone", "name"])
    for i in range(2, 6):
        sheet.append([f"F{i}", f"{days_ago(2)} 09:0{i}", "high", "平襄", f"1380000000{i}",
                      '="张"&"伟"' if i == 5 else "李娜"])
    book.save(tmp_path / "formula.xlsx")
    refused(run("import", "warnings", tmp_path / "formula.xlsx", ok=False),
            "cell F5 holds a formula with no saved value: open the file in Excel or WPS "
            "and save it again")
    assert nothing_written(db_path)


def test_a_formula_with_its_saved_value_is_read(run, tmp_path):
    header = header_row().replace("</row>", '<c r="F1" t="inlineStr"><is><t>name</t></is>'
                                  '</c><c r="G1" t="inlineStr"><is><t>note</t></is></c></row>')
    row = data_row(2).replace("</row>", '<c r="F2" t="str"><f>"张"&amp;"伟"</f><v>张伟</v>'
                              '</c><c r="G2" t="str"><f>""</f><v></v></c></row>')
    path = xlsx(tmp_path / "saved.xlsx", row, header=header)
    assert run("import", "warnings", path).stdout == "imported 1, unchanged 0\n"
    shown = json.loads(run("warning", "show", "X1", "--format", "json", "--reveal").stdout)
    assert (shown["name"], shown["note"]) == ("张伟", None)


def ods(path: Path, rows: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office='
        '"urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:'
        'opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
        'text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table '
        f'table:name="S">{rows}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:'
                         'oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry'
                         ' manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                         "</manifest:manifest>")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_row(values: list[str]) -> str:
    return "<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values) + "</table:table-row>"


def test_an_ods_file_is_measured_apart_then_read(run, tmp_path):
    path = ods(tmp_path / "w.ods", ods_row(["no", "received", "level", "station", "phone"])
               + ods_row(["O1", f"{days_ago(2)} 09:00", "high", "平襄", "13800000001"]))
    assert run("import", "warnings", path).stdout == "imported 1, unchanged 0\n"


@pytest.mark.slow
def test_an_ods_sheet_needing_gigabytes_is_refused(db_path, tmp_path):
    """An 800-byte ODS whose repeated cells fill 9000 × 9000: calamine, in the importing
    process, held 5 GB for 30 s. ODS (like XLS and XLSB) is measured by calamine in a
    child process that may map 2 GiB; the child dies, the import is refused."""
    path = ods(tmp_path / "repeated.ods", ods_row(["no"]) + (
        '<table:table-row table:number-rows-repeated="9000"><table:table-cell '
        'table:number-columns-repeated="9000" office:value-type="float" office:value="1"/>'
        "</table:table-row>"))
    assert path.stat().st_size < 1000
    refused_by_command(db_path, path, "cannot be read: its sheet needs more than 2 GiB of "
                       "memory (are cells scattered far apart?); delete what lies beyond the "
                       "data and save the file again, or save it as CSV")


def test_a_json_file_too_large_to_read_whole_is_refused_before_it_is_parsed(
        run, tmp_path, monkeypatch):
    """A JSON file is read whole (its objects take about ten times its size): beyond the
    limit it is refused with one line, before a byte of it is parsed."""
    monkeypatch.setattr(readers, "JSON_BYTES", 4096)
    parsed = []
    monkeypatch.setattr(json, "load", lambda *a, **k: parsed.append(1))
    path = tmp_path / "warnings.json"
    path.write_text(json.dumps([{"no": f"W{i}", "phone": "13800000001"} for i in range(200)]))
    result = run("import", "warnings", path, ok=False)
    assert result.exit_code == 1 and parsed == []
    assert result.stderr.strip().splitlines() == [
        f"error: FILE: is {path.stat().st_size / 2**20:,.0f} MiB: a JSON file may be at most "
        "0 MiB (it is read whole); split it, or save it as CSV"]
