"""Fraud cases on the domain floor: `domain.cases` called directly on a fresh file, without
the command line. What a user would notice: the values stored, the numbers given, the
status that follows the events, the refusals (with the field they name), the audit rows."""

from __future__ import annotations

import json

import pytest
from stdnum.cn import ric

from tests.conftest import days_ago
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.core.fields import CASE, EVENT
from tongwei_cli.core.masking import mask_id
from tongwei_cli.domain import cases
from tongwei_cli.storage import personal
from tongwei_cli.storage.audit import list_audit

ID_F_1990 = "62242419900101002" + ric.calc_check_digit("62242419900101002" + "0")
WRONG_CHECK = ID_F_1990[:-1] + ("0" if ID_F_1990[-1] != "0" else "1")


def raw(**given):
    """The raw values `case add` hands the domain: every field of the declaration, None
    where not given."""
    return {**dict.fromkeys(CASE.names()), "reported": days_ago(3), "type": "刷单",
            "station": "平襄", "loss": "1.5万", **given}


def event(**given):
    """The raw values `case event` hands the domain (its case and kind are arguments)."""
    return {**dict.fromkeys(n for n in EVENT.names() if n != "case"), **given}


def count(db, table="cases") -> int:
    return db.scalar(f"SELECT count(*) FROM {table}")


def audited(db, action, entity="case"):
    return [r for r in list_audit(db, entity=entity) if r["action"] == action]


def test_add_numbers_by_the_reported_day_stores_fen_and_codes_and_audits(db):
    record, notes = cases.add_case(db, raw())
    day = days_ago(3).replace("-", "")
    assert record["no"] == f"TW{day}-001" and notes == []
    assert (record["type"], record["station"], record["loss_fen"]) == ("task-scam",
                                                                      "pingxiang", 1500000)
    assert record["status"] == "reported" and record["voided"] is False
    assert record["created_by"] == "测试警官" and record["created_at"].endswith("Z")
    assert cases.add_case(db, raw())[0]["no"] == f"TW{day}-002"
    other_day = cases.add_case(db, raw(reported=days_ago(1)))[0]["no"]
    assert other_day == f"TW{days_ago(1).replace('-', '')}-001"
    (first, *_) = audited(db, "add")
    assert (first["officer"], first["key"], first["before"]) == ("测试警官", f"TW{day}-001",
                                                                 None)
    assert json.loads(first["after"])["loss_fen"] == 1500000


def test_numbering_fills_around_a_number_given_by_hand(db):
    day = days_ago(3).replace("-", "")
    cases.add_case(db, raw(no=f"TW{day}-001"))
    assert cases.add_case(db, raw())[0]["no"] == f"TW{day}-002"
    assert cases.add_case(db, raw())[0]["no"] == f"TW{day}-003"


def test_the_victim_id_gives_sex_and_age_and_the_log_is_masked(db):
    record, _ = cases.add_case(db, raw(no="A1", victim_name="测试甲",
                                       victim_phone="+86 138 0000 0001", victim_id=ID_F_1990,
                                       victim_group="学生", summary="网上刷单"))
    # Stored masked; the clear values only from their ciphertext (`--reveal`).
    assert record["victim_phone"] == "138****0001" and record["victim_id"] == mask_id(ID_F_1990)
    (opened,) = personal.reveal(db, "cases", [record])
    assert opened["victim_phone"] == "13800000001" and opened["victim_id"] == ID_F_1990
    assert opened["victim_name"] == "测试甲" and record["victim_name"] == "测**"
    assert record["victim_gender"] == "F" and record["victim_age"] >= 35
    assert record["victim_group"] == "students"
    after = audited(db, "add")[0]["after"]
    assert "测试甲" not in after and "13800000001" not in after and ID_F_1990 not in after
    assert json.loads(after)["victim_phone"] == "138****0001"


