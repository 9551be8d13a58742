-- 016: the dispatch list read from the index of open warnings alone.
--
-- `warning list --status overdue` (and `report daily`'s most urgent rows) show, of each
-- open warning, its number, times, level, station, kind, type, masked name and phone and
-- visit. The index of open warnings (010) held only the station, deadline, level and
-- received time, so every row shown was then read from the table: one page of the table
-- a warning, the overdue ones scattered over two years of a file (3,100 rows, 3,500 pages,
-- on the national benchmark file). The index now carries what the list shows (the masked
-- forms only, as the table holds them; `feedback_at` is NULL in every entry, carried so
-- that SQLite reads no column from the table): the list is one walk of a few dozen pages.
-- Open warnings only: a warning leaves the index when it is fed back, as before, so the
-- index grows with the backlog, not with the history.
--
-- The list also counts each warning's follow-ups. A warning without feedback has only
-- follow-ups `in-progress` (its feedback is its first follow-up of another outcome:
-- storage/totals.py keeps `feedback_at` so), so its count comes from a small index of
-- those alone, not from a probe of the index of every follow-up ever made, a page of it a
-- warning (3,100 pages, 7 ms of a new process, on the national file).

DROP INDEX warnings_open;
CREATE INDEX warnings_open ON warnings
    (station, deadline_at, level, received_at, feedback_at, no, kind, type, name, phone,
     visited_at)
    WHERE feedback_at IS NULL;

CREATE INDEX followups_in_progress ON followups (warning_id, at)
    WHERE outcome = 'in-progress';
