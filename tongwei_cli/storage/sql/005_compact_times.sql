-- 005: smaller records, and what the reports ask of a warning kept on the warning.
--
-- 1. The moments of warnings and follow-ups (received_at, deadline_at, feedback_at,
--    visited_at, defrauded_at, followups.at) become whole seconds since 1970-01-01 UTC
--    (INTEGER, 4–6 bytes) instead of `YYYY-MM-DDTHH:MM:SSZ` text (20 bytes), in the tables
--    and in every index that repeats them. They are still UTC; the program turns them back
--    into the same text wherever a record is shown, exported or written to the audit log.
-- 2. A record written by an import no longer repeats who entered it and when: `created_at`
--    and `created_by` are NULL and read from its `imports` row (`import_id`), which holds
--    the same moment and officer. Records typed one at a time keep their own.
-- 3. Kept on `warnings`, like feedback_at (and re-derivable: `tongwei check` compares):
--      outcome     the outcome of the latest feedback (the latest follow-up, by time then
--                  entry, whose outcome is not 'in-progress'); NULL while there is none;
--      outcome_at  the time of that feedback when it is not the first one (feedback_at);
--                  NULL when there was one feedback only -- almost always;
--      linked_on   the earliest `reported` day of a case, not voided, whose `warning`
--                  names this warning (预警后被骗); kept by the triggers below.
--    With them in the covering index `warnings_received`, the figures of any period are
--    one range scan of that index: no probe into follow-ups or cases per warning.
-- 4. Indexes: `warnings_open` leads with received_at (the dispatch count of a day is then a
--    range of the partial index, not a scan of every warning); `warnings_feedback` keeps
--    only feedback_at; `case_events_case` only case_id; `warnings_station`,
--    `followups_warning`, `followups_at`, `cases_station` and `cases_warning` go (the
--    reports and lists are answered by the other indexes; `followups_key` leads with
--    warning_id for a warning's timeline); `cases_voided` (tiny) lets the reports' totals
--    leave out the events of voided cases without visiting every case.
--
-- Run with foreign keys off (migrations.apply), the tables rebuilt and renamed in place as
-- SQLite's ALTER TABLE documentation describes, and `PRAGMA foreign_key_check` after.

CREATE TABLE warnings_new (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    level TEXT NOT NULL REFERENCES warning_levels (code),
    deadline_hours INTEGER NOT NULL CHECK (deadline_hours > 0),
    deadline_at INTEGER NOT NULL,
    station TEXT NOT NULL REFERENCES stations (code),
    phone TEXT NOT NULL,
    kind TEXT CHECK (kind IN ('money', 'contact')),
    name TEXT,
    id_no TEXT,
    type TEXT REFERENCES fraud_types (code),
    source TEXT,
    note TEXT,
    feedback_at INTEGER,
    visited_at INTEGER,
    defrauded_at INTEGER,
    outcome TEXT CHECK (outcome IN ('dissuaded', 'defrauded', 'not-fraud', 'unreachable')),
    outcome_at INTEGER,
    linked_on TEXT,
    created_at TEXT,
    created_by TEXT,
    updated_at TEXT,
    updated_by TEXT,
    import_id INTEGER REFERENCES imports (id),
    CHECK (deadline_at > received_at),
    CHECK (feedback_at IS NULL OR feedback_at >= received_at),
    CHECK ((created_at IS NULL) = (import_id IS NOT NULL AND created_by IS NULL))
) STRICT;

INSERT INTO warnings_new
    (id, no, received_at, level, deadline_hours, deadline_at, station, phone, kind, name,
     id_no, type, source, note, feedback_at, visited_at, defrauded_at, outcome, outcome_at,
     linked_on, created_at, created_by, updated_at, updated_by, import_id)
SELECT w.id, w.no, CAST(strftime('%s', w.received_at) AS INTEGER), w.level, w.deadline_hours,
       CAST(strftime('%s', w.deadline_at) AS INTEGER), w.station, w.phone, w.kind, w.name, w.id_no, w.type,
       w.source, w.note, CAST(strftime('%s', w.feedback_at) AS INTEGER), CAST(strftime('%s', w.visited_at) AS INTEGER),
       CAST(strftime('%s', w.defrauded_at) AS INTEGER),
       (SELECT f.outcome FROM followups f WHERE f.warning_id = w.id
          AND f.outcome <> 'in-progress' ORDER BY f.at DESC, f.id DESC LIMIT 1),
       nullif(CAST(strftime('%s', (SELECT max(f.at) FROM followups f WHERE f.warning_id = w.id
                         AND f.outcome <> 'in-progress')) AS INTEGER), CAST(strftime('%s', w.feedback_at) AS INTEGER)),
       (SELECT min(c.reported) FROM cases c WHERE c.warning = w.no AND c.voided = 0),
       CASE WHEN w.import_id IS NULL THEN w.created_at END,
       CASE WHEN w.import_id IS NULL THEN w.created_by END,
       w.updated_at, w.updated_by, w.import_id
FROM warnings w;

CREATE TABLE followups_new (
    id INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES warnings (id),
    at INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms', 'other')),
    outcome TEXT NOT NULL CHECK (outcome IN ('dissuaded', 'defrauded', 'not-fraud',
                                             'unreachable', 'in-progress')),
    case_id INTEGER REFERENCES cases (id),
    note TEXT,
    created_at TEXT,
    created_by TEXT,
    import_id INTEGER REFERENCES imports (id),
    CHECK ((created_at IS NULL) = (import_id IS NOT NULL AND created_by IS NULL))
) STRICT;

INSERT INTO followups_new
    (id, warning_id, at, method, outcome, case_id, note, created_at, created_by, import_id)
SELECT id, warning_id, CAST(strftime('%s', at) AS INTEGER), method, outcome, case_id, note,
       CASE WHEN import_id IS NULL THEN created_at END,
       CASE WHEN import_id IS NULL THEN created_by END, import_id
FROM followups;

CREATE TABLE cases_new (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    reported TEXT NOT NULL,
    occurred TEXT,
    type TEXT NOT NULL REFERENCES fraud_types (code),
    station TEXT NOT NULL REFERENCES stations (code),
    loss_fen INTEGER NOT NULL CHECK (loss_fen >= 0),
    victim_name TEXT,
    victim_phone TEXT,
    victim_id TEXT,
    victim_gender TEXT CHECK (victim_gender IN ('M', 'F')),
    victim_age INTEGER CHECK (victim_age >= 0),
    victim_group TEXT REFERENCES audiences (code),
    warning TEXT,
    summary TEXT,
    status TEXT NOT NULL DEFAULT 'reported'
        CHECK (status IN ('reported', 'filed', 'solved', 'closed')),
    voided INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
    void_reason TEXT,
    created_at TEXT,
    created_by TEXT,
    updated_at TEXT,
    updated_by TEXT,
    import_id INTEGER REFERENCES imports (id),
    CHECK ((created_at IS NULL) = (import_id IS NOT NULL AND created_by IS NULL))
) STRICT;

INSERT INTO cases_new
    (id, no, reported, occurred, type, station, loss_fen, victim_name, victim_phone,
     victim_id, victim_gender, victim_age, victim_group, warning, summary, status, voided,
     void_reason, created_at, created_by, updated_at, updated_by, import_id)
SELECT id, no, reported, occurred, type, station, loss_fen, victim_name, victim_phone,
       victim_id, victim_gender, victim_age, victim_group, warning, summary, status, voided,
       void_reason,
       CASE WHEN import_id IS NULL THEN created_at END,
       CASE WHEN import_id IS NULL THEN created_by END,
       updated_at, updated_by, import_id
FROM cases;

CREATE TABLE case_events_new (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('filed', 'solved', 'arrest', 'prosecute', 'recover',
                                       'freeze', 'stop-payment', 'close')),
    date TEXT NOT NULL,
    count INTEGER CHECK (count >= 0),
    amount_fen INTEGER CHECK (amount_fen >= 0),
    note TEXT,
    created_at TEXT,
    created_by TEXT,
    import_id INTEGER REFERENCES imports (id),
    CHECK ((created_at IS NULL) = (import_id IS NOT NULL AND created_by IS NULL))
) STRICT;

