"""Every word a person reads, in Chinese and English: one catalogue.

Codes, JSON keys and CSV headers stay English and stable; what people read comes from here:
the words for codes (statuses, kinds, methods, outcomes), the labels of table columns and
report figures, the titles of reports and their sections, and the sentences of messages
(`say`). The one exception is a record's field labels, which sit on the field's own line in
`core.fields` so that adding a field is one line.
"""

from __future__ import annotations

import re

from tongwei_cli.core import settings

WORDS: dict[str, tuple[str, str]] = {
    # case statuses
    "reported": ("已报案", "reported"),
    "filed": ("已立案", "filed"),
    "solved": ("已破案", "solved"),
    "closed": ("已结案", "closed"),
    "void": ("已撤销", "void"),
    # case events (where the event's word differs from the stage it leads to)
    "event.filed": ("立案", "filed"),
    "event.solved": ("破案", "solved"),
    "event.close": ("结案", "close"),
    "arrest": ("抓获", "arrest"),
    "prosecute": ("移送起诉", "prosecute"),
    "recover": ("挽回损失", "recover"),
    "freeze": ("冻结", "freeze"),
    "stop-payment": ("止付", "stop payment"),
    "close": ("结案", "close"),
    # genders
    "M": ("男", "male"),
    "F": ("女", "female"),
    # booleans
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # generic
    "total": ("合计", "total"),
    "rows": ("条", "rows"),
    "none": ("无", "none"),
    # warnings (预警): statuses, kinds, follow-up methods and outcomes
    "open": ("待反馈", "open"),
    "overdue": ("已超期", "overdue"),
    "fed-back": ("已反馈", "fed back"),
    "money": ("资金预警", "money"),
    "contact": ("接触预警", "contact"),
    "phone": ("电话", "phone"),
    "visit": ("上门见面", "visit"),
    "sms": ("短信", "SMS"),
    "other": ("其他", "other"),
    "dissuaded": ("劝阻成功", "dissuaded"),
    "defrauded": ("被骗", "defrauded"),
    "not-fraud": ("非诈骗", "not fraud"),
    "unreachable": ("无法联系", "unreachable"),
    "in-progress": ("处置中", "in progress"),
    # two-card supervision (断卡): institution kinds, actions, rectification, measures
    "bank": ("银行网点", "bank branch"),
    "payment": ("支付机构", "payment firm"),
    "telecom": ("电信运营商", "telecom operator"),
    "outlet": ("通信营业网点", "telecom outlet"),
    "inspection": ("检查", "inspection"),
    "interview": ("约谈", "interview"),
    "notice": ("提示函", "notice letter"),
    "fine": ("罚款", "fine"),
    "rectify": ("责令整改", "rectification order"),
    "recheck": ("复查", "re-check"),
    "awaiting-recheck": ("待复查", "awaiting re-check"),
    "rechecked": ("已复查", "re-checked"),
    "financial": ("金融惩戒", "financial restrictions"),
    "network": ("电信网络惩戒", "telecom and network restrictions"),
    "credit": ("纳入征信", "credit record"),
    # `tongwei find`: the strand a record of a person comes from
    "strand.warning": ("预警", "warning"),
    "strand.case": ("案件", "case"),
    "strand.restriction": ("惩戒", "restriction"),
}


