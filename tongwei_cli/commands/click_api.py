"""The parts of Click that Typer 0.29 keeps private (`typer._click`), reached here only: a
Typer upgrade that moves them is one edit."""

from typer._click.exceptions import MissingParameter, UsageError
from typer._click.globals import get_current_context

__all__ = ["MissingParameter", "UsageError", "get_current_context"]
