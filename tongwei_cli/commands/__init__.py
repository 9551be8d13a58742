"""Command sub-apps, one per strand. Each module exposes `app` (a Typer) or `register`."""

from __future__ import annotations

import re
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from tongwei_cli.commands.click_api import Context, HelpFormatter, UsageError
from tongwei_cli.core import settings
from tongwei_cli.core.errors import RowErrors, TongweiError

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database

_open: list[Database] = []


def get_db(create: bool = False) -> Database:
    """The database of this invocation, opened (and migrated) once. Refused when there is
    none at the path; `create` (`init`, `demo` only) makes it."""
    from tongwei_cli.storage.db import open_db

    if _open:
        return _open[0]
    db = open_db(settings.current(), create=create)
    _open.append(db)
    from tongwei_cli.commands.click_api import get_current_context

    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(close_db)
    return db


def close_db() -> None:
    while _open:
        _open.pop().close()


def report_error(exc: TongweiError) -> None:
    """The one-line error (and, for a file, one line per bad row) in the officer's language
    (`error: --victim-id: check digit does not match`, 错误：--victim-id：校验位不符), with
    any control character a value or a file brought in shown as an escape."""
    from tongwei_cli.core.errors import display_field
    from tongwei_cli.core.words import error_line
    from tongwei_cli.render.output import visible

    if isinstance(exc, RowErrors):
        print(visible(error_line(f"{exc.reason}; nothing was written")), file=sys.stderr)
        for line in exc.lines():
            print(f"  {visible(line)}", file=sys.stderr)
        return
    field = display_field(exc.field) if exc.field else None
    print(visible(error_line(exc.reason, field)), file=sys.stderr)


# The language of this run, as its command line (`--lang`) and environment give it; known
# before the command line is parsed, so that `--help` and Click's own usage errors speak it.
_run_language = "en"


def run_language() -> str:
    return _run_language


def language_of(argv: list[str]) -> str:
    """`--lang` among the root options of `argv` (those before the command), else
    `$TONGWEI_LANG` or the locale; en for a value that is neither zh nor en (the root
    command refuses it)."""
    chosen = None
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--lang":
            chosen = argv[index + 1] if index + 1 < len(argv) else None
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
        if arg in ROOT_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            break
    if chosen is None:
        chosen = settings.default_lang()
    return chosen if chosen in ("zh", "en") else "en"


def _usage_error(exc: Exception) -> None:
    """Click's usage error shown in the officer's language (`commands.chinese`)."""
    if _run_language == "zh":
        from tongwei_cli.commands.chinese import show_in_chinese

        show_in_chinese(exc)


# -- the help page: examples as they are typed ------------------------------------------

_EXAMPLE_STARTS = ("Example:", "Examples:", "示例：", "tongwei ")


def is_example(paragraph: str) -> bool:
    """A help paragraph of example commands (`Example: tongwei …`, `Examples:`, or an
    indented `tongwei …` under it): shown line for line as written, never re-wrapped, so
    that what an officer copies from the terminal runs (a long one goes on over lines
    ending in ` \\`)."""
    return paragraph.lstrip().startswith(_EXAMPLE_STARTS)


def paragraphs(text: str) -> list[str]:
    return re.split(r"\n[ \t]*\n", text)


class ExampleFormatter(HelpFormatter):
    """Click's help formatter, with example paragraphs kept verbatim (Click's `\\b`)."""

    def write_text(self, text: str) -> None:
        super().write_text("\n\n".join(
            "\b\n" + part if is_example(part) else part for part in paragraphs(text)))


class HelpContext(Context):
    formatter_class = ExampleFormatter


def _examples_verbatim(command: Any) -> None:
    command.context_class = HelpContext
    for sub in getattr(command, "commands", {}).values():
        _examples_verbatim(sub)