# Table columns that are not a field of a record (those are labelled on their declaration,
# core/fields.py): column key (or the label a column names) -> (Chinese, English).
COLUMNS: dict[str, tuple[str, str]] = {
    "audit_anchor": ("审计锚点", "Audit anchor"),
    "database_id": ("数据库标识", "Database id"),
    "key_id": ("密钥", "Key"),
    "key_file": ("密钥文件", "Key file"),
    "n": ("序号", "#"),
    "void_reason": ("撤销原因", "Void reason"),
    "created_at": ("录入时间", "Entered"),
    "created_by": ("录入人", "Entered by"),
    "updated_at": ("更正时间", "Corrected"),
    "updated_by": ("更正人", "Corrected by"),
    "institution": ("机构", "Institution"),
    "status.rectification": ("整改状态", "Rectification"),
    "no": ("编号", "No."),
    "institution_kind": ("机构类型", "Institution kind"),
    "closed_on": ("复查日期", "Re-checked on"),
    "closed_by": ("复查编号", "Re-check no."),
    "date": ("责令日期", "Ordered"),
    "station": ("派出所", "Station"),
    "deadline": ("整改期限", "Deadline"),
    "status": ("状态", "Status"),
    "days_overdue": ("逾期(天)", "Days overdue"),
    "days_left": ("剩余(天)", "Days left"),
    "note": ("备注", "Note"),
    "kind.institution": ("类型", "Kind"),
    "actions": ("措施(次)", "Actions"),
    "fines_fen": ("罚款(元)", "Fines (yuan)"),
    "open_rectifications": ("未复查整改", "Open rectifications"),
    "last_action": ("最近", "Last action"),
    "end_date": ("结束", "To"),
    "active": ("执行中", "Active"),
    "days": ("天数", "Days"),
    "status_label": ("状态", "Status"),
    "deadline_at": ("反馈时限", "Deadline"),
    "feedback_at": ("反馈时间", "Fed back"),
    "on_time": ("按时反馈", "On time"),
    "overdue": ("超期", "Overdue by"),
    "feedback_outcome": ("反馈结果", "Feedback outcome"),
    "latest_outcome": ("最新结果", "Latest outcome"),
    "defrauded": ("预警后被骗", "Defrauded after warning"),
    "case_list": ("关联案件", "Linked cases"),
    "case_no": ("案件编号", "Case no."),
    "created_by.short": ("录入人", "By"),
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "kind.station": ("类别", "Kind"),
    "deadline_hours": ("反馈时限(小时)", "Feedback deadline (h)"),
    "totals.arrested": ("抓获(人)", "Arrested"),
    "totals.prosecuted": ("移送起诉(人)", "Prosecuted"),
    "totals.recovered_fen": ("挽回(元)", "Recovered (yuan)"),
    "totals.frozen_fen": ("冻结(元)", "Frozen (yuan)"),
    "totals.stopped_fen": ("止付(元)", "Stopped (yuan)"),
    "recovered_fen": ("挽回(元)", "Recovered"),
    "frozen_fen": ("冻结(元)", "Frozen"),
    "id": ("序号", "#"),
    "at": ("时间", "Time"),
    "officer": ("民警", "Officer"),
    "action": ("操作", "Action"),
    "entity": ("对象", "Entity"),
    "key": ("编号", "Key"),
    "before": ("修改前", "Before"),
    "after": ("修改后", "After"),
    "path": ("文件", "File"),
    "size_bytes": ("大小(字节)", "Size (bytes)"),
    "wal_bytes": ("WAL大小(字节)", "WAL size (bytes)"),
    "schema_version": ("结构版本", "Schema version"),
    "sqlite_version": ("SQLite版本", "SQLite version"),
    "audit_rows": ("审计记录", "Audit rows"),
    "audit_head": ("审计链头", "Audit head"),
    # `tongwei find`
    "strand": ("类别", "Record"),
    "when": ("日期", "Date"),
    "person.name": ("姓名", "Name"),
    "person.phone": ("电话", "Phone"),
    "person.id_no": ("身份证号", "ID number"),
    "detail": ("情况", "Details"),
}

