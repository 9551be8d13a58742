"""The `tongwei` command: root options, sub-apps, and the one place errors become messages."""

# (No `from __future__ import annotations`: Typer reads the root callback's annotations
# on every run, and an annotation kept as text is compiled again each time.)

import os
import sys
from typing import Annotated

import typer

from tongwei_cli import __version__
from tongwei_cli.commands import TongweiGroup, register, wanted_command
from tongwei_cli.core import settings

HELP = """\
The anti-fraud desk of Tongwei county public security (通渭县公安局反诈中心).

Log fraud cases and what became of them, record the platform's early warnings and
every follow-up, register outreach and two-card supervision, and print the daily
summary.

Examples:

  tongwei case add --reported 2026-11-29 --type 刷单 --station 平襄 --loss 1.5万

  tongwei case event TW20261129-001 freeze --amount 8000

  tongwei case list --from 2026-11-01 --station 平襄
"""


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tongwei {__version__}")
        raise typer.Exit()


# The root options, as types defined once (Typer reads a parameter's annotation, which
# `from __future__ import annotations` leaves as text: a name is read faster than the
# whole `typer.Option(...)` call, which Typer would compile twice on every run).
DbOption = Annotated[str | None, typer.Option(
    "--db", help="The database file. Default: $TONGWEI_DB, else the per-user data folder "
    "(see `tongwei db path`).", show_default=False, metavar="PATH")]
OfficerOption = Annotated[str | None, typer.Option(
    "--officer", help="Who is doing the work; recorded with every change. Default: "
    "$TONGWEI_OFFICER, else the login name.", show_default=False, metavar="NAME")]
LangOption = Annotated[str | None, typer.Option(
    "--lang", help="Language of labels and messages: zh or en. Default: $TONGWEI_LANG, "
    "else Chinese for a Chinese locale, else English.", show_default=False)]
VersionOption = Annotated[bool, typer.Option(
    "--version", callback=_version, is_eager=True, help="Print the version and exit.")]


def root(db: DbOption = None, officer: OfficerOption = None, lang: LangOption = None,
         version: VersionOption = False) -> None:
    settings.install(settings.Settings(db=db, officer=officer, lang=lang))


def build_app(only: str | None = None, then: str | None = None) -> typer.Typer:
    """The `tongwei` app with every command, or with just the one about to run (`register`).
    """
    application = typer.Typer(
        cls=TongweiGroup,
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode=None,
    )
    application.callback()(root)
    register(application, only, then)
    return application


def __getattr__(name: str) -> typer.Typer:
    """`tongwei_cli.cli.app`: the whole app, built on first use (tests, documentation)."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(name)


class Interrupted(BaseException):
    """Ctrl-C. Not a KeyboardInterrupt, which Click would turn into "Aborted!" and status 1:
    it unwinds every open write (rolled back) and ends here with status 130."""


def _interrupted(signum: int, frame: object) -> None:
    raise Interrupted


def main() -> None:
    """Entry point of the installed command; no traceback ever reaches the user.

    Ctrl-C ends it with status 130 and nothing half-written. A reader that stops reading
    (`tongwei warning list | head`) ends it quietly with status 141, as it ends `git log`,
    whatever the format."""
    import signal

    signal.signal(signal.SIGINT, _interrupted)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        build_app(*wanted_command(sys.argv[1:]))()
    except (Interrupted, KeyboardInterrupt):
        print(_error_line("interrupted; nothing was written"), file=sys.stderr)
        sys.exit(130)
    except SystemExit:
        raise
    except BrokenPipeError:  # (where SIGPIPE does not exist)
        sys.stderr.close()
        sys.exit(141)
    except Exception as exc:  # the last line of defence: a bug, reported without a traceback
        if os.environ.get("TONGWEI_DEBUG"):
            raise
        print(_error_line(f"internal error ({type(exc).__name__}); nothing was written. "
                          "Set TONGWEI_DEBUG=1 to see the details and report them."),
              file=sys.stderr)
        sys.exit(1)


def _error_line(reason: str) -> str:
    """`error: reason` in the language of the run (`--lang`, else the environment)."""
    from tongwei_cli.commands import run_language
    from tongwei_cli.core.words import error_line

    return error_line(reason, language=run_language())
