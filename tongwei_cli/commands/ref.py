"""`tongwei ref …`: the reference lists (fraud types, stations, levels, audiences, forms,
venue kinds)."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import FormatOption, OutputOption
from tongwei_cli.core.words import pick
from tongwei_cli.domain.reference import KINDS, refs
from tongwei_cli.render.output import Column, emit_list

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
        rows = [{k: v for k, v in r.items() if k != "sort"} for r in refs(db).rows[name]]
        emit_list(rows, [*BASE, *(EXTRA[c] for c in kind.extra)], fmt=fmt, output=output,
                  title=pick(zh, en))

    command.__doc__ = f"List the {en.lower()} ({zh}).\n\nExample: tongwei ref {name} --format json"
    app.command(name)(command)


for _name in KINDS:
    _make(_name)


@app.command("set-deadline")
def set_deadline(
    level: Annotated[str, typer.Argument(metavar="LEVEL", help="high | medium | low (高风险…).")],
    hours: Annotated[str, typer.Argument(metavar="HOURS", help="Feedback deadline in hours.")],
) -> None:
    """Change a warning level's feedback deadline (反馈时限), recorded in the audit log.
    Warnings already received keep the deadline they were given.

    Example: tongwei ref set-deadline 高风险 1
    """
    from tongwei_cli.domain.warnings import set_deadline as change
    from tongwei_cli.render.output import status

    db = get_db()
    result = change(db, level, hours)
    status(f"{result['code']}: {result['previous_hours']} h -> {result['deadline_hours']} h")
    print(f"{result['code']} {result['deadline_hours']}")