@pytest.mark.parametrize(("given", "field", "reason"), [
    ({"loss": "-3"}, "loss", "negative"),
    ({"loss": "1.234"}, "loss", "two decimals"),
    ({"loss": None}, "loss", ""),
    ({"type": "nonsense"}, "type", "valid: task-scam 刷单返利"),
    ({"station": "陇"}, "station", "more than one station"),
    ({"reported": "2999-01-01"}, "reported", "in the future"),
    ({"reported": "2024-02-30"}, "reported", "not a real date"),
    ({"occurred": days_ago(1)}, "occurred", "after the reported date"),
    ({"victim_phone": "12345"}, "victim-phone", "mainland mobile"),
    ({"victim_id": WRONG_CHECK}, "victim-id", "check digit does not match"),
    ({"victim_id": ID_F_1990, "victim_gender": "M"}, "victim-gender", "contradicts"),
    ({"victim_id": ID_F_1990, "victim_age": "12"}, "victim-age", "contradicts"),
    ({"victim_age": "-1"}, "victim-age", "negative"),
    ({"victim_group": "aliens"}, "victim-group", "unknown audience"),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(db, given, field,
                                                                        reason):
    with pytest.raises(InvalidValue) as refused:
        cases.add_case(db, raw(**given))
    assert refused.value.field == field and reason in refused.value.reason
    assert count(db) == 0 and audited(db, "add") == []


def test_a_number_taken_is_a_conflict_on_no(db):
    cases.add_case(db, raw(no="A1"))
    with pytest.raises(Conflict) as refused:
        cases.add_case(db, raw(no="A1"))
    assert refused.value.field == "no" and "case A1 already exists" in refused.value.reason
    assert count(db) == 1 and len(audited(db, "add")) == 1


def test_events_move_the_status_and_add_up(db):
    cases.add_case(db, raw(no="A1"))
    steps = [("filed", {"date": days_ago(2)}, "filed"),
             ("solved", {"date": days_ago(1)}, "solved"),
             ("arrest", {"count": "3", "date": days_ago(1)}, "solved"),
             ("recover", {"amount": "5000.50", "date": days_ago(1)}, "solved"),
             ("freeze", {"amount": "2万"}, "solved")]
    for kind, given, status in steps:
        stored = cases.add_event(db, "A1", event(kind=kind, **given))
        assert stored["case_no"] == "A1" and stored["kind"] == kind
        assert cases.get_case(db, "A1")["status"] == status
    shown = cases.show_case(db, "A1")
    assert [e["kind"] for e in shown["events"]] == ["filed", "solved", "arrest", "recover",
                                                    "freeze"]
    assert shown["events"][0]["created_by"] == "测试警官"
    assert shown["totals"] == {"arrested": 3, "prosecuted": 0, "recovered_fen": 500050,
                               "frozen_fen": 2000000, "stopped_fen": 0}
    assert [e["key"] for e in audited(db, "event")] == ["A1"] * 5
    cases.add_event(db, "A1", event(kind="close"))
    assert cases.get_case(db, "A1")["status"] == "closed"
    assert [c["no"] for c in cases.list_cases(db, status="closed")] == ["A1"]
    assert cases.list_cases(db, status="solved") == []


def test_an_event_defaults_to_today_and_an_arrest_to_one_person(db):
    cases.add_case(db, raw(no="A1"))
    stored = cases.add_event(db, "A1", event(kind="ARREST"))
    assert (stored["kind"], stored["date"], stored["count"]) == ("arrest", days_ago(0), 1)


@pytest.mark.parametrize(("kind", "given", "error", "field", "reason"), [
    ("solved", {}, Conflict, "KIND", "already solved"),
    ("recover", {"amount": "10000.01"}, InvalidValue, "amount", "above the loss"),
    ("freeze", {}, InvalidValue, "amount", "needs an amount"),
    ("freeze", {"amount": "0"}, InvalidValue, "amount", "more than zero"),
    ("solved", {"amount": "5"}, InvalidValue, "amount", "only recover"),
    ("filed", {"count": "2"}, InvalidValue, "count", "only arrest and prosecute"),
    ("arrest", {"count": "1.5"}, InvalidValue, "count", "whole number"),
    ("arrest", {"count": "-2"}, InvalidValue, "count", "negative"),
    ("arrest", {"count": "0"}, InvalidValue, "count", "at least 1"),
    ("solved", {"date": "2000-01-01"}, InvalidValue, "date", "before the case was reported"),
    ("filed", {"date": "2999-01-01"}, InvalidValue, "date", "in the future"),
    ("explode", {}, InvalidValue, "KIND", "unknown event"),
])
def test_event_refusals_name_the_field_and_write_nothing(db, kind, given, error, field,
                                                         reason):
    cases.add_case(db, raw(no="A1"))
    cases.add_event(db, "A1", event(kind="solved", date=days_ago(2)))
    cases.add_event(db, "A1", event(kind="recover", amount="5000", date=days_ago(2)))
    with pytest.raises(error) as refused:
        cases.add_event(db, "A1", event(kind=kind, **given))
    assert refused.value.field == field and reason in refused.value.reason
    assert count(db, "case_events") == 2 and len(audited(db, "event")) == 2
    assert cases.get_case(db, "A1")["status"] == "solved"


def test_an_event_of_an_unknown_case_is_not_found(db):
    with pytest.raises(NotFound) as refused:
        cases.add_event(db, "NOPE", event(kind="solved"))
    assert refused.value.field == "CASE_NO" and "no case numbered 'NOPE'" in refused.value.reason
    with pytest.raises(NotFound):
        cases.show_case(db, "NOPE")


def test_update_corrects_and_logs_before_and_after_masked(db):
    cases.add_case(db, raw(no="A1", victim_phone="13800000001"))
    record, _ = cases.update_case(db, "A1", {"loss": "20000", "station": "马营",
                                             "victim_phone": "-", "summary": None})
    assert record["loss_fen"] == 2000000 and record["station"] == "maying"
    assert record["victim_phone"] is None and record["updated_by"] == "测试警官"
    (logged,) = audited(db, "update")
    assert logged["key"] == "A1"
    assert json.loads(logged["before"]) == {"loss_fen": 1500000, "station": "pingxiang",
                                            "victim_phone": "138****0001"}
    assert json.loads(logged["after"]) == {"loss_fen": 2000000, "station": "maying",
                                           "victim_phone": None}


@pytest.mark.parametrize("name", ["loss", "station", "reported", "type", "no"])
def test_update_cannot_clear_a_required_field(db, name):
    cases.add_case(db, raw(no="A1"))
    with pytest.raises(InvalidValue) as refused:
        cases.update_case(db, "A1", {name: "-"})
    assert refused.value.field == name
    assert refused.value.reason == "is required and cannot be cleared"
    assert audited(db, "update") == []


def test_update_with_nothing_to_change_is_refused(db):
    cases.add_case(db, raw(no="A1"))
    with pytest.raises(InvalidValue) as refused:
        cases.update_case(db, "A1", dict.fromkeys(CASE.names()))
    assert refused.value.field == "CASE_NO" and "nothing to change" in refused.value.reason


def test_update_the_same_values_writes_no_audit_row(db):
    cases.add_case(db, raw(no="A1"))
    record, _ = cases.update_case(db, "A1", {"station": "平襄派出所"})
    assert record["station"] == "pingxiang" and record["updated_at"] is None
    assert audited(db, "update") == []


def test_update_keeps_the_events_true(db):
    cases.add_case(db, raw(no="A1"))
    cases.add_event(db, "A1", event(kind="recover", amount="10000", date=days_ago(2)))
    with pytest.raises(InvalidValue) as below:
        cases.update_case(db, "A1", {"loss": "9999"})
    assert below.value.field == "loss" and "already recovered" in below.value.reason
    with pytest.raises(InvalidValue) as later:
        cases.update_case(db, "A1", {"reported": days_ago(1)})
    assert later.value.field == "reported" and "first event" in later.value.reason
    assert cases.get_case(db, "A1")["loss_fen"] == 1500000
    assert audited(db, "update") == []


def test_update_to_a_number_taken_is_a_conflict(db):
    cases.add_case(db, raw(no="A1"))
    cases.add_case(db, raw(no="A2"))
    with pytest.raises(Conflict) as refused:
        cases.update_case(db, "A1", {"no": "A2"})
    assert refused.value.field == "no"
    renamed, _ = cases.update_case(db, "A1", {"no": "A3"})
    assert renamed["no"] == "A3"
    with pytest.raises(NotFound):
        cases.get_case(db, "A1")


def test_a_new_id_number_derives_sex_and_age_again(db):
    cases.add_case(db, raw(no="A1", victim_gender="M", victim_age="70"))
    record, _ = cases.update_case(db, "A1", {"victim_id": ID_F_1990})
    assert record["victim_gender"] == "F" and 30 < record["victim_age"] < 70


def test_void_keeps_the_case_hides_it_and_refuses_changes(db):
    cases.add_case(db, raw(no="A1"))
    cases.add_case(db, raw(no="A2"))
    record = cases.void_case(db, "A1", "重复录入")
    assert record["voided"] is True and record["void_reason"] == "重复录入"
    assert [c["no"] for c in cases.list_cases(db)] == ["A2"]
    assert [c["no"] for c in cases.list_cases(db, status="void")] == ["A1"]
    with pytest.raises(Conflict) as no_event:
        cases.add_event(db, "A1", event(kind="solved"))
    assert no_event.value.field == "CASE_NO" and "void" in no_event.value.reason
    with pytest.raises(Conflict) as again:
        cases.void_case(db, "A1", "again")
    assert "already void" in again.value.reason
    with pytest.raises(Conflict) as no_update:
        cases.update_case(db, "A1", {"loss": "1"})
    assert "void and cannot be corrected" in no_update.value.reason
    with pytest.raises(InvalidValue) as no_reason:
        cases.void_case(db, "A2", "  ")
    assert no_reason.value.field == "reason"
    assert count(db) == 2
    (logged,) = audited(db, "void")
    assert logged["key"] == "A1" and json.loads(logged["after"])["void_reason"] == "重复录入"


def test_list_filters_by_period_type_station_and_status(db):
    cases.add_case(db, raw(no="OLD", reported=days_ago(40), type="loan", station="马营",
                           loss="100"))
    cases.add_case(db, raw(no="NEW", reported=days_ago(1), type="虚假贷款", loss="200"))
    cases.add_case(db, raw(no="ROM", reported=days_ago(1), type="romance",
                           station="平襄派出所", loss="300"))

    def nos(**filters):
        return sorted(c["no"] for c in cases.list_cases(db, **filters))

    from datetime import date

    assert nos() == ["NEW", "OLD", "ROM"]
    assert nos(first=date.fromisoformat(days_ago(7))) == ["NEW", "ROM"]
    assert nos(last=date.fromisoformat(days_ago(7))) == ["OLD"]
    assert nos(type_="loan") == ["NEW", "OLD"]
    assert nos(station="maying") == ["OLD"]
    assert nos(status="reported", station="pingxiang", type_="romance") == ["ROM"]


def test_list_limit_keeps_the_newest_with_their_money(db):
    for n, ago in (("A", 5), ("B", 3), ("C", 1)):
        cases.add_case(db, raw(no=n, reported=days_ago(ago), loss="1000"))
    cases.add_event(db, "B", event(kind="recover", date=days_ago(2), amount="300"))
    cases.add_event(db, "B", event(kind="recover", date=days_ago(1), amount="200"))
    cases.add_event(db, "A", event(kind="freeze", date=days_ago(4), amount="50"))
    listed = cases.list_cases(db, limit=2)
    assert [c["no"] for c in listed] == ["C", "B"]
    assert listed[1]["recovered_fen"] == 50_000 and listed[0]["recovered_fen"] == 0
    every = cases.list_cases(db)
    assert [c["no"] for c in every] == ["C", "B", "A"] and every[2]["frozen_fen"] == 5_000