# -- words ------------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    # cases
    "reported": ("报案数(起)", "Cases reported"),
    "loss_fen": ("损失金额(元)", "Losses (yuan)"),
    "solved": ("破案(起)", "Solved"),
    "arrested": ("抓获(人)", "Arrested"),
    "prosecuted": ("移送起诉(人)", "Prosecuted"),
    "recovered_fen": ("挽回损失(元)", "Recovered (yuan)"),
    "frozen_fen": ("冻结(元)", "Frozen (yuan)"),
    "stopped_fen": ("止付(元)", "Stopped (yuan)"),
    # warnings
    "received": ("接收预警(条)", "Received"),
    "fed_back": ("已反馈", "Fed back"),
    "feedback_rate": ("反馈率", "Feedback rate"),
    "on_time": ("按时反馈", "On time"),
    "on_time_rate": ("按时率", "On-time rate"),
    "visited": ("见面劝阻", "Visited"),
    "visit_rate": ("见面率", "Visit rate"),
    "dissuaded": ("劝阻成功", "Dissuaded"),
    "defrauded": ("预警后被骗", "Defrauded"),
    "open": ("未反馈", "Open"),
    "overdue": ("超时未反馈", "Overdue"),
    # outreach
    "sessions": ("宣传(场次)", "Sessions"),
    "attendees": ("受众(人次)", "Attendees"),
    "materials": ("发放资料(份)", "Materials"),
    # cards
    "actions": ("检查处置合计", "Actions"),
    "inspections": ("检查", "Inspections"),
    "interviews": ("约谈", "Interviews"),
    "notices": ("提示函/通报", "Notices"),
    "fines": ("罚款(次)", "Fines"),
    "rectifies": ("责令整改", "Rectifications"),
    "rechecks": ("复查", "Rechecks"),
    "fines_fen": ("罚款金额(元)", "Fines (yuan)"),
    # columns
    "figure": ("项目", "Figure"),
    "type": ("诈骗类型", "Fraud type"),
    "station": ("派出所", "Station"),
    "level": ("预警等级", "Level"),
    "audience": ("宣传对象", "Audience"),
    "form": ("宣传形式", "Form"),
    "rank": ("序", "#"),
    "cases": ("案件", "Cases"),
    "loss": ("损失(元)", "Loss (yuan)"),
    "no": ("预警编号", "Warning no."),
    "received_at": ("接收时间", "Received"),
    "deadline_at": ("反馈时限", "Deadline"),
    "late": ("超时", "Late"),
    "phone": ("电话", "Phone"),
    "name": ("姓名", "Name"),
    "day": ("日期", "Day"),
    "total": ("累计", "Total"),
    "r_received": ("预警", "Warnings"),
    "r_overdue": ("超时", "Overdue"),
    "r_outstanding": ("待反馈", "Outstanding"),
    "r_outstanding_overdue": ("其中超时", "Overdue"),
    "r_sessions": ("宣传", "Outreach"),
    # the comparison columns of a report's sections (环比: against the period before; 同比:
    # against the same days a year earlier)
    "col.day": ("当日", "Day"),
    "col.day_before": ("前一日", "Day before"),
    "col.day_year_ago": ("去年同日", "Year ago"),
    "col.period": ("本期", "Period"),
    "col.previous": ("上期", "Previous"),
    "col.year_ago": ("去年同期", "Year ago"),
    "col.mom": ("环比", "vs previous"),
    "col.mom_day": ("环比", "vs day before"),
    "col.yoy": ("同比", "vs year ago"),
}

TITLES: dict[str, tuple[str, str]] = {
    "daily": ("反诈工作每日汇总", "Daily anti-fraud summary"),
    "range": ("反诈工作统计", "Anti-fraud report"),
    "campaign": ("专项行动统计", "Campaign report"),
    "bulletin": ("战果通报", "Bulletin"),
    "cases": ("打 · 案件", "Strike · cases"),
    "warnings": ("防 · 预警劝阻", "Prevent · warnings"),
    "outreach": ("宣 · 宣传", "Publicize · outreach"),
    "cards": ("管控 · 断卡", "Manage · two cards"),
    "by_type": ("按诈骗类型", "By fraud type"),
    "by_station": ("按派出所（案件）", "By station (cases)"),
    "by_level": ("按预警等级", "By warning level"),
    "by_audience": ("按宣传对象", "By audience"),
    "ranking": ("派出所排名（需关注者在前）", "Station ranking (attention first)"),
    "dispatch": ("待调度预警（未反馈）", "Warnings to dispatch (no feedback)"),
    "chart": ("近30日趋势", "Last 30 days"),
    "bulletin_text": ("通报", "Bulletin"),
}

TITLES.update({
    "ref.types": ("诈骗类型", "Fraud types"),
    "ref.stations": ("派出所", "Police stations"),
    "ref.levels": ("预警等级", "Warning levels"),
    "ref.audiences": ("宣传对象", "Outreach audiences"),
    "ref.forms": ("宣传形式", "Outreach forms"),
    "ref.venues": ("场所类型", "Venue kinds"),
})

BUREAU = ("通渭县公安局", "Tongwei County Public Security Bureau")


