"""The parts of Click that Typer 0.29 keeps private (`typer._click`), reached here only: a
Typer upgrade that moves them is one edit."""

from typer._click.core import Context
from typer._click.exceptions import MissingParameter, NoArgsIsHelpError, UsageError
from typer._click.formatting import HelpFormatter
from typer._click.globals import get_current_context
from typer._click.utils import echo

__all__ = ["Context", "HelpFormatter", "MissingParameter", "NoArgsIsHelpError", "UsageError",
           "echo", "get_current_context"]
