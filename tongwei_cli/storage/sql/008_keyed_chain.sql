-- 008: the database's identity and key, a keyed audit chain, and a digest of every record.
--
-- database_identity  one row: a random database id, by which the key file is found (the key
--                    is never in the file: storage/keys.py), the current key's id and check
--                    value (HMAC-SHA256 of a fixed label under the key: a wrong key is told
--                    from the right one before it is used), and the first audit row signed
--                    with a key.
-- audit              two more columns: `key_id`, the key whose audit subkey signed the row
--                    (hash = HMAC-SHA256 of the row with its id and the previous hash), NULL
--                    on the rows from before this migration, which keep their SHA-256; and
--                    `state`, the XOR of every record's digest after the change (hex).
-- record_digests     a 48-bit keyed tag of every row of the digested tables, and
-- digested_tables    the columns each table's tags cover (storage/digests.py).
--
-- The Python step after this file (migrations._after_008) makes the key, tags every stored
-- record and adds the triggers that keep the tags; the migration's own audit row is then the
-- first row signed with the key, chained to the head of the SHA-256 rows before it.

CREATE TABLE database_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    db_id TEXT NOT NULL,
    key_id TEXT,
    key_check TEXT,
    keyed_from INTEGER,
    created_at TEXT NOT NULL
) STRICT;

INSERT INTO database_identity (id, db_id, created_at)
VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- Only tongwei's connection (which has tw_guard) changes the identity row; none removes it.
CREATE TRIGGER database_identity_guard BEFORE UPDATE ON database_identity
BEGIN
    SELECT tw_guard();
END;

CREATE TRIGGER database_identity_no_delete BEFORE DELETE ON database_identity
BEGIN
    SELECT RAISE(ABORT, 'the database identity cannot be removed');
END;

ALTER TABLE audit ADD COLUMN key_id TEXT;
ALTER TABLE audit ADD COLUMN state TEXT;

CREATE TABLE digested_tables (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    columns TEXT NOT NULL
) STRICT;

CREATE TABLE record_digests (
    tbl INTEGER NOT NULL,
    row_id INTEGER NOT NULL,
    tag INTEGER NOT NULL,
    PRIMARY KEY (tbl, row_id)
) STRICT, WITHOUT ROWID;
