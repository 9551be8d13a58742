"""Early warnings and follow-ups on the domain floor: `domain.warnings` called directly on a
fresh file. Deadlines from the level, feedback from the first follow-up that is not
in-progress, status as of a moment, corrections and removals with their audit rows."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from stdnum.cn import ric

from tests.conftest import days_ago
from tongwei_cli.core import clock
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.core.fields import CASE, FOLLOWUP, WARNING
from tongwei_cli.core.masking import mask_id
from tongwei_cli.domain import cases
from tongwei_cli.domain import warnings as alerts
from tongwei_cli.storage import personal
from tongwei_cli.storage.audit import list_audit
from tongwei_cli.storage.check import run_checks


def resident(region: str = "621121", birth: str = "19900101", seq: str = "123") -> str:
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")


def warning(no="YJ001", received=None, level="high", station="平襄", phone="13800000001",
            **given):
    """The raw values `warning add` hands the domain."""
    return {**dict.fromkeys(WARNING.names()), "no": no,
            "received": received or f"{days_ago(2)} 10:15", "level": level,
            "station": station, "phone": phone, **given}


def followup(at, method="phone", outcome="dissuaded", **given):
    """The raw values `warning followup` hands the domain (the warning is an argument)."""
    return {**dict.fromkeys(n for n in FOLLOWUP.names() if n != "warning"), "at": at,
            "method": method, "outcome": outcome, **given}


def local(text: str) -> datetime:
    """A local `YYYY-MM-DD HH:MM` of the county as an aware moment."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def audited(db, action, entity="warning"):
    return [r for r in list_audit(db, entity=entity) if r["action"] == action]


def test_add_stores_utc_moments_and_the_deadline_from_the_level(db):
    record, notes = alerts.add_warning(db, warning(
        "YJ001", f"{days_ago(2)} 10:15", "高风险", "平襄派出所", "138 0000 0001",
        name="测试甲", id=resident(), kind="资金预警", type="刷单"))
    day = days_ago(2)
    # (621121 is Tongwei's code since 2003: a 1990 birth under it is accepted, with a note)
    assert len(notes) == 1 and notes[0].startswith("--id: region code 621121")
    assert record["received_at"] == f"{day}T02:15:00Z"  # 10:15 in Gansu is 02:15 UTC
    assert record["deadline_at"] == f"{day}T04:15:00Z"  # high: 2 hours
    assert record["deadline_hours"] == 2
    assert (record["level"], record["station"]) == ("high", "pingxiang")
    assert (record["kind"], record["type"]) == ("money", "task-scam")
    assert record["phone"] == "138****0001" and record["id_no"] == mask_id(resident())
    (opened,) = personal.reveal(db, "warnings", [record])
    assert opened["phone"] == "13800000001" and opened["id_no"] == resident()
    shown = alerts.show_warning(db, "YJ001")
    assert shown["status"] == "overdue" and shown["feedback_at"] is None
    assert shown["followups"] == [] and shown["defrauded"] is False
    (logged,) = audited(db, "add")
    assert logged["key"] == "YJ001" and "13800000001" not in logged["after"]
    assert "测试甲" not in logged["after"] and resident() not in logged["after"]


@pytest.mark.parametrize(("level", "hours"), [("low", 72), ("medium", 24), ("高风险", 2)])
def test_each_level_gives_its_hours(db, level, hours):
    record, _ = alerts.add_warning(db, warning(level=level))
    gap = clock.parse_stamp(record["deadline_at"]) - clock.parse_stamp(record["received_at"])
    assert gap == timedelta(hours=hours)


@pytest.mark.parametrize(("given", "field", "reason"), [
    ({"phone": "12345"}, "phone", "mainland mobile"),
    ({"level": "extreme"}, "level", "high"),
    ({"received": "2999-01-01 10:00"}, "received", "future"),
    ({"id": resident()[:-1] + ("0" if resident()[-1] != "0" else "1")}, "id",
     "check digit does not match"),
    ({"id": resident(birth="20990101")}, "id", ""),
    ({"kind": "gossip"}, "kind", "valid: money 资金预警, contact 接触预警"),
    ({"type": "nonsense"}, "type", "valid"),
    ({"station": "陇"}, "station", "more than one station"),
    ({"no": " "}, "no", ""),
])
def test_bad_values_are_refused_naming_the_field_and_nothing_is_written(db, given, field,
                                                                        reason):
    with pytest.raises(InvalidValue) as refused:
        alerts.add_warning(db, warning(**given))
    assert refused.value.field == field and reason in refused.value.reason
    assert db.scalar("SELECT count(*) FROM warnings") == 0 and audited(db, "add") == []


