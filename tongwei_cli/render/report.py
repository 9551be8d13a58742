"""Reports on paper and screen: the formats of `tongwei report …`.

A report (the plain dict of `reports.py`, English keys, money in fen) is first laid out as
a `Page`: a header, titled blocks of cells, a paragraph or a chart, a footer. Every human
format (table, text, markdown, html, xlsx) draws that same page, so they cannot disagree;
json and csv write the report itself. Personal data is always masked: reports have no
--reveal.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core import words as i18n
from tongwei_cli.core.words import BUREAU, LABELS, TITLES, page_word
from tongwei_cli.render.output import (
    REPORT_FORMATS,
    Sheet,
    _write,
    choose_format,
    column_width,
    csv_bytes,
    csv_encoding,
    csv_moment,
    duration,
    fen_to_yuan,
    masked,
    refuse_binary_on_terminal,
    safe_cell,
    to_json,
    visible,
    xlsx_book,
)

TEXT_WIDTH = 80


def t(key: str, lang: str) -> str:
    pair = LABELS.get(key) or TITLES.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def heading(key: str, lang: str) -> str:
    pair = TITLES.get(key) or LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def kind_of(key: str) -> str:
    if key.endswith("_fen"):
        return "money"
    if key.endswith("_rate"):
        return "rate"
    return "int"


# -- the page ---------------------------------------------------------------------------------

@dataclass
class Cell:
    value: Any
    # text, int, money (fen), rate (0-1), delta-int, delta-money, delta-rate, moment (a local
    # datetime), minutes (a duration)
    kind: str = "text"
    tone: str | None = None  # a change's meaning: "good" or "bad" (its colour on the page)


@dataclass
class Block:
    key: str
    title: str
    columns: list[str]  # labels
    rows: list[list[Cell]]
    note: str | None = None
    keys: int = 1  # leading columns repeated when a text table is split to fit the page
    fold: bool = False  # a long two-column list: the printed page sets it in two halves


@dataclass
class Page:
    lang: str
    title: str
    header: list[tuple[str, str]]  # (label, value)
    blocks: list[Block] = field(default_factory=list)
    paragraph: str | None = None
    paragraph_title: str | None = None
    chart: list[dict[str, Any]] | None = None
    chart_caption: str = ""
    footer: list[tuple[str, str]] = field(default_factory=list)
    # what the bureau signs (制表人 / 审核人 / 负责人), the name filled in where known
    signatures: list[tuple[str, str]] = field(default_factory=list)
    running: tuple[str, str] = ("", "")  # the running header of every printed page


def visible_page(page: Page) -> Page:
    """The page with every word passed through `visible`: what a record holds (a campaign's
    name, a warning's number, a station's name from the editable lists) reaches no human
    format with a control or bidirectional-formatting character in it."""
    def pairs(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(visible(k), visible(v)) for k, v in items]

    def cell(c: Cell) -> Cell:
        return replace(c, value=visible(c.value)) if isinstance(c.value, str) else c

    def text(value: str | None) -> str | None:
        return None if value is None else visible(value)

    return replace(
        page, title=visible(page.title), header=pairs(page.header), footer=pairs(page.footer),
        paragraph=text(page.paragraph), paragraph_title=text(page.paragraph_title),
        chart_caption=visible(page.chart_caption), signatures=pairs(page.signatures),
        running=(visible(page.running[0]), visible(page.running[1])),
        blocks=[replace(b, title=visible(b.title), columns=[visible(c) for c in b.columns],
                        rows=[[cell(c) for c in row] for row in b.rows],
                        note=text(b.note))
                for b in page.blocks])


def show(cell: Cell, lang: str) -> str:
    """A cell as people read it."""
    value, kind = cell.value, cell.kind
    if value is None:
        return "" if kind in ("text", "moment", "minutes") else "—"
    if kind == "int":
        return f"{value:,}"
    if kind == "money":
        return fen_to_yuan(value)
    if kind == "rate":
        return f"{value * 100:.2f}%"
    if kind == "moment":
        return moment_text(value, lang, year=False)
    if kind == "minutes":
        return duration_text(value, lang)
    if kind.startswith("delta-") and not value:
        return "0"
    if kind == "delta-int":
        return f"{value:+,}"
    if kind == "delta-money":
        return ("+" if value > 0 else "") + fen_to_yuan(value)
    if kind == "delta-rate":
        return f"{value * 100:+.2f}pp"
    return str(value)


def numeric(cell: Cell) -> bool:
    return cell.kind not in ("text", "moment")


def _station(refs: Any, code: str | None, lang: str, short: bool = True) -> str:
    if code is None:
        return "（未指定）" if lang == "zh" else "(none)"
    name = refs.name("stations", code, lang)
    if short:
        for suffix in ("派出所", " Police Station"):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
    return name


# -- dates as the page writes them ---------------------------------------------------------------

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def day_text(day: date, lang: str, year: bool = True) -> str:
    """`2026年11月28日` on the Chinese page, `28 November 2026` on the English one."""
    if lang == "zh":
        return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


def period_text(first: date, last: date, lang: str) -> str:
    """One day, or `2026年10月1日至11月28日` / `1 October – 28 November 2026`."""
    if first == last:
        return day_text(first, lang)
    same_year = first.year == last.year
    if lang == "zh":
        return f"{day_text(first, lang)}至{day_text(last, lang, year=not same_year)}"
    if same_year and first.month == last.month:
        return f"{first.day}–{day_text(last, lang)}"
    return f"{day_text(first, lang, year=not same_year)} – {day_text(last, lang)}"


def moment_text(moment: datetime, lang: str, year: bool = True) -> str:
    """A local moment: `2026年12月2日 14:01`, or without the year `11月27日 15:44` /
    `27 Nov 15:44` (a table's cell)."""
    if not year and lang != "zh":
        return f"{moment.day} {MONTHS[moment.month - 1][:3]} {moment:%H:%M}"
    return f"{day_text(moment.date(), lang, year)} {moment:%H:%M}"


def duration_text(minutes: int, lang: str) -> str:
    """How late, as the warning list writes it (`output.duration`): `1天18小时39分`."""
    return duration(minutes, lang)


def _local(stamp: str | None, tz: Any) -> datetime | None:
    return clock.local(stamp, tz) if stamp else None


def _section_block(report: dict[str, Any], section: str, lang: str, daily: bool) -> Block:
    """A strand's figures against the period before (环比) and a year earlier (同比), each
    change coloured by what it means (`report["rising"]`), not by its sign."""
    names = (("col.day", "col.day_before", "col.mom_day", "col.day_year_ago", "col.yoy")
             if daily else ("col.period", "col.previous", "col.mom", "col.year_ago", "col.yoy"))
    cols = [t("figure", lang), *(t(n, lang) for n in names)]
    senses = report.get("rising", {}).get(section, {})
    rows = []
    for key, value in report[section].items():
        kind = kind_of(key)
        prev, year = report["previous"], report["year_ago"]
        rows.append([Cell(t(key, lang)), Cell(value, kind),
                     Cell(prev[section].get(key), kind),
                     _change(prev["change"][section].get(key), kind, senses.get(key)),
                     Cell(year[section].get(key), kind),
                     _change(year["change"][section].get(key), kind, senses.get(key))])
    return Block(section, heading(section, lang), cols, rows)


def _change(delta: Any, kind: str, sense: str | None) -> Cell:
    """A change, with its tone: a rise of a figure whose rise is bad news is bad."""
    tone = None
    if delta and sense in ("good", "bad"):
        tone = sense if delta > 0 else ("bad" if sense == "good" else "good")
    return Cell(delta, f"delta-{kind}", tone)


def _table(key: str, lang: str, items: list[dict[str, Any]], first: tuple[str, Any],
           keys: Sequence[str], title: str | None = None) -> Block:
    """A breakdown: one row per item, its name first, then `keys`."""
    label, namer = first
    rows = [[Cell(namer(item)), *(Cell(item.get(k), kind_of(k)) for k in keys)]
            for item in items]
    return Block(key, title or heading(key, lang), [t(label, lang), *(t(k, lang) for k in keys)],
                 rows)


STRIKE_KEYS = ("reported", "loss_fen", "solved", "arrested", "recovered_fen", "frozen_fen")
LEVEL_KEYS = ("received", "fed_back", "feedback_rate", "on_time_rate", "visit_rate", "open",
              "overdue")


def layout(report: dict[str, Any], refs: Any, tz: Any, lang: str) -> Page:
    """The page of a report: what every human format draws."""
    kind = report["report"]
    station = (_station(refs, report["station"], lang, short=False) if report["station"]
               else ("全县" if lang == "zh" else "whole county"))
    first, last = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    when = period_text(first, last, lang)
    title = heading(kind, lang)
    bureau = BUREAU[0] if lang == "zh" else BUREAU[1]
    header = [(page_word("bureau", lang), bureau), (page_word("report", lang), title)]
    if report.get("campaign") and kind != "daily":
        header.append((page_word("campaign", lang), report["campaign"]["name"]))
    header += [(page_word("date" if first == last else "period", lang), when),
               (page_word("scope", lang), station)]
    printed = _local(report.get("generated_at"), tz)
    if printed is not None:
        header.append((page_word("printed", lang), moment_text(printed, lang)))
    footer = []
    as_of = _local(report.get("as_of"), tz)
    if as_of is not None:
        footer.append((page_word("as_of", lang), moment_text(as_of, lang)))
    footer.append((page_word("audit_head", lang), report["audit_head"]))
    running = f"{bureau} · {title}" + (f" · {station}" if report["station"] else "")
    page = Page(lang, f"{bureau} · {title}", header, footer=footer, running=(running, when),
                signatures=[(page_word("prepared_by", lang), report.get("officer") or ""),
                            (page_word("reviewed_by", lang), ""),
                            (page_word("approved_by", lang), "")])
    if kind == "bulletin":
        page.paragraph = report["text"]
        return page
    if report.get("text"):  # a campaign's page opens with the paragraph the bureau publishes
        page.paragraph = report["text"]
        page.paragraph_title = heading("bulletin_text", lang)

    daily = kind == "daily"
    for section in ("cases", "warnings", "outreach", "cards"):
        page.blocks.append(_section_block(report, section, lang, daily))
    pending = report.get("outstanding")
    if pending is not None:  # which warnings the section's figures are of, and the rest
        page.blocks[1].note = i18n.say(
            "warnings_note.daily" if daily else "warnings_note", lang,
            open=f"{pending['open']:,}", overdue=f"{pending['overdue']:,}")

    campaign = report.get("campaign") if daily else None
    if campaign:
        rows = []
        for section in ("cases", "warnings", "outreach", "cards"):
            for key, value in campaign[section].items():
                rows.append([Cell(t(key, lang)), Cell(value, kind_of(key))])
        span = period_text(date.fromisoformat(campaign["from"]),
                           date.fromisoformat(campaign["to"]), lang)
        page.blocks.append(Block(
            "campaign", i18n.say("campaign_to_date", lang, name=campaign["name"], span=span),
            [t("figure", lang), t("total", lang)], rows, fold=True))

    if daily:
        page.blocks.append(_dispatch_block(report, refs, tz, lang))

    ranking = report["ranking"]
    rows = [[Cell(r["rank"], "int"), Cell(_station(refs, r["station"], lang)),
             Cell(r["outstanding"], "int"), Cell(r["outstanding_overdue"], "int"),
             Cell(r["received"], "int"), Cell(r["feedback_rate"], "rate"),
             Cell(r["on_time_rate"], "rate"), Cell(r["visit_rate"], "rate"),
             Cell(r["cases"], "int"), Cell(r["loss_fen"], "money"),
             Cell(r["sessions"], "int")] for r in ranking]
    page.blocks.append(Block("ranking", heading("ranking", lang), [
        t(k, lang) for k in ("rank", "station", "r_outstanding", "r_outstanding_overdue",
                             "r_received", "feedback_rate", "on_time_rate", "visit_rate",
                             "cases", "loss", "r_sessions")],
        rows, note=i18n.say("ranking_note.daily" if daily else "ranking_note", lang),
        keys=2))

    b = report["breakdowns"]
    page.blocks.append(_table("by_type", lang, b["by_type"],
                              ("type", lambda r: refs.name("types", r["type"], lang)),
                              STRIKE_KEYS))
    page.blocks.append(_table("by_station", lang, [r | r["cases"] for r in b["by_station"]
                                                   if any(r["cases"].values())],
                              ("station", lambda r: _station(refs, r["station"], lang)),
                              STRIKE_KEYS))
    page.blocks.append(_table("by_level", lang, b["by_level"],
                              ("level", lambda r: refs.name("levels", r["level"], lang)),
                              LEVEL_KEYS))
    page.blocks.append(_table("by_audience", lang, b["by_audience"],
                              ("audience", lambda r: refs.name("audiences", r["audience"],
                                                               lang)),
                              ("sessions", "attendees", "materials")))
    if report.get("series"):
        page.chart = report["series"]
        page.chart_caption = i18n.say("chart_span", lang, span=period_text(
            date.fromisoformat(page.chart[0]["day"]), date.fromisoformat(page.chart[-1]["day"]),
            lang))
    return page


def _dispatch_block(report: dict[str, Any], refs: Any, tz: Any, lang: str) -> Block:
    rows = []
    for r in report["dispatch"]:
        rows.append([Cell(r["no"]), Cell(_station(refs, r["station"], lang)),
                     Cell(refs.name("levels", r["level"], lang)),
                     Cell(_local(r["received_at"], tz), "moment"),
                     Cell(_local(r["deadline_at"], tz), "moment"),
                     Cell(r["overdue_minutes"] or None, "minutes"),
                     Cell(r.get("phone") or ""), Cell(r.get("name") or "")])
    total, shown = report["dispatch_total"], len(report["dispatch"])
    overdue = report.get("dispatch_overdue")
    if overdue is None:  # (a report made before the count was kept)
        overdue = sum(1 for r in report["dispatch"] if r["overdue"])
    note = i18n.say("dispatch_count", lang, total=f"{total:,}", overdue=f"{overdue:,}")
    if total > shown:
        note += i18n.say("dispatch_cut", lang, shown=shown)
    columns = [t(k, lang) for k in ("no", "station", "level", "received_at", "deadline_at",
                                    "late", "phone", "name")]
    return Block("dispatch", heading("dispatch", lang), columns, rows, note)


# -- display width ------------------------------------------------------------------------------

def cells(text: str) -> int:
    """Terminal cells `text` takes: wide (CJK) characters two, combining marks none."""
    if text.isascii():
        return len(text)
    return _wide_cells(text)


@functools.lru_cache(maxsize=4096)
def _wide_cells(text: str) -> int:
    """`cells` of a text with wide characters, remembered: a report's tables repeat the
    same station, level and heading in many rows."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - cells(text))
    return gap + text if right else text + gap


def clip(text: str, width: int) -> str:
    if cells(text) <= width:
        return text
    out = ""
    for ch in text:
        if cells(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


# The Chinese line rules (GB/T 15834, as in CLREQ): a closing bracket or quote and the
# pause and stop marks never begin a line; an opening bracket or quote never ends one.
NO_START = frozenset("）)］]｝}〕〉》」』】〗〙’”、。，．,.：:；;！!？?…‥%％·・")
NO_END = frozenset("（(［[｛{〔〈《「『【〖〘‘“")


def wrap(text: str, width: int) -> list[str]:
    """Break a paragraph into lines of at most `width` cells: Chinese breaks between any
    two characters, Latin words are kept whole where they fit, and the line rules hold (the
    character before a closing mark moves down with it)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line: list[str] = []
        for token in _tokens(para):
            if cells("".join(line) + token) <= width:
                line.append(token)
                continue
            carried = _carry(line, token)
            if "".join(line).strip():
                lines.append("".join(line).rstrip())
            line = carried + ([token] if carried or token != " " else [])
            joined = "".join(line)
            while cells(joined) > width:  # one word longer than the line
                cut = clip(joined, width + 1)[:-1]
                lines.append(cut)
                joined = joined[len(cut):]
                line = [joined]
        lines.append("".join(line).rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or cells(ch) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def _carry(line: list[str], token: str) -> list[str]:
    """The tokens at the end of `line` that must go down to the next line with `token`
    (taken off `line`): so that the next line does not begin with a closing mark, and this
    one does not end with an opening mark. A line is never emptied."""
    carried: list[str] = []
    while line and line[-1] == " ":
        line.pop()
    while len(line) > 1 and (carried or [token])[0][:1] in NO_START:
        carried.insert(0, line.pop())
    while len(line) > 1 and line[-1][-1:] in NO_END:
        carried.insert(0, line.pop())
    return carried


def _text_table(block: Block, lang: str, width: int = TEXT_WIDTH) -> list[str]:
    """A block as aligned plain text; columns past `width` continue in a second table that
    repeats the first column."""
    texts = [[show(c, lang) for c in row] for row in block.rows]
    sizes = [[cells(c) for c in row] for row in texts]  # (each cell measured once)
    right = [any(numeric(row[i]) for row in block.rows) if block.rows else i > 0
             for i in range(len(block.columns))]
    widths = [max([cells(block.columns[i])] + [r[i] for r in sizes])
              for i in range(len(block.columns))]
    widths[0] = min(widths[0], 28)
    gap = 2
    lead = list(range(min(block.keys, len(widths))))
    lead_width = sum(widths[i] for i in lead) + gap * (len(lead) - 1)
    groups: list[list[int]] = []
    current = list(lead)
    used = lead_width
    for i in range(len(lead), len(widths)):
        if used + gap + widths[i] > width and len(current) > len(lead):
            groups.append(current)
            current, used = list(lead), lead_width
        current.append(i)
        used += gap + widths[i]
    groups.append(current)
    out: list[str] = []
    for n, group in enumerate(groups):
        if n:
            out.append("")
        head = (" " * gap).join(pad(clip(block.columns[i], widths[i]), widths[i], right[i])
                                for i in group)
        out.append(head.rstrip())
        out.append("-" * min(width, sum(widths[i] for i in group) + gap * (len(group) - 1)))
        for row, size in zip(texts, sizes, strict=True):
            line = (" " * gap).join(_fit(row[i], size[i], widths[i], right[i])
                                    for i in group)
            out.append(line.rstrip())
    return out


def _fit(text: str, size: int, width: int, right: bool) -> str:
    """`pad(clip(text, width), width, right)` of a text `size` cells wide."""
    if size > width:
        text = clip(text, width)
        size = cells(text)
    gap = " " * max(0, width - size)
    return gap + text if right else text + gap


def empty_word(lang: str) -> str:
    return page_word("none", lang)


def signature_line(page: Page, blank: str) -> str:
    """制表人：张三    审核人：＿＿＿＿    负责人：＿＿＿＿ -- what the bureau signs."""
    colon = "：" if page.lang == "zh" else ": "
    return "    ".join(f"{label}{colon}{value or blank}" for label, value in page.signatures)


def to_text(page: Page) -> str:
    lines = [page.title, "=" * min(TEXT_WIDTH, cells(page.title))]
    label_width = max(cells(k) for k, _ in page.header + page.footer)
    for key, value in page.header:
        lines.extend(wrap(f"{pad(key, label_width)}  {value}", TEXT_WIDTH))
    if page.paragraph is not None:
        lines.append("")
        if page.paragraph_title:
            lines.extend(wrap(page.paragraph_title, TEXT_WIDTH))
        lines.extend(wrap(page.paragraph, TEXT_WIDTH))
    for block in page.blocks:
        lines.append("")
        lines.extend(wrap(block.title, TEXT_WIDTH))
        if block.rows:
            lines.extend(_text_table(block, page.lang))
        else:
            lines.append(empty_word(page.lang))
        if block.note:
            lines.extend(wrap(block.note, TEXT_WIDTH))
    if page.signatures:
        lines.append("")
        lines.extend(wrap(signature_line(page, "_" * 12), TEXT_WIDTH))
    lines.append("")
    lines.append("-" * TEXT_WIDTH)
    for key, value in page.footer:
        lines.extend(wrap(f"{pad(key, label_width)}  {value}", TEXT_WIDTH))
    return "\n".join(lines) + "\n"


# -- markdown -----------------------------------------------------------------------------------

def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(page: Page) -> str:
    lines = [f"# {_md(page.title)}", ""]
    for key, value in page.header:
        lines.append(f"- **{_md(key)}**: {_md(value)}")
    if page.paragraph is not None:
        if page.paragraph_title:
            lines += ["", f"## {_md(page.paragraph_title)}"]
        lines += ["", _md(page.paragraph)]
    for block in page.blocks:
        lines += ["", f"## {_md(block.title)}", ""]
        if block.rows:
            right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
            lines.append("| " + " | ".join(_md(c) for c in block.columns) + " |")
            lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
            for row in block.rows:
                lines.append("| " + " | ".join(_md(show(c, page.lang)) for c in row) + " |")
        else:
            lines.append(empty_word(page.lang))
        if block.note:
            lines += ["", _md(block.note)]
    if page.signatures:
        lines += ["", _md(signature_line(page, "_" * 12))]
    lines += ["", "---", ""]
    for key, value in page.footer:
        lines.append(f"- **{_md(key)}**: `{value}`" if len(value) == 64 or "…" in value
                     else f"- **{_md(key)}**: {_md(value)}")
    return "\n".join(lines) + "\n"


# -- rich (the terminal) ------------------------------------------------------------------------

# What a narrow terminal leaves out of the dispatch list first (as `warning list` does):
# the name, the phone, the received time, the level.
DISPATCH_NARROW = (7, 6, 3, 2)
# A change's colour on a terminal, by what it means (as rich draws the page elsewhere).
TONE_COLOURS = {"good": "32", "bad": "31"}  # (SGR: green, red)


def _light_block(block: Block, lang: str, width: int | None) -> Any:
    """A block as the lists draw it (`output.light_table`): its title, a heading and a
    rule, one line a row -- "无" for none -- keys, numbers and moments never split, a
    change in its colour; on a narrow terminal the least needed columns left out (and
    named)."""
    from rich.text import Text

    from tongwei_cli.render.output import Column, Display, Rows, _styled, _table_text

    def kind(i: int) -> str:  # numbers right-aligned, moments and numbers never cut
        if any(numeric(r[i]) for r in block.rows):
            return "int"
        return "stamp" if any(r[i].kind == "moment" for r in block.rows) else "text"

    columns = [Column(f"c{i}", kind(i), zh=label, en=label)
               for i, label in enumerate(block.columns)]
    texts = [[show(cell, lang) for cell in row] for row in block.rows] or [
        [empty_word(lang), *[""] * (len(columns) - 1)]]
    rows = Rows([c.key for c in columns], [list(col) for col in zip(*texts, strict=True)],
                len(texts))
    tones = {f"c{i}": [TONE_COLOURS.get(row[i].tone or "") for row in block.rows]
             for i in range(len(columns)) if any(row[i].tone for row in block.rows)}
    drop = [f"c{i}" for i in DISPATCH_NARROW if i < len(columns)] \
        if block.key == "dispatch" else None
    bold = _styled()
    text = _table_text(block.title, columns, rows, Display(lang), width, drop=drop,
                       bold=bold, notes=[block.note] if block.note else (),
                       left_out_word="left_out.report", colours=tones).rstrip("\n")
    return Text.from_ansi(text) if bold else Text(text)


def to_rich(page: Page, light_width: int | None = None) -> list[Any]:
    """The page for rich to print; `light_width`: on a terminal this wide, every block is
    drawn by the light table (`_light_block`): at 80 columns rich's boxes would split a
    sum of money over two lines, and draw a long list at a millisecond a row."""
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(page.title, style="bold")]
    for key, value in page.header[2:]:
        parts.append(Text(f"{key}: {value}"))
    if page.paragraph is not None:
        parts.append(Text(""))
        if page.paragraph_title:
            parts.append(Text(page.paragraph_title, style="bold"))
        parts.append(Text(page.paragraph))
    for block in page.blocks:
        if light_width is not None:
            parts.append(_light_block(block, page.lang, light_width))
            continue
        table = Table(title=block.title, title_justify="left", caption=block.note,
                      caption_justify="left")
        right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
        for label, is_num in zip(block.columns, right, strict=True):
            table.add_column(label, justify="right" if is_num else "left", overflow="fold")
        for row in block.rows:
            styled = []
            for cell in row:
                text = show(cell, page.lang)
                style = {"good": "green", "bad": "red"}.get(cell.tone or "", "")
                styled.append(Text(text, style=style))
            table.add_row(*styled)
        if not block.rows:
            table.add_row(empty_word(page.lang), *[""] * (len(block.columns) - 1))
        parts.append(table)
    for key, value in page.footer:
        parts.append(Text(f"{key}: {value}", style="dim"))
    return parts


# -- html ---------------------------------------------------------------------------------------

FONTS = ('"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "PingFang SC", '
         '"Microsoft YaHei", "WenQuanYi Micro Hei", "SimHei", "SimSun", "Songti SC", '
         'sans-serif')

# The page as a bureau files it: A4, a running header and "第 N 页 共 M 页" on every page (in
# the page's margin boxes, which a browser printing the page and WeasyPrint both draw, in
# place of the browser's own header of URL and date), a heading never parted from its
# table, columns as wide as their content (numbers right-aligned, numbers and keys never
# broken), changes coloured by what they mean.
CSS = """
@page { size: A4; margin: 20mm 12mm 18mm 12mm;
  @top-left { content: %(left)s; font: 8pt %(fonts)s; color: #444;
              vertical-align: bottom; padding-bottom: 3mm; }
  @top-right { content: %(right)s; font: 8pt %(fonts)s; color: #444;
               vertical-align: bottom; padding-bottom: 3mm; }
  @bottom-center { content: %(pages)s; font: 8pt %(fonts)s; color: #444;
                   vertical-align: top; padding-top: 3mm; }
}
* { box-sizing: border-box; }
html { font-size: 10pt; }
body { font-family: %(fonts)s; color: #111; margin: 0 auto; max-width: 186mm;
       line-height: 1.35; }
h1 { font-size: 16pt; margin: 0; text-align: center; letter-spacing: 1pt; }
p.when { text-align: center; font-size: 11pt; margin: 2pt 0 6pt; }
h2 { font-size: 11pt; margin: 10pt 0 3pt; padding-bottom: 1pt; border-bottom: 1px solid #999;
     break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; }
table.meta { width: 100%%; font-size: 9pt; margin: 0 0 4pt; }
table.meta th { text-align: left; font-weight: bold; padding: 0.5pt 8pt 0.5pt 0;
                white-space: nowrap; width: 1%%; }
table.meta td { padding: 0.5pt 12pt 0.5pt 0; }
table.data { width: 100%%; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.data th, table.data td { border: 0.75pt solid #aaa; padding: 1.5pt 4pt;
                               vertical-align: top; white-space: nowrap; }
table.data th { background: #eee; font-weight: bold; text-align: left; white-space: normal; }
table.data .n { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.half { border-left: 1.5pt solid #666; }
td.good { color: #17692c; } td.bad { color: #b00000; font-weight: bold; }
section.block.whole { break-inside: avoid; page-break-inside: avoid; }
p.note, p.empty { font-size: 8.5pt; margin: 2pt 0; color: #333; }
p.bulletin { font-size: 11pt; text-indent: 2em; line-height: 1.8; margin: 2pt 0 4pt; }
figure { margin: 6pt 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { width: 100%%; height: auto; display: block; }
figcaption { font-size: 8.5pt; color: #333; text-align: center; }
table.sign { width: 100%%; margin-top: 18pt; font-size: 10.5pt; break-inside: avoid;
             page-break-inside: avoid; }
table.sign td { padding: 0 6pt 0 0; white-space: nowrap; vertical-align: bottom; }
table.sign span.blank { display: inline-block; width: 32mm; border-bottom: 0.75pt solid #000; }
footer { margin-top: 10pt; border-top: 1px solid #999; font-size: 7.5pt; color: #333;
         break-inside: avoid; page-break-inside: avoid; }
footer code { font-family: %(fonts)s; overflow-wrap: anywhere; }
@media screen { body { padding: 12mm 0; } }
@media print { a { color: inherit; text-decoration: none; } }
"""

WHOLE_ROWS = 40  # a table of up to this many rows is never split across two pages


def css_string(text: str) -> str:
    """`text` as a CSS string, safe inside <style>: quotes, backslashes and the characters
    of markup written as escapes."""
    out = []
    for ch in text:
        if ch in "\"'\\<>&" or not ch.isprintable():
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _page_numbers(lang: str) -> str:
    """`"第 " counter(page) " 页 共 " counter(pages) " 页"` from the catalogue's words."""
    template = page_word("page_of", lang)
    before, rest = template.split("{page}")
    middle, after = rest.split("{pages}")
    return " ".join(part for part in (
        css_string(before) if before else "", "counter(page)",
        css_string(middle), "counter(pages)", css_string(after) if after else "") if part)


def page_css(page: Page) -> str:
    return CSS % {"left": css_string(page.running[0]), "right": css_string(page.running[1]),
                  "pages": _page_numbers(page.lang), "fonts": FONTS}


def _day_label(day: str, lang: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.month}月{d.day}日" if lang == "zh" else f"{d.day} {MONTHS[d.month - 1][:3]}"


def _svg_chart(series: list[dict[str, Any]], lang: str, caption: str) -> str:
    """Warnings received and fed back (bars) and cases reported (line), day by day."""
    width, height, left, right, top, bottom = 680, 220, 36, 10, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1] + [max(d["received"], d["fed_back"], d["cases"]) for d in series])
    step = _nice_step(peak)
    top_value = step * -(-peak // step)
    n = len(series)
    slot = plot_w / max(n, 1)
    bar = max(0.6, slot * 0.38)
    every = max(1, -(-n // 10))  # about ten dates along the axis

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{html.escape(caption)}" '
           f"font-family='{html.escape(FONTS)}' font-size=\"9\">"]
    for v in range(0, top_value + 1, step):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   'stroke="#ddd" stroke-width="0.6"/>')
        out.append(f'<text x="{left - 4}" y="{y(v) + 3:.1f}" text-anchor="end" '
                   f'fill="#555">{v}</text>')
    points = []
    for i, d in enumerate(series):
        x0 = left + i * slot + (slot - 2 * bar) / 2
        for j, (key, colour) in enumerate((("received", "#9bb8d8"), ("fed_back", "#2f6ea8"))):
            h = plot_h * d[key] / top_value
            out.append(f'<rect x="{x0 + j * bar:.1f}" y="{top + plot_h - h:.1f}" '
                       f'width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                       f'<title>{d["day"]} {html.escape(t(key, lang))}: {d[key]}</title></rect>')
        points.append(f"{left + (i + 0.5) * slot:.1f},{y(d['cases']):.1f}")
        if i % every == 0 or i == n - 1:
            out.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - bottom + 12}" '
                       f'text-anchor="middle" fill="#555">{_day_label(d["day"], lang)}</text>')
    if points:
        out.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#c0392b" '
                   'stroke-width="1.6"/>')
    legend = [("#9bb8d8", t("received", lang)), ("#2f6ea8", t("fed_back", lang)),
              ("#c0392b", t("reported", lang))]
    x = left
    for colour, label in legend:
        out.append(f'<rect x="{x}" y="{height - 12}" width="10" height="8" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{height - 5}" fill="#222">'
                   f'{html.escape(label)}</text>')
        x += 24 + 9 * cells(label) // 1.6
    out.append("</svg>")
    return "".join(out)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if peak / step <= 6:
            return step
    return 10 ** (len(str(peak)) - 1)


