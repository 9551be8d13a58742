-- 015: per-day totals of the case, case-event, outreach and two-card figures, so that a
-- report reads a few hundred rows a day instead of every case, event and session of its
-- period (the daily report on a national file: the day's 18k events each joined to its
-- case, and a campaign's running totals over a million rows).
--
-- Every one of these figures is of the records *as they are now*, by a local date text
-- (cases.reported, case_events.date, outreach.date, card_actions.date): no "as of" time
-- enters them (a case voided later is left out of every period, past ones too), so totals
-- by date are exact for any period of whole days, unlike warning_days (006).
--
--   case_days     per day, station and fraud type: the cases reported that day (count,
--                 loss) and the events dated that day (solved, arrested, prosecuted,
--                 recovered, frozen, stopped), each event counted under its case's station
--                 and type; `events` counts the events of those six kinds (a report lists
--                 a station or type with such events, even if they count zero). Voided
--                 cases and their events count nowhere.
--   outreach_days per day, station, audience and form: sessions, attendees, materials of
--                 the sessions not voided.
--   card_days     per day, station ('' for none) and kind: actions not voided, and fines.
--
-- Kept by the triggers below on every insert, update and delete (commands, imports and
-- `tongwei merge` all write through these tables): a case whose station, type, voided flag,
-- report date or loss changes moves its own part and -- station, type, voided -- its
-- events' parts too. Unlike warnings (006: a trigger on every insert would cost an import a
-- third of its time), an insert trigger here is one small upsert beside the digest and
-- index work every row already costs. `tongwei check` compares the tables with a recount of
-- the views below.

CREATE TABLE case_days (
    day TEXT NOT NULL,
    station TEXT NOT NULL,
    type TEXT NOT NULL,
    reported INTEGER NOT NULL DEFAULT 0,
    loss_fen INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    solved INTEGER NOT NULL DEFAULT 0,
    arrested INTEGER NOT NULL DEFAULT 0,
    prosecuted INTEGER NOT NULL DEFAULT 0,
    recovered_fen INTEGER NOT NULL DEFAULT 0,
    frozen_fen INTEGER NOT NULL DEFAULT 0,
    stopped_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, station, type)
) STRICT, WITHOUT ROWID;

CREATE TABLE outreach_days (
    day TEXT NOT NULL,
    station TEXT NOT NULL,
    audience TEXT NOT NULL,
    form TEXT NOT NULL,
    sessions INTEGER NOT NULL DEFAULT 0,
    attendees INTEGER NOT NULL DEFAULT 0,
    materials INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, station, audience, form)
) STRICT, WITHOUT ROWID;

CREATE TABLE card_days (
    day TEXT NOT NULL,
    station TEXT NOT NULL,
    kind TEXT NOT NULL,
    actions INTEGER NOT NULL DEFAULT 0,
    fines_fen INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, station, kind)
) STRICT, WITHOUT ROWID;