def test_a_number_taken_is_a_conflict_on_no(db):
    alerts.add_warning(db, warning("YJ001"))
    with pytest.raises(Conflict) as refused:
        alerts.add_warning(db, warning("YJ001", phone="13800000002"))
    assert refused.value.field == "no" and "already exists" in refused.value.reason
    assert db.scalar("SELECT count(*) FROM warnings") == 1


def test_followup_refusals_name_the_field_and_write_nothing(db):
    alerts.add_warning(db, warning("YJ001", f"{days_ago(2)} 10:15"))
    refusals = [
        ("YJ001", followup(f"{days_ago(2)} 10:00"), InvalidValue, "at", "before"),
        ("YJ001", followup("2999-01-01 10:00"), InvalidValue, "at", "future"),
        ("YJ001", followup("now", outcome="defrauded", case="TW-NONE"), NotFound, "case",
         "no case numbered 'TW-NONE'"),
        ("YJ404", followup("now"), NotFound, "W_NO", "YJ404"),
        ("YJ001", followup("now", method="fax"), InvalidValue, "method", "visit"),
        ("YJ001", followup("now", outcome="maybe"), InvalidValue, "outcome", "dissuaded"),
    ]
    for no, raw, error, field, reason in refusals:
        with pytest.raises(error) as refused:
            alerts.add_followup(db, no, raw)
        assert refused.value.field == field and reason in refused.value.reason, raw
    assert alerts.show_warning(db, "YJ001")["followups"] == []
    assert audited(db, "followup") == []


def test_a_followup_naming_a_void_case_is_refused(db):
    alerts.add_warning(db, warning("YJ001"))
    cases.add_case(db, {**dict.fromkeys(CASE.names()), "no": "TW-1",
                        "reported": days_ago(1), "type": "loan", "station": "平襄",
                        "loss": "10"})
    cases.void_case(db, "TW-1", "录错")
    with pytest.raises(Conflict) as refused:
        alerts.add_followup(db, "YJ001", followup("now", outcome="defrauded", case="TW-1"))
    assert refused.value.field == "case" and "void" in refused.value.reason


def test_feedback_is_the_first_followup_not_in_progress(db):
    day, next_day = days_ago(2), days_ago(1)
    alerts.add_warning(db, warning("YJ001", f"{day} 10:15", "medium"))  # due next day 10:15
    first = alerts.add_followup(db, "YJ001", followup(f"{day} 10:30", outcome="in-progress"))
    assert first["feedback_at"] is None and first["status"] == "overdue"
    second = alerts.add_followup(db, "YJ001", followup(f"{day} 11:00", outcome="未接通"))
    assert second["outcome"] == "unreachable" and second["status"] == "closed"
    assert second["on_time"] is True
    alerts.add_followup(db, "YJ001", followup(f"{next_day} 15:00", "上门", "劝阻成功",
                                              note="回访"))
    record = alerts.show_warning(db, "YJ001")
    assert record["status"] == "closed" and record["on_time"] is True
    assert record["feedback_at"] == clock.stamp(
        clock.parse_stamp(record["received_at"]) + timedelta(minutes=45))
    assert record["feedback_outcome"] == "unreachable"
    assert record["latest_outcome"] == "dissuaded"
    assert [f["outcome"] for f in record["followups"]] == ["in-progress", "unreachable",
                                                           "dissuaded"]
    assert record["followups"][2]["note"] == "回访" and record["visited_at"] is not None
    assert len(audited(db, "followup")) == 3
    with pytest.raises(Conflict) as again:
        alerts.add_followup(db, "YJ001", followup(f"{next_day} 15:00", "visit"))
    assert again.value.field == "at" and "already recorded" in again.value.reason


def test_late_feedback_is_not_on_time(db):
    alerts.add_warning(db, warning("YJ001", f"{days_ago(2)} 10:15", "high"))
    stored = alerts.add_followup(db, "YJ001", followup(f"{days_ago(2)} 13:00"))
    assert stored["status"] == "closed" and stored["on_time"] is False
    assert alerts.show_warning(db, "YJ001")["on_time"] is False


