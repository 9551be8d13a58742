"""Option types shared by the commands, defined once, and the terminal prompt helper."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tongwei_cli.commands import completion
from tongwei_cli.commands.click_api import MissingParameter
from tongwei_cli.core.errors import TongweiError
from tongwei_cli.domain.reference import refs


def opt(help_text: str, name: str) -> Any:
    """An option of one command: its name and help, no default shown."""
    return typer.Option(name, help=help_text, show_default=False)


FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="Output format: table, json or csv; lists also xlsx; "
                 "reports also text, markdown, html, pdf and xlsx. Default: from the -o "
                 "file's extension, else table.", show_default=False),
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="Encoding of a CSV file: utf-8 (with the BOM Excel "
                 "looks for; the default) or gb18030 (what the platform's spreadsheets use, "
                 "for a file going back to it).", show_default=False),
]


def checked_output(value: Path | None) -> Path | None:
    """The one check of every `-o FILE`, before the command runs: never the database in use
    nor a file SQLite keeps beside it (`-wal`, `-shm`, `-journal`) — by name, through a
    symbolic link or as a hard link — and never over another SQLite file (a station's
    file, a backup, one being written). Writing over either would lose records."""
    if value is None or str(value) == "-":
        return value
    from tongwei_cli.core import settings
    from tongwei_cli.core.errors import InvalidValue
    from tongwei_cli.storage.maintenance import database_part, holds_sqlite

    part = database_part(value, settings.current().db_path)
    if part is not None:
        raise InvalidValue(f"{value} {part}; choose another file", "output")
    if holds_sqlite(value):
        raise InvalidValue(f"{value} is an SQLite database (a tongwei file or a backup); "
                           "choose another file", "output")
    return value


OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to FILE instead of the screen (- for the "
                 "screen); the format follows its extension (.json .csv .txt .md .html "
                 ".pdf .xlsx) unless --format says otherwise. The file is written whole or not "
                 "at all, and a new one is readable only by you.", dir_okay=False,
                 show_default=False, callback=checked_output),
]
RevealOption = Annotated[
    bool,
    typer.Option("--reveal", help="Show names, phone numbers and ID numbers in full. "
                 "Recorded in the audit log."),
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="First day (YYYY-MM-DD, today, yesterday).", show_default=False),
]
ToOption = Annotated[
    str | None,
    typer.Option("--to", help="Last day, included (YYYY-MM-DD, today, yesterday).",
                 show_default=False),
]
StationOption = Annotated[
    str | None,
    typer.Option("--station", help="Police station: code, name or unique prefix (平襄).",
                 show_default=False, autocompletion=completion.reference("stations")),
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", help="Show at most N rows.", min=1, show_default=False),
]

# A list on a terminal with no --limit shows this many rows and says how to see the rest; a
# file, a pipe or JSON/CSV always gets every row.
SCREEN_ROWS = 200


def screen_limit(limit: int | None, fmt: str | None, output: Any) -> tuple[int | None, bool]:
    """The rows a list should read: `--limit` if given; on a terminal table without it, one
    more than `SCREEN_ROWS` (so that `screen_cut` can tell the list was longer). Returns
    (rows to read, whether the screen cut applies)."""
    if limit is not None or output is not None:
        return limit, False
    try:
        if not sys.stdout.isatty():
            return limit, False
    except (AttributeError, ValueError):
        return limit, False
    from tongwei_cli.render.output import LIST_FORMATS, choose_format

    if choose_format(fmt, None, LIST_FORMATS) != "table":
        return limit, False
    return SCREEN_ROWS + 1, True


def screen_cut(rows: list, applies: bool, *, latest: bool = False) -> tuple[list, list[str]]:
    """`rows` cut to `SCREEN_ROWS` when the screen cut applies and they are more, with the
    note that says so (totals of a cut list would mislead: callers leave them out).
    `latest`: the rows are oldest first and read newest-first (`audit list`): keep the
    last ones."""
    if not applies or len(rows) <= SCREEN_ROWS:
        return rows, []
    from tongwei_cli.core.words import say

    kept = rows[-SCREEN_ROWS:] if latest else rows[:SCREEN_ROWS]
    return kept, [say("screen_cut.latest" if latest else "screen_cut.first", rows=SCREEN_ROWS)]


def interactive() -> bool:
    """True when a person is at the terminal (both ends are a TTY)."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def need(value: Any, option: str, label: str, choices: list[tuple[str, str]] | None = None,
         check: Callable[[str], Any] | None = None) -> Any:
    """A required option: asked for on a terminal (showing the valid values, and asking
    again while `check` refuses the answer), and a usage error (exit 2) in a script.
    Nothing waits for input a script cannot give."""
    if value is not None and not (isinstance(value, str) and not value.strip()):
        return value
    if not interactive():
        raise MissingParameter(param_hint=f"'{option}'", param_type="option")
    from tongwei_cli.core.words import lang, localise, say

    if lang() == "zh":  # `撤销原因 reason` -> 撤销原因: the English word of a label goes
        label = " ".join(w for w in label.split(" ") if not (w.isascii() and w.isalpha()))
    if choices:
        typer.echo(say("ask.choices", label=label, option=option), err=True)
        for code, name in choices:
            typer.echo(f"  {code:<18} {name}", err=True)
    for _ in range(ASKS):
        answer = typer.prompt(say("ask.prompt", label=label, option=option), err=True,
                              prompt_suffix=say("ask.suffix"))
        if check is None:
            return answer
        try:
            check(answer)
        except TongweiError as exc:
            typer.echo(f"  {localise(exc.reason)}", err=True)
            continue
        return answer
    return answer  # the command refuses it with the usual one-line error


