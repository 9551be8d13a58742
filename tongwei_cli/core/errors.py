"""The one exception family. `cli.main` turns it into `error: FIELD: reason`, exit 1."""

from __future__ import annotations


class TongweiError(Exception):
    """A refusal the user can act on. `field` names the option or column at fault."""

    exit_code = 1

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field

    def __str__(self) -> str:
        if not self.field:
            return self.reason
        return f"{display_field(self.field)}: {self.reason}"


class InvalidValue(TongweiError):
    """A value that does not parse or breaks a rule."""


class NotFound(TongweiError):
    """A key that names no record."""


class Conflict(TongweiError):
    """A duplicate key, or a change the current state does not allow."""


class StorageError(TongweiError):
    """The database file cannot be opened, read or written."""


class RowErrors(TongweiError):
    """Several bad rows of an import file, each `(line, field, reason)`."""

    LIMIT = 20

    def __init__(self, problems: list[tuple[int, str | None, str]], what: str = "row"):
        self.problems = problems
        self.what = what
        super().__init__(f"{len(problems)} bad {what}{'s' if len(problems) != 1 else ''}")

    def lines(self, language: str | None = None) -> list[str]:
        """One line per bad row (`row 3: station: unknown station …`), in the officer's
        language; the column as it is in the file."""
        from tongwei_cli.core.words import localise, say

        where = f"rows.{self.what}" if self.what in ("line", "row", "item") else "rows.other"
        out = []
        for line, field, reason in self.problems[: self.LIMIT]:
            at = say(where, language, what=self.what, n=line)
            reason = localise(reason, language)
            out.append(say("rows.problem", language, where=at, field=field, reason=reason)
                       if field else say("rows.problem.nofield", language, where=at,
                                         reason=reason))
        if len(self.problems) > self.LIMIT:
            out.append(say("rows.more", language, n=len(self.problems) - self.LIMIT))
        return out


def display_field(field: str) -> str:
    """`victim-id` -> `--victim-id`; positional names (`CASE_NO`) and `--x` stay as they are."""
    if field.startswith("-") or field.isupper() or not field.replace("-", "").isalnum():
        return field
    return f"--{field}"