def test_status_as_of_another_moment(db):
    day = days_ago(2)
    alerts.add_warning(db, warning("YJ001", f"{day} 10:15", "high"))
    alerts.add_followup(db, "YJ001", followup(f"{day} 13:00"))

    def status_at(moment):
        rows = alerts.list_warnings(db, as_of=local(moment))
        return rows[0]["status"] if rows else None

    assert status_at(f"{day} 10:00") is None  # not yet received
    assert status_at(f"{day} 11:00") == "open"
    assert status_at(f"{day} 12:45") == "overdue"
    assert status_at(f"{day} 13:00") == "closed"
    overdue = alerts.list_warnings(db, status="overdue", as_of=local(f"{day} 12:45"))
    assert overdue[0]["overdue_minutes"] == 30 and overdue[0]["feedback_at"] is None
    shown = alerts.show_warning(db, "YJ001", as_of=local(f"{day} 12:45"))
    assert shown["status"] == "overdue" and shown["overdue_minutes"] == 30


def test_the_dispatch_list_comes_by_deadline(db):
    alerts.add_warning(db, warning("A-LOW", f"{days_ago(5)} 08:00", "low", "马营",
                                   "13800000010"))
    alerts.add_warning(db, warning("B-HIGH", f"{days_ago(3)} 09:00", "high", "平襄",
                                   "13800000011"))
    alerts.add_warning(db, warning("C-MED", f"{days_ago(4)} 09:00", "medium", "平襄",
                                   "13800000012"))
    alerts.add_warning(db, warning("D-DONE", f"{days_ago(3)} 09:00", "high", "鸡川",
                                   "13800000013"))
    alerts.add_followup(db, "D-DONE", followup(f"{days_ago(3)} 10:00", "visit"))
    rows = alerts.list_warnings(db, status="overdue")
    assert [r["no"] for r in rows] == ["C-MED", "B-HIGH", "A-LOW"]
    assert rows[0]["overdue_minutes"] > rows[1]["overdue_minutes"] > rows[2]["overdue_minutes"]
    assert [r["no"] for r in alerts.list_warnings(db, status="open")] == ["C-MED", "B-HIGH",
                                                                         "A-LOW"]
    closed = alerts.list_warnings(db, status="closed", station="jichuan")
    assert [r["no"] for r in closed] == ["D-DONE"] and closed[0]["followups"] == 1
    assert {r["no"] for r in alerts.list_warnings(db, level="high")} == {"B-HIGH", "D-DONE"}
    newest = alerts.list_warnings(db, limit=2)  # newest first, by received time then number
    assert [r["no"] for r in newest] == ["D-DONE", "B-HIGH"]


