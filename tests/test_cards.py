"""Two-card supervision (管/控): institutions, actions, open rectifications, restrictions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from tests.conftest import days_ago
from tongwei_cli import cards
from tongwei_cli.errors import InvalidValue

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


def test_end_of_leap_day():
    assert cards.end_of(date(2024, 2, 29), 2) == date(2026, 2, 27)
    assert cards.end_of(date(2024, 3, 1), 3) == date(2027, 2, 28)


def test_domain_prepare_card_action_writes_nothing(db):
    prepared = cards.prepare_card_action(db, {
        "date": days_ago(1), "institution": " 农行  通渭支行 ", "kind": "fine",
        "institution_kind": "bank", "amount": 2000})
    assert prepared.row["institution"] == "农行 通渭支行"
    assert prepared.row["amount_fen"] == 200000 and prepared.row["new_institution"]
    assert db.scalar("SELECT count(*) FROM institutions") == 0
    with pytest.raises(InvalidValue) as caught:
        cards.prepare_card_action(db, {"date": days_ago(1), "institution": "x",
                                       "kind": "fine", "amount": 1})
    assert caught.value.field == "institution-kind"


# -- import --------------------------------------------------------------------------

CARD_HEADER = "date,institution,kind,institution-kind,amount,deadline,note"


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
    sheet.append(["检查日期", "机构名称", "监管措施", "机构类型", "罚款金额(元)", "整改期限", "备注"])
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
