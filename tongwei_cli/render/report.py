"""Reports on paper and screen: the formats of `tongwei report …`.

A report (the plain dict of `reports.py`, English keys, money in fen) is first laid out as
a `Page`: a header, titled blocks of cells, a paragraph or a chart, a footer. Every human
format (table, text, markdown, html, xlsx) draws that same page, so they cannot disagree;
json and csv write the report itself. Personal data is always masked: reports have no
--reveal.
"""

from __future__ import annotations

import csv
import html
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tongwei_cli.core import clock
from tongwei_cli.core import words as i18n
from tongwei_cli.render.output import (
    REPORT_FORMATS,
    _write,
    choose_format,
    fen_to_yuan,
    masked,
    safe_cell,
    to_json,
)

TEXT_WIDTH = 80

# -- words ------------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    # cases
    "reported": ("报案数(起)", "Cases reported"),
    "loss_fen": ("损失金额(元)", "Losses (yuan)"),
    "solved": ("破案(起)", "Solved"),
    "arrested": ("抓获(人)", "Arrested"),
    "prosecuted": ("移送起诉(人)", "Prosecuted"),
    "recovered_fen": ("挽回损失(元)", "Recovered (yuan)"),
    "frozen_fen": ("冻结(元)", "Frozen (yuan)"),
    "stopped_fen": ("止付(元)", "Stopped (yuan)"),
    # warnings
    "received": ("接收预警(条)", "Received"),
    "fed_back": ("已反馈", "Fed back"),
    "feedback_rate": ("反馈率", "Feedback rate"),
    "on_time": ("按时反馈", "On time"),
    "on_time_rate": ("按时率", "On-time rate"),
    "visited": ("见面劝阻", "Visited"),
    "visit_rate": ("见面率", "Visit rate"),
    "dissuaded": ("劝阻成功", "Dissuaded"),
    "defrauded": ("预警后被骗", "Defrauded"),
    "open": ("未反馈", "Open"),
    "overdue": ("超时未反馈", "Overdue"),
    # outreach
    "sessions": ("宣传(场次)", "Sessions"),
    "attendees": ("受众(人次)", "Attendees"),
    "materials": ("发放资料(份)", "Materials"),
    # cards
    "actions": ("检查处置合计", "Actions"),
    "inspections": ("检查", "Inspections"),
    "interviews": ("约谈", "Interviews"),
    "notices": ("提示函/通报", "Notices"),
    "fines": ("罚款(次)", "Fines"),
    "rectifies": ("责令整改", "Rectifications"),
    "rechecks": ("复查", "Rechecks"),
    "fines_fen": ("罚款金额(元)", "Fines (yuan)"),
    # columns
    "figure": ("项目", "Figure"),
    "type": ("诈骗类型", "Fraud type"),
    "station": ("派出所", "Station"),
    "level": ("预警等级", "Level"),
    "audience": ("宣传对象", "Audience"),
    "form": ("宣传形式", "Form"),
    "rank": ("序", "#"),
    "cases": ("案件", "Cases"),
    "loss": ("损失(元)", "Loss (yuan)"),
    "no": ("预警编号", "Warning no."),
    "received_at": ("接收时间", "Received"),
    "deadline_at": ("反馈时限", "Deadline"),
    "late": ("超时", "Late"),
    "phone": ("电话", "Phone"),
    "name": ("姓名", "Name"),
    "day": ("日期", "Day"),
    "total": ("累计", "Total"),
    "r_received": ("预警", "Warnings"),
    "r_overdue": ("超时", "Overdue"),
    "r_sessions": ("宣传", "Outreach"),
}

