"""`tongwei ref …`: the reference lists (fraud types, stations, levels, audiences, forms,
venue kinds)."""

from __future__ import annotations

from typing import Annotated

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import FormatOption, OutputOption
from tongwei_cli.core.words import TITLES, lang
from tongwei_cli.domain.reference import KINDS, refs
from tongwei_cli.render.output import Column, emit_list

app = sub_app("""Reference lists. Wherever a command takes one of these values, it accepts the
code, the English name, the Chinese name, or a unique prefix of the Chinese name.

Example: tongwei ref stations --format csv -o stations.csv
""")

BASE = [Column("code"), Column("name_zh"),
        Column("name_en")]
EXTRA = {"kind": Column("kind", label_key="kind.station"),
         "deadline_hours": Column("deadline_hours")}

def _make(name: str) -> None:
    kind = KINDS[name]
    zh, en = TITLES[f"ref.{name}"]

    def command(fmt: FormatOption = None, output: OutputOption = None) -> None:
        db = get_db()
        rows = [{k: v for k, v in r.items() if k != "sort"} for r in refs(db).rows[name]]
        emit_list(rows, [*BASE, *(EXTRA[c] for c in kind.extra)], fmt=fmt, output=output,
                  title=zh if lang() == "zh" else en)

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