def _html_cell(cell: Cell, lang: str, extra: str = "") -> str:
    classes = [c for c in (("n" if numeric(cell) else ""), cell.tone or "", extra) if c]
    attr = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{attr}>{html.escape(show(cell, lang))}</td>"


def _html_table(block: Block, lang: str) -> list[str]:
    e = html.escape
    right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
    heads = [f'<th{" class=n" if is_num else ""}>{e(label)}</th>'
             for label, is_num in zip(block.columns, right, strict=True)]
    rows = [[_html_cell(c, lang) for c in row] for row in block.rows]
    if block.fold and len(block.rows) > 12:
        # two halves side by side: label, value | label, value
        half = -(-len(rows) // 2)
        second = [[_html_cell(c, lang, "half" if i == 0 else "") for i, c in enumerate(row)]
                  for row in block.rows[half:]]
        second += [['<td class="half"></td>'] + ["<td></td>"] * (len(heads) - 1)] * (
            half - len(second))
        heads = heads + [heads[0].replace("<th", '<th style="border-left: 1.5pt solid #666"',
                                          1)] + heads[1:]
        rows = [a + b for a, b in zip(rows[:half], second, strict=True)]
    out = ['<table class="data"><thead><tr>', *heads, "</tr></thead><tbody>"]
    for row in rows:
        out += ["<tr>", *row, "</tr>"]
    out.append("</tbody></table>")
    return out


def to_html(page: Page) -> str:
    e = html.escape
    lang_attr = "zh-CN" if page.lang == "zh" else "en"
    title = f"{page.title} · {page.running[1]}" if page.running[1] else page.title
    out = ["<!DOCTYPE html>", f'<html lang="{lang_attr}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(title)}</title>", f"<style>{page_css(page)}</style>", "</head>",
           "<body>", f"<header><h1>{e(page.title)}</h1>"]
    if page.running[1]:
        out.append(f'<p class="when">{e(page.running[1])}</p>')
    out.append('<table class="meta">')
    for n in range(0, len(page.header), 2):
        out.append("<tr>" + "".join(f"<th>{e(k)}</th><td>{e(v)}</td>"
                                    for k, v in page.header[n:n + 2]) + "</tr>")
    out.append("</table></header>")
    if page.paragraph is not None:
        out.append('<section class="bulletin">')
        if page.paragraph_title:
            out.append(f"<h2>{e(page.paragraph_title)}</h2>")
        out.append(f'<p class="bulletin">{e(page.paragraph)}</p></section>')
    if page.chart:
        out.append(f'<figure class="chart">{_svg_chart(page.chart, page.lang, page.chart_caption)}'
                   f"<figcaption>{e(page.chart_caption)}</figcaption></figure>")
    for block in page.blocks:
        whole = " whole" if len(block.rows) <= WHOLE_ROWS else ""
        out.append(f'<section class="block{whole}" id="{e(block.key)}">'
                   f"<h2>{e(block.title)}</h2>")
        if block.rows:
            out.extend(_html_table(block, page.lang))
        else:
            out.append(f'<p class="empty">{e(empty_word(page.lang))}</p>')
        if block.note:
            out.append(f'<p class="note">{e(block.note)}</p>')
        out.append("</section>")
    if page.signatures:
        colon = "：" if page.lang == "zh" else ": "
        out.append('<table class="sign"><tr>' + "".join(
            f"<td>{e(label)}{colon}"
            + (f"<span>{e(value)}</span>" if value else '<span class="blank"></span>')
            + "</td>" for label, value in page.signatures) + "</tr></table>")
    out.append("<footer>")
    for key, value in page.footer:
        out.append(f"<div>{e(key)}: <code>{e(value)}</code></div>")
    out.append("</footer></body></html>")
    return "\n".join(out) + "\n"


# -- xlsx ---------------------------------------------------------------------------------------

NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "rate": "0.00%",
                  "delta-int": "+#,##0;-#,##0;0", "delta-money": "+#,##0.00;-#,##0.00;0.00",
                  "delta-rate": "+0.00%;-0.00%;0.00%", "minutes": "0.00"}


