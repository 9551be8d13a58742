"""The printed page, looked at: the daily and campaign reports of the sample data, printed to
PDF by a browser (the HTML page through headless Chromium, as a clerk prints it) and written
as PDF by tongwei itself (`-o 日报.pdf`, WeasyPrint), then read back page by page with
`pdftotext`:

* every page carries the running header (bureau, report, date) and `第 N 页 共 M 页`;
* no page ends with a heading, or with a table's heading row and none of its rows;
* the figures on the page are the JSON's;
* every font is embedded (`pdffonts`), the pages are A4, nothing of the browser's own
  header or footer (the file's path, a date of its own) is printed.

No page image is kept as a snapshot: the printed time, the campaign's running days and the
fonts of the machine change it; these text checks are the gate.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import tongwei_exe

from tongwei_cli.core.words import LABELS, TITLES

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts")
DAY = "2026-11-28"  # the sample data's last day
CAMPAIGN = "2026年秋冬季打击治理电信网络诈骗专项行动"
A4 = (595.28, 841.89)  # points

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdffonts) is not "
                       "installed: the printed pages cannot be read back"),
]


def weasyprint_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return f"WeasyPrint cannot run here: {exc}"
    return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample data (`tongwei demo`) in a file of its own, built once."""
    path = tmp_path_factory.mktemp("paper") / "demo.db"
    result = subprocess.run([*tongwei_exe(), "--db", str(path), "demo"], capture_output=True,
                            text=True, env=environment("en", path), timeout=300)
    assert result.returncode == 0, result.stderr
    return path


