-- 007: corrections of two-card records (`cards update`, `cards void`, `cards penalty void`).
-- Who last corrected or withdrew a supervision action or a restriction, and when (UTC), as
-- cases and outreach keep it; the old and new values are in the audit log.

ALTER TABLE card_actions ADD COLUMN updated_at TEXT;
ALTER TABLE card_actions ADD COLUMN updated_by TEXT;
ALTER TABLE card_penalties ADD COLUMN updated_at TEXT;
ALTER TABLE card_penalties ADD COLUMN updated_by TEXT;