ASKS = 3


def need_ref(db: Any, value: Any, kind: str, option: str, label: str) -> Any:
    """`need` for a reference value (station, fraud type…), listing and checking it."""
    return need(value, option, label, refs(db).choices(kind),
                lambda answer: refs(db).resolve(kind, answer, option.lstrip("-")))


def period(db: Any, from_: str | None, to: str | None, *, required: bool = False
           ) -> tuple[Any, Any]:
    """The `--from`/`--to` days of a list or report: `--from` not in the future, `--to` not
    before `--from`. Either may be missing unless `required`."""
    from tongwei_cli.core import validate
    from tongwei_cli.core.errors import InvalidValue

    first = validate.date_value(from_, "from", db.tz) if from_ or required else None
    last = validate.date_value(to, "to", db.tz, allow_future=True) if to or required else None
    if first and last and last < first:
        raise InvalidValue(f"{last} is before --from {first}", "to")
    return first, last


# -- a kind's fields as options ------------------------------------------------------

def _param_name(field_name: str) -> str:
    import keyword

    return f"{field_name}_" if keyword.iskeyword(field_name) else field_name


def with_fields(kind: Any, *, add: bool, skip: tuple[str, ...] = (),
                help: dict[str, str] | None = None) -> Callable[[Callable], Callable]:
    """Give a command every field of `kind` (`core.fields`) as an option, in declaration
    order after its arguments (`--victim-phone`), with the field's help (`Required.` added
    on `add` commands); the command receives them as one dict `fields` (field name -> raw
    value, None where not given). `add` and `update` of a kind are then one declaration,
    as sqlite-utils' `insert_upsert_options` makes its twin commands one."""
    texts = help or {}
    chosen = [f for f in kind.fields if f.name not in skip]

    def options() -> list[Any]:
        import inspect

        out = []
        for f in chosen:
            text = texts.get(f.name, f.help) + (" Required." if add and f.required else "")
            spec = f.ask or f.shown
            complete = completion.reference(spec[4:]) if spec.startswith("ref:") else None
            out.append(inspect.Parameter(
                _param_name(f.name), inspect.Parameter.KEYWORD_ONLY, default=None,
                annotation=Annotated[str | None, typer.Option(
                    f.option, help=text, show_default=False, autocompletion=complete)]))
        return out

    def decorate(func: Callable) -> Callable:
        return FieldsCommand(func, [(f.name, _param_name(f.name)) for f in chosen], options)

    return decorate


