"""`tongwei warning …`: early warnings pushed by the platform and their follow-ups (防)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tongwei_cli.commands import get_db, sub_app
from tongwei_cli.commands.options import (
    EncodingOption,
    FormatOption,
    FromOption,
    LimitOption,
    OutputOption,
    RevealOption,
    StationOption,
    ToOption,
    ask_missing,
    columns_of,
    need,
    opt,
    period,
    screen_cut,
    screen_limit,
    with_fields,
)
from tongwei_cli.core.fields import FOLLOWUP, WARNING
from tongwei_cli.domain import warnings as domain
from tongwei_cli.domain.records import record_reveal
from tongwei_cli.domain.reference import refs
from tongwei_cli.render.output import (
    TRAIL,
    Column,
    Rows,
    emit_key,
    emit_list,
    emit_record,
    warn,
)

app = sub_app("""Early warnings (预警) and their follow-ups (劝阻、反馈).

A warning is open until its first feedback (a follow-up whose outcome is not
in-progress), overdue when still open past its deadline (received time + the
level's hours, see `tongwei ref levels`), closed from its feedback.

Examples:

  tongwei warning add --no YJ20261129001 --received "2026-11-29 10:15" --level 高风险 \\
      --station 平襄 --phone 13800000001

  tongwei warning followup YJ20261129001 --at now --method phone --outcome dissuaded

  tongwei warning list --status overdue
""")

WNo = Annotated[str, typer.Argument(metavar="W_NO", help="The warning number.")]


def _as_label(status: str) -> str:
    return "fed-back" if status == "closed" else status


STATUS = Column("status_label", "word")
RECORD_FIELDS = [
    *columns_of(WARNING, "no"), STATUS, *columns_of(WARNING, "received", "level"),
    Column("deadline_at", "stamp"),
    Column("feedback_at", "stamp"),
    Column("on_time", "bool"),
    Column("overdue"),
    Column("feedback_outcome", "word"),
    Column("latest_outcome", "word"),
    Column("defrauded", "bool"),
    Column("case_list"),
    *columns_of(WARNING, "station", "name", "phone", "id", "kind", "type", "source", "note"),
    *TRAIL,
]
FOLLOWUP_COLUMNS = [
    *columns_of(FOLLOWUP, "at", "method", "outcome"),
    Column("case_no"),
    *columns_of(FOLLOWUP, "note"),
    Column("created_by", label_key="created_by.short"),
]
LIST_COLUMNS = [
    *columns_of(WARNING, "no", "received", "level", "station", "name", "phone"),
    Column("deadline_at", "stamp"),
    STATUS,
    Column("overdue_minutes", "minutes", label_key="overdue"),
    Column("feedback_at", "stamp"),
]
# What a narrow terminal leaves out first (`output.light_table`): the dispatch list keeps
# the number, station, deadline and how late.
NARROW = ("name", "phone", "received_at", "feedback_at", "level", "status_label")


def duration(minutes: int | None) -> str:
    """How late, as every view writes it (`output.duration`)."""
    if minutes is None:
        return ""
    from tongwei_cli.core.words import lang
    from tongwei_cli.render.output import duration as written

    return written(minutes, lang())


def _for_table(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "status_label": _as_label(record["status"]),
            "overdue": duration(record.get("overdue_minutes"))}


def _wants_table(fmt: str | None, output) -> bool:
    from tongwei_cli.render.output import LIST_FORMATS, choose_format

    return choose_format(fmt, output, LIST_FORMATS) in ("table", "xlsx")


def _as_of(db, value: str | None):
    from tongwei_cli.core import validate

    if value is None:
        return None
    return validate.datetime_value(value, "as-of", db.tz, allow_future=True)


@app.command("add")
@with_fields(WARNING, add=True)
def add(fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Register an early warning; prints its number (the stored record with --format json).
    Its deadline is the received time plus the level's hours.

    Example: tongwei warning add --no YJ20261129001 --received "2026-11-29 10:15" --level 高风险 \\
        --station 平襄 --phone 13800000001 --name 测试甲
    """
    db = get_db()
    record, notes = domain.add_warning(db, ask_missing(db, WARNING, fields))
    for line in notes:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("update")
@with_fields(WARNING, add=False, skip=("no",))
def update(w_no: WNo, fields: dict[str, str | None], fmt: FormatOption = None) -> None:
    """Correct a warning. Give only the fields that change; `-` clears an optional one. The
    old and new values are kept in the audit log. A new level moves the deadline by that
    level's hours now; a new received time moves it by the hours the warning was given.
    Follow-ups must stay after the received time. The number itself cannot change.

    Example: tongwei warning update YJ2026112800397 --level 高风险 --station 马营
    """
    db = get_db()
    record, notes = domain.update_warning(db, w_no, fields)
    for line in notes:
        warn(line)
    emit_key(record["no"], record, fmt)


@app.command("remove")
def remove(
    w_no: WNo,
    reason: Annotated[str | None, opt("Why it is removed. Required.", "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Remove a warning entered in error (a duplicate push, a number typed wrong) with its
    follow-ups. The audit log keeps what they said (personal data masked), who removed them
    and why; the reports no longer count it. Refused while a case names the warning. (An
    import of a file that holds the warning adds it again.)

    Example: tongwei warning remove YJ2026112800396 --reason 平台重复推送
    """
    reason = need(reason, "--reason", "删除原因 reason")
    db = get_db()
    removed = domain.remove_warning(db, w_no, reason)
    from tongwei_cli.core.words import say

    emit_key(say("removed", what=removed["no"]), removed, fmt)


@app.command("followup")
@with_fields(FOLLOWUP, add=True, skip=("warning",))
def followup(
    w_no: WNo,
    fields: dict[str, str | None],
    update: Annotated[bool, typer.Option(
        "--update", help="If a follow-up of this warning at this time by this method is "
        "already recorded, correct its outcome, case and note (kept in the audit log) "
        "instead of refusing.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Record a follow-up (劝阻) of a warning. The first one whose outcome is not
    in-progress is the warning's feedback (反馈); later ones (a return visit) are kept.

    Example: tongwei warning followup YJ2026112800397 --at "2026-11-29 11:00" --method visit \\
        --outcome dissuaded

    A wrong outcome is corrected by giving the same time and method again with --update:

      tongwei warning followup YJ2026112700392 --at "2026-11-28 10:32" --method visit \\
          --outcome defrauded --case TWS20261128066 --update
    """
    db = get_db()
    fields = ask_missing(db, FOLLOWUP, fields, {
        "methods": [(m, _word(m)) for m in domain.METHODS],
        "outcomes": [(o, _word(o)) for o in domain.OUTCOMES]})
    stored = domain.add_followup(db, w_no, fields, update=update)
    from tongwei_cli.core.clock import local_text

    emit_key(f"{stored['warning_no']} {stored['method']} {local_text(stored['at'], db.tz)}"
             f" {stored['outcome']}", stored, fmt)


@app.command("remove-followup")
def remove_followup(
    w_no: WNo,
    at: Annotated[str | None, opt("When the follow-up was recorded as made, local time "
                                   "(YYYY-MM-DD HH:MM). Required.", "--at")] = None,
    method: Annotated[str | None, opt("phone | visit | sms | other. Required.",
                                       "--method")] = None,
    reason: Annotated[str | None, opt("Why it is removed. Required.", "--reason")] = None,
    fmt: FormatOption = None,
) -> None:
    """Remove a follow-up entered in error (on the wrong warning, at the wrong time, by the
    wrong method). The audit log keeps what it said, who removed it and why; the warning's
    feedback is worked out again from the follow-ups left (with none left it is open again).
    A wrong outcome, case or note is corrected with `warning followup … --update` instead.
    (An import of a file that holds the follow-up adds it again.)

    Example: tongwei warning remove-followup YJ2026112700392 --at "2026-11-28 10:32" \\
        --method visit --reason 录错预警编号
    """
    at = need(at, "--at", "时间 at (YYYY-MM-DD HH:MM)")
    method = need(method, "--method", "方式 method",
                  [(m, _word(m)) for m in domain.METHODS])
    reason = need(reason, "--reason", "删除原因 reason")
    db = get_db()
    removed, name = domain.remove_followup(db, w_no, {"at": at, "method": method}, reason)
    from tongwei_cli.core.words import say

    emit_key(say("removed", what=name), removed, fmt)


def _word(code: str) -> str:
    from tongwei_cli.core.words import word

    return word(code, "zh")


@app.command("list")
def list_(
    status: Annotated[str | None, opt("open (no feedback yet, overdue included), overdue, or "
                                       "closed; or in Chinese: 待反馈, 已超期, 已反馈.",
                                       "--status")] = None,
    level: Annotated[str | None, opt("Only this level.", "--level")] = None,
    station: StationOption = None,
    from_: FromOption = None, to: ToOption = None,
    as_of: Annotated[str | None, opt("Ask as of this moment (YYYY-MM-DD HH:MM). "
                                      "Default: now.", "--as-of")] = None,
    limit: LimitOption = None, reveal: RevealOption = False,
    fmt: FormatOption = None, output: OutputOption = None, encoding: EncodingOption = None,
) -> None:
    """List warnings received in a period. With --status open or overdue it is the dispatch
    list: by deadline, with how long each is overdue and a count per station.

    Example: tongwei warning list --status overdue --format csv -o overdue.csv
    """
    from tongwei_cli.core import clock
    from tongwei_cli.core.words import lang as current_lang
    from tongwei_cli.core.words import say

    db = get_db()
    if status is not None:
        status = domain.status_value(status, "status")
    first, last = period(db, from_, to)
    first_stamp = clock.day_seconds(first, first, db.tz)[0] if first else None
    end_stamp = clock.day_seconds(last, last, db.tz)[1] if last else None
    # The dispatch list (open, overdue) is always whole: every item is someone's to do.
    reading, on_screen = ((limit, False) if status in ("open", "overdue")
                          else screen_limit(limit, fmt, output))
    keys, values = domain.warning_columns(
        db, status=status,
        level=refs(db).resolve("levels", level, "level") if level else None,
        station=refs(db).resolve("stations", station, "station") if station else None,
        first_stamp=first_stamp, end_stamp=end_stamp, as_of=_as_of(db, as_of),
        limit=reading, followups=not _wants_table(fmt, output))
    # A column at a time, the moments as stored (a dispatch list of thousands: no record a
    # row); with --reveal a record a row, as the other lists.
    rows: Rows | list[dict[str, Any]]
    rows, cut = screen_cut(Rows(keys, values, len(values[0]), domain.MOMENTS), on_screen)
    if reveal:
        rows = record_reveal(db, "warning", WARNING, rows.records())
    if not _wants_table(fmt, output):
        emit_list(rows, LIST_COLUMNS, fmt=fmt, output=output, reveal=reveal,
                  encoding=encoding, sheet="warning")
        return
    from collections import Counter

    labels = {s: _as_label(s) for s in ("open", "overdue", "closed")}
    if isinstance(rows, Rows):
        per_station = Counter(rows.column("station"))
        statuses = rows.column("status")
        shown = {s: labels.get(s) or _as_label(s) for s in set(statuses)}
        rows = Rows([*rows.keys, "status_label"],
                    [*rows.columns, list(map(shown.__getitem__, statuses))], rows.size,
                    rows.seconds)
    else:
        per_station = Counter(row["station"] for row in rows)
        rows = [{**r, "status_label": labels.get(r["status"]) or _as_label(r["status"])}
                for r in rows]
    lang = current_lang()
    counts = [f"{refs(db).name('stations', code, lang)} {n}"
              for code, n in sorted(per_station.items(), key=lambda kv: (-kv[1], kv[0]))]
    notes = [say("by_station", counts=say("list_sep").join(counts))
             ] if counts and not cut else cut
    hidden = {"open": ("feedback_at",), "overdue": ("feedback_at", "status_label"),
              "closed": ("overdue_minutes", "status_label")}.get(status or "", ())
    columns = [c for c in LIST_COLUMNS if c.key not in hidden]
    # (the list's columns show how late by its minutes: no `overdue` text a row)
    emit_list(rows, columns, fmt=fmt, output=output,
              reveal=reveal, refs=refs(db), tz=db.tz, notes=notes,
              footer=None if cut else {"no": say("total.rows", n=len(rows))},
              encoding=encoding, sheet="warning", drop=NARROW)


@app.command("show")
def show(
    w_no: WNo,
    as_of: Annotated[str | None, opt("Status as of this moment. Default: now.",
                                      "--as-of")] = None,
    reveal: RevealOption = False, fmt: FormatOption = None, output: OutputOption = None,
) -> None:
    """Show a warning with every follow-up in order, its deadline and whether its feedback
    came on time.

    Example: tongwei warning show YJ2026112800395
    """
    from tongwei_cli.core.words import say

    db = get_db()
    record = domain.show_warning(db, w_no, _as_of(db, as_of), reveal=reveal)
    if reveal:
        record = record_reveal(db, "warning", WARNING, [record])[0]
    if not _wants_table(fmt, output):
        emit_record(record, RECORD_FIELDS, fmt=fmt, output=output, reveal=reveal)
        return
    shown = {**_for_table(record), "case_list": ", ".join(record["cases"]) or None}
    fields = [c for c in RECORD_FIELDS if shown.get(c.key) not in (None, "")
              or c.key in ("no", "status_label", "feedback_at", "defrauded")]
    emit_record(shown, fields, fmt=fmt, output=output, reveal=reveal, refs=refs(db), tz=db.tz,
                title=say("title.warning", no=record["no"]),
                sections=[(say("section.followups"), record["followups"],
                           FOLLOWUP_COLUMNS)])
