-- 011: a station's own file, and what the county has merged from each station file.
--
-- file_station    one row in a station's file (`tongwei init --station S`): the station
--                 whose file this is. The numbers the file gives (cases TW…, outreach XC…,
--                 supervision actions DK…, restrictions CJ…) then carry the station's code
--                 after the date -- TW20261202-PINGXIANG-001 -- so that two stations' numbers
--                 never meet in the county file, and still sort by date beside the county's
--                 own TW20261202-001 (domain/records.py `assign_numbers`).
-- merge_sources   in the county's file: each station file merged in, by its database id.
-- merged_records  in the county's file: per station file, each record merged from it (by
--                 its kind and natural key) and a keyed digest of its content as it was
--                 then (HMAC-SHA256 under the `merge` subkey of key `key_id`): the base a
--                 later merge tells changes by -- a side whose content differs from it has
--                 changed since (imports/merge.py).

CREATE TABLE file_station (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    station TEXT NOT NULL REFERENCES stations (code),
    set_at TEXT NOT NULL,
    set_by TEXT NOT NULL
) STRICT;

-- A file's station is set once: the numbers it gave already carry it.
CREATE TRIGGER file_station_no_update BEFORE UPDATE ON file_station
BEGIN
    SELECT RAISE(ABORT, 'the station of a file is set once');
END;

CREATE TRIGGER file_station_no_delete BEFORE DELETE ON file_station
BEGIN
    SELECT RAISE(ABORT, 'the station of a file is set once');
END;

CREATE TABLE merge_sources (
    db_id TEXT PRIMARY KEY,
    station TEXT REFERENCES stations (code),
    file_name TEXT NOT NULL,
    merges INTEGER NOT NULL DEFAULT 0,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL,
    last_anchor TEXT NOT NULL,
    last_by TEXT NOT NULL
) STRICT;

CREATE TABLE merged_records (
    source TEXT NOT NULL REFERENCES merge_sources (db_id),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    key_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (source, kind, key)
) STRICT, WITHOUT ROWID;
