-- 006: per-day totals of the warning figures, so that a long period's figures (a campaign's
-- running totals) add up a few thousand rows instead of scanning every warning received.
--
-- warning_days holds, per local day of receipt, station and level, what each warning
-- received that day counts *as of now*: received, fed back, on time, visited, dissuaded
-- (latest feedback), defrauded (a defrauded outcome or a case naming it). `latest` is a
-- high-water mark of every moment counted (received, feedback, visit, defrauded, latest
-- feedback) and `linked_last` of the case days counted: a report reads these rows only
-- when `latest` is before its end and `linked_last` not after its last day -- then "as of
-- the end of the period" and "as of now" are the same -- and otherwise scans the index as
-- before. `overdue` always comes from the open warnings (it changes with the clock alone).
--
-- The days are those of the zone whose UTC offset is in warning_days_zone (set when this
-- migration runs, from TONGWEI_TZ); a report whose days do not fall on that zone's
-- midnights (another zone, summer time) scans the index instead.
--
-- Kept up to date: by `alerts.insert_warnings` for new warnings (a batch at a time: a
-- trigger on every insert would cost an import a third of its time), and by the triggers
-- below for every later change of a warning (follow-ups, corrections, case links).
-- `tongwei check` compares it with a recount.

CREATE TABLE warning_days_zone (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_seconds INTEGER NOT NULL
) STRICT;

CREATE TABLE warning_days (
    day INTEGER NOT NULL,
    station TEXT NOT NULL,
    level TEXT NOT NULL,
    received INTEGER NOT NULL,
    fed_back INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    visited INTEGER NOT NULL,
    dissuaded INTEGER NOT NULL,
    defrauded INTEGER NOT NULL,
    latest INTEGER NOT NULL,
    linked_last TEXT,
    PRIMARY KEY (day, station, level)
) STRICT, WITHOUT ROWID;

-- What one warning counts in warning_days (the triggers below say the same of OLD and NEW).
CREATE VIEW warning_day_parts AS
SELECT w.id, (w.received_at + z.offset_seconds) / 86400 AS day, w.station, w.level,
       w.feedback_at IS NOT NULL AS fed_back,
       coalesce(w.feedback_at <= w.deadline_at, 0) AS on_time,
       w.visited_at IS NOT NULL AS visited,
       coalesce(w.outcome = 'dissuaded', 0) AS dissuaded,
       w.defrauded_at IS NOT NULL OR w.linked_on IS NOT NULL AS defrauded,
       max(w.received_at, coalesce(w.feedback_at, 0), coalesce(w.visited_at, 0),
           coalesce(w.defrauded_at, 0), coalesce(w.outcome_at, 0)) AS latest,
       w.linked_on
FROM warnings w, warning_days_zone z;

CREATE TRIGGER warning_days_update AFTER UPDATE OF received_at, station, level, deadline_at,
    feedback_at, visited_at, defrauded_at, outcome, outcome_at, linked_on ON warnings
BEGIN
    UPDATE warning_days SET
        received = received - 1,
        fed_back = fed_back - (OLD.feedback_at IS NOT NULL),
        on_time = on_time - coalesce(OLD.feedback_at <= OLD.deadline_at, 0),
        visited = visited - (OLD.visited_at IS NOT NULL),
        dissuaded = dissuaded - coalesce(OLD.outcome = 'dissuaded', 0),
        defrauded = defrauded - (OLD.defrauded_at IS NOT NULL OR OLD.linked_on IS NOT NULL)
    WHERE day = (OLD.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    INSERT INTO warning_days (day, station, level, received, fed_back, on_time, visited,
                              dissuaded, defrauded, latest, linked_last)
    VALUES ((NEW.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400,
            NEW.station, NEW.level, 1, NEW.feedback_at IS NOT NULL,
            coalesce(NEW.feedback_at <= NEW.deadline_at, 0), NEW.visited_at IS NOT NULL,
            coalesce(NEW.outcome = 'dissuaded', 0),
            NEW.defrauded_at IS NOT NULL OR NEW.linked_on IS NOT NULL,
            max(NEW.received_at, coalesce(NEW.feedback_at, 0), coalesce(NEW.visited_at, 0),
                coalesce(NEW.defrauded_at, 0), coalesce(NEW.outcome_at, 0)),
            NEW.linked_on)
    ON CONFLICT (day, station, level) DO UPDATE SET
        received = received + 1,
        fed_back = fed_back + excluded.fed_back,
        on_time = on_time + excluded.on_time,
        visited = visited + excluded.visited,
        dissuaded = dissuaded + excluded.dissuaded,
        defrauded = defrauded + excluded.defrauded,
        latest = max(latest, excluded.latest),
        linked_last = CASE WHEN linked_last IS NULL THEN excluded.linked_last
                           WHEN excluded.linked_last IS NULL THEN linked_last
                           ELSE max(linked_last, excluded.linked_last) END;
END;

CREATE TRIGGER warning_days_delete AFTER DELETE ON warnings
BEGIN
    UPDATE warning_days SET
        received = received - 1,
        fed_back = fed_back - (OLD.feedback_at IS NOT NULL),
        on_time = on_time - coalesce(OLD.feedback_at <= OLD.deadline_at, 0),
        visited = visited - (OLD.visited_at IS NOT NULL),
        dissuaded = dissuaded - coalesce(OLD.outcome = 'dissuaded', 0),
        defrauded = defrauded - (OLD.defrauded_at IS NOT NULL OR OLD.linked_on IS NOT NULL)
    WHERE day = (OLD.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
END;