# The header and footer of a printed report.
PAGE: dict[str, tuple[str, str]] = {
    "bureau": ("单位", "Bureau"),
    "report": ("报表", "Report"),
    "campaign": ("专项行动", "Campaign"),
    "period": ("期间", "Period"),
    "scope": ("范围", "Station"),
    "printed": ("打印时间", "Printed"),
    "officer": ("制表人", "Officer"),
    "as_of": ("统计截至", "Figures as of"),
    "audit_head": ("审计链头", "Audit log head"),
    "info_sheet": ("报表信息", "Report"),
    "item": ("项目", "Item"),
    "value": ("内容", "Value"),
    "none": ("（无）", "(none)"),
    "date": ("日期", "Date"),
    "prepared_by": ("制表人", "Prepared by"),
    "reviewed_by": ("审核人", "Reviewed by"),
    "approved_by": ("负责人", "Approved by"),
    "page_of": ("第 {page} 页 共 {pages} 页", "Page {page} of {pages}"),
    "hours": ("小时", "hours"),
    "notes": ("说明", "Notes"),
    "rows": ("行数", "Rows"),
    # short sheet names of a spreadsheet (Excel allows 31 characters; the full title is in
    # cell A1 of each sheet)
    "sheet.info": ("信息", "Info"),
    "sheet.cases": ("案件", "Cases"),
    "sheet.warnings": ("预警", "Warnings"),
    "sheet.outreach": ("宣传", "Outreach"),
    "sheet.cards": ("断卡", "Cards"),
    "sheet.campaign": ("专项累计", "Campaign"),
    "sheet.dispatch": ("待调度", "Dispatch"),
    "sheet.ranking": ("排名", "Ranking"),
    "sheet.by_type": ("按类型", "By type"),
    "sheet.by_station": ("按派出所", "By station"),
    "sheet.by_level": ("按等级", "By level"),
    "sheet.by_audience": ("按对象", "By audience"),
    "sheet.list": ("列表", "List"),
    # a list's spreadsheet, by the command that wrote it (`tongwei case list`…)
    "list.case": ("案件列表", "Cases"),
    "list.warning": ("预警列表", "Warnings"),
    "list.outreach": ("宣传活动列表", "Outreach sessions"),
    "list.cards": ("断卡监管列表", "Two-card supervision actions"),
    "list.penalty": ("两卡惩戒列表", "Two-card restrictions"),
    "list.audit": ("审计日志", "Audit log"),
    "list.campaign": ("专项行动列表", "Campaigns"),
}

