"""Personal data: masked everywhere, revealed only on request (and audited), scrubbed when
its time is over."""

from __future__ import annotations

import json
import sqlite3

import pytest
from stdnum.cn import ric

from tests.conftest import days_ago

ID = "62242419900101002" + ric.calc_check_digit("62242419900101002" + "0")
PHONE = "13800000042"
NAME = "测试甲乙"


def add_case(run, no, reported, **extra):
    args = ["case", "add", "--no", no, "--reported", reported, "--type", "loan", "--station",
            "平襄", "--loss", "1000", "--victim-name", NAME, "--victim-phone", PHONE,
            "--victim-id", ID]
    for key, value in extra.items():
        args += [f"--{key}", value]
    run(*args)


@pytest.mark.slow
def test_scrub_masks_finished_old_cases_keeps_figures_and_audits(run, db_path):
    add_case(run, "OLD", days_ago(30))
    run("case", "event", "OLD", "recover", "--amount", "300", "--date", days_ago(20))
    run("case", "event", "OLD", "close", "--date", days_ago(20))
    add_case(run, "OPEN", days_ago(30))
    add_case(run, "NEW", days_ago(1))
    run("case", "event", "NEW", "close")
    result = run("db", "scrub", "--before", days_ago(10))
    assert "1 cases" in result.stderr
    conn = sqlite3.connect(db_path)
    # Every case stores the masked form; the scrubbed one has lost its ciphertext too.
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT no, victim_phone, victim_phone_enc IS NOT NULL FROM cases")}
    assert rows == {"OLD": ("138****0042", 0), "OPEN": ("138****0042", 1),
                    "NEW": ("138****0042", 1)}
    opened = json.loads(run("case", "show", "OPEN", "--reveal", "--format", "json").stdout)
    assert opened["victim_phone"] == PHONE
    old = json.loads(run("case", "show", "OLD", "--reveal", "--format", "json").stdout)
    assert old["victim_name"] == "测***" and old["victim_id"].count("*") == 8
    assert old["loss_fen"] == 100000 and old["totals"]["recovered_fen"] == 30000
    (after,), = conn.execute("SELECT after FROM audit WHERE action = 'scrub'").fetchall()
    assert json.loads(after)["rows"]["cases"] == 1
    assert ID.encode() not in db_path.read_bytes()  # (nobody's ID is in the file in clear)
    assert run("check").exit_code == 0


def test_scrubbed_number_is_gone_from_the_file(run, db_path):
    add_case(run, "ONLY", days_ago(30))
    run("case", "event", "ONLY", "close", "--date", days_ago(20))
    run("db", "scrub", "--before", days_ago(10))
    raw = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    raw += wal.read_bytes() if wal.exists() else b""
    assert PHONE.encode() not in raw and ID.encode() not in raw


# -- every output, scanned ----------------------------------------------------------

PLANTED_PHONES = ["13800009991", "13800009992"]
PLANTED_NAMES = ["测试隐私甲", "测试隐私乙", "测试隐私丙"]
PLANTED_IDS = [
    "62112120000101001" + ric.calc_check_digit("62112120000101001" + "0"),
    "62112120050505002" + ric.calc_check_digit("62112120050505002" + "0"),
]


def leaks(text: str) -> list[str]:
    secrets = PLANTED_PHONES + PLANTED_NAMES + PLANTED_IDS
    return [s for s in secrets if s in text]


def file_text(path) -> str:
    import zipfile

    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace")
                           for n in archive.namelist())
    return path.read_text("utf-8-sig")


