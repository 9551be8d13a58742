"""One chooser for every list a command or an import takes (`domain.choices`): by code,
English, Chinese, an alias of data/aliases.csv, a unique prefix or a unique part; two or
more matches name them; an unknown value suggests the nearest before listing them all."""

from __future__ import annotations

import json

import pytest

from tests.conftest import days_ago
from tongwei_cli.core.errors import InvalidValue
from tongwei_cli.core.settings import data_dir
from tongwei_cli.domain import cards, cases, choices, warnings
from tongwei_cli.domain import reference as refdata


@pytest.fixture(scope="module")
def refs() -> refdata.Refs:
    return refdata.Refs({k.name: refdata.read_csv(k) for k in refdata.KINDS.values()})


FIXED = {
    "event-kinds": cases.event_kind,
    "case-statuses": cases.status_value,
    "warning-statuses": warnings.status_value,
    "warning-kinds": warnings.kind_value,
    "followup-methods": warnings.method_value,
    "followup-outcomes": warnings.outcome_value,
    "institution-kinds": cards.institution_kind,
    "action-kinds": cards.action_kind,
    "measures": cards.measure_value,
}

# list, [(how, value, code)]: each list by code, English, Chinese, alias, prefix and part.
CASES = {
    "event-kinds": [("code", "arrest", "arrest"), ("code", "stop_payment", "stop-payment"),
                    ("English", "Stop Payment", "stop-payment"), ("Chinese", "抓获", "arrest"),
                    ("Chinese", "立案", "filed"), ("Chinese", "移送起诉", "prosecute"),
                    ("Chinese", "冻结", "freeze"), ("Chinese", "止付", "stop-payment"),
                    ("Chinese", "结案", "close"), ("alias", "抓捕", "arrest"),
                    ("alias", "起诉", "prosecute"), ("alias", "追回", "recover"),
                    ("alias", "返还", "recover"), ("alias", "已破案", "solved"),
                    ("prefix", "挽回", "recover"), ("prefix", "pros", "prosecute"),
                    ("part", "损失", "recover")],
    "case-statuses": [("code", "SOLVED", "solved"), ("English", "void", "void"),
                      ("Chinese", "已破案", "solved"), ("Chinese", "已撤销", "void"),
                      ("alias", "作废", "void"), ("alias", "破案", "solved"),
                      ("prefix", "rep", "reported"), ("part", "撤", "void")],
    "warning-statuses": [("code", "overdue", "overdue"), ("English", "fed back", "closed"),
                         ("Chinese", "已超期", "overdue"), ("Chinese", "待反馈", "open"),
                         ("alias", "超期", "overdue"), ("alias", "未反馈", "open"),
                         ("alias", "fed_back", "closed"), ("prefix", "over", "overdue"),
                         ("prefix", "待", "open"), ("part", "超", "overdue")],
    "warning-kinds": [("code", "money", "money"), ("Chinese", "接触预警", "contact"),
                      ("alias", "涉案资金", "money"), ("prefix", "con", "contact"),
                      ("part", "触", "contact")],
    "followup-methods": [("code", "visit", "visit"), ("English", "SMS", "sms"),
                         ("Chinese", "上门见面", "visit"), ("alias", "走访", "visit"),
                         ("alias", "call", "phone"), ("prefix", "vis", "visit"),
                         ("part", "门", "visit")],
    "followup-outcomes": [("code", "not_fraud", "not-fraud"),
                          ("English", "In Progress", "in-progress"),
                          ("Chinese", "非诈骗", "not-fraud"), ("alias", "联系不上", "unreachable"),
                          ("prefix", "unr", "unreachable"), ("part", "诈骗", "not-fraud")],
    "institution-kinds": [("code", "bank", "bank"), ("English", "payment firm", "payment"),
                          ("Chinese", "支付机构", "payment"), ("alias", "第三方支付", "payment"),
                          ("prefix", "pay", "payment"), ("part", "运营", "telecom")],
    "action-kinds": [("code", "fine", "fine"), ("English", "notice letter", "notice"),
                     ("Chinese", "约谈", "interview"), ("alias", "整改", "rectify"),
                     ("prefix", "insp", "inspection"), ("part", "函", "notice")],
    "measures": [("code", "credit", "credit"), ("English", "credit record", "credit"),
                 ("Chinese", "纳入征信", "credit"), ("alias", "征信", "credit"),
                 ("prefix", "fin", "financial"), ("part", "网络", "network")],
}