class TongweiGroup(TyperGroup):
    """Turns our exceptions into `error: --field: reason` and exit status 1; the root
    learns the language of the run before it parses the command line."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        if parent is None:
            global _run_language
            _run_language = language_of(list(args))
            if _run_language == "zh":
                from tongwei_cli.commands.chinese import localise_command

                # (Completion parses resiliently, and shows the help texts of what it offers.)
                localise_command(self, texts=extra.get("resilient_parsing", False))
            else:
                _examples_verbatim(self)
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as exc:
            _usage_error(exc)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TongweiError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None
        except sqlite3.Error as exc:
            from tongwei_cli.core.words import error_line
            from tongwei_cli.storage.db import describe_sqlite_error

            print(error_line(f"database: {describe_sqlite_error(exc)}"), file=sys.stderr)
            raise typer.Exit(1) from None
        except UsageError as exc:
            _usage_error(exc)
            raise


def sub_app(help_text: str) -> typer.Typer:
    return typer.Typer(cls=TongweiGroup, help=help_text, no_args_is_help=True,
                       pretty_exceptions_enable=False, rich_markup_mode=None,
                       context_settings={"help_option_names": ["-h", "--help"]})


# The command tree, in the order `tongwei --help` lists it: name -> (module, attribute).
# A sub-app (`app`) becomes a group; a function becomes a top-level command.
TREE: dict[str, tuple[str, str]] = {
    "init": ("db", "init"),
    "case": ("cases", "app"),
    "warning": ("warnings", "app"),
    "outreach": ("outreach", "app"),
    "cards": ("cards", "app"),
    "campaign": ("campaigns", "app"),
    "find": ("find", "find"),
    "import": ("imports", "app"),
    "merge": ("merge", "merge"),
    "report": ("reports", "app"),
    "export": ("export", "app"),
    "ref": ("ref", "app"),
    "audit": ("audit", "app"),
    "check": ("check", "check"),
    "db": ("db", "app"),
    "demo": ("demo", "demo"),
}


def register(app: typer.Typer, only: str | None = None, then: str | None = None) -> None:
    """Add the command tree to `app`; with `only`, just that command, and with `then` (the
    word after it: `add` of `case add`), of that group just the sub-command of that name.
    Start-up stays fast: Typer builds every registered command's parameters on each run,
    and a group's every command (`tongwei case add` would build the eight of `case`)."""
    import importlib

    for name, (module_name, attribute) in TREE.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"tongwei_cli.commands.{module_name}")
        target = getattr(module, attribute)
        if name == "import":
            _register_import_kinds(module)
        if isinstance(target, typer.Typer):
            app.add_typer(_just(target, then) if then else target, name=name)
        else:
            app.command(name)(target)


def _just(group: typer.Typer, name: str) -> typer.Typer:
    """`group` with only its sub-command (or sub-group) `name`; the whole group when it has
    none of that name, so that Click's error names the valid ones."""
    import copy

    commands = [c for c in group.registered_commands if c.name == name]
    groups = [g for g in group.registered_groups if g.name == name]
    if not commands and not groups:
        return group
    just = copy.copy(group)  # (the module's own group stays whole, for `tongwei_cli.cli.app`)
    just.registered_commands, just.registered_groups = commands, groups
    return just


def _register_import_kinds(imports) -> None:  # noqa: ANN001
    imports._make("outreach", "outreach sessions (matched by ref, or by content without one)")
    imports._make("cards", "two-card supervision actions (matched by content; institutions "
                  "registered on first use)")


ROOT_OPTIONS_WITH_VALUE = ("--db", "--officer", "--lang")


def wanted_command(argv: list[str]) -> tuple[str | None, str | None]:
    """The top-level command named on a command line, skipping the root options, and the
    word right after it (`case add`: ("case", "add")), if it is one; (None, None) when there
    is no known command."""
    skip = False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg in ROOT_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        if arg not in TREE:
            return None, None
        then = argv[index + 1] if index + 1 < len(argv) else None
        return arg, (then if then and not then.startswith("-") else None)
    return None, None
