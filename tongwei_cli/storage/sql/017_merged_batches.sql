-- 017: the bases of a station's records merged all at once, kept a batch to a row.
--
-- A merge keeps, for every record it takes from a station file, the keyed digest of the
-- record's content as merged (its base: `merged_records`, 011/013), and every row of that
-- table has its own record digest. A station's first merge of many records of one kind --
-- checked apart by two forked children, 5,000 at a time (`imports/merge.py`,
-- `Merger._add_apart`) -- so wrote and tagged one row per record: 210k rows for 100k
-- warnings and their follow-ups, about 1.4 s of a merge whose floor is 2.5 s.
--
-- merged_batches  one row per such batch: `keys`, a JSON array of the records' keys in
--                 the order they were merged; `digests`, their digests (32 hexadecimal
--                 characters each, as `merged_records.digest`) one after another in the
--                 same order, all under the key `key_id`. Digested like every table the
--                 merge keeps (storage/digests.py, code 13: a base changed behind
--                 tongwei's back is named by `tongwei check`).
--
-- A record's own row in `merged_records`, when a later merge settles it again, is its base
-- instead of its entry here; a record removed at the station is taken out of its batch.
-- The bases mean what they meant: a later merge compares the same three versions.

CREATE TABLE merged_batches (
    id INTEGER PRIMARY KEY,
    source INTEGER NOT NULL REFERENCES merge_sources (id),
    kind TEXT NOT NULL,
    key_id TEXT NOT NULL,
    keys TEXT NOT NULL,
    digests TEXT NOT NULL
) STRICT;

CREATE INDEX merged_batches_source ON merged_batches (source, kind);
