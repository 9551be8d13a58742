"""The reference tables (fraud types, stations, warning levels, audiences, forms, venue
kinds) and the editable CSV files in `data/` that fill them when a file is created
(migration 001). Looking values up is the domain's (`domain.reference`)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.settings import data_dir

if TYPE_CHECKING:
    from tongwei_cli.storage.db import Database


class Kind:  # (a plain class: a dataclass or named tuple costs start-up time)
    __slots__ = ("extra", "name", "noun", "table")

    def __init__(self, name: str, table: str, extra: tuple[str, ...] = (), noun: str = ""):
        self.name = name  # as in `tongwei ref NAME`
        self.table = table
        self.extra = extra  # columns beyond code, name_zh, name_en
        self.noun = noun

    @property
    def file(self) -> str:
        return f"{self.table}.csv"


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("types", "fraud_types", noun="fraud type"),
        Kind("stations", "stations", ("kind",), noun="station"),
        Kind("levels", "warning_levels", ("deadline_hours",), noun="warning level"),
        Kind("audiences", "audiences", noun="audience"),
        Kind("forms", "forms", noun="form"),
        Kind("venues", "venue_kinds", noun="venue kind"),
    )
}


def read_csv(kind: Kind, folder: Path | None = None) -> list[dict[str, Any]]:
    path = (folder or data_dir()) / kind.file
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = []
        for sort, row in enumerate(csv.DictReader(handle)):
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if not clean.get("code"):
                continue
            record: dict[str, Any] = {"code": clean["code"], "name_zh": clean["name_zh"],
                                      "name_en": clean["name_en"], "sort": sort}
            for column in kind.extra:
                value: Any = clean.get(column) or None
                if column == "deadline_hours":
                    try:
                        value = int(value)
                    except (TypeError, ValueError):
                        raise InvalidValue(f"{path.name}: deadline_hours of {clean['code']!r} "
                                           "must be a whole number of hours") from None
                record[column] = value
            rows.append(record)
    return rows


def load_reference(db: Database, folder: Path | None = None) -> dict[str, int]:
    """Insert or update every reference row from the CSV files (inside a write).

    Rows are never deleted: records may point at them."""
    counts = {}
    for kind in KINDS.values():
        rows = read_csv(kind, folder)
        columns = ["code", "name_zh", "name_en", *kind.extra, "sort"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        db.conn.executemany(
            f"INSERT INTO {kind.table} ({', '.join(columns)}) VALUES "
            f"({', '.join('?' * len(columns))}) ON CONFLICT (code) DO UPDATE SET {updates}",
            [[row[c] for c in columns] for row in rows])
        counts[kind.name] = len(rows)
    return counts