# Sentences shown to people: key -> (Chinese, English), `{name}` filled in by `say`.
MESSAGES: dict[str, tuple[str, str]] = {
    "screen_cut.first": (
        "仅显示前 {rows} 行（未列出合计）。可用 --from/--to/--station 缩小范围，--limit N "
        "指定行数，或 --format csv -o 文件 导出全部。",
        "Only the first {rows} rows are shown (and no totals). Narrow the list (--from, "
        "--to, --station), give --limit N, or write all of it with --format csv -o FILE."),
    "screen_cut.latest": (
        "仅显示最近 {rows} 行（未列出合计）。可用 --from/--to/--station 缩小范围，--limit N "
        "指定行数，或 --format csv -o 文件 导出全部。",
        "Only the latest {rows} rows are shown (and no totals). Narrow the list (--from, "
        "--to, --station), give --limit N, or write all of it with --format csv -o FILE."),
    "campaign_to_date": ("专项行动累计：{name}（{span}）",
                         "Campaign to date: {name} ({span})"),
    "find.none": ("未找到{by}为 {value} 的记录（预警、案件、惩戒）。查询已记入审计日志。",
                  "No warning, case or restriction of the person with {by} {value}. The "
                  "lookup is in the audit log."),
    "find.found": ("{by}为 {value} 的人：{n} 条记录，最新的在前。查询已记入审计日志。",
                   "The person with {by} {value}: {n} record(s), the newest first. The lookup "
                   "is in the audit log."),
    "find.by.phone": ("电话", "phone number"),
    "find.by.id": ("身份证号", "ID number"),
    "find.by.name": ("姓名", "name"),
    "dispatch_count": ("共 {total} 条，其中超时 {overdue} 条", "{total} in all, {overdue} overdue"),
    "ranking_note.daily": (
        "待反馈、其中超时：截至当日末仍未反馈的全部预警（不论何日接收），与待调度清单一致；"
        "预警、反馈率、按时率、见面率：当日接收的预警。",
        "Outstanding and overdue: every warning still without feedback at the end of the day "
        "(whenever received), as on the dispatch list; warnings and the rates: the warnings "
        "received that day."),
    "ranking_note": (
        "待反馈、其中超时：截至期末仍未反馈的全部预警（不论何日接收）；预警、反馈率、按时率、"
        "见面率：本期接收的预警。",
        "Outstanding and overdue: every warning still without feedback at the end of the "
        "period (whenever received); warnings and the rates: the warnings received in the "
        "period."),
    "warnings_note.daily": (
        "以上均为当日接收预警的数字（未反馈、超时未反馈：其中截至日末仍未反馈的）。截至日末全部"
        "待反馈预警 {open} 条，其中超时 {overdue} 条（见待调度清单）。",
        "All of the day's warnings (open and overdue: those of them still without feedback at "
        "the end of the day). Outstanding at the end of the day, whenever received: {open}, "
        "{overdue} of them overdue (the dispatch list)."),
    "warnings_note": (
        "以上均为本期接收预警的数字（未反馈、超时未反馈：其中截至期末仍未反馈的）。截至期末全部"
        "待反馈预警 {open} 条，其中超时 {overdue} 条。",
        "All of the period's warnings (open and overdue: those of them still without feedback "
        "at its end). Outstanding at the end of the period, whenever received: {open}, "
        "{overdue} of them overdue."),
    "dispatch_cut": ("；仅列出前 {shown} 条（tongwei warning list --status open）",
                     "; the first {shown} listed (tongwei warning list --status open)"),
    "void_suffix": ("（已撤销）", " (void)"),
    "title.case": ("案件 {no}", "Case {no}"),
    "title.warning": ("预警 {no}", "Warning {no}"),
    "title.outreach": ("宣传活动 {no}", "Outreach session {no}"),
    "title.card_action": ("断卡监管 {no}", "Supervision action {no}"),
    "title.restriction": ("两卡惩戒 {no}", "Restriction {no}"),
    "title.campaign": ("专项行动 {name}", "Campaign {name}"),
    "section.timeline": ("进展", "Timeline"),
    "section.followups": ("跟进记录", "Follow-ups"),
    "removed": ("已删除 {what}", "removed {what}"),
    "by_station": ("按派出所：{counts}", "By station: {counts}"),
    "list_sep": ("，", ", "),
    "left_out": ("（终端宽 {width} 列，未显示：{columns}；加宽窗口，或用 show、--format csv 查看）",
                 "(not shown in {width} columns: {columns}; widen the window, or see them "
                 "with show or --format csv)"),
    "left_out.report": ("（终端宽 {width} 列，未显示：{columns}；加宽窗口，或用 --format csv、"
                        "-o 报表.xlsx 查看）",
                        "(not shown in {width} columns: {columns}; widen the window, or see "
                        "them with --format csv or -o report.xlsx)"),
    "total.rows": ("合计 {n}", "{n} total"),
    "total.open_rectifications": ("{n} 项", "{n} open"),
    "total.overdue": ("逾期 {n}", "{n} overdue"),
    "total.actions": ("合计 {n} 次", "{n} actions"),
    "total.sessions": ("合计 {n} 场", "{n} sessions"),
    "chart_span": ("每日预警与案件（{span}）", "Warnings and cases day by day ({span})"),
    # the bad rows of an import (`core.errors.RowErrors`)
    "rows.line": ("第 {n} 行", "line {n}"),
    "rows.row": ("第 {n} 行", "row {n}"),
    "rows.item": ("第 {n} 条", "item {n}"),
    "rows.other": ("第 {n} 条", "{what} {n}"),
    "rows.problem": ("{where}：{field}：{reason}", "{where}: {field}: {reason}"),
    "rows.problem.nofield": ("{where}：{reason}", "{where}: {reason}"),
    "rows.more": ("……另有 {n} 处", "… and {n} more"),
    # the summary line of an import (`imports.engine.ImportResult.summary`)
    "import.imported": ("已导入 {n} 条", "imported {n}"),
    "import.would_import": ("将导入 {n} 条", "would import {n}"),
    "import.unchanged": ("未变 {n} 条", "unchanged {n}"),
    "import.updated": ("已更正 {n} 条", "updated {n}"),
    "import.would_update": ("将更正 {n} 条", "would update {n}"),
    "import.dry_run": ("（试运行：未写入任何内容）", " (dry run: nothing written)"),
    # the summary line of a merge (`imports.merge.MergeResult.summary`)
    "merge.summary": ("已从 {file} 合并：新增 {new} 条，未变 {unchanged} 条，更正 {corrected} 条，"
                      "冲突 {conflicts} 条",
                      "merged from {file}: {new} new, {unchanged} unchanged, {corrected} "
                      "corrected, {conflicts} conflicts"),
    "merge.nothing": ("{file} 无可合并的变化：新增 {new} 条，未变 {unchanged} 条，更正 {corrected} "
                      "条，冲突 {conflicts} 条",
                      "nothing changed from {file}: {new} new, {unchanged} unchanged, "
                      "{corrected} corrected, {conflicts} conflicts"),
    "merge.would": ("将从 {file} 合并：新增 {new} 条，未变 {unchanged} 条，更正 {corrected} 条，"
                    "冲突 {conflicts} 条（试运行：未写入任何内容）",
                    "would merge from {file}: {new} new, {unchanged} unchanged, {corrected} "
                    "corrected, {conflicts} conflicts (dry run: nothing written)"),
    # asking for a missing value on a terminal (`commands.options.need`)
    "ask.prompt": ("{label}（{option}）", "{label} ({option})"),
    "ask.choices": ("{label}（{option}）：", "{label} ({option}):"),
    "ask.suffix": ("：", ": "),
    "ask.date": ("{label}（YYYY-MM-DD 或 今天）", "{label} (YYYY-MM-DD, today)"),
    "ask.moment": ("{label}（YYYY-MM-DD HH:MM 或 现在）", "{label} (YYYY-MM-DD HH:MM, now)"),
}


