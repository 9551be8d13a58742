"""Phone and ID numbers typed into free text: masked in the audit log as it is written and
in the file (the text as typed sealed beside it, tests/test_free_text_at_rest.py), and
sealed no more in a finished record's summaries, notes and reasons once `db scrub` reaches
it; case and warning numbers, amounts and dates in the same text are left exactly as they
were."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import days_ago
from tongwei_cli.core.masking import mask_free_text

PHONE = "13900005678"
SPACED = "139 0000 5678"
ID18 = "621121199001011233"  # a real check digit; Tongwei's code
OLD_ID = "622424700303001"  # 15 digits: born 1970-03-03
# What the officers also write in the same notes, and must find again as they wrote it.
KEPT = "预警YJ2026112800396，案号TW20261129-001，损失12000.50元（1.5万），2026-11-29 10:15"
SECRETS = [PHONE, SPACED, ID18, OLD_ID, "139-0000-5678", "１３９００００５６７８"]


def note(tag: str) -> str:
    return f"{tag}：受害人电话{SPACED}，身份证{ID18}，{KEPT}"


def masked_note(tag: str) -> str:
    return f"{tag}：受害人电话139 **** 5678，身份证621121********1233，{KEPT}"


# -- the masking itself ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("13900005678", "139****5678"),
    ("请回电13900005678谢谢", "请回电139****5678谢谢"),
    ("电话：139 0000 5678。", "电话：139 **** 5678。"),
    ("139-0000-5678", "139-****-5678"),
    ("+86 139-0000-5678", "+86 139-****-5678"),
    ("+8613900005678", "+86139****5678"),
    ("008613900005678", "0086139****5678"),
    ("全角１３９００００５６７８号", "全角１３９****５６７８号"),
    ("１３９－００００－５６７８", "１３９－****－５６７８"),
    ("两个号码13900005678和15000000001", "两个号码139****5678和150****0001"),
    (f"身份证{ID18}", "身份证621121********1233"),
    ("身份证62112119900101123x", "身份证621121********123x"),
    ("身份证62112119900101123X", "身份证621121********123X"),
    ("身份证621121 19900101 1233", "身份证621121 ******** 1233"),
    (f"旧证{OLD_ID}。", "旧证622424*****3001。"),
    (f"{PHONE},{ID18}", "139****5678,621121********1233"),
    (f"call {PHONE}.", "call 139****5678."),  # a full stop is not a decimal point
])
def test_phones_and_ids_in_text_are_masked_as_fields_are(text, expected):
    assert mask_free_text(text) == expected


@pytest.mark.parametrize("text", [
    KEPT,
    "YJ2026112800396", "yj2026112800396", "TW20261129-001", "TW13900005678",
    "13900005678abc",  # part of something longer that is not a number
    "YJ13900005678", "DK20261129-001", "CJ20261129-001", "XC-01",
    "12000.50", "1.5万", "21.81万元", "150000000", "2026-11-29 10:15", "2026/11/29",
    "20261129103000",  # a timestamp: 14 digits
    "139000056789",  # 12 digits: not a mobile
    "1390000567",  # 10
    "12345678901",  # 11 digits, but not 13-19…
    "6222021234567890123",  # a bank card: 19 digits
    "62112119900101123",  # 17 digits
    "6211211990010112334",  # 19
    "202611280039612",  # 15 digits that are no birth date (month 00)
    "0931-6521234",  # a landline
    "13900005678.50", "0.13900005678", "202611291030001.5万",  # decimal numbers
    "sha256 9f13900005678aa0c4e3",
    "", None, "短",
])
def test_what_is_not_a_phone_or_id_is_left_alone(text):
    assert mask_free_text(text) == text


words = st.text(alphabet="受害人电话预警案号损失元，。：、 ", max_size=8)
keys = st.sampled_from(["YJ2026112800396", "TW20261129-001", "12000.50", "1.5万",
                        "2026-11-29 10:15", "20261129103000", "TW13900005678"])
mobiles = st.builds(lambda second, rest: f"1{second}{rest:09d}",
                    st.sampled_from("3456789"), st.integers(0, 10**9 - 1))


@example(["20261129103000", "1.5万"], "13000000000", "{}", 0)  # 15 digits, then a decimal
@given(st.lists(st.one_of(words, keys), max_size=6), mobiles,
       st.sampled_from(["{}", "{0}{1}{2} {3}{4}{5}{6} {7}{8}{9}{10}", "+86 {}", "0086{}",
                        "{0}{1}{2}-{3}{4}{5}{6}-{7}{8}{9}{10}"]), st.integers(0, 6))
def test_a_mobile_anywhere_among_words_and_keys(pieces, mobile, shape, where):
    written = shape.format(*mobile) if "{0}" in shape else shape.format(mobile)
    pieces = [*pieces]
    pieces.insert(min(where, len(pieces)), "，" + written + "，")
    text = "".join(pieces)
    out = mask_free_text(text)
    assert mobile not in out.replace(" ", "").replace("-", "").replace("+86", "")
    assert len(out) == len(text)
    assert out.replace("*", "") == "".join(
        a for a, b in zip(text, out, strict=True) if b != "*")
    assert mask_free_text(out) == out  # once is enough
    # Everything else as it was: the text without the number, masked, is itself.
    rest = text.replace(written, "")
    assert mask_free_text(rest) == rest


@given(st.text(max_size=60))
def test_masking_only_ever_stars_digits_and_x(text):
    out = mask_free_text(text)
    assert len(out) == len(text)
    for before, after in zip(text, out, strict=True):
        assert after == before or (after == "*" and (before.isdigit() or before in "xX"))
    assert mask_free_text(out) == out


# -- the audit log, as it is written ------------------------------------------------------

def record_everything(run, day: str) -> None:
    """Every free text a command takes, each holding the phone and the ID."""
    run("case", "add", "--no", "TW-A", "--reported", day, "--type", "loan", "--station", "平襄",
        "--loss", "1000", "--summary", note("summary"))
    run("case", "event", "TW-A", "recover", "--amount", "300", "--date", day,
        "--note", note("event"))
    run("case", "event", "TW-A", "close", "--date", day)
    run("case", "add", "--no", "TW-B", "--reported", day, "--type", "loan", "--station", "平襄",
        "--loss", "500")
    run("case", "void", "TW-B", "--reason", note("void"))
    run("warning", "add", "--no", "YJ1", "--received", f"{day} 09:00", "--level", "high",
        "--station", "平襄", "--phone", "13800000001", "--source", note("source"),
        "--note", note("warning"))
    run("warning", "followup", "YJ1", "--at", f"{day} 09:30", "--method", "phone",
        "--outcome", "dissuaded", "--note", note("followup"))
    run("outreach", "add", "--date", day, "--station", "平襄", "--audience", "students",
        "--form", "lecture", "--venue", f"一中（联系{SPACED}）", "--attendees", "10",
        "--materials", "20", "--note", note("outreach"))
    run("cards", "action", "--date", day, "--institution", "农行通渭支行",
        "--institution-kind", "bank", "--kind", "inspection", "--station", "平襄",
        "--note", note("cards"))
    run("cards", "penalty", "add", "--name", "测试甲", "--id-no", ID18, "--measure", "financial",
        "--start", "2022-01-03", "--years", "2", "--note", note("penalty"))
    run("campaign", "add", "秋季行动", "--from", days_ago(40), "--to", days_ago(20),
        "--note", note("campaign"))


def test_the_audit_log_keeps_free_text_masked(run, db_path):
    record_everything(run, days_ago(30))
    run("case", "update", "TW-A", "--summary", note("corrected"))
    log = json.loads(run("audit", "list", "--format", "json").stdout)
    text = json.dumps(log, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text
    for tag in ("summary", "event", "void", "source", "warning", "followup", "outreach",
                "cards", "penalty", "campaign", "corrected"):
        assert masked_note(tag) in text, tag
    assert "一中（联系139 **** 5678）" in text
    update = next(r for r in log if r["action"] == "update" and r["key"] == "TW-A")
    assert masked_note("summary") in update["before"]
    assert masked_note("corrected") in update["after"]
    # The file's own audit rows, as stored (and the chain they are hashed into, intact).
    conn = sqlite3.connect(db_path)
    stored = " ".join(f"{b} {a}" for b, a in conn.execute("SELECT before, after FROM audit"))
    assert PHONE not in stored and SPACED not in stored and ID18 not in stored
    assert run("audit", "verify").exit_code == 0


def test_audit_list_shows_the_masked_form(run, sh):
    run("case", "add", "--no", "TW-A", "--reported", days_ago(3), "--type", "loan",
        "--station", "平襄", "--loss", "1000", "--summary", f"电话{PHONE}，{KEPT}")
    # in a pipe (no terminal, no COLUMNS) the table cuts nothing: every value is whole
    table = sh("audit", "list", env={"COLUMNS": ""}).stdout
    assert "…" not in table
    flat = re.sub(r"\s+", "", table)
    assert "139****5678" in flat and PHONE not in flat
    assert "YJ2026112800396" in flat and "TW20261129-001" in flat and "12000.50" in flat


# -- db scrub ---------------------------------------------------------------------------

def free_texts(db_path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path)
    columns = {"cases": ["summary", "void_reason"], "case_events": ["note"],
               "warnings": ["source", "note"], "followups": ["note"],
               "outreach": ["venue", "note"], "card_actions": ["note"],
               "card_penalties": ["note"], "campaigns": ["note"]}
    return {f"{table}.{column}": [v for (v,) in conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id")]
            for table, names in columns.items() for column in names}


def report(run) -> dict:
    """The figures of the last 40 days, without the audit chain's head (the scrub is a row)
    and the moment the report was made (and, the period ending today, the moment its
    figures are as of: the two reports may be a second apart)."""
    figures = json.loads(run("report", "range", "--from", days_ago(40), "--to", days_ago(0),
                             "--format", "json").stdout)
    figures.pop("audit_head")
    figures.pop("generated_at", None)
    figures.pop("as_of", None)
    return figures


def test_scrub_masks_the_free_text_of_finished_records_and_keeps_the_rest(run, db_path):
    record_everything(run, days_ago(30))
    # Not finished: a case still open, a warning without feedback.
    run("case", "add", "--no", "TW-OPEN", "--reported", days_ago(30), "--type", "loan",
        "--station", "平襄", "--loss", "1000", "--summary", note("open"))
    run("warning", "add", "--no", "YJ2", "--received", f"{days_ago(30)} 10:00", "--level",
        "low", "--station", "平襄", "--phone", "13800000002", "--note", note("waiting"))
    figures = report(run)

    result = run("db", "scrub", "--before", days_ago(10))
    assert ("scrubbed 2 cases, 1 case_events, 1 warnings, 1 followups, 1 card_penalties, "
            "1 outreach, 1 card_actions, 1 campaigns") in result.stderr
    texts = free_texts(db_path)
    # (stored masked since 014, finished or not: the scrub takes the sealed text away)
    assert texts == {
        "cases.summary": [masked_note("summary"), masked_note("open")],
        "cases.void_reason": [masked_note("void")],
        "case_events.note": [masked_note("event")],
        "warnings.source": [masked_note("source")],
        "warnings.note": [masked_note("warning"), masked_note("waiting")],
        "followups.note": [masked_note("followup")],
        "outreach.venue": ["一中（联系139 **** 5678）"],
        "outreach.note": [masked_note("outreach")],
        "card_actions.note": [masked_note("cards")],
        "card_penalties.note": [masked_note("penalty")],
        "campaigns.note": [masked_note("campaign")],
    }
    # Every figure as it was; the record shown as scrubbed.
    assert report(run) == figures
    shown = json.loads(run("case", "show", "TW-A", "--reveal", "--format", "json").stdout)
    assert shown["summary"] == masked_note("summary")
    assert shown["events"][0]["note"] == masked_note("event")
    # What is not finished keeps the text as typed, for the key's holder.
    shown = json.loads(run("case", "show", "TW-OPEN", "--reveal", "--format", "json").stdout)
    assert shown["summary"] == note("open")
    sealed = sqlite3.connect(db_path).execute(
        "SELECT no, summary_enc IS NOT NULL FROM cases ORDER BY id").fetchall()
    assert sealed == [("TW-A", 0), ("TW-B", 0), ("TW-OPEN", 1)]
    # A second scrub finds nothing more to do.
    again = run("db", "scrub", "--before", days_ago(10))
    assert "scrubbed 0 cases, 0 case_events, 0 warnings" in again.stderr
    assert run("check").exit_code == 0


def test_scrubbed_and_compacted_free_text_is_gone_from_the_file(run, db_path):
    record_everything(run, days_ago(30))
    run("db", "scrub", "--before", days_ago(10))
    run("db", "compact")
    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    # (the penalty's own ID number is masked by the scrub as before)
    assert "预警YJ2026112800396".encode() in raw


def test_numbers_typed_into_free_text_are_masked_in_every_output(run):
    """A summary holding the victim's number shows it masked in show, list and export, and
    whole with --reveal (which is audited)."""
    run("case", "add", "--no", "FT1", "--reported", "2026-11-20", "--type", "刷单",
        "--station", "平襄", "--loss", "100", "--summary", "请回电13800005678")
    for args in (("case", "show", "FT1"), ("case", "show", "FT1", "--format", "json"),
                 ("case", "show", "FT1", "--format", "csv")):
        out = run(*args).output
        assert "13800005678" not in out and "138****5678" in out
    assert "13800005678" in run("case", "show", "FT1", "--reveal").output



glue = st.text(alphabet=st.sampled_from("0123456789 -+.xXaTW年，：１\u3000"), max_size=4)
ids = st.sampled_from(["62112119900101123X", "621121 19900101 1234", "621121-19900101-123x",
                       "621121900101123"])


@example(["TW20261203-004", "2026-12-02T16:27:06Z"])
@example(["+86 ", "13800000001"])
@example(["0086-", "1390000 0002"])
@given(st.lists(st.one_of(glue, keys, ids, mobiles), max_size=6))
def test_the_first_look_never_passes_over_a_number(pieces):
    """`mask_free_text` tries its full pattern only where the cheap first look finds a place a
    number could start: never a text in which the full pattern would find one."""
    from tongwei_cli.core import masking

    plain = "".join(pieces).translate(masking._HALF)
    if re.search(masking._FREE_NUMBER, plain):
        assert masking._MAYBE_NUMBER.search(plain)
