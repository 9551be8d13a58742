"""Writes the bundled sample data (synthetic people only) into this folder.

    python data/sample/make_sample.py

Deterministic: the same files every run. Names are 测试甲, 测试乙…; phone numbers come from
the obviously fake block 1380000xxxx; ID numbers carry valid check digits but no real
person's number. Covers 2026-09-01 to 2026-11-28, with a campaign over October and November.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST, LAST = date(2026, 9, 1), date(2026, 11, 28)
STATIONS = ["平襄", "马营", "鸡川", "榜罗", "常家河", "义岗川", "陇阳", "陇山", "陇川", "碧玉",
            "襄南", "华家岭", "北城铺", "什川", "第三铺", "寺子川", "李店", "新景"]
TYPES = ["刷单返利", "虚假网络投资理财", "虚假购物、服务", "冒充电商物流客服", "虚假贷款",
         "虚假征信", "冒充领导熟人", "冒充公检法及政府机关", "网络婚恋、交友", "网络游戏产品虚假交易",
         "裸聊敲诈", "其他"]
GROUPS = ["students", "finance-staff", "elderly", "villagers", "public"]
STEMS = "甲乙丙丁戊己庚辛壬癸"


def check_digit(first17: str) -> str:
    checksum = (1 - 2 * int(first17, 13)) % 11
    return "X" if checksum == 10 else str(checksum)


def person(rng: random.Random, i: int) -> dict[str, str]:
    year = rng.randint(1950, 2008)
    region = "621121" if year >= 2003 else "622424"  # Tongwei's code then
    first17 = f"{region}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return {"name": f"测试{STEMS[i % 10]}{'' if i < 10 else i // 10}",
            "phone": f"1380000{i % 10000:04d}",
            "id": first17 + check_digit(first17)}


def write(name: str, header: list[str], rows: list[list]) -> None:
    with (HERE / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(20261128)
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    warnings, followups, cases, events = [], [], [], []
    n_person = 0
    for day in days:
        for _ in range(rng.randint(2, 7)):
            n_person += 1
            p = person(rng, n_person)
            received = datetime.combine(day, datetime.min.time()) + timedelta(
                minutes=rng.randint(0, 24 * 60 - 1))
            level = rng.choices(["high", "medium", "low"], [2, 5, 3])[0]
            no = f"YJ{received:%Y%m%d}{len(warnings) + 1:05d}"
            station = rng.choice(STATIONS)
            warnings.append([no, f"{received:%Y-%m-%d %H:%M}", level, station, p["phone"],
                             rng.choice(["money", "contact"]), p["name"], p["id"],
                             rng.choice(TYPES), "省反诈平台", ""])
            if day >= LAST - timedelta(days=1) and rng.random() < 0.5:
                continue  # still open on the last days: the dispatch list has work in it
            hours = {"high": 2, "medium": 24, "low": 72}[level]
            late = rng.random() < 0.08
            delay = timedelta(minutes=rng.randint(10, int(hours * 60 * (1.6 if late else 0.9))))
            at = min(received + delay, datetime.combine(LAST, datetime.min.time())
                     + timedelta(hours=20))
            if at < received:
                continue
            outcome = rng.choices(["dissuaded", "not-fraud", "unreachable", "defrauded"],
                                  [80, 10, 7, 3])[0]
            method = rng.choices(["phone", "visit"], [6, 4])[0]
            case_no = ""
            if outcome == "defrauded":
                case_no = f"TWS{day:%Y%m%d}{len(cases) + 1:03d}"
                cases.append([case_no, day.isoformat(), warnings[-1][8], station,
                              rng.randint(5, 300) * 100, "", p["name"], p["phone"], p["id"],
                              "", "", rng.choice(GROUPS), no, "预警后被骗"])
            followups.append([no, f"{at:%Y-%m-%d %H:%M}", method, outcome, case_no, ""])
            if method == "phone" and rng.random() < 0.3 and at + timedelta(hours=5) < \
                    datetime.combine(LAST, datetime.min.time()) + timedelta(hours=23):
                followups.append([no, f"{at + timedelta(hours=4):%Y-%m-%d %H:%M}", "visit",
                                  outcome, case_no, "回访"])
        if rng.random() < 0.55:
            n_person += 1
            p = person(rng, n_person)
            case_no = f"TWS{day:%Y%m%d}{len(cases) + 1:03d}"
            cases.append([case_no, day.isoformat(), rng.choice(TYPES), rng.choice(STATIONS),
                          rng.choice([800, 2500, 12000, 35000, 68000, 150000]) + rng.randint(0, 99),
                          (day - timedelta(days=rng.randint(0, 3))).isoformat(), p["name"],
                          p["phone"], p["id"], "", "", rng.choice(GROUPS), "", ""])
    for case in cases:
        no, reported, loss = case[0], date.fromisoformat(case[1]), int(case[4])
        span = (LAST - reported).days
        if span < 2 or rng.random() < 0.3:
            continue
        step = reported + timedelta(days=rng.randint(0, 2))
        events.append([no, "filed", step.isoformat(), "", "", ""])
        if rng.random() < 0.5:
            events.append([no, "stop-payment", step.isoformat(), "", round(loss * 0.3, 2), ""])
        if rng.random() < 0.6:
            events.append([no, "freeze", step.isoformat(), "", round(loss * 0.4, 2), ""])
        if span > 10 and rng.random() < 0.45:
            solved = min(LAST, step + timedelta(days=rng.randint(3, 20)))
            events.append([no, "solved", solved.isoformat(), "", "", ""])
            events.append([no, "arrest", solved.isoformat(), rng.randint(1, 8), "", ""])
            if rng.random() < 0.7:
                events.append([no, "recover", solved.isoformat(), "",
                               round(loss * rng.choice([0.2, 0.5, 1.0]), 2), ""])
            if (LAST - solved).days > 5 and rng.random() < 0.6:
                later = solved + timedelta(days=rng.randint(1, (LAST - solved).days))
                events.append([no, "prosecute", later.isoformat(), rng.randint(1, 3), "", ""])
    outreach, cards = [], []
    audiences = ["students", "finance-staff", "elderly", "card-industry", "villagers", "public"]
    forms = ["hand-in-hand", "face-to-face", "point-to-point", "lecture", "stall", "door-to-door"]
    venues = {"students": ("通渭县第{}中学", "school"), "finance-staff": ("县工业园区{}号企业", "enterprise"),
              "elderly": ("平襄镇{}社区", "community"), "card-industry": ("县农商银行第{}网点", "bank"),
              "villagers": ("第{}村委会", "village"), "public": ("县城{}号超市", "supermarket")}
    for i, day in enumerate(days):
        if rng.random() < 0.5:
            audience = rng.choice(audiences)
            venue, kind = venues[audience]
            outreach.append([day.isoformat(), rng.choice(STATIONS), audience, rng.choice(forms),
                             venue.format(rng.randint(1, 9)), kind, rng.randint(20, 400),
                             rng.randint(50, 1500), f"XC{day:%Y%m%d}{i:02d}", ""])
    institutions = [("县农商银行营业部", "bank"), ("邮储银行通渭支行", "bank"),
                    ("中国移动通渭营业厅", "telecom"), ("联通平襄路营业厅", "telecom"),
                    ("马营镇便民代办点", "outlet"), ("某支付公司通渭服务点", "payment")]
    for day in days[::4]:
        name, kind = rng.choice(institutions)
        action = rng.choices(["inspection", "interview", "notice", "fine", "rectify"],
                             [5, 2, 2, 1, 2])[0]
        amount = rng.choice([5000, 10000, 20000]) if action == "fine" else ""
        deadline = (day + timedelta(days=15)).isoformat() if action == "rectify" else ""
        cards.append([day.isoformat(), name, action, kind, amount, deadline, ""])
        if action == "rectify" and day + timedelta(days=12) < LAST:
            cards.append([(day + timedelta(days=12)).isoformat(), name, "recheck", kind, "", "",
                          "整改到位"])
    write("cases.csv", ["no", "reported", "type", "station", "loss", "occurred", "victim-name",
                        "victim-phone", "victim-id", "victim-gender", "victim-age",
                        "victim-group", "warning", "summary"], cases)
    write("events.csv", ["case", "kind", "date", "count", "amount", "note"], events)
    write("warnings.csv", ["no", "received", "level", "station", "phone", "kind", "name", "id",
                           "type", "source", "note"], warnings)
    write("followups.csv", ["warning", "at", "method", "outcome", "case", "note"], followups)
    write("outreach.csv", ["date", "station", "audience", "form", "venue", "venue-kind",
                           "attendees", "materials", "ref", "note"], outreach)
    write("cards.csv", ["date", "institution", "kind", "institution-kind", "amount",
                        "deadline", "note"], sorted(cards))
    print(f"{len(cases)} cases, {len(events)} events, {len(warnings)} warnings, "
          f"{len(followups)} follow-ups, {len(outreach)} outreach, {len(cards)} card actions")


if __name__ == "__main__":
    main()
