-- 002: early warnings (预警) pushed by the anti-fraud platform, and their follow-ups (劝阻/反馈).
-- Timestamps are UTC `YYYY-MM-DDTHH:MM:SSZ`; compare them as text.
--
-- Denormalised on `warnings`, so that reports read one covering index:
--   deadline_at   received_at + the level's deadline hours *at receipt* (a later change of the
--                 hours does not move the deadline of warnings already received);
--   feedback_at   the earliest `at` of a follow-up whose outcome is not 'in-progress'
--                 (the warning's feedback; NULL while it is open);
--   visited_at    the earliest `at` of a 'visit' follow-up (见面);
--   defrauded_at  the earliest `at` of a 'defrauded' follow-up (预警后被骗; a case whose
--                 `warning` column names the warning counts too: join cases.warning = no).
-- All four are kept by `alerts.insert_followups` (the only writer of follow-ups) and are
-- re-derivable from `followups` (`tongwei check` may compare them).
--
-- Status as of a moment T (`warning list --as-of T`, reports at the end of a period):
--   closed   feedback_at <= T
--   overdue  not closed and deadline_at < T
--   open     otherwise (received_at <= T)

CREATE TABLE warnings (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    received_at TEXT NOT NULL,
    level TEXT NOT NULL REFERENCES warning_levels (code),
    deadline_hours INTEGER NOT NULL CHECK (deadline_hours > 0),
    deadline_at TEXT NOT NULL,
    station TEXT NOT NULL REFERENCES stations (code),
    phone TEXT NOT NULL,
    kind TEXT CHECK (kind IN ('money', 'contact')),
    name TEXT,
    id_no TEXT,
    type TEXT REFERENCES fraud_types (code),
    source TEXT,
    note TEXT,
    feedback_at TEXT,
    visited_at TEXT,
    defrauded_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT,
    updated_by TEXT,
    import_id INTEGER REFERENCES imports (id),
    CHECK (deadline_at > received_at),
    CHECK (feedback_at IS NULL OR feedback_at >= received_at)
) STRICT;

-- Reports over a period: received in [from, to), by station and level, fed back / on time /
-- visited / open / overdue as of the end of the period -- all from this index.
CREATE INDEX warnings_received ON warnings
    (received_at, station, level, deadline_at, feedback_at, visited_at, defrauded_at);
CREATE INDEX warnings_station ON warnings (station, received_at);
-- The dispatch list: what has no feedback yet, by deadline.
CREATE INDEX warnings_open ON warnings (deadline_at, station, level) WHERE feedback_at IS NULL;

CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    warning_id INTEGER NOT NULL REFERENCES warnings (id),
    at TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('phone', 'visit', 'sms', 'other')),
    outcome TEXT NOT NULL CHECK (outcome IN ('dissuaded', 'defrauded', 'not-fraud',
                                             'unreachable', 'in-progress')),
    case_id INTEGER REFERENCES cases (id),
    note TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id INTEGER REFERENCES imports (id)
) STRICT;

-- One follow-up per warning, moment and method: the key `import followups` matches on.
CREATE UNIQUE INDEX followups_key ON followups (warning_id, at, method);
-- "Latest feedback outcome by the end of the period" (dissuaded) and per-warning timelines.
CREATE INDEX followups_warning ON followups (warning_id, at, outcome);
CREATE INDEX followups_at ON followups (at, outcome, warning_id);
CREATE INDEX followups_case ON followups (case_id) WHERE case_id IS NOT NULL;
