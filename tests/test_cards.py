"""Two-card supervision (管/控): institutions, actions, open rectifications, restrictions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from tests.conftest import days_ago
from tongwei_cli.domain import cards

BANK = "农行通渭支行"
# Valid check digits (GB 11643); 621121 is Tongwei's code since 2003, 622424 before.
ID_A = "621121199001011233"
ID_B = "622424197003030013"


def rows(db_path, table: str) -> int:
    return sqlite3.connect(db_path).execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def action(run, *args, ok=True):
    return run("cards", "action", *args, ok=ok)


def register_bank(run, day=None):
    return action(run, "--date", day or days_ago(10), "--institution", BANK,
                  "--institution-kind", "银行", "--kind", "inspection", "--station", "平襄")


def test_first_action_registers_the_institution(run, db_path):
    no = register_bank(run).stdout.strip()
    assert no == f"DK{days_ago(10).replace('-', '')}-001"
    record = json.loads(run("cards", "show", no, "--format", "json").stdout)
    assert record["institution"] == BANK and record["institution_kind"] == "bank"
    assert record["station"] == "pingxiang" and record["kind"] == "inspection"
    # Later actions need no kind; they inherit the institution's station.
    later = action(run, "--date", days_ago(9), "--institution", BANK, "--kind", "约谈",
                   "--format", "json")
    assert json.loads(later.stdout)["station"] == "pingxiang"
    assert json.loads(later.stdout)["kind"] == "interview"
    listed = json.loads(run("cards", "institutions", "--format", "json").stdout)
    assert listed == [{**listed[0], "institution": BANK, "kind": "bank", "actions": 2}]


def test_a_new_institution_without_its_kind_is_refused(run, db_path):
    result = action(run, "--date", days_ago(1), "--institution", "新网点", "--kind",
                    "inspection", ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: --institution-kind:")
    assert rows(db_path, "institutions") == 0 and rows(db_path, "card_actions") == 0


def test_a_different_kind_for_a_known_institution_is_refused(run, db_path):
    register_bank(run)
    result = action(run, "--date", days_ago(1), "--institution", BANK, "--institution-kind",
                    "outlet", "--kind", "notice", ok=False)
    assert result.exit_code == 1 and "registered as bank" in result.stderr
    assert rows(db_path, "card_actions") == 1


@pytest.mark.parametrize(("extra", "field", "reason"), [
    (["--kind", "fine"], "--amount", "needs an amount"),
    (["--kind", "fine", "--amount", "-50"], "--amount", "negative"),
    (["--kind", "fine", "--amount", "0"], "--amount", "more than zero"),
    (["--kind", "rectify"], "--deadline", "needs a deadline"),
    (["--kind", "rectify", "--deadline", days_ago(6)], "--deadline", "not after"),
    (["--kind", "rectify", "--deadline", days_ago(5)], "--deadline", "not after"),
    (["--kind", "inspection", "--amount", "100"], "--amount", "only a fine"),
    (["--kind", "notice", "--deadline", days_ago(1)], "--deadline", "only a rectification"),
    (["--kind", "raid"], "--kind", "unknown action"),
])
def test_action_refusals_write_nothing(run, db_path, extra, field, reason):
    register_bank(run)
    result = action(run, "--date", days_ago(5), "--institution", BANK, *extra, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}:") and reason in result.stderr
    assert rows(db_path, "card_actions") == 1


@pytest.mark.slow
def test_fine_and_list_totals(run):
    register_bank(run)
    action(run, "--date", days_ago(3), "--institution", BANK, "--kind", "罚款", "--amount",
           "1.5万")
    action(run, "--date", days_ago(2), "--institution", "移动营业厅", "--institution-kind",
           "outlet", "--kind", "fine", "--amount", "5000.50", "--station", "马营")
    fines = json.loads(run("cards", "list", "--kind", "fine", "--format", "json").stdout)
    assert [f["amount_fen"] for f in fines] == [500050, 1500000]
    table = run("cards", "list").stdout
    assert "3 actions" in table and "20,000.50" in table
    maying = json.loads(run("cards", "list", "--station", "马营", "--format", "json").stdout)
    assert [a["institution"] for a in maying] == ["移动营业厅"]
    period = json.loads(run("cards", "list", "--from", days_ago(3), "--to", days_ago(3),
                            "--format", "json").stdout)
    assert len(period) == 1
    by_name = json.loads(run("cards", "list", "--institution", BANK, "--format",
                             "json").stdout)
    assert len(by_name) == 2
    unknown = run("cards", "list", "--institution", "没有的银行", ok=False)
    assert unknown.exit_code == 1 and "--institution" in unknown.stderr


@pytest.mark.slow
def test_open_rectifications_overdue_first_and_recheck_closes(run, db):
    register_bank(run)
    today = date.fromisoformat(days_ago(0))
    late = action(run, "--date", days_ago(9), "--institution", BANK, "--kind", "rectify",
                  "--deadline", days_ago(2)).stdout.strip()
    soon = action(run, "--date", days_ago(1), "--institution", "电信营业厅",
                  "--institution-kind", "outlet", "--kind", "整改", "--deadline",
                  (today + timedelta(days=5)).isoformat()).stdout.strip()
    opened = json.loads(run("cards", "list", "--open", "--format", "json").stdout)
    assert [(o["no"], o["status"], o["days_overdue"]) for o in opened] == [
        (late, "overdue", 2), (soon, "awaiting-recheck", 0)]
    assert opened[1]["days_left"] == 5
    assert "1 overdue" in run("cards", "list", "--open").stdout
    recheck = action(run, "--date", "today", "--institution", BANK, "--kind", "recheck")
    assert recheck.stderr == ""
    opened = json.loads(run("cards", "list", "--open", "--format", "json").stdout)
    assert [o["no"] for o in opened] == [soon]
    closed = json.loads(run("cards", "show", late, "--format", "json").stdout)
    assert closed["status"] == "rechecked" and closed["closed_by"] == recheck.stdout.strip()
    assert closed["closed_on"] == days_ago(0)


def test_recheck_without_open_rectification_warns(run):
    register_bank(run)
    result = action(run, "--date", days_ago(1), "--institution", BANK, "--kind", "复查")
    assert result.stdout.strip().startswith("DK") and "no open rectification" in result.stderr


def test_recheck_does_not_close_a_later_rectification(run):
    register_bank(run)
    action(run, "--date", days_ago(2), "--institution", BANK, "--kind", "recheck")
    action(run, "--date", days_ago(1), "--institution", BANK, "--kind", "rectify",
           "--deadline", days_ago(-10))
    assert len(json.loads(run("cards", "list", "--open", "--format", "json").stdout)) == 1


# -- restrictions on people ----------------------------------------------------------

def penalty(run, *args, name="测试甲", id_no=ID_A, ok=True):
    return run("cards", "penalty", "add", "--name", name, "--id-no", id_no, *args, ok=ok)


def test_penalty_end_is_computed_and_output_is_masked(run, db):
    start = date.fromisoformat(days_ago(30))
    no = penalty(run, "--measure", "金融惩戒", "--start", start.isoformat(), "--years", "2",
                 "--station", "平襄").stdout.strip()
    assert no.startswith("CJ")
    listed = run("cards", "penalty", "list", "--format", "json").stdout
    assert "测试甲" not in listed and ID_A not in listed
    record = json.loads(listed)[0]
    assert record["name"] == "测**" and record["id_no"] == "621121********1233"
    assert record["measure"] == "financial" and record["years"] == 2
    assert record["end_date"] == (cards.add_years(start, 2) - timedelta(days=1)).isoformat()
    assert record["appeal_by"] == (start + timedelta(days=cards.APPEAL_DAYS)).isoformat()
    assert record["active"] is True
    audit = db.query("SELECT after FROM audit WHERE entity = 'card_penalty'")
    assert all("测试甲" not in r[0] and ID_A not in r[0] for r in audit)


def test_penalty_reveal_is_audited(run, db):
    penalty(run, "--measure", "network", "--start", days_ago(1), "--years", "3")
    shown = run("cards", "penalty", "list", "--reveal").stdout
    assert "测试甲" in shown
    assert db.scalar("SELECT count(*) FROM audit WHERE action = 'reveal'") == 1


def test_penalty_list_active(run):
    penalty(run, "--measure", "credit", "--start", "2020-01-01", "--years", "2")
    penalty(run, "--measure", "credit", "--start", days_ago(10), "--years", "2",
            name="测试丙", id_no=ID_B)
    active = json.loads(run("cards", "penalty", "list", "--active", "--format", "json").stdout)
    assert [p["id_no"] for p in active] == ["622424********0013"]
    assert len(json.loads(run("cards", "penalty", "list", "--format", "json").stdout)) == 2


@pytest.mark.parametrize(("args", "field", "reason"), [
    (["--measure", "financial", "--start", "2024-01-01", "--years", "4"], "--years", "2 or 3"),
    (["--measure", "jail", "--start", "2024-01-01", "--years", "2"], "--measure", "unknown"),
    (["--measure", "financial", "--start", "2999-01-01", "--years", "2"], "--start", "future"),
    (["--measure", "financial", "--start", "2024-01-01", "--years", "2", "--appeal-by",
      "2023-12-01"], "--appeal-by", "before the start"),
])
def test_penalty_refusals(run, db_path, args, field, reason):
    result = penalty(run, *args, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}:") and reason in result.stderr
    assert rows(db_path, "card_penalties") == 0


def test_penalty_bad_id_number_is_refused(run, db_path):
    result = penalty(run, "--measure", "financial", "--start", "2024-01-01", "--years", "2",
                     id_no=ID_A[:-1] + "0", ok=False)
    assert result.exit_code == 1 and "--id-no" in result.stderr
    assert ID_A[:-1] not in result.stderr  # the number is not echoed back
    assert rows(db_path, "card_penalties") == 0


def test_consecutive_restrictions_never_beyond_five_years(run, db_path):
    penalty(run, "--measure", "financial", "--start", "2021-03-01", "--years", "3")
    # 3 + 2 consecutive years: exactly five, accepted.
    penalty(run, "--measure", "financial", "--start", "2024-03-01", "--years", "2")
    # Anything further that touches the chain is refused.
    result = penalty(run, "--measure", "network", "--start", "2026-03-01", "--years", "2",
                     ok=False)
    assert result.exit_code == 1 and "5 years" in result.stderr
    assert rows(db_path, "card_penalties") == 2


def test_three_and_three_is_refused_but_a_gap_starts_afresh(run, db_path):
    penalty(run, "--measure", "financial", "--start", "2018-01-01", "--years", "3")
    refused = penalty(run, "--measure", "financial", "--start", "2021-01-01", "--years", "3",
                      ok=False)
    assert refused.exit_code == 1 and "--years" in refused.stderr
    penalty(run, "--measure", "financial", "--start", "2021-01-02", "--years", "3")
    assert rows(db_path, "card_penalties") == 2


# -- import --------------------------------------------------------------------------

CARD_HEADER = "date,institution,kind,institution-kind,amount,deadline,note"


@pytest.mark.slow
def test_import_cards_csv_registers_and_rechecks_then_adds_nothing(run, sh, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text(CARD_HEADER + ",station\n"
                    f"{days_ago(9)},{BANK},inspection,bank,,,,平襄\n"
                    f"{days_ago(8)},{BANK},rectify,,,{days_ago(3)},,\n"
                    f"{days_ago(7)},{BANK},fine,,5000,,,\n"
                    f"{days_ago(6)},移动营业厅,约谈,outlet,,,,马营\n"
                    f"{days_ago(6)},移动营业厅,rectify,,,{days_ago(1)},,\n"
                    f"{days_ago(2)},{BANK},recheck,,,,,\n", "utf-8")
    first = sh("import", "cards", path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "imported 6, unchanged 0"
    again = sh("import", "cards", path)
    assert again.stdout.strip() == "imported 0, unchanged 6"
    listed = json.loads(run("cards", "list", "--format", "json").stdout)
    assert len(listed) == 6 and {a["station"] for a in listed} == {"pingxiang", "maying"}
    opened = json.loads(run("cards", "list", "--open", "--format", "json").stdout)
    assert [(o["institution"], o["status"]) for o in opened] == [("移动营业厅", "overdue")]


def test_import_cards_xlsx_with_chinese_headers(run, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["检查日期", "机构名称", "监管措施", "机构类型", "罚款金额(元)", "整改期限",
                  "备注"])
    sheet.append([days_ago(4), "邮储银行通渭支行", "罚款", "银行", 12000.5, None, "开卡审核不严"])
    book.save(tmp_path / "断卡.xlsx")
    result = run("import", "cards", tmp_path / "断卡.xlsx")
    assert "imported 1" in result.stdout
    fine = json.loads(run("cards", "list", "--format", "json").stdout)[0]
    assert (fine["kind"], fine["amount_fen"], fine["institution_kind"]) == ("fine", 1200050,
                                                                             "bank")


def test_import_cards_bad_rows_write_nothing(run, db_path, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(CARD_HEADER + "\n"
                    f"{days_ago(3)},新网点,inspection,,,,\n"
                    f"{days_ago(3)},{BANK},inspection,bank,,,\n"
                    f"{days_ago(3)},{BANK},fine,,,,\n"
                    f"{days_ago(3)},{BANK},rectify,,,{days_ago(4)},\n", "utf-8")
    result = run("import", "cards", path, ok=False)
    assert result.exit_code == 1
    assert "line 2: institution-kind:" in result.stderr
    assert "line 4: amount: a fine needs an amount" in result.stderr
    assert "line 5: deadline:" in result.stderr
    assert rows(db_path, "card_actions") == 0 and rows(db_path, "institutions") == 0


# -- corrections and voiding ---------------------------------------------------------

def audit_rows(db_path, action: str, entity: str = "card_action") -> list[tuple]:
    return sqlite3.connect(db_path).execute(
        "SELECT key, before, after FROM audit WHERE action = ? AND entity = ? ORDER BY id",
        (action, entity)).fetchall()


def cards_of(run, first: str, last: str) -> dict:
    report = run("report", "range", "--from", first, "--to", last, "--format", "json")
    return json.loads(report.stdout)["cards"]


def open_nos(run) -> list[str]:
    return [o["no"] for o in json.loads(run("cards", "list", "--open", "--format",
                                            "json").stdout)]


def rectify_and_recheck(run) -> tuple[str, str]:
    register_bank(run)
    rectify = action(run, "--date", days_ago(8), "--institution", BANK, "--kind", "rectify",
                     "--deadline", days_ago(-5)).stdout.strip()
    recheck = action(run, "--date", days_ago(3), "--institution", BANK,
                     "--kind", "recheck").stdout.strip()
    assert open_nos(run) == []
    return rectify, recheck


@pytest.mark.slow
def test_update_corrects_show_report_and_audit(run, sh, db_path):
    register_bank(run)
    fine = action(run, "--date", days_ago(3), "--institution", BANK, "--kind", "fine",
                  "--amount", "5000").stdout.strip()
    result = sh("cards", "update", fine, "--amount", "8000.50", "--note", "复核后更正")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == fine
    shown = json.loads(run("cards", "show", fine, "--format", "json").stdout)
    assert shown["amount_fen"] == 800050 and shown["note"] == "复核后更正"
    assert shown["updated_by"] == "测试警官" and shown["updated_at"]
    assert cards_of(run, days_ago(10), days_ago(0))["fines_fen"] == 800050
    (key, before, after), = audit_rows(db_path, "update")
    assert key == fine
    assert json.loads(before) == {"amount_fen": 500000, "note": None}
    assert json.loads(after) == {"amount_fen": 800050, "note": "复核后更正"}
    # `-` clears an optional field; a correction that changes the date moves the figures.
    run("cards", "update", fine, "--note", "-", "--date", days_ago(20))
    shown = json.loads(run("cards", "show", fine, "--format", "json").stdout)
    assert shown["note"] is None and shown["date"] == days_ago(20)
    assert cards_of(run, days_ago(10), days_ago(0))["fines"] == 0


def test_update_to_another_kind_drops_what_the_new_kind_does_not_take(run):
    register_bank(run)
    fine = action(run, "--date", days_ago(3), "--institution", BANK, "--kind", "fine",
                  "--amount", "5000").stdout.strip()
    run("cards", "update", fine, "--kind", "rectify", "--deadline", days_ago(-10))
    shown = json.loads(run("cards", "show", fine, "--format", "json").stdout)
    assert (shown["kind"], shown["amount_fen"], shown["status"]) == ("rectify", None,
                                                                     "awaiting-recheck")
    assert open_nos(run) == [fine]
    figures = cards_of(run, days_ago(10), days_ago(0))
    assert (figures["fines"], figures["rectifies"], figures["fines_fen"]) == (0, 1, 0)


def test_update_to_a_new_institution_registers_it_and_takes_its_station(run, db_path):
    first = register_bank(run).stdout.strip()
    result = run("cards", "update", first, "--institution", "移动营业厅", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("error: --institution-kind:")
    run("cards", "update", first, "--institution", "移动营业厅", "--institution-kind",
        "outlet", "--station", "马营")
    shown = json.loads(run("cards", "show", first, "--format", "json").stdout)
    assert (shown["institution"], shown["institution_kind"], shown["station"]) == (
        "移动营业厅", "outlet", "maying")
    assert rows(db_path, "institutions") == 2
    assert [k for k, _, _ in audit_rows(db_path, "add", "institution")] == [BANK, "移动营业厅"]


@pytest.mark.parametrize(("args", "field", "reason"), [
    ([], "ACTION_NO", "nothing to change"),
    (["--date", "-"], "--date", "cannot be cleared"),
    (["--kind", "-"], "--kind", "cannot be cleared"),
    (["--institution", "-"], "--institution", "cannot be cleared"),
    (["--amount", "-"], "--amount", "a fine needs an amount"),
    (["--amount", "-3"], "--amount", "negative"),
    (["--deadline", days_ago(1)], "--deadline", "only a rectification"),
    (["--kind", "raid"], "--kind", "unknown action"),
    (["--date", "2999-01-01"], "--date", "future"),
    (["--institution-kind", "outlet"], "--institution-kind", "registered as bank"),
])
def test_update_refusals_write_nothing(run, db_path, args, field, reason):
    register_bank(run)
    fine = action(run, "--date", days_ago(3), "--institution", BANK, "--kind", "fine",
                  "--amount", "5000").stdout.strip()
    before = rows(db_path, "audit")
    result = run("cards", "update", fine, *args, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {field}:") and reason in result.stderr
    assert rows(db_path, "audit") == before
    assert json.loads(run("cards", "show", fine, "--format", "json").stdout)["amount_fen"] \
        == 500000


@pytest.mark.slow
def test_unknown_number_is_not_found(sh, db_path):
    for args in (["update", "DK20990101-001", "--note", "x"],
                 ["void", "DK20990101-001", "--reason", "x"]):
        result = sh("cards", *args)
        assert result.returncode == 1
        assert result.stderr.strip() == ("error: ACTION_NO: no supervision action numbered "
                                         "'DK20990101-001'")
    result = sh("cards", "penalty", "void", "CJ20990101-001", "--reason", "x")
    assert result.returncode == 1 and result.stderr.startswith("error: NO: no restriction")


@pytest.mark.slow
def test_rectify_and_recheck_links_are_kept(run, db_path):
    rectify, recheck = rectify_and_recheck(run)
    audited = rows(db_path, "audit")
    refusals = [
        (rectify, ["--kind", "notice"], "--kind", f"closed by recheck {recheck}"),
        (rectify, ["--institution", "移动营业厅", "--institution-kind", "outlet"],
         "--institution", "cannot change"),
        (rectify, ["--date", days_ago(2)], "--date", f"after the recheck {recheck}"),
        (rectify, ["--deadline", days_ago(8)], "--deadline", "not after"),
        (recheck, ["--kind", "inspection"], "--kind", f"closed rectification {rectify}"),
        (recheck, ["--date", days_ago(9)], "--date", f"before the rectification {rectify}"),
    ]
    for no, args, field, reason in refusals:
        result = run("cards", "update", no, *args, ok=False)
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"error: {field}:") and reason in result.stderr, (
            args, result.stderr)
    assert rows(db_path, "audit") == audited
    # A recheck's new date is the rectification's re-check date.
    run("cards", "update", recheck, "--date", days_ago(1))
    closed = json.loads(run("cards", "show", rectify, "--format", "json").stdout)
    assert (closed["closed_by"], closed["closed_on"]) == (recheck, days_ago(1))
    assert run("check").exit_code == 0


def test_an_action_corrected_into_a_recheck_closes_the_open_rectification(run):
    register_bank(run)
    rectify = action(run, "--date", days_ago(8), "--institution", BANK, "--kind", "rectify",
                     "--deadline", days_ago(2)).stdout.strip()
    notice = action(run, "--date", days_ago(1), "--institution", BANK,
                    "--kind", "notice").stdout.strip()
    assert open_nos(run) == [rectify]
    result = run("cards", "update", notice, "--kind", "recheck")
    assert result.stderr == ""
    assert open_nos(run) == []
    closed = json.loads(run("cards", "show", rectify, "--format", "json").stdout)
    assert (closed["closed_by"], closed["status"]) == (notice, "rechecked")


@pytest.mark.slow
def test_void_leaves_an_action_out_of_lists_and_reports(run, sh, db_path):
    register_bank(run)
    fine = action(run, "--date", days_ago(3), "--institution", BANK, "--kind", "fine",
                  "--amount", "5000").stdout.strip()
    assert cards_of(run, days_ago(10), days_ago(0))["fines_fen"] == 500000
    result = sh("cards", "void", fine, "--reason", "重复录入")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == fine
    listed = json.loads(run("cards", "list", "--format", "json").stdout)
    assert fine not in [a["no"] for a in listed] and len(listed) == 1
    figures = cards_of(run, days_ago(10), days_ago(0))
    assert (figures["actions"], figures["fines"], figures["fines_fen"]) == (1, 0, 0)
    institution, = json.loads(run("cards", "institutions", "--format", "json").stdout)
    assert (institution["actions"], institution["fines_fen"]) == (1, 0)
    shown = json.loads(run("cards", "show", fine, "--format", "json").stdout)
    assert shown["voided"] is True and shown["void_reason"] == "重复录入"
    assert "(void)" in run("cards", "show", fine).stdout
    assert [a["no"] for a in json.loads(run("cards", "list", "--void", "--format",
                                            "json").stdout)] == [fine]
    (key, _, after), = audit_rows(db_path, "void")
    assert key == fine and json.loads(after) == {"voided": True, "void_reason": "重复录入"}
    # Twice, or a correction afterwards, is refused and writes nothing.
    audited = rows(db_path, "audit")
    again = sh("cards", "void", fine, "--reason", "x")
    assert again.returncode == 1 and "already void" in again.stderr
    corrected = sh("cards", "update", fine, "--amount", "1")
    assert corrected.returncode == 1 and "is void and cannot be corrected" in corrected.stderr
    assert rows(db_path, "audit") == audited
    missing = sh("cards", "void", fine)
    assert missing.returncode == 2 and "--reason" in missing.stderr


@pytest.mark.slow
def test_voiding_a_recheck_reopens_its_rectification(run, db_path):
    rectify, recheck = rectify_and_recheck(run)
    run("cards", "void", recheck, "--reason", "录错机构")
    assert open_nos(run) == [rectify]
    reopened = json.loads(run("cards", "show", rectify, "--format", "json").stdout)
    assert (reopened["closed_by"], reopened["closed_on"]) == (None, None)
    assert reopened["status"] == "awaiting-recheck"
    institution, = json.loads(run("cards", "institutions", "--format", "json").stdout)
    assert institution["open_rectifications"] == 1
    key, before, after = audit_rows(db_path, "update")[-1]
    assert key == rectify and json.loads(before)["closed_by"] == recheck
    assert json.loads(after) == {"closed_by": None, "closed_on": None}
    # Now open, the rectification may be corrected freely, and a new recheck closes it.
    run("cards", "update", rectify, "--deadline", days_ago(-20))
    action(run, "--date", days_ago(1), "--institution", BANK, "--kind", "recheck")
    assert open_nos(run) == []
    assert run("check").exit_code == 0


# -- restrictions: show and void ------------------------------------------------------

@pytest.mark.slow
def test_penalty_show_masks_unless_revealed_and_audits_the_reveal(run, sh, db_path):
    no = penalty(run, "--measure", "financial", "--start", days_ago(30), "--years", "2",
                 "--station", "平襄").stdout.strip()
    for fmt in ("table", "json", "csv"):
        shown = sh("cards", "penalty", "show", no, "--format", fmt)
        assert shown.returncode == 0, shown.stderr
        assert "测试甲" not in shown.stdout and ID_A not in shown.stdout
        assert "621121********1233" in shown.stdout
    out = db_path.parent / "penalty.json"
    run("cards", "penalty", "show", no, "-o", out)
    assert json.loads(out.read_text("utf-8"))["name"] == "测**"
    assert audit_rows(db_path, "reveal", "card_penalty") == []
    revealed = json.loads(run("cards", "penalty", "show", no, "--reveal", "--format",
                              "json").stdout)
    assert (revealed["name"], revealed["id_no"]) == ("测试甲", ID_A)
    (key, _, after), = audit_rows(db_path, "reveal", "card_penalty")
    assert key == no and json.loads(after)["records"] == [no]
    missing = run("cards", "penalty", "show", "CJ20990101-001", ok=False)
    assert missing.exit_code == 1 and missing.stderr.startswith("error: NO:")


@pytest.mark.slow
def test_penalty_void_frees_the_five_year_rule_and_leaves_the_list(run, sh, db_path):
    first = penalty(run, "--measure", "financial", "--start", "2021-03-01",
                    "--years", "3").stdout.strip()
    refused = penalty(run, "--measure", "financial", "--start", "2024-03-01", "--years", "3",
                      ok=False)
    assert refused.exit_code == 1 and "5 years" in refused.stderr
    result = sh("cards", "penalty", "void", first, "--reason", "录入错误")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == first
    assert json.loads(run("cards", "penalty", "list", "--format", "json").stdout) == []
    voided, = json.loads(run("cards", "penalty", "list", "--void", "--format", "json").stdout)
    assert voided["no"] == first and voided["void_reason"] == "录入错误"
    assert voided["name"] == "测**"
    shown = json.loads(run("cards", "penalty", "show", first, "--format", "json").stdout)
    assert shown["voided"] is True and shown["active"] is False and shown["updated_by"]
    (key, before, after), = audit_rows(db_path, "void", "card_penalty")
    assert key == first and json.loads(before) == {"voided": False}
    # The same restriction, entered right, is now accepted.
    penalty(run, "--measure", "financial", "--start", "2024-03-01", "--years", "3")
    audited = rows(db_path, "audit")
    again = sh("cards", "penalty", "void", first, "--reason", "x")
    assert again.returncode == 1 and again.stderr.startswith("error: NO:")
    assert "already void" in again.stderr and rows(db_path, "audit") == audited


@pytest.mark.slow
def test_penalty_update_corrects_and_keeps_the_five_year_rule(run, sh, db_path):
    first = penalty(run, "--measure", "financial", "--start", "2021-03-01",
                    "--years", "2").stdout.strip()
    second = penalty(run, "--measure", "financial", "--start", "2023-03-01",
                     "--years", "3").stdout.strip()  # 2021-03-01 .. 2026-02-28: five years
    audited = rows(db_path, "audit")
    longer = run("cards", "penalty", "update", first, "--start", "2021-02-01", "--years", "3",
                 ok=False)  # 2021-02-01 .. 2024-01-31, then the second: past five years
    assert longer.exit_code == 1 and longer.stderr.startswith("error: --years:")
    assert "5 years" in longer.stderr
    for args, field, reason in ((["--name", "-"], "--name", "cannot be cleared"),
                                (["--years", "4"], "--years", "2 or 3"),
                                ([], "NO", "nothing to change")):
        refused = run("cards", "penalty", "update", first, *args, ok=False)
        assert refused.exit_code == 1, args
        assert refused.stderr.startswith(f"error: {field}:") and reason in refused.stderr
    assert rows(db_path, "audit") == audited
    # A later start moves the end and the (default) appeal date; the rule still holds.
    result = sh("cards", "penalty", "update", first, "--start", "2021-04-01", "--note", "更正")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == first
    shown = json.loads(run("cards", "penalty", "show", first, "--format", "json").stdout)
    assert (shown["start_date"], shown["end_date"], shown["appeal_by"]) == (
        "2021-04-01", "2023-03-31", str(date(2021, 4, 1) + timedelta(days=cards.APPEAL_DAYS)))
    assert shown["note"] == "更正" and shown["updated_by"] and shown["name"] == "测**"
    (key, before, after), = audit_rows(db_path, "update", "card_penalty")
    assert key == first and json.loads(before)["start_date"] == "2021-03-01"
    assert json.loads(after)["end_date"] == "2023-03-31"
    assert "测试甲" not in before + after and ID_A not in before + after
    # The other restriction's own correction does not count itself twice.
    run("cards", "penalty", "update", second, "--note", "复核")
    clash = run("cards", "penalty", "update", second, "--start", "2021-04-01", ok=False)
    assert clash.exit_code == 1 and "already has this measure" in clash.stderr
    assert run("check").exit_code == 0
