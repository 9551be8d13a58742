-- 014: free text at rest (storage/personal.py). A phone or ID number typed into free text
-- -- a case's summary, a note, a warning's source, a session's venue, the reason a record
-- was withdrawn (`core.fields.free_text_columns`) -- is kept masked in the column
-- (`请回电138****5678`), and the text as typed beside it in `<column>_enc`, encrypted
-- (AES-SIV under the database's key, as the personal fields of 009). A text without such a
-- number is stored as it is, its `<column>_enc` NULL. The migration's Python step seals
-- the texts already stored (and masks the numbers in the keys `merged_records` keeps of
-- merged events, which hold their note); the file is then VACUUMed so that no page of it,
-- nor its WAL, keeps a number in the clear.

ALTER TABLE cases ADD COLUMN summary_enc BLOB;
ALTER TABLE cases ADD COLUMN void_reason_enc BLOB;
ALTER TABLE case_events ADD COLUMN note_enc BLOB;
ALTER TABLE warnings ADD COLUMN source_enc BLOB;
ALTER TABLE warnings ADD COLUMN note_enc BLOB;
ALTER TABLE followups ADD COLUMN note_enc BLOB;
ALTER TABLE outreach ADD COLUMN venue_enc BLOB;
ALTER TABLE outreach ADD COLUMN note_enc BLOB;
ALTER TABLE outreach ADD COLUMN void_reason_enc BLOB;
ALTER TABLE card_actions ADD COLUMN note_enc BLOB;
ALTER TABLE card_actions ADD COLUMN void_reason_enc BLOB;
ALTER TABLE card_penalties ADD COLUMN note_enc BLOB;
ALTER TABLE card_penalties ADD COLUMN void_reason_enc BLOB;
ALTER TABLE campaigns ADD COLUMN note_enc BLOB;

-- Campaigns were browsed as their table; it now holds a ciphertext column, which a browser
-- must not show: the table is hidden in the Datasette metadata and browsed through this view
-- (as 012's views: no ciphertext, no internal column).
CREATE VIEW browse_campaigns AS
SELECT name, first_day, last_day,
       CAST(julianday(last_day) - julianday(first_day) AS INTEGER) + 1 AS days,
       note
FROM campaigns;