TITLES: dict[str, tuple[str, str]] = {
    "daily": ("反诈工作每日汇总", "Daily anti-fraud summary"),
    "range": ("反诈工作统计", "Anti-fraud report"),
    "campaign": ("专项行动统计", "Campaign report"),
    "bulletin": ("战果通报", "Bulletin"),
    "cases": ("打 · 案件", "Strike · cases"),
    "warnings": ("防 · 预警劝阻", "Prevent · warnings"),
    "outreach": ("宣 · 宣传", "Publicize · outreach"),
    "cards": ("管控 · 断卡", "Manage · two cards"),
    "by_type": ("按诈骗类型", "By fraud type"),
    "by_station": ("按派出所（案件）", "By station (cases)"),
    "by_level": ("按预警等级", "By warning level"),
    "by_audience": ("按宣传对象", "By audience"),
    "ranking": ("派出所排名（需关注者在前）", "Station ranking (attention first)"),
    "dispatch": ("待调度预警（未反馈）", "Warnings to dispatch (no feedback)"),
    "chart": ("近30日趋势", "Last 30 days"),
    "bulletin_text": ("通报", "Bulletin"),
}

BUREAU = ("通渭县公安局", "Tongwei County Public Security Bureau")


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
    kind: str = "text"  # text, int, money (fen), rate (0-1), delta-int, delta-money, delta-rate


@dataclass
class Block:
    key: str
    title: str
    columns: list[str]  # labels
    rows: list[list[Cell]]
    note: str | None = None
    keys: int = 1  # leading columns repeated when a text table is split to fit the page


@dataclass
class Page:
    lang: str
    title: str
    header: list[tuple[str, str]]  # (label, value)
    blocks: list[Block] = field(default_factory=list)
    paragraph: str | None = None
    chart: list[dict[str, Any]] | None = None
    footer: list[tuple[str, str]] = field(default_factory=list)


def show(cell: Cell, lang: str) -> str:
    """A cell as people read it."""
    value, kind = cell.value, cell.kind
    if value is None:
        return "—" if kind != "text" else ""
    if kind == "int":
        return f"{value:,}"
    if kind == "money":
        return fen_to_yuan(value)
    if kind == "rate":
        return f"{value * 100:.2f}%"
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
    return cell.kind != "text"


def _station(refs: Any, code: str | None, lang: str, short: bool = True) -> str:
    if code is None:
        return "（未指定）" if lang == "zh" else "(none)"
    name = refs.name("stations", code, lang)
    if short:
        for suffix in ("派出所", " Police Station"):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
    return name


