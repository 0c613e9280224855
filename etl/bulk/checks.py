"""Checks that an imported record fits the case store before it is written.

A record that fails is rejected with the reason, never truncated or guessed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cases.lifecycle import CHANNELS, KINDS, OUTCOMES, STATUSES
from cases.quality import FUTURE_DATE, join_flags
from etl.sources.record import SourceRecord

# Column widths of the case store (cases.models); PostgreSQL enforces them.
MAX_LENGTHS = (
    ("external_id", 120),
    ("service_code", 96),
    ("department_code", 64),
    ("address", 300),
    ("district", 200),
)
DATETIME_FIELDS = (
    "created_at",
    "closed_at",
    "updated_at",
    "due_at",
    "first_response_at",
)
# A creation or closing time later than the import time plus this is flagged
# future_date. The day covers a source clock that runs ahead and a local time
# exported with the wrong UTC offset (offsets span -12 to +14 hours), so only
# times that cannot be a skewed "now" are flagged.
FUTURE_TOLERANCE = timedelta(days=1)
FUTURE_FIELDS = ("created_at", "closed_at")
_STATUSES = frozenset(STATUSES)
_OUTCOMES = frozenset(OUTCOMES)
_CHANNELS = frozenset(CHANNELS)
_KINDS = frozenset(KINDS)


class RecordError(ValueError):
    """A record that cannot be stored; the message is the reject reason."""


def check_record(record: SourceRecord, future_limit: datetime | None = None) -> str:
    """Raise RecordError naming the first problem; return the stored flag string.

    A creation or closing time later than ``future_limit`` adds the
    future_date flag, and the time is stored as given.
    """
    if not record.external_id:
        raise RecordError("external id is empty")
    if not record.service_code:
        raise RecordError("service code is empty")
    if record.status not in _STATUSES:
        raise RecordError(f"status {record.status!r} is not one of {list(STATUSES)}")
    if record.outcome is not None and record.outcome not in _OUTCOMES:
        raise RecordError(f"outcome {record.outcome!r} is not one of {list(OUTCOMES)}")
    if record.channel not in _CHANNELS:
        raise RecordError(f"channel {record.channel!r} is not one of {list(CHANNELS)}")
    if record.kind not in _KINDS:
        raise RecordError(f"kind {record.kind!r} is not one of {list(KINDS)}")
    for name, limit in MAX_LENGTHS:
        value = getattr(record, name)
        if value is not None and len(value) > limit:
            raise RecordError(f"{name} has {len(value)} characters, more than {limit}")
    for name in DATETIME_FIELDS:
        value = getattr(record, name)
        if value is None or value.tzinfo is UTC:
            continue
        if value.utcoffset() is None:
            raise RecordError(f"{name} {value.isoformat()} has no time zone")
    flags = set(record.flags or ())
    if future_limit is not None and is_future(record, future_limit):
        flags.add(FUTURE_DATE)
    try:
        return join_flags(flags) if flags else ""
    except ValueError as error:
        raise RecordError(str(error)) from None


def is_future(record: SourceRecord, limit: datetime) -> bool:
    """Tell whether the record's creation or closing time is later than ``limit``."""
    for name in FUTURE_FIELDS:
        value = getattr(record, name)
        if value is not None and value > limit:
            return True
    return False