def _sheet_cell(cell: Cell) -> Any:
    """A cell as the spreadsheet holds it: money in yuan (exact), moments as local
    date-times, durations in hours."""
    value = cell.value
    if value is None:
        return None
    if cell.kind in ("money", "delta-money"):
        from decimal import Decimal

        return Decimal(value) / 100
    if cell.kind == "moment":
        return value.replace(tzinfo=None)
    if cell.kind == "minutes":
        return round(value / 60, 2)
    return value


def report_sheets(page: Page) -> list[Sheet]:
    """The info sheet (what the page's header, paragraph, notes, signatures and footer
    say), then one sheet per table, each laid out as `output.xlsx_book` describes."""
    lang = page.lang
    info: list[list[Any]] = [[k, v] for k, v in page.header]
    if page.paragraph is not None:
        info.append([page.paragraph_title or heading("bulletin_text", lang), page.paragraph])
    info += [[block.title, block.note] for block in page.blocks if block.note]
    info += [[k, v] for k, v in page.signatures]
    info += [[k, v] for k, v in page.footer]
    title = f"{page.title} · {page.running[1]}"
    sheets = [Sheet(page_word("sheet.info", lang), title,
                    [page_word("item", lang), page_word("value", lang)], info, [None, None],
                    [column_width([k for k, _ in info]), 80])]
    unit = page_word("hours", lang)
    for block in page.blocks:
        kinds = [next((r[i].kind for r in block.rows if r[i].value is not None), "text")
                 for i in range(len(block.columns))]
        columns = [(f"{label}({unit})" if lang == "zh" else f"{label} ({unit})")
                   if kind == "minutes" else label
                   for label, kind in zip(block.columns, kinds, strict=True)]
        rows = [[_sheet_cell(c) for c in row] for row in block.rows]
        widths = [column_width([columns[i]] + [show(r[i], lang) for r in block.rows])
                  for i in range(len(columns))]
        name = page_word(f"sheet.{block.key}", lang) if f"sheet.{block.key}" in i18n.PAGE \
            else block.title
        sheets.append(Sheet(name, block.title, columns, rows,
                            [NUMBER_FORMATS.get(k) for k in kinds], widths,
                            [[NUMBER_FORMATS.get(c.kind) for c in row] for row in block.rows]))
    return sheets