def say(key: str, language: str | None = None, **values: object) -> str:
    """The message `key` in the officer's language, its `{names}` filled in."""
    zh, en = MESSAGES[key]
    return (zh if (language or lang()) == "zh" else en).format(**values)


def page_word(key: str, language: str) -> str:
    zh, en = PAGE[key]
    return zh if language == "zh" else en


def lang() -> str:
    return settings.current().lang or "en"


def word(code: str | None, language: str | None = None, fallback: str | None = None
         ) -> str:
    """The display word for a code; for an unknown code, the word for `fallback`, else the
    code itself."""
    if code is None:
        return ""
    pair = WORDS.get(code)
    if pair is None:
        return code if fallback is None else word(fallback, language)
    return pair[0] if (language or lang()) == "zh" else pair[1]


def pick(zh: str, en: str, language: str | None = None) -> str:
    return zh if (language or lang()) == "zh" else en


# -- what the code writes in English: reasons, notes, Click's messages, help ---------------
#
# An error's reason, a note, a status line, Click's own usage errors and every `--help`
# text are written in English where they arise; as with gettext, that English is the
# message's id. Under zh each is put into Chinese at the one place it is shown (the error
# boundary in `commands`, the status and warn helpers of `render.output`, `cli.main`,
# Click's usage errors, the help of the built command tree) from `core.words_zh`, which
# only a Chinese run imports: `REASONS` (English patterns with `{placeholders}` -> Chinese)
# and `HELP` (English help paragraphs -> Chinese). Adding a message is adding its entry
# there; `tests/test_zh.py` names every message and help text that has none.
#
# A placeholder of a pattern is `{name}` (any text, possibly empty) or `{name:K}`:
# `q` a quoted value ('…' or "…", as !r writes it), `d` digits, `o` an option (--victim-id),
# `w` one word (a code), `t` text that is itself translated (a nested reason). In the
# Chinese, `{name}` is the value as it came and `{name!w}` its Chinese word (a code such
# as `recover` or an English noun such as `station`, from WORDS or `words_zh.NOUNS`).

_KINDS_RE = {"": r".*?", "q": r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "d": r"\d+",
             "o": r"--?[A-Za-z][\w-]*", "w": r"[\w.+-]+", "t": r".+?"}
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w))?\}")


class _Pattern:
    """One English pattern of `words_zh.REASONS`, compiled on its first use."""

    __slots__ = ("chunks", "compiled", "english", "kinds", "zh")

    def __init__(self, english: str, zh: str):
        self.english, self.zh = english, zh
        self.chunks = [c for c in _PLACEHOLDER.split(english)[::3] if c]
        self.kinds = {m[1]: m[2] or "" for m in _PLACEHOLDER.finditer(english)}
        self.compiled: re.Pattern[str] | None = None

    def match(self, text: str) -> re.Match[str] | None:
        if not all(chunk in text for chunk in self.chunks):  # cheap: most patterns stop here
            return None
        if self.compiled is None:
            parts, seen, at = [], set(), 0
            for m in _PLACEHOLDER.finditer(self.english):
                parts.append(re.escape(self.english[at:m.start()]))
                name = m[1]
                parts.append(f"(?P={name})" if name in seen
                             else f"(?P<{name}>{_KINDS_RE[m[2] or '']})")
                seen.add(name)
                at = m.end()
            parts.append(re.escape(self.english[at:]))
            self.compiled = re.compile("".join(parts), re.DOTALL)
        return self.compiled.fullmatch(text)


