-- 013: what the county keeps of its merges, under the record digests; a merge's own place
-- in `imports`.
--
-- merge_sources   rebuilt with an `id` (the record digests name a row by its id, and
--                 `merged_records` points at it by that id rather than repeating the
--                 station file's 32-character database id on every row).
-- merged_records  rebuilt with an `id` and `source` an INTEGER (`merge_sources.id`): both
--                 tables are now digested (storage/digests.py, codes 11 and 12), so that a
--                 row changed, added or removed behind tongwei's back -- a base made to
--                 fit a record, so that a later merge takes the station's version over
--                 the county's -- is named by `tongwei check`; the digest triggers, and a
--                 tag for every row, are made after this file (`digests.refresh`).
-- imports.anchor  a merge's `imports` row: the anchor of the station file's audit chain it
--                 took (`<row>:<hash>`). Its `sha256` is now, as for an import, the file's
--                 own SHA-256; the merges recorded before this migration kept the chain's
--                 head there, which moves to `anchor` (from the merge's audit row), and
--                 their `sha256`, never the file's, is left empty.

CREATE TABLE merge_sources_013 (
    id INTEGER PRIMARY KEY,
    db_id TEXT NOT NULL UNIQUE,
    station TEXT REFERENCES stations (code),
    file_name TEXT NOT NULL,
    merges INTEGER NOT NULL DEFAULT 0,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    last_anchor TEXT NOT NULL,
    last_by TEXT NOT NULL
) STRICT;

INSERT INTO merge_sources_013 (db_id, station, file_name, merges, first_at, last_at,
                               last_anchor, last_by)
SELECT db_id, station, file_name, merges, first_at, last_at, last_anchor, last_by
FROM merge_sources ORDER BY first_at, db_id;

CREATE TABLE merged_records_013 (
    id INTEGER PRIMARY KEY,
    source INTEGER NOT NULL REFERENCES merge_sources (id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    key_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    UNIQUE (source, kind, key)
) STRICT;

INSERT INTO merged_records_013 (source, kind, key, key_id, digest)
SELECT s.id, m.kind, m.key, m.key_id, m.digest
FROM merged_records m JOIN merge_sources_013 s ON s.db_id = m.source
ORDER BY s.id, m.kind, m.key;

DROP TABLE merged_records;
DROP TABLE merge_sources;
ALTER TABLE merge_sources_013 RENAME TO merge_sources;
ALTER TABLE merged_records_013 RENAME TO merged_records;

ALTER TABLE imports ADD COLUMN anchor TEXT;

UPDATE imports SET
    anchor = (SELECT substr(a.key, instr(a.key, ' ') + 1) FROM audit a
              WHERE a.action = 'merge' AND json_extract(a.after, '$.import_id') = imports.id),
    sha256 = ''
WHERE kind = 'merge';
