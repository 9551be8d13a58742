"""What is outstanding at the end of a day: the station ranking of `report daily` counts the
same warnings its dispatch list lists (issue 14 item 8), from maintained totals that every
write keeps and `tongwei check` recounts (issue 17 item 2)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import days_ago, unchecked_write

TZ = ZoneInfo("Asia/Shanghai")


def warning(run, no, received, level, station):
    run("warning", "add", "--no", no, "--received", received, "--level", level, "--station",
        station, "--phone", "13800000001")


def followup(run, no, at, outcome="dissuaded"):
    run("warning", "followup", no, "--at", at, "--method", "phone", "--outcome", outcome)


def daily(run, day=None):
    args = ["report", "daily", "--format", "json"] + (["--date", day] if day else [])
    return json.loads(run(*args).stdout)


def ranked(report):
    return {r["station"]: (r["outstanding"], r["outstanding_overdue"])
            for r in report["ranking"] if r["outstanding"]}


def listed(report):
    out: dict[str, tuple[int, int]] = {}
    for row in report["dispatch"]:
        n, late = out.get(row["station"], (0, 0))
        out[row["station"]] = (n + 1, late + row["overdue"])
    return out


def crafted(run):
    """Warnings received on several days, some fed back only later, one late."""
    warning(run, "A", f"{days_ago(3)} 08:00", "high", "平襄")     # never fed back
    warning(run, "B", f"{days_ago(2)} 20:00", "medium", "平襄")   # fed back the next day
    followup(run, "B", f"{days_ago(1)} 09:00")
    warning(run, "C", f"{days_ago(5)} 10:00", "low", "马营")      # fed back late, yesterday
    followup(run, "C", f"{days_ago(1)} 10:00")
    warning(run, "D", f"{days_ago(2)} 09:00", "high", "马营")     # fed back on time
    followup(run, "D", f"{days_ago(2)} 10:00")
    warning(run, "E", f"{days_ago(1)} 08:00", "high", "榜罗")     # after the past day
    warning(run, "H", f"{days_ago(1)} 12:00", "medium", "什川")   # deadline today at noon


def test_ranking_counts_what_the_dispatch_list_shows_on_a_past_day(run):
    crafted(run)
    report = daily(run, days_ago(2))
    # At the end of that day: A overdue, B open (its feedback came the next day), C overdue
    # (fed back late, after the day); D was fed back; E and H came later.
    expected = {"pingxiang": (2, 1), "maying": (1, 1)}
    assert ranked(report) == listed(report) == expected
    assert report["outstanding"] == {"open": 3, "overdue": 2}
    assert (report["dispatch_total"], report["dispatch_overdue"]) == (3, 2)
    assert [r["station"] for r in report["ranking"][:2]] == ["pingxiang", "maying"]
    # the section's figures stay those of the day's warnings (PRODUCT.md): B only
    assert (report["warnings"]["received"], report["warnings"]["open"],
            report["warnings"]["overdue"]) == (2, 1, 0)


def test_ranking_counts_what_the_dispatch_list_shows_today(run):
    crafted(run)
    report = daily(run)
    noon_passed = datetime.now(TZ).hour >= 12
    expected = {"pingxiang": (1, 1), "bangluo": (1, 1), "shichuan": (1, int(noon_passed))}
    assert ranked(report) == listed(report) == expected
    assert report["dispatch_total"] == 3
    assert report["dispatch_overdue"] == 2 + noon_passed


def test_the_page_says_which_figures_are_of_the_days_warnings(run):
    crafted(run)
    page = run("--lang", "zh", "report", "daily", "--date", days_ago(2), "--format",
               "text").stdout
    assert "截至日末全部待反馈预警 3 条，其中超时 2 条" in page.replace("\n", "")
    assert "共 3 条，其中超时 2 条" in page
    ranking = page[page.index("派出所排名"):]
    assert "待反馈" in ranking and "其中超时" in ranking
    assert "预警、反馈率、按时率、见面率：当日接收的预警" in ranking.replace("\n", "")
    line = next(x for x in ranking.splitlines() if "马营" in x)
    assert line.split()[2:4] == ["1", "1"]
    english = run("report", "daily", "--date", days_ago(2), "--format", "markdown").stdout
    assert "Outstanding" in english and "received that day" in english.replace("\n", " ")


def test_check_finds_a_tampered_total(run, db_path):
    crafted(run)
    assert run("check").exit_code == 0
    unchecked_write(db_path, "UPDATE warning_open SET open = open + 5"
                             " WHERE station = 'pingxiang' AND level = 'high'")
    lines = run("check", ok=False).stdout.strip().splitlines()
    assert lines == ["open warning totals match a recount: pingxiang high: the stored count "
                     "of open warnings differs from a recount"]
    unchecked_write(db_path, "UPDATE warning_open SET open = open - 5"
                             " WHERE station = 'pingxiang' AND level = 'high'",
                    "UPDATE warning_backlog SET fed_late = fed_late + 1"
                    " WHERE station = 'maying' AND level = 'low' AND fed_back > 0")
    lines = run("check", ok=False).stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("outstanding warning totals match a recount: day ")
    assert lines[0].endswith("maying low: the stored counts of open and overdue warnings "
                             "differ from a recount")


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_totals_follow_imports_corrections_and_removals(run, tmp_path):
    """Imported warnings (a backlog with no follow-ups), then follow-ups imported, one
    corrected, one removed, a warning moved to another station and one removed: the totals
    equal a recount (`check` clean) and the report's counts equal its dispatch list's."""
    start = datetime.now(TZ).replace(hour=9, minute=0) - timedelta(days=30)
    rows = []
    for i in range(60):
        received = start + timedelta(hours=11 * i)
        rows.append([f"I{i:03d}", f"{received:%Y-%m-%d %H:%M}", ("high", "medium", "low")[i % 3],
                     ("平襄", "马营", "榜罗")[i % 3 if i % 7 else 0], "13800000001"])
    rows = [r for r in rows if r[1] < f"{datetime.now(TZ) - timedelta(hours=1):%Y-%m-%d %H:%M}"]
    run("import", "warnings", write_csv(tmp_path / "w.csv",
                                        ["no", "received", "level", "station", "phone"], rows))
    assert run("check").exit_code == 0
    assert daily(run, days_ago(3))["dispatch_total"] == sum(r[1] < days_ago(2) for r in rows)
    fed = [[r[0], (datetime.strptime(r[1], "%Y-%m-%d %H:%M") + timedelta(hours=30 + i % 50))
            .strftime("%Y-%m-%d %H:%M"), "phone", "dissuaded"]
           for i, r in enumerate(rows) if i % 2]
    fed = [f for f in fed if f[1] < f"{datetime.now(TZ):%Y-%m-%d %H:%M}"]
    run("import", "followups", write_csv(tmp_path / "f.csv",
                                         ["warning", "at", "method", "outcome"], fed))
    run("warning", "followup", fed[0][0], "--at", fed[0][1], "--method", "phone", "--outcome",
        "in-progress", "--update")                     # no longer a feedback: open again
    run("warning", "remove-followup", fed[1][0], "--at", fed[1][1], "--method", "phone",
        "--reason", "wrong warning")
    run("warning", "update", rows[4][0], "--station", "新景", "--level", "high")
    run("warning", "remove", rows[5][0], "--reason", "pushed twice")
    assert run("check").exit_code == 0
    # the model: what each warning is now
    hours = {"high": 2, "medium": 24, "low": 72}
    codes = {"平襄": "pingxiang", "马营": "maying", "榜罗": "bangluo"}
    model = {r[0]: [datetime.strptime(r[1], "%Y-%m-%d %H:%M").replace(tzinfo=TZ), r[2],
                    codes[r[3]], None] for r in rows}
    for no, at, _, _ in fed[2:]:
        model[no][3] = datetime.strptime(at, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)
    model[rows[4][0]][1:3] = ["high", "xinjing"]
    del model[rows[5][0]]
    for ago in (0, 1, 3, 10, 20, 31):
        report = daily(run, days_ago(ago))
        end = datetime.strptime(days_ago(ago - 1), "%Y-%m-%d").replace(tzinfo=TZ)
        as_of = min(end, datetime.now(TZ))
        expected: dict[str, tuple[int, int]] = {}
        for received, level, station, fed_at in model.values():
            if received < end and (fed_at is None or fed_at >= as_of):
                n, late = expected.get(station, (0, 0))
                expected[station] = (n + 1, late + (received + timedelta(hours=hours[level])
                                                    < as_of))
        assert ranked(report) == listed(report) == expected, ago
        assert report["dispatch_total"] == len(report["dispatch"])
        assert report["outstanding"]["overdue"] == sum(r["overdue"] for r in report["dispatch"])


def test_totals_worked_out_beforehand_are_those_counted_in_sql(db):
    """A merge's checking children work out what a batch of new warnings adds to the
    per-day totals and the outstanding ones (`totals.day_counts`); written with
    `add_counts`, the totals are those `count_days` makes of the same warnings stored:
    fed back on time, on the deadline itself, late, on another day or not at all, visited,
    defrauded, dissuaded, received just before local midnight."""
    from tongwei_cli.domain import warnings as alerts
    from tongwei_cli.storage import totals

    def at(day: int, hour: int, minute: int = 0) -> int:
        return int(datetime.strptime(f"{days_ago(day)} {hour:02d}:{minute:02d}",
                                     "%Y-%m-%d %H:%M").replace(tzinfo=TZ).timestamp())

    rows = []
    for n, (received, level, station, feedback, visited, defrauded, outcome) in enumerate([
            (at(5, 23, 59), "high", "平襄", None, None, None, None),
            (at(5, 8), "high", "平襄", at(5, 9), at(5, 9), None, "dissuaded"),
            (at(5, 8), "high", "平襄", at(5, 10), None, None, "dissuaded"),  # (deadline)
            (at(4, 8), "low", "马营", at(1, 10), None, at(1, 10), "defrauded"),
            (at(4, 0, 1), "medium", "马营", None, at(3, 9), None, None),
            (at(3, 12), "high", "榜罗", at(3, 12, 30), None, None, "not-fraud")]):
        row = alerts.prepare_warning(db, {
            "no": f"YJT{n}", "received": datetime.fromtimestamp(received, TZ),
            "level": level, "station": station, "phone": "13800000001"}).row
        row.update(feedback_at=feedback, visited_at=visited, defrauded_at=defrauded,
                   outcome=outcome, outcome_at=None)
        rows.append(row)
    assert rows[2]["deadline_at"] == at(5, 10)  # (fed back at its deadline: on time)
    offset = db.scalar("SELECT offset_seconds FROM warning_days_zone")
    tables = ("warning_days", "warning_backlog", "warning_open")

    def kept() -> list[list[tuple]]:
        return [[tuple(r) for r in db.query(f"SELECT * FROM {t} ORDER BY 1, 2, 3")]
                for t in tables]

    class Undo(Exception):
        pass

    try:
        with db.write():
            alerts.insert_warnings(
                db, [alerts.said_values(r) for r in rows], said=True, packed=True,
                counts=totals.day_counts(offset, map(alerts.counted_values, rows)))
            beforehand = kept()
            for table in tables:
                db.conn.execute(f"DELETE FROM {table}")
            totals.count_days(db, 0)
            assert beforehand == kept()
            assert beforehand[0] and beforehand[1] and beforehand[2]
            raise Undo
    except Undo:
        pass
