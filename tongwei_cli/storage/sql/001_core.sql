-- 001: reference data, the audit log, imports, fraud cases and their events.
-- Money is INTEGER fen; dates are local `YYYY-MM-DD`; timestamps are UTC `YYYY-MM-DDTHH:MM:SSZ`.

CREATE TABLE fraud_types (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE stations (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    kind TEXT,
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE warning_levels (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    deadline_hours INTEGER NOT NULL CHECK (deadline_hours > 0),
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE audiences (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE forms (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE venue_kinds (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Append-only, hash-chained: hash = sha256(at, officer, action, entity, key, before, after, prev_hash).
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    officer TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    key TEXT,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
) STRICT;

CREATE INDEX audit_at ON audit (at);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    officer TEXT NOT NULL
) STRICT;

CREATE TABLE cases (
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
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT,
    updated_by TEXT,
    import_id INTEGER REFERENCES imports (id)
) STRICT;

CREATE INDEX cases_reported ON cases (reported, station, type, voided, loss_fen);
CREATE INDEX cases_station ON cases (station, reported);
CREATE INDEX cases_warning ON cases (warning) WHERE warning IS NOT NULL;

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('filed', 'solved', 'arrest', 'prosecute', 'recover',
                                       'freeze', 'stop-payment', 'close')),
    date TEXT NOT NULL,
    count INTEGER CHECK (count >= 0),
    amount_fen INTEGER CHECK (amount_fen >= 0),
    note TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id INTEGER REFERENCES imports (id)
) STRICT;

CREATE INDEX case_events_case ON case_events (case_id, date);
CREATE INDEX case_events_date ON case_events (date, kind, case_id, count, amount_fen);
CREATE UNIQUE INDEX case_events_one_solved ON case_events (case_id) WHERE kind = 'solved';
