"""The Chinese of what the code writes in English: reasons, notes, Click's messages and help.

Imported only when the officer's language is Chinese (`core.words` says how it is used):
an English start-up never reads it. Adding a message anywhere in the code is adding its
entry here; `tests/test_zh.py` names every message and help text that has none.

`REASONS`: an English message -> its Chinese. `{name}` stands for any text, `{name:q}` a
quoted value, `{name:d}` digits, `{name:o}` an option, `{name:w}` one word, `{name:t}` a
nested message translated in turn; the Chinese writes `{name}` for the value as it came
and `{name!w}` for its Chinese word (`WORDS`, else `NOUNS` below). Codes, option names,
numbers, dates and quoted values pass through as they are.

`HELP`: an English help paragraph (its lines joined by single spaces) -> its Chinese.
Example commands are kept as they are, `Examples:` becomes 示例：, `Columns: …` 列：…, and
an option's ` Required.` 必填。, without an entry here.
"""

from __future__ import annotations

# English nouns that messages put in a placeholder (`unknown {noun} …`), for `{noun!w}`.
NOUNS: dict[str, str] = {
    "fraud type": "诈骗类型",
    "follow-up method": "跟进方式",
    "follow-up outcome": "跟进结果",
    "warning kind": "预警类型",
    "status": "状态",
    "station": "派出所",
    "county": "县局",
    "warning level": "预警等级",
    "audience": "宣传对象",
    "form": "宣传形式",
    "venue kind": "场所类型",
    "action": "监管措施",
    "measure": "惩戒措施",
    "institution kind": "机构类型",
    "kind": "类型",
    "institution": "机构",
    "date": "日期",
    "case": "案件",
    "event": "事项",
    "warning": "预警",
    "followup": "跟进",
    "follow-up": "跟进",
    "outreach": "宣传活动",
    "session": "宣传活动",
    "outreach session": "宣传活动",
    "card_action": "监管措施",
    "supervision action": "监管措施",
    "restriction": "惩戒记录",
    "campaign": "专项行动",
    "line": "行",
    # event kinds where a message names the event, not the status it leads to
    "filed": "立案",
    "solved": "破案",
    "closed": "结案",
    "row": "行",
    "item": "条",
    "File": "文件",
    "Directory": "文件夹",
    "Path": "路径",
}

