"""`tongwei ref …`: the reference lists (fraud types, stations, levels, audiences, forms,
venue kinds)."""

from __future__ import annotations

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.i18n import pick
from tongwei_cli.options import FormatOption, OutputOption
from tongwei_cli.refdata import KINDS
from tongwei_cli.render import Column, emit_list

app = sub_app("""Reference lists. Wherever a command takes one of these values, it accepts the
code, the English name, the Chinese name, or a unique prefix of the Chinese name.

Example: tongwei ref stations --format csv -o stations.csv
""")

BASE = [Column("code", "代码", "Code"), Column("name_zh", "中文名称", "Chinese name"),
        Column("name_en", "英文名称", "English name")]
EXTRA = {"kind": Column("kind", "类别", "Kind"),
         "deadline_hours": Column("deadline_hours", "反馈时限(小时)", "Feedback deadline (h)")}

TITLES = {"types": ("诈骗类型", "Fraud types"), "stations": ("派出所", "Police stations"),
          "levels": ("预警等级", "Warning levels"), "audiences": ("宣传对象", "Outreach audiences"),
          "forms": ("宣传形式", "Outreach forms"), "venues": ("场所类型", "Venue kinds")}


def _make(name: str) -> None:
    kind = KINDS[name]
    zh, en = TITLES[name]

    def command(fmt: FormatOption = None, output: OutputOption = None) -> None:
        db = get_db()
        rows = [{k: v for k, v in r.items() if k != "sort"} for r in db.refs.rows[name]]
        emit_list(rows, [*BASE, *(EXTRA[c] for c in kind.extra)], fmt=fmt, output=output,
                  title=pick(zh, en))

    command.__doc__ = f"List the {en.lower()} ({zh}).\n\nExample: tongwei ref {name} --format json"
    app.command(name)(command)


for _name in KINDS:
    _make(_name)
