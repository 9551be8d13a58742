"""The bundled sample data (synthetic people only), loaded through the import path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tongwei_cli.core.settings import data_dir
from tongwei_cli.storage.db import Database

# In dependency order: a case may name a warning, a follow-up may name a case.
FILES = (("warnings", "warnings.csv"), ("cases", "cases.csv"), ("events", "events.csv"),
         ("followups", "followups.csv"), ("outreach", "outreach.csv"), ("cards", "cards.csv"))
CAMPAIGN = ("2026年秋冬季打击治理电信网络诈骗专项行动", "2026-10-01", "2026-12-31")
LAST_DAY = "2026-11-28"
# One person under a two-card restriction (CJ20261101-001), so that `cards penalty show`,
# `update` and `void` have one to work on, as their examples do.
PENALTY = {"name": "测试丁", "id_no": "622424198503150016", "measure": "financial",
           "start": "2026-11-01", "years": "3", "station": "平襄",
           "note": "示例数据：出租银行卡"}


def sample_dir() -> Path:
    return data_dir() / "sample"


def load_sample(db: Database) -> list[Any]:
    """Import every sample file (idempotent: a second load adds nothing) and add the sample
    campaign if it is not there yet; returns the import results."""
    from tongwei_cli.domain.campaigns import add_campaign
    from tongwei_cli.imports.engine import run_import

    results = [run_import(db, kind, sample_dir() / name) for kind, name in FILES]
    name, first, last = CAMPAIGN
    if not db.one("SELECT 1 FROM campaigns WHERE name = ?", (name,)):
        add_campaign(db, name, first, last, "示例数据")
    if not db.one("SELECT 1 FROM card_penalties LIMIT 1"):
        from tongwei_cli.domain.cards import add_penalty

        add_penalty(db, PENALTY)
    return results