@pytest.mark.parametrize(("list_name", "how", "value", "code"), [
    (name, how, value, code) for name, rows in CASES.items() for how, value, code in rows])
def test_each_list_by_code_english_chinese_alias_prefix_and_part(list_name, how, value, code):
    chosen = FIXED[list_name]
    assert chosen(value, "x") == code, how
    assert chosen(value, "x") == code  # and again, remembered


@pytest.mark.parametrize(("kind", "how", "value", "code"), [
    ("types", "code", "romance", "romance"), ("types", "English", "sextortion", "sextortion"),
    ("types", "Chinese", "裸聊敲诈", "sextortion"), ("types", "alias", "杀猪盘", "romance"),
    ("types", "alias", "刷单", "task-scam"), ("types", "alias", "网贷", "loan"),
    ("types", "alias", "贷款", "loan"), ("types", "alias", "冒充公检法", "authorities"),
    ("types", "alias", "冒充客服", "customer-service"), ("types", "alias", "游戏", "game-trade"),
    ("types", "alias", "裸聊", "sextortion"), ("types", "alias", "征信", "credit"),
    ("types", "alias", "投资", "investment"), ("types", "alias", "理财", "investment"),
    ("types", "prefix", "杀猪", "romance"), ("types", "prefix", "网络婚恋", "romance"),
    ("stations", "English", "Pingxiang Police Station", "pingxiang"),
    ("stations", "alias", "平襄镇", "pingxiang"), ("stations", "alias", "李店乡", "lidian"),
    ("stations", "prefix", "ping", "pingxiang"), ("stations", "prefix", "平襄", "pingxiang"),
    ("levels", "alias", "高危", "high"), ("levels", "prefix", "h", "high"),
    ("audiences", "alias", "老人", "elderly"), ("audiences", "part", "学生", "students"),
    ("forms", "alias", "摆摊", "stall"), ("forms", "Chinese", "手拉手", "hand-in-hand"),
    ("venues", "alias", "网吧", "entertainment"), ("venues", "prefix", "网", "online"),
])
def test_reference_tables_take_aliases_too(refs, kind, how, value, code):
    assert refs.resolve(kind, value, kind) == code, how


@pytest.mark.parametrize(("chosen", "value", "message"), [
    (warnings.status_value, "反馈", "'反馈' matches more than one status: open 待反馈, "
                                    "closed 已反馈"),
    (cards.institution_kind, "tel", "'tel' matches more than one institution kind: telecom "
                                    "电信运营商, outlet 通信营业网点"),
    (cards.action_kind, "rec", "'rec' matches more than one action: rectify 责令整改, "
                               "recheck 复查"),
])
def test_two_or_more_matches_are_named(chosen, value, message):
    with pytest.raises(InvalidValue) as info:
        chosen(value, "--x")
    assert info.value.reason == message and info.value.field == "--x"


def test_an_unknown_value_suggests_the_nearest_before_listing_all(refs):
    with pytest.raises(InvalidValue) as info:
        refs.resolve("stations", "平湘", "station")
    assert info.value.field == "station"
    assert info.value.reason.startswith(
        "unknown station '平湘'; did you mean 平襄派出所? valid: pingxiang 平襄派出所, "
        "maying 马营派出所")
    # Typed in English, the suggestion is the code; only the near ones are named.
    for chosen, value, said in [
            (cases.event_kind, "arest", "unknown event 'arest'; did you mean arrest? valid: "
                                        "filed 立案, solved 破案, arrest 抓获"),
            (warnings.outcome_value, "dissauded", "did you mean dissuaded? valid:"),
            (warnings.status_value, "overdew", "did you mean overdue? valid: open 待反馈"),
            (cases.status_value, "已破获", "did you mean 已破案? valid:"),
            (lambda v, f: refs.resolve("levels", v, f), "极高风险", "did you mean 高风险? valid:")]:
        with pytest.raises(InvalidValue) as info:
            chosen(value, "f")
        assert said in info.value.reason


def test_no_suggestion_when_nothing_is_near_or_everything_is_as_near(refs):
    for value in ("外星人", "兰州", "某某派出所", "13800000001"):
        with pytest.raises(InvalidValue) as info:
            refs.resolve("stations", value, "station")
        assert info.value.reason.startswith(f"unknown station {value!r}; valid: pingxiang")


