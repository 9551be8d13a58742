-- 010: the warnings outstanding (without feedback) at the end of any day, and of those the
-- overdue ones, from maintained totals instead of a walk through every open warning: a file
-- whose history was imported without its follow-ups holds a million open warnings, and the
-- daily report, the station ranking and the dispatch list count them every morning.
--
-- warning_backlog holds, per zone day (the zone of warning_days_zone, 006), station and
-- level, six counts, each warning counted on the day of three of its moments:
--   opened    received that day, still without feedback
--   closed    received that day, fed back since
--   due_open  deadline that day, still without feedback
--   due_late  deadline that day, fed back after it (feedback_at > deadline_at)
--   fed_back  feedback that day
--   fed_late  feedback that day, after the deadline
-- and warning_open, per station and level, the warnings without feedback now.
--
-- With O the open ones now and S(x) the sum of x over the days after D (few: a report is
-- mostly of today or a recent day), at the end E of day D (reports/figures.py `backlog`):
--   outstanding = received before E and not fed back before E
--               = O - S(opened) + S(fed_back) - S(closed)
--   overdue     = of those, deadline before E
--               = O - S(due_open) + S(fed_late) - S(due_late)
-- For today (as of now, not E) the open ones whose deadline falls between now and E are
-- taken off `overdue`, counted in the index below (a few hours of deadlines).
--
-- Kept as warning_days is: new warnings a batch at a time (storage/totals.py `count_days`,
-- imports' tallies), every later change of a warning by the triggers below; `tongwei check`
-- recounts both tables.

CREATE TABLE warning_backlog (
    day INTEGER NOT NULL,
    station TEXT NOT NULL,
    level TEXT NOT NULL,
    opened INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    due_open INTEGER NOT NULL DEFAULT 0,
    due_late INTEGER NOT NULL DEFAULT 0,
    fed_back INTEGER NOT NULL DEFAULT 0,
    fed_late INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, station, level)
) STRICT, WITHOUT ROWID;

CREATE TABLE warning_open (
    station TEXT NOT NULL,
    level TEXT NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (station, level)
) STRICT, WITHOUT ROWID;

-- What one warning counts in warning_backlog: three rows, on the days of its receipt, its
-- deadline and (once fed back) its feedback.
CREATE VIEW warning_backlog_parts AS
SELECT w.id, (w.received_at + z.offset_seconds) / 86400 AS day, w.station, w.level,
       w.feedback_at IS NULL AS opened, w.feedback_at IS NOT NULL AS closed,
       0 AS due_open, 0 AS due_late, 0 AS fed_back, 0 AS fed_late
FROM warnings w, warning_days_zone z
UNION ALL
SELECT w.id, (w.deadline_at + z.offset_seconds) / 86400, w.station, w.level, 0, 0,
       w.feedback_at IS NULL, coalesce(w.feedback_at > w.deadline_at, 0), 0, 0
FROM warnings w, warning_days_zone z
UNION ALL
SELECT w.id, (w.feedback_at + z.offset_seconds) / 86400, w.station, w.level, 0, 0, 0, 0, 1,
       w.feedback_at > w.deadline_at
FROM warnings w, warning_days_zone z
WHERE w.feedback_at IS NOT NULL;

INSERT INTO warning_backlog (day, station, level, opened, closed, due_open, due_late,
                             fed_back, fed_late)
SELECT day, station, level, sum(opened), sum(closed), sum(due_open), sum(due_late),
       sum(fed_back), sum(fed_late)
FROM warning_backlog_parts GROUP BY day, station, level;

INSERT INTO warning_open (station, level, open)
SELECT station, level, count(*) FROM warnings WHERE feedback_at IS NULL
GROUP BY station, level;

