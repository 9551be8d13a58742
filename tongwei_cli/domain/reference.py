"""Reference data: fraud types, stations, warning levels, audiences, forms, venue kinds.

Shipped as editable CSV files in `data/`, loaded into the database, and looked up
by code, English name, Chinese name or a unique prefix of the Chinese name.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.storage.reference import KINDS, Kind, load_reference, read_csv

__all__ = ["KINDS", "Kind", "Refs", "load_reference", "read_csv", "refs"]

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


class Refs:
    """The reference tables of one database, held in memory (they are small)."""

    def __init__(self, rows: dict[str, list[dict[str, Any]]]):
        self.rows = rows
        self.by_code = {k: {r["code"]: r for r in v} for k, v in rows.items()}
        # resolve() answers, remembered: an import repeats the same few stations and levels
        # a hundred thousand times. A code, or the reason it was refused.
        self._resolved: dict[tuple[str, type, Any, str], str | InvalidValue] = {}
        # The text cells already resolved, per kind: the whole cost of a repeat.
        self._codes: dict[str, dict[str, str]] = {k: {} for k in rows}
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
        """The code for `value`: its code, English name or Chinese name, else a unique
        prefix of a Chinese name, else a unique part of one (学生 -> 在校学生)."""
        if type(value) is str:
            code = self._codes[kind].get(value)
            if code is not None:
                return code
        memo = (kind, type(value), value, field)
        try:
            hit = self._resolved.get(memo)
        except TypeError:  # an unhashable value: not remembered
            return self._resolve(kind, value, field)
        if hit is None:
            try:
                hit = self._resolve(kind, value, field)
            except InvalidValue as exc:
                hit = exc
            if len(self._resolved) < 10_000:
                self._resolved[memo] = hit
        if isinstance(hit, InvalidValue):
            raise InvalidValue(hit.reason, hit.field)
        if type(value) is str and len(self._codes[kind]) < 10_000:
            self._codes[kind][value] = hit
        return hit

    def _resolve(self, kind: str, value: Any, field: str) -> str:
        raw = "" if value is None else str(value)
        wanted = _norm(raw)
        if not wanted:
            raise InvalidValue(f"is required; valid: {self.valid_list(kind)}", field)
        rows = self.rows[kind]
        for row in rows:
            if wanted in (_norm(row["code"]), _norm(row["name_en"]), _norm(row["name_zh"])):
                return row["code"]
        matches = [r for r in rows if _norm(r["name_zh"]).startswith(wanted)]
        if not matches:
            matches = [r for r in rows if wanted in _norm(r["name_zh"])]
        if len(matches) == 1:
            return matches[0]["code"]
        noun = KINDS[kind].noun
        if len(matches) > 1:
            names = ", ".join(f"{r['code']} {r['name_zh']}" for r in matches)
            raise InvalidValue(f"{raw.strip()!r} matches more than one {noun}: {names}", field)
        raise InvalidValue(f"unknown {noun} {raw.strip()!r}; valid: {self.valid_list(kind)}",
                           field)

    def valid_list(self, kind: str) -> str:
        return ", ".join(f"{r['code']} {r['name_zh']}" for r in self.rows[kind])

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