-- What each record counts (the triggers say the same of OLD and NEW): filled from these
-- now, recounted from them by `tongwei check`.
-- What one event of the six kinds counts, on its day (its case's station and type aside).
CREATE VIEW case_event_parts AS
SELECT e.id, e.case_id, e.date AS day, 1 AS events, e.kind = 'solved' AS solved,
       CASE WHEN e.kind = 'arrest' THEN coalesce(e.count, 0) ELSE 0 END AS arrested,
       CASE WHEN e.kind = 'prosecute' THEN coalesce(e.count, 0) ELSE 0 END AS prosecuted,
       CASE WHEN e.kind = 'recover' THEN coalesce(e.amount_fen, 0) ELSE 0 END AS recovered_fen,
       CASE WHEN e.kind = 'freeze' THEN coalesce(e.amount_fen, 0) ELSE 0 END AS frozen_fen,
       CASE WHEN e.kind = 'stop-payment' THEN coalesce(e.amount_fen, 0) ELSE 0 END
           AS stopped_fen
FROM case_events e
WHERE e.kind IN ('solved', 'arrest', 'prosecute', 'recover', 'freeze', 'stop-payment');

CREATE VIEW case_day_parts AS
SELECT c.reported AS day, c.station, c.type, 1 AS reported, c.loss_fen, 0 AS events,
       0 AS solved, 0 AS arrested, 0 AS prosecuted, 0 AS recovered_fen, 0 AS frozen_fen,
       0 AS stopped_fen
FROM cases c WHERE c.voided = 0
UNION ALL
SELECT p.day, c.station, c.type, 0, 0, p.events, p.solved, p.arrested, p.prosecuted,
       p.recovered_fen, p.frozen_fen, p.stopped_fen
FROM case_event_parts p JOIN cases c ON c.id = p.case_id
WHERE c.voided = 0;

CREATE VIEW outreach_day_parts AS
SELECT date AS day, station, audience, form, 1 AS sessions, attendees, materials
FROM outreach WHERE voided = 0;

CREATE VIEW card_day_parts AS
SELECT date AS day, coalesce(station, '') AS station, kind, 1 AS actions,
       CASE WHEN kind = 'fine' THEN coalesce(amount_fen, 0) ELSE 0 END AS fines_fen
FROM card_actions WHERE voided = 0;

INSERT INTO case_days (day, station, type, reported, loss_fen, events, solved, arrested,
                       prosecuted, recovered_fen, frozen_fen, stopped_fen)
SELECT day, station, type, sum(reported), sum(loss_fen), sum(events), sum(solved),
       sum(arrested), sum(prosecuted), sum(recovered_fen), sum(frozen_fen), sum(stopped_fen)
FROM case_day_parts GROUP BY day, station, type;

INSERT INTO outreach_days (day, station, audience, form, sessions, attendees, materials)
SELECT day, station, audience, form, sum(sessions), sum(attendees), sum(materials)
FROM outreach_day_parts GROUP BY day, station, audience, form;

INSERT INTO card_days (day, station, kind, actions, fines_fen)
SELECT day, station, kind, sum(actions), sum(fines_fen)
FROM card_day_parts GROUP BY day, station, kind;

-- -- cases: their own part, on the day reported ---------------------------------------------

CREATE TRIGGER case_days_case_insert AFTER INSERT ON cases WHEN NEW.voided = 0
BEGIN
    INSERT INTO case_days (day, station, type, reported, loss_fen)
    VALUES (NEW.reported, NEW.station, NEW.type, 1, NEW.loss_fen)
    ON CONFLICT (day, station, type) DO UPDATE SET
        reported = reported + 1, loss_fen = loss_fen + excluded.loss_fen;
END;

-- A case changed: its part moves (or goes, voided; or comes back); its events' parts move
-- with it when its station, type or voided flag changes (their days are their own).
CREATE TRIGGER case_days_case_update AFTER UPDATE OF reported, station, type, voided,
    loss_fen ON cases
    WHEN OLD.reported IS NOT NEW.reported OR OLD.station IS NOT NEW.station
      OR OLD.type IS NOT NEW.type OR OLD.voided IS NOT NEW.voided
      OR OLD.loss_fen IS NOT NEW.loss_fen
BEGIN
    UPDATE case_days SET reported = reported - 1, loss_fen = loss_fen - OLD.loss_fen
    WHERE OLD.voided = 0 AND day = OLD.reported AND station = OLD.station
      AND type = OLD.type;
    INSERT INTO case_days (day, station, type, reported, loss_fen)
    SELECT NEW.reported, NEW.station, NEW.type, 1, NEW.loss_fen WHERE NEW.voided = 0
    ON CONFLICT (day, station, type) DO UPDATE SET
        reported = reported + 1, loss_fen = loss_fen + excluded.loss_fen;
    UPDATE case_days SET
        events = events - x_events, solved = solved - x_solved,
        arrested = arrested - x_arrested, prosecuted = prosecuted - x_prosecuted,
        recovered_fen = recovered_fen - x_recovered, frozen_fen = frozen_fen - x_frozen,
        stopped_fen = stopped_fen - x_stopped
    FROM (SELECT day AS x_day, sum(events) AS x_events, sum(solved) AS x_solved,
                 sum(arrested) AS x_arrested, sum(prosecuted) AS x_prosecuted,
                 sum(recovered_fen) AS x_recovered, sum(frozen_fen) AS x_frozen,
                 sum(stopped_fen) AS x_stopped
          FROM case_event_parts WHERE case_id = OLD.id GROUP BY day) AS x
    WHERE OLD.voided = 0
      AND (OLD.station IS NOT NEW.station OR OLD.type IS NOT NEW.type
           OR OLD.voided IS NOT NEW.voided)
      AND case_days.day = x_day AND case_days.station = OLD.station
      AND case_days.type = OLD.type;
    INSERT INTO case_days (day, station, type, events, solved, arrested, prosecuted,
                           recovered_fen, frozen_fen, stopped_fen)
    SELECT day, NEW.station, NEW.type, sum(events), sum(solved), sum(arrested),
           sum(prosecuted), sum(recovered_fen), sum(frozen_fen), sum(stopped_fen)
    FROM case_event_parts
    WHERE case_id = NEW.id AND NEW.voided = 0
      AND (OLD.station IS NOT NEW.station OR OLD.type IS NOT NEW.type
           OR OLD.voided IS NOT NEW.voided)
    GROUP BY day
    ON CONFLICT (day, station, type) DO UPDATE SET
        events = events + excluded.events, solved = solved + excluded.solved,
        arrested = arrested + excluded.arrested, prosecuted = prosecuted + excluded.prosecuted,
        recovered_fen = recovered_fen + excluded.recovered_fen,
        frozen_fen = frozen_fen + excluded.frozen_fen,
        stopped_fen = stopped_fen + excluded.stopped_fen;
END;

-- (Removed only by hand or by a future command; its events, if any are left, go with it.)
CREATE TRIGGER case_days_case_delete AFTER DELETE ON cases WHEN OLD.voided = 0
BEGIN
    UPDATE case_days SET reported = reported - 1, loss_fen = loss_fen - OLD.loss_fen
    WHERE day = OLD.reported AND station = OLD.station AND type = OLD.type;
    UPDATE case_days SET
        events = events - x_events, solved = solved - x_solved,
        arrested = arrested - x_arrested, prosecuted = prosecuted - x_prosecuted,
        recovered_fen = recovered_fen - x_recovered, frozen_fen = frozen_fen - x_frozen,
        stopped_fen = stopped_fen - x_stopped
    FROM (SELECT day AS x_day, sum(events) AS x_events, sum(solved) AS x_solved,
                 sum(arrested) AS x_arrested, sum(prosecuted) AS x_prosecuted,
                 sum(recovered_fen) AS x_recovered, sum(frozen_fen) AS x_frozen,
                 sum(stopped_fen) AS x_stopped
          FROM case_event_parts WHERE case_id = OLD.id GROUP BY day) AS x
    WHERE case_days.day = x_day AND case_days.station = OLD.station
      AND case_days.type = OLD.type;
END;

-- -- case events: on their own day, under their case's station and type -----------------------

CREATE TRIGGER case_days_event_insert AFTER INSERT ON case_events
    WHEN NEW.kind IN ('solved', 'arrest', 'prosecute', 'recover', 'freeze', 'stop-payment')
BEGIN
    INSERT INTO case_days (day, station, type, events, solved, arrested, prosecuted,
                           recovered_fen, frozen_fen, stopped_fen)
    SELECT p.day, c.station, c.type, p.events, p.solved, p.arrested, p.prosecuted,
           p.recovered_fen, p.frozen_fen, p.stopped_fen
    FROM case_event_parts p JOIN cases c ON c.id = p.case_id
    WHERE p.id = NEW.id AND c.voided = 0
    ON CONFLICT (day, station, type) DO UPDATE SET
        events = events + 1, solved = solved + excluded.solved,
        arrested = arrested + excluded.arrested, prosecuted = prosecuted + excluded.prosecuted,
        recovered_fen = recovered_fen + excluded.recovered_fen,
        frozen_fen = frozen_fen + excluded.frozen_fen,
        stopped_fen = stopped_fen + excluded.stopped_fen;
END;

CREATE TRIGGER case_days_event_update AFTER UPDATE OF case_id, kind, date, count, amount_fen
    ON case_events
    WHEN OLD.case_id IS NOT NEW.case_id OR OLD.kind IS NOT NEW.kind
      OR OLD.date IS NOT NEW.date OR OLD.count IS NOT NEW.count
      OR OLD.amount_fen IS NOT NEW.amount_fen
BEGIN
    UPDATE case_days SET
        events = events - 1, solved = solved - (OLD.kind = 'solved'),
        arrested = arrested - CASE WHEN OLD.kind = 'arrest' THEN coalesce(OLD.count, 0)
                                   ELSE 0 END,
        prosecuted = prosecuted - CASE WHEN OLD.kind = 'prosecute'
                                       THEN coalesce(OLD.count, 0) ELSE 0 END,
        recovered_fen = recovered_fen - CASE WHEN OLD.kind = 'recover'
                                             THEN coalesce(OLD.amount_fen, 0) ELSE 0 END,
        frozen_fen = frozen_fen - CASE WHEN OLD.kind = 'freeze'
                                       THEN coalesce(OLD.amount_fen, 0) ELSE 0 END,
        stopped_fen = stopped_fen - CASE WHEN OLD.kind = 'stop-payment'
                                         THEN coalesce(OLD.amount_fen, 0) ELSE 0 END
    WHERE OLD.kind IN ('solved', 'arrest', 'prosecute', 'recover', 'freeze', 'stop-payment')
      AND day = OLD.date
      AND (station, type) = (SELECT station, type FROM cases
                             WHERE id = OLD.case_id AND voided = 0);
    INSERT INTO case_days (day, station, type, events, solved, arrested, prosecuted,
                           recovered_fen, frozen_fen, stopped_fen)
    SELECT p.day, c.station, c.type, p.events, p.solved, p.arrested, p.prosecuted,
           p.recovered_fen, p.frozen_fen, p.stopped_fen
    FROM case_event_parts p JOIN cases c ON c.id = p.case_id
    WHERE p.id = NEW.id AND c.voided = 0
    ON CONFLICT (day, station, type) DO UPDATE SET
        events = events + 1, solved = solved + excluded.solved,
        arrested = arrested + excluded.arrested, prosecuted = prosecuted + excluded.prosecuted,
        recovered_fen = recovered_fen + excluded.recovered_fen,
        frozen_fen = frozen_fen + excluded.frozen_fen,
        stopped_fen = stopped_fen + excluded.stopped_fen;
END;

CREATE TRIGGER case_days_event_delete AFTER DELETE ON case_events
    WHEN OLD.kind IN ('solved', 'arrest', 'prosecute', 'recover', 'freeze', 'stop-payment')
BEGIN
    UPDATE case_days SET
        events = events - 1, solved = solved - (OLD.kind = 'solved'),
        arrested = arrested - CASE WHEN OLD.kind = 'arrest' THEN coalesce(OLD.count, 0)
                                   ELSE 0 END,
        prosecuted = prosecuted - CASE WHEN OLD.kind = 'prosecute'
                                       THEN coalesce(OLD.count, 0) ELSE 0 END,
        recovered_fen = recovered_fen - CASE WHEN OLD.kind = 'recover'
                                             THEN coalesce(OLD.amount_fen, 0) ELSE 0 END,
        frozen_fen = frozen_fen - CASE WHEN OLD.kind = 'freeze'
                                       THEN coalesce(OLD.amount_fen, 0) ELSE 0 END,
        stopped_fen = stopped_fen - CASE WHEN OLD.kind = 'stop-payment'
                                         THEN coalesce(OLD.amount_fen, 0) ELSE 0 END
    WHERE day = OLD.date
      AND (station, type) = (SELECT station, type FROM cases
                             WHERE id = OLD.case_id AND voided = 0);
END;

-- -- outreach sessions -------------------------------------------------------------------------

CREATE TRIGGER outreach_days_insert AFTER INSERT ON outreach WHEN NEW.voided = 0
BEGIN
    INSERT INTO outreach_days (day, station, audience, form, sessions, attendees, materials)
    VALUES (NEW.date, NEW.station, NEW.audience, NEW.form, 1, NEW.attendees, NEW.materials)
    ON CONFLICT (day, station, audience, form) DO UPDATE SET
        sessions = sessions + 1, attendees = attendees + excluded.attendees,
        materials = materials + excluded.materials;
END;

CREATE TRIGGER outreach_days_update AFTER UPDATE OF date, station, audience, form, attendees,
    materials, voided ON outreach
    WHEN OLD.date IS NOT NEW.date OR OLD.station IS NOT NEW.station
      OR OLD.audience IS NOT NEW.audience OR OLD.form IS NOT NEW.form
      OR OLD.attendees IS NOT NEW.attendees OR OLD.materials IS NOT NEW.materials
      OR OLD.voided IS NOT NEW.voided
BEGIN
    UPDATE outreach_days SET sessions = sessions - 1, attendees = attendees - OLD.attendees,
                             materials = materials - OLD.materials
    WHERE OLD.voided = 0 AND day = OLD.date AND station = OLD.station
      AND audience = OLD.audience AND form = OLD.form;
    INSERT INTO outreach_days (day, station, audience, form, sessions, attendees, materials)
    SELECT NEW.date, NEW.station, NEW.audience, NEW.form, 1, NEW.attendees, NEW.materials
    WHERE NEW.voided = 0
    ON CONFLICT (day, station, audience, form) DO UPDATE SET
        sessions = sessions + 1, attendees = attendees + excluded.attendees,
        materials = materials + excluded.materials;
END;

CREATE TRIGGER outreach_days_delete AFTER DELETE ON outreach WHEN OLD.voided = 0
BEGIN
    UPDATE outreach_days SET sessions = sessions - 1, attendees = attendees - OLD.attendees,
                             materials = materials - OLD.materials
    WHERE day = OLD.date AND station = OLD.station AND audience = OLD.audience
      AND form = OLD.form;
END;

-- -- two-card actions --------------------------------------------------------------------------

CREATE TRIGGER card_days_insert AFTER INSERT ON card_actions WHEN NEW.voided = 0
BEGIN
    INSERT INTO card_days (day, station, kind, actions, fines_fen)
    VALUES (NEW.date, coalesce(NEW.station, ''), NEW.kind, 1,
            CASE WHEN NEW.kind = 'fine' THEN coalesce(NEW.amount_fen, 0) ELSE 0 END)
    ON CONFLICT (day, station, kind) DO UPDATE SET
        actions = actions + 1, fines_fen = fines_fen + excluded.fines_fen;
END;

CREATE TRIGGER card_days_update AFTER UPDATE OF date, station, kind, amount_fen, voided
    ON card_actions
    WHEN OLD.date IS NOT NEW.date OR OLD.station IS NOT NEW.station
      OR OLD.kind IS NOT NEW.kind OR OLD.amount_fen IS NOT NEW.amount_fen
      OR OLD.voided IS NOT NEW.voided
BEGIN
    UPDATE card_days SET actions = actions - 1,
        fines_fen = fines_fen - CASE WHEN OLD.kind = 'fine' THEN coalesce(OLD.amount_fen, 0)
                                     ELSE 0 END
    WHERE OLD.voided = 0 AND day = OLD.date AND station = coalesce(OLD.station, '')
      AND kind = OLD.kind;
    INSERT INTO card_days (day, station, kind, actions, fines_fen)
    SELECT NEW.date, coalesce(NEW.station, ''), NEW.kind, 1,
           CASE WHEN NEW.kind = 'fine' THEN coalesce(NEW.amount_fen, 0) ELSE 0 END
    WHERE NEW.voided = 0
    ON CONFLICT (day, station, kind) DO UPDATE SET
        actions = actions + 1, fines_fen = fines_fen + excluded.fines_fen;
END;

CREATE TRIGGER card_days_delete AFTER DELETE ON card_actions WHEN OLD.voided = 0
BEGIN
    UPDATE card_days SET actions = actions - 1,
        fines_fen = fines_fen - CASE WHEN OLD.kind = 'fine' THEN coalesce(OLD.amount_fen, 0)
                                     ELSE 0 END
    WHERE day = OLD.date AND station = coalesce(OLD.station, '') AND kind = OLD.kind;
END;