INSERT INTO case_events_new
    (id, case_id, kind, date, count, amount_fen, note, created_at, created_by, import_id)
SELECT id, case_id, kind, date, count, amount_fen, note,
       CASE WHEN import_id IS NULL THEN created_at END,
       CASE WHEN import_id IS NULL THEN created_by END, import_id
FROM case_events;

DROP TABLE followups;
DROP TABLE case_events;
DROP TABLE warnings;
DROP TABLE cases;
ALTER TABLE warnings_new RENAME TO warnings;
ALTER TABLE followups_new RENAME TO followups;
ALTER TABLE cases_new RENAME TO cases;
ALTER TABLE case_events_new RENAME TO case_events;

-- warnings: the reports' covering index (any period's figures, the chart's days) ...
CREATE INDEX warnings_received ON warnings
    (received_at, station, level, deadline_at, feedback_at, visited_at, defrauded_at,
     outcome, outcome_at, linked_on);
-- ... what is still without feedback (the dispatch list and its count, `warning list
-- --status open|overdue`) ...
CREATE INDEX warnings_open ON warnings (received_at, station, level, deadline_at)
    WHERE feedback_at IS NULL;
-- ... and what was fed back only after a moment (the dispatch list of a finished day).
CREATE INDEX warnings_feedback ON warnings (feedback_at) WHERE feedback_at IS NOT NULL;

