-- Personal data encrypted at rest (storage/personal.py). Each personal column keeps the
-- masked form; beside it, `<column>_enc` holds the value encrypted (AES-SIV under the
-- database's key, which is never in the file) and `<column>_bi` its blind index (a keyed
-- hash of the normalised value), indexed for exact lookups. The migration's Python step
-- encrypts and masks every stored value in place; the file is then VACUUMed so that no
-- page of it, nor its WAL, keeps a value in the clear.

ALTER TABLE cases ADD COLUMN victim_name_enc BLOB;
ALTER TABLE cases ADD COLUMN victim_name_bi INTEGER;
ALTER TABLE cases ADD COLUMN victim_phone_enc BLOB;
ALTER TABLE cases ADD COLUMN victim_phone_bi INTEGER;
ALTER TABLE cases ADD COLUMN victim_id_enc BLOB;
ALTER TABLE cases ADD COLUMN victim_id_bi INTEGER;

ALTER TABLE warnings ADD COLUMN phone_enc BLOB;
ALTER TABLE warnings ADD COLUMN phone_bi INTEGER;
ALTER TABLE warnings ADD COLUMN name_enc BLOB;
ALTER TABLE warnings ADD COLUMN name_bi INTEGER;
ALTER TABLE warnings ADD COLUMN id_no_enc BLOB;
ALTER TABLE warnings ADD COLUMN id_no_bi INTEGER;

ALTER TABLE card_penalties ADD COLUMN name_enc BLOB;
ALTER TABLE card_penalties ADD COLUMN name_bi INTEGER;
ALTER TABLE card_penalties ADD COLUMN id_no_enc BLOB;
ALTER TABLE card_penalties ADD COLUMN id_no_bi INTEGER;

CREATE INDEX cases_victim_name_bi ON cases (victim_name_bi) WHERE victim_name_bi IS NOT NULL;
CREATE INDEX cases_victim_phone_bi ON cases (victim_phone_bi) WHERE victim_phone_bi IS NOT NULL;
CREATE INDEX cases_victim_id_bi ON cases (victim_id_bi) WHERE victim_id_bi IS NOT NULL;
CREATE INDEX warnings_phone_bi ON warnings (phone_bi, received_at);
CREATE INDEX warnings_name_bi ON warnings (name_bi) WHERE name_bi IS NOT NULL;
CREATE INDEX warnings_id_no_bi ON warnings (id_no_bi, received_at) WHERE id_no_bi IS NOT NULL;
CREATE INDEX card_penalties_name_bi ON card_penalties (name_bi);
-- The five-year rule looks a person's restrictions up by ID number: now by its index.
DROP INDEX card_penalties_person;
CREATE INDEX card_penalties_person ON card_penalties (id_no_bi, start_date);