def test_the_dispatch_list_reads_no_page_of_the_warnings_table(db):
    """The open and overdue lists come from the index of open warnings alone (016): on a
    file of millions, a thousand overdue rows are a few dozen pages of it, not a page of
    the table each. Only the warnings fed back after `--as-of` come from the table."""
    for n, no in enumerate(("OPEN1", "OPEN2", "LATER"), 1):
        alerts.add_warning(db, warning(no, f"{days_ago(3)} {8 + n:02d}:00", "high", "平襄",
                                       f"1380000001{n}"))
    for at in ("10:30", "11:30"):  # (calls that reached nobody yet: no feedback)
        alerts.add_followup(db, "OPEN2", followup(f"{days_ago(3)} {at}",
                                                  outcome="in-progress"))
    alerts.add_followup(db, "LATER", followup(f"{days_ago(3)} 11:20", outcome="in-progress"))
    alerts.add_followup(db, "LATER", followup(f"{days_ago(2)} 09:00", "visit"))
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        rows = alerts.list_warnings(db, status="overdue", as_of=local(f"{days_ago(2)} 08:00"))
    finally:
        db.conn.set_trace_callback(None)
    # LATER was fed back after that moment: open then, with its two follow-ups by then one
    assert {r["no"]: r["followups"] for r in rows} == {"OPEN1": 0, "OPEN2": 2, "LATER": 1}
    listed = next(s for s in statements if "warnings_open" in s)
    plan = [row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {listed}")]
    reads = [step for step in plan if step.split()[1:2] == ["w"]]
    assert reads[0] == "SCAN w USING COVERING INDEX warnings_open", plan
    assert all("warnings_feedback" in step for step in reads[1:]), plan
    counts = [step for step in plan if step.split()[1:2] == ["f"]]
    assert "followups_in_progress" in counts[0] and "followups_key" in counts[1], plan


def test_warnings_and_followups_across_local_midnight(db):
    day = days_ago(1)
    previous = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    record, _ = alerts.add_warning(db, warning("YJ-MID", f"{day} 00:30", "medium"))
    assert record["received_at"] == f"{previous}T16:30:00Z"  # the previous day in UTC
    start, end = clock.day_seconds(date.fromisoformat(day), date.fromisoformat(day), db.tz)
    assert [r["no"] for r in alerts.list_warnings(db, first_stamp=start, end_stamp=end)] \
        == ["YJ-MID"]
    assert alerts.list_warnings(db, end_stamp=start) == []
    with pytest.raises(InvalidValue, match="before the warning was received"):
        alerts.add_followup(db, "YJ-MID", followup(f"{previous} 23:59"))
    alerts.add_followup(db, "YJ-MID", followup(f"{day} 00:45"))
    assert alerts.show_warning(db, "YJ-MID")["feedback_at"] == f"{previous}T16:45:00Z"


def test_a_defrauded_outcome_or_a_case_naming_the_warning_links_them(db):
    def case(no, station, **given):
        cases.add_case(db, {**dict.fromkeys(CASE.names()), "no": no,
                            "reported": days_ago(1), "type": "刷单", "station": station,
                            "loss": "5000", **given})

    alerts.add_warning(db, warning("YJ001"))
    alerts.add_warning(db, warning("YJ002", level="low", station="马营", phone="13800000002"))
    case("TW-1", "平襄")
    alerts.add_followup(db, "YJ001", followup("now", outcome="defrauded", case="TW-1"))
    record = alerts.show_warning(db, "YJ001")
    assert record["defrauded"] is True and record["cases"] == ["TW-1"]
    assert record["followups"][0]["case_no"] == "TW-1"
    assert alerts.show_warning(db, "YJ002")["defrauded"] is False
    case("TW-2", "马营", warning="YJ002")
    record = alerts.show_warning(db, "YJ002")
    assert record["defrauded"] is True and record["cases"] == ["TW-2"]
    assert db.scalar("SELECT linked_on FROM warnings WHERE no = 'YJ002'") == days_ago(1)
    cases.void_case(db, "TW-2", "录错")
    assert alerts.show_warning(db, "YJ002")["defrauded"] is False
    assert db.scalar("SELECT linked_on FROM warnings WHERE no = 'YJ002'") is None


def test_set_deadline_changes_new_warnings_only_and_is_audited(db):
    alerts.add_warning(db, warning("OLD", f"{days_ago(2)} 10:00", "high"))
    assert alerts.set_deadline(db, "高风险", "4") == {"code": "high", "deadline_hours": 4,
                                                    "previous_hours": 2}
    alerts.add_warning(db, warning("NEW", f"{days_ago(2)} 10:00", "high", phone="13800000002"))
    old, new = alerts.get_warning(db, "OLD"), alerts.get_warning(db, "NEW")
    assert old["deadline_at"][11:16] == "04:00" and new["deadline_at"][11:16] == "06:00"
    (logged,) = audited(db, "set-deadline", "level")
    assert json.loads(logged["before"]) == {"deadline_hours": 2}
    assert json.loads(logged["after"]) == {"deadline_hours": 4}
    with pytest.raises(InvalidValue) as negative:
        alerts.set_deadline(db, "high", "-3")
    assert negative.value.field == "HOURS"
    with pytest.raises(InvalidValue) as too_long:
        alerts.set_deadline(db, "high", str(24 * 90 + 1))
    assert too_long.value.field == "HOURS"
    with pytest.raises(InvalidValue) as unknown:
        alerts.set_deadline(db, "extreme", "3")
    assert unknown.value.field == "LEVEL"
    alerts.set_deadline(db, "high", "4")  # the same again: nothing to log
    assert len(audited(db, "set-deadline", "level")) == 1


def test_update_moves_the_deadline_with_the_level_and_logs_the_change(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high", name="测试甲"))
    alerts.add_followup(db, "YJ1", followup(f"{day} 13:00"))
    assert alerts.show_warning(db, "YJ1")["on_time"] is False  # high: due 12:00
    record, _ = alerts.update_warning(db, "YJ1", {"level": "中风险", "station": "马营",
                                                  "note": "等级更正"})
    assert (record["level"], record["station"]) == ("medium", "maying")
    assert record["updated_by"] == "测试警官"
    assert personal.reveal(db, "warnings", [record])[0]["name"] == "测试甲"
    assert clock.parse_stamp(record["deadline_at"]) - clock.parse_stamp(
        record["received_at"]) == timedelta(hours=24)
    assert alerts.show_warning(db, "YJ1")["on_time"] is True
    (logged,) = audited(db, "update")
    assert json.loads(logged["before"])["level"] == "high"
    assert json.loads(logged["after"])["station"] == "maying"
    assert run_checks(db) == []  # the per-day totals followed


def test_update_refuses_what_add_refuses_and_writes_nothing(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high", name="测试甲"))
    alerts.add_followup(db, "YJ1", followup(f"{day} 11:00", "visit", "in-progress"))
    before = len(list_audit(db))
    refusals = [
        ({"received": f"{day} 11:30"}, InvalidValue, "received", "its first follow-up"),
        ({"phone": "12345"}, InvalidValue, "phone", "mainland mobile"),
        ({"phone": "-"}, InvalidValue, "phone", "is required and cannot be cleared"),
        ({"level": "extreme"}, InvalidValue, "level", ""),
        ({"received": "2999-01-01 10:00"}, InvalidValue, "received", "future"),
        ({}, InvalidValue, "W_NO", "nothing to change"),
    ]
    for changes, error, field, reason in refusals:
        with pytest.raises(error) as refused:
            alerts.update_warning(db, "YJ1", changes)
        assert refused.value.field == field and reason in refused.value.reason, changes
    with pytest.raises(NotFound) as missing:
        alerts.update_warning(db, "NOPE", {"note": "x"})
    assert missing.value.field == "W_NO"
    assert len(list_audit(db)) == before
    assert alerts.get_warning(db, "YJ1")["level"] == "high"
    record, _ = alerts.update_warning(db, "YJ1", {"name": "-"})  # optional: cleared
    assert record["name"] is None


def test_a_new_received_time_keeps_the_hours_the_warning_was_given(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high"))
    alerts.set_deadline(db, "high", "6")
    record, _ = alerts.update_warning(db, "YJ1", {"received": f"{day} 09:00"})
    assert record["received_at"] == f"{day}T01:00:00Z"
    assert record["deadline_at"] == f"{day}T03:00:00Z"  # 2 hours, as when it came in
    alerts.update_warning(db, "YJ1", {"level": "medium"})
    record, _ = alerts.update_warning(db, "YJ1", {"level": "high"})
    assert record["deadline_at"] == f"{day}T07:00:00Z"  # a new level: 6 hours now


def test_a_followup_is_corrected_with_update_and_the_change_logged(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high"))
    cases.add_case(db, {**dict.fromkeys(CASE.names()), "no": "TW1", "reported": day,
                        "type": "loan", "station": "平襄", "loss": "500"})
    alerts.add_followup(db, "YJ1", followup(f"{day} 11:00"))
    with pytest.raises(Conflict) as again:
        alerts.add_followup(db, "YJ1", followup(f"{day} 11:00", outcome="defrauded",
                                                case="TW1"))
    assert again.value.field == "at"
    assert again.value.reason == (f"a phone follow-up of YJ1 at {day} 11:00 is already "
                                  "recorded (--update corrects it)")
    stored = alerts.add_followup(db, "YJ1", followup(f"{day} 11:00", outcome="defrauded",
                                                     case="TW1"), update=True)
    assert stored["outcome"] == "defrauded"
    record = alerts.show_warning(db, "YJ1")
    assert len(record["followups"]) == 1 and record["followups"][0]["outcome"] == "defrauded"
    assert record["defrauded"] is True and record["cases"] == ["TW1"]
    (logged,) = audited(db, "update", "followup")
    assert logged["key"] == f"YJ1 {day} 11:00 phone"
    assert json.loads(logged["before"]) == {"outcome": "dissuaded", "case": None}
    assert json.loads(logged["after"]) == {"outcome": "defrauded", "case": "TW1"}
    alerts.add_followup(db, "YJ1", followup(f"{day} 15:00", "visit"), update=True)
    assert len(alerts.show_warning(db, "YJ1")["followups"]) == 2
    assert run_checks(db) == []


def test_a_followup_removed_reopens_the_warning_and_is_logged(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high"))
    alerts.add_followup(db, "YJ1", followup(f"{day} 11:00"))
    with pytest.raises(NotFound) as missing:
        alerts.remove_followup(db, "YJ1", {"at": f"{day} 11:00", "method": "visit"}, "x")
    assert missing.value.field == "at"
    assert missing.value.reason == f"no follow-up YJ1 {day} 11:00 visit is recorded"
    with pytest.raises(InvalidValue) as no_reason:
        alerts.remove_followup(db, "YJ1", {"at": f"{day} 11:00", "method": "phone"}, "")
    assert no_reason.value.field == "reason"
    removed, name = alerts.remove_followup(db, "YJ1", {"at": f"{day} 11:00",
                                                       "method": "电话"}, "录错预警编号")
    assert name == f"YJ1 {day} 11:00 phone" and removed["outcome"] == "dissuaded"
    record = alerts.show_warning(db, "YJ1")
    assert record["followups"] == [] and record["status"] == "overdue"
    assert record["feedback_at"] is None and record["feedback_outcome"] is None
    (logged,) = audited(db, "remove", "followup")
    assert logged["key"] == name and logged["officer"] == "测试警官"
    assert json.loads(logged["after"]) == {"removed": True, "reason": "录错预警编号"}
    assert run_checks(db) == []


def test_removing_one_of_several_followups_keeps_what_the_others_say(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high"))
    for at, method, outcome in (("10:20", "phone", "in-progress"),
                                ("10:40", "visit", "dissuaded"),
                                ("12:30", "phone", "not-fraud")):
        alerts.add_followup(db, "YJ1", followup(f"{day} {at}", method, outcome))
    alerts.remove_followup(db, "YJ1", {"at": f"{day} 10:40", "method": "visit"}, "时间录错")
    record = alerts.show_warning(db, "YJ1")
    assert record["feedback_at"] == f"{day}T04:30:00Z"  # now the 12:30 call: late
    assert record["on_time"] is False and record["visited_at"] is None
    assert record["feedback_outcome"] == "not-fraud"
    assert [f["at"][11:16] for f in record["followups"]] == ["02:20", "04:30"]


def test_a_warning_removed_goes_with_its_followups_unless_a_case_names_it(db):
    day = days_ago(3)
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "high", name="测试甲"))
    alerts.add_followup(db, "YJ1", followup(f"{day} 10:30", "visit"))
    cases.add_case(db, {**dict.fromkeys(CASE.names()), "no": "TW1", "reported": day,
                        "type": "loan", "station": "平襄", "loss": "500", "warning": "YJ1"})
    with pytest.raises(Conflict) as named:
        alerts.remove_warning(db, "YJ1", "平台重复推送")
    assert named.value.field == "W_NO"
    assert named.value.reason == ("case TW1 names this warning; correct the case first "
                                  "(tongwei case update TW1 --warning -)")
    cases.update_case(db, "TW1", {"warning": "-"})
    kept = alerts.remove_warning(db, "YJ1", "平台重复推送")
    assert kept["no"] == "YJ1" and [f["outcome"] for f in kept["followups"]] == ["dissuaded"]
    assert db.scalar("SELECT count(*) FROM warnings") == 0
    assert db.scalar("SELECT count(*) FROM followups") == 0
    (logged,) = audited(db, "remove")
    before = json.loads(logged["before"])
    assert before["name"] == "测**" and before["phone"] == "138****0001"
    assert json.loads(logged["after"]) == {"removed": True, "reason": "平台重复推送"}
    with pytest.raises(NotFound, match="no warning numbered 'YJ1'"):
        alerts.remove_warning(db, "YJ1", "x")
    alerts.add_warning(db, warning("YJ1", f"{day} 10:00", "low"))  # the number is free again
    assert run_checks(db) == []


# (moved from test_warnings.py: the status rule itself)
def test_domain_status_rule():
    record = {"feedback_at": None, "deadline_at": "2026-01-01T02:00:00Z"}
    assert alerts.status_at(record, "2026-01-01T01:59:59Z") == "open"
    assert alerts.status_at(record, "2026-01-01T02:00:00Z") == "open"
    assert alerts.status_at(record, "2026-01-01T02:00:01Z") == "overdue"
    record["feedback_at"] = "2026-01-01T03:00:00Z"
    assert alerts.status_at(record, "2026-01-01T02:30:00Z") == "overdue"
    assert alerts.status_at(record, "2026-01-01T03:00:00Z") == "closed"
