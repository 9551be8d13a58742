"""The shape of the schema, as llm's tests/test_migrate.py checks its own: an empty file
migrated holds exactly these tables with these columns, the indexes the queries name
(`INDEXED BY`) and rely on, the triggers that keep the audit log append-only and the
derived columns right. Migrating again applies nothing; every file in storage/sql/ is
applied once, in the order of its number."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tongwei_cli.core import settings
from tongwei_cli.storage.db import (
    SQL_DIR,
    applied_migrations,
    migration_names,
    open_db,
    pending_migrations,
)

TABLES = {
    "_sqlite_migrations": ["id", "migration_set", "name", "applied_at"],
    # the database's id and key (008): the key itself is never in the file
    "database_identity": ["id", "db_id", "key_id", "key_check", "keyed_from", "created_at"],
    "digested_tables": ["code", "name", "columns"],
    "record_digests": ["tbl", "row_id", "tag"],
    "audiences": ["code", "name_zh", "name_en", "sort"],
    "audit": ["id", "at", "officer", "action", "entity", "key", "before", "after",
              "prev_hash", "hash", "key_id", "state"],
    # (each free text with its ciphertext, `<column>_enc`, added by 014)
    "campaigns": ["id", "name", "first_day", "last_day", "note", "created_at", "created_by",
                  "note_enc"],
    "card_actions": ["id", "no", "institution_id", "date", "kind", "station", "amount_fen",
                     "deadline", "closed_by", "closed_on", "note", "voided", "void_reason",
                     "created_at", "created_by", "import_id", "updated_at", "updated_by",
                     "note_enc", "void_reason_enc"],
    "card_penalties": ["id", "no", "name", "id_no", "measure", "start_date", "years",
                       "end_date", "appeal_by", "station", "note", "voided", "void_reason",
                       "created_at", "created_by", "import_id", "updated_at", "updated_by",
                       "name_enc", "name_bi", "id_no_enc", "id_no_bi", "note_enc",
                       "void_reason_enc"],
    "case_events": ["id", "case_id", "kind", "date", "count", "amount_fen", "note",
                    "created_at", "created_by", "import_id", "note_enc"],
    "cases": ["id", "no", "reported", "occurred", "type", "station", "loss_fen",
              "victim_name", "victim_phone", "victim_id", "victim_gender", "victim_age",
              "victim_group", "warning", "summary", "status", "voided", "void_reason",
              "created_at", "created_by", "updated_at", "updated_by", "import_id",
              "victim_name_enc", "victim_name_bi", "victim_phone_enc", "victim_phone_bi",
              "victim_id_enc", "victim_id_bi", "summary_enc", "void_reason_enc"],
    "followups": ["id", "warning_id", "at", "method", "outcome", "case_id", "note",
                  "created_at", "created_by", "import_id", "note_enc"],
    "forms": ["code", "name_zh", "name_en", "sort"],
    # a station's own file, and what the county merged from each station file (011)
    "file_station": ["id", "station", "set_at", "set_by"],
    "merge_sources": ["id", "db_id", "station", "file_name", "merges", "first_at",
                      "last_at", "last_anchor", "last_by"],
    "merged_records": ["id", "source", "kind", "key", "key_id", "digest"],
    # the bases of a first merge's records checked apart, a batch to a row (017)
    "merged_batches": ["id", "source", "kind", "key_id", "keys", "digests"],
    "fraud_types": ["code", "name_zh", "name_en", "sort"],
    "imports": ["id", "kind", "file_name", "file_size", "sha256", "rows", "imported",
                "unchanged", "updated", "at", "officer", "anchor"],
    "institutions": ["id", "name", "kind", "station", "created_at", "created_by",
                     "import_id"],
    "outreach": ["id", "no", "ref", "date", "station", "audience", "form", "venue",
                 "venue_kind", "attendees", "materials", "posters", "videos", "app_installs",
                 "notices_signed", "note", "voided", "void_reason", "created_at",
                 "created_by", "updated_at", "updated_by", "import_id", "venue_enc",
                 "note_enc", "void_reason_enc"],
    "stations": ["code", "name_zh", "name_en", "kind", "sort"],
    "venue_kinds": ["code", "name_zh", "name_en", "sort"],
    "warning_days": ["day", "station", "level", "received", "fed_back", "on_time",
                     "visited", "dissuaded", "defrauded", "latest", "linked_last"],
    "warning_days_zone": ["id", "offset_seconds"],
    "warning_backlog": ["day", "station", "level", "opened", "closed", "due_open", "due_late",
                        "fed_back", "fed_late"],
    "warning_open": ["station", "level", "open"],
    # per-day totals of the case, event, outreach and two-card figures (015)
    "case_days": ["day", "station", "type", "reported", "loss_fen", "events", "solved",
                  "arrested", "prosecuted", "recovered_fen", "frozen_fen", "stopped_fen"],
    "outreach_days": ["day", "station", "audience", "form", "sessions", "attendees",
                      "materials"],
    "card_days": ["day", "station", "kind", "actions", "fines_fen"],
    "warning_levels": ["code", "name_zh", "name_en", "deadline_hours", "sort"],
    "warnings": ["id", "no", "received_at", "level", "deadline_hours", "deadline_at",
                 "station", "phone", "kind", "name", "id_no", "type", "source", "note",
                 "feedback_at", "visited_at", "defrauded_at", "outcome", "outcome_at",
                 "linked_on", "created_at", "created_by", "updated_at", "updated_by",
                 "import_id", "phone_enc", "phone_bi", "name_enc", "name_bi", "id_no_enc",
                 "id_no_bi", "source_enc", "note_enc"],
}

# name -> (table, columns, unique, partial): the indexes made by the migrations.
INDEXES = {
    "audit_at": ("audit", ["at"], False, False),
    "campaigns_days": ("campaigns", ["first_day", "last_day"], False, False),
    "card_actions_date": ("card_actions", ["date", "voided", "station", "kind", "amount_fen"],
                          False, False),
    "card_actions_institution": ("card_actions", ["institution_id", "date"], False, False),
    "card_actions_open": ("card_actions", ["deadline"], False, True),
    "card_penalties_end": ("card_penalties", ["end_date", "start_date"], False, False),
    "card_penalties_person": ("card_penalties", ["id_no_bi", "start_date"], False, False),
    "card_penalties_name_bi": ("card_penalties", ["name_bi"], False, False),
    "cases_victim_name_bi": ("cases", ["victim_name_bi"], False, True),
    "cases_victim_phone_bi": ("cases", ["victim_phone_bi"], False, True),
    "cases_victim_id_bi": ("cases", ["victim_id_bi"], False, True),
    "warnings_phone_bi": ("warnings", ["phone_bi", "received_at"], False, False),
    "warnings_name_bi": ("warnings", ["name_bi"], False, True),
    "warnings_id_no_bi": ("warnings", ["id_no_bi", "received_at"], False, True),
    "case_events_case": ("case_events", ["case_id"], False, False),
    "case_events_date": ("case_events", ["date", "kind", "case_id", "count", "amount_fen"],
                         False, False),
    "case_events_one_solved": ("case_events", ["case_id"], True, True),
    "cases_reported": ("cases", ["reported", "station", "type", "voided", "loss_fen"],
                       False, False),
    "cases_voided": ("cases", ["id"], False, True),
    "cases_warning_link": ("cases", ["warning", "voided", "reported"], False, True),
    "followups_case": ("followups", ["case_id"], False, True),
    "followups_key": ("followups", ["warning_id", "at", "method"], True, False),
    "followups_in_progress": ("followups", ["warning_id", "at"], False, True),
    "merged_batches_source": ("merged_batches", ["source", "kind"], False, False),
    "idx__sqlite_migrations_migration_set_name": ("_sqlite_migrations",
                                                  ["migration_set", "name"], True, False),
    "outreach_date": ("outreach", ["date", "voided", "station", "audience", "form",
                                   "attendees", "materials"], False, False),
    "outreach_station": ("outreach", ["station", "date"], False, False),
    "warnings_feedback": ("warnings", ["feedback_at"], False, True),
    "warnings_open": ("warnings", ["station", "deadline_at", "level", "received_at",
                                   "feedback_at", "no", "kind", "type", "name", "phone",
                                   "visited_at"], False, True),
    "warnings_received": ("warnings", ["received_at", "station", "level", "deadline_at",
                                       "feedback_at", "visited_at", "defrauded_at", "outcome",
                                       "outcome_at", "linked_on"], False, False),
}

DIGESTED = ("campaigns", "card_actions", "card_penalties", "case_events", "cases", "followups",
            "imports", "institutions", "outreach", "warnings", "merge_sources",
            "merged_records", "merged_batches")
TRIGGERS = {
    **{f"{t}_digest_{w}": t for t in DIGESTED for w in ("update", "delete")},
    "database_identity_guard": "database_identity",
    "database_identity_no_delete": "database_identity",
    "audit_no_delete": "audit",
    "audit_no_update": "audit",
    "cases_link_delete": "cases",
    "cases_link_insert": "cases",
    "cases_link_update": "cases",
    "warning_days_delete": "warnings",
    "warning_days_update": "warnings",
    "warning_backlog_delete": "warnings",
    "warning_backlog_update": "warnings",
    "file_station_no_update": "file_station",
    "file_station_no_delete": "file_station",
    **{f"case_days_case_{w}": "cases" for w in ("insert", "update", "delete")},
    **{f"case_days_event_{w}": "case_events" for w in ("insert", "update", "delete")},
    **{f"outreach_days_{w}": "outreach" for w in ("insert", "update", "delete")},
    **{f"card_days_{w}": "card_actions" for w in ("insert", "update", "delete")},
}

# The unique keys a record is found by (each one a constraint, not only an index).
UNIQUE = {"cases": ["no"], "warnings": ["no"], "outreach": ["no", "ref"],
          "card_actions": ["no"], "card_penalties": ["no"], "institutions": ["name"],
          "campaigns": ["name"], "audit": ["hash"]}


@pytest.fixture
def schema(db):
    return db


def names(db, kind: str) -> set[str]:
    return {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = ?"
                                   " AND name NOT LIKE 'sqlite_%'", (kind,))}


def test_the_tables_and_their_columns(schema):
    assert names(schema, "table") == set(TABLES)
    for table, columns in TABLES.items():
        assert [r[1] for r in schema.query(f"PRAGMA table_info({table})")] == columns, table


def test_every_table_of_records_is_strict(schema):
    strict = {r[0] for r in schema.query("SELECT name FROM pragma_table_list"
                                         " WHERE schema = 'main' AND strict = 1")}
    assert strict == set(TABLES) - {"_sqlite_migrations"}


def test_the_indexes_the_queries_rely_on(schema):
    made = {r[0]: r[1] for r in schema.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert set(made) == set(INDEXES)
    for name, (table, columns, unique, partial) in INDEXES.items():
        assert [r[2] for r in schema.query(f"PRAGMA index_info({name})")] == columns, name
        listed = {r[1]: r for r in schema.query(f"PRAGMA index_list({table})")}
        assert bool(listed[name][2]) is unique, name
        assert bool(listed[name][4]) is partial, name


def test_every_index_a_query_names_exists():
    """`INDEXED BY x` fails at run time if `x` is gone: each one in the code is migrated."""
    from pathlib import Path

    import tongwei_cli

    named = set()
    for source in Path(tongwei_cli.__file__).parent.rglob("*.py"):
        named |= set(re.findall(r"INDEXED BY (\w+)", source.read_text("utf-8")))
    assert named and named <= set(INDEXES)


def test_the_unique_keys(schema):
    for table, columns in UNIQUE.items():
        unique = set()
        for row in schema.query(f"PRAGMA index_list({table})"):
            if row[2] and not row[4]:  # unique, not partial
                cols = [r[2] for r in schema.query(f"PRAGMA index_info({row[1]})")]
                if len(cols) == 1:
                    unique.add(cols[0])
        assert set(columns) <= unique, table


def test_the_triggers_and_the_view(schema):
    triggers = {r[0]: r[1] for r in schema.query(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers == TRIGGERS
    assert names(schema, "view") == {"warning_day_parts", "warning_backlog_parts",
                                     "case_day_parts", "case_event_parts", "outreach_day_parts",
                                     "card_day_parts",
                                     # for people browsing the file (012)
                                     "browse_cases", "browse_warnings", "browse_followups",
                                     "browse_outreach", "browse_card_actions",
                                     "browse_campaigns"}


def test_the_audit_log_is_append_only(schema):
    with schema.write():
        schema.audit("test", "thing", "1", None, {"a": 1})
    for sql in ("UPDATE audit SET officer = 'x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            schema.conn.execute(sql)


def test_a_new_file_holds_the_reference_data_and_the_zone_of_the_day_totals(schema):
    counts = {t: schema.scalar(f"SELECT count(*) FROM {t}") for t in (
        "fraud_types", "stations", "warning_levels", "audiences", "forms", "venue_kinds")}
    assert all(counts.values()) and counts["stations"] == 18
    hours = dict(schema.query("SELECT code, deadline_hours FROM warning_levels"))
    assert hours == {"high": 2, "medium": 24, "low": 72}
    assert schema.scalar("SELECT offset_seconds FROM warning_days_zone") == 8 * 3600
    for table in ("cases", "warnings", "followups", "case_events", "outreach",
                  "card_actions", "card_penalties", "institutions", "campaigns", "imports",
                  "warning_days"):
        assert schema.scalar(f"SELECT count(*) FROM {table}") == 0, table
    assert schema.query("PRAGMA foreign_key_check") == []
    assert schema.scalar("PRAGMA integrity_check") == "ok"


def test_every_migration_file_is_applied_once_in_order(schema):
    files = sorted(p.name for p in SQL_DIR.glob("*.sql"))
    assert all(re.fullmatch(r"\d{3}_[a-z0-9_]+\.sql", f) for f in files), files
    numbers = [int(f[:3]) for f in files]
    assert numbers == list(range(1, len(files) + 1))  # no gap, no two of one number
    assert migration_names() == [f[:-4] for f in files]
    rows = schema.query("SELECT id, migration_set, name FROM _sqlite_migrations ORDER BY id")
    assert [r["name"] for r in rows] == migration_names()
    assert {r["migration_set"] for r in rows} == {"tongwei"}
    assert applied_migrations(schema.conn) == migration_names()
    assert pending_migrations(schema.conn) == []
    (migrated,) = schema.query("SELECT key, after FROM audit WHERE action = 'migrate'")
    assert migrated["key"] == migration_names()[-1]
    logged = json.loads(migrated["after"])
    assert logged["applied"] == migration_names()
    assert logged["chain"].startswith("signed from this row on")  # 008 makes the key


def rows(conn, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_opening_again_applies_nothing_and_logs_nothing(db_path):
    open_db(settings.current(), db_path).close()
    conn = sqlite3.connect(db_path)
    schema = rows(conn, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    applied = rows(conn, "SELECT * FROM _sqlite_migrations ORDER BY id")
    audit = rows(conn, "SELECT * FROM audit ORDER BY id")
    conn.close()
    for _ in range(2):
        again = open_db(settings.current(), db_path)
        assert rows(again.conn, "SELECT type, name, sql FROM sqlite_master ORDER BY name") \
            == schema
        assert rows(again.conn, "SELECT * FROM _sqlite_migrations ORDER BY id") == applied
        assert rows(again.conn, "SELECT * FROM audit ORDER BY id") == audit
        again.close()


@pytest.mark.no_database
def test_a_file_part_migrated_gets_the_rest_in_order(db_path, monkeypatch):
    """A file an older tongwei made (its last migrations missing) gets exactly those, in
    order, with one audit row naming them; the result is the same schema."""
    from tongwei_cli.storage import db as db_module
    from tongwei_cli.storage import migrations

    every = migration_names()
    older = every[:3]
    with monkeypatch.context() as patch:
        patch.setattr(db_module, "migration_names", lambda: older)
        patch.setattr(migrations, "migration_names", lambda: older)
        open_db(settings.current(), db_path, create=True).close()
    conn = sqlite3.connect(db_path)
    assert applied_migrations(conn) == older
    conn.close()
    db = open_db(settings.current(), db_path)
    assert applied_migrations(db.conn) == every
    logged = [json.loads(r[0]) for r in db.query(
        "SELECT after FROM audit WHERE action = 'migrate' ORDER BY id")]
    assert [entry["applied"] for entry in logged] == [older, every[3:]]
    assert names(db, "table") == set(TABLES)
    for table, columns in TABLES.items():
        assert [r[1] for r in db.query(f"PRAGMA table_info({table})")] == columns, table
    assert {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'index'"
                                   " AND sql IS NOT NULL")} == set(INDEXES)
    db.close()
