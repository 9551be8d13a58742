"""What `tongwei export parquet` exports: one dataset per kind of record, read a chunk at a
time, with the county's name on every row and no personal value in the clear.

Each dataset is declared once (`DATASETS`): the SQL that reads it (kept as data), the
column it is partitioned and filtered by, and its columns with their type and meaning --
the README's schema tables say the same, and a test holds them together.

Personal data: the masked forms, as stored (`138****5678`), and for a phone or an ID number
a pseudonym -- HMAC-SHA256 under the database key's `pseudonym` subkey of the stored blind
index (`<column>_bi`, 8 bytes, big-endian), its first 16 hex digits. The same person has
the same pseudonym in every record of one file (a warehouse counts repeat victims without
a name), nothing is decrypted, and neither the ciphertext (`_enc`) nor the blind index
(`_bi`) leaves the file. Free text (a case's summary, notes, reasons) is not exported: it
may name people.

No column is named `kind` or `year`: those are the partitions' names (a reader that
takes the folder names as columns would hide a column of the same name).

Times: UTC instants as timestamps (milliseconds, UTC), and beside each the local date in
the county's zone (TONGWEI_TZ), which is what the figures' periods count in. Money:
integer fen. Nothing here prints or writes a file (render/parquet.py writes).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from tongwei_cli.core import clock
from tongwei_cli.storage.db import Database

if TYPE_CHECKING:
    import pandas as pd

CHUNK_ROWS = 50_000  # rows read, converted and written at a time: memory stays flat


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # string, bool, int32, int64, date, timestamp
    meaning: str


@dataclass(frozen=True)
class Dataset:
    kind: str  # the folder: kind=<kind>/year=<year>
    sql: str  # :first/:last (local dates) or :start/:end (UTC seconds); NULL: no bound
    by: str  # the column (a local date) the period and the year partition go by
    columns: tuple[Column, ...]


def _c(name: str, type_: str, meaning: str) -> Column:
    return Column(name, type_, meaning)


COUNTY = _c("county", "string", "the county's name (TONGWEI_COUNTY, default 通渭县)")

DATASETS: dict[str, Dataset] = {d.kind: d for d in (
    Dataset("cases", """
        SELECT c.no, c.reported, c.occurred, c.type, c.station, c.loss_fen,
               c.victim_name, c.victim_phone, tw_pseudonym(c.victim_phone_bi) AS
               victim_phone_pseudonym, c.victim_id, tw_pseudonym(c.victim_id_bi) AS
               victim_id_pseudonym, c.victim_gender, c.victim_age, c.victim_group, c.warning,
               c.status, c.voided
        FROM cases c
        WHERE (:first IS NULL OR c.reported >= :first) AND (:last IS NULL OR c.reported <= :last)
        ORDER BY c.id
    """, "reported", (
        COUNTY,
        _c("no", "string", "case number (unique in the county)"),
        _c("reported", "date", "day reported (local)"),
        _c("occurred", "date", "day it happened (local), if known"),
        _c("type", "string", "fraud type code (`tongwei ref types`)"),
        _c("station", "string", "police station code (`tongwei ref stations`)"),
        _c("loss_fen", "int64", "loss, in fen (1 yuan = 100 fen)"),
        _c("victim_name", "string", "victim's name, masked (张*)"),
        _c("victim_phone", "string", "victim's phone, masked (138****5678)"),
        _c("victim_phone_pseudonym", "string", "pseudonym of the victim's phone (16 hex)"),
        _c("victim_id", "string", "victim's ID number, masked"),
        _c("victim_id_pseudonym", "string", "pseudonym of the victim's ID number (16 hex)"),
        _c("victim_gender", "string", "M or F"),
        _c("victim_age", "int32", "victim's age"),
        _c("victim_group", "string", "victim's group (audience code)"),
        _c("warning", "string", "number of the warning the victim had received, if any"),
        _c("status", "string", "reported, filed, solved or closed"),
        _c("voided", "bool", "withdrawn: counts in no figure"),
    )),
    Dataset("case_events", """
        SELECT c.no AS case_no, e.kind AS event, e.date, e.count AS event_count, e.amount_fen,
               c.station AS case_station, c.type AS case_type, c.voided AS case_voided
        FROM case_events e JOIN cases c ON c.id = e.case_id
        WHERE (:first IS NULL OR e.date >= :first) AND (:last IS NULL OR e.date <= :last)
        ORDER BY e.id
    """, "date", (
        COUNTY,
        _c("case_no", "string", "the case's number"),
        _c("event", "string", "filed, solved, arrest, prosecute, recover, freeze, "
                              "stop-payment or close"),
        _c("date", "date", "day of the event (local)"),
        _c("event_count", "int64", "people arrested or referred for prosecution"),
        _c("amount_fen", "int64", "money recovered, frozen or stopped, in fen"),
        _c("case_station", "string", "the case's station code"),
        _c("case_type", "string", "the case's fraud type code"),
        _c("case_voided", "bool", "the case is withdrawn: the event counts in no figure"),
    )),
    Dataset("warnings", """
        SELECT w.no, w.received_at, w.level, w.deadline_hours, w.deadline_at, w.station,
               w.kind AS warning_kind, w.type, w.source, w.phone, tw_pseudonym(w.phone_bi) AS
               phone_pseudonym, w.name, w.id_no, tw_pseudonym(w.id_no_bi) AS id_no_pseudonym,
               w.feedback_at, w.visited_at, w.defrauded_at, w.outcome,
               coalesce(w.outcome_at, w.feedback_at) AS outcome_at, w.linked_on
        FROM warnings w
        WHERE (:start IS NULL OR w.received_at >= :start) AND (:end IS NULL OR w.received_at < :end)
        ORDER BY w.id
    """, "received_date", (
        COUNTY,
        _c("no", "string", "warning number (the platform's)"),
        _c("received_at", "timestamp", "when it was received (UTC)"),
        _c("received_date", "date", "day received (local)"),
        _c("level", "string", "high, medium or low"),
        _c("deadline_hours", "int32", "hours to feed back, as set for the level at receipt"),
        _c("deadline_at", "timestamp", "feedback deadline (UTC)"),
        _c("deadline_date", "date", "day of the deadline (local)"),
        _c("station", "string", "police station code"),
        _c("warning_kind", "string", "money or contact"),
        _c("type", "string", "fraud type code, if known"),
        _c("source", "string", "where the warning came from"),
        _c("phone", "string", "warned person's phone, masked"),
        _c("phone_pseudonym", "string", "pseudonym of the phone (16 hex)"),
        _c("name", "string", "warned person's name, masked"),
        _c("id_no", "string", "warned person's ID number, masked"),
        _c("id_no_pseudonym", "string", "pseudonym of the ID number (16 hex)"),
        _c("feedback_at", "timestamp", "the feedback: first follow-up not in progress (UTC)"),
        _c("feedback_date", "date", "day of the feedback (local)"),
        _c("visited_at", "timestamp", "first face-to-face visit (UTC)"),
        _c("visited_date", "date", "day of the first visit (local)"),
        _c("defrauded_at", "timestamp", "first follow-up saying defrauded (UTC)"),
        _c("defrauded_date", "date", "day of that follow-up (local)"),
        _c("outcome", "string", "outcome of the latest feedback, at export"),
        _c("outcome_at", "timestamp", "time of the latest feedback (UTC)"),
        _c("linked_on", "date", "earliest report day of a case (not voided) naming the "
                                "warning: defrauded after the warning"),
    )),
    Dataset("followups", """
        SELECT f.id AS entry, w.no AS warning_no, f.at, f.method, f.outcome, c.no AS case_no
        FROM followups f JOIN warnings w ON w.id = f.warning_id
        LEFT JOIN cases c ON c.id = f.case_id
        WHERE (:start IS NULL OR f.at >= :start) AND (:end IS NULL OR f.at < :end)
        ORDER BY f.id
    """, "at_date", (
        COUNTY,
        _c("warning_no", "string", "the warning's number"),
        _c("at", "timestamp", "when (UTC)"),
        _c("at_date", "date", "day (local)"),
        _c("method", "string", "phone, visit, sms or other"),
        _c("outcome", "string", "dissuaded, defrauded, not-fraud, unreachable or in-progress"),
        _c("case_no", "string", "the case it led to, if any"),
        _c("entry", "int64", "order of entry in the county's file (breaks ties of `at`)"),
    )),
    Dataset("outreach", """
        SELECT o.no, o.ref, o.date, o.station, o.audience, o.form, o.venue, o.venue_kind,
               o.attendees, o.materials, o.posters, o.videos, o.app_installs,
               o.notices_signed, o.voided
        FROM outreach o
        WHERE (:first IS NULL OR o.date >= :first) AND (:last IS NULL OR o.date <= :last)
        ORDER BY o.id
    """, "date", (
        COUNTY,
        _c("no", "string", "session number"),
        _c("ref", "string", "the centre's own reference, if any"),
        _c("date", "date", "day (local)"),
        _c("station", "string", "police station code"),
        _c("audience", "string", "audience code"),
        _c("form", "string", "form code"),
        _c("venue", "string", "the venue's name"),
        _c("venue_kind", "string", "venue kind code"),
        _c("attendees", "int64", "people reached"),
        _c("materials", "int64", "leaflets and materials handed out"),
        _c("posters", "int64", "posters put up"),
        _c("videos", "int64", "videos shown"),
        _c("app_installs", "int64", "anti-fraud app installs"),
        _c("notices_signed", "int64", "notices signed"),
        _c("voided", "bool", "withdrawn: counts in no figure"),
    )),
    Dataset("card_actions", """
        SELECT a.no, a.date, i.name AS institution, i.kind AS institution_kind,
               a.kind AS action,
               a.station, a.amount_fen, a.deadline, r.no AS closed_by, a.closed_on, a.voided
        FROM card_actions a JOIN institutions i ON i.id = a.institution_id
        LEFT JOIN card_actions r ON r.id = a.closed_by
        WHERE (:first IS NULL OR a.date >= :first) AND (:last IS NULL OR a.date <= :last)
        ORDER BY a.id
    """, "date", (
        COUNTY,
        _c("no", "string", "action number"),
        _c("date", "date", "day (local)"),
        _c("institution", "string", "the bank branch, payment firm or outlet"),
        _c("institution_kind", "string", "bank, payment, telecom or outlet"),
        _c("action", "string", "inspection, interview, notice, fine, rectify or recheck"),
        _c("station", "string", "police station code"),
        _c("amount_fen", "int64", "a fine's amount, in fen"),
        _c("deadline", "date", "a rectification's deadline"),
        _c("closed_by", "string", "number of the recheck that closed a rectification"),
        _c("closed_on", "date", "day of that recheck"),
        _c("voided", "bool", "withdrawn: counts in no figure"),
    )),
    Dataset("restrictions", """
        SELECT p.no, p.name, p.id_no, tw_pseudonym(p.id_no_bi) AS id_no_pseudonym, p.measure,
               p.start_date, p.years, p.end_date, p.appeal_by, p.station, p.voided
        FROM card_penalties p
        WHERE (:first IS NULL OR p.start_date >= :first)
          AND (:last IS NULL OR p.start_date <= :last)
        ORDER BY p.id
    """, "start_date", (
        COUNTY,
        _c("no", "string", "restriction number"),
        _c("name", "string", "the person's name, masked"),
        _c("id_no", "string", "the person's ID number, masked"),
        _c("id_no_pseudonym", "string", "pseudonym of the ID number (16 hex)"),
        _c("measure", "string", "the measure taken"),
        _c("start_date", "date", "first day (local)"),
        _c("years", "int32", "2 or 3"),
        _c("end_date", "date", "last day"),
        _c("appeal_by", "date", "last day to appeal"),
        _c("station", "string", "police station code"),
        _c("voided", "bool", "withdrawn"),
    )),
)}

# Instants stored as UTC seconds (warnings, follow-ups), and the local days beside them:
# local day column -> its instant.
INSTANTS = {"received_at", "deadline_at", "feedback_at", "visited_at", "defrauded_at",
            "outcome_at", "at"}
LOCAL_DAYS = {"received_date": "received_at", "deadline_date": "deadline_at",
              "feedback_date": "feedback_at", "visited_date": "visited_at",
              "defrauded_date": "defrauded_at", "at_date": "at"}


def pseudonym_of(key: bytes):  # -> Callable[[int | None], str | None]
    """The pseudonym of a blind index: HMAC-SHA256(key, index as 8 bytes), 16 hex digits."""
    def pseudonym(index: int | None) -> str | None:
        if index is None:
            return None
        return hmac.new(key, index.to_bytes(8, "big", signed=True),
                        hashlib.sha256).hexdigest()[:16]
    return pseudonym


def _params(db: Database, first: date | None, last: date | None) -> dict[str, Any]:
    start = end = None
    if first is not None:
        start = clock.day_seconds(first, first, db.tz)[0]
    if last is not None:
        end = clock.day_seconds(last, last, db.tz)[1]
    return {"first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None, "start": start, "end": end}


def frames(db: Database, kind: str, first: date | None = None, last: date | None = None,
           county: str | None = None, rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The records of one dataset, `rows` at a time, as pandas frames with the dataset's
    columns (instants as UTC datetimes, local dates as naive midnights, in the declared
    order) and a `year` column to partition by. Read inside the caller's `db.read()`."""
    import pandas as pd

    from tongwei_cli.storage import keys

    dataset = DATASETS[kind]
    db.conn.create_function("tw_pseudonym", 1,
                            pseudonym_of(keys.current(db).subkey("pseudonym")),
                            deterministic=True)
    names = [c.name for c in dataset.columns]
    county = county or db.settings.county
    for frame in pd.read_sql_query(dataset.sql, db.conn, params=_params(db, first, last),
                                   chunksize=rows, dtype_backend="pyarrow"):
        out = {}
        for column in dataset.columns:
            name = column.name
            if name == "county":
                out[name] = pd.Series(county, index=frame.index, dtype="string[pyarrow]")
            elif name in INSTANTS:
                out[name] = pd.to_datetime(frame[name].astype("int64[pyarrow]"), unit="s",
                                           utc=True)
            elif name in LOCAL_DAYS:
                out[name] = _local_day(out[LOCAL_DAYS[name]], db.tz)
            elif column.type == "date":
                out[name] = pd.to_datetime(frame[name].astype("string[pyarrow]"),
                                           format="%Y-%m-%d")
            else:
                out[name] = frame[name]
        result = pd.DataFrame(out, columns=names)
        result["year"] = result[dataset.by].dt.year.astype("int32")
        yield result


def _local_day(moments: pd.Series, tz: Any) -> pd.Series:
    """UTC datetimes as the local day they fall on (a naive midnight)."""
    return moments.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


# -- the same figures from another engine ---------------------------------------------------

def warehouse_dir() -> Any:
    """The shipped SQL: `tongwei_cli/data/warehouse/` (figures.sql, views.duckdb.sql,
    views.spark.sql)."""
    from tongwei_cli.core.settings import data_dir

    return data_dir() / "warehouse"


def figures_sql(engine: str, folder: str, first: date, last: date) -> str:
    """The views of `engine` ("duckdb" or "spark") over `folder` (a county's export folder
    or a glob of several) and figures.sql for the days [first, last], with the ${…}
    parameters filled in: one script, whose last statement gives the figures."""
    if engine not in ("duckdb", "spark"):
        raise ValueError(f"not an engine: {engine!r}")
    values = {"folder": str(folder).replace("'", "''"), "from": date.isoformat(first),
              "to": date.isoformat(last)}
    text = (warehouse_dir() / f"views.{engine}.sql").read_text("utf-8") + "\n" + \
        (warehouse_dir() / "figures.sql").read_text("utf-8")
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text
