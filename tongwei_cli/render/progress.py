"""The progress bar of a long import: on stderr when a person watches, none in a pipe."""

from __future__ import annotations

import sys


def progress_bar():
    """A rich progress bar on stderr when a person watches; None in a pipe."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from tongwei_cli.core.words import pick

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    task = bar.add_task(pick("正在校验", "checking"), total=None)

    def advance(done: int, total: int | None) -> None:
        bar.update(task, completed=done, total=total)

    return bar, advance
