-- 004: covering indexes for `tongwei report` (reports.py QUERIES), beyond those of 001-003.
--
-- Already covering, from earlier migrations:
--   cases_reported        cases (reported, station, type, voided, loss_fen)     cases, series
--   case_events_date      case_events (date, kind, case_id, count, amount_fen)  case_events
--   warnings_received     warnings (received_at, station, level, deadline_at,
--                         feedback_at, visited_at, defrauded_at)                warnings, series
--   followups_warning     followups (warning_id, at, outcome)                   dissuaded
--   warnings_open         warnings (deadline_at, …) WHERE feedback_at IS NULL   dispatch list
--   outreach_date, card_actions_date                                            outreach, cards

-- "Defrauded": a case not voided, reported by the end of the period, names the warning.
-- The probe by warning number then reads nothing but this index.
CREATE INDEX cases_warning_link ON cases (warning, voided, reported) WHERE warning IS NOT NULL;

-- The dispatch list of a finished day: warnings fed back only after that day's end were still
-- open then. Read from the feedback time onwards, not by scanning every warning.
CREATE INDEX warnings_feedback ON warnings (feedback_at, received_at, deadline_at, station)
    WHERE feedback_at IS NOT NULL;
