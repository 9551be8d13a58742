"""Completion of values for the shell (`tongwei --install-completion`): stations, fraud
types, levels, audiences, forms, venue kinds, event kinds, campaign names, formats.

A completion runs on every Tab, so it reads the database read-only and at most one small
table (never migrating it), or the shipped CSV files when there is no database yet."""

# (No `from __future__ import annotations`: Typer reads the completion functions' annotations
# on every run, and an annotation kept as text is compiled again each time.)

import sqlite3
from collections.abc import Callable, Iterable

Choices = list[tuple[str, str]]


def _matching(pairs: Iterable[tuple[str, str]], incomplete: str) -> Choices:
    """The codes that start with what was typed (with their Chinese name beside), or, for a
    start of a Chinese name, the names themselves (tongwei takes either)."""
    wanted = incomplete.casefold()
    out: Choices = []
    for code, name in pairs:
        if code.casefold().startswith(wanted):
            out.append((code, name))
        elif incomplete and name.startswith(incomplete):
            out.append((name, code))
    return out


def _rows(sql: str) -> list[tuple[str, str]] | None:
    """Rows of the current database, read-only; None when there is none to read."""
    from tongwei_cli.core import settings

    path = settings.current().db_path
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
        try:
            return [(str(a), str(b or "")) for a, b in conn.execute(sql)]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def reference(kind: str) -> Callable[[str], Choices]:
    """Codes of a reference list (`stations`, `types`…), each with its Chinese name."""

    def complete(incomplete: str) -> Choices:
        from tongwei_cli.storage.reference import KINDS, read_csv

        table = KINDS[kind]
        rows = _rows(f"SELECT code, name_zh FROM {table.table} ORDER BY sort, code")
        if rows is None:
            rows = [(r["code"], r["name_zh"]) for r in read_csv(table)]
        return _matching(rows, incomplete)

    return complete


def words(codes: Iterable[str]) -> Callable[[str], Choices]:
    """A fixed list of codes (event kinds, statuses…), each with its Chinese word."""
    fixed = tuple(codes)

    def complete(incomplete: str) -> Choices:
        from tongwei_cli.core.words import WORDS

        return _matching(((c, WORDS.get(c, (c, c))[0]) for c in fixed), incomplete)

    return complete


def campaigns(incomplete: str) -> Choices:
    rows = _rows("SELECT name, first_day || ' – ' || last_day FROM campaigns"
                 " ORDER BY first_day DESC") or []
    return [(name, span) for name, span in rows if name.startswith(incomplete)]
