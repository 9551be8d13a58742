"""Masking of personal data: names, phone numbers, resident ID numbers.

Every output goes through these unless `--reveal` was given (and audited). Free text (a
case's summary, a follow-up's note) keeps its words but not the phone and ID numbers typed
into it (`mask_free_text`): in the audit log, which cannot be scrubbed, and in a record
`db scrub` finishes with.
"""

from __future__ import annotations

import re
from typing import Any

from tongwei_cli.core.fields import is_sealed, personal_columns

# Stored column -> kind of masking, from the record declarations (`core.fields`).
PERSONAL_FIELDS = personal_columns()


def mask_name(value: str | None) -> str | None:
    if not value:
        return value
    return value[0] + "*" * max(1, len(value) - 1)


def mask_phone(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id(value: str | None) -> str | None:
    if not value:
        return value
    if len(value) < 11:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


MASKS = {"name": mask_name, "phone": mask_phone, "id": mask_id}


def mask_record(record: dict, reveal: bool = False) -> dict:
    """A copy of `record` with its personal fields masked (unless `reveal`). The ciphertext
    and blind index stored beside a personal field are never part of what is shown."""
    out = {k: v for k, v in record.items() if not (isinstance(k, str) and is_sealed(k))}
    if reveal:
        return out
    for field, kind in PERSONAL_FIELDS.items():
        if field in out and isinstance(out[field], str):
            out[field] = MASKS[kind](out[field])
    return out


# -- numbers inside free text ---------------------------------------------------------

# Full-width digits, letters, signs and blanks, one for one as ASCII: the patterns below are
# matched on that copy, and a match's characters masked in the text itself (same places).
_HALF = {**{0xFF10 + i: ord("0") + i for i in range(10)},
         **{0xFF21 + i: ord("A") + i for i in range(26)},
         **{0xFF41 + i: ord("a") + i for i in range(26)},
         0xFF0B: ord("+"), 0xFF0D: ord("-"), 0x2010: ord("-"), 0x2011: ord("-"),
         0x2012: ord("-"), 0x2013: ord("-"), 0x2014: ord("-"), 0x2212: ord("-"),
         0x3000: ord(" "), 0x00A0: ord(" ")}
_WIDE = "[" + "".join(map(chr, _HALF)) + "]"  # (compiled on the first non-ASCII text)
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
# A number stands alone: no ASCII letter or digit touches it on either side, nor a decimal
# point and digits, so longer digit runs (timestamps, card numbers), amounts (`12.50`) and
# keys that start with letters (`YJ2026112800396`, `TW20261129-001`) are left alone; Chinese
# text around it is not a letter here.
_FREE_NUMBER = (  # (compiled when `_MAYBE_NUMBER` first finds a candidate)
    r"(?=[0-9+])(?<![0-9A-Za-z])(?<![0-9]\.)(?:"
    # an 18-character resident ID (also written 6-8-4 with blanks or dashes)
    rf"(?P<id18>[0-9]{{6}}[ -]?(?:18|19|20)[0-9]{{2}}{_MONTH_DAY}[ -]?[0-9]{{3}}[0-9Xx])"
    # a 15-digit one of before 1999 (birth year in two digits)
    rf"|(?P<id15>[0-9]{{8}}{_MONTH_DAY}[0-9]{{3}})"
    # a mainland mobile, 3-4-4 with or without blanks or dashes, maybe after +86 / 0086
    r"|(?P<cc>(?:\+|00)?86[ -]?)?(?P<phone>1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})"
    r")(?![0-9A-Za-z]|\.[0-9])")
# The first look, cheap to compile: every number `_FREE_NUMBER` finds starts where no letter
# or digit touches it, with eleven characters of digits, blanks, dashes or `+` (a mobile has
# 11 digits, an ID 15 or 18). A text without such a start -- a case number, a time, a name
# -- has none, and the full pattern (half a millisecond to compile) is not needed for it.
_MAYBE_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9+][0-9 +-]{10}")
# Of a number's characters (digits, and an ID's X), which are shown: as `mask_phone` and
# `mask_id` show them (`138****5678`, `621121********123X`).
_SHOWN = {"id18": (6, 4), "id15": (6, 4), "phone": (3, 4)}


def _masked(text: str, plain: str, start: int, end: int, kind: str) -> str:
    """`text[start:end]`, a number `kind`, with all but its first and last few characters
    as `*`; blanks and dashes between them (`plain`: `text` as ASCII) are kept."""
    head, tail = _SHOWN[kind]
    part = plain[start:end]
    if " " not in part and "-" not in part:  # the usual: digits only
        return text[start:start + head] + "*" * (end - start - head - tail) + text[end - tail:end]
    places = [i for i in range(start, end) if plain[i] not in " -"]
    hidden = set(places[head:len(places) - tail])
    return "".join("*" if i in hidden else text[i] for i in range(start, end))


