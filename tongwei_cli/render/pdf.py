"""The printed page as a PDF file, through WeasyPrint.

The report's HTML page (`report.to_html`) is laid out by WeasyPrint, which draws the same
@page rules a browser prints with (A4, the running header and "第 N 页 共 M 页" in the page's
margin boxes, no heading parted from its table) and embeds the subset of each font it uses,
the CJK fonts included. WeasyPrint is imported here only, when a PDF is asked for: it takes
about half a second to load, and it needs the Pango library of the system.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from tongwei_cli.core.errors import InvalidValue

HOW = ("or write the page with --format html and print it from any browser "
       "(A4, the page's own header and page numbers)")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def html_to_pdf(page: str) -> bytes:
    """The PDF of an HTML page (its own CSS, nothing fetched), or one error that says how
    to get the engine."""
    _check_cjk_font(page)
    try:
        import logging

        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        from weasyprint import HTML
    except ImportError:
        raise InvalidValue(f"PDF needs WeasyPrint (pip install weasyprint); {HOW}",
                           "format") from None
    except OSError:  # WeasyPrint is there, the Pango library it draws text with is not
        raise InvalidValue("PDF needs the Pango library (Debian/Ubuntu: apt-get install "
                           f"libpango-1.0-0 libpangoft2-1.0-0); {HOW}", "format") from None
    return HTML(string=page, url_fetcher=_refuse, base_url=None).write_pdf()


def _refuse(url: str, *args, **kwargs):  # noqa: ANN002, ANN003
    """The page is self-contained: nothing is fetched (a name in it cannot make the
    engine read a file or the network)."""
    raise ValueError(f"not fetched: {url[:60]}")


def _check_cjk_font(page: str) -> None:
    """A Chinese page needs a Chinese font on the machine, or every character prints as a
    box: say so rather than write such a file."""
    if not _CJK.search(page):
        return
    fc_list = shutil.which("fc-list")
    if fc_list is None:  # no fontconfig tools to ask: let WeasyPrint find what it finds
        return
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True,
                               text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    if not found:
        raise InvalidValue("no Chinese font is installed, so the PDF would show boxes "
                           "(Debian/Ubuntu: apt-get install fonts-noto-cjk); " + HOW, "format")