def test_answers_and_refusals_are_remembered_per_value():
    chooser = choices.Choices("event-kinds", {"arrest": ("抓获", "arrest")}, "event")
    assert chooser("抓捕", "KIND") == "arrest" and chooser.known["抓捕"] == "arrest"
    for field in ("KIND", "kind"):  # the same refusal, on the field asked
        with pytest.raises(InvalidValue) as info:
            chooser("逃跑", field)
        assert info.value.field == field and "unknown event '逃跑'" in info.value.reason
    # `choose` keeps one chooser per list.
    options = {"phone": ("电话", "phone"), "visit": ("上门见面", "visit")}
    for _ in range(2):
        assert choices.choose("走访", options, list_name="followup-methods", noun="method",
                              field="method") == "visit"


def test_the_shipped_aliases_name_real_lists_and_codes():
    from tongwei_cli.storage.reference import KINDS, read_csv

    lists: dict[str, list[str]] = {
        "event-kinds": list(cases.EVENT_CHOICES.options),
        "case-statuses": list(cases.STATUS_CHOICES.options),
        "warning-statuses": list(warnings.STATUS_CHOICES.options),
        "warning-kinds": list(warnings.KIND_CHOICES.options),
        "followup-methods": list(warnings.METHOD_CHOICES.options),
        "followup-outcomes": list(warnings.OUTCOME_CHOICES.options),
        "institution-kinds": list(cards.INSTITUTION_KINDS),
        "action-kinds": list(cards.ACTION_KINDS),
        "measures": list(cards.MEASURES),
        "institutions": [],
        **{k.name: [r["code"] for r in read_csv(k)] for k in KINDS.values()},
    }
    assert (data_dir() / choices.ALIASES_FILE).exists()
    assert choices.alias_problems(lists) == []


def test_the_centre_extends_the_aliases_file(tmp_path, monkeypatch):
    (tmp_path / "aliases.csv").write_text(
        "list,alias,code\n# a note,,\nevent-kinds,抓了,arrest\nevent-kinds,跑了,escape\n"
        "event-kinds,抓了,freeze\n", encoding="utf-8")
    monkeypatch.setattr(choices, "data_dir", lambda: tmp_path)
    monkeypatch.setattr(choices, "_ALIASES", None)
    chooser = choices.Choices("event-kinds", cases.EVENT_CHOICES.options, "event")
    assert chooser("抓了", "KIND") == "arrest"
    with pytest.raises(InvalidValue, match=r"'跑了' stands for 'escape' in aliases.csv "
                                           r"\(line 4\), which is no event"):
        chooser("跑了", "KIND")
    assert choices.alias_problems({"event-kinds": chooser.options}) == [
        "aliases.csv line 4: 'escape' is not a code of event-kinds",
        "aliases.csv line 5: '抓了' is already an alias of 'arrest' in event-kinds"]


# -- through the command line ----------------------------------------------------------

def _case(run, no="TW-A", *extra):
    run("case", "add", "--no", no, "--reported", days_ago(5), "--type", "杀猪盘", "--station",
        "平襄镇", "--loss", "12000", *extra)


def test_case_event_and_case_list_in_chinese(run):
    _case(run)
    _case(run, "TW-B")
    stored = json.loads(run("case", "event", "TW-A", "抓获", "--count", "2", "--format",
                            "json").stdout)
    assert stored["kind"] == "arrest" and stored["count"] == 2
    run("case", "event", "TW-A", "破案")
    run("case", "event", "TW-A", "追回", "--amount", "500")
    case = json.loads(run("case", "show", "TW-A", "--format", "json").stdout)
    assert case["type"] == "romance" and case["station"] == "pingxiang"
    assert case["status"] == "solved" and case["totals"] == {
        **case["totals"], "arrested": 2, "recovered_fen": 50000}
    listed = json.loads(run("case", "list", "--status", "已破案", "--format", "json").stdout)
    assert [c["no"] for c in listed] == ["TW-A"]
    listed = json.loads(run("case", "list", "--status", "已报案", "--format", "json").stdout)
    assert [c["no"] for c in listed] == ["TW-B"]
    bad = run("case", "event", "TW-B", "抓获了", ok=False)
    assert bad.exit_code == 1
    assert bad.stderr.startswith("error: KIND: unknown event '抓获了'; did you mean 抓获? "
                                 "valid: filed 立案")
    bad = run("case", "list", "--status", "已破获", ok=False)
    assert bad.stderr.startswith("error: --status: unknown status '已破获'; did you mean 已破案?")


