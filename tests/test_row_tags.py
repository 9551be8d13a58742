"""Record tags made beside the rows (`digests.RowTags`): a merge's forked children tag the
rows they hand the writer, from the values it binds. Such a tag is stored only when it is
the very tag `seal` makes from the stored row -- any doubt, and `seal` makes it."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tongwei_cli.storage import digests
from tongwei_cli.storage.db import imported

INT64 = st.integers(min_value=-(2 ** 63), max_value=2 ** 63 - 1)
# Any text SQLite can hold: every control character, quotes, backslashes, astral planes.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
VALUES = st.lists(st.one_of(TEXT, INT64, st.none(), st.binary(max_size=12)), max_size=12)


@given(values=VALUES)
@hypothesis_settings(max_examples=300, deadline=None)
def test_a_row_is_written_as_sqlites_json_array_writes_it(values):
    """The JSON a tag covers, made in Python, byte for byte what SQLite makes (a BLOB as
    `nullif(hex(…), '')`, as `digests.expression` writes a sealed column)."""
    marks = ", ".join("nullif(hex(?), '')" if type(v) is bytes else "?" for v in values)
    with sqlite3.connect(":memory:") as conn:
        theirs = conn.execute(f"SELECT CAST(json_array({marks}) AS BLOB)",
                              values).fetchone()[0]
    mine = digests._dumps([(v.hex().upper() or None) if type(v) is bytes else v
                           for v in values])
    assert mine.encode("utf-8") == theirs


class _Undo(Exception):
    """Leaves the write with nothing in it."""


ROW = st.tuples(TEXT, TEXT, TEXT, TEXT)


@given(rows=st.lists(ROW, min_size=1, max_size=8, unique_by=lambda row: row[:2]))
@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_tags_made_beside_the_rows_are_the_tags_seal_makes(db, rows):
    """Rows of `merged_records` (text of every kind in four columns): the tags `RowTags`
    made before they were written are stored, and are those the table's rows give."""
    columns = ("source", "kind", "key", "key_id", "digest")
    with pytest.raises(_Undo), db.write():
        source = _source(db)
        before = db.scalar("SELECT coalesce(max(id), 0) FROM merged_records")
        made = digests.RowTags(db, "merged_records").bind(columns).of(
            before + 1, [(source, *row) for row in rows])
        assert made is not None
        db.insert_many("merged_records", columns, [(source, *row) for row in rows])
        assert digests.add_tags(db, "merged_records", before, len(rows), made)
        expr = digests.expression(db, "merged_records")
        stored = db.query(
            f"SELECT d.tag, tw_tag({expr}) FROM merged_records t JOIN record_digests d"
            " ON d.tbl = 12 AND d.row_id = t.id WHERE t.id > ? ORDER BY t.id", (before,))
        assert [tag for tag, _ in stored] == list(made[1])
        assert all(tag == theirs for tag, theirs in stored)
        raise _Undo


def test_a_value_a_column_would_change_is_left_to_seal(db):
    """A float, or a text in a column of numbers, is stored changed by SQLite (2.0 as 2,
    '7' as 7): no tag is made of it beside the row, and the rows are tagged from the
    table -- as are rows whose ids are not those the tags were made for."""
    columns = ("warning_id", "at", "method", "outcome", "case_id", "note", "note_enc")
    good = (1, 1_700_000_000, "visit", "dissuaded", None, None, None)
    with pytest.raises(_Undo), db.write():  # (the key, which tags need, is there)
        tags = digests.RowTags(db, "followups", imported(1)).bind(columns)
        assert tags.usable and tags.of(1, [good]) is not None
        assert tags.of(1, [good, (1, 1_700_000_060.0, *good[2:])]) is None
        assert tags.of(1, [(1, "1700000060", *good[2:])]) is None

        source = _source(db)
        columns = ("source", "kind", "key", "key_id", "digest")
        tags = digests.RowTags(db, "merged_records").bind(columns)
        rows = [(source, "warning", f"YJ{i}", "k", "d") for i in range(3)]
        db.insert_many("merged_records", columns, rows)
        assert not digests.add_tags(db, "merged_records", 0, 3, None)
        assert not digests.add_tags(db, "merged_records", 0, 3, tags.of(2, rows))
        assert not digests.add_tags(db, "merged_records", 0, 2, tags.of(1, rows[:2]))
        assert db.scalar("SELECT count(*) FROM record_digests WHERE tbl = 12") == 0
        digests.seal(db)  # (what the merge's writer does next)
        assert [r[0] for r in db.query("SELECT tag FROM record_digests WHERE tbl = 12"
                                       " ORDER BY row_id")] == list(tags.of(1, rows)[1])
        # (a row written since the last seal and not tagged yet: the seal must see it)
        db.insert_many("merged_records", columns, [(source, "case", "TW1", "k", "d")])
        more = [(source, "case", f"TW{i}", "k", "d") for i in (2, 3)]
        db.insert_many("merged_records", columns, more)
        assert not digests.add_tags(db, "merged_records", 4, 2, tags.of(5, more))
        raise _Undo


def _source(db) -> int:
    """A `merge_sources` row's id (merged records name one)."""
    db.conn.execute("INSERT INTO merge_sources (db_id, file_name, first_at, last_at,"
                    " last_anchor, last_by) VALUES ('x', 'x.db', '2026-01-01',"
                    " '2026-01-01', '1:x', 'x')")
    source = db.scalar("SELECT max(id) FROM merge_sources")
    digests.seal(db)
    return source