_patterns: list[_Pattern] | None = None
_exact: dict[str, str] = {}


def _catalogue() -> list[_Pattern]:
    global _patterns
    if _patterns is None:
        from tongwei_cli.core.words_zh import REASONS

        made = []
        for english, zh in REASONS.items():
            if _PLACEHOLDER.search(english):
                made.append(_Pattern(english, zh))
            else:
                _exact[english] = zh
        # The most specific first: the pattern with the most literal text wins.
        made.sort(key=lambda p: -sum(len(c) for c in p.chunks))
        _patterns = made
    return _patterns


def chinese(text: str) -> str | None:
    """The Chinese of an English message (`words_zh.REASONS`), or None when it has none."""
    patterns = _catalogue()
    found = _exact.get(text)
    if found is not None:
        return found
    for pattern in patterns:
        match = pattern.match(text)
        if match is not None:
            return _fill(pattern, match)
    return None


def _fill(pattern: _Pattern, match: re.Match[str]) -> str:
    values = match.groupdict()

    def one(m: re.Match[str]) -> str:
        name, how = m[1], m[2]
        value = values[name]
        if pattern.kinds.get(name) == "t":
            value = localise(value, "zh")
        if how == "w":
            from tongwei_cli.core.words_zh import NOUNS

            pair = WORDS.get(value)
            value = NOUNS.get(value) or (pair[0] if pair else value)
        elif how == "l":
            value = value.replace(", ", "、")
        return value

    return re.sub(r"\{(\w+)(?:!(\w))?\}", one, pattern.zh)


def localise(text: str, language: str | None = None) -> str:
    """An English message (a reason, a note, a status line) in the officer's language: as
    it is under en, or where the catalogue has no Chinese for it yet."""
    if (language or lang()) != "zh":
        return text
    return chinese(text) or text


def field_reason(reason: str, field: str | None = None, language: str | None = None) -> str:
    """`--field: reason`, or under zh `--field：原因` (the field as it is)."""
    if (language or lang()) != "zh":
        return f"{field}: {reason}" if field else reason
    reason = localise(reason, "zh")
    return f"{field}：{reason}" if field else reason


def error_line(reason: str, field: str | None = None, language: str | None = None) -> str:
    """`error: --field: reason`, or under zh `错误：--field：原因`."""
    prefix = "错误：" if (language or lang()) == "zh" else "error: "
    return prefix + field_reason(reason, field, language)


def warning_line(text: str, language: str | None = None) -> str:
    if (language or lang()) != "zh":
        return f"warning: {text}"
    return f"警告：{localise(text, 'zh')}"


# -- help ---------------------------------------------------------------------------

_EXAMPLE = re.compile(r"(Examples?):\s*")


def help_chinese(text: str) -> str | None:
    """The Chinese of a help text (a command's docstring, an option's help), paragraph by
    paragraph from `words_zh.HELP`; example commands stay as they are, the prose around
    them is translated. None when a paragraph has no Chinese."""
    from tongwei_cli.core.words_zh import HELP

    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = paragraph.split("\n")
        first = lines[0].strip()
        example = _EXAMPLE.match(first)
        if example:  # `Example: tongwei …` or `Examples:`: the commands stay
            rest = [first[example.end():], *lines[1:]]
            out.append("示例：" + "\n".join(rest).strip("\n") if any(rest) else "示例：")
            continue
        at = next((i for i, line in enumerate(lines)
                   if line.lstrip().startswith("tongwei ")), len(lines))
        prose, commands = lines[:at], lines[at:]
        if not prose:
            out.append(paragraph)
            continue
        key = " ".join(" ".join(prose).split())
        zh = HELP.get(key)
        if zh is None and key.startswith("Columns: "):
            zh = "列：" + key[len("Columns: "):].rstrip(".") + "。"
        if zh is None and key.endswith(" Required.") and key[:-10] in HELP:
            zh = HELP[key[:-10]] + "必填。"
        if zh is None:
            return None
        out.append("\n".join([zh, *commands]))
    return "\n\n".join(out)