-- follow-ups: one per warning, moment and method (the key imports match on; a warning's
-- timeline in order).
CREATE UNIQUE INDEX followups_key ON followups (warning_id, at, method);
CREATE INDEX followups_case ON followups (case_id) WHERE case_id IS NOT NULL;

CREATE INDEX cases_reported ON cases (reported, station, type, voided, loss_fen);
-- The voided cases, whose events the reports' totals leave out without visiting each case.
CREATE INDEX cases_voided ON cases (id) WHERE voided = 1;
-- "Defrauded": a case not voided, reported by the end of the period, names the warning.
CREATE INDEX cases_warning_link ON cases (warning, voided, reported) WHERE warning IS NOT NULL;

-- (by case alone: a case has a handful of events, sorted by date when shown)
CREATE INDEX case_events_case ON case_events (case_id);
CREATE INDEX case_events_date ON case_events (date, kind, case_id, count, amount_fen);
CREATE UNIQUE INDEX case_events_one_solved ON case_events (case_id) WHERE kind = 'solved';

-- warnings.linked_on follows every change of the cases that name a warning, whichever
-- command or import makes it. (A warning stored after the case that names it is linked by
-- `alerts.insert_warnings`, a batch at a time: a trigger on every warning stored would cost
-- an import more than a third of its time.)
CREATE TRIGGER cases_link_insert AFTER INSERT ON cases WHEN NEW.warning IS NOT NULL
BEGIN
    UPDATE warnings SET linked_on =
        (SELECT min(c.reported) FROM cases c WHERE c.warning = NEW.warning AND c.voided = 0)
    WHERE no = NEW.warning;
END;

CREATE TRIGGER cases_link_update AFTER UPDATE OF warning, reported, voided ON cases
    WHEN OLD.warning IS NOT NULL OR NEW.warning IS NOT NULL
BEGIN
    UPDATE warnings SET linked_on =
        (SELECT min(c.reported) FROM cases c WHERE c.warning = warnings.no AND c.voided = 0)
    WHERE no IN (OLD.warning, NEW.warning);
END;

CREATE TRIGGER cases_link_delete AFTER DELETE ON cases WHEN OLD.warning IS NOT NULL
BEGIN
    UPDATE warnings SET linked_on =
        (SELECT min(c.reported) FROM cases c WHERE c.warning = OLD.warning AND c.voided = 0)
    WHERE no = OLD.warning;
END;
