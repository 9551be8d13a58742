"""The per-day totals of cases, events, outreach and two-card actions (015_day_totals.sql)
that the reports read: after any history of adds, corrections (station, type, report date,
loss, an event's date or amount), voids and removed events, every period's figures equal a
scan of the records themselves, as the reports computed them before; `tongwei check`
names a stale total; a file made before 015 gets its totals when it is opened."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.conftest import before_migration, days_ago
from tongwei_cli.core import settings
from tongwei_cli.core.errors import TongweiError
from tongwei_cli.core.fields import CARD_ACTION, CASE, EVENT, OUTREACH
from tongwei_cli.domain import cards, cases, outreach
from tongwei_cli.reports import figures as reports
from tongwei_cli.storage.check import run_checks
from tongwei_cli.storage.db import open_db

# The reports' queries before 015: a scan of the records, the figures to match.
SCAN = {
    "cases": """
        SELECT station, type, count(*) AS reported, total(loss_fen) AS loss_fen
        FROM cases WHERE reported >= :first AND reported <= :last AND voided = 0
          AND (:station IS NULL OR station = :station)
        GROUP BY station, type""",
    "case_events": """
        SELECT c.station AS station, c.type AS type,
               count(*) FILTER (WHERE e.kind = 'solved') AS solved,
               total(e.count) FILTER (WHERE e.kind = 'arrest') AS arrested,
               total(e.count) FILTER (WHERE e.kind = 'prosecute') AS prosecuted,
               total(e.amount_fen) FILTER (WHERE e.kind = 'recover') AS recovered_fen,
               total(e.amount_fen) FILTER (WHERE e.kind = 'freeze') AS frozen_fen,
               total(e.amount_fen) FILTER (WHERE e.kind = 'stop-payment') AS stopped_fen
        FROM case_events e JOIN cases c ON c.id = e.case_id
        WHERE e.date >= :first AND e.date <= :last
          AND e.kind IN ('solved', 'arrest', 'prosecute', 'recover', 'freeze', 'stop-payment')
          AND c.voided = 0 AND (:station IS NULL OR c.station = :station)
        GROUP BY c.station, c.type""",
    "outreach": """
        SELECT station, audience, form, count(*) AS sessions,
               total(attendees) AS attendees, total(materials) AS materials
        FROM outreach
        WHERE date >= :first AND date <= :last AND voided = 0
          AND (:station IS NULL OR station = :station)
        GROUP BY station, audience, form""",
    "cards": """
        SELECT station, kind, count(*) AS actions,
               total(CASE WHEN kind = 'fine' THEN amount_fen END) AS fines_fen
        FROM card_actions
        WHERE date >= :first AND date <= :last AND voided = 0
          AND (:station IS NULL OR station = :station)
        GROUP BY station, kind""",
}


def scanned(db, period: reports.Period, station: str | None) -> dict:
    """The grouped rows of `period` as the scan gives them, in the shape of `Figures`."""
    params = reports._params(db, period, station)
    slots: dict = {}
    for row in db.query(SCAN["cases"], params):
        slots[(row["station"], row["type"])] = {
            "station": row["station"], "type": row["type"],
            **{k: int(row[k]) for k in ("reported", "loss_fen")}}
    for row in db.query(SCAN["case_events"], params):
        slot = slots.setdefault((row["station"], row["type"]),
                                {"station": row["station"], "type": row["type"]})
        for key in reports.CASE_KEYS[2:]:
            slot[key] = slot.get(key, 0) + int(row[key] or 0)
    for slot in slots.values():
        for key in reports.CASE_KEYS:
            slot.setdefault(key, 0)
    return {
        "cases": sorted(slots.values(), key=_key),
        "outreach": sorted(({"station": r["station"], "audience": r["audience"],
                             "form": r["form"], **{k: int(r[k]) for k in
                                                   reports.OUTREACH_KEYS}}
                            for r in db.query(SCAN["outreach"], params)), key=_key),
        "cards": sorted(({"station": r["station"], "kind": r["kind"], "actions": r["actions"],
                          "fines_fen": int(r["fines_fen"])}
                         for r in db.query(SCAN["cards"], params)), key=_key)}


def _key(row: dict) -> tuple:
    return tuple(str(v) for v in row.values())


def assert_totals_answer_as_the_scan(db, periods, stations=(None, "pingxiang", "maying")):
    for period in periods:
        for station in stations:
            with db.read():
                fig = reports.figures(db, period, station)
                total = reports.figures(db, period, station, grouped=False).sections()
                scan = scanned(db, period, station)
            got = {"cases": sorted(fig.cases, key=_key),
                   "outreach": sorted(fig.outreach, key=_key),
                   "cards": sorted(fig.cards, key=_key)}
            assert got == scan, (period, station)
            # totals only (a comparison, a campaign's running totals): the same sums
            grouped = fig.sections()
            for section in ("cases", "outreach", "cards"):
                assert total[section] == grouped[section], (period, station, section)
    problems = [p for p in run_checks(db) if "per-day" in p]
    assert problems == []


def blank(record, /, **given):
    return {**dict.fromkeys(record.names()), **given}


START = date.fromisoformat(days_ago(40))
STATIONS = ("平襄", "马营", "鸡川")
TYPES = ("task-scam", "loan", "romance")


def day(rng: random.Random, after: date | None = None) -> str:
    """A day of the 30 from START (on or after `after`)."""
    low = (after - START).days if after else 0
    return (START + timedelta(days=rng.randrange(low, 30))).isoformat()


def random_history(db, rng: random.Random, steps: int, made: dict | None = None) -> None:
    """Adds, corrections, voids and removals in random order; those a rule refuses (an
    event before its case's report, recoveries above the loss…) change nothing. `made`
    keeps the numbers of what was added, for a history continued by a later call."""
    made = {} if made is None else made
    cases_made: list[str] = made.setdefault("cases", [])
    sessions: list[str] = made.setdefault("sessions", [])
    actions: list[str] = made.setdefault("actions", [])

    def case_event(no: str) -> None:
        reported = date.fromisoformat(cases.get_case(db, no)["reported"])
        kind = rng.choice(("solved", "arrest", "prosecute", "recover", "freeze",
                           "stop-payment", "filed", "close"))
        given = {}
        if kind in ("arrest", "prosecute"):
            given["count"] = str(rng.randint(1, 4))
        if kind in ("recover", "freeze", "stop-payment"):
            given["amount"] = str(rng.randint(1, 300))
        cases.add_event(db, no, blank(EVENT, kind=kind, date=day(rng, reported), **given))

    def step() -> None:
        what = rng.randrange(12)
        if what <= 2 or not cases_made:
            no = f"C{len(cases_made) + 1}"
            cases.add_case(db, blank(CASE, no=no, reported=day(rng),
                                     type=rng.choice(TYPES), station=rng.choice(STATIONS),
                                     loss=str(rng.randint(500, 5000))))
            cases_made.append(no)
        elif what <= 5:
            case_event(rng.choice(cases_made))
        elif what == 6:
            field = rng.choice(("station", "type", "reported", "loss"))
            value = {"station": lambda: rng.choice(STATIONS), "type": lambda: rng.choice(TYPES),
                     "reported": lambda: day(rng),
                     "loss": lambda: str(rng.randint(500, 5000))}[field]()
            cases.update_case(db, rng.choice(cases_made), {field: value})
        elif what == 7:
            no = rng.choice(cases_made)
            shown = cases.show_case(db, no)
            if shown["events"]:
                n = rng.randint(1, len(shown["events"]))
                if rng.random() < 0.5:
                    cases.remove_event(db, no, n, "录错")
                else:
                    event = shown["events"][n - 1]
                    change = {"date": day(rng, date.fromisoformat(shown["reported"]))}
                    if event["kind"] in ("recover", "freeze", "stop-payment"):
                        change["amount"] = str(rng.randint(1, 300))
                    if event["kind"] in ("arrest", "prosecute"):
                        change["count"] = str(rng.randint(1, 4))
                    cases.update_event(db, no, n, change)
        elif what == 8:
            if rng.random() < 0.3:
                cases.void_case(db, rng.choice(cases_made), "重复录入")
        elif what == 9:
            record, _ = outreach.add_outreach(db, blank(
                OUTREACH, date=day(rng), station=rng.choice(STATIONS),
                audience=rng.choice(("students", "villagers")),
                form=rng.choice(("lecture", "stall")), venue="村委会",
                attendees=str(rng.randint(0, 200)), materials=str(rng.randint(0, 300))))
            sessions.append(record["no"])
        elif what == 10 and sessions:
            no = rng.choice(sessions)
            if rng.random() < 0.25:
                outreach.void_outreach(db, no, "误录")
            else:
                field = rng.choice(("date", "station", "audience", "attendees", "materials"))
                value = {"date": lambda: day(rng), "station": lambda: rng.choice(STATIONS),
                         "audience": lambda: rng.choice(("students", "elderly")),
                         "attendees": lambda: str(rng.randint(0, 200)),
                         "materials": lambda: str(rng.randint(0, 300))}[field]()
                outreach.update_outreach(db, no, {field: value})
        else:
            if actions and rng.random() < 0.4:
                no = rng.choice(actions)
                if rng.random() < 0.5:
                    cards.void_card_action(db, no, "误录")
                else:
                    cards.update_card_action(db, no, {"date": day(rng)})
                return
            kind = rng.choice(("inspection", "interview", "fine"))
            bank = rng.choice(("农行通渭支行", "通渭某代办点"))
            record, _ = cards.add_card_action(db, blank(
                CARD_ACTION, date=day(rng), institution=bank,
                institution_kind="bank" if bank.startswith("农行") else "outlet",
                station="平襄" if bank.startswith("农行") else None, kind=kind,
                amount=str(rng.randint(100, 900)) if kind == "fine" else None))
            actions.append(record["no"])

    for _ in range(steps):
        try:
            step()
        except TongweiError:
            pass  # refused, nothing written


def periods() -> list[reports.Period]:
    out = [reports.Period(START, START + timedelta(days=29))]
    for first, length in ((0, 1), (3, 7), (10, 1), (12, 14), (25, 5)):
        out.append(reports.Period(START + timedelta(days=first),
                                  START + timedelta(days=first + length - 1)))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_figures_from_the_totals_equal_a_scan_over_any_history(db, seed):
    rng, made = random.Random(seed), {}
    for _ in range(4):
        random_history(db, rng, 40, made)
        assert_totals_answer_as_the_scan(db, periods())
    # (the history did what it says: voids, moved cases and corrected events among it)
    assert db.scalar("SELECT count(*) FROM cases WHERE voided = 1") > 0
    assert db.scalar("SELECT count(*) FROM audit WHERE action IN ('update', 'update-event',"
                     " 'remove-event')") > 5


def test_a_station_or_type_with_only_zero_counts_is_still_listed_until_its_events_go(db):
    """A case reported before the period, with a 'solved' event in it, lists its station
    and type; moving the case moves them; voiding it takes them out."""
    cases.add_case(db, blank(CASE, no="A1", reported=days_ago(10), type="loan",
                             station="平襄", loss="1000"))
    cases.add_event(db, "A1", blank(EVENT, kind="solved", date=days_ago(3)))
    period = reports.Period(date.fromisoformat(days_ago(5)), date.fromisoformat(days_ago(1)))

    def listed():
        with db.read():
            fig = reports.figures(db, period)
        return [(r["station"], r["type"], r["reported"], r["solved"]) for r in fig.cases]

    assert listed() == [("pingxiang", "loan", 0, 1)]
    cases.update_case(db, "A1", {"station": "马营", "type": "romance"})
    assert listed() == [("maying", "romance", 0, 1)]
    cases.void_case(db, "A1", "重复录入")
    assert listed() == []
    assert_totals_answer_as_the_scan(db, [period])


def test_check_names_a_stale_total(run, db_path):
    run("case", "add", "--no", "C1", "--reported", days_ago(3), "--type", "刷单",
        "--station", "平襄", "--loss", "100")
    run("case", "event", "C1", "recover", "--date", days_ago(2), "--amount", "50")
    run("outreach", "add", "--date", days_ago(2), "--station", "马营", "--audience",
        "students", "--form", "lecture", "--venue", "一中", "--attendees", "30",
        "--materials", "40")
    run("cards", "action", "--date", days_ago(2), "--institution", "农行通渭支行",
        "--institution-kind", "bank", "--station", "平襄", "--kind", "fine", "--amount", "500")
    assert run("check").exit_code == 0

    from tests.conftest import unchecked_write

    unchecked_write(db_path, "UPDATE case_days SET recovered_fen = recovered_fen + 1"
                             " WHERE recovered_fen > 0")
    lines = run("check", ok=False).stdout.strip().splitlines()
    assert lines == [f"per-day case totals match a recount: {days_ago(2)} pingxiang task-scam:"
                     " the stored totals differ from a recount of the cases and their events"]
    unchecked_write(db_path, "UPDATE case_days SET recovered_fen = recovered_fen - 1"
                             " WHERE recovered_fen > 0",
                    "DELETE FROM outreach_days",
                    "UPDATE card_days SET fines_fen = 0")
    lines = run("check", ok=False).stdout.strip().splitlines()
    assert lines == [
        f"per-day outreach totals match a recount: {days_ago(2)} maying students lecture:"
        " the stored totals differ from a recount of the sessions",
        f"per-day two-card totals match a recount: {days_ago(2)} pingxiang fine:"
        " the stored totals differ from a recount of the actions"]


def test_a_file_made_before_015_gets_its_totals_when_opened(tmp_path, monkeypatch):
    """A file at 014 with a history in it (written without the totals' triggers): opening
    it migrates it, and every figure is the scan's."""
    path = tmp_path / "old.db"
    with monkeypatch.context() as patch:
        before_migration(patch, "015")
        handle = open_db(settings.current(), path, create=True)
        try:
            assert handle.scalar("SELECT count(*) FROM sqlite_master"
                                 " WHERE name = 'case_days'") == 0
            random_history(handle, random.Random(7), 120)
            count = handle.scalar("SELECT count(*) FROM case_events")
        finally:
            handle.close()
    assert count > 10
    handle = open_db(settings.current(), path)
    try:
        assert handle.scalar("SELECT count(*) FROM _sqlite_migrations"
                             " WHERE name = '015_day_totals'") == 1
        assert handle.scalar("SELECT sum(reported) FROM case_days") == handle.scalar(
            "SELECT count(*) FROM cases WHERE voided = 0")
        assert_totals_answer_as_the_scan(handle, periods())
        assert run_checks(handle) == []
    finally:
        handle.close()


def test_imports_and_their_corrections_keep_the_totals(run, db, tmp_path):
    """Cases, events and outreach imported (one statement a batch), then the cases imported
    again with `--update` (two moved to another station and type, one to another day, one
    loss corrected), then scrubbed: every figure is the scan's and `check` is clean."""
    first = date.fromisoformat(days_ago(20))
    rows = [(f"I{i}", (first + timedelta(days=i % 5)).isoformat(), ("loan", "romance")[i % 2],
             STATIONS[i % 3], str(1000 + i)) for i in range(12)]

    def write(name, header, lines):
        path = tmp_path / name
        path.write_text("\n".join([header, *(",".join(r) for r in lines)]) + "\n", "utf-8")
        return path

    run("import", "cases", write("cases.csv", "no,reported,type,station,loss", rows))
    events = [(f"I{i}", kind, (first + timedelta(days=i % 5 + 6)).isoformat(), count, amount)
              for i in range(12) for kind, count, amount in (
                  ("arrest", "2", ""), ("recover", "", "300"), ("close", "", ""))]
    run("import", "events", write("events.csv", "case,kind,date,count,amount", events))
    run("import", "outreach", write("outreach.csv", "date,station,audience,form,venue,"
                                    "attendees,materials",
                                    [(days_ago(12), "马营", "students", "lecture",
                                      f"{n}中", "40", "50") for n in "一二三"]))
    moved = list(rows)
    moved[0] = ("I0", rows[0][1], "task-scam", "鸡川", rows[0][4])
    moved[1] = ("I1", rows[1][1], "task-scam", "鸡川", rows[1][4])
    moved[2] = ("I2", (first - timedelta(days=3)).isoformat(), *rows[2][2:])
    moved[3] = (*rows[3][:4], "9999")
    result = run("import", "cases", write("moved.csv", "no,reported,type,station,loss", moved),
                 "--update")
    assert "updated 4" in result.stdout
    with db.read():
        assert db.scalar("SELECT sum(events) FROM case_days WHERE station = 'jichuan'"
                         " AND type = 'task-scam'") == 4
    run("db", "scrub", "--before", days_ago(1))
    periods_here = [reports.Period(first - timedelta(days=5), first + timedelta(days=15)),
                    reports.Period(first, first), reports.Period(first + timedelta(days=6),
                                                                 first + timedelta(days=8))]
    assert_totals_answer_as_the_scan(db, periods_here, (None, "jichuan", "maying"))
    assert run("check").exit_code == 0