-- The open warnings by station and deadline: the dispatch list's most urgent rows, a
-- station at a time (reports/figures.py `dispatch`: at most the rows shown are read), and
-- the deadlines still ahead today. Leads with the station instead of received_at (005), so
-- that one station's list is one range whatever the other stations' backlog; `warning list
-- --status open` without a station sorts, as it did.
DROP INDEX warnings_open;
CREATE INDEX warnings_open ON warnings (station, deadline_at, level, received_at)
    WHERE feedback_at IS NULL;

CREATE TRIGGER warning_backlog_update AFTER UPDATE OF received_at, station, level,
    deadline_at, feedback_at ON warnings
    WHEN OLD.received_at IS NOT NEW.received_at OR OLD.station IS NOT NEW.station
      OR OLD.level IS NOT NEW.level OR OLD.deadline_at IS NOT NEW.deadline_at
      OR OLD.feedback_at IS NOT NEW.feedback_at
BEGIN
    UPDATE warning_backlog SET opened = opened - (OLD.feedback_at IS NULL),
                               closed = closed - (OLD.feedback_at IS NOT NULL)
    WHERE day = (OLD.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_backlog SET due_open = due_open - (OLD.feedback_at IS NULL),
                               due_late = due_late - coalesce(OLD.feedback_at > OLD.deadline_at, 0)
    WHERE day = (OLD.deadline_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_backlog SET fed_back = fed_back - 1,
                               fed_late = fed_late - (OLD.feedback_at > OLD.deadline_at)
    WHERE OLD.feedback_at IS NOT NULL
      AND day = (OLD.feedback_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_open SET open = open - 1
    WHERE OLD.feedback_at IS NULL AND station = OLD.station AND level = OLD.level;

    INSERT INTO warning_backlog (day, station, level, opened, closed)
    VALUES ((NEW.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400,
            NEW.station, NEW.level, NEW.feedback_at IS NULL, NEW.feedback_at IS NOT NULL)
    ON CONFLICT (day, station, level) DO UPDATE SET
        opened = opened + excluded.opened, closed = closed + excluded.closed;
    INSERT INTO warning_backlog (day, station, level, due_open, due_late)
    VALUES ((NEW.deadline_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400,
            NEW.station, NEW.level, NEW.feedback_at IS NULL,
            coalesce(NEW.feedback_at > NEW.deadline_at, 0))
    ON CONFLICT (day, station, level) DO UPDATE SET
        due_open = due_open + excluded.due_open, due_late = due_late + excluded.due_late;
    INSERT INTO warning_backlog (day, station, level, fed_back, fed_late)
    SELECT (NEW.feedback_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400,
           NEW.station, NEW.level, 1, NEW.feedback_at > NEW.deadline_at
    WHERE NEW.feedback_at IS NOT NULL
    ON CONFLICT (day, station, level) DO UPDATE SET
        fed_back = fed_back + excluded.fed_back, fed_late = fed_late + excluded.fed_late;
    INSERT INTO warning_open (station, level, open)
    SELECT NEW.station, NEW.level, 1 WHERE NEW.feedback_at IS NULL
    ON CONFLICT (station, level) DO UPDATE SET open = open + 1;
END;

CREATE TRIGGER warning_backlog_delete AFTER DELETE ON warnings
BEGIN
    UPDATE warning_backlog SET opened = opened - (OLD.feedback_at IS NULL),
                               closed = closed - (OLD.feedback_at IS NOT NULL)
    WHERE day = (OLD.received_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_backlog SET due_open = due_open - (OLD.feedback_at IS NULL),
                               due_late = due_late - coalesce(OLD.feedback_at > OLD.deadline_at, 0)
    WHERE day = (OLD.deadline_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_backlog SET fed_back = fed_back - 1,
                               fed_late = fed_late - (OLD.feedback_at > OLD.deadline_at)
    WHERE OLD.feedback_at IS NOT NULL
      AND day = (OLD.feedback_at + (SELECT offset_seconds FROM warning_days_zone)) / 86400
      AND station = OLD.station AND level = OLD.level;
    UPDATE warning_open SET open = open - 1
    WHERE OLD.feedback_at IS NULL AND station = OLD.station AND level = OLD.level;
END;
