"""Two-card supervision (管/控, 断卡): institutions, supervision actions, and the people under
two-card restrictions (惩戒).

Shaped like `cases`: `prepare_card_action` validates raw values into a row without writing
(a `Batch` carries what earlier rows of one file established: institutions registered,
rectifications opened); `insert_card_actions` writes prepared rows inside `db.write()`;
`add_card_action`, `update_card_action` and `void_card_action` are the single-record changes,
each with its audit row (`add_penalty` and `void_penalty` for restrictions).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from tongwei_cli.core import clock, validate
from tongwei_cli.core.errors import Conflict, InvalidValue, NotFound
from tongwei_cli.core.fields import CARD_ACTION, RESTRICTION, is_sealed
from tongwei_cli.core.words import WORDS
from tongwei_cli.domain.choices import Choices
from tongwei_cli.domain.records import (
    Prepared,
    assign_numbers,
    correctable,
    corrected,
    corrections,
    iso,
    mark_void,
    raw_of,
    yuan,
)
from tongwei_cli.domain.records import given as _given
from tongwei_cli.domain.reference import refs
from tongwei_cli.storage import personal
from tongwei_cli.storage.db import Database, where

# code -> (Chinese, English) from the catalogue. Taken by code, English, Chinese, an alias
# of data/aliases.csv (银行, 整改, 征信…), a prefix or a part (`domain.choices`).
INSTITUTION_KINDS = {code: WORDS[code] for code in ("bank", "payment", "telecom", "outlet")}
ACTION_KINDS = {code: WORDS[code] for code in ("inspection", "interview", "notice", "fine",
                                               "rectify", "recheck")}
# Restrictions on a person (惩戒办法 2024): financial, telecom/network, credit record.
MEASURES = {code: WORDS[code] for code in ("financial", "network", "credit")}
INSTITUTION_KIND_CHOICES = Choices("institution-kinds", INSTITUTION_KINDS, "institution kind")
ACTION_CHOICES = Choices("action-kinds", ACTION_KINDS, "action")
MEASURE_CHOICES = Choices("measures", MEASURES, "measure")
PENALTY_YEARS = (2, 3)
MAX_CONSECUTIVE_YEARS = 5
APPEAL_DAYS = 15  # county setting: days after the start to appeal, unless --appeal-by says


def action_kind(value: Any, field: str = "kind") -> str:
    return ACTION_CHOICES(value, field)


def institution_kind(value: Any, field: str = "institution-kind") -> str:
    return INSTITUTION_KIND_CHOICES(value, field)


def measure_value(value: Any, field: str = "measure") -> str:
    return MEASURE_CHOICES(value, field)


def institution_named(db: Database, value: Any, field: str = "institution") -> str:
    """The name of a stored institution, by its name, a unique prefix or a unique part of it
    (农商 -> 通渭农商银行), or an alias (list `institutions` in data/aliases.csv); an
    unknown name suggests the nearest stored ones."""
    name = institution_name(value, field)
    if db.one("SELECT 1 FROM institutions WHERE name = ?", (name,)):
        return name
    names = [r[0] for r in db.query("SELECT name FROM institutions ORDER BY name")]
    return Choices("institutions", {n: (n, n) for n in names}, "institution",
                   listing="see `tongwei cards institutions`")(name, field)


def institution_name(value: Any, field_name: str = "institution") -> str:
    name = " ".join(unicodedata.normalize("NFKC", validate.text(value)).split())
    if not name:
        raise InvalidValue("is required", field_name)
    if len(name) > 100:
        raise InvalidValue("is longer than 100 characters", field_name)
    return name


# -- supervision actions ----------------------------------------------------------

# (the note by its masked form and its ciphertext: `请回电138****5678` hides which number)
CONTENT = ("date", "institution", "kind", "amount_fen", "deadline", "note", "note_enc")


class Batch:
    """What the database and the earlier rows of one batch say about institutions and their
    open rectifications, so that a file can register an institution in its first row and
    re-check in a later row a rectification it ordered earlier."""

    def __init__(self, db: Database, *, deferred: bool = False):
        self.db = db
        self.deferred = deferred  # an import: rules across rows are `import_checker`'s
        self.institutions: dict[str, dict[str, Any] | None] = {}
        self.open: dict[str, list[str]] = {}  # institution -> dates of open rectifications

    def institution(self, name: str) -> dict[str, Any] | None:
        if name not in self.institutions:
            row = self.db.one("SELECT id, name, kind, station FROM institutions WHERE name = ?",
                              (name,))
            self.institutions[name] = dict(row) if row else None
            self.open[name] = [] if row is None else [r[0] for r in self.db.query(
                "SELECT date FROM card_actions WHERE institution_id = ? AND kind = 'rectify'"
                " AND closed_by IS NULL AND voided = 0", (row["id"],))]
        return self.institutions[name]

    def register(self, name: str, kind: str, station: str | None) -> None:
        self.institutions[name] = {"id": None, "name": name, "kind": kind, "station": station}
        self.open.setdefault(name, [])


def prepare_card_action(db: Database, raw: Mapping[str, Any], batch: Batch | None = None
                        ) -> Prepared:
    """Validate one action (the raw values of `core.fields.CARD_ACTION`) into a row of
    `card_actions`."""
    batch = batch or Batch(db)
    warnings: list[str] = []
    when = validate.date_value(raw.get("date"), "date", db.tz)
    name = institution_name(raw.get("institution"))
    kind = ACTION_CHOICES(raw.get("kind"), "kind")
    given_kind = (INSTITUTION_KIND_CHOICES(raw["institution_kind"], "institution-kind")
                  if _given(raw, "institution_kind") else None)
    station = (refs(db).resolve("stations", raw["station"], "station")
               if _given(raw, "station") else None)
    known = batch.institution(name)
    new_institution = known is None
    if known is None:
        if given_kind is None and not batch.deferred:
            raise InvalidValue(f"{name!r} is not registered yet: give its kind (bank, payment, "
                               "telecom, outlet) to register it", "institution-kind")
        batch.register(name, given_kind, station)
    elif given_kind is not None and given_kind != known["kind"]:
        raise InvalidValue(f"{name!r} is registered as {known['kind']}, not {given_kind}",
                           "institution-kind")
    else:
        station = station or known["station"]

    amount = None
    if kind == "fine":
        if not _given(raw, "amount"):
            raise InvalidValue("a fine needs an amount in yuan", "amount")
        amount = validate.money_fen(raw["amount"], "amount")
        if amount == 0:
            raise InvalidValue("must be more than zero", "amount")
    elif _given(raw, "amount"):
        raise InvalidValue(f"only a fine takes an amount, not {kind}", "amount")

    deadline = None
    if kind == "rectify":
        if not _given(raw, "deadline"):
            raise InvalidValue("a rectification order needs a deadline", "deadline")
        deadline = validate.date_value(raw["deadline"], "deadline", db.tz, allow_future=True)
        if deadline <= when:
            raise InvalidValue(f"{deadline} is not after the action's date {when}", "deadline")
        batch.open[name].append(when.isoformat())
    elif _given(raw, "deadline"):
        raise InvalidValue(f"only a rectification order (rectify) takes a deadline, not {kind}",
                           "deadline")
    elif kind == "recheck":
        due = [d for d in batch.open[name] if d <= when.isoformat()]
        if not due and not batch.deferred:
            warnings.append(f"{name} has no open rectification ordered on or before {when} "
                            "to close; the re-check is recorded on its own")
        batch.open[name] = [d for d in batch.open[name] if d > when.isoformat()]

    row = {"no": None, "date": when.isoformat(), "institution": name,
           "institution_kind": given_kind if new_institution else known["kind"],
           "new_institution": new_institution, "station": station, "kind": kind,
           "amount_fen": amount, "deadline": deadline and deadline.isoformat(),
           "note": validate.optional_text(raw.get("note"))}
    return Prepared(personal.seal(db, "card_actions", row), warnings)


def content_key(row: Mapping[str, Any]) -> tuple:
    return tuple(row[name] for name in CONTENT)


ACTION_SELECT = (
    "SELECT a.id, a.institution_id, a.no, a.date, i.name AS institution,"
    " i.kind AS institution_kind, a.station, a.kind, a.amount_fen, a.deadline, a.closed_on,"
    " (SELECT c.no FROM card_actions c WHERE c.id = a.closed_by) AS closed_by, a.note,"
    " a.note_enc, a.voided, a.void_reason, a.void_reason_enc, a.created_at, a.created_by,"
    " a.updated_at, a.updated_by, a.import_id"
    " FROM card_actions a JOIN institutions i ON i.id = a.institution_id")


INSERT = (
    "INSERT INTO card_actions (no, institution_id, date, kind, station, amount_fen, deadline,"
    " note, note_enc, created_at, created_by, import_id) VALUES (:no, :institution_id, :date,"
    " :kind, :station, :amount_fen, :deadline, :note, :note_enc, :created_at, :created_by,"
    " :import_id)")


def insert_card_actions(db: Database, rows: Iterable[dict[str, Any]],
                        import_id: int | None = None) -> list[dict[str, Any]]:
    """Insert prepared rows inside `db.write()`: register new institutions, number the
    actions (`DK<yyyymmdd>-NNN`), and let each re-check close its institution's open
    rectifications ordered on or before it. Returns the rows as inserted."""
    rows = list(rows)
    now, who = clock.stamp(), db.officer
    ids: dict[str, int] = {}
    for row in rows:
        if row["institution"] not in ids:
            ids[row["institution"]] = _institution_id(db, row, import_id)
    stations: dict[int, str | None] = {}
    for row in rows:
        if row["station"] is None:  # the institution's station, registered above or before
            found = ids[row["institution"]]
            if found not in stations:
                stations[found] = db.scalar("SELECT station FROM institutions WHERE id = ?",
                                            (found,))
            row["station"] = stations[found]
    assign_numbers(db, "card_actions", "DK", rows, "date")
    db.conn.executemany(INSERT, ({**row, "institution_id": ids[row["institution"]],
                                  "created_at": now, "created_by": who,
                                  "import_id": import_id} for row in rows))
    for row in rows:
        if row["kind"] == "recheck":
            recheck_id = db.scalar("SELECT id FROM card_actions WHERE no = ?", (row["no"],))
            _close_open(db, recheck_id, ids[row["institution"]], row["date"])
    return rows


def _institution_id(db: Database, row: Mapping[str, Any], import_id: int | None = None
                    ) -> int:
    """The id of a prepared row's institution, registered first when it is new."""
    found = db.scalar("SELECT id FROM institutions WHERE name = ?", (row["institution"],))
    if found is None:
        found = db.conn.execute(
            "INSERT INTO institutions (name, kind, station, created_at, created_by, import_id)"
            " VALUES (?, ?, ?, ?, ?, ?)", (row["institution"], row["institution_kind"],
                                           row["station"], clock.stamp(), db.officer,
                                           import_id)).lastrowid
    return found