class FieldsCommand:
    """A command of `with_fields`: called with the fields as options, it calls `func` with
    them as one dict `fields`. Its signature (what Typer reads: the command's arguments,
    an option a field, its other options) is made when first asked for -- a run builds
    only the command it runs (`commands.register`), and the options of every command of a
    group would cost start-up time."""

    def __init__(self, func: Callable, names: list[tuple[str, str]],
                 options: Callable[[], list[Any]]):
        import functools

        functools.update_wrapper(self, func, ("__module__", "__name__", "__qualname__",
                                              "__doc__"))
        self._func, self._names, self._options = func, names, options
        self._signature: Any = None

    @property
    def __annotations__(self) -> dict[str, Any]:  # type: ignore[override]
        """The signature's annotations, evaluated (Typer reads them too: as text, they
        would be compiled again each time)."""
        params = self.__signature__.parameters.values()
        return {p.name: p.annotation for p in params if p.annotation is not p.empty}

    @property
    def __signature__(self) -> Any:
        if self._signature is None:
            import inspect

            own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                   for p in inspect.signature(self._func, eval_str=True).parameters.values()
                   if p.name != "fields"]
            arguments = [p for p in own if p.default is inspect.Parameter.empty]
            rest = [p for p in own if p.default is not inspect.Parameter.empty]
            self._signature = inspect.Signature([*arguments, *self._options(), *rest])
        return self._signature

    def __call__(self, **kwargs: Any) -> Any:
        fields = {name: kwargs.pop(param) for name, param in self._names}
        return self._func(fields=fields, **kwargs)


def _check_of(db: Any, f: Any) -> Callable[[Any], Any] | None:
    """How an answer for field `f` is checked before it is taken (None: as text)."""
    from tongwei_cli.core import validate

    spec = f.ask or f.shown
    if spec.startswith("ref:"):
        return lambda v: refs(db).resolve(spec[4:], v, f.header)
    if spec == "date":
        return lambda v: validate.date_value(v, f.header, db.tz)
    if spec == "money":
        return lambda v: validate.money_fen(v, f.header)
    return None


def ask_missing(db: Any, kind: Any, fields: dict[str, Any],
                choices: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, Any]:
    """The required fields of `kind` missing from `fields`, asked for on a terminal (with
    the valid values, and again after a wrong answer), or a usage error in a script. On a
    terminal the values given are checked first: a wrong one (`--station 平湘`) is said and
    asked again before anything else is asked, so nobody types a whole case for nothing."""
    if interactive():
        for f in kind.fields:
            check = _check_of(db, f)
            if fields.get(f.name) is None or check is None:
                continue
            try:
                check(fields[f.name])
            except TongweiError as exc:
                from tongwei_cli.core.words import field_reason

                typer.echo(field_reason(exc.reason, f.option), err=True)
                fields[f.name] = _ask(db, f, None, choices)
    for f in kind.fields:
        if f.required and f.ask is not None and fields.get(f.name) is None:
            fields[f.name] = _ask(db, f, None, choices)
    return fields


def _ask(db: Any, f: Any, value: Any, choices: dict[str, list[tuple[str, str]]] | None
         ) -> Any:
    from tongwei_cli.core.words import lang, say

    label = f.zh if lang() == "zh" else f"{f.zh} {f.en.lower()}"
    spec = f.ask or f.shown
    if spec.startswith("ref:"):
        return need_ref(db, value, spec[4:], f.option, label)
    if spec == "date":
        return need(value, f.option, say("ask.date", label=label), check=_check_of(db, f))
    if spec == "moment":
        return need(value, f.option, say("ask.moment", label=label))
    if spec.startswith("word:"):
        return need(value, f.option, label, (choices or {})[spec[5:]])
    return need(value, f.option, label, check=_check_of(db, f))


def columns_of(kind: Any, *names: str, labels: dict[str, tuple[str, str]] | None = None
               ) -> list[Any]:
    """Table columns for fields of `kind` (all of them when no name is given), each with its
    stored key, labels and display; `labels` overrides a field's (zh, en) label."""
    from tongwei_cli.render.output import Column

    out = []
    for f in (kind.fields if not names else [kind[n] for n in names]):
        zh, en = (labels or {}).get(f.name, (f.zh, f.en))
        out.append(Column(f.stored or f.name, f.shown, zh=zh, en=en))
    return out