def _local(stamp: str | None, tz: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return clock.local(stamp, tz).strftime(fmt) if stamp else ""


def _late(minutes: int, lang: str) -> str:
    if minutes <= 0:
        return ""
    hours, mins = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24}天" if lang == "zh" else f"{hours // 24}d"
    return f"{hours}:{mins:02d}"


def _section_block(report: dict[str, Any], section: str, lang: str, daily: bool) -> Block:
    cols = [t("figure", lang)]
    if daily:
        cols += ([("当日" if lang == "zh" else "Day"),
                  ("前一日" if lang == "zh" else "Day before"),
                  ("增减" if lang == "zh" else "Change"),
                  ("去年同日" if lang == "zh" else "Year ago"),
                  ("增减" if lang == "zh" else "Change")])
    else:
        cols += [("本期" if lang == "zh" else "Period"),
                 ("上期(环比)" if lang == "zh" else "Previous"),
                 ("增减" if lang == "zh" else "Change"),
                 ("去年同期(同比)" if lang == "zh" else "Year ago"),
                 ("增减" if lang == "zh" else "Change")]
    rows = []
    for key, value in report[section].items():
        kind = kind_of(key)
        prev, year = report["previous"], report["year_ago"]
        rows.append([Cell(t(key, lang)), Cell(value, kind),
                     Cell(prev[section].get(key), kind),
                     Cell(prev["change"][section].get(key), f"delta-{kind}"),
                     Cell(year[section].get(key), kind),
                     Cell(year["change"][section].get(key), f"delta-{kind}")])
    return Block(section, heading(section, lang), cols, rows)


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
    period = report["from"] if report["from"] == report["to"] else (
        f"{report['from']} 至 {report['to']}" if lang == "zh"
        else f"{report['from']} to {report['to']}")
    title = heading(kind, lang)
    header = [(i18n.pick("单位", "Bureau", lang), BUREAU[0] if lang == "zh" else BUREAU[1]),
              (i18n.pick("报表", "Report", lang), title)]
    if report.get("campaign") and kind != "daily":
        header.append((i18n.pick("专项行动", "Campaign", lang), report["campaign"]["name"]))
    header += [(i18n.pick("期间", "Period", lang), period),
               (i18n.pick("范围", "Station", lang), station),
               (i18n.pick("打印时间", "Printed", lang), _local(report["generated_at"], tz)),
               (i18n.pick("制表人", "Officer", lang), report["officer"])]
    footer = [(i18n.pick("统计截至", "Figures as of", lang), _local(report["as_of"], tz)),
              (i18n.pick("审计链头", "Audit log head", lang), report["audit_head"])]
    page = Page(lang, f"{BUREAU[0] if lang == 'zh' else BUREAU[1]} · {title}", header,
                footer=footer)
    if kind == "bulletin":
        page.paragraph = report["text"]
        return page

    daily = kind == "daily"
    for section in ("cases", "warnings", "outreach", "cards"):
        page.blocks.append(_section_block(report, section, lang, daily))

    campaign = report.get("campaign") if daily else None
    if campaign:
        rows = []
        for section in ("cases", "warnings", "outreach", "cards"):
            for key, value in campaign[section].items():
                rows.append([Cell(t(key, lang)), Cell(value, kind_of(key))])
        page.blocks.append(Block(
            "campaign", i18n.pick(f"专项行动累计：{campaign['name']}（{campaign['from']} 至 "
                                  f"{campaign['to']}）",
                                  f"Campaign to date: {campaign['name']} ({campaign['from']} "
                                  f"to {campaign['to']})", lang),
            [t("figure", lang), t("total", lang)], rows))

    if daily:
        page.blocks.append(_dispatch_block(report, refs, tz, lang))

    ranking = report["ranking"]
    rows = [[Cell(r["rank"], "int"), Cell(_station(refs, r["station"], lang)),
             Cell(r["received"], "int"), Cell(r["feedback_rate"], "rate"),
             Cell(r["on_time_rate"], "rate"), Cell(r["visit_rate"], "rate"),
             Cell(r["overdue"], "int"), Cell(r["cases"], "int"), Cell(r["loss_fen"], "money"),
             Cell(r["sessions"], "int")] for r in ranking]
    page.blocks.append(Block("ranking", heading("ranking", lang), [
        t(k, lang) for k in ("rank", "station", "r_received", "feedback_rate", "on_time_rate",
                             "visit_rate", "r_overdue", "cases", "loss", "r_sessions")],
        rows, keys=2))

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
    return page


def _dispatch_block(report: dict[str, Any], refs: Any, tz: Any, lang: str) -> Block:
    rows = []
    for r in report["dispatch"]:
        rows.append([Cell(r["no"]), Cell(_station(refs, r["station"], lang)),
                     Cell(refs.name("levels", r["level"], lang)),
                     Cell(_local(r["received_at"], tz, "%m-%d %H:%M")),
                     Cell(_local(r["deadline_at"], tz, "%m-%d %H:%M")),
                     Cell(_late(r["overdue_minutes"], lang)),
                     Cell(r.get("phone") or ""), Cell(r.get("name") or "")])
    total, shown = report["dispatch_total"], len(report["dispatch"])
    overdue = sum(1 for r in report["dispatch"] if r["overdue"])
    note = i18n.pick(f"共 {total} 条，其中超时 {overdue} 条", f"{total} in all, {overdue} overdue",
                     lang)
    if total > shown:
        note += i18n.pick(f"；仅列出前 {shown} 条（tongwei warning list --status open）",
                          f"; the first {shown} listed (tongwei warning list --status open)",
                          lang)
    columns = [t(k, lang) for k in ("no", "station", "level", "received_at", "deadline_at",
                                    "late", "phone", "name")]
    return Block("dispatch", heading("dispatch", lang), columns, rows, note)


# -- display width ------------------------------------------------------------------------------

def cells(text: str) -> int:
    """Terminal cells `text` takes: wide (CJK) characters two, combining marks none."""
    if text.isascii():
        return len(text)
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


def wrap(text: str, width: int) -> list[str]:
    """Break a paragraph into lines of at most `width` cells (Chinese breaks anywhere;
    Latin words are kept whole where they fit)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for token in _tokens(para):
            if cells(line + token) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = token.lstrip()
            while cells(line) > width:
                cut = clip(line, width + 1)[:-1]
                lines.append(cut)
                line = line[len(cut):]
        lines.append(line.rstrip())
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


def _text_table(block: Block, lang: str, width: int = TEXT_WIDTH) -> list[str]:
    """A block as aligned plain text; columns past `width` continue in a second table that
    repeats the first column."""
    texts = [[show(c, lang) for c in row] for row in block.rows]
    right = [any(numeric(row[i]) for row in block.rows) if block.rows else i > 0
             for i in range(len(block.columns))]
    widths = [max([cells(block.columns[i])] + [cells(r[i]) for r in texts])
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
        for row in texts:
            line = (" " * gap).join(pad(clip(row[i], widths[i]), widths[i], right[i])
                                    for i in group)
            out.append(line.rstrip())
    return out


def empty_word(lang: str) -> str:
    return i18n.pick("（无）", "(none)", lang)


def to_text(page: Page) -> str:
    lines = [page.title, "=" * min(TEXT_WIDTH, cells(page.title))]
    label_width = max(cells(k) for k, _ in page.header + page.footer)
    for key, value in page.header:
        lines.extend(wrap(f"{pad(key, label_width)}  {value}", TEXT_WIDTH))
    if page.paragraph is not None:
        lines.append("")
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
    lines += ["", "---", ""]
    for key, value in page.footer:
        lines.append(f"- **{_md(key)}**: `{value}`" if len(value) == 64 or "…" in value
                     else f"- **{_md(key)}**: {_md(value)}")
    return "\n".join(lines) + "\n"


# -- rich (the terminal) ------------------------------------------------------------------------

def to_rich(page: Page) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = [Text(page.title, style="bold")]
    for key, value in page.header[2:]:
        parts.append(Text(f"{key}: {value}"))
    if page.paragraph is not None:
        parts.append(Text(""))
        parts.append(Text(page.paragraph))
    for block in page.blocks:
        table = Table(title=block.title, title_justify="left", caption=block.note,
                      caption_justify="left")
        right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
        for label, is_num in zip(block.columns, right, strict=True):
            table.add_column(label, justify="right" if is_num else "left", overflow="fold")
        for row in block.rows:
            styled = []
            for cell in row:
                text = show(cell, page.lang)
                style = ""
                if cell.kind.startswith("delta-") and cell.value:
                    style = "green" if cell.value > 0 else "red"
                styled.append(Text(text, style=style))
            table.add_row(*styled)
        if not block.rows:
            table.add_row(empty_word(page.lang), *[""] * (len(block.columns) - 1))
        parts.append(table)
    for key, value in page.footer:
        parts.append(Text(f"{key}: {value}", style="dim"))
    return parts


# -- html ---------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
html { font-size: 10pt; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
       "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "SimHei", "SimSun",
       "Songti SC", sans-serif;
       color: #111; margin: 0 auto; max-width: 186mm; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 4pt; text-align: center; letter-spacing: 1pt; }
h2 { font-size: 11pt; margin: 10pt 0 3pt; border-bottom: 1px solid #999; }
dl.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr;
          gap: 1pt 8pt; margin: 0 0 6pt; font-size: 9pt; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 8.5pt;
        page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 1.5pt 3pt; overflow-wrap: anywhere;
         word-break: break-word; vertical-align: top; }
th { background: #eee; font-weight: bold; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.up { color: #060; } td.down { color: #a00; }
p.note, p.empty { font-size: 8.5pt; margin: 2pt 0; color: #444; }
p.bulletin { font-size: 12pt; text-indent: 2em; line-height: 1.8; }
figure { margin: 6pt 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 8.5pt; color: #444; }
footer { margin-top: 10pt; border-top: 1px solid #999; font-size: 8pt; color: #333; }
footer code { font-size: 7.5pt; overflow-wrap: anywhere; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _svg_chart(series: list[dict[str, Any]], lang: str) -> str:
    """Warnings received and fed back (bars) and cases reported (line), day by day."""
    width, height, left, right, top, bottom = 680, 220, 36, 10, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1] + [max(d["received"], d["fed_back"], d["cases"]) for d in series])
    step = _nice_step(peak)
    top_value = step * -(-peak // step)
    n = len(series)
    slot = plot_w / max(n, 1)
    bar = max(1.0, slot * 0.38)

    def y(value: float) -> float:
        return top + plot_h - plot_h * value / top_value

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{html.escape(heading("chart", lang))}" '
           'font-family="sans-serif" font-size="9">']
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
        if i % 5 == 0 or i == n - 1:
            out.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - bottom + 12}" '
                       f'text-anchor="middle" fill="#555">{d["day"][5:]}</text>')
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


def to_html(page: Page) -> str:
    e = html.escape
    lang_attr = "zh-CN" if page.lang == "zh" else "en"
    out = ["<!DOCTYPE html>", f'<html lang="{lang_attr}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(page.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<header><h1>{e(page.title)}</h1>", '<dl class="meta">']
    for key, value in page.header:
        out.append(f"<dt>{e(key)}</dt><dd>{e(value)}</dd>")
    out.append("</dl></header>")
    if page.paragraph is not None:
        out.append(f'<p class="bulletin">{e(page.paragraph)}</p>')
    if page.chart:
        out.append(f'<figure class="chart">{_svg_chart(page.chart, page.lang)}'
                   f"<figcaption>{e(heading('chart', page.lang))}</figcaption></figure>")
    for block in page.blocks:
        out.append(f'<section class="block" id="{e(block.key)}"><h2>{e(block.title)}</h2>')
        if block.rows:
            right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
            out.append("<table><thead><tr>")
            for label, is_num in zip(block.columns, right, strict=True):
                out.append(f'<th{" class=n" if is_num else ""}>{e(label)}</th>')
            out.append("</tr></thead><tbody>")
            for row in block.rows:
                out.append("<tr>")
                for cell in row:
                    classes = ["n"] if numeric(cell) else []
                    if cell.kind.startswith("delta-") and cell.value:
                        classes.append("up" if cell.value > 0 else "down")
                    attr = f' class="{" ".join(classes)}"' if classes else ""
                    out.append(f"<td{attr}>{e(show(cell, page.lang))}</td>")
                out.append("</tr>")
            out.append("</tbody></table>")
        else:
            out.append(f'<p class="empty">{e(empty_word(page.lang))}</p>')
        if block.note:
            out.append(f'<p class="note">{e(block.note)}</p>')
        out.append("</section>")
    out.append("<footer>")
    for key, value in page.footer:
        out.append(f"<div>{e(key)}: <code>{e(value)}</code></div>")
    out.append("</footer></body></html>")
    return "\n".join(out) + "\n"


# -- xlsx ---------------------------------------------------------------------------------------

NUMBER_FORMATS = {"int": "#,##0", "money": "#,##0.00", "rate": "0.00%",
                  "delta-int": "+#,##0;-#,##0;0", "delta-money": "+#,##0.00;-#,##0.00;0.00",
                  "delta-rate": "+0.00%;-0.00%;0.00%"}


def _sheet_name(title: str, taken: set[str]) -> str:
    clean = "".join("_" if ch in '[]:*?/\\' else ch for ch in title)[:31] or "sheet"
    name, n = clean, 2
    while name in taken:
        suffix = f" ({n})"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def to_xlsx(page: Page) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    taken: set[str] = set()
    info = book.active
    info.title = _sheet_name(i18n.pick("报表信息", "Report", page.lang), taken)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEEEEE")
    info.append([i18n.pick("项目", "Item", page.lang), i18n.pick("内容", "Value", page.lang)])
    for key, value in page.header + page.footer:
        info.append([key, safe_cell(value)])
    if page.paragraph is not None:
        info.append([heading("bulletin_text", page.lang), safe_cell(page.paragraph)])
        info.cell(row=info.max_row, column=2).alignment = Alignment(wrap_text=True)
    _finish(info, [False, False], bold, fill, widths=[16, 90])
    for block in page.blocks:
        sheet = book.create_sheet(_sheet_name(block.title, taken))
        sheet.append(block.columns)
        for row in block.rows:
            values = []
            for cell in row:
                value = cell.value
                if cell.kind in ("money", "delta-money") and value is not None:
                    value = value / 100
                values.append(safe_cell(value) if cell.kind == "text" else value)
            sheet.append(values)
            for col, cell in enumerate(row, 1):
                if cell.kind in NUMBER_FORMATS:
                    sheet.cell(row=sheet.max_row, column=col).number_format = \
                        NUMBER_FORMATS[cell.kind]
        if block.note:
            sheet.append([])
            sheet.append([block.note])
        right = [any(numeric(r[i]) for r in block.rows) for i in range(len(block.columns))]
        widths = [max([cells(block.columns[i])] + [cells(show(r[i], page.lang))
                                                  for r in block.rows]) + 2
                  for i in range(len(block.columns))]
        _finish(sheet, right, bold, fill, widths=[min(w, 40) for w in widths])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _finish(sheet: Any, right: list[bool], bold: Any, fill: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for col in range(1, len(widths) + 1):
        head = sheet.cell(row=1, column=col)
        head.font = bold
        head.fill = fill
        sheet.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    sheet.freeze_panes = "A2"


# -- machine formats ----------------------------------------------------------------------------

def _flat(prefix: str, value: Any, out: list[tuple[str, str, Any]]) -> None:
    if isinstance(value, dict):
        scalars = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
        for key, item in scalars.items():
            out.append((prefix or "report", key, item))
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                _flat(f"{prefix}.{key}" if prefix else key, item, out)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            ident = n
            if isinstance(item, dict):
                for id_key in ("station", "type", "level", "audience", "form", "no", "day"):
                    if id_key in item:
                        ident = item[id_key]
                        break
            _flat(f"{prefix}.{ident}", item, out)


def to_rows(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """`(section, key, value)` for every figure of a report (nested sections dotted)."""
    out: list[tuple[str, str, Any]] = []
    _flat("", report, out)
    return out


def to_csv_text(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["section", "key", "value"])
    for section, key, value in to_rows(report):
        if isinstance(value, bool):
            value = "true" if value else "false"
        writer.writerow([section, key, "" if value is None else safe_cell(value)])
    return buffer.getvalue()


# -- the one entry point ------------------------------------------------------------------------

def emit_report(report: dict[str, Any], *, fmt: str | None, output: Path | None, refs: Any,
                tz: Any, lang: str | None = None) -> None:
    """Write a report in the chosen format, to the screen or `-o FILE`. Personal data is
    masked in every format."""
    chosen = choose_format(fmt, output, REPORT_FORMATS)
    data = dict(report)
    if "dispatch" in data:  # the only personal data a report carries (masked already)
        data["dispatch"] = masked(data["dispatch"], False)
    if chosen == "json":
        _write(to_json(data), output)
        return
    if chosen == "csv":
        _write(to_csv_text(data), output)
        return
    lang = lang or i18n.lang()
    if chosen == "table" and report["report"] == "bulletin":
        _write(report["text"] + "\n", output)  # the paragraph itself, ready to paste
        return
    page = layout(data, refs, tz, lang)
    if chosen == "text":
        _write(to_text(page), output)
    elif chosen == "markdown":
        _write(to_markdown(page), output)
    elif chosen == "html":
        _write(to_html(page), output)
    elif chosen == "xlsx":
        if output is None:
            import sys

            if sys.stdout.isatty():
                from tongwei_cli.core.errors import InvalidValue

                raise InvalidValue("xlsx is a binary file; give -o FILE.xlsx", "format")
        _write(to_xlsx(page), output)
    else:
        from tongwei_cli.render.output import _print_rich

        _print_rich(to_rich(page), output)
