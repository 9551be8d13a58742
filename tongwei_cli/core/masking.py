"""Masking of personal data: names, phone numbers, resident ID numbers.

Every output goes through these unless `--reveal` was given (and audited).
"""

from __future__ import annotations

from tongwei_cli.core.fields import personal_columns

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
    """A copy of `record` with its personal fields masked (unless `reveal`)."""
    if reveal:
        return dict(record)
    out = dict(record)
    for field, kind in PERSONAL_FIELDS.items():
        if field in out and isinstance(out[field], str):
            out[field] = MASKS[kind](out[field])
    return out