def _close_open(db: Database, recheck_id: int, institution_id: int, day: str) -> list[str]:
    """Let a recheck close its institution's open rectifications ordered on or before its
    date; returns their numbers."""
    closed = [r[0] for r in db.query(
        "SELECT no FROM card_actions WHERE institution_id = ? AND kind = 'rectify'"
        " AND closed_by IS NULL AND voided = 0 AND date <= ? ORDER BY no",
        (institution_id, day))]
    if closed:
        db.conn.execute(
            "UPDATE card_actions SET closed_by = ?, closed_on = ? WHERE institution_id = ?"
            " AND kind = 'rectify' AND closed_by IS NULL AND voided = 0 AND date <= ?",
            (recheck_id, day, institution_id, day))
    return closed


def add_card_action(db: Database, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and store one supervision action; returns the stored record and warnings."""
    prepared = prepare_card_action(db, raw)
    row = prepared.row
    with db.write():
        insert_card_actions(db, [row])
        if row["new_institution"]:
            institution = dict(db.one("SELECT name AS institution, kind, station FROM institutions"
                                      " WHERE name = ?", (row["institution"],)))
            db.audit("add", "institution", row["institution"], None, institution)
        record = get_card_action(db, row["no"])
        db.audit("add", "card_action", row["no"], None, record)
    return record, prepared.warnings


def _action_row(db: Database, no: str) -> dict[str, Any]:
    """The stored action with its `id` and `institution_id`, for a correction."""
    wanted = validate.text(no)
    row = db.one(f"{ACTION_SELECT} WHERE a.no = ?", (wanted,))
    if row is None:
        raise NotFound(f"no supervision action numbered {wanted!r}", "ACTION_NO")
    return dict(row)


def get_card_action(db: Database, no: str) -> dict[str, Any]:
    return _action_record(_action_row(db, no))


# What `cards update` compares and audits (`institution` by name), and the fields that `-`
# clears: a cleared station is the institution's again; amount and deadline are required
# or refused by the kind (`prepare_card_action` says which).
STORED = ("date", "institution", "kind", "station", "amount_fen", "deadline", "note")


def _raw_of(current: Mapping[str, Any]) -> dict[str, Any]:
    """The raw values (`core.fields.CARD_ACTION`) that would prepare the stored action
    again (an action names its institution, stored by id, by name)."""
    return {"date": current["date"], "institution": current["institution"],
            "kind": current["kind"], "institution_kind": None,
            "amount": None if current["amount_fen"] is None else yuan(current["amount_fen"]),
            "deadline": current["deadline"], "note": current["note"],
            "station": current["station"]}


def _linked(db: Database, current: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rectifications this action closed (a recheck), or the recheck that closed it
    (a rectify): `no`, `date`, `kind`, `id`."""
    if current["closed_by"] is not None:
        return [dict(r) for r in db.query("SELECT id, no, date, kind FROM card_actions"
                                          " WHERE no = ?", (current["closed_by"],))]
    return [dict(r) for r in db.query("SELECT id, no, date, kind FROM card_actions"
                                      " WHERE closed_by = ? ORDER BY date, no",
                                      (current["id"],))]


def update_card_action(db: Database, no: str, changes: Mapping[str, Any]
                       ) -> tuple[dict[str, Any], list[str]]:
    """Correct fields of a supervision action (`-` clears an optional one), validated again
    as a whole by `prepare_card_action`; before/after audited. The rectify/recheck links stay
    right: the kind or institution of a rectify closed by a recheck, or of a recheck that
    closed one, cannot change; a closed rectify's date stays on or before its recheck's and
    a recheck's date on or after those it closed (their `closed_on` follows it); an action
    that becomes a recheck, or a recheck moved to another date or institution, closes the
    open rectifications ordered on or before it, as a new recheck would. Changing the kind
    drops an amount or deadline the new kind does not take unless given again."""
    changes = corrections(changes, "cards action", "ACTION_NO")
    with db.write():
        current = _action_row(db, no)
        correctable(current, "action", "ACTION_NO")
        raw = corrected(_raw_of(personal.opened(db, "card_actions", current)), changes,
                        CARD_ACTION.clearable())
        return correct_card_action(db, current, raw, changes)


def correct_card_action(db: Database, current: Mapping[str, Any], raw: dict[str, Any],
                        changes: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Inside `db.write()`: the stored action `current` (`_action_row`) given the raw values
    `raw` (`changes`: those given anew), as `update_card_action` describes. `cards update`
    and `tongwei merge`."""
    kind = ACTION_CHOICES(raw["kind"], "kind")
    name = institution_name(raw["institution"])
    linked = _linked(db, current)
    _check_links(current, linked, {"kind": kind, "institution": name})
    if kind != current["kind"]:
        raw["amount"] = raw["amount"] if "amount" in changes else None
        raw["deadline"] = raw["deadline"] if "deadline" in changes else None
    if name != current["institution"] and "station" not in changes:
        raw["station"] = None  # the new institution's station
    prepared = prepare_card_action(db, raw)
    new = prepared.row
    _check_links(current, linked, new)
    before, after = personal.changes("card_actions", current, new, STORED)
    # (a recheck's warning is `_relink_recheck`'s: the rectifications it closed are not
    # open any more, and prepare_card_action sees only the open ones)
    warnings = [] if new["kind"] == "recheck" else prepared.warnings
    if not before:
        return get_card_action(db, current["no"]), warnings
    if new["new_institution"]:
        institution = {"institution": new["institution"], "kind": new["institution_kind"],
                       "station": new["station"]}
        db.audit("add", "institution", new["institution"], None, institution)
    institution_id = _institution_id(db, new)
    db.conn.execute(
        "UPDATE card_actions SET date = :date, institution_id = :institution_id,"
        " kind = :kind, station = :station, amount_fen = :amount_fen,"
        " deadline = :deadline, note = :note, note_enc = :note_enc, updated_at = :at,"
        " updated_by = :by"
        " WHERE id = :id", {**new, "institution_id": institution_id, "at": clock.stamp(),
                            "by": db.officer, "id": current["id"]})
    db.audit("update", "card_action", current["no"], before, after)
    if new["kind"] == "recheck":
        _relink_recheck(db, current, new, institution_id, warnings)
    return get_card_action(db, current["no"]), warnings


def _check_links(current: Mapping[str, Any], linked: list[dict[str, Any]],
                 new: Mapping[str, Any]) -> None:
    """Refuse a correction (`new`: the kind and institution, then the whole prepared row)
    that would leave a rectify/recheck link (`linked`, from `_linked`) wrong."""
    if not linked:
        return
    nos = ", ".join(r["no"] for r in linked)
    if current["kind"] == "rectify":
        why = f"rectification {current['no']} was closed by recheck {nos}"
        how = "void the recheck first"
    else:
        why = f"recheck {current['no']} closed rectification {nos}"
        how = "void it and record the action anew"
    for name in ("kind", "institution"):
        if new[name] != current[name]:
            raise Conflict(f"{why}: its {name} cannot change ({how})", name)
    if "date" not in new:
        return
    if current["kind"] == "rectify" and new["date"] > linked[0]["date"]:
        raise InvalidValue(f"{new['date']} is after the recheck {linked[0]['no']} of "
                           f"{linked[0]['date']} that closed it", "date")
    if current["kind"] == "recheck":
        latest = max(linked, key=lambda r: r["date"])
        if new["date"] < latest["date"]:
            raise InvalidValue(f"{new['date']} is before the rectification {latest['no']} of "
                               f"{latest['date']} it closed", "date")


def _relink_recheck(db: Database, current: Mapping[str, Any], new: Mapping[str, Any],
                    institution_id: int, warnings: list[str]) -> None:
    """After a recheck's correction: the rectifications it closed take its new date; if it
    became a recheck or moved, it closes the open ones ordered on or before it."""
    moved = (current["kind"] != "recheck" or current["date"] != new["date"]
             or current["institution"] != new["institution"])
    if not moved:
        return
    for rectify in _linked(db, current):
        db.conn.execute("UPDATE card_actions SET closed_on = ? WHERE id = ?",
                        (new["date"], rectify["id"]))
        db.audit("update", "card_action", rectify["no"], {"closed_on": current["date"]},
                 {"closed_on": new["date"]})
    for closed in _close_open(db, current["id"], institution_id, new["date"]):
        db.audit("update", "card_action", closed, {"closed_by": None, "closed_on": None},
                 {"closed_by": current["no"], "closed_on": new["date"]})
    if not _linked(db, current):
        warnings.append(f"{new['institution']} has no open rectification ordered on or "
                        f"before {new['date']} to close; the re-check is recorded on its own")


def void_card_action(db: Database, no: str, reason: str) -> dict[str, Any]:
    """Withdraw an action entered in error: kept, shown as void, counted nowhere. A voided
    recheck re-opens the rectifications it closed."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        current = _action_row(db, no)
        void_action(db, current, reason)
    return get_card_action(db, current["no"])


def void_action(db: Database, current: Mapping[str, Any], reason: str) -> None:
    """Inside `db.write()`: withdraw the stored action `current` (`_action_row`); a recheck
    re-opens the rectifications it closed. `cards void` and `tongwei merge`."""
    reopened = _linked(db, current) if current["kind"] == "recheck" else []
    mark_void(db, "card_actions", "card_action", current, reason, what="action",
              field_name="ACTION_NO")
    for rectify in reopened:
        db.conn.execute("UPDATE card_actions SET closed_by = NULL, closed_on = NULL"
                        " WHERE id = ?", (rectify["id"],))
        db.audit("update", "card_action", rectify["no"],
                 {"closed_by": current["no"], "closed_on": current["date"]},
                 {"closed_by": None, "closed_on": None})


def _action_record(row: Any, today: date | None = None) -> dict[str, Any]:
    record = {k: v for k, v in dict(row).items() if not is_sealed(k)}
    record.pop("id", None)
    record.pop("institution_id", None)
    record["voided"] = bool(record["voided"])
    record["status"] = None
    if record["kind"] == "rectify":
        if record["closed_on"]:
            record["status"] = "rechecked"
        elif today is not None and record["deadline"] < today.isoformat():
            record["status"] = "overdue"
        else:
            record["status"] = "awaiting-recheck"
    return record


def list_card_actions(db: Database, *, first: date | None = None, last: date | None = None,
                      institution: str | None = None, kind: str | None = None,
                      station: str | None = None, voided: bool = False,
                      limit: int | None = None) -> list[dict[str, Any]]:
    """Actions dated in `[first, last]`, newest first (voided ones only if `voided`);
    `institution` by its name, a unique prefix or part of it (`institution_named`)."""
    if institution:
        institution = institution_named(db, institution)
    clause, params = where(
        ("a.voided = ?", 1 if voided else 0), ("a.date >= ?", iso(first)),
        ("a.date <= ?", iso(last)), ("i.name = ?", institution or None),
        ("a.kind = ?", kind or None), ("a.station = ?", station or None))
    sql = f"{ACTION_SELECT} WHERE {clause} ORDER BY a.date DESC, a.no DESC"
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    today = clock.today(db.tz)
    return [_action_record(r, today) for r in db.query(sql, params)]


def open_rectifications(db: Database, *, station: str | None = None,
                        institution: str | None = None) -> list[dict[str, Any]]:
    """Rectifications not yet re-checked: the overdue ones first, then by deadline.
    Each has `days_overdue` (0 when not yet due) and `days_left`."""
    if institution:
        institution = institution_named(db, institution)
    today = clock.today(db.tz)
    where, params = ["a.kind = 'rectify'", "a.closed_by IS NULL", "a.voided = 0"], []
    if station:
        where.append("a.station = ?")
        params.append(station)
    if institution:
        where.append("i.name = ?")
        params.append(institution)
    rows = []
    for r in db.query(f"{ACTION_SELECT} WHERE {' AND '.join(where)}"
                      " ORDER BY a.deadline < ? DESC, a.deadline, a.no",
                      [*params, today.isoformat()]):
        record = _action_record(r, today)
        gap = (today - date.fromisoformat(record["deadline"])).days
        record["days_overdue"] = max(gap, 0)
        record["days_left"] = max(-gap, 0)
        rows.append(record)
    return rows


def action_totals(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    out = {"actions": 0, **{f"{k}s": 0 for k in ACTION_KINDS}, "fines_fen": 0}
    for row in rows:
        out["actions"] += 1
        out[f"{row['kind']}s"] += 1
        out["fines_fen"] += row.get("amount_fen") or 0
    return out


def list_institutions(db: Database, *, station: str | None = None) -> list[dict[str, Any]]:
    """Institutions with their action counts and open rectifications."""
    where, params = "", []
    if station:
        where, params = "WHERE i.station = ?", [station]
    return [dict(r) for r in db.query(
        "SELECT i.name AS institution, i.kind, i.station,"
        " count(a.id) AS actions,"
        " coalesce(sum(a.kind = 'fine'), 0) AS fines,"
        " coalesce(sum(a.amount_fen), 0) AS fines_fen,"
        " coalesce(sum(a.kind = 'rectify' AND a.closed_by IS NULL), 0) AS open_rectifications,"
        " max(a.date) AS last_action"
        " FROM institutions i LEFT JOIN card_actions a ON a.institution_id = i.id"
        f" AND a.voided = 0 {where} GROUP BY i.id ORDER BY i.name", params)]


# -- people under restrictions (惩戒) ----------------------------------------------

PENALTY_COLUMNS = ("no, name, id_no, measure, start_date, years, end_date, appeal_by, station,"
                   " note, voided, void_reason, created_at, created_by, updated_at,"
                   " updated_by, import_id")
# With the ciphertext and blind index of the name and ID number, and the ciphertext of the
# note and the reason: what a correction reads.
PENALTY_SEALED = (f"{PENALTY_COLUMNS}, name_enc, name_bi, id_no_enc, id_no_bi, note_enc,"
                  " void_reason_enc")


def add_years(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def end_of(start: date, years: int) -> date:
    """The last day of a restriction of `years` from `start`: the day before the
    anniversary."""
    return add_years(start, years) - timedelta(days=1)


def prepare_penalty(db: Database, raw: Mapping[str, Any]) -> Prepared:
    """Validate one restriction into a row of `card_penalties`. No write; the five-year rule
    is checked by `check_consecutive`."""
    warnings: list[str] = []
    name = validate.required_text(raw.get("name"), "name")
    rid = validate.resident_id(raw.get("id_no"), "id-no", db.tz)
    if rid.warning:
        warnings.append(f"--id-no: {rid.warning}")
    measure = MEASURE_CHOICES(raw.get("measure"), "measure")
    start = validate.date_value(raw.get("start"), "start", db.tz)
    if rid.birth > start:
        raise InvalidValue("the birth date in the number is after the start", "id-no")
    years = validate.count(raw.get("years"), "years")
    if years not in PENALTY_YEARS:
        raise InvalidValue("must be 2 or 3 (years)", "years")
    end = end_of(start, years)
    if _given(raw, "appeal_by"):
        appeal_by = validate.date_value(raw["appeal_by"], "appeal-by", db.tz,
                                        allow_future=True)
        if appeal_by < start:
            raise InvalidValue(f"{appeal_by} is before the start {start}", "appeal-by")
    else:
        appeal_by = start + timedelta(days=APPEAL_DAYS)
    station = (refs(db).resolve("stations", raw["station"], "station")
               if _given(raw, "station") else None)
    row = {"no": None, "name": name, "id_no": rid.number, "measure": measure,
           "start_date": start.isoformat(), "years": years, "end_date": end.isoformat(),
           "appeal_by": appeal_by.isoformat(), "station": station,
           "note": validate.optional_text(raw.get("note"))}
    return Prepared(personal.seal(db, "card_penalties", row), warnings)


def check_consecutive(db: Database, row: Mapping[str, Any]) -> None:
    """A person's consecutive restrictions (each starting no later than the day after the
    previous one ends) never span more than five years. (`row["no"]`, when it is a stored
    restriction being corrected, is counted as `row` says, not as stored.)"""
    spans = [(date.fromisoformat(r[0]), date.fromisoformat(r[1])) for r in db.query(
        "SELECT start_date, end_date FROM card_penalties WHERE id_no_bi = ? AND voided = 0"
        " AND no IS NOT ?", (row["id_no_bi"], row["no"]))]
    start, end = date.fromisoformat(row["start_date"]), date.fromisoformat(row["end_date"])
    spans.append((start, end))
    spans.sort()
    chain_start, chain_end = spans[0]
    for first, last in spans[1:]:
        if first > chain_end + timedelta(days=1):
            if chain_start <= start <= chain_end:
                break
            chain_start, chain_end = first, last
        else:
            chain_end = max(chain_end, last)
    limit = end_of(chain_start, MAX_CONSECUTIVE_YEARS)
    if chain_end > limit:
        raise InvalidValue(
            f"consecutive restrictions of this person would run from {chain_start} to "
            f"{chain_end}, beyond {MAX_CONSECUTIVE_YEARS} years (at most to {limit})", "years")


def add_penalty(db: Database, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and store one restriction; returns the stored record and warnings."""
    prepared = prepare_penalty(db, raw)
    row = prepared.row
    with db.write():
        insert_penalty(db, row)
        record = get_penalty(db, row["no"])
        db.audit("add", "card_penalty", row["no"], None, record)
    return record, prepared.warnings


def insert_penalty(db: Database, row: dict[str, Any], import_id: int | None = None) -> None:
    """Inside `db.write()`: store a validated restriction (`prepare_penalty`) after the
    checks against the person's others, numbered unless it has its number (`tongwei
    merge`)."""
    _check_penalty(db, row)
    assign_numbers(db, "card_penalties", "CJ", [row], "start_date")
    db.conn.execute(
        "INSERT INTO card_penalties (no, name, name_enc, name_bi, id_no, id_no_enc,"
        " id_no_bi, measure, start_date, years, end_date, appeal_by, station, note, note_enc,"
        " created_at, created_by, import_id) VALUES (:no, :name, :name_enc, :name_bi,"
        " :id_no, :id_no_enc, :id_no_bi, :measure, :start_date, :years, :end_date,"
        " :appeal_by, :station, :note, :note_enc, :at, :by, :import_id)",
        {**row, "at": clock.stamp(), "by": db.officer, "import_id": import_id})


def _check_penalty(db: Database, row: Mapping[str, Any]) -> None:
    """What a restriction must not clash with among the person's others (`row["no"]`: a
    stored one being corrected, left out)."""
    if db.one("SELECT 1 FROM card_penalties WHERE id_no_bi = ? AND measure = ? AND"
              " start_date = ? AND voided = 0 AND no IS NOT ?",
              (row["id_no_bi"], row["measure"], row["start_date"], row["no"])):
        raise Conflict("this person already has this measure from that date", "start")
    check_consecutive(db, row)


PENALTY_STORED = (*RESTRICTION.written(), "end_date")


def update_penalty(db: Database, no: str, changes: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], list[str]]:
    """Correct fields of a restriction (`-` clears the station, the note, or an appeal date
    given by hand), checked again as `penalty add` checks it, the five-year rule included;
    before/after audited. A new start or term moves the end date, and the appeal date too
    unless it is given."""
    changes = corrections(changes, "cards penalty add", "NO")
    with db.write():
        current = _penalty_row(db, no)
        correctable(current, "restriction", "NO")
        raw = raw_of(RESTRICTION, personal.opened(db, "card_penalties", current))
        if "start" in changes and "appeal_by" not in changes:
            raw["appeal_by"] = None  # (the default, counted from the new start)
        prepared = prepare_penalty(db, corrected(raw, changes, RESTRICTION.clearable()))
        correct_penalty(db, current, prepared.row)
        return get_penalty(db, current["no"]), prepared.warnings


def correct_penalty(db: Database, current: Mapping[str, Any], row: Mapping[str, Any]
                    ) -> None:
    """Inside `db.write()`: the stored restriction `current` (with its sealed columns) given
    a validated row (`prepare_penalty`), the five-year rule checked again; before/after
    audited. `cards penalty update` and `tongwei merge`."""
    new = {**row, "no": current["no"]}
    _check_penalty(db, new)
    before, after = personal.changes("card_penalties", current, new, PENALTY_STORED)
    if before:
        sets = ", ".join(f"{k} = :{k}" for k in after)
        db.conn.execute(f"UPDATE card_penalties SET {sets}, updated_at = :at,"
                        " updated_by = :by WHERE no = :no",
                        {**after, "at": clock.stamp(), "by": db.officer,
                         "no": current["no"]})
        db.audit("update", "card_penalty", current["no"], before, after)


def _penalty_record(row: Any, today: date) -> dict[str, Any]:
    record = dict(row)
    record["voided"] = bool(record["voided"])
    day = today.isoformat()
    record["active"] = (not record["voided"] and record["start_date"] <= day
                        <= record["end_date"])
    return record


def _penalty_row(db: Database, no: str, columns: str = PENALTY_SEALED) -> dict[str, Any]:
    wanted = validate.text(no)
    row = db.one(f"SELECT {columns} FROM card_penalties WHERE no = ?", (wanted,))
    if row is None:
        raise NotFound(f"no restriction numbered {wanted!r}", "NO")
    return _penalty_record(row, clock.today(db.tz))


def get_penalty(db: Database, no: str) -> dict[str, Any]:
    return _penalty_row(db, no, PENALTY_COLUMNS)


def void_penalty(db: Database, no: str, reason: str) -> dict[str, Any]:
    """Withdraw a restriction entered in error: kept, shown as void, left out of the lists
    and of the five-year rule."""
    reason = validate.required_text(reason, "reason")
    with db.write():
        current = get_penalty(db, no)
        mark_void(db, "card_penalties", "card_penalty", current, reason, what="restriction",
                  field_name="NO")
    return get_penalty(db, current["no"])


def list_penalties(db: Database, *, active: bool = False, station: str | None = None,
                   id_no: str | None = None, voided: bool = False) -> list[dict[str, Any]]:
    """Restrictions, latest start first; `active`: those in force today; `voided`: the
    voided ones instead."""
    today = clock.today(db.tz)
    clause, params = where(
        ("voided = ?", 1 if voided else 0),
        ("? BETWEEN start_date AND end_date", today.isoformat() if active else None),
        ("station = ?", station or None),
        ("id_no_bi = ?", personal.blind_index(
            db, "id", validate.resident_id(id_no, "id-no", db.tz).number) if id_no else None))
    return [_penalty_record(r, today) for r in db.query(
        f"SELECT {PENALTY_COLUMNS} FROM card_penalties WHERE {clause}"
        " ORDER BY start_date DESC, no DESC", params)]


# -- import (`tongwei import cards FILE`) -----------------------------------------



def prepare_import_row(db: Database, raw: Mapping[str, Any]) -> Prepared:
    """`prepare_card_action` for one row of a file: an institution new to the database may
    be registered by an earlier row, so that rule waits for `import_checker`."""
    return prepare_card_action(db, raw, Batch(db, deferred=True))


def find_card_actions(db: Database, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    """Stored actions (voided ones too) with the same content as these keys."""
    if not keys:
        return {}
    wanted = set(keys)
    dates = sorted(k[0] for k in keys)
    found = {}
    for r in db.query(f"{ACTION_SELECT} WHERE a.date BETWEEN ? AND ?", (dates[0], dates[-1])):
        key = content_key(r)
        if key in wanted:
            found[key] = dict(r)
    return found


def import_checker(db: Database):
    """Rules across the new rows of a file, in order: an institution not yet stored is
    registered by its first row, which must give its kind (later rows must agree)."""
    kinds: dict[str, str] = {}

    def check(row: dict[str, Any]) -> None:
        name = row["institution"]
        if not row["new_institution"]:
            return
        given = row["institution_kind"]
        if name not in kinds:
            if given is None:
                raise InvalidValue(f"{name!r} is not registered yet: give its kind (bank, "
                                   "payment, telecom, outlet) on its first row",
                                   "institution-kind")
            kinds[name] = given
        elif given is not None and given != kinds[name]:
            raise InvalidValue(f"{name!r} is registered above as {kinds[name]}, not {given}",
                               "institution-kind")
        row["institution_kind"] = kinds[name]

    return check


def describe_action(row: Mapping[str, Any]) -> str:
    return f"the {row['kind']} of {row['institution']} on {row['date']}"