REASONS: dict[str, str] = {
    # -- stations and the county (init --station, merge) ----------------------------------
    "station {code}'s own file: its numbers carry {tag} (TW<date>-{tag2}-001)":
        "本文件为派出所 {code} 自用：编号带 {tag}（TW<日期>-{tag2}-001）",
    "station {code}'s own file (already)": "本文件已是派出所 {code} 自用",
    "this file is already station {code}'s: its numbers carry that station's code":
        "本文件已属派出所 {code}：其编号已带该所代码",
    "{file}: {n:d} record{s} refused": "{file}：{n} 条记录被拒绝",
    "{file}: its audit log is broken at row {n:d}: {problem:t}; nothing was merged":
        "{file}：审计日志在第 {n} 行断裂：{problem}；未合并任何内容",
    "{file}: {problem}; nothing was merged": "{file}：{problem}；未合并任何内容",
    "{path} cannot be read where it is: {wal} beside it holds changes not yet in the file; "
    "copy both to a folder that can be written, then use the copy":
        "{path} 无法在原处读取：旁边的 {wal} 中有尚未写入文件的改动；请把两者一起复制到可写入的文件夹，再使用副本",
    "{path} is from an older tongwei and cannot be brought up to date where it is (its folder "
    "cannot be written); copy it to a folder that can be, then use the copy":
        "{path} 来自旧版 tongwei，无法在原处升级（所在文件夹不可写入）；请把它复制到可写入的文件夹，再使用副本",
    "merged_batches row {n} is damaged (changed outside tongwei): `tongwei check` names it":
        "merged_batches 第 {n} 行已损坏（在 tongwei 之外被修改过）：`tongwei check` 会指出",
    "{file} changed while it was merged; nothing was merged: merge it again":
        "{file} 在合并期间被改动；未合并任何内容：请重新合并",
    "{file} has no key (a file from before keys)": "{file} 没有密钥（早于密钥的旧文件）",
    "{file} is a copy of this very file (database {db})": "{file} 就是本文件的副本（数据库 {db}）",
    "{path} is the file being merged into": "{path} 就是合并的目标文件",
    "{file} holds no key of database {db} ({name})": "{file} 中没有数据库 {db}（{name}）的密钥",
    "{value:q} is not county or station": "{value} 不是 county 或 station",
    "conflict, left unmerged: {what}": "冲突，未合并：{what}",
    "conflict settled with the {side:w}'s version: {what}": "冲突已按{side!w}的版本裁定：{what}",
    "conflict settled: void in the county, it stays void (the station's version is not "
    "taken): {what}": "冲突已裁定：县局已撤销该记录，撤销保持不变（不采用派出所的版本）：{what}",
    "conflict, left unmerged (void in the county, it stays void whichever --prefer is "
    "given): {what}": "冲突，未合并（县局已撤销该记录，无论 --prefer 如何都保持撤销）：{what}",
    "skipped, case {case} is void in the county: {what}": "已跳过，案件 {case} 已被县局撤销：{what}",
    "merged without its case, case {case} is void in the county: {what}":
        "已合并，但不再关联案件 {case}（已被县局撤销）：{what}",
    "{file}: database {db}, audit anchor {anchor}": "{file}：数据库 {db}，审计锚点 {anchor}",
    "voided in {file}": "已在 {file} 中撤销",
    # -- values: core/validate.py ------------------------------------------------------
    "is required": "必填",
    "must not contain spaces or control characters": "不能包含空格或控制字符",
    "is longer than {n:d} characters": "超过 {n} 个字符",
    "{value} has no letter or digit": "{value} 不含字母或数字",
    "must be an amount in yuan": "必须是以元为单位的金额",
    "must not be negative": "不能为负数",
    "is implausibly large (over 100亿元)": "数额过大，不合常理（超过 100亿元）",
    "has more than two decimals": "小数超过两位",
    "must be a whole number": "必须是整数",
    "is implausibly large (over {n})": "数值过大，不合常理（超过 {n}）",
    "must be an age between 0 and 130": "年龄必须在 0 到 130 之间",
    "{when} is too far in the past": "{when} 过于久远",
    "{when} is in the future": "{when} 是未来的时间",
    "{value} has an offset no zone has (more than 14 hours from UTC)":
        "{value} 的时差不存在（与 UTC 相差超过 14 小时）",
    "{shown} does not exist in {zone} (the clocks went forward)":
        "{shown} 在 {zone} 不存在（时钟已拨快）",
    "{shown} happened twice in {zone}: give the offset, {first} or {second}":
        "{shown} 在 {zone} 出现了两次：请注明时差，{first} 或 {second}",
    "is not a mainland mobile number (11 digits starting 13–19)":
        "不是大陆手机号码（11 位，以 13–19 开头）",
    "must be M or F (男/女)": "必须是 M 或 F（男/女）",
    "must be 18 characters": "必须是 18 位",
    "must be 17 digits and a check digit (0-9 or X)": "必须是 17 位数字加 1 位校验码（0-9 或 X）",
    "check digit does not match": "校验位不符",
    "birth date in the number is not a real date": "号码中的出生日期不是真实日期",
    "birth date in the number is in the future": "号码中的出生日期在未来",
    "birth date in the number is implausible": "号码中的出生日期不合常理",
    "region code does not exist": "地区码不存在",
    "region code {code} was not in force in {year} (a later registration?); accepted":
        "地区码 {code} 在 {year} 年尚未启用（可能是后来登记的？）；已接受",
    "{value} is not an amount in yuan (e.g. 12000.50 or 1.5万)":
        "{value} 不是以元为单位的金额（如 12000.50 或 1.5万）",
    "{value} is not an amount in yuan": "{value} 不是以元为单位的金额",
    "{value} is not a whole number": "{value} 不是整数",
    "{value} is not a date (YYYY-MM-DD, today, yesterday)":
        "{value} 不是日期（YYYY-MM-DD、今天、昨天）",
    "{value} is not a real date": "{value} 不是真实的日期",
    "{value} is not a real date and time": "{value} 不是真实的日期时间",
    "{value} needs a time (YYYY-MM-DD HH:MM)": "{value} 缺少时间（YYYY-MM-DD HH:MM）",
    "{value} is not a date and time (YYYY-MM-DD HH:MM)":
        "{value} 不是日期时间（YYYY-MM-DD HH:MM）",

    # -- settings: core/settings.py -------------------------------------------------
    "must be zh or en, not {value}": "只能是 zh 或 en，不能是 {value}",
    "must not be empty": "不能为空",
    "unknown time zone {value}": "未知的时区 {value}",

    # -- reference values and small lists: domain/reference.py, cards.py, warnings.py -----
    "is required; valid: {valid}": "必填；可选：{valid!l}",
    "unknown {noun} {value:q}; valid: {valid}": "未知的{noun!w} {value}；可选：{valid!l}",
    "unknown {noun} {value:q}; did you mean {guess}? valid: {valid}":
        "未知的{noun!w} {value}；是否要输入 {guess}？可选：{valid!l}",
    "unknown {noun} {value:q}; did you mean {guess}? see `tongwei cards institutions`":
        "未知的{noun!w} {value}；是否要输入 {guess}？见 `tongwei cards institutions`",
    "unknown {noun} {value:q}; see `tongwei cards institutions`":
        "未知的{noun!w} {value}；见 `tongwei cards institutions`",
    "unknown {noun} {value:q}; there are none yet": "未知的{noun!w} {value}；目前还没有",
    "{value:q} matches more than one {noun}: {names}": "{value} 匹配到多个{noun!w}：{names!l}",
    "unknown value {value:q}; valid: {valid}": "未知的值 {value}；可选：{valid!l}",
    "unknown status {value:q}; valid: {valid}": "未知的状态 {value}；可选：{valid!l}",
    "unknown event {value:q}; valid: {valid}": "未知的事项 {value}；可选：{valid!l}",

    # -- cases: domain/cases.py -----------------------------------------------------
    "no case numbered {value}": "没有编号为 {value} 的案件",
    "case {no} has no event {n} (see `tongwei case show {no2}`)":
        "案件 {no} 没有第 {n} 项事项（见 `tongwei case show {no2}`）",
    "case {no} is void; events cannot be added": "案件 {no} 已撤销，不能再添加事项",
    "{when} is before the case was reported ({reported})": "{when} 早于报案日期（{reported}）",
    "case {no} already exists": "案件 {no} 已存在",
    "{loss} yuan is less than the {recovered} yuan already recovered":
        "损失 {loss} 元少于已挽回的 {recovered} 元",
    "{reported} is after the case's first event ({first})":
        "{reported} 晚于该案件的第一项事项（{first}）",
    "{occurred} is after the reported date {reported}": "{occurred} 晚于报案日期 {reported}",
    "contradicts the sex in the ID number": "与身份证号中的性别不符",
    "the birth date in the number is after the reported date": "号码中的出生日期晚于报案日期",
    "{age} contradicts the birth date in the ID number": "{age} 与身份证号中的出生日期不符",
    "a {kind:w} event needs a count of at least 1": "{kind!w}事项的人数至少为 1",
    "only arrest and prosecute events take a count, not {kind:w}":
        "只有抓获和移送起诉事项才填人数，{kind!w}事项不填",
    "a {kind:w} event needs an amount in yuan": "{kind!w}事项需要填写金额（元）",
    "must be more than zero": "必须大于零",
    "only recover, freeze and stop-payment events take an amount, not {kind:w}":
        "只有挽回损失、冻结和止付事项才填金额，{kind!w}事项不填",
    "case {no} is already {state:w}": "案件 {no} 已{state!w}，不能重复",
    "case {no} is void and cannot be corrected": "案件 {no} 已撤销，不能更正",
    "recoveries would total {total} yuan, above the loss of {loss} yuan":
        "挽回金额合计将达 {total} 元，超过损失 {loss} 元",

    # -- corrections and voids: domain/records.py -------------------------------------
    "nothing to change: give at least one field of `{command}`":
        "没有要更改的内容：请至少给出 `{command}` 的一个字段",
    "{what:w} {no} is void and cannot be corrected": "{what!w} {no} 已撤销，不能更正",
    "{what:w} {no} is already void": "{what!w} {no} 已经撤销",
    "is required and cannot be cleared": "必填，不能清除",

    # -- warnings and follow-ups: domain/warnings.py ----------------------------------
    "no warning numbered {value}": "没有编号为 {value} 的预警",
    "{at} is before the warning was received ({received})": "{at} 早于预警接收时间（{received}）",
    "must be between 1 and 2160 hours (90 days)": "必须在 1 到 2160 小时（90 天）之间",
    "the birth date in the number is after the warning": "号码中的出生日期晚于预警时间",
    "warning {no} already exists": "预警 {no} 已存在",
    "case {no} is void": "案件 {no} 已撤销",
    "a {method:w} follow-up of {no} at {at} is already recorded (--update corrects it)":
        "预警 {no} 在 {at} 的{method!w}跟进已有记录（可用 --update 更正）",
    "its first follow-up ({at}) would be before the new received time":
        "其第一次跟进（{at}）将早于新的接收时间",
    "no follow-up {name} is recorded": "没有 {name} 的跟进记录",
    "case {cases} names this warning; correct the case first (tongwei case update {no} "
    "--warning -)":
        "案件 {cases} 关联了此预警；请先更正案件（`tongwei case update {no} --warning -`）",

    # -- outreach: domain/outreach.py -------------------------------------------------
    "no outreach session numbered {value}": "没有编号为 {value} 的宣传活动",
    "a session with ref {ref} already exists": "中心编号为 {ref} 的宣传活动已存在",

    # -- two cards: domain/cards.py ---------------------------------------------------
    "no supervision action numbered {value}": "没有编号为 {value} 的监管措施",
    "no institution named {name} (see `tongwei cards institutions`)":
        "没有名为 {name} 的机构（见 `tongwei cards institutions`）",
    "no restriction numbered {value}": "没有编号为 {value} 的惩戒记录",
    "{name} is not registered yet: give its kind (bank, payment, telecom, outlet) to "
    "register it": "{name} 尚未登记：请给出机构类型（`bank`、`payment`、`telecom`、`outlet`）"
                   "以登记",
    "{name} is not registered yet: give its kind (bank, payment, telecom, outlet) on its "
    "first row": "{name} 尚未登记：请在它首次出现的那一行给出机构类型（`bank`、`payment`、"
                 "`telecom`、`outlet`）",
    "{name} is registered as {kind:w}, not {given:w}":
        "{name} 登记的类型是{kind!w}，不是{given!w}",
    "{name} is registered above as {kind:w}, not {given:w}":
        "{name} 在前面登记的类型是{kind!w}，不是{given!w}",
    "a fine needs an amount in yuan": "罚款需要填写金额（元）",
    "only a fine takes an amount, not {kind:w}": "只有罚款才填金额，{kind!w}不填",
    "a rectification order needs a deadline": "责令整改需要填写整改期限",
    "{deadline} is not after the action's date {when}": "{deadline} 应晚于措施日期 {when}",
    "only a rectification order (rectify) takes a deadline, not {kind:w}":
        "只有责令整改才填整改期限，{kind!w}不填",
    "{name} has no open rectification ordered on or before {when} to close; the re-check "
    "is recorded on its own": "{name} 在 {when} 及以前没有待复查的责令整改；本次复查单独记录",
    "{why:t}: its {name:w} cannot change ({how:t})": "{why}：其{name!w}不能更改（{how}）",
    "rectification {no} was closed by recheck {nos}": "责令整改 {no} 已由复查 {nos} 关闭",
    "recheck {no} closed rectification {nos}": "复查 {no} 关闭了责令整改 {nos}",
    "void the recheck first": "请先撤销该复查",
    "void it and record the action anew": "请撤销它并重新录入措施",
    "{date} is after the recheck {no} of {closed} that closed it":
        "{date} 晚于关闭它的复查 {no}（{closed}）",
    "{date} is before the rectification {no} of {ordered} it closed":
        "{date} 早于它所关闭的责令整改 {no}（{ordered}）",
    "the birth date in the number is after the start": "号码中的出生日期晚于开始日期",
    "must be 2 or 3 (years)": "只能是 2 或 3（年）",
    "consecutive restrictions of this person would run from {first} to {last}, beyond "
    "{years} years (at most to {limit})":
        "此人的连续惩戒将从 {first} 持续到 {last}，超过 {years} 年（最多到 {limit}）",
    "this person already has this measure from that date": "此人自该日起已有同一惩戒措施",

    # -- campaigns: domain/campaigns.py, reports/figures.py ---------------------------
    "{end} is before the start {start}": "{end} 早于开始日期 {start}",
    "a campaign named {name} already exists": "已有名为 {name} 的专项行动",
    "{name} matches more than one campaign: {names}": "{name} 匹配到多个专项行动：{names!l}",
    "no campaign named {name} (see `tongwei campaign list`)":
        "没有名为 {name} 的专项行动（见 `tongwei campaign list`）",
    "{last} is before --from {first}": "{last} 早于 --from {first}",
    "campaign {name} starts on {first}, after today": "专项行动 {name} 从 {first} 开始，晚于今天",
    "campaign {name} starts on {first}, after {day}":
        "专项行动 {name} 从 {first} 开始，晚于 {day}",

    # -- import: imports/*.py ---------------------------------------------------------
    "{path} does not exist": "{path} 不存在",
    "{path} is a folder": "{path} 是文件夹",
    "is required in an import (the case number is how a second import of the same file "
    "knows the case)": "导入时必填（再次导入同一文件时，靠案件编号认出案件）",
    "the file has no {columns} column{s} (a {kind:w} file has: {known})":
        "文件缺少 {columns} 列（{kind!w}文件的列为：{known}）",
    "must be a JSON array of objects": "必须是由对象组成的 JSON 数组",
    "is empty: no header row": "是空文件：没有表头行",
    "columns {first:q} and {second:q} both give {column}":
        "列 {first} 和 {second} 都对应 {column}",
    "cannot be read as a spreadsheet ({detail})": "无法作为电子表格读取（{detail}）",
    "is not valid JSON ({detail})": "不是有效的 JSON（{detail}）",
    "cannot be read as {encoding} text": "无法按 {encoding} 编码读取",
    "line {n:d} cannot be read as {encoding} text": "第 {n} 行无法按 {encoding} 编码读取",
    "line {n:d}: {detail:t}": "第 {n} 行：{detail}",
    "{what:w} {n:d} has more cells than the header": "第 {n} {what!w}的单元格比表头多",
    "{key} repeats {what:w} {n:d}": "{key} 与第 {n} {what!w}重复",
    "{key} is already stored with a different {columns}; use --update to correct it":
        "{key} 已有记录，但 {columns} 不同；可用 --update 更正",
    "{key} is already stored with a different {columns}; correct it with its own command":
        "{key} 已有记录，但 {columns} 不同；请用相应的命令更正",
    "ignored column: {columns}": "已忽略列：{columns}",
    "ignored columns: {columns}": "已忽略列：{columns}",
    "{n:d} bad row": "{n} 行有误",
    "{n:d} bad rows": "{n} 行有误",
    "{n:d} bad line": "{n} 行有误",
    "{n:d} bad lines": "{n} 行有误",
    "{n:d} bad item": "{n} 条有误",
    "{n:d} bad items": "{n} 条有误",
    # a note of a row, and a note of an option
    "{what:w} {n:d}: {note:t}": "第 {n} {what!w}：{note}",
    "{option:o}: {note:t}": "{option}：{note}",
    "note: {note:t}": "提示：{note}",
    "note: … and {n:d} more": "提示：……另有 {n} 条",
    "import #{n:d}: {file} ({rows:d} rows)": "导入 #{n}：{file}（{rows} 行）",
    # `tongwei demo`: each import kind's summary line
    "cases: {summary:t}": "案件：{summary}",
    "events: {summary:t}": "案件事项：{summary}",
    "warnings: {summary:t}": "预警：{summary}",
    "followups: {summary:t}": "预警跟进：{summary}",
    "outreach: {summary:t}": "宣传活动：{summary}",
    "cards: {summary:t}": "断卡监管：{summary}",

    # -- files, formats and the database: render/*.py, storage/*.py, commands/*.py -----
    "wrote {path}": "已写入 {path}",
    "unknown format {value:q}; valid: {valid}": "未知的格式 {value}；可选：{valid!l}",
    "cannot tell the format from {suffix:q}; give --format ({valid})":
        "无法从 {suffix} 判断格式；请用 --format 指定（{valid}）",
    "{fmt:w} is not offered here; valid: {valid}": "此处不提供 {fmt} 格式；可选：{valid!l}",
    "xlsx is a binary file; give -o FILE.xlsx": "xlsx 是二进制文件；请用 -o 文件.xlsx 写入文件",
    "cannot write {path}: {detail:t}; {kept:t}": "无法写入 {path}：{detail}；{kept}",
    "cannot write {path}: {detail:t}": "无法写入 {path}：{detail}",
    "cannot create {path}: {detail:t}": "无法创建 {path}：{detail}",
    "it was left as it was": "原文件保持不变",
    "nothing was written": "未写入任何内容",
    "{path} is a folder, not a database file": "{path} 是文件夹，不是数据库文件",
    "no database at {path} (tongwei init creates one)":
        "{path} 处没有数据库（tongwei init 可新建）",
    "{path} is an empty file, not a database yet (tongwei init sets it up)":
        "{path} 是空文件，还不是数据库（tongwei init 可将其建为数据库）",
    "{path} is an SQLite file but not a tongwei database (tongwei init sets one up in it)":
        "{path} 是 SQLite 文件，但不是 tongwei 数据库（tongwei init 可在其中建库）",
    "there is no folder {folder} (is the drive mounted?); nothing was written":
        "文件夹 {folder} 不存在（U 盘或移动硬盘是否已挂载？）；未写入任何内容",
    "{folder} is not a folder; nothing was written": "{folder} 不是文件夹；未写入任何内容",
    "{path} exists (give --force to replace it)": "{path} 已存在（用 --force 覆盖）",
    "the copy failed its integrity check ({check})": "副本未通过完整性检查（{check}）",
    "{file}: deadline_hours of {code} must be a whole number of hours":
        "{file}：{code} 的 deadline_hours 必须是整数小时",
    "{path} {part:t}; choose another file": "{path} {part}；请换一个文件",
    "{path} is an SQLite database (a tongwei file or a backup); choose another file":
        "{path} 是 SQLite 数据库（tongwei 数据文件或备份）；请换一个文件",
    "is the database itself": "就是正在使用的数据库",
    "is the database's write-ahead log": "是数据库的预写日志（WAL）",
    "is the database's shared-memory index": "是数据库的共享内存索引",
    "is the database's rollback journal": "是数据库的回滚日志",
    "database: {detail:t}": "数据库：{detail}",
    "{path:t} is not a readable tongwei database ({detail})":
        "{path} 不是可读的 tongwei 数据库（{detail}）",
    "{path:t} is read-only ({detail})": "{path} 只读（{detail}）",
    "{path:t}: the disk or database is full; nothing was written":
        "{path}：磁盘或数据库已满；未写入任何内容",
    "{path:t} is busy with another writer; try again": "{path} 正被其他人写入；请稍后再试",
    "cannot open {path:t} ({detail})": "无法打开 {path}（{detail}）",
    "the database": "数据库",
    "Permission denied": "权限不足",
    "No such file or directory": "没有该文件或文件夹",
    "No space left on device": "磁盘空间不足",
    "Is a directory": "是文件夹",
    "Read-only file system": "只读文件系统",
    "database ready: {path}": "数据库已就绪：{path}",
    "backed up {n:d} pages to {path}; copy checked: ok": "已备份 {n} 页到 {path}；副本检查：正常",
    "compacted {path}: {before} MiB -> {after} MiB": "已压缩 {path}：{before} MiB -> {after} MiB",
    "sample data ready in {path}; its last day is {day}":
        "示例数据已载入 {path}；最后一天是 {day}",
    "exported to {path} in {seconds} s: {parts}": "已导出到 {path}，用时 {seconds} 秒：{parts}",
    "audit log intact: {n:d} rows, head {head}": "审计日志完好：共 {n} 条，链头 {head}",
    "audit row {n}: {problem:t} ({intact} rows before it are intact)":
        "审计记录第 {n} 条：{problem}（其前 {intact} 条完好）",
    "row missing (deleted)": "记录缺失（已被删除）",
    "does not follow the previous row": "未接续前一条记录",
    "content does not match its hash": "内容与其哈希值不符",
    "{n:d} problem found": "发现 {n} 个问题",
    "{n:d} problems found": "发现 {n} 个问题",
    "clean: integrity, foreign keys, {n:d} audit rows and {rules:d} rules checked":
        "无问题：已检查文件完整性、外键、{n} 条审计记录和 {rules} 条规则",
    "{code}: {before} h -> {after} h": "{code}：{before} 小时 -> {after} 小时",
    "interrupted; nothing was written": "已中断；未写入任何内容",
    "internal error ({name}); nothing was written. Set TONGWEI_DEBUG=1 to see the details "
    "and report them.": "内部错误（{name}）；未写入任何内容。设置 TONGWEI_DEBUG=1 可查看详情，"
                        "请报告给维护人员。",

    # -- Click's own usage errors (exit 2) and messages -------------------------------
    "Missing option {option}.": "缺少选项 {option}。",
    "Missing option {option}. {detail:t}": "缺少选项 {option}。{detail}",
    "Missing argument {argument}.": "缺少参数 {argument}。",
    "Missing parameter: {name}": "缺少参数：{name}",
    "No such option: {option}": "没有这个选项：{option}",
    "No such option: {option} (Possible options: {options})":
        "没有这个选项：{option}（相近的选项：{options}）",
    "No such command {name:q}.": "没有这个命令：{name}。",
    "No such command {name:q}. Did you mean {names}?": "没有这个命令：{name}。是否要用 {names}？",
    "Missing command.": "缺少命令。",
    "Got unexpected extra argument(s) ({extra})": "多余的参数（{extra}）",
    "Got unexpected extra argument ({extra})": "多余的参数（{extra}）",
    "Got unexpected extra arguments ({extra})": "多余的参数（{extra}）",
    "Option {option:q} requires an argument.": "选项 {option} 需要一个值。",
    "Option {option:q} requires {n:d} arguments.": "选项 {option} 需要 {n} 个值。",
    "Option {option:q} does not take a value.": "选项 {option} 不接受值。",
    "Argument {name:q} takes {n:d} values.": "参数 {name} 需要 {n} 个值。",
    "Invalid value for {option}: {detail:t}": "{option} 的值无效：{detail}",
    "Invalid value: {detail:t}": "值无效：{detail}",
    "Input should be greater than or equal to {n}": "应大于或等于 {n}",
    "Input should be less than or equal to {n}": "应小于或等于 {n}",
    "Input should be a valid integer, unable to parse string as an integer": "应为整数",
    "Input should be a valid integer": "应为整数",
    "Input should be a valid number, unable to parse string as a number": "应为数字",
    "{value:q} is not one of {choices}.": "{value} 不是 {choices} 之一。",
    "Value {value:q} is not a valid {label}.": "{value} 不是有效的 {label}。",
    "{label:w} {path:q} does not exist.": "{label!w} {path} 不存在。",
    "{label:w} {path:q} is a file.": "{label!w} {path} 是文件。",
    "{label:w} {path:q} is a directory.": "{label!w} {path} 是文件夹。",
    "{label:w} {path:q} is not readable.": "{label!w} {path} 不可读。",
    "{label:w} {path:q} is not writable.": "{label!w} {path} 不可写。",
    "Aborted!": "已中止！",
    "Try '{command}' for help.": "查看帮助：{command}",
    "Usage:": "用法：",
    "Options": "选项",
    "Arguments": "参数",
    "Commands": "命令",
    "required": "必填",
    "default: {value}": "默认：{value}",
    "env var: {name}": "环境变量：{name}",
    "{reason:t}; nothing was written": "{reason}；未写入任何内容",
    # -- added with the paper, the lists and the aliases ------------------------------
    "{a} is for CSV; {b} is always UTF-8": "{a} 只用于 CSV；{b} 总是 UTF-8",
    "{a} is a binary file; give -o FILE.{b}": "{a} 是二进制文件；请用 -o 文件.{b}",
    "PDF needs WeasyPrint (pip install weasyprint); {t:t}":
        "生成 PDF 需要 WeasyPrint（pip install weasyprint）；{t}",
    "PDF needs the Pango library (Debian/Ubuntu: apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0); {t:t}":
        "生成 PDF 需要 Pango 库（Debian/Ubuntu：apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0）；{t}",
    "{where}: needs a list, an alias and a code": "{where}：需要列表、别名和代码三项",
    "{where}: no list named {name:q} (lists: {lists})":
        "{where}：没有名为 {name} 的列表（列表：{lists}）",
    "{where}: {alias:q} is not a code of {list}": "{where}：{alias} 不是 {list} 的代码",
    "{where}: {alias:q} is already an alias of {code:q} in {list}":
        "{where}：{alias} 已是 {list} 中 {code} 的别名",
    # -- hostile files (imports/readers.py) ---------------------------------------------
    "{path} cannot be read ({why:t})": "{path} 无法读取（{why}）",
    "{path} is not a regular file (a device, a pipe or a socket): save the data in a file "
    "and import that": "{path} 不是普通文件（是设备、管道或套接字）：请把数据存成文件再导入",
    "line {n} is GB18030 but lines before it are UTF-8: save the file in one encoding":
        "第 {n} 行是 GB18030 编码，而之前各行是 UTF-8：请用同一种编码保存文件",
    "line {n} is UTF-8 but lines before it are GB18030: save the file in one encoding":
        "第 {n} 行是 UTF-8 编码，而之前各行是 GB18030：请用同一种编码保存文件",
    "line {n} mixes UTF-8 and GB18030 text: save the file in one encoding":
        "第 {n} 行混有 UTF-8 和 GB18030 文本：请用同一种编码保存文件",
    "line {n} cannot be read as {enc:w} text": "第 {n} 行无法按 {enc} 文本读取",
    "{where}: a sheet may have at most {c} columns (A to GR) and {r} rows; delete what "
    "lies beyond the data and save the file again":
        "{where}：工作表最多 {c} 列（A 到 GR）、{r} 行；请删除数据之外的内容后重新保存",
    "the sheet spans {r} rows × {c} columns ({n} cells; at most {m} are read): split it, "
    "or save it as CSV": "工作表跨 {r} 行 × {c} 列（{n} 个单元格；最多读取 {m} 个）：请拆分，"
                         "或另存为 CSV",
    "is damaged: {part} in it is larger than the archive says":
        "已损坏：其中 {part} 比压缩包所记录的大",
    "unpacks to {size}: a spreadsheet may unpack to at most {most}; split it, or save it as "
    "CSV": "解压后为 {size}：表格解压后最多 {most}；请拆分，或另存为 CSV",
    "{part} in it unpacks to {n} times its packed size (at most {m}): refused as a zip "
    "bomb": "其中 {part} 解压后是压缩大小的 {n} 倍（最多 {m} 倍）：按压缩炸弹拒绝",
    "has no visible sheet": "没有可见的工作表",
    "cell {cell:w} holds a formula with no saved value: open the file in Excel or WPS and "
    "save it again": "单元格 {cell} 是没有保存结果的公式：请用 Excel 或 WPS 打开后重新保存",
    "cannot be read: its sheet needs more than {size} of memory (are cells scattered far "
    "apart?); delete what lies beyond the data and save the file again, or save it as CSV":
        "无法读取：工作表需要超过 {size} 内存（单元格是否分散得很远？）；请删除数据之外的内容后"
        "重新保存，或另存为 CSV",
    "is {size}: a spreadsheet may be at most {most}; split it, or save it as CSV":
        "大小为 {size}：表格最大 {most}；请拆分，或另存为 CSV",
    # -- an import whose records changed while it was checked (imports/kinds.py) -----------
    "case {no} was voided meanwhile": "案件 {no} 在此期间已被撤销",
    "the same {kind:w} event of case {no} was stored meanwhile":
        "案件 {no} 的同一{kind!w}事项在此期间已被录入",
    "case {no} already has a {kind:w} event": "案件 {no} 已有{kind!w}事项",
    "warning {no} was removed meanwhile": "预警 {no} 在此期间已被删除",
    "{what:t} was stored meanwhile": "{what}在此期间已被录入",
    "{what:t} was changed meanwhile": "{what}在此期间已被修改",
    # -- the key and the audit chain (storage/keys.py, storage/audit.py, commands) -------
    "audit log intact: {n} rows; anchor {tip}": "审计日志完好：{n} 条；锚点 {tip}",
    "audit log intact: {n} rows; passes through {k} anchor(s); anchor {tip}":
        "审计日志完好：{n} 条；经过 {k} 个锚点；锚点 {tip}",
    "anchor {a} of database {d} appended to {f}": "数据库 {d} 的锚点 {a} 已追加到 {f}",
    "audit row {n}: {problem:t} ({k:d} rows checked)":
        "审计记录第 {n} 条：{problem}（已检查 {k} 条）",
    "content does not match its hash (signed with key {k})": "内容与其哈希值不符（签名密钥 {k}）",
    "rows out of order": "记录顺序错乱",
    "is not signed with the key (an unsigned row after the signed chain began: forged)":
        "未用密钥签名（签名链开始之后出现未签名的记录：系伪造）",
    "the signed chain should begin at row {a}, not {b}": "签名链应从第 {a} 条开始，而不是第 {b} 条",
    "no row is signed with the key: the chain was replaced by an unsigned one":
        "没有一条记录用密钥签名：审计链已被换成未签名的链",
    "the chain ends at row {n}, before the anchor {a}{rest}: rows were cut from its end":
        "审计链止于第 {n} 条，早于锚点 {a}{rest}：末尾的记录被删掉了",
    "does not match the anchor {a}{rest}: the chain was rewritten since":
        "与锚点 {a}{rest} 不符：此后审计链被改写过",
    "clean: integrity, foreign keys, triggers, {n} audit rows and {k} rules checked":
        "无问题：已检查完整性、外键、触发器、{n} 条审计记录和 {k} 条规则",
    "clean: integrity, foreign keys, triggers, {n} audit rows, {r} records' digests and {k} "
    "rules checked": "无问题：已检查完整性、外键、触发器、{n} 条审计记录、{r} 条记录摘要和 {k} 条规则",
    "audit anchor {a} (keep it: tongwei audit anchor -o FILE)":
        "审计锚点 {a}（请留存：tongwei audit anchor -o 文件）",
    "the key is not in the copy: it stays in the key file of database {d}; keep its recovery "
    "sheet (tongwei db key export) apart from the copy":
        "副本中不含密钥：密钥仍在数据库 {d} 的密钥文件中；请将其恢复单（tongwei db key export）"
        "与副本分开保管",
    "recovery sheet written to {f}: print it, put it in the safe, delete the file":
        "恢复单已写入 {f}：打印后放入保险柜，再删除该文件",
    "cannot read {f}: {why:t}": "无法读取 {f}：{why}",
    "{f} is not a recovery sheet (not UTF-8 text)": "{f} 不是恢复单（不是 UTF-8 文本）",
    "key {k} of database {d} restored: {f}": "数据库 {d} 的密钥 {k} 已恢复：{f}",
    "key of database {d} rotated: {a} -> {b} ({f}); print the new recovery sheet: tongwei db "
    "key export -o FILE": "数据库 {d} 的密钥已更换：{a} -> {b}（{f}）；请打印新的恢复单："
                          "tongwei db key export -o 文件",
    "key {k} of database {d} made: {f}; print its recovery sheet for the safe: tongwei db key "
    "export -o FILE": "数据库 {d} 的密钥 {k} 已生成：{f}；请打印恢复单存入保险柜："
                      "tongwei db key export -o 文件",
    "key {k} of database {d}: {f}": "数据库 {d} 的密钥 {k}：{f}",
    "{a:q} is not an anchor (ROW:HASH, as reports print it: 1234:9f3a1c2b…e07d)":
        "{a} 不是锚点（格式为 行号:哈希，如报表所印：1234:9f3a1c2b…e07d）",
    "{f} line {n}: not an anchor line": "{f} 第 {n} 行：不是锚点行",
    "{f} holds no anchor of this database ({d})": "{f} 中没有本数据库（{d}）的锚点",
    "{t} row {n}: removed without an audit row": "{t} 第 {n} 行：未留审计记录即被删除",
    "the database's identity row is missing (database_identity): the file was changed "
    "outside tongwei": "数据库的标识行缺失（database_identity）：文件在 tongwei 之外被修改过",
    "line {n}: the database id should be 32 hex digits": "第 {n} 行：数据库标识应为 32 位十六进制数字",
    "line {n} (database): the checksum does not match: a character is mistyped":
        "第 {n} 行（数据库）：校验码不符：有字符录错",
    "line {n} ({k}): should be four groups of four hex digits and a checksum":
        "第 {n} 行（{k}）：应为四组四位十六进制数字加一个校验码",
    "line {n} ({k}): the checksum does not match: a character is mistyped":
        "第 {n} 行（{k}）：校验码不符：有字符录错",
    "line {n}: not a line of a recovery sheet ({x:q})": "第 {n} 行：不是恢复单中的行（{x}）",
    "not a tongwei recovery sheet (no `{x}` line)": "不是 tongwei 恢复单（没有 `{x}` 行）",
    "the sheet has no database line": "恢复单中没有数据库行",
    "the sheet holds no key": "恢复单中没有密钥",
    "the sheet is for database {a}, not this one ({b})": "恢复单属于数据库 {a}，不是本数据库（{b}）",
    "the sheet does not hold the current key {k} of this database (it holds {h}): it predates "
    "a rotation; use the latest sheet": "恢复单中没有本数据库的当前密钥 {k}（只有 {h}）："
                                        "它早于一次密钥更换；请使用最新的恢复单",
    "key {k} on the sheet does not match this database's key check value":
        "恢复单上的密钥 {k} 与本数据库的密钥校验值不符",
    "give one of --phone, --id, --name": "--phone、--id、--name 只能给一个",
    "the database's key was rotated while this command prepared its records: nothing was "
    "written; run it again": "本命令准备记录期间数据库密钥已更换：未写入任何内容；请重新运行",
    "is {s}: a JSON file may be at most {m} (it is read whole); split it, or save it as CSV":
        "大小为 {s}：JSON 文件最大 {m}（需整体读入）；请拆分，或另存为 CSV",
    "linked to warning {w} of {t}, which has the victim's phone number (预警后被骗); undo: "
    "tongwei case update {c} --warning -":
        "已关联到 {t} 的预警 {w}：受害人电话与之相同（预警后被骗）；如需撤销：tongwei case update {c} --warning -",
    "linked to warning {w} of {t}, which has the victim's ID number (预警后被骗); undo: "
    "tongwei case update {c} --warning -":
        "已关联到 {t} 的预警 {w}：受害人身份证号与之相同（预警后被骗）；如需撤销：tongwei case update {c} --warning -",
    "giving way to another write; the import writes again when the file is quiet":
        "正在让另一个写入先完成；文件空闲后导入再写入……",
    "the import has given way long enough: it now writes, and other writes wait for it":
        "导入已让路足够久：现在写入，其他写入需等它完成……",
    "the import gave way {n:d} time(s) to another command's write, which went first":
        "导入让路 {n} 次：其他命令的写入先完成",
    "{n:d} case(s) linked to the warning their victim's phone or ID number matches "
    "(预警后被骗; see tongwei audit list)":
        "{n} 起案件按受害人电话或身份证号关联到对应预警（预警后被骗；见 tongwei audit list）",
    # -- a key not here (storage/keys.py) ------------------------------------------------
    "key {k} of database {d} is not here (looked in {w}); restore it with `tongwei db key "
    "import SHEET`": "数据库 {d} 的密钥 {k} 不在本机（已查找 {w}）；请用 `tongwei db key import 恢复单` 恢复",
    "this database has no key yet: open it once with `tongwei init`":
        "本数据库还没有密钥：请先运行一次 `tongwei init`",
    "this file has no key yet (it is from before keys): open it once with `tongwei init` to "
    "make one": "此文件还没有密钥（建于启用密钥之前）：请运行一次 `tongwei init` 生成",
    "database {d} does not say which key is its own (its identity row was changed outside "
    "tongwei)": "数据库 {d} 未记明自己的密钥（其标识行在 tongwei 之外被修改过）",
    "the key of database {d} (key {k}) is not here: looked in {w}; restore it from its "
    "recovery sheet with `tongwei db key import SHEET`, or set TONGWEI_KEY_FILE to the key "
    "file": "数据库 {d} 的密钥（{k}）不在本机：已查找 {w}；请用 `tongwei db key import 恢复单` "
            "从恢复单恢复，或将 TONGWEI_KEY_FILE 设为密钥文件",
    "the key {k} in {f} does not match database {d} (its key check value differs): it is not "
    "this database's key, and nothing was written with it; restore the right one with "
    "`tongwei db key import SHEET`": "{f} 中的密钥 {k} 与数据库 {d} 不符（密钥校验值不同）："
                                     "它不是本数据库的密钥，未用它写入任何内容；请用 "
                                     "`tongwei db key import 恢复单` 恢复正确的密钥",
    "the current key {k} of database {d} is not here (looked in {w}, which holds only its "
    "older key(s) {o}): restore it from the latest recovery sheet with `tongwei db key import "
    "SHEET`": "数据库 {d} 的当前密钥 {k} 不在本机（已查找 {w}，其中只有旧密钥 {o}）："
              "请用 `tongwei db key import 恢复单` 从最新的恢复单恢复",
    # -- personal data at rest (storage/personal.py) -----------------------------------
    "an encrypted value in {c} does not open with the database's key: the file was changed "
    "outside tongwei (`tongwei check` names the record)":
        "{c} 中的加密值无法用本数据库的密钥解开：文件在 tongwei 之外被修改过（`tongwei check` 会指出是哪条记录）",
    "{c}: {n} value(s) stored in the clear, not masked (written outside tongwei)":
        "{c}：{n} 个值以明文存放，未遮蔽（在 tongwei 之外写入）",
}

