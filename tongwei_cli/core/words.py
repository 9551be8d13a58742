"""Words shown to people, in Chinese and English. Codes and JSON keys stay English."""

from __future__ import annotations

from tongwei_cli.core import settings

WORDS: dict[str, tuple[str, str]] = {
    # case statuses
    "reported": ("已报案", "reported"),
    "filed": ("已立案", "filed"),
    "solved": ("已破案", "solved"),
    "closed": ("已结案", "closed"),
    "void": ("已撤销", "void"),
    # case events
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
}


def lang() -> str:
    return settings.current().lang or "en"


def word(code: str | None, language: str | None = None) -> str:
    """The display word for a code, falling back to the code itself."""
    if code is None:
        return ""
    pair = WORDS.get(code)
    if pair is None:
        return code
    return pair[0] if (language or lang()) == "zh" else pair[1]


def pick(zh: str, en: str, language: str | None = None) -> str:
    return zh if (language or lang()) == "zh" else en
