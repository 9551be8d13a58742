-- 012: views for a person who opens the file with Datasette, the sqlite3 shell or Excel (over
-- ODBC): cases, warnings, follow-ups, outreach and two-card actions as people read them.
--
--   * local times as `2026-11-28 17:15`: the warnings' and follow-ups' moments (UTC seconds)
--     shifted by the fixed offset of warning_days_zone (006: TONGWEI_TZ's offset in winter;
--     SQLite cannot convert between zones). Right all year for China's zone; in a zone with
--     summer time the summer's times show the winter offset (tongwei's own lists are right);
--   * the Chinese names of stations, fraud types, levels, audiences, forms and venue kinds
--     (from the reference tables), and Chinese words for statuses, methods and outcomes;
--   * money in yuan; personal data as stored: masked (`张*`, `138****5678`) -- never the
--     ciphertext (`*_enc`), the blind indexes (`*_bi`) or an epoch integer.
--
-- The column names are English and stable; their Chinese titles and meanings are in the
-- Datasette metadata shipped with tongwei (data/datasette/metadata.json, README "Browsing
-- the file"). Views hold no data and no trigger: `tongwei check` and the digests ignore them.
-- A later migration that rebuilds one of these tables must drop and re-create its view.

CREATE VIEW browse_cases AS
SELECT c.no AS no, c.reported AS reported, c.occurred AS occurred, t.name_zh AS type,
       s.name_zh AS station, c.loss_fen / 100.0 AS loss_yuan, c.victim_name AS victim_name,
       c.victim_phone AS victim_phone, c.victim_id AS victim_id,
       CASE c.victim_gender WHEN 'M' THEN '男' WHEN 'F' THEN '女' END AS victim_gender,
       c.victim_age AS victim_age, a.name_zh AS victim_group, c.warning AS warning,
       CASE c.status WHEN 'reported' THEN '已报案' WHEN 'filed' THEN '已立案'
                     WHEN 'solved' THEN '已破案' WHEN 'closed' THEN '已结案' END AS status,
       CASE c.voided WHEN 1 THEN '是' ELSE '否' END AS voided, c.summary AS summary
FROM cases c
LEFT JOIN fraud_types t ON t.code = c.type
LEFT JOIN stations s ON s.code = c.station
LEFT JOIN audiences a ON a.code = c.victim_group;

CREATE VIEW browse_warnings AS
SELECT w.no AS no,
       strftime('%Y-%m-%d %H:%M', w.received_at + z.offset_seconds, 'unixepoch') AS received,
       l.name_zh AS level,
       strftime('%Y-%m-%d %H:%M', w.deadline_at + z.offset_seconds, 'unixepoch') AS deadline,
       s.name_zh AS station, w.phone AS phone, w.name AS name, w.id_no AS id_no,
       CASE w.kind WHEN 'money' THEN '资金预警' WHEN 'contact' THEN '接触预警' END AS kind,
       t.name_zh AS type, w.source AS source,
       strftime('%Y-%m-%d %H:%M', w.feedback_at + z.offset_seconds, 'unixepoch') AS feedback,
       strftime('%Y-%m-%d %H:%M', w.visited_at + z.offset_seconds, 'unixepoch') AS visited,
       CASE w.outcome WHEN 'dissuaded' THEN '劝阻成功' WHEN 'defrauded' THEN '被骗'
                      WHEN 'not-fraud' THEN '非诈骗' WHEN 'unreachable' THEN '无法联系' END
           AS outcome,
       CASE WHEN w.feedback_at IS NOT NULL THEN '已反馈'
            WHEN w.deadline_at < CAST(strftime('%s', 'now') AS INTEGER) THEN '已超期'
            ELSE '待反馈' END AS status,
       w.note AS note
FROM warnings w
CROSS JOIN warning_days_zone z
LEFT JOIN warning_levels l ON l.code = w.level
LEFT JOIN stations s ON s.code = w.station
LEFT JOIN fraud_types t ON t.code = w.type;

CREATE VIEW browse_followups AS
SELECT w.no AS warning, s.name_zh AS station,
       strftime('%Y-%m-%d %H:%M', f.at + z.offset_seconds, 'unixepoch') AS at,
       CASE f.method WHEN 'phone' THEN '电话' WHEN 'visit' THEN '上门见面' WHEN 'sms' THEN '短信'
                     WHEN 'other' THEN '其他' END AS method,
       CASE f.outcome WHEN 'dissuaded' THEN '劝阻成功' WHEN 'defrauded' THEN '被骗'
                      WHEN 'not-fraud' THEN '非诈骗' WHEN 'unreachable' THEN '无法联系'
                      WHEN 'in-progress' THEN '处置中' END AS outcome,
       c.no AS case_no, f.note AS note
FROM followups f
CROSS JOIN warning_days_zone z
JOIN warnings w ON w.id = f.warning_id
LEFT JOIN stations s ON s.code = w.station
LEFT JOIN cases c ON c.id = f.case_id;

CREATE VIEW browse_outreach AS
SELECT o.no AS no, o.ref AS ref, o.date AS date, s.name_zh AS station,
       a.name_zh AS audience, f.name_zh AS form, o.venue AS venue, v.name_zh AS venue_kind,
       o.attendees AS attendees, o.materials AS materials, o.note AS note,
       CASE o.voided WHEN 1 THEN '是' ELSE '否' END AS voided
FROM outreach o
LEFT JOIN stations s ON s.code = o.station
LEFT JOIN audiences a ON a.code = o.audience
LEFT JOIN forms f ON f.code = o.form
LEFT JOIN venue_kinds v ON v.code = o.venue_kind;

CREATE VIEW browse_card_actions AS
SELECT a.no AS no, a.date AS date, i.name AS institution,
       CASE i.kind WHEN 'bank' THEN '银行网点' WHEN 'payment' THEN '支付机构'
                   WHEN 'telecom' THEN '电信运营商' WHEN 'outlet' THEN '通信营业网点' END
           AS institution_kind,
       CASE a.kind WHEN 'inspection' THEN '检查' WHEN 'interview' THEN '约谈'
                   WHEN 'notice' THEN '提示函' WHEN 'fine' THEN '罚款'
                   WHEN 'rectify' THEN '责令整改' WHEN 'recheck' THEN '复查' END AS action,
       s.name_zh AS station, a.amount_fen / 100.0 AS amount_yuan, a.deadline AS deadline,
       a.closed_on AS closed_on, a.note AS note,
       CASE a.voided WHEN 1 THEN '是' ELSE '否' END AS voided
FROM card_actions a
JOIN institutions i ON i.id = a.institution_id
LEFT JOIN stations s ON s.code = a.station;