def _plain(text: str) -> str:
    """`text` with its full-width digits, letters, signs and blanks as ASCII (same places)."""
    return text if text.isascii() or not re.search(_WIDE, text) else text.translate(_HALF)


def mask_free_text(text: str | None) -> str | None:
    """`text` with every mainland mobile number and resident ID number in it masked as
    `mask_phone` and `mask_id` mask them (`请回电138 1234 5678` -> `请回电138 **** 5678`);
    every other character, case and warning numbers, amounts and dates included, as it was."""
    if not text or len(text) < 11:
        return text
    plain = _plain(text)
    if not _MAYBE_NUMBER.search(plain):
        return text
    pieces: list[str] = []
    done = 0
    for match in re.finditer(_FREE_NUMBER, plain):
        kind = "phone" if match["phone"] else "id18" if match["id18"] else "id15"
        start, end = match.span(kind)  # (a phone's +86 stays as it is)
        pieces += [text[done:start], _masked(text, plain, start, end, kind)]
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def mask_shown(record: dict) -> dict:
    """What any output and the audit log show of `record`: `mask_record`, and every other
    text in it (nested ones included) through `mask_free_text`."""
    out = mask_record(record)
    for key, value in out.items():
        if key not in PERSONAL_FIELDS or not isinstance(value, str):
            out[key] = _free(value)
    return out


# -- a column at a time --------------------------------------------------------------
#
# A list of thousands of records (the dispatch list) is masked a column at a time: the
# same masks as `mask_shown` gives each record, but the look for numbers in free text is
# made once over the whole column (its texts joined by NUL, which no number contains or
# touches: a number found in the joined text is one of a single text, and every number of
# every text is found there), so a column of keys, codes, moments and masked values -- one
# without eleven characters that could be a number -- costs one search, not a call a cell.

_SCALARS = frozenset((str, int, float, bool, type(None)))


def mask_column(key: str, values: list[Any]) -> list[Any] | None:
    """`[mask_shown({key: v})[key] for v in values]` for a column of texts, numbers and
    empty cells -- `values` itself when nothing in it is masked; None for a column of
    anything else (nested records, lists: masked a value at a time). Never called for the
    ciphertext or blind index beside a personal column (never shown)."""
    kinds = set(map(type, values))
    if not kinds <= _SCALARS:
        return None
    if str not in kinds:
        return values
    texts = values if len(kinds) == 1 else [v for v in values if type(v) is str]
    joined = "\0".join(texts)
    kind = PERSONAL_FIELDS.get(key)
    if kind is not None:  # (`mask_record`; every other value as it is)
        if joined.count("\0") == len(texts) - 1 and _MASKED[kind].fullmatch(joined):
            return values  # (as stored: masked already; no NUL in a text to mislead)
        mask = MASKS[kind]
        return [mask(v) if type(v) is str else v for v in values]
    if not _may_hold_number(_plain(joined)):
        return values
    return [mask_free_text(v) if type(v) is str else v for v in values]


# A column of texts (joined by NUL) that its mask leaves as they are -- each one masked
# already, as a personal column is stored: one scan of the column instead of a call a cell.
# (The mask of a value: its first characters and last four kept, every one between a `*`;
# a value too short for that, all `*`; an empty one, empty.)
_KEEPS = {"name": r"[^\0]\*+|", "phone": r"[^\0]{3}\*+[^\0]{4}|\**",
          "id": r"[^\0]{6}\*+[^\0]{4}|\**"}
_MASKED = {kind: re.compile(f"(?:{one})(?:\0(?:{one}))*") for kind, one in _KEEPS.items()}

_RUN = b"1" * 11
_runs: list[bytes] = []  # (the byte table: made on first use)


def _may_hold_number(plain: str) -> bool:
    """`_MAYBE_NUMBER.search(plain)`, for a long text: first a byte scan for the eleven
    characters in a row (digits, blanks, `+`, `-`) that every such number is made of, which
    a column of keys, codes, moments and masked values never has (`2026-11-28T09`, a
    masked `138****5678`)."""
    if not _runs:
        _runs.append(bytes(0x31 if chr(i) in "0123456789 +-" else 0x30 for i in range(256)))
    if _RUN not in plain.encode("utf-8", "surrogatepass").translate(_runs[0]):
        return False
    return _MAYBE_NUMBER.search(plain) is not None


def _free(value: Any) -> Any:
    if isinstance(value, str):
        return mask_free_text(value)
    if isinstance(value, dict):
        return {k: _free(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_free(v) for v in value]
    return value
