"""Reference data: fraud types, stations, warning levels, audiences, forms, venue kinds.

Shipped as editable CSV files in `data/`, loaded into the database, and looked up
by code, English name, Chinese name, an alias, a unique prefix or a unique part of a
name (`domain.choices`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tongwei_cli.domain.choices import Choices
from tongwei_cli.storage.reference import KINDS, Kind, load_reference, read_csv

__all__ = ["KINDS", "Kind", "Refs", "load_reference", "read_csv", "refs"]

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database


class Refs:
    """The reference tables of one database, held in memory (they are small)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]):
        self.rows = rows
        self.by_code = {k: {r["code"]: r for r in v} for k, v in rows.items()}
        # One chooser per table (`domain.choices`): it remembers its answers, so an import
        # repeating the same few stations a hundred thousand times pays one look-up each.
        self._choices = {k: Choices(k, {r["code"]: (r["name_zh"], r["name_en"]) for r in v},
                                    KINDS[k].noun) for k, v in rows.items()}
        # The values each has already answered (its own dict, read here without a call).
        self._codes = {k: c.known for k, c in self._choices.items()}
        # Each warning level's feedback deadline, in hours (asked for every warning).
        self.deadline_hours = {r["code"]: int(r["deadline_hours"])
                               for r in rows.get("levels", ()) if "deadline_hours" in r}

    @classmethod
    def load(cls, db: Database) -> Refs:
        rows = {}
        for kind in KINDS.values():
            rows[kind.name] = [dict(r) for r in db.query(
                f"SELECT * FROM {kind.table} ORDER BY sort, code")]
        return cls(rows)

    def resolve(self, kind: str, value: Any, field: str) -> str:
        """The code for `value`: its code, English or Chinese name, an alias of
        `data/aliases.csv` (杀猪盘 -> romance), a unique prefix (平襄 -> 平襄派出所), a
        unique part of a Chinese name (学生 -> 在校学生); else refused on `field`, naming
        the candidates or suggesting the nearest (`domain.choices`)."""
        if type(value) is str:
            code = self._codes[kind].get(value)
            if code is not None:
                return code
        return self._choices[kind](value, field)

    def valid_list(self, kind: str) -> str:
        return self._choices[kind].valid()

    def choices(self, kind: str) -> list[tuple[str, str]]:
        return [(r["code"], r["name_zh"]) for r in self.rows[kind]]

    def name(self, kind: str, code: str | None, lang: str) -> str:
        """The display name of a code in `lang` (the code itself when unknown)."""
        if code is None:
            return ""
        row = self.by_code[kind].get(code)
        if row is None:
            return code
        return row["name_zh"] if lang == "zh" else row["name_en"]

    def get(self, kind: str, code: str) -> dict[str, Any]:
        return self.by_code[kind][code]


def refs(db: Database) -> Refs:
    """The reference tables of `db`, loaded once per connection."""
    found = db.memo.get("refs")
    if found is None:
        found = db.memo["refs"] = Refs.load(db)
    return found
