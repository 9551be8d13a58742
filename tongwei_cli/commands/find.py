"""`tongwei find VALUE`: has this person come up before?"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tongwei_cli.commands import get_db
from tongwei_cli.commands.options import FormatOption, OutputOption, RevealOption, opt
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.words import lang as current_lang
from tongwei_cli.core.words import say, word
from tongwei_cli.domain import people
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import LIST_FORMATS, Column, choose_format, emit_list, status

COLUMNS = [
    Column("strand", "word"),
    Column("no"),
    Column("when"),
    Column("station", "ref:stations"),
    Column("name", label_key="person.name"),
    Column("phone", label_key="person.phone"),
    Column("id_no", label_key="person.id_no"),
    Column("status", "word"),
    Column("detail"),
]


def find(
    value: Annotated[str, typer.Argument(
        metavar="VALUE", help="A phone number, an ID number or a name.")],
    phone: Annotated[bool, opt("VALUE is a phone number.", "--phone")] = False,
    id_: Annotated[bool, opt("VALUE is a resident ID number.", "--id")] = False,
    name: Annotated[bool, opt("VALUE is a name.", "--name")] = False,
    reveal: RevealOption = False, fmt: FormatOption = None, output: OutputOption = None,
) -> None:
    """Has this person come up before? Every warning, case (as the victim) and restriction
    of the person, newest first, masked. The value is taken as an ID number, a phone number
    or a name by its look, or as --phone, --id or --name says. Each lookup is recorded in
    the audit log (who looked up whom, masked).

    Examples:

      tongwei find 13800000001

      tongwei find 张三 --name --reveal
    """
    chosen = [by for by, given in (("phone", phone), ("id", id_), ("name", name)) if given]
    if len(chosen) > 1:
        raise InvalidValue("give one of --phone, --id, --name", "--" + chosen[1])
    db = get_db()
    by, shown, records = people.find(db, value, chosen[0] if chosen else None, reveal=reveal)
    lang = current_lang()
    names = refs(db)
    chosen_format = choose_format(fmt, output, LIST_FORMATS)
    by_word = say(f"find.by.{by}")
    status(say("find.found", by=by_word, value=shown, n=len(records)) if records
           else say("find.none", by=by_word, value=shown))
    if chosen_format in ("json", "csv"):  # for scripts: codes, as stored
        emit_list(records, COLUMNS, fmt=fmt, output=output, reveal=reveal)
        return
    if not records and chosen_format == "table" and output is None:
        return
    emit_list([_for_table(r, names, lang) for r in records], COLUMNS, fmt=fmt,
              output=output, reveal=reveal, refs=names, tz=db.tz,
              drop=("id_no", "phone", "detail"))


def _for_table(record: dict[str, Any], names: Any, lang: str) -> dict[str, Any]:
    """A found record with its strand as a word code and a line of detail in words."""
    strand = record["strand"]
    out = {**record, "strand": f"strand.{strand}"}
    if strand == "warning":
        detail = names.name("levels", record["detail"], lang)
        if record.get("outcome"):
            detail += " · " + word(record["outcome"], lang)
    elif strand == "case":
        detail = names.name("types", record["detail"], lang)
        if record.get("warning"):
            detail += f" · {record['warning']}"
    else:
        detail = word(record["detail"], lang) + f" → {record['until']}"
    out["detail"] = detail
    return out
