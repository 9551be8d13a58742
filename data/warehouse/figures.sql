-- The headline figures of `tongwei report range --from ${from} --to ${to}` (PRODUCT.md,
-- "Meaning of the figures"; tongwei_cli/reports/figures.py), computed over the Parquet
-- folders `tongwei export parquet` writes -- one county's, or many side by side.
--
-- One row per county, and a last row (county NULL) for all of them together: the counts
-- summed, the rates computed from the sums. Rates are rounded half up to four decimals
-- and NULL when nothing was received, as tongwei rounds them; money is integer fen.
--
-- Parameters, written ${name} (spark-sql substitutes them: --define name=value; for DuckDB
-- `tongwei_cli.reports.warehouse.figures_sql` fills them in): from, to -- the period's
-- first and last local days, YYYY-MM-DD. The relations cases, case_events, warnings,
-- followups, outreach and card_actions are the exported datasets: views.duckdb.sql or
-- views.spark.sql define them over a folder (${folder}).
--
-- Written in the SQL that DuckDB and Spark SQL share: no engine's own functions, no
-- correlated subqueries, booleans and dates as both read them from Parquet.
--
-- "As of the end of the period": an instant counts when its local day is not after ${to}
-- (its `*_date` column) and it is before now (a period still running counts what has
-- happened so far, as tongwei's report does).

WITH
case_figures AS (
    SELECT c.county, count(*) AS reported, sum(c.loss_fen) AS loss_fen
    FROM cases c
    WHERE NOT c.voided AND c.reported >= DATE '${from}' AND c.reported <= DATE '${to}'
    GROUP BY c.county
),
event_figures AS (
    SELECT e.county,
           count(CASE WHEN e.event = 'solved' THEN 1 END) AS solved,
           sum(CASE WHEN e.event = 'arrest' THEN e.event_count END) AS arrested,
           sum(CASE WHEN e.event = 'prosecute' THEN e.event_count END) AS prosecuted,
           sum(CASE WHEN e.event = 'recover' THEN e.amount_fen END) AS recovered_fen,
           sum(CASE WHEN e.event = 'freeze' THEN e.amount_fen END) AS frozen_fen,
           sum(CASE WHEN e.event = 'stop-payment' THEN e.amount_fen END) AS stopped_fen
    FROM case_events e
    WHERE NOT e.case_voided AND e.date >= DATE '${from}' AND e.date <= DATE '${to}'
    GROUP BY e.county
),
-- Each warning's latest feedback (a follow-up not in progress) by the end of the period:
-- by time, then by order of entry. Only the follow-ups of the period's days are ranked: a
-- follow-up is never before its warning was received (tongwei refuses it when added,
-- imported or corrected), so those of the period's warnings are all there.
latest_feedback AS (
    SELECT county, warning_no, outcome
    FROM (SELECT f.county, f.warning_no, f.outcome,
                 row_number() OVER (PARTITION BY f.county, f.warning_no
                                    ORDER BY f.at DESC, f.entry DESC) AS n
          FROM followups f
          WHERE f.outcome <> 'in-progress' AND f.at_date >= DATE '${from}'
            AND f.at_date <= DATE '${to}'
            AND f.at < current_timestamp) ranked
    WHERE n = 1
),
warning_state AS (
    SELECT w.county,
           (w.feedback_date <= DATE '${to}' AND w.feedback_at < current_timestamp)
               AS fed_back,
           w.feedback_at <= w.deadline_at AS in_time,
           (w.visited_date <= DATE '${to}' AND w.visited_at < current_timestamp) AS visited,
           (w.defrauded_date <= DATE '${to}' AND w.defrauded_at < current_timestamp)
               OR w.linked_on <= DATE '${to}' AS defrauded,
           (w.deadline_date <= DATE '${to}' AND w.deadline_at < current_timestamp)
               AS past_deadline,
           l.outcome AS outcome
    FROM warnings w
    LEFT JOIN latest_feedback l ON l.county = w.county AND l.warning_no = w.no
    WHERE w.received_date >= DATE '${from}' AND w.received_date <= DATE '${to}'
),
warning_figures AS (
    SELECT county, count(*) AS received,
           count(CASE WHEN fed_back THEN 1 END) AS fed_back,
           count(CASE WHEN fed_back AND in_time THEN 1 END) AS on_time,
           count(CASE WHEN visited THEN 1 END) AS visited,
           count(CASE WHEN fed_back AND outcome = 'dissuaded' THEN 1 END) AS dissuaded,
           count(CASE WHEN defrauded THEN 1 END) AS defrauded,
           count(CASE WHEN fed_back IS NULL OR NOT fed_back THEN 1 END) AS still_open,
           count(CASE WHEN (fed_back IS NULL OR NOT fed_back) AND past_deadline THEN 1 END)
               AS overdue
    FROM warning_state
    GROUP BY county
),
outreach_figures AS (
    SELECT o.county, count(*) AS sessions, sum(o.attendees) AS attendees,
           sum(o.materials) AS materials
    FROM outreach o
    WHERE NOT o.voided AND o.date >= DATE '${from}' AND o.date <= DATE '${to}'
    GROUP BY o.county
),
card_figures AS (
    SELECT a.county, count(*) AS actions,
           count(CASE WHEN a.action = 'inspection' THEN 1 END) AS inspections,
           count(CASE WHEN a.action = 'interview' THEN 1 END) AS interviews,
           count(CASE WHEN a.action = 'notice' THEN 1 END) AS notices,
           count(CASE WHEN a.action = 'fine' THEN 1 END) AS fines,
           count(CASE WHEN a.action = 'rectify' THEN 1 END) AS rectifies,
           count(CASE WHEN a.action = 'recheck' THEN 1 END) AS rechecks,
           sum(CASE WHEN a.action = 'fine' THEN a.amount_fen END) AS fines_fen
    FROM card_actions a
    WHERE NOT a.voided AND a.date >= DATE '${from}' AND a.date <= DATE '${to}'
    GROUP BY a.county
),
-- Every county of the folder, whether or not it has records in the period.
counties AS (
    SELECT county FROM cases UNION SELECT county FROM case_events
    UNION SELECT county FROM warnings UNION SELECT county FROM outreach
    UNION SELECT county FROM card_actions
),
per_county AS (
    SELECT k.county,
           coalesce(c.reported, 0) AS cases_reported,
           coalesce(c.loss_fen, 0) AS cases_loss_fen,
           coalesce(e.solved, 0) AS cases_solved,
           coalesce(e.arrested, 0) AS cases_arrested,
           coalesce(e.prosecuted, 0) AS cases_prosecuted,
           coalesce(e.recovered_fen, 0) AS cases_recovered_fen,
           coalesce(e.frozen_fen, 0) AS cases_frozen_fen,
           coalesce(e.stopped_fen, 0) AS cases_stopped_fen,
           coalesce(w.received, 0) AS warnings_received,
           coalesce(w.fed_back, 0) AS warnings_fed_back,
           coalesce(w.on_time, 0) AS warnings_on_time,
           coalesce(w.visited, 0) AS warnings_visited,
           coalesce(w.dissuaded, 0) AS warnings_dissuaded,
           coalesce(w.defrauded, 0) AS warnings_defrauded,
           coalesce(w.still_open, 0) AS warnings_open,
           coalesce(w.overdue, 0) AS warnings_overdue,
           coalesce(o.sessions, 0) AS outreach_sessions,
           coalesce(o.attendees, 0) AS outreach_attendees,
           coalesce(o.materials, 0) AS outreach_materials,
           coalesce(a.actions, 0) AS cards_actions,
           coalesce(a.inspections, 0) AS cards_inspections,
           coalesce(a.interviews, 0) AS cards_interviews,
           coalesce(a.notices, 0) AS cards_notices,
           coalesce(a.fines, 0) AS cards_fines,
           coalesce(a.rectifies, 0) AS cards_rectifies,
           coalesce(a.rechecks, 0) AS cards_rechecks,
           coalesce(a.fines_fen, 0) AS cards_fines_fen
    FROM counties k
    LEFT JOIN case_figures c ON c.county = k.county
    LEFT JOIN event_figures e ON e.county = k.county
    LEFT JOIN warning_figures w ON w.county = k.county
    LEFT JOIN outreach_figures o ON o.county = k.county
    LEFT JOIN card_figures a ON a.county = k.county
),
summed AS (
    SELECT county,
           sum(cases_reported) AS cases_reported, sum(cases_loss_fen) AS cases_loss_fen,
           sum(cases_solved) AS cases_solved, sum(cases_arrested) AS cases_arrested,
           sum(cases_prosecuted) AS cases_prosecuted,
           sum(cases_recovered_fen) AS cases_recovered_fen,
           sum(cases_frozen_fen) AS cases_frozen_fen,
           sum(cases_stopped_fen) AS cases_stopped_fen,
           sum(warnings_received) AS warnings_received,
           sum(warnings_fed_back) AS warnings_fed_back,
           sum(warnings_on_time) AS warnings_on_time,
           sum(warnings_visited) AS warnings_visited,
           sum(warnings_dissuaded) AS warnings_dissuaded,
           sum(warnings_defrauded) AS warnings_defrauded,
           sum(warnings_open) AS warnings_open, sum(warnings_overdue) AS warnings_overdue,
           sum(outreach_sessions) AS outreach_sessions,
           sum(outreach_attendees) AS outreach_attendees,
           sum(outreach_materials) AS outreach_materials,
           sum(cards_actions) AS cards_actions, sum(cards_inspections) AS cards_inspections,
           sum(cards_interviews) AS cards_interviews, sum(cards_notices) AS cards_notices,
           sum(cards_fines) AS cards_fines, sum(cards_rectifies) AS cards_rectifies,
           sum(cards_rechecks) AS cards_rechecks, sum(cards_fines_fen) AS cards_fines_fen
    FROM per_county
    GROUP BY ROLLUP (county)
)
-- A rate: part / whole rounded half up to 4 decimals, computed in whole numbers
-- (floor((20000 * part + whole) / (2 * whole)) ten-thousandths), so that every engine
-- rounds as tongwei does.
SELECT county,
       cases_reported, cases_loss_fen, cases_solved, cases_arrested, cases_prosecuted,
       cases_recovered_fen, cases_frozen_fen, cases_stopped_fen,
       warnings_received, warnings_fed_back,
       CASE WHEN warnings_received > 0 THEN
           floor((20000 * warnings_fed_back + warnings_received) / (2 * warnings_received))
           / 10000 END AS warnings_feedback_rate,
       warnings_on_time,
       CASE WHEN warnings_received > 0 THEN
           floor((20000 * warnings_on_time + warnings_received) / (2 * warnings_received))
           / 10000 END AS warnings_on_time_rate,
       warnings_visited,
       CASE WHEN warnings_received > 0 THEN
           floor((20000 * warnings_visited + warnings_received) / (2 * warnings_received))
           / 10000 END AS warnings_visit_rate,
       warnings_dissuaded, warnings_defrauded, warnings_open, warnings_overdue,
       outreach_sessions, outreach_attendees, outreach_materials,
       cards_actions, cards_inspections, cards_interviews, cards_notices, cards_fines,
       cards_rectifies, cards_rechecks, cards_fines_fen
FROM summed
ORDER BY county IS NULL, county