def environment(lang: str, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGWEI_")}
    # the sample's own key file, beside it: never the user's config folder
    env.update({"TONGWEI_LANG": lang, "TONGWEI_OFFICER": "测试警官",
                "TONGWEI_KEY_FILE": str(db.with_suffix(".key"))})
    return env


def tongwei(sample: Path, lang: str, *args: str) -> str:
    result = subprocess.run([*tongwei_exe(), "--db", str(sample), *args], capture_output=True,
                            text=True, env=environment(lang, sample), timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


REPORTS = {"daily": ("daily", "--date", DAY), "campaign": ("campaign", CAMPAIGN)}


def chromium_print(page: Path, pdf: Path) -> None:
    """The page printed as a person prints it from the browser: its own header and footer
    settings left as they are (the page's margin boxes take their place)."""
    profile = pdf.parent / "chromium-profile"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, text=True, timeout=180)
    assert pdf.exists(), result.stderr[-2000:]


# -- reading the paper ---------------------------------------------------------------------------

def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_of(pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines, as pdftotext lays them out."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in out.split("\f")]
    while pages and not pages[-1]:
        pages.pop()
    return pages


def fonts_of(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def media_boxes(pdf: Path) -> list[tuple[float, ...]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", pdf.read_bytes())
    return [tuple(float(x) for x in box.split()) for box in boxes]


def shown(value, kind: str) -> str:
    """A figure as the page must show it, written here from the JSON on its own."""
    if value is None:
        return "—"
    if kind.startswith("delta") and not value:
        return "0"
    sign = "+" if kind.startswith("delta") and value > 0 else ""
    if kind.endswith("money"):
        return sign + f"{Decimal(value) / 100:,.2f}"
    if kind.endswith("rate"):
        return f"{value * 100:+.2f}pp" if kind.startswith("delta") else f"{value * 100:.2f}%"
    return sign + f"{value:,}"


def kind_of(key: str) -> str:
    return "money" if key.endswith("_fen") else "rate" if key.endswith("_rate") else "int"


def check_paper(pdf: Path, page: str, report: dict, lang: str) -> None:
    """What a person checks on the printed report before filing it."""
    pages = pages_of(pdf)
    assert len(pages) >= 2, "the sample data's report is longer than one page"
    total = len(pages)
    for box in media_boxes(pdf):
        assert abs(box[2] - box[0] - A4[0]) < 1.5 and abs(box[3] - box[1] - A4[1]) < 1.5
    assert all(font[-5] == "yes" for font in fonts_of(pdf)), fonts_of(pdf)  # emb

    z = lang == "zh"
    when = (re.search(r'@top-right \{ content: "([^"]*)"', page).group(1))
    day = f"{int(DAY[:4])}年{int(DAY[5:7])}月{int(DAY[8:])}日" if z else "28 November 2026"
    if report["report"] == "daily":
        assert when == day
    bureau = "通渭县公安局" if z else "Tongwei County Public Security Bureau"
    title = TITLES[report["report"]][0 if z else 1]
    headings = [squeeze(html.unescape(h)) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    table_heads = [squeeze(html.unescape("".join(re.findall(r"<th[^>]*>(.*?)</th>", head))))
                   for head in re.findall(r"<thead>(.*?)</thead>", page, re.S)]
    assert len(headings) >= 9 and table_heads
    for number, lines in enumerate(pages, 1):
        running, last = squeeze(lines[0]), squeeze(lines[-1])
        assert running.startswith(squeeze(f"{bureau} · {title}")), (number, lines[0])
        assert running.endswith(squeeze(when)), (number, lines[0])
        assert last == (f"第{number}页共{total}页" if z else f"Page{number}of{total}"), lines[-1]
        body = [squeeze(line) for line in lines[1:-1]]
        end = body[-1]
        assert end not in headings and not any(len(end) >= 4 and h.endswith(end)
                                               for h in headings), (number, lines[-6:])
        assert end not in table_heads, ("a table's heading row ends the page", number)
        text = "\n".join(lines)
        assert "file:" not in text and not re.search(r"\d+/\d+/\d+", text), lines

    # the figures on the page are the JSON's: each strand's table, row by row
    text = [line.strip() for lines in pages for line in lines]
    squeezed = [squeeze(line) for line in text]
    for section in ("cases", "warnings", "outreach", "cards"):
        start = squeezed.index(squeeze(TITLES[section][0 if z else 1]))
        for key, value in report[section].items():
            label = LABELS[key][0 if z else 1]
            row = next(line for line in text[start:] if line.startswith(label + " "))
            kind = kind_of(key)
            want = [shown(value, kind), shown(report["previous"][section][key], kind),
                    shown(report["previous"]["change"][section][key], f"delta-{kind}"),
                    shown(report["year_ago"][section][key], kind),
                    shown(report["year_ago"]["change"][section][key], f"delta-{kind}")]
            assert row[len(label):].split() == want, (section, key, row)
    everything = "".join(squeezed)
    for item in report.get("dispatch") or []:
        assert item["no"] in everything
    for item in report["ranking"][:3]:
        assert shown(item["loss_fen"], "money") in everything
    if report["report"] == "campaign":
        assert squeeze(report["text"]) in everything  # the bulletin paragraph
    signatures = ("制表人：测试警官", "审核人：", "负责人：") if z else (
        "Preparedby:测试警官", "Reviewedby:", "Approvedby:")
    assert all(s in "".join(squeeze(line) for line in pages[-1]) for s in signatures)


def synthetic_page() -> str:
    """Eighty short tables of one to five rows under their headings: wherever the pages
    break, some heading comes near the foot of one. (Printed by Chromium without the
    page's break rules, three of its pages end with a heading.)"""
    from tongwei_cli.render.report import Block, Cell, Page, to_html

    blocks = [Block(f"b{n}", f"第{n + 1}节 · 测试标题", ["项目", "数", "金额(元)"],
                    [[Cell(f"项目{n}-{i}"), Cell(i * 37, "int"), Cell(i * 1234, "money")]
                     for i in range(1 + (7 * n * n + 3 * n) % 5)])
              for n in range(80)]
    return to_html(Page("zh", "通渭县公安局 · 测试", [("单位", "通渭县公安局")],
                        blocks=blocks, running=("通渭县公安局 · 测试", "2026年11月28日"),
                        footer=[("审计链头", "0" * 64)],
                        signatures=[("制表人", "测试"), ("审核人", ""), ("负责人", "")]))


def stranded(pdf: Path) -> list[str]:
    """The pages of the synthetic page that end with a heading or a table's heading row."""
    return [lines[-2] for lines in pages_of(pdf)
            if "节 · 测试标题" in lines[-2] or "金额(元)" in lines[-2]]


# -- the tests -----------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_no_heading_at_the_foot_of_a_page_printed_by_a_browser(tmp_path):
    page, pdf = tmp_path / "page.html", tmp_path / "page.pdf"
    page.write_text(synthetic_page(), "utf-8")
    chromium_print(page, pdf)
    assert len(pages_of(pdf)) >= 5 and stranded(pdf) == []


@pytest.mark.skipif(weasyprint_missing() is not None, reason=str(weasyprint_missing()))
def test_no_heading_at_the_foot_of_a_page_of_the_pdf(tmp_path):
    from tongwei_cli.render.pdf import html_to_pdf

    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(html_to_pdf(synthetic_page()))
    assert len(pages_of(pdf)) >= 5 and stranded(pdf) == []


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install "
                    "chromium fonts-noto-cjk): the HTML page cannot be printed here")
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["daily", "campaign"])
def test_the_html_page_printed_by_a_browser(sample, tmp_path, kind, lang):
    page = tmp_path / f"{kind}.html"
    tongwei(sample, lang, "report", *REPORTS[kind], "-o", str(page))
    report = json.loads(tongwei(sample, lang, "report", *REPORTS[kind], "--format", "json"))
    pdf = tmp_path / f"{kind}.pdf"
    chromium_print(page, pdf)
    check_paper(pdf, page.read_text("utf-8"), report, lang)


@pytest.mark.skipif(weasyprint_missing() is not None, reason=str(weasyprint_missing()))
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["daily", "campaign"])
def test_the_pdf_tongwei_writes(sample, tmp_path, kind, lang):
    pdf = tmp_path / ("日报.pdf" if kind == "daily" else "专项行动.pdf")
    tongwei(sample, lang, "report", *REPORTS[kind], "-o", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert oct(pdf.stat().st_mode & 0o777) == "0o600"  # like every file tongwei writes
    page = tongwei(sample, lang, "report", *REPORTS[kind], "--format", "html")
    report = json.loads(tongwei(sample, lang, "report", *REPORTS[kind], "--format", "json"))
    check_paper(pdf, page, report, lang)
    fonts = {font[0].split("+")[-1] for font in fonts_of(pdf)}
    assert any("CJK" in name or "Hei" in name or "Song" in name for name in fonts), fonts


@pytest.mark.skipif(weasyprint_missing() is not None, reason=str(weasyprint_missing()))
def test_format_pdf_to_a_pipe(sample):
    result = subprocess.run([*tongwei_exe(), "--db", str(sample), "report", "daily",
                             "--date", DAY, "--format", "pdf"], capture_output=True,
                            env=environment("zh", sample), timeout=300)
    assert result.returncode == 0 and result.stdout.startswith(b"%PDF-")
