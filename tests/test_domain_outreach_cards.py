"""Outreach sessions, two-card supervision and campaigns on the domain floor: `domain.outreach`,
`domain.cards` and `domain.campaigns` called directly on a fresh file. Numbers, stored codes,
refusals with their field, the rectify/recheck links, the five-year rule, audit rows."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.conftest import days_ago
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound, TongweiError
from tongwei_cli.core.fields import CARD_ACTION, OUTREACH, RESTRICTION
from tongwei_cli.core.masking import mask_id
from tongwei_cli.domain import campaigns, cards, outreach
from tongwei_cli.storage import personal
from tongwei_cli.storage.audit import list_audit
from tongwei_cli.storage.check import run_checks

BANK = "农行通渭支行"
ID_A = "621121199001011233"
ID_B = "622424197003030013"


def audited(db, action, entity):
    return [r for r in list_audit(db, entity=entity) if r["action"] == action]


def count(db, table) -> int:
    return db.scalar(f"SELECT count(*) FROM {table}")


# -- outreach -------------------------------------------------------------------------

def session(**given):
    """The raw values `outreach add` hands the domain."""
    return {**dict.fromkeys(OUTREACH.names()), "date": days_ago(1), "station": "平襄",
            "audience": "在校学生", "form": "手拉手", "venue": "通渭县第一中学",
            "venue_kind": "school", "attendees": "320", "materials": "500", **given}


def test_a_session_is_numbered_by_its_day_and_stores_codes(db):
    record, notes = outreach.add_outreach(db, session(posters="4", app_installs="35",
                                                      notices_signed="12"))
    assert record["no"] == f"XC{days_ago(1).replace('-', '')}-001" and notes == []
    assert (record["station"], record["audience"], record["form"], record["venue_kind"]) == (
        "pingxiang", "students", "hand-in-hand", "school")
    assert (record["attendees"], record["materials"], record["posters"]) == (320, 500, 4)
    assert (record["app_installs"], record["notices_signed"], record["videos"]) == (35, 12,
                                                                                    None)
    assert record["created_by"] == "测试警官" and record["voided"] is False
    assert outreach.add_outreach(db, session())[0]["no"].endswith("-002")
    assert [r["key"] for r in audited(db, "add", "outreach")] == [
        record["no"], record["no"][:-1] + "2"]


def test_english_names_and_codes_are_accepted(db):
    record, _ = outreach.add_outreach(db, session(
        date="today", station="maying", audience="Elderly and people living alone",
        form="face-to-face", venue="马营镇广场", venue_kind=None, attendees="80",
        materials="200", ref="XC-01"))
    assert record["audience"] == "elderly" and record["ref"] == "XC-01"
    assert record["venue_kind"] is None and record["date"] == days_ago(0)


@pytest.mark.parametrize(("name", "value", "field", "reason"), [
    ("attendees", "-5", "attendees", "negative"),
    ("materials", "12.5", "materials", "whole number"),
    ("posters", "-1", "posters", "negative"),
    ("app_installs", "x", "app-installs", ""),
    ("audience", "外星人", "audience", "unknown audience"),
    ("form", "skywriting", "form", "unknown form"),
    ("venue_kind", "moon", "venue-kind", "unknown venue kind"),
    ("station", "兰州", "station", "unknown station"),
    ("date", "2999-01-01", "date", "future"),
    ("venue", " ", "venue", "required"),
])
def test_session_refusals_name_the_field_and_write_nothing(db, name, value, field, reason):
    with pytest.raises(InvalidValue) as refused:
        outreach.add_outreach(db, session(**{name: value}))
    assert refused.value.field == field and reason in refused.value.reason
    assert count(db, "outreach") == 0 and audited(db, "add", "outreach") == []


def test_an_unknown_audience_lists_the_valid_ones(db):
    with pytest.raises(InvalidValue) as refused:
        outreach.add_outreach(db, session(audience="外星人"))
    assert "students 在校学生" in refused.value.reason and "elderly" in refused.value.reason


def test_a_ref_is_unique_and_finds_the_session(db):
    record, _ = outreach.add_outreach(db, session(ref="XC-7"))
    with pytest.raises(Conflict) as refused:
        outreach.add_outreach(db, session(ref="XC-7"))
    assert refused.value.field == "ref" and count(db, "outreach") == 1
    assert outreach.get_outreach(db, "XC-7")["no"] == record["no"]
    with pytest.raises(NotFound) as missing:
        outreach.get_outreach(db, "XC19990101-001")
    assert missing.value.field == "SESSION"


def test_list_filters_and_totals(db):
    outreach.add_outreach(db, session(date=days_ago(3), posters="3", attendees="100",
                                      materials="300"))
    outreach.add_outreach(db, session(date=days_ago(2), attendees="50", materials="60"))
    outreach.add_outreach(db, session(date=days_ago(1), station="马营", audience="villagers",
                                      form="door-to-door", venue="马营村", venue_kind=None,
                                      attendees="40", materials="80"))
    every = outreach.list_outreach(db)
    assert [r["date"] for r in every] == [days_ago(1), days_ago(2), days_ago(3)]
    assert len(outreach.list_outreach(db, station="pingxiang")) == 2
    assert len(outreach.list_outreach(db, first=date.fromisoformat(days_ago(2)),
                                      last=date.fromisoformat(days_ago(1)))) == 2
    assert [r["venue"] for r in outreach.list_outreach(db, audience="villagers")] == ["马营村"]
    assert len(outreach.list_outreach(db, form="hand-in-hand")) == 2
    assert len(outreach.list_outreach(db, limit=1)) == 1
    assert outreach.totals(every) == {"sessions": 3, "attendees": 190, "materials": 440,
                                      "posters": 3, "videos": 0, "app_installs": 0,
                                      "notices_signed": 0}


def test_update_corrects_clears_and_logs_before_and_after(db):
    no = outreach.add_outreach(db, session(note="雨天"))[0]["no"]
    record = outreach.update_outreach(db, no, {"attendees": "350", "videos": "2",
                                               "note": "-", "venue": None})
    assert (record["attendees"], record["videos"], record["note"]) == (350, 2, None)
    assert record["updated_by"] == "测试警官"
    (logged,) = audited(db, "update", "outreach")
    assert json.loads(logged["before"]) == {"attendees": 320, "videos": None, "note": "雨天"}
    assert json.loads(logged["after"]) == {"attendees": 350, "videos": 2, "note": None}
    with pytest.raises(InvalidValue) as negative:
        outreach.update_outreach(db, no, {"attendees": "-1"})
    assert negative.value.field == "attendees"
    with pytest.raises(InvalidValue) as cleared:
        outreach.update_outreach(db, no, {"venue": "-"})
    assert cleared.value.field == "venue"
    with pytest.raises(InvalidValue) as nothing:
        outreach.update_outreach(db, no, {})
    assert nothing.value.field == "SESSION"
    assert outreach.get_outreach(db, no)["attendees"] == 350
    assert len(audited(db, "update", "outreach")) == 1


def test_void_keeps_the_session_but_leaves_it_out(db):
    no = outreach.add_outreach(db, session(ref="XC-9"))[0]["no"]
    outreach.add_outreach(db, session(attendees="10", materials="10"))
    voided = outreach.void_outreach(db, "XC-9", "重复录入")
    assert voided["voided"] is True and voided["void_reason"] == "重复录入"
    assert [r["attendees"] for r in outreach.list_outreach(db)] == [10]
    assert [r["no"] for r in outreach.list_outreach(db, voided=True)] == [no]
    with pytest.raises(Conflict, match="already void"):
        outreach.void_outreach(db, no, "x")
    with pytest.raises(Conflict, match="void and cannot be corrected"):
        outreach.update_outreach(db, no, {"attendees": "1"})
    (logged,) = audited(db, "void", "outreach")
    assert logged["key"] == no


# (moved from test_outreach.py)
def test_domain_prepare_writes_nothing_and_totals(db):
    prepared = outreach.prepare_outreach(db, {
        "date": days_ago(1), "station": "平襄", "audience": "students", "form": "lecture",
        "venue": "一中", "attendees": 10.0, "materials": "20份", "posters": None})
    assert prepared.row["attendees"] == 10 and prepared.row["materials"] == 20
    assert db.scalar("SELECT count(*) FROM outreach") == 0
    with pytest.raises(InvalidValue) as caught:
        outreach.prepare_outreach(db, {**prepared.row, "attendees": -1})
    assert caught.value.field == "attendees"
    assert outreach.totals([prepared.row, prepared.row])["materials"] == 40
    record, _ = outreach.add_outreach(db, {**prepared.row, "ref": "R1"})
    with pytest.raises(Conflict):
        outreach.add_outreach(db, {**prepared.row, "ref": "R1"})
    assert outreach.get_outreach(db, "R1")["no"] == record["no"]


# -- supervision actions --------------------------------------------------------------

def act(**given):
    """The raw values `cards action` hands the domain."""
    return {**dict.fromkeys(CARD_ACTION.names()), "date": days_ago(10), "institution": BANK,
            "kind": "inspection", **given}


def register_bank(db, day=None):
    return cards.add_card_action(db, act(date=day or days_ago(10), institution_kind="银行",
                                         station="平襄"))[0]


def test_the_first_action_registers_the_institution_and_later_ones_inherit(db):
    first = register_bank(db)
    assert first["no"] == f"DK{days_ago(10).replace('-', '')}-001"
    assert (first["institution"], first["institution_kind"], first["station"]) == (
        BANK, "bank", "pingxiang")
    later, _ = cards.add_card_action(db, act(date=days_ago(9), kind="约谈"))
    assert later["station"] == "pingxiang" and later["kind"] == "interview"
    (institution,) = cards.list_institutions(db)
    assert (institution["institution"], institution["kind"], institution["actions"]) == (
        BANK, "bank", 2)
    (registered,) = audited(db, "add", "institution")
    assert registered["key"] == BANK
    assert [r["key"] for r in audited(db, "add", "card_action")] == [first["no"], later["no"]]


def test_an_institution_name_is_tidied(db):
    record, _ = cards.add_card_action(db, act(institution=" 农行  通渭支行 ",
                                              institution_kind="bank"))
    assert record["institution"] == "农行 通渭支行"


def test_a_new_institution_needs_its_kind_and_a_known_one_keeps_it(db):
    with pytest.raises(InvalidValue) as unknown:
        cards.add_card_action(db, act(institution="新网点", date=days_ago(1)))
    assert unknown.value.field == "institution-kind"
    assert count(db, "institutions") == 0 and count(db, "card_actions") == 0
    register_bank(db)
    with pytest.raises(InvalidValue) as other:
        cards.add_card_action(db, act(date=days_ago(1), institution_kind="outlet",
                                      kind="notice"))
    assert other.value.field == "institution-kind" and "registered as bank" in \
        other.value.reason
    assert count(db, "card_actions") == 1


@pytest.mark.parametrize(("given", "field", "reason"), [
    ({"kind": "fine"}, "amount", "needs an amount"),
    ({"kind": "fine", "amount": "-50"}, "amount", "negative"),
    ({"kind": "fine", "amount": "0"}, "amount", "more than zero"),
    ({"kind": "rectify"}, "deadline", "needs a deadline"),
    ({"kind": "rectify", "deadline": days_ago(6)}, "deadline", "not after"),
    ({"kind": "rectify", "deadline": days_ago(5)}, "deadline", "not after"),
    ({"kind": "inspection", "amount": "100"}, "amount", "only a fine"),
    ({"kind": "notice", "deadline": days_ago(1)}, "deadline", "only a rectification"),
    ({"kind": "raid"}, "kind", "unknown action"),
    ({"station": "兰州"}, "station", "unknown station"),
    ({"institution": " "}, "institution", "is required"),
    ({"institution": "银" * 101}, "institution", "longer than 100"),
])
def test_action_refusals_name_the_field_and_write_nothing(db, given, field, reason):
    register_bank(db)
    with pytest.raises(InvalidValue) as refused:
        cards.add_card_action(db, act(date=days_ago(5), **given))
    assert refused.value.field == field and reason in refused.value.reason
    assert count(db, "card_actions") == 1


def test_fines_and_the_list_with_its_totals(db):
    register_bank(db)
    cards.add_card_action(db, act(date=days_ago(3), kind="罚款", amount="1.5万"))
    cards.add_card_action(db, act(date=days_ago(2), institution="移动营业厅",
                                  institution_kind="outlet", kind="fine", amount="5000.50",
                                  station="马营"))
    fines = cards.list_card_actions(db, kind="fine")
    assert [f["amount_fen"] for f in fines] == [500050, 1500000]
    assert cards.action_totals(cards.list_card_actions(db)) == {
        "actions": 3, "inspections": 1, "interviews": 0, "notices": 0, "fines": 2,
        "rectifys": 0, "rechecks": 0, "fines_fen": 2000050}
    assert [a["institution"] for a in cards.list_card_actions(db, station="maying")] == [
        "移动营业厅"]
    day = date.fromisoformat(days_ago(3))
    assert len(cards.list_card_actions(db, first=day, last=day)) == 1
    assert len(cards.list_card_actions(db, institution=BANK)) == 2
    with pytest.raises(TongweiError) as unknown:  # an unknown name lists the stored ones
        cards.list_card_actions(db, institution="没有的银行")
    assert unknown.value.field == "institution" and "农行通渭支行" in unknown.value.reason


def test_open_rectifications_come_overdue_first_and_a_recheck_closes_them(db):
    register_bank(db)
    today = date.fromisoformat(days_ago(0))
    late = cards.add_card_action(db, act(date=days_ago(9), kind="rectify",
                                         deadline=days_ago(2)))[0]["no"]
    soon = cards.add_card_action(db, act(date=days_ago(1), institution="电信营业厅",
                                         institution_kind="outlet", kind="整改",
                                         deadline=(today + timedelta(days=5)).isoformat())
                                 )[0]["no"]
    opened = cards.open_rectifications(db)
    assert [(o["no"], o["status"], o["days_overdue"]) for o in opened] == [
        (late, "overdue", 2), (soon, "awaiting-recheck", 0)]
    assert opened[1]["days_left"] == 5
    recheck, notes = cards.add_card_action(db, act(date="today", kind="recheck"))
    assert notes == []
    assert [o["no"] for o in cards.open_rectifications(db)] == [soon]
    closed = cards.get_card_action(db, late)
    assert closed["status"] == "rechecked" and closed["closed_by"] == recheck["no"]
    assert closed["closed_on"] == days_ago(0)


def test_a_recheck_with_nothing_open_is_kept_with_a_note(db):
    register_bank(db)
    record, notes = cards.add_card_action(db, act(date=days_ago(1), kind="复查"))
    assert record["no"].startswith("DK") and len(notes) == 1
    assert "no open rectification" in notes[0]


def test_a_recheck_does_not_close_a_later_rectification(db):
    register_bank(db)
    cards.add_card_action(db, act(date=days_ago(2), kind="recheck"))
    cards.add_card_action(db, act(date=days_ago(1), kind="rectify", deadline=days_ago(-10)))
    assert len(cards.open_rectifications(db)) == 1


def test_update_corrects_and_logs_and_a_new_kind_drops_what_it_does_not_take(db):
    register_bank(db)
    fine = cards.add_card_action(db, act(date=days_ago(3), kind="fine", amount="5000"))[0]
    record, _ = cards.update_card_action(db, fine["no"], {"amount": "8000.50",
                                                         "note": "复核后更正"})
    assert record["amount_fen"] == 800050 and record["note"] == "复核后更正"
    assert record["updated_by"] == "测试警官"
    (logged,) = audited(db, "update", "card_action")
    assert json.loads(logged["before"]) == {"amount_fen": 500000, "note": None}
    assert json.loads(logged["after"]) == {"amount_fen": 800050, "note": "复核后更正"}
    record, _ = cards.update_card_action(db, fine["no"], {"kind": "rectify",
                                                         "deadline": days_ago(-10)})
    assert (record["kind"], record["amount_fen"], record["status"]) == (
        "rectify", None, "awaiting-recheck")


def test_update_to_a_new_institution_registers_it(db):
    first = register_bank(db)["no"]
    with pytest.raises(InvalidValue) as unknown:
        cards.update_card_action(db, first, {"institution": "移动营业厅"})
    assert unknown.value.field == "institution-kind"
    record, _ = cards.update_card_action(db, first, {
        "institution": "移动营业厅", "institution_kind": "outlet", "station": "马营"})
    assert (record["institution"], record["institution_kind"], record["station"]) == (
        "移动营业厅", "outlet", "maying")
    assert [r["key"] for r in audited(db, "add", "institution")] == [BANK, "移动营业厅"]


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({}, "ACTION_NO", "nothing to change"),
    ({"date": "-"}, "date", "cannot be cleared"),
    ({"kind": "-"}, "kind", "cannot be cleared"),
    ({"institution": "-"}, "institution", "cannot be cleared"),
    ({"amount": "-"}, "amount", "a fine needs an amount"),
    ({"amount": "-3"}, "amount", "negative"),
    ({"deadline": days_ago(1)}, "deadline", "only a rectification"),
    ({"kind": "raid"}, "kind", "unknown action"),
    ({"date": "2999-01-01"}, "date", "future"),
    ({"institution_kind": "outlet"}, "institution-kind", "registered as bank"),
])
def test_update_refusals_name_the_field_and_write_nothing(db, changes, field, reason):
    register_bank(db)
    fine = cards.add_card_action(db, act(date=days_ago(3), kind="fine", amount="5000"))[0]
    before = len(list_audit(db))
    with pytest.raises(InvalidValue) as refused:
        cards.update_card_action(db, fine["no"], changes)
    assert refused.value.field == field and reason in refused.value.reason
    assert len(list_audit(db)) == before
    assert cards.get_card_action(db, fine["no"])["amount_fen"] == 500000


def test_unknown_numbers_are_not_found(db):
    for call in (lambda: cards.update_card_action(db, "DK20990101-001", {"note": "x"}),
                 lambda: cards.void_card_action(db, "DK20990101-001", "x"),
                 lambda: cards.get_card_action(db, "DK20990101-001")):
        with pytest.raises(NotFound) as missing:
            call()
        assert missing.value.field == "ACTION_NO"
        assert missing.value.reason == "no supervision action numbered 'DK20990101-001'"
    with pytest.raises(NotFound) as penalty:
        cards.void_penalty(db, "CJ20990101-001", "x")
    assert penalty.value.field == "NO" and "no restriction" in penalty.value.reason


def rectify_and_recheck(db):
    register_bank(db)
    rectify = cards.add_card_action(db, act(date=days_ago(8), kind="rectify",
                                            deadline=days_ago(-5)))[0]["no"]
    recheck = cards.add_card_action(db, act(date=days_ago(3), kind="recheck"))[0]["no"]
    assert cards.open_rectifications(db) == []
    return rectify, recheck


def test_rectify_and_recheck_stay_linked(db):
    rectify, recheck = rectify_and_recheck(db)
    before = len(list_audit(db))
    refusals = [
        (rectify, {"kind": "notice"}, Conflict, "kind", f"closed by recheck {recheck}"),
        (rectify, {"institution": "移动营业厅", "institution_kind": "outlet"}, Conflict,
         "institution", "cannot change"),
        (rectify, {"date": days_ago(2)}, InvalidValue, "date", f"after the recheck {recheck}"),
        (rectify, {"deadline": days_ago(8)}, InvalidValue, "deadline", "not after"),
        (recheck, {"kind": "inspection"}, Conflict, "kind", f"closed rectification {rectify}"),
        (recheck, {"date": days_ago(9)}, InvalidValue, "date",
         f"before the rectification {rectify}"),
    ]
    for no, changes, error, field, reason in refusals:
        with pytest.raises(error) as refused:
            cards.update_card_action(db, no, changes)
        assert refused.value.field == field and reason in refused.value.reason, changes
    assert len(list_audit(db)) == before
    cards.update_card_action(db, recheck, {"date": days_ago(1)})
    closed = cards.get_card_action(db, rectify)
    assert (closed["closed_by"], closed["closed_on"]) == (recheck, days_ago(1))
    assert run_checks(db) == []


def test_an_action_corrected_into_a_recheck_closes_the_open_rectification(db):
    register_bank(db)
    rectify = cards.add_card_action(db, act(date=days_ago(8), kind="rectify",
                                            deadline=days_ago(2)))[0]["no"]
    notice = cards.add_card_action(db, act(date=days_ago(1), kind="notice"))[0]["no"]
    _, notes = cards.update_card_action(db, notice, {"kind": "recheck"})
    assert notes == [] and cards.open_rectifications(db) == []
    closed = cards.get_card_action(db, rectify)
    assert (closed["closed_by"], closed["status"]) == (notice, "rechecked")


def test_void_leaves_an_action_out_and_refuses_more_changes(db):
    register_bank(db)
    fine = cards.add_card_action(db, act(date=days_ago(3), kind="fine", amount="5000"))[0]
    voided = cards.void_card_action(db, fine["no"], "重复录入")
    assert voided["voided"] is True and voided["void_reason"] == "重复录入"
    assert fine["no"] not in [a["no"] for a in cards.list_card_actions(db)]
    assert [a["no"] for a in cards.list_card_actions(db, voided=True)] == [fine["no"]]
    (institution,) = cards.list_institutions(db)
    assert (institution["actions"], institution["fines_fen"]) == (1, 0)
    (logged,) = audited(db, "void", "card_action")
    assert json.loads(logged["after"]) == {"voided": True, "void_reason": "重复录入"}
    before = len(list_audit(db))
    with pytest.raises(Conflict, match="already void"):
        cards.void_card_action(db, fine["no"], "x")
    with pytest.raises(Conflict, match="is void and cannot be corrected"):
        cards.update_card_action(db, fine["no"], {"amount": "1"})
    assert len(list_audit(db)) == before


def test_voiding_a_recheck_reopens_its_rectification(db):
    rectify, recheck = rectify_and_recheck(db)
    cards.void_card_action(db, recheck, "录错机构")
    assert [o["no"] for o in cards.open_rectifications(db)] == [rectify]
    reopened = cards.get_card_action(db, rectify)
    assert (reopened["closed_by"], reopened["closed_on"]) == (None, None)
    assert reopened["status"] == "awaiting-recheck"
    assert cards.list_institutions(db)[0]["open_rectifications"] == 1
    logged = audited(db, "update", "card_action")[-1]
    assert logged["key"] == rectify and json.loads(logged["before"])["closed_by"] == recheck
    assert json.loads(logged["after"]) == {"closed_by": None, "closed_on": None}
    cards.add_card_action(db, act(date=days_ago(1), kind="recheck"))
    assert cards.open_rectifications(db) == []
    assert run_checks(db) == []


# (moved from test_cards.py)
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


# -- restrictions on people -----------------------------------------------------------

def restriction(**given):
    """The raw values `cards penalty add` hands the domain."""
    return {**dict.fromkeys(RESTRICTION.names()), "name": "测试甲", "id_no": ID_A,
            "measure": "金融惩戒", "start": days_ago(30), "years": "2", **given}


# (moved from test_cards.py)
def test_end_of_leap_day():
    assert cards.end_of(date(2024, 2, 29), 2) == date(2026, 2, 27)
    assert cards.end_of(date(2024, 3, 1), 3) == date(2027, 2, 28)


def test_a_restriction_ends_the_day_before_its_anniversary_and_is_logged_masked(db):
    start = date.fromisoformat(days_ago(30))
    record, _ = cards.add_penalty(db, restriction(station="平襄"))
    assert record["no"] == f"CJ{start.isoformat().replace('-', '')}-001"
    assert (record["measure"], record["years"], record["station"]) == ("financial", 2,
                                                                       "pingxiang")
    assert record["end_date"] == (cards.add_years(start, 2) - timedelta(days=1)).isoformat()
    assert record["appeal_by"] == (start + timedelta(days=cards.APPEAL_DAYS)).isoformat()
    assert record["active"] is True and record["name"] == "测**"
    assert personal.reveal(db, "card_penalties", [record])[0]["name"] == "测试甲"
    (logged,) = audited(db, "add", "card_penalty")
    assert "测试甲" not in logged["after"] and ID_A not in logged["after"]
    assert json.loads(logged["after"])["id_no"] == "621121********1233"


def test_active_restrictions_are_those_in_force_today(db):
    cards.add_penalty(db, restriction(measure="credit", start="2020-01-01"))
    cards.add_penalty(db, restriction(measure="credit", start=days_ago(10), name="测试丙",
                                      id_no=ID_B))
    assert [p["id_no"] for p in cards.list_penalties(db, active=True)] == [mask_id(ID_B)]
    assert len(cards.list_penalties(db)) == 2
    # (found by the blind index of the ID number: the stored one is masked)
    assert [p["name"] for p in cards.list_penalties(db, id_no=ID_A)] == ["测**"]


@pytest.mark.parametrize(("given", "field", "reason"), [
    ({"years": "4", "start": "2024-01-01"}, "years", "2 or 3"),
    ({"measure": "jail"}, "measure", "unknown"),
    ({"start": "2999-01-01"}, "start", "future"),
    ({"start": "2024-01-01", "appeal_by": "2023-12-01"}, "appeal-by", "before the start"),
    ({"id_no": ID_A[:-1] + "0"}, "id-no", "check digit"),
    ({"name": ""}, "name", "required"),
    ({"start": "1980-01-01"}, "id-no", "after the start"),
])
def test_restriction_refusals_name_the_field_and_write_nothing(db, given, field, reason):
    with pytest.raises(InvalidValue) as refused:
        cards.add_penalty(db, restriction(**given))
    assert refused.value.field == field and reason in refused.value.reason
    assert ID_A[:-1] not in refused.value.reason  # the number is not echoed back
    assert count(db, "card_penalties") == 0


def test_consecutive_restrictions_never_run_beyond_five_years(db):
    cards.add_penalty(db, restriction(start="2021-03-01", years="3"))
    cards.add_penalty(db, restriction(start="2024-03-01", years="2"))  # exactly five
    with pytest.raises(InvalidValue) as refused:
        cards.add_penalty(db, restriction(measure="network", start="2026-03-01"))
    assert refused.value.field == "years" and "5 years" in refused.value.reason
    assert count(db, "card_penalties") == 2


def test_three_and_three_is_refused_but_a_gap_starts_afresh(db):
    cards.add_penalty(db, restriction(start="2018-01-01", years="3"))
    with pytest.raises(InvalidValue) as refused:
        cards.add_penalty(db, restriction(start="2021-01-01", years="3"))
    assert refused.value.field == "years"
    cards.add_penalty(db, restriction(start="2021-01-02", years="3"))
    assert count(db, "card_penalties") == 2


def test_the_same_measure_from_the_same_day_is_a_conflict(db):
    cards.add_penalty(db, restriction(start="2024-01-01"))
    with pytest.raises(Conflict) as refused:
        cards.add_penalty(db, restriction(start="2024-01-01"))
    assert refused.value.field == "start" and "already has this measure" in \
        refused.value.reason


def test_void_frees_the_five_year_rule_and_leaves_the_list(db):
    first = cards.add_penalty(db, restriction(start="2021-03-01", years="3"))[0]["no"]
    with pytest.raises(InvalidValue, match="5 years"):
        cards.add_penalty(db, restriction(start="2024-03-01", years="3"))
    voided = cards.void_penalty(db, first, "录入错误")
    assert voided["voided"] is True and voided["active"] is False and voided["updated_by"]
    assert cards.list_penalties(db) == []
    assert [p["no"] for p in cards.list_penalties(db, voided=True)] == [first]
    (logged,) = audited(db, "void", "card_penalty")
    assert logged["key"] == first and json.loads(logged["before"]) == {"voided": False}
    cards.add_penalty(db, restriction(start="2024-03-01", years="3"))
    with pytest.raises(Conflict) as again:
        cards.void_penalty(db, first, "x")
    assert again.value.field == "NO" and "already void" in again.value.reason


def test_a_restriction_corrected_keeps_the_five_year_rule(db):
    first = cards.add_penalty(db, restriction(start="2021-03-01", years="2"))[0]["no"]
    second = cards.add_penalty(db, restriction(start="2023-03-01", years="3"))[0]["no"]
    before = len(list_audit(db))
    refusals = [({"start": "2021-02-01", "years": "3"}, "years", "5 years"),
                ({"name": "-"}, "name", "cannot be cleared"),
                ({"years": "4"}, "years", "2 or 3"),
                ({}, "NO", "nothing to change")]
    for changes, field, reason in refusals:
        with pytest.raises(InvalidValue) as refused:
            cards.update_penalty(db, first, changes)
        assert refused.value.field == field and reason in refused.value.reason, changes
    assert len(list_audit(db)) == before
    record, _ = cards.update_penalty(db, first, {"start": "2021-04-01", "note": "更正"})
    assert (record["start_date"], record["end_date"], record["appeal_by"]) == (
        "2021-04-01", "2023-03-31", str(date(2021, 4, 1) + timedelta(days=cards.APPEAL_DAYS)))
    (logged,) = audited(db, "update", "card_penalty")
    assert json.loads(logged["before"])["start_date"] == "2021-03-01"
    assert json.loads(logged["after"])["end_date"] == "2023-03-31"
    assert "测试甲" not in logged["before"] + logged["after"]
    cards.update_penalty(db, second, {"note": "复核"})  # not counted twice against itself
    with pytest.raises(Conflict, match="already has this measure"):
        cards.update_penalty(db, second, {"start": "2021-04-01"})
    assert run_checks(db) == []


# -- campaigns ------------------------------------------------------------------------

def test_a_campaign_is_stored_with_its_days_and_logged_unmasked(db):
    record = campaigns.add_campaign(db, " 冬季攻势 ", "2026-11-01", "2027-01-31", "全县")
    assert record == {**record, "name": "冬季攻势", "first_day": "2026-11-01",
                      "last_day": "2027-01-31", "days": 92, "note": "全县",
                      "created_by": "测试警官"}
    (logged,) = audited(db, "add", "campaign")
    assert logged["key"] == "冬季攻势" and json.loads(logged["after"])["campaign"] == "冬季攻势"


@pytest.mark.parametrize(("name", "first", "last", "error", "field", "reason"), [
    ("倒序", "2026-11-20", "2026-11-10", InvalidValue, "to", "before"),
    ("x", "2026-02-30", "2026-03-01", InvalidValue, "from", "not a real date"),
    ("y", "2026-02-01", None, InvalidValue, "to", ""),
    ("", "2026-02-01", "2026-02-02", InvalidValue, "NAME", "required"),
    ("长" * 101, "2026-02-01", "2026-02-02", InvalidValue, "NAME", "longer than 100"),
])
def test_campaign_refusals_name_the_field_and_write_nothing(db, name, first, last, error,
                                                            field, reason):
    with pytest.raises(error) as refused:
        campaigns.add_campaign(db, name, first, last)
    assert refused.value.field == field and reason in refused.value.reason
    assert campaigns.list_campaigns(db) == []


def test_campaign_names_are_unique_and_a_unique_start_finds_one(db):
    campaigns.add_campaign(db, "夏季行动", "2026-06-01", "2026-08-31")
    with pytest.raises(Conflict) as refused:
        campaigns.add_campaign(db, "夏季行动", "2026-07-01", "2026-07-31")
    assert refused.value.field == "NAME" and "already" in refused.value.reason
    campaigns.add_campaign(db, "夏季宣传", "2026-06-01", "2026-06-01")
    assert campaigns.get_campaign(db, "夏季宣")["days"] == 1
    with pytest.raises(InvalidValue) as ambiguous:
        campaigns.get_campaign(db, "夏季")
    assert "more than one campaign" in ambiguous.value.reason
    with pytest.raises(NotFound) as missing:
        campaigns.get_campaign(db, "没有")
    assert missing.value.field == "NAME" and "no campaign" in missing.value.reason


# (moved from test_campaigns.py; the last line is new)
def test_campaign_covering_prefers_the_latest_start(db):
    campaigns.add_campaign(db, "冬季攻势", "2026-11-01", "2027-01-31")
    campaigns.add_campaign(db, "断卡行动", "2026-11-10", "2026-11-30")
    assert campaigns.campaign_covering(db, date(2026, 11, 5))["name"] == "冬季攻势"
    assert campaigns.campaign_covering(db, date(2026, 11, 15))["name"] == "断卡行动"
    assert campaigns.campaign_covering(db, date(2026, 10, 31)) is None
    assert [c["name"] for c in campaigns.list_campaigns(db, covering=date(2026, 11, 15))] == [
        "断卡行动", "冬季攻势"]
    assert campaigns.get_campaign(db, "断卡")["days"] == 21
    with pytest.raises(NotFound):
        campaigns.get_campaign(db, "春季")
    assert [c["name"] for c in campaigns.list_campaigns(db)] == ["断卡行动", "冬季攻势"]