def test_an_unknown_station_names_the_option_and_suggests_the_nearest(run):
    result = run("case", "add", "--reported", "today", "--type", "刷单", "--station", "平湘",
                 "--loss", "100", ok=False)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: --station: unknown station '平湘'; did you mean "
                                    "平襄派出所? valid: pingxiang 平襄派出所")


def test_warning_list_status_in_chinese(run):
    for no in ("YJ-LATE", "YJ-DONE"):
        run("warning", "add", "--no", no, "--received", f"{days_ago(2)} 08:00", "--level",
            "高危", "--station", "马营", "--phone", "13800000001", "--kind", "涉案资金")
    run("warning", "followup", "YJ-DONE", "--at", f"{days_ago(2)} 09:00", "--method", "走访",
        "--outcome", "劝阻")

    def nos(status):
        return [w["no"] for w in json.loads(run("warning", "list", "--status", status,
                                                "--format", "json").stdout)]

    assert nos("超期") == nos("已超期") == nos("overdue") == ["YJ-LATE"]
    assert nos("已反馈") == ["YJ-DONE"]
    shown = json.loads(run("warning", "show", "YJ-DONE", "--format", "json").stdout)
    assert shown["kind"] == "money" and shown["level"] == "high"
    assert shown["followups"][0]["method"] == "visit"
    assert shown["followups"][0]["outcome"] == "dissuaded"
    bad = run("warning", "list", "--status", "overdew", ok=False)
    assert bad.stderr.startswith("error: --status: unknown status 'overdew'; did you mean "
                                 "overdue? valid: open 待反馈, overdue 已超期, closed 已反馈")


def test_cards_list_institution_by_a_part_of_its_name(run):
    for name, kind in (("通渭农商银行平襄支行", "银行"), ("农行通渭支行", "bank"),
                       ("通渭县移动营业厅", "营业厅")):
        run("cards", "action", "--date", days_ago(3), "--institution", name,
            "--institution-kind", kind, "--kind", "检查", "--station", "平襄")
    run("cards", "action", "--date", days_ago(2), "--institution", "农行通渭支行", "--kind",
        "整改", "--deadline", days_ago(-5))

    def listed(*args):
        return [a["institution"] for a in json.loads(run(
            "cards", "list", *args, "--format", "json").stdout)]

    assert listed("--institution", "农商") == ["通渭农商银行平襄支行"]
    assert listed("--institution", "通渭农商") == ["通渭农商银行平襄支行"]  # a prefix
    assert listed("--institution", "移动") == ["通渭县移动营业厅"]
    assert listed("--institution", "农行", "--open") == ["农行通渭支行"]
    both = run("cards", "list", "--institution", "通渭", ok=False)
    assert both.stderr.startswith("error: --institution: '通渭' matches more than one "
                                  "institution: 通渭农商银行平襄支行, 通渭县移动营业厅")
    typo = run("cards", "list", "--institution", "通渭农商银行平湘支行", ok=False)
    assert typo.stderr.startswith("error: --institution: unknown institution "
                                  "'通渭农商银行平湘支行'; did you mean 通渭农商银行平襄支行? "
                                  "valid: 农行通渭支行, 通渭农商银行平襄支行")


def test_an_import_of_events_takes_chinese_kinds(run, tmp_path):
    _case(run)
    headers = "case,kind,date,count,amount\n"
    path = tmp_path / "events.csv"
    path.write_text(f"{headers}TW-A,立案,{days_ago(4)},,\n"
                    f"TW-A,抓获,{days_ago(3)},3,\n"
                    f"TW-A,移送起诉,{days_ago(3)},2,\n"
                    f"TW-A,挽回,{days_ago(2)},,1000\n"
                    f"TW-A,冻结,{days_ago(2)},,2000\n"
                    f"TW-A,紧急止付,{days_ago(2)},,300\n", encoding="gb18030")
    assert run("import", "events", path).stdout == "imported 6, unchanged 0\n"
    assert run("import", "events", path).stdout == "imported 0, unchanged 6\n"
    case = json.loads(run("case", "show", "TW-A", "--format", "json").stdout)
    assert [e["kind"] for e in case["events"]] == [
        "filed", "arrest", "prosecute", "recover", "freeze", "stop-payment"]
    assert case["status"] == "filed" and case["totals"]["arrested"] == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{headers}TW-A,抓获了,{days_ago(1)},1,\n", encoding="utf-8")
    result = run("import", "events", bad, ok=False)
    assert result.stderr.splitlines()[1].startswith(
        "  line 2: kind: unknown event '抓获了'; did you mean 抓获? valid:")