def to_xlsx(page: Page) -> bytes:
    return xlsx_book(report_sheets(page), header=page.running, lang=page.lang)


# -- machine formats ----------------------------------------------------------------------------

# The key that names an item of each list in the report, for its CSV section
# (`breakdowns.by_station.maying`, `dispatch.YJ2026112700390`).
IDENTITY = {"ranking": "station", "by_type": "type", "by_station": "station",
            "by_level": "level", "by_audience": "audience", "by_form": "form",
            "dispatch": "no", "series": "day"}
NOT_FIGURES = ("rising", "series")  # what the page needs, not figures of the report
NONE_KEY = "_none"  # an item whose name is empty (a case of no station)


def _flat(prefix: str, value: Any, out: list[tuple[str, str, Any]], tz: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(item, (dict, list)):
                out.append((prefix or "report", key, csv_moment(key, item, tz)))
        for key, item in value.items():
            if isinstance(item, (dict, list)) and not (not prefix and key in NOT_FIGURES):
                _flat(f"{prefix}.{key}" if prefix else key, item, out, tz)
    elif isinstance(value, list):
        id_key = IDENTITY.get(prefix.rsplit(".", 1)[-1])
        seen: set[str] = set()
        for n, item in enumerate(value):
            ident = str(n)
            if id_key and isinstance(item, dict) and id_key in item:
                ident = NONE_KEY if item[id_key] is None else str(item[id_key])
            base, k = ident, 2
            while ident in seen:  # never two items under one section
                ident, k = f"{base}#{k}", k + 1
            seen.add(ident)
            _flat(f"{prefix}.{ident}", item, out, tz)


def to_rows(report: dict[str, Any], tz: Any = None) -> list[tuple[str, str, Any]]:
    """`(section, key, value)` for every figure of a report (nested sections dotted; the
    items of a list named by their station, type, level, audience, form or number): one row
    per figure, each (section, key) once."""
    out: list[tuple[str, str, Any]] = []
    if tz is None:
        from tongwei_cli.core import settings

        tz = settings.current().tz
    _flat("", report, out, tz)
    return out


def to_csv_text(report: dict[str, Any], tz: Any = None) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    for section, key, value in to_rows(report, tz):
        if isinstance(value, bool):
            value = "true" if value else "false"
        writer.writerow([section, key, "" if value is None else safe_cell(value)])
    return buffer.getvalue()


# -- the one entry point ------------------------------------------------------------------------

def emit_report(report: dict[str, Any], *, fmt: str | None, output: Path | None, refs: Any,
                tz: Any, lang: str | None = None, encoding: str | None = None) -> None:
    """Write a report in the chosen format, to the screen or `-o FILE`. Personal data is
    masked in every format."""
    chosen = choose_format(fmt, output, REPORT_FORMATS)
    charset = csv_encoding(encoding, chosen)
    data = dict(report)
    if "dispatch" in data:  # the only personal data a report carries (masked already)
        data["dispatch"] = masked(data["dispatch"], False)
    if chosen == "json":
        _write(to_json(data), output)
        return
    if chosen == "csv":
        _write(csv_bytes(to_csv_text(data, tz), charset), output)
        return
    lang = lang or i18n.lang()
    if chosen == "table" and report["report"] == "bulletin":
        _write(visible(report["text"]) + "\n", output)  # the paragraph itself, ready to paste
        return
    page = visible_page(layout(data, refs, tz, lang))
    if chosen == "text":
        _write(to_text(page), output)
    elif chosen == "markdown":
        _write(to_markdown(page), output)
    elif chosen == "html":
        _write(to_html(page), output)
    elif chosen == "pdf":
        refuse_binary_on_terminal(chosen, output)
        from tongwei_cli.render.pdf import html_to_pdf

        _write(html_to_pdf(to_html(page)), output)
    elif chosen == "xlsx":
        refuse_binary_on_terminal(chosen, output)
        _write(to_xlsx(page), output)
    else:
        import sys

        from tongwei_cli.render.output import _print_rich, _table_width

        # On a terminal, a long block is drawn by the light table; on a pipe or in a file
        # the page stays as rich draws it.
        on_terminal = output is None and sys.stdout.isatty()
        _print_rich(to_rich(page, _table_width(None) if on_terminal else None), output)