HELP: dict[str, str] = {
    # tongwei export
    "The records, for a warehouse: Parquet datasets a province can keep side by side with "
    "other counties' and query with DuckDB or Spark (see the README, \"Warehouse\").":
        "导出记录供数据仓库使用：Parquet 数据集，省里可与其他县的并排存放，用 DuckDB 或 Spark "
        "查询（见 README“Warehouse”一节）。",
    "One Parquet dataset per kind of record (cases, case_events, warnings, followups, "
    "outreach, card_actions, restrictions) under DIR/kind=KIND/year=YEAR/, with the county's "
    "name ($TONGWEI_COUNTY, default 通渭县) on every row. Names, phones and ID numbers only "
    "masked, phones and ID numbers also as a keyed pseudonym (the same person, the same "
    "pseudonym: repeat victims can be counted without names). --from and --to keep the "
    "records dated in those days (warnings by the day received, follow-ups by their day).":
        "每类记录一个 Parquet 数据集（cases、case_events、warnings、followups、outreach、"
        "card_actions、restrictions），写在 DIR/kind=类别/year=年份/ 下，每行带县名"
        "（$TONGWEI_COUNTY，默认通渭县）。姓名、手机号、身份证号只以脱敏形式导出，手机号和身份证号"
        "另有加密钥的化名（同一人化名相同：不用姓名也能统计重复受害人）。--from 和 --to 只导出"
        "这些天的记录（预警按接收日，反馈按其日期）。",
    "The county's export folder (made if missing); what an earlier export wrote there is "
    "replaced.": "本县的导出文件夹（不存在则创建）；此前导出到这里的内容会被替换。",
    # -- tongwei (cli.py) and Click's own ---------------------------------------------
    "The anti-fraud desk of Tongwei county public security (通渭县公安局反诈中心).":
        "通渭县公安局反诈中心的反诈工作台。",
    "Log fraud cases and what became of them, record the platform's early warnings and "
    "every follow-up, register outreach and two-card supervision, and print the daily "
    "summary.": "登记诈骗案件及其进展，记录平台推送的预警和每一次劝阻跟进，登记宣传活动和断卡"
                "监管，打印每日汇总。",
    "The database file. Default: $TONGWEI_DB, else the per-user data folder (see `tongwei "
    "db path`).":
        "数据库文件。默认：$TONGWEI_DB，否则为当前用户的数据文件夹（见 `tongwei db path`）。",
    "Who is doing the work; recorded with every change. Default: $TONGWEI_OFFICER, else the "
    "login name.": "操作民警，每次修改都会记录。默认：$TONGWEI_OFFICER，否则为登录用户名。",
    "Language of labels and messages: zh or en. Default: $TONGWEI_LANG, else Chinese for a "
    "Chinese locale, else English.": "界面和提示的语言：zh（中文）或 en（英文）。默认："
                                     "$TONGWEI_LANG，否则中文区域设置用中文，其余用英文。",
    "Print the version and exit.": "显示版本号并退出。",
    "Install completion for the current shell.": "为当前 shell 安装命令补全。",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的命令补全脚本，可复制或自行安装。",
    "Show this message and exit.": "显示本帮助并退出。",

    # -- init, check, demo -------------------------------------------------------------
    "Create the database (or bring an existing one up to date) and load the reference "
    "data.": "创建数据库（或把已有数据库升级到最新结构）并载入基础数据。",
    "Check the file (integrity, foreign keys), the audit chain and the domain rules "
    "(recoveries within the loss, follow-ups after their warning, no events on voided "
    "cases, deadlines after their actions…). Exit 0 when clean, 1 with one line per "
    "problem.": "检查数据文件、审计链和业务规则。数据文件查完整性和外键；业务规则包括挽回不超过"
                "损失、跟进不早于预警、已撤销案件没有事项、整改期限晚于措施……无问题时退出码"
                "为 0，有问题时为 1，每个问题一行。",
    "Load the bundled sample data (synthetic people only: 测试甲…, phone numbers "
    "1380000xxxx) from 2026-09-01 to 2026-11-28, and a campaign covering October to "
    "December, into the database. Loading twice adds nothing. Use a separate file for it.":
        "载入随附的示例数据。只有虚构人员：测试甲……，电话号码 1380000xxxx；时间从 2026-09-01 "
        "到 2026-11-28，另有一个覆盖 10 月至 12 月的专项行动。重复载入不会增加记录。请使用单独的"
        "数据文件。",

    # -- case ----------------------------------------------------------------------
    "Fraud cases and what became of them (打).": "诈骗案件及其进展（打）。",
    "Register a fraud case; prints its number (the stored record with --format json).":
        "登记诈骗案件。输出案件编号（用 --format json 时输出所存记录）。",
    "Case number. Default: TW<date>-NNN.": "案件编号。默认：TW<日期>-NNN。",
    "Date reported (YYYY-MM-DD, today, yesterday).": "报案日期（YYYY-MM-DD、today 今天、"
                                                     "yesterday 昨天）。",
    "Fraud type: code, English or Chinese name, or a unique prefix (刷单). See `tongwei ref "
    "types`.":
        "诈骗类型：代码、英文名、中文名或能唯一确定的开头（刷单）。见 `tongwei ref types`。",
    "Police station: code or name (平襄). See `tongwei ref stations`.":
        "派出所：代码或名称（平襄）。见 `tongwei ref stations`。",
    "Loss in yuan, up to two decimals (12000.50, 1.5万).":
        "损失金额，单位元，最多两位小数（12000.50、1.5万）。",
    "Date the fraud happened.": "发案日期。",
    "Victim's name (masked in every output).": "受害人姓名（所有输出中均脱敏）。",
    "Victim's mobile number (masked).": "受害人手机号码（脱敏）。",
    "Victim's resident ID number (checked, masked); sex and age are derived from it.":
        "受害人身份证号（校验、脱敏）；性别和年龄由此推出。",
    "Victim's sex: M or F (男/女).": "受害人性别：M 或 F（男/女）。",
    "Victim's age in years.": "受害人年龄（周岁）。",
    "Victim's group, an outreach audience (students, 老年人…). See `tongwei ref "
    "audiences`.":
        "受害人所属人群，即宣传对象（在校学生、老年人……）。见 `tongwei ref audiences`。",
    "Number of the early warning that preceded the case (预警后被骗).":
        "案发前的预警编号（预警后被骗）。",
    "Short account of what happened.": "简要案情。",
    "Output format: table, json or csv (reports also text, markdown, html, xlsx). Default: "
    "from the -o file's extension, else table.": "输出格式：table、json 或 csv（报表还可用 "
                                                "text、markdown、html、xlsx）。默认：按 -o 文件"
                                                "的扩展名，否则为 table。",
    "Record what happened to a case: filed (立案), solved (破案), arrest (抓获), prosecute "
    "(移送起诉), recover (挽回损失), freeze (冻结), stop-payment (止付), close (结案).":
        "记录案件进展。事项：filed 立案、solved 破案、arrest 抓获、prosecute 移送起诉、"
        "recover 挽回损失、freeze 冻结、stop-payment 止付、close 结案。",
    "The case number.": "案件编号。",
    "filed | solved | arrest | prosecute | recover | freeze | stop-payment | close":
        "事项：filed 立案 | solved 破案 | arrest 抓获 | prosecute 移送起诉 | recover 挽回损失 | "
        "freeze 冻结 | stop-payment 止付 | close 结案",
    "Date of the event. Default: today.": "事项日期。默认：今天。",
    "People arrested or referred (arrest, prosecute). Default: 1.":
        "抓获或移送起诉的人数（arrest、prosecute）。默认：1。",
    "Yuan recovered, frozen or stopped (recover, freeze, stop-payment; required there).":
        "挽回、冻结或止付的金额，单位元（recover、freeze、stop-payment 时必填）。",
    "A note.": "备注。",
    "Correct an event of a case: its date, count, amount or note, checked again as `case "
    "event` checks it. The case's status and every figure follow; the old and new values "
    "are kept in the audit log. Its kind cannot change: remove the event and add the right "
    "one.": "更正案件的一项事项。可改日期、人数、金额或备注，按 `case event` 的规则重新检查。"
            "案件状态和各项统计随之更新；修改前后的值记入审计日志。事项类型不能更改："
            "请删除该事项再添加正确的。",
    "The event's number: its # in `tongwei case show CASE_NO`.":
        "事项序号：`tongwei case show CASE_NO` 中的序号。",
    "People arrested or referred (arrest, prosecute; `-`: 1).":
        "抓获或移送起诉的人数（arrest、prosecute；`-` 表示 1）。",
    "Yuan recovered, frozen or stopped (recover, freeze, stop-payment).":
        "挽回、冻结或止付的金额，单位元（recover、freeze、stop-payment）。",
    "Remove an event entered in error (typed twice, or on the wrong case). The case's "
    "status and every figure follow; the audit log keeps what the event said, who removed "
    "it and why.": "删除误录的事项（重复录入或录错案件）。案件状态和各项统计随之更新；审计日志"
                   "保留该事项的内容、删除人和原因。",
    "Why it is removed.": "删除原因。",
    "Correct a case. Give only the fields that change; `-` clears an optional one. The old "
    "and new values are kept in the audit log.": "更正案件。只需给出要改的字段；`-` 清除选填"
                                                "字段。修改前后的值记入审计日志。",
    "A new case number.": "新的案件编号。",
    "Withdraw a case entered in error: it is kept, marked void, and counted nowhere.":
        "撤销误录的案件。记录保留并标为已撤销，不计入任何统计。",
    "Why the case is withdrawn.": "撤销原因。",
    "List cases reported in a period, newest first, with money recovered and frozen.":
        "列出某一期间报案的案件。最新的在前，含挽回和冻结金额。",
    "First day (YYYY-MM-DD, today, yesterday).": "起始日期（YYYY-MM-DD、today 今天、"
                                                 "yesterday 昨天）。",
    "Last day, included (YYYY-MM-DD, today, yesterday).":
        "截止日期，含当天（YYYY-MM-DD、today 今天、yesterday 昨天）。",
    "Only this fraud type.": "只列此诈骗类型。",
    "Police station: code, name or unique prefix (平襄).":
        "派出所：代码、名称或能唯一确定的开头（平襄）。",
    "Only this status: reported, filed, solved, closed, or void (voided cases are hidden "
    "otherwise).": "只列此状态：reported 已报案、filed 已立案、solved 已破案、closed 已结案，"
                   "或 void 已撤销（否则不显示已撤销的案件）。",
    "Show at most N rows.": "最多显示 N 行。",
    "Show names, phone numbers and ID numbers in full. Recorded in the audit log.":
        "完整显示姓名、电话号码和身份证号。此操作记入审计日志。",
    "Write to FILE instead of the screen (- for the screen); the format follows its "
    "extension (.json .csv .txt .md .html .xlsx) unless --format says otherwise. The file "
    "is written whole or not at all, and a new one is readable only by you.":
        "写入文件 FILE 而不是屏幕（- 表示屏幕）；格式按扩展名（.json .csv .txt .md .html "
        ".xlsx）确定，除非用 --format 另行指定。文件要么完整写入，要么不写；新文件只有本人可读。",
    "Show a case with its timeline of events and money totals.":
        "显示一起案件，含事项时间线和金额合计。",

    # -- warning -------------------------------------------------------------------
    "Early warnings (预警) and their follow-ups (劝阻、反馈).": "预警及其跟进（劝阻、反馈）。",
    "A warning is open until its first feedback (a follow-up whose outcome is not "
    "in-progress), overdue when still open past its deadline (received time + the level's "
    "hours, see `tongwei ref levels`), closed from its feedback.":
        "预警在首次反馈（结果不是 in-progress 处置中的跟进）之前为待反馈；超过反馈时限"
        "（接收时间加该等级的小时数，见 `tongwei ref levels`）仍未反馈为已超期；反馈后为已反馈。",
    "Register an early warning; prints its number (the stored record with --format json). "
    "Its deadline is the received time plus the level's hours.":
        "登记预警。输出预警编号（用 --format json 时输出所存记录）。反馈时限为接收时间加该等级"
        "的小时数。",
    "Warning number from the platform (预警编号).": "平台下发的预警编号。",
    "When the warning was received, local time: YYYY-MM-DD HH:MM, or now.":
        "预警接收时间，本地时间：YYYY-MM-DD HH:MM，或 now 现在。",
    "Risk level: high|medium|low (高风险…).": "风险等级：high|medium|low（高风险……）。",
    "Police station responsible (管辖单位): code or name (平襄).":
        "管辖单位（派出所）：代码或名称（平襄）。",
    "The person's mobile number (masked).": "当事人手机号码（脱敏）。",
    "money (资金预警) or contact (接触预警).": "money 资金预警，或 contact 接触预警。",
    "The person's name (masked).": "当事人姓名（脱敏）。",
    "The person's resident ID number (checked, masked).": "当事人身份证号（校验、脱敏）。",
    "Suspected fraud type. See `tongwei ref types`.": "疑似诈骗类型。见 `tongwei ref types`。",
    "Where the warning came from (platform, bank…).": "预警来源（平台、银行……）。",
    "Correct a warning. Give only the fields that change; `-` clears an optional one. The "
    "old and new values are kept in the audit log. A new level moves the deadline by that "
    "level's hours now; a new received time moves it by the hours the warning was given. "
    "Follow-ups must stay after the received time. The number itself cannot change.":
        "更正预警。只需给出要改的字段；`-` 清除选填字段。修改前后的值记入审计日志。"
        "改等级时按新等级现行的小时数重算反馈时限；改接收时间时按该预警原定的小时数顺延。"
        "跟进必须仍在接收时间之后。预警编号本身不能更改。",
    "The warning number.": "预警编号。",
    "Remove a warning entered in error (a duplicate push, a number typed wrong) with its "
    "follow-ups. The audit log keeps what they said (personal data masked), who removed "
    "them and why; the reports no longer count it. Refused while a case names the warning. "
    "(An import of a file that holds the warning adds it again.)":
        "删除误录的预警（平台重复推送、编号录错）及其跟进。审计日志保留其内容（个人信息脱敏）、"
        "删除人和原因；报表不再计入。有案件关联该预警时拒绝删除。（再次导入含该预警的文件会"
        "重新添加。）",
    "Record a follow-up (劝阻) of a warning. The first one whose outcome is not in-progress "
    "is the warning's feedback (反馈); later ones (a return visit) are kept.":
        "记录预警的跟进（劝阻）。第一次结果不是 in-progress 处置中的跟进即为该预警的反馈；"
        "之后的跟进（如回访）也会保留。",
    "A wrong outcome is corrected by giving the same time and method again with --update:":
        "结果录错时，用相同的时间和方式加 --update 重新录入即可更正：",
    "When, local time: YYYY-MM-DD HH:MM, or now. Not before the warning, not in the future.":
        "跟进时间，本地时间：YYYY-MM-DD HH:MM，或 now 现在。不得早于预警，不得晚于现在。",
    "phone | visit | sms | other.": "方式：phone 电话 | visit 上门见面 | sms 短信 | other 其他。",
    "dissuaded | defrauded | not-fraud | unreachable | in-progress.":
        "结果：dissuaded 劝阻成功 | defrauded 被骗 | not-fraud 非诈骗 | unreachable 无法联系 | "
        "in-progress 处置中。",
    "Number of the case this led to (预警后被骗).": "由此引出的案件编号（预警后被骗）。",
    "If a follow-up of this warning at this time by this method is already recorded, "
    "correct its outcome, case and note (kept in the audit log) instead of refusing.":
        "若该预警在此时间以此方式的跟进已有记录，则更正其结果、案件和备注（记入审计日志），"
        "而不是拒绝。",
    "Remove a follow-up entered in error (on the wrong warning, at the wrong time, by the "
    "wrong method). The audit log keeps what it said, who removed it and why; the "
    "warning's feedback is worked out again from the follow-ups left (with none left it is "
    "open again). A wrong outcome, case or note is corrected with `warning followup … "
    "--update` instead. (An import of a file that holds the follow-up adds it again.)":
        "删除误录的跟进（录错预警、时间或方式）。审计日志保留其内容、删除人和原因；预警的反馈"
        "按剩余的跟进重新确定（一条不剩则恢复为待反馈）。结果、案件或备注录错请改用 "
        "`warning followup … --update` 更正。（再次导入含该跟进的文件会重新添加。）",
    "When the follow-up was recorded as made, local time (YYYY-MM-DD HH:MM).":
        "该跟进所记录的时间，本地时间（YYYY-MM-DD HH:MM）。",
    "List warnings received in a period. With --status open or overdue it is the dispatch "
    "list: by deadline, with how long each is overdue and a count per station.":
        "列出某一期间接收的预警。用 --status open 或 overdue 时即为调度清单：按反馈时限排序，"
        "显示各条超期多久，并按派出所计数。",
    "open (no feedback yet, overdue included), overdue, or closed.":
        "open 待反馈（含已超期）、overdue 已超期，或 closed 已反馈。",
    "Only this level.": "只列此等级。",
    "Ask as of this moment (YYYY-MM-DD HH:MM). Default: now.":
        "以此时刻为准查询（YYYY-MM-DD HH:MM）。默认：现在。",
    "Show a warning with every follow-up in order, its deadline and whether its feedback "
    "came on time.": "显示一条预警，按顺序列出每次跟进、反馈时限以及是否按时反馈。",
    "Status as of this moment. Default: now.": "以此时刻为准的状态。默认：现在。",

    # -- outreach ------------------------------------------------------------------
    "Outreach sessions (宣): whom a station reached, where, and how.":
        "宣传活动（宣）。记录派出所向谁、在哪里、以什么形式开展宣传。",
    "Register an outreach session; prints its number (the stored record with --format "
    "json).": "登记宣传活动。输出活动编号（用 --format json 时输出所存记录）。",
    "Date of the session (YYYY-MM-DD, today, yesterday).":
        "活动日期（YYYY-MM-DD、today 今天、yesterday 昨天）。",
    "Police station: code or name (平襄).": "派出所：代码或名称（平襄）。",
    "Who was reached: code, English or Chinese name (在校学生, elderly…). See `tongwei ref "
    "audiences`.": "宣传对象：代码、英文名或中文名（在校学生、elderly……）。见 "
                   "`tongwei ref audiences`。",
    "Form: hand-in-hand 手拉手, face-to-face 面对面, point-to-point 点对点, lecture, stall, "
    "door-to-door, media.": "宣传形式：hand-in-hand 手拉手、face-to-face 面对面、"
                            "point-to-point 点对点、lecture 讲座、stall 集中宣传、"
                            "door-to-door 入户走访、media 媒体网络。",
    "Where: the place's name.": "地点：场所名称。",
    "Kind of place: school, enterprise, village, bank… See `tongwei ref venues`.":
        "场所类型：school 学校、enterprise 企业、village 村庄、bank 银行……见 "
        "`tongwei ref venues`。",
    "People reached (whole number).": "受众人数（整数）。",
    "Leaflets and other materials handed out.": "发放的传单等宣传资料份数。",
    "The centre's own number for the session (unique).": "中心自编的活动编号（唯一）。",
    "Posters put up.": "张贴海报数。",
    "Videos played.": "播放视频次数。",
    "Anti-fraud app installs (国家反诈中心APP).": "反诈 APP 安装人数（国家反诈中心APP）。",
    "Anti-fraud notices signed (反诈告知书).": "签署反诈告知书份数。",
    "Correct a session. Give only the fields that change; `-` clears an optional one. The "
    "old and new values are kept in the audit log.": "更正宣传活动。只需给出要改的字段；`-` "
                                                    "清除选填字段。修改前后的值记入审计日志。",
    "The session's number (XC…) or its --ref.": "活动编号（XC……）或其 --ref 中心编号。",
    "Withdraw a session entered in error: it is kept, marked void, and counted nowhere.":
        "撤销误录的宣传活动。记录保留并标为已撤销，不计入任何统计。",
    "Why the session is withdrawn.": "撤销原因。",
    "List sessions of a period, newest first, ending with the totals.":
        "列出某一期间的宣传活动。最新的在前，末尾为合计。",
    "Only this audience.": "只列此宣传对象。",
    "Only this form.": "只列此宣传形式。",
    "List voided sessions instead.": "改为列出已撤销的活动。",
    "Show one session.": "显示一次宣传活动。",

    # -- cards -----------------------------------------------------------------------
    "Two-card supervision (管/控, 断卡) of bank branches, payment firms and telecom "
    "outlets, and the people under two-card restrictions (惩戒).":
        "断卡监管（管/控）。监管银行网点、支付机构和通信营业网点，并管理受两卡惩戒的人员。",
    "Record a supervision action; prints its number (the stored record with --format "
    "json). A recheck closes the institution's open rectification.":
        "记录监管措施。输出措施编号（用 --format json 时输出所存记录）。复查会关闭该机构"
        "待复查的责令整改。",
    "Date of the action (YYYY-MM-DD, today, yesterday).":
        "措施日期（YYYY-MM-DD、today 今天、yesterday 昨天）。",
    "The institution's name (registered on first use).": "机构名称（首次使用时自动登记）。",
    "What was done: inspection (检查), interview (约谈), notice (提示函/通报), fine (罚款), "
    "rectify (责令整改), recheck (复查).": "措施：inspection 检查、interview 约谈、"
                                           "notice 提示函/通报、fine 罚款、rectify 责令整改、"
                                           "recheck 复查。",
    "bank, payment, telecom or outlet; required when the institution is new.":
        "机构类型：bank 银行网点、payment 支付机构、telecom 电信运营商或 outlet 通信营业网点；"
        "新机构必填。",
    "The fine in yuan (required for fine).": "罚款金额，单位元（fine 罚款时必填）。",
    "Rectification deadline, after --date (required for rectify).":
        "整改期限，须晚于 --date（rectify 责令整改时必填）。",
    "Police station in charge; default: the institution's.":
        "负责的派出所；默认：机构所属派出所。",
    "List supervision actions of a period, newest first, with totals; or, with --open, the "
    "rectifications still waiting for their re-check.": "列出某一期间的监管措施。最新的在前，"
                                                       "含合计；用 --open 时列出仍待复查的"
                                                       "责令整改。",
    "Only this institution.": "只列此机构。",
    "Only this kind: inspection (检查), interview (约谈), notice (提示函/通报), fine (罚款), "
    "rectify (责令整改), recheck (复查).": "只列此类措施：inspection 检查、interview 约谈、"
                                          "notice 提示函/通报、fine 罚款、rectify 责令整改、"
                                          "recheck 复查。",
    "Rectifications not yet re-checked, the overdue ones first.":
        "尚未复查的责令整改，逾期的在前。",
    "List voided actions instead.": "改为列出已撤销的措施。",
    "Correct a supervision action. Give only the fields that change; `-` clears an optional "
    "one (date, institution and kind cannot be cleared). The whole action is checked again "
    "as `cards action` checks it, and the old and new values are kept in the audit log. A "
    "void action cannot be corrected.": "更正监管措施。只需给出要改的字段；`-` 清除选填字段"
                                        "（日期、机构和措施不能清除）。整条措施按 `cards action` "
                                        "的规则重新检查，修改前后的值记入审计日志。已撤销的措施"
                                        "不能更正。",
    "Changing --kind drops an amount or deadline the new kind does not take (give them "
    "again to keep them). Rectify and recheck stay linked: the kind or institution of a "
    "rectify closed by a recheck, or of a recheck that closed one, cannot change (void the "
    "recheck first); a closed rectify's date stays on or before its recheck's, a recheck's "
    "date on or after those it closed (their re-check date follows it); an action "
    "corrected into a recheck, or a recheck moved to another date or institution, closes "
    "the institution's open rectifications ordered on or before it, as a new recheck "
    "would.": "改 --kind 时，新措施不需要的金额或整改期限会被去掉（要保留请重新给出）。责令整改"
              "与复查保持关联：已被复查关闭的责令整改、或已关闭责令整改的复查，其措施和机构都不能"
              "更改（请先撤销复查）；已关闭的责令整改日期不得晚于其复查，复查日期不得早于它所关闭"
              "的责令整改（它们的复查日期随之变化）；改成复查的措施，或改到其他日期、其他机构的"
              "复查，会像新的复查一样关闭该机构在此日期及以前的待复查责令整改。",
    "The action's number (DK…).": "措施编号（DK……）。",
    "The institution's name (a new one is registered, with --institution-kind).":
        "机构名称（新机构会被登记，须给出 --institution-kind）。",
    "bank, payment, telecom or outlet; required when --institution names a new one.":
        "机构类型：bank、payment、telecom 或 outlet；--institution 为新机构时必填。",
    "Rectification deadline, after the date.": "整改期限，须晚于措施日期。",
    "Police station in charge (`-`: the institution's).":
        "负责的派出所（`-` 表示机构所属派出所）。",
    "Withdraw a supervision action entered in error: it is kept, marked void, and left out "
    "of lists and reports. Voiding a recheck re-opens the rectifications it closed.":
        "撤销误录的监管措施。记录保留并标为已撤销，不列入清单和报表。撤销复查会重新打开它所关闭"
        "的责令整改。",
    "Why the record is withdrawn.": "撤销原因。",
    "Show one supervision action.": "显示一条监管措施。",
    "List the institutions under supervision, with their actions, fines and open "
    "rectifications.": "列出受监管的机构，含措施次数、罚款和待复查的责令整改。",
    "People under two-card restrictions (惩戒, Anti-Telecom-Fraud Law art. 31): 2 or 3 "
    "years each, consecutive ones never beyond 5 years. Names and ID numbers are masked "
    "unless --reveal (which is audited).": "受两卡惩戒的人员（《反电信网络诈骗法》第三十一条）。"
                                           "每次 2 年或 3 年，连续惩戒合计不超过 5 年。姓名和"
                                           "身份证号脱敏显示，除非用 --reveal（会记入审计日志）。",
    "Place a person under a two-card restriction; prints its number. The end date is "
    "computed (the day before the start's anniversary); a person's consecutive "
    "restrictions never run beyond 5 years.": "对人员实施两卡惩戒。输出惩戒编号。结束日期自动"
                                             "计算（到期周年日的前一天）；同一人的连续惩戒合计"
                                             "不超过 5 年。",
    "Resident ID number (checked, masked).": "身份证号（校验、脱敏）。",
    "financial (金融惩戒), network (电信网络惩戒) or credit (纳入征信).":
        "惩戒措施：financial 金融惩戒、network 电信网络惩戒或 credit 纳入征信。",
    "First day of the restriction.": "惩戒开始日期。",
    "2 or 3.": "年限：2 或 3。",
    "Last day to appeal. Default: 15 days after --start.":
        "申诉截止日期。默认：--start 后 15 天。",
    "Police station in charge.": "负责的派出所。",
    "Basis of the decision, a note.": "决定依据、备注。",
    "Correct a restriction. Give only the fields that change; `-` clears the station, the "
    "note or an appeal date given by hand. It is checked again as `penalty add` checks it, "
    "the five-year rule included; a new start or term moves the end date (and the appeal "
    "date, unless given). The old and new values are kept in the audit log (masked).":
        "更正惩戒记录。只需给出要改的字段；`-` 清除派出所、备注或手工给出的申诉期限。按 "
        "`penalty add` 的规则重新检查，含五年上限；改开始日期或年限会重算结束日期（及申诉期限，"
        "除非另行给出）。修改前后的值记入审计日志（脱敏）。",
    "The restriction's number (CJ…).": "惩戒编号（CJ……）。",
    "Last day to appeal (`-`: the default, 15 days after the start).":
        "申诉截止日期（`-` 表示默认值，即开始后 15 天）。",
    "List restrictions, the latest first (names and ID numbers masked).":
        "列出惩戒记录。最新的在前（姓名和身份证号脱敏）。",
    "Only restrictions in force today.": "只列今天仍在执行的惩戒。",
    "Only this person's restrictions.": "只列此人的惩戒。",
    "List voided restrictions instead.": "改为列出已撤销的惩戒。",
    "Show one restriction (name and ID number masked unless --reveal, which is audited).":
        "显示一条惩戒记录（姓名和身份证号脱敏，除非用 --reveal，会记入审计日志）。",
    "Withdraw a restriction entered in error: it is kept, marked void, and left out of the "
    "lists and of the five-year rule for consecutive restrictions.":
        "撤销误录的惩戒记录。记录保留并标为已撤销，不列入清单，也不计入连续惩戒的五年上限。",

    # -- campaign --------------------------------------------------------------------
    "Campaigns (专项行动): named periods that reports sum over. They may overlap.":
        "专项行动：报表据以汇总的命名期间。期间可以重叠。",
    "Register a campaign; prints its name (the stored record with --format json).":
        "登记专项行动。输出其名称（用 --format json 时输出所存记录）。",
    "The campaign's name.": "专项行动名称。",
    "Last day, included; not before --from.": "截止日期，含当天；不得早于 --from。",
    "Correct a campaign: its name, first or last day, or note (`-` clears the note). The "
    "old and new values are kept in the audit log; reports over it follow.":
        "更正专项行动：名称、起止日期或备注（`-` 清除备注）。修改前后的值记入审计日志；"
        "相关报表随之变化。",
    "A new name.": "新名称。",
    # -- tongwei find (commands/find.py) -------------------------------------------------
    "Has this person come up before? Every warning, case (as the victim) and restriction of "
    "the person, newest first, masked. The value is taken as an ID number, a phone number or "
    "a name by its look, or as --phone, --id or --name says. Each lookup is recorded in the "
    "audit log (who looked up whom, masked).":
        "这个人以前出现过吗？列出此人的全部预警、案件（作为受害人）和惩戒记录，最新的在前，个人信息遮蔽显示。"
        "按输入的样子判断是身份证号、电话还是姓名，也可用 --phone、--id 或 --name 指明。"
        "每次查询都记入审计日志（谁查了谁，遮蔽记录）。",
    "A phone number, an ID number or a name.": "电话号码、身份证号或姓名。",
    "VALUE is a phone number.": "VALUE 是电话号码。",
    "VALUE is a resident ID number.": "VALUE 是居民身份证号。",
    "VALUE is a name.": "VALUE 是姓名。",
    "Remove a campaign registered in error. No record belongs to a campaign, so nothing "
    "else changes; the audit log keeps what it was, who removed it and why.":
        "删除误登记的专项行动。记录不属于专项行动，其他内容都不变；审计日志保留其内容、"
        "删除人和原因。",
    "List campaigns, the latest first.": "列出专项行动。最新的在前。",
    "Only campaigns covering this day (today, YYYY-MM-DD).":
        "只列覆盖这一天的专项行动（today 今天、YYYY-MM-DD）。",
    "Show one campaign (a unique start of its name is enough).":
        "显示一个专项行动（名称开头能唯一确定即可）。",

    # -- import ----------------------------------------------------------------------
    "Load a file of records: CSV (UTF-8, UTF-8 with BOM or GB18030), XLSX or JSON.":
        "从文件导入记录。支持 CSV（UTF-8、带 BOM 的 UTF-8 或 GB18030）、XLSX 和 JSON。",
    "Columns are the option names of the matching add command (`received`, `victim-phone` "
    "or `victim_phone`…) or the platform's Chinese headers (预警编号, 预警时间, 风险等级, "
    "手机号码, 身份证号, 管辖单位…; see data/import_headers.csv). Every row is checked "
    "first: a file with any bad row writes nothing, and every bad row is named with its "
    "line and column. Importing the same file again adds nothing. The summary line "
    "(`imported 1200, unchanged 30`) goes to stdout; notes and the progress bar to "
    "stderr.": "列名为对应 add 命令的选项名（`received`、`victim-phone` 或 `victim_phone`……），"
               "或平台导出的中文表头（预警编号、预警时间、风险等级、手机号码、身份证号、"
               "管辖单位……；见 data/import_headers.csv）。先检查每一行：只要有一行有误，整个文件"
               "都不写入，并逐一指出每个有误的行号和列。重复导入同一文件不会增加记录。汇总行"
               "（`已导入 1200 条，未变 30 条`）输出到标准输出；提示和进度条输出到标准错误。",
    "Import fraud cases (no is required: it makes a second import add nothing) from FILE.":
        "从文件 FILE 导入诈骗案件（no 案件编号必填：有了它，再次导入不会重复添加）。",
    "A .csv, .xlsx or .json file.": ".csv、.xlsx 或 .json 文件。",
    "Check everything and say what would be written; write nothing.":
        "全部检查并说明将写入什么；不写入任何内容。",
    "A row whose key is stored with other values corrects the stored record (kept in the "
    "audit log) instead of being refused.": "编号已存在但内容不同的行，将更正已存的记录"
                                            "（记入审计日志），而不是拒绝。",
    "Import case events (matched by their content) from FILE.":
        "从文件 FILE 导入案件事项（按内容识别是否已存在）。",
    "Import early warnings from FILE.": "从文件 FILE 导入预警。",
    "Import follow-ups of warnings (matched by warning, time and method) from FILE.":
        "从文件 FILE 导入预警跟进（按预警、时间和方式识别是否已存在）。",
    "Import outreach sessions (matched by ref, or by content without one) from FILE.":
        "从文件 FILE 导入宣传活动（按中心编号识别，无编号时按内容识别）。",
    "Import two-card supervision actions (matched by content; institutions registered on "
    "first use) from FILE.":
        "从文件 FILE 导入断卡监管措施（按内容识别；机构首次出现时自动登记）。",

    # -- report ----------------------------------------------------------------------
    "Reports: the daily summary (每日一汇总), any period, a campaign, and the bulletin "
    "paragraph the bureau publishes. Every figure is computed as of the end of the period, "
    "so a report of a past period never changes. Formats: table, text, markdown, json, "
    "csv, html, xlsx.": "报表。包括每日一汇总、任意期间、专项行动，以及公安局发布的战果通报。"
                        "每个数字都按期间结束时的情况计算，过去期间的报表永远不变。格式：table、"
                        "text、markdown、json、csv、html、xlsx。",
    "The daily summary: the day's figures against the day before and a year ago, the "
    "running totals of the campaign, the station ranking, and the warnings still without "
    "feedback to dispatch (masked).": "每日汇总：当天数字及与前一天、去年同日的对比，专项行动"
                                      "累计，派出所排名，以及仍未反馈、待调度的预警（脱敏）。",
    "The day (YYYY-MM-DD, today, yesterday). Default: today.":
        "日期（YYYY-MM-DD、today 今天、yesterday 昨天）。默认：今天。",
    "Show this campaign's running totals. Default: the campaign covering the day, if any "
    "(of overlapping ones, the one that started last).": "显示此专项行动的累计数。默认：覆盖"
                                                        "当天的专项行动（若有；有重叠时取最晚"
                                                        "开始的）。",
    "Any period of whole days: the four strands, breakdowns by fraud type, station, level "
    "and audience, the station ranking, and the change against the period before (环比) "
    "and a year earlier (同比). --from and --to are required.":
        "任意整日期间的统计：打、防、宣、管控四项，按诈骗类型、派出所、预警等级和宣传对象的分类，"
        "派出所排名，以及环比和同比。--from 和 --to 必填。",
    "The range report over a campaign's days (up to today while it runs).":
        "按专项行动的期间出统计报表（行动进行中时截至今天）。",
    "The paragraph the bureau publishes: cases solved, people arrested and referred, money "
    "recovered and frozen (万元), the warning feedback rate, outreach. Give either "
    "--campaign or --from and --to.": "公安局发布的战果通报段落：破案、抓获和移送起诉人数、"
                                      "挽回和冻结金额（万元）、预警反馈率、宣传情况。须给出 "
                                      "--campaign，或 --from 和 --to。",
    "A campaign by name (or a unique prefix); see `tongwei campaign list`.":
        "专项行动名称（或能唯一确定的开头）；见 `tongwei campaign list`。",
    "Write outreach counts as the press does: 43 -> 40余次, 30450 -> 30000余份 (cut to tens "
    "below 100, else to two significant digits).": "按新闻稿的写法写宣传数字：43 -> 40余次，"
                                                  "30450 -> 30000余份（100 以下取到十位，"
                                                  "否则保留两位有效数字）。",

    # -- ref ---------------------------------------------------------------------------
    "Reference lists. Wherever a command takes one of these values, it accepts the code, "
    "the English name, the Chinese name, or a unique prefix of the Chinese name.":
        "基础数据。命令中凡需填写这些值的地方，都可用代码、英文名、中文名或能唯一确定的中文名开头"
        "。",
    "List the fraud types (诈骗类型).": "列出诈骗类型。",
    "List the police stations (派出所).": "列出派出所。",
    "List the warning levels (预警等级).": "列出预警等级。",
    "List the outreach audiences (宣传对象).": "列出宣传对象。",
    "List the outreach forms (宣传形式).": "列出宣传形式。",
    "List the venue kinds (场所类型).": "列出场所类型。",
    "Change a warning level's feedback deadline (反馈时限), recorded in the audit log. "
    "Warnings already received keep the deadline they were given.":
        "修改预警等级的反馈时限，记入审计日志。已接收的预警保留原定的反馈时限。",
    "high | medium | low (高风险…).": "预警等级：high | medium | low（高风险……）。",
    "Feedback deadline in hours.": "反馈时限，单位小时。",

    # -- audit, db -------------------------------------------------------------------
    "The append-only audit log: every change, who made it and when, each row chained to "
    "the one before by its SHA-256.": "只增不改的审计日志。记录每次修改、修改人和时间，每条"
                                      "记录以 SHA-256 与前一条相链。",
    "List the audit log, oldest first (personal data in it is always masked).":
        "列出审计日志。最早的在前（其中的个人信息始终脱敏）。",
    "Only this officer's changes.": "只列此民警的修改。",
    "Only this kind of record (case, warning, import…).": "只列此类记录（case 案件、warning 预警、"
                                                          "import 导入……）。",
    "Check the hash chain of the audit log; exit 0 only if it is intact.":
        "检查审计日志的哈希链；完好时退出码才为 0。",
    "The database file: where it is, what is in it, a safe copy, compaction.":
        "数据库文件：位置、内容、安全备份和压缩。",
    "Print the path of the database file in use (it need not exist yet).":
        "显示正在使用的数据库文件路径（文件可以尚不存在）。",
    "Path, size, schema version, SQLite version, row counts and WAL size.":
        "显示路径、大小、结构版本、SQLite 版本、各表行数和 WAL 大小。",
    "Copy the database with SQLite's online backup (safe while others write), then check "
    "the copy.": "用 SQLite 在线备份复制数据库（他人写入时也安全），然后检查副本。",
    "Where to write the copy; its folder must exist (it is never made).":
        "副本的写入位置；其所在文件夹必须已存在（不会自动创建）。",
    "Replace PATH if it exists.": "PATH 已存在时覆盖。",
    "Rewrite the file with every page full (SQLite's VACUUM) and report the space given "
    "back. Worth it after a scrub or many removals, or when records were added far out of "
    "date order (pages of the date indexes are then left part-empty); the records and "
    "figures do not change. Run it when no one else is writing (they wait up to 30 s for "
    "it, then are told to try again); it needs free disk space about twice the file's "
    "size.": "重写数据文件，使每一页都写满（SQLite 的 VACUUM），并报告腾出的空间。清除个人信息或"
             "大量删除之后、或记录远未按日期顺序录入时（日期索引的页面会半空）值得一做；记录和"
             "统计数字不变。请在无人写入时运行（他人最多等待 30 秒，之后会被告知稍后再试）；"
             "需要约为文件两倍大小的空闲磁盘空间。",
    "Remove personal data (names, phone numbers, ID numbers) from closed cases, fed-back "
    "warnings and ended two-card restrictions older than a day, keeping only the masked "
    "form. Every figure stays as it was; the audit log says what was done.":
        "清除早于某日的已结案件、已反馈预警和已结束的两卡惩戒中的个人信息（姓名、电话号码、"
        "身份证号），只保留脱敏形式。统计数字不变；审计日志记录所做的清除。",
    "Scrub records finished before this day (YYYY-MM-DD).":
        "清除在此日期之前办结的记录（YYYY-MM-DD）。",
    "Output format: table, json or csv; lists also xlsx; reports also text, markdown, html, "
    "pdf and xlsx. Default: from the -o file's extension, else table.":
        "输出格式：table、json 或 csv；列表还可用 xlsx；报表还可用 text、markdown、html、pdf "
        "和 xlsx。默认：按 -o 文件的扩展名，否则为 table。",
    "Write to FILE instead of the screen (- for the screen); the format follows its "
    "extension (.json .csv .txt .md .html .pdf .xlsx) unless --format says otherwise. The "
    "file is written whole or not at all, and a new one is readable only by you.":
        "写入文件 FILE 而不是屏幕（- 表示屏幕）；格式按扩展名（.json .csv .txt .md .html .pdf "
        ".xlsx）确定，除非用 --format 另行指定。文件要么完整写入，要么不写；新文件只有本人可读。",
    "Encoding of a CSV file: utf-8 (with the BOM Excel looks for; the default) or gb18030 "
    "(what the platform's spreadsheets use, for a file going back to it).":
        "CSV 文件的编码：utf-8（带 Excel 识别的 BOM；默认）或 gb18030（平台表格所用编码，"
        "用于交回平台的文件）。",
    "Only this institution: its name, or a part of it that only it has (农商).":
        "只列此机构：机构名称，或只属于它的一部分名称（农商）。",
    "Only this status: reported, filed, solved, closed, or void (voided cases are hidden "
    "otherwise); or in Chinese: 已报案, 已立案, 已破案, 已结案, 已撤销.":
        "只列此状态：reported 已报案、filed 已立案、solved 已破案、closed 已结案，或 void "
        "已撤销（否则不显示已撤销的案件）；也可写中文。",
    "open (no feedback yet, overdue included), overdue, or closed; or in Chinese: 待反馈, "
    "已超期, 已反馈.":
        "open 待反馈（尚未反馈，含已超期）、overdue 已超期，或 closed 已反馈；也可写中文。",
    "A witness file written by `tongwei audit anchor -o FILE`: the chain must still pass "
    "through every anchor of this database in it.":
        "由 `tongwei audit anchor -o 文件` 写下的见证文件：审计链必须仍经过其中本数据库的每个锚点。",
    "An anchor as a report printed it (ROW:HASH, e.g. 1234:9f3a1c2b…e07d): the chain must "
    "still pass through it. May be repeated.":
        "报表上印的锚点（行号:哈希，如 1234:9f3a1c2b…e07d）：审计链必须仍经过它。可重复给出。",
    "Append the anchor to this witness file (kept outside the database: the backup stick, "
    "another machine). Default: print it.":
        "把锚点追加到此见证文件（存于数据库之外：备份 U 盘、另一台电脑）。默认：打印出来。",
    "Check the audit chain (each row signed with the database's key, each following the one "
    "before) and, with --anchor or --head, that it still passes through the anchors recorded "
    "outside the file; exit 0 only if it does. Needs the database's key.":
        "检查审计链（每条记录都由数据库密钥签名，且接续前一条），并在给出 --anchor 或 --head "
        "时检查它仍经过文件外记下的锚点；全部通过才以 0 退出。需要数据库密钥。",
    "Check the file (integrity, foreign keys), its key, the audit chain, every record against "
    "its digest (a record changed, added or removed without an audit row is named), the "
    "triggers that guard them, and the domain rules (recoveries within the loss, follow-ups "
    "after their warning, no events on voided cases, deadlines after their actions…). Exit 0 "
    "when clean, 1 with one line per problem.":
        "检查文件（完整性、外键）、密钥、审计链、每条记录与其摘要（未留审计记录而被修改、新增或"
        "删除的记录会被指出）、保护它们的触发器，以及业务规则（挽回不超过损失、跟进不早于预警、"
        "已撤销案件无新进展、整改期限晚于措施……）。无问题时以 0 退出，有问题时以 1 退出并逐条列出。",
    "Create the database (or bring an existing one up to date), load the reference data, and "
    "make the database's key (a key file of mode 0600 in the per-user config folder, or "
    "TONGWEI_KEY_FILE). Says where the key is. With --station, the file is that police "
    "station's own (TW20261202-PINGXIANG-001); the county merges it with `tongwei merge`.":
        "创建数据库（或把已有数据库升级到最新），载入参考数据，并生成数据库密钥（存于用户配置"
        "目录中权限为 0600 的密钥文件，或 TONGWEI_KEY_FILE 指定处）。会说明密钥所在位置。加 "
        "--station 时，本文件为该派出所自用（编号如 TW20261202-PINGXIANG-001）；县局用 "
        "`tongwei merge` 合并。",
    "Make this file a police station's own: the numbers it gives (cases, outreach, "
    "supervision actions, restrictions) carry the station's code, so that the county can "
    "merge every station's file (`tongwei merge`). Code, name or unique prefix (平襄). Set "
    "once.":
        "把本文件设为某派出所自用：它编出的号码（案件、宣传、监管措施、惩戒）带上派出所代码，"
        "县局即可合并各所文件（`tongwei merge`）。代码、名称或唯一前缀（平襄）。只能设置一次。",
    "Merge station files into this one: each record new to the county is added, one the "
    "same is left, one changed on one side since the last merge of that file takes the "
    "changed side, and one changed on both sides differently is a conflict, listed (exit 1) "
    "and left unless --prefer settles it. Each file is merged all or nothing, after its "
    "audit log and records are verified; its personal data is opened with its own key and "
    "sealed with the county's. Merging the same file again changes nothing.":
        "把派出所文件合并到本文件：县局没有的记录新增，相同的不动，自上次合并该文件以来只有一方"
        "改过的取改过的一方，双方改得不同的是冲突——列出（退出码 1）并保持原样，除非用 --prefer "
        "裁定。每个文件全部合并或全不合并，合并前先核验其审计日志和记录；其个人信息用它自己的"
        "密钥解开，再用县局的密钥加密。再次合并同一文件不会有任何变化。",
    "Station files (made with `tongwei init --station S`) or any tongwei file.":
        "派出所文件（用 `tongwei init --station S` 建立），或任何 tongwei 文件。",
    "Settle a conflict (a record both sides changed since the last merge) with the county's "
    "or the station's version: county or station. Without it a conflict is listed and left "
    "as it is.":
        "用县局或派出所的版本裁定冲突（自上次合并以来双方都改过的记录）：county 或 station。"
        "不加此项时冲突只列出、保持原样。",
    "The key file that holds the station file's key (`tongwei db key export` prints it as a "
    "recovery sheet; `db key import` writes a key file). Default: where any file's key is "
    "looked for, by its database id.":
        "存有派出所文件密钥的密钥文件（`tongwei db key export` 打印为恢复单；`db key import` "
        "写成密钥文件）。默认：按数据库编号在查找任何文件密钥的位置查找。",
    "Check everything and say what would be merged; write nothing.":
        "全部检查并说明将合并什么；不写入任何内容。",
    "Create the database (or bring an existing one up to date), load the reference data, and "
    "make the database's key (a key file of mode 0600 in the per-user config folder, or "
    "TONGWEI_KEY_FILE). Says where the key is.":
        "创建数据库（或把已有数据库升级到最新），载入参考数据，并生成数据库密钥（存于用户配置"
        "目录中权限为 0600 的密钥文件，或 TONGWEI_KEY_FILE 指定处）。会说明密钥所在位置。",
    "The only command that makes a database (and its folder): every other one refuses a path "
    "with no database at it.":
        "只有本命令会新建数据库（及其文件夹）：其他命令遇到没有数据库的路径一律拒绝。",
    "Give the database a new key, in one transaction: the records' digests are made again "
    "under it, the rotation's audit row is signed with it and carries the old key's "
    "endorsement. The old key stays in the key file (the rows signed before still verify with "
    "it); print a new recovery sheet afterwards. Refused while `tongwei check` finds a record "
    "that does not match its digest.":
        "在一个事务中为数据库更换新密钥：各记录的摘要按新密钥重算，更换操作的审计记录由新密钥"
        "签名并带有旧密钥的背书。旧密钥留在密钥文件中（此前签名的记录仍可用它核验）；更换后请"
        "打印新的恢复单。若 `tongwei check` 发现与摘要不符的记录，则拒绝更换。",
    "Print the recovery sheet of the database's key (all its keys, the current one first): "
    "printable text with a checksum on every line, for the bureau's safe. `db key import` "
    "restores it. Recorded in the audit log.":
        "打印数据库密钥的恢复单（全部密钥，当前密钥在前）：每行带校验码的可打印文本，存入局里"
        "的保险柜。`db key import` 可据此恢复。此操作记入审计日志。",
    "Restore the database's key from its recovery sheet: the sheet must be this database's "
    "(its id) and hold its current key (the key check value); a mistyped line is named. The "
    "keys go to the key file (TONGWEI_KEY_FILE, else the per-user folder).":
        "从恢复单恢复数据库密钥：恢复单必须属于本数据库（标识一致）并含有当前密钥（密钥校验值"
        "一致）；录错的行会被指出。密钥写入密钥文件（TONGWEI_KEY_FILE，否则为用户目录）。",
    "The append-only audit log: every change, who made it and when, each row chained to the "
    "one before and signed with the database's key (HMAC-SHA256; rows from before keys keep "
    "their SHA-256). Anchors (row and hash of the head, as every report prints it) kept "
    "outside the file catch a chain cut short or rebuilt.":
        "只增不改的审计日志：每一处修改、由谁、何时，每条记录接续前一条并由数据库密钥签名"
        "（HMAC-SHA256；启用密钥之前的记录保留其 SHA-256）。存于文件之外的锚点（链头的行号和"
        "哈希，每份报表都会印出）能发现被截短或重建的审计链。",
    "The database file: where it is, what is in it, a safe copy, compaction, and its key.":
        "数据库文件：位置、内容、安全副本、压缩整理，以及密钥。",
    "The database's key: kept outside the file (in the per-user config folder, or where "
    "TONGWEI_KEY_FILE says), found by the database's id. It signs the audit log and the "
    "records' digests, and will encrypt the personal data. Without it the file can still be "
    "read (lists, shows, reports); every change is refused.":
        "数据库密钥：存于文件之外（用户配置目录，或 TONGWEI_KEY_FILE 指定处），按数据库标识查找。"
        "它为审计日志和记录摘要签名，并将用于加密个人信息。没有密钥时仍可读取文件（列表、详情、"
        "报表），但拒绝一切修改。",
    "The recovery sheet (as exported, or typed back in); - reads standard input.":
        "恢复单（导出的文件，或重新录入的文本）；- 表示从标准输入读取。",
    "Verify the chain, then record its head -- row number and hash, with the date-time and "
    "the database's id -- outside the database. `audit verify --anchor FILE` later fails if "
    "the chain was cut short or rebuilt since, even by someone holding the key.":
        "核验审计链后，把链头（行号和哈希，连同日期时间和数据库标识）记到数据库之外。此后若审计链"
        "被截短或重建（即使重建者持有密钥），`audit verify --anchor 文件` 就会失败。",
    "Write the sheet to FILE (mode 0600) instead of the screen.":
        "把恢复单写入文件 FILE（权限 0600），而不是屏幕。",
}
