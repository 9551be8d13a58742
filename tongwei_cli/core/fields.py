"""Each kind of record, declared once: its fields, in the order the commands take them.

A field is one line: its name (the option `--victim-phone`, the import column
`victim-phone` or `victim_phone`, the key of the raw values the domain checks), the column
that stores it, its Chinese and English label, its help, and whether it is required,
clearable, personal (masked in every output), compared on re-import and how a table shows
it. From these come the SQL column lists (`domain`), the import kinds and their help
(`imports`), the command options and prompts (`commands`), the table columns (`render`)
and the masking (`core.masking`). The platform's other names for a column (预警编号 …)
are data the centre can extend: `data/import_headers.csv`.

Adding a field to a case: one line below, one migration (`storage/sql/NNN_*.sql`) that adds
the column, and the check in `domain.cases.prepare_case` if the value needs more than text.
"""

from __future__ import annotations

# (Plain classes, not dataclasses or named tuples: every command loads this module, and
# making either kind of class costs start-up time.)


class Field:
    __slots__ = ("ask", "clearable", "column", "compared", "en", "free", "help", "name",
                 "personal", "required", "shown", "zh")

    def __init__(self, name: str, zh: str, en: str, help: str, *, column: str | None = "",
                 required: bool = False, clearable: bool | None = None,
                 personal: str | None = None, compared: bool = True, shown: str = "text",
                 ask: str | None = None, free: bool = False):
        self.name = name  # the raw key: option `--name`, import column `name`, `_` for `-`
        self.zh = zh  # label, Chinese
        self.en = en  # label, English
        self.help = help  # what the option takes (English); `Required.` is added where it is
        self.column = column  # the stored column: "" the same as `name`; None not stored
        self.required = required
        self.clearable = clearable  # `-` clears it in an update; default: when not required
        self.personal = personal  # "name", "phone" or "id": masked everywhere, never in clear
        self.compared = compared  # a re-import with another value is a correction
        self.shown = shown  # how tables show it: text, money, int, word, bool, stamp, ref:KIND
        self.ask = ask  # how a terminal asks for it when missing: ref:KIND, or text
        # Free text (a summary, a note): a phone or ID number typed into it is masked where
        # it is stored, the text as typed sealed beside it (`<column>_enc`,
        # storage/personal.py).
        self.free = free

    def __repr__(self) -> str:
        return f"Field({self.name!r})"

    @property
    def stored(self) -> str | None:
        return self.name if self.column == "" else self.column

    @property
    def option(self) -> str:
        return "--" + self.header

    @property
    def header(self) -> str:
        return self.name.replace("_", "-")

    @property
    def can_clear(self) -> bool:
        return (not self.required) if self.clearable is None else self.clearable

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class RecordKind:
    __slots__ = ("fields", "name", "table")

    def __init__(self, name: str, table: str, fields: tuple[Field, ...]):
        self.name = name  # as the audit log names it
        self.table = table
        self.fields = fields

    def __repr__(self) -> str:
        return f"RecordKind({self.name!r})"

    def __getitem__(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def headers(self) -> tuple[str, ...]:
        """The import columns (the option names without `--`)."""
        return tuple(f.header for f in self.fields)

    def required(self) -> tuple[str, ...]:
        return tuple(f.header for f in self.fields if f.required)

    def clearable(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.can_clear)

    def columns(self) -> tuple[str, ...]:
        """The stored columns, in field order."""
        return tuple(f.stored for f in self.fields if f.stored)

    def written(self) -> tuple[str, ...]:
        """The stored columns with, after each personal one, its ciphertext and blind index
        (`<column>_enc`, `<column>_bi`: storage/personal.py), and after each free text its
        ciphertext (`<column>_enc`): what an insert writes."""
        out: list[str] = []
        for f in self.fields:
            if f.stored:
                out.append(f.stored)
                if f.personal:
                    out += [f.stored + "_enc", f.stored + "_bi"]
                elif f.free:
                    out.append(f.stored + "_enc")
        return tuple(out)

    def compared(self) -> tuple[str, ...]:
        """The stored columns a re-import compares: a personal one by its blind index (its
        masked form does not tell 张三 from 张四), a free text by its masked form and its
        ciphertext (`请回电138****5678` hides which number; the ciphertext, deterministic,
        does not)."""
        out: list[str] = []
        for f in self.fields:
            if f.stored and f.compared:
                if f.personal:
                    out.append(f.stored + "_bi")
                else:
                    out += [f.stored, f.stored + "_enc"] if f.free else [f.stored]
        return tuple(out)

    def personal(self) -> dict[str, str]:
        """Stored column -> the kind of personal data it holds."""
        return {f.stored: f.personal for f in self.fields if f.personal and f.stored}

    def free_text(self) -> tuple[str, ...]:
        """The stored columns of its free text (`Field.free`)."""
        return tuple(f.stored for f in self.fields if f.free and f.stored)


DATE = "YYYY-MM-DD, today, yesterday"
MOMENT = "local time: YYYY-MM-DD HH:MM, or now"

CASE = RecordKind("case", "cases", (
    Field("no", "案件编号", "Case no.", "Case number. Default: TW<date>-NNN.",
          clearable=False, compared=False),
    Field("reported", "报案日期", "Reported", f"Date reported ({DATE}).", required=True,
          ask="date"),
    Field("type", "诈骗类型", "Fraud type", "Fraud type: code, English or Chinese name, or a "
          "unique prefix (刷单). See `tongwei ref types`.", required=True,
          shown="ref:types", ask="ref:types"),
    Field("station", "派出所", "Station", "Police station: code or name (平襄). See `tongwei "
          "ref stations`.", required=True, shown="ref:stations", ask="ref:stations"),
    Field("loss", "损失(元)", "Loss (yuan)", "Loss in yuan, up to two decimals (12000.50, "
          "1.5万).", column="loss_fen", required=True, shown="money", ask="money"),
    Field("occurred", "发案日期", "Occurred", "Date the fraud happened."),
    Field("victim_name", "受害人", "Victim", "Victim's name (masked in every output).",
          personal="name"),
    Field("victim_phone", "电话", "Phone", "Victim's mobile number (masked).",
          personal="phone"),
    Field("victim_id", "身份证号", "ID number", "Victim's resident ID number (checked, "
          "masked); sex and age are derived from it.", personal="id"),
    Field("victim_gender", "性别", "Sex", "Victim's sex: M or F (男/女).", shown="word"),
    Field("victim_age", "年龄", "Age", "Victim's age in years."),
    Field("victim_group", "人群", "Group", "Victim's group, an outreach audience (students, "
          "老年人…). See `tongwei ref audiences`.", shown="ref:audiences"),
    Field("warning", "预警编号", "Warning no.", "Number of the early warning that preceded "
          "the case (预警后被骗)."),
    Field("summary", "简要案情", "Summary", "Short account of what happened.", free=True),
))

EVENT = RecordKind("event", "case_events", (
    Field("case", "案件编号", "Case no.", "The case number.", column="case_id", required=True),
    Field("kind", "事项", "Event", "filed | solved | arrest | prosecute | recover | freeze | "
          "stop-payment | close", required=True, shown="word:event"),
    Field("date", "日期", "Date", "Date of the event. Default: today."),
    Field("count", "人数", "Count", "People arrested or referred (arrest, prosecute). "
          "Default: 1."),
    Field("amount", "金额(元)", "Amount (yuan)", "Yuan recovered, frozen or stopped (recover, "
          "freeze, stop-payment; required there).", column="amount_fen", shown="money"),
    Field("note", "备注", "Note", "A note.", free=True),
))

WARNING = RecordKind("warning", "warnings", (
    Field("no", "预警编号", "Warning no.", "Warning number from the platform (预警编号).",
          required=True, compared=False, ask="text"),
    Field("received", "预警时间", "Received", f"When the warning was received, {MOMENT}.",
          column="received_at", required=True, shown="stamp", ask="moment"),
    Field("level", "风险等级", "Level", "Risk level: high|medium|low (高风险…).",
          required=True, shown="ref:levels", ask="ref:levels"),
    Field("station", "管辖单位", "Station", "Police station responsible (管辖单位): code or "
          "name (平襄).", required=True, shown="ref:stations", ask="ref:stations"),
    Field("phone", "手机号码", "Phone", "The person's mobile number (masked).", required=True,
          personal="phone", ask="text"),
    Field("kind", "预警类型", "Kind", "money (资金预警) or contact (接触预警).", shown="word"),
    Field("name", "姓名", "Name", "The person's name (masked).", personal="name"),
    Field("id", "身份证号", "ID number", "The person's resident ID number (checked, masked).",
          column="id_no", personal="id"),
    Field("type", "诈骗类型", "Fraud type", "Suspected fraud type. See `tongwei ref types`.",
          shown="ref:types"),
    Field("source", "来源", "Source", "Where the warning came from (platform, bank…).",
          free=True),
    Field("note", "备注", "Note", "A note.", free=True),
))

FOLLOWUP = RecordKind("followup", "followups", (
    Field("warning", "预警编号", "Warning no.", "The warning number.", column="warning_id",
          required=True, compared=False),
    Field("at", "时间", "At", f"When, {MOMENT}. Not before the warning, not in the future.",
          required=True, compared=False, shown="stamp", ask="moment"),
    Field("method", "方式", "Method", "phone | visit | sms | other.", required=True,
          compared=False, shown="word", ask="word:methods"),
    Field("outcome", "结果", "Outcome", "dissuaded | defrauded | not-fraud | unreachable | "
          "in-progress.", required=True, shown="word", ask="word:outcomes"),
    Field("case", "案件编号", "Case no.", "Number of the case this led to (预警后被骗).",
          column="case_id"),
    Field("note", "备注", "Note", "A note.", free=True),
))

OUTREACH = RecordKind("outreach", "outreach", (
    Field("date", "日期", "Date", f"Date of the session ({DATE}).", required=True, ask="text"),
    Field("station", "派出所", "Station", "Police station: code or name (平襄).",
          required=True, shown="ref:stations", ask="ref:stations"),
    Field("audience", "宣传对象", "Audience", "Who was reached: code, English or Chinese name "
          "(在校学生, elderly…). See `tongwei ref audiences`.", required=True,
          shown="ref:audiences", ask="ref:audiences"),
    Field("form", "形式", "Form", "Form: hand-in-hand 手拉手, face-to-face 面对面, "
          "point-to-point 点对点, lecture, stall, door-to-door, media.", required=True,
          shown="ref:forms", ask="ref:forms"),
    Field("venue", "地点", "Venue", "Where: the place's name.", required=True, ask="text",
          free=True),
    Field("venue_kind", "场所类型", "Venue kind", "Kind of place: school, enterprise, "
          "village, bank… See `tongwei ref venues`.", shown="ref:venues"),
    Field("attendees", "受众(人)", "Attendees", "People reached (whole number).",
          required=True, shown="int", ask="text"),
    Field("materials", "资料(份)", "Materials", "Leaflets and other materials handed out.",
          required=True, shown="int", ask="text"),
    Field("ref", "中心编号", "Ref", "The centre's own number for the session (unique).",
          compared=False),
    Field("posters", "海报(张)", "Posters", "Posters put up.", shown="int"),
    Field("videos", "视频(次)", "Videos", "Videos played.", shown="int"),
    Field("app_installs", "APP安装(人)", "App installs", "Anti-fraud app installs "
          "(国家反诈中心APP).", shown="int"),
    Field("notices_signed", "告知书签署(份)", "Notices signed", "Anti-fraud notices signed "
          "(反诈告知书).", shown="int"),
    Field("note", "备注", "Note", "A note.", free=True),
))

CARD_ACTION = RecordKind("card_action", "card_actions", (
    Field("date", "日期", "Date", f"Date of the action ({DATE}).", required=True, ask="text"),
    Field("institution", "机构", "Institution", "The institution's name (registered on "
          "first use).", column="institution_id", required=True, ask="text"),
    Field("kind", "措施", "Action", "What was done: inspection (检查), interview (约谈), notice "
          "(提示函/通报), fine (罚款), rectify (责令整改), recheck (复查).", required=True,
          shown="word", ask="word:actions"),
    Field("institution_kind", "机构类型", "Institution kind", "bank, payment, telecom or "
          "outlet; required when the institution is new.", column=None, shown="word"),
    Field("amount", "罚款(元)", "Fine (yuan)", "The fine in yuan (required for fine).",
          column="amount_fen", shown="money"),
    Field("deadline", "整改期限", "Deadline", "Rectification deadline, after --date "
          "(required for rectify)."),
    Field("note", "备注", "Note", "A note.", free=True),
    Field("station", "派出所", "Station", "Police station in charge; default: the "
          "institution's.", shown="ref:stations", compared=False),
))

RESTRICTION = RecordKind("restriction", "card_penalties", (
    Field("name", "姓名", "Name", "The person's name (masked).", required=True,
          personal="name", ask="text"),
    Field("id_no", "身份证号", "ID number", "Resident ID number (checked, masked).",
          required=True, personal="id", ask="text"),
    Field("measure", "惩戒措施", "Measure", "financial (金融惩戒), network (电信网络惩戒) or "
          "credit (纳入征信).", required=True, shown="word", ask="word:measures"),
    Field("start", "开始", "From", "First day of the restriction.", column="start_date",
          required=True, ask="text"),
    Field("years", "年限", "Years", "2 or 3.", required=True, shown="int", ask="text"),
    Field("appeal_by", "申诉期限", "Appeal by", "Last day to appeal. Default: some days "
          "after the start (the county's setting)."),
    Field("station", "派出所", "Station", "Police station in charge.", shown="ref:stations"),
    Field("note", "备注", "Note", "Basis of the decision, a note.", free=True),
))

CAMPAIGN = RecordKind("campaign", "campaigns", (
    Field("name", "名称", "Name", "The campaign's name.", required=True),
    Field("from", "开始", "From", f"First day ({DATE}).", column="first_day", required=True,
          ask="text"),
    Field("to", "结束", "To", "Last day, included; not before --from.", column="last_day",
          required=True, ask="text"),
    Field("note", "备注", "Note", "A note.", free=True),
))

KINDS: tuple[RecordKind, ...] = (CASE, EVENT, WARNING, FOLLOWUP, OUTREACH, CARD_ACTION,
                                 RESTRICTION, CAMPAIGN)


SEALED = ("_enc", "_bi")  # the ciphertext and blind index kept beside a personal column


def is_sealed(column: str) -> bool:
    """Whether a column is the ciphertext or blind index of a personal one: internal,
    never shown, never in the audit log."""
    return column.endswith(SEALED)


# The tables whose records can be withdrawn (`void --reason`): their `void_reason` is free
# text too, kept beside the declared fields.
VOIDABLE = ("cases", "outreach", "card_actions", "card_penalties")


def free_text_columns() -> dict[str, tuple[str, ...]]:
    """Every table's free-text columns (`Field.free`, and the reason a record was
    withdrawn): where a phone or ID number typed in is kept masked, the text sealed beside
    it in `<column>_enc` (storage/personal.py). (A campaign's or an institution's name, a
    session's `ref` and the record numbers are keys that lookups compare: not free text.)"""
    out: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        columns = kind.free_text() + (("void_reason",) if kind.table in VOIDABLE else ())
        if columns:
            out[kind.table] = columns
    return out


def personal_columns() -> dict[str, str]:
    """Every stored column that holds personal data, with its kind (name, phone, id)."""
    out: dict[str, str] = {}
    for kind in KINDS:
        out.update(kind.personal())
    return out