@pytest.mark.slow
def test_no_command_output_or_error_shows_planted_personal_data(run, tmp_path):
    today, day = days_ago(0), days_ago(1)
    run("case", "add", "--no", "P1", "--reported", day, "--type", "loan", "--station", "平襄",
        "--loss", "5000", "--victim-name", PLANTED_NAMES[0], "--victim-phone",
        PLANTED_PHONES[0], "--victim-id", PLANTED_IDS[0], "--warning", "WP1")
    run("warning", "add", "--no", "WP1", "--received", f"{day} 09:00", "--level", "high",
        "--station", "平襄", "--phone", PLANTED_PHONES[1], "--name", PLANTED_NAMES[1],
        "--id", PLANTED_IDS[1])
    run("warning", "add", "--no", "WP2", "--received", f"{day} 10:00", "--level", "low",
        "--station", "马营", "--phone", PLANTED_PHONES[1], "--name", PLANTED_NAMES[1])
    run("warning", "followup", "WP1", "--at", f"{day} 09:30", "--method", "visit",
        "--outcome", "defrauded", "--case", "P1")
    run("cards", "penalty", "add", "--name", PLANTED_NAMES[2], "--id-no", PLANTED_IDS[1],
        "--measure", "financial", "--start", day, "--years", "2")
    run("campaign", "add", "测试行动", "--from", days_ago(10), "--to", today)
    outputs: list[str] = []
    commands = [
        ["case", "list"], ["case", "show", "P1"], ["warning", "list"], ["warning", "show", "WP1"],
        ["warning", "list", "--status", "open"], ["cards", "penalty", "list"],
        ["cards", "penalty", "list", "--active"], ["audit", "list"],
        ["report", "daily"], ["report", "range", "--from", days_ago(7), "--to", today],
        ["report", "campaign", "测试行动"],
    ]
    for command in commands:
        for fmt in ("table", "json", "csv"):
            result = run(*command, "--format", fmt)
            outputs.append(result.stdout + result.stderr)
    for fmt in ("text", "markdown", "html", "xlsx"):
        target = tmp_path / f"daily.{ {'text': 'txt', 'markdown': 'md'}.get(fmt, fmt) }"
        run("report", "daily", "--format", fmt, "-o", target)
        outputs.append(file_text(target))
    bulletin = run("report", "bulletin", "--from", days_ago(7), "--to", today)
    outputs.append(bulletin.stdout)
    # Refusals must not echo the values either.
    for bad in (
        ["case", "add", "--reported", day, "--type", "loan", "--station", "平襄", "--loss",
         "1", "--victim-id", PLANTED_IDS[0][:-1] + "0" if PLANTED_IDS[0][-1] != "0"
         else PLANTED_IDS[0][:-1] + "1", "--victim-name", PLANTED_NAMES[0]],
        ["case", "add", "--no", "P1", "--reported", day, "--type", "loan", "--station", "平襄",
         "--loss", "1", "--victim-phone", PLANTED_PHONES[0]],
        ["warning", "add", "--no", "WP1", "--received", f"{day} 09:00", "--level", "high",
         "--station", "平襄", "--phone", PLANTED_PHONES[1]],
        ["warning", "add", "--no", "WP9", "--received", f"{day} 09:00", "--level", "high",
         "--station", "平襄", "--phone", PLANTED_PHONES[1] + "7"],
    ):
        result = run(*bad, ok=False)
        assert result.exit_code == 1
        outputs.append(result.stdout + result.stderr)
    # The corrections and removals: their records, refusals and audit rows.
    penalty_no = json.loads(run("cards", "penalty", "list", "--format", "json").stdout)[0]["no"]
    for command in (["cards", "penalty", "show", penalty_no],
                    ["cards", "penalty", "update", penalty_no, "--note", "复核"],
                    ["warning", "update", "WP2", "--name", PLANTED_NAMES[2], "--phone",
                     PLANTED_PHONES[0]],
                    ["warning", "remove", "WP2", "--reason", "重复推送"]):
        for fmt in ("json",) if command[-2] != "show" else ("table", "json", "csv"):
            result = run(*command, "--format", fmt)
            outputs.append(result.stdout + result.stderr)
    refused = run("warning", "update", "WP1", "--phone", PLANTED_PHONES[1] + "7", ok=False)
    assert refused.exit_code == 1
    outputs.append(refused.stdout + refused.stderr)
    for fmt in ("table", "json", "csv"):
        outputs.append(run("audit", "list", "--format", fmt).stdout)
    bad_file = tmp_path / "bad.csv"
    bad_file.write_text("no,received,level,station,phone,name,id\n"
                        f"WX1,{day} 08:00,high,平襄,{PLANTED_PHONES[0]}9,{PLANTED_NAMES[0]},"
                        f"{PLANTED_IDS[0][:-1]}Y\n", encoding="utf-8")
    result = run("import", "warnings", bad_file, ok=False)
    assert result.exit_code == 1
    outputs.append(result.stdout + result.stderr)
    found = [leak for text in outputs for leak in leaks(text)]
    assert found == []
    # --reveal does show them, and says so in the log.
    revealed = run("case", "show", "P1", "--reveal").stdout
    assert PLANTED_PHONES[0] in revealed
