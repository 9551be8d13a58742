-- 003: outreach sessions (宣), two-card supervision (管/控), restrictions on people, campaigns.
-- Money is INTEGER fen; dates are local `YYYY-MM-DD`; timestamps are UTC `YYYY-MM-DDTHH:MM:SSZ`.
-- Reports count rows with `voided = 0` only.

-- One outreach session. `no` is the tool's key (XC<yyyymmdd>-NNN); `ref` the centre's own
-- number, optional and unique. The four optional counts are NULL when not reported.
CREATE TABLE outreach (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    ref TEXT UNIQUE,
    date TEXT NOT NULL,
    station TEXT NOT NULL REFERENCES stations (code),
    audience TEXT NOT NULL REFERENCES audiences (code),
    form TEXT NOT NULL REFERENCES forms (code),
    venue TEXT NOT NULL,
    venue_kind TEXT REFERENCES venue_kinds (code),
    attendees INTEGER NOT NULL CHECK (attendees >= 0),
    materials INTEGER NOT NULL CHECK (materials >= 0),
    posters INTEGER CHECK (posters >= 0),
    videos INTEGER CHECK (videos >= 0),
    app_installs INTEGER CHECK (app_installs >= 0),
    notices_signed INTEGER CHECK (notices_signed >= 0),
    note TEXT,
    voided INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
    void_reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT,
    updated_by TEXT,
    import_id INTEGER REFERENCES imports (id)
) STRICT;

-- Period sums (sessions, attendees, materials) by station and audience, from the index alone.
CREATE INDEX outreach_date ON outreach (date, voided, station, audience, form, attendees,
                                        materials);
CREATE INDEX outreach_station ON outreach (station, date);

-- Banks' branches, payment firms, telecom operators' halls and agent outlets under supervision.
CREATE TABLE institutions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('bank', 'payment', 'telecom', 'outlet')),
    station TEXT REFERENCES stations (code),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id INTEGER REFERENCES imports (id)
) STRICT;

-- One supervision action. `station` is the institution's station when the action was taken
-- (copied, so period/station figures need no join). A fine has `amount_fen`; a rectification
-- (rectify) has a `deadline` and, once rechecked, `closed_by` (the recheck's id) and
-- `closed_on` (the recheck's date).
CREATE TABLE card_actions (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    institution_id INTEGER NOT NULL REFERENCES institutions (id),
    date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('inspection', 'interview', 'notice', 'fine', 'rectify',
                                       'recheck')),
    station TEXT REFERENCES stations (code),
    amount_fen INTEGER CHECK (amount_fen >= 0),
    deadline TEXT,
    closed_by INTEGER REFERENCES card_actions (id),
    closed_on TEXT,
    note TEXT,
    voided INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
    void_reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id INTEGER REFERENCES imports (id),
    CHECK (kind <> 'fine' OR amount_fen IS NOT NULL),
    CHECK (kind <> 'rectify' OR (deadline IS NOT NULL AND deadline > date))
) STRICT;

CREATE INDEX card_actions_date ON card_actions (date, voided, station, kind, amount_fen);
CREATE INDEX card_actions_institution ON card_actions (institution_id, date);
CREATE INDEX card_actions_open ON card_actions (deadline)
    WHERE kind = 'rectify' AND closed_by IS NULL AND voided = 0;

-- People under two-card restrictions (惩戒; Anti-Telecom-Fraud Law art. 31).
-- `end_date` is the last day of the restriction: the day before the start's anniversary
-- `years` later. Personal columns are `name` and `id_no` so that they are masked.
CREATE TABLE card_penalties (
    id INTEGER PRIMARY KEY,
    no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    id_no TEXT NOT NULL,
    measure TEXT NOT NULL,
    start_date TEXT NOT NULL,
    years INTEGER NOT NULL CHECK (years IN (2, 3)),
    end_date TEXT NOT NULL,
    appeal_by TEXT NOT NULL,
    station TEXT REFERENCES stations (code),
    note TEXT,
    voided INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
    void_reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    import_id INTEGER REFERENCES imports (id),
    CHECK (end_date > start_date)
) STRICT;

CREATE INDEX card_penalties_person ON card_penalties (id_no, start_date);
CREATE INDEX card_penalties_end ON card_penalties (end_date, start_date);

-- Named periods that reports sum over; they may overlap. Days are inclusive.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK (last_day >= first_day)
) STRICT;

CREATE INDEX campaigns_days ON campaigns (first_day, last_day);
