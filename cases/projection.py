"""The case row as a projection of its events.

Live operations and importers both change a case by appending events and
applying them with ``apply_event``; ``rebuild`` replays a case's events from
scratch, which is how tests prove the stored row matches its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

# Case fields that events set; everything else on the row is identity or bookkeeping.
PROJECTED_FIELDS = (
    "status",
    "outcome",
    "parent_id",
    "department_id",
    "service_type_id",
    "kind",
    "channel",
    "description",
    "description_public",
    "attributes",
    "address",
    "latitude",
    "longitude",
    "district",
    "priority",
    "assignee",
    "created_at",
    "first_response_at",
    "due_at",
    "closed_at",
    "hold_started_at",
    "reopen_count",
    "flags",
)
DATETIME_FIELDS = frozenset(
    {"created_at", "first_response_at", "due_at", "closed_at", "hold_started_at"}
)

# Event kinds that count as the city's first response to a case.
FIRST_RESPONSE_KINDS = frozenset(
    {"acknowledged", "assigned", "public_note", "closed", "merged"}
)
CLOSING_KINDS = frozenset({"closed", "merged"})


def encode(values: dict[str, Any]) -> dict[str, Any]:
    """Make field values JSON-safe: datetimes become ISO 8601 text with offset."""
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in values.items()
    }


def decode(values: dict[str, Any]) -> dict[str, Any]:
    """Invert ``encode`` for the datetime fields."""
    decoded = dict(values)
    for key in DATETIME_FIELDS & decoded.keys():
        if decoded[key] is not None:
            decoded[key] = datetime.fromisoformat(decoded[key])
    return decoded


def apply_event(
    state: dict[str, Any], kind: str, at: datetime, after: dict[str, Any]
) -> dict[str, Any]:
    """Return the case fields after one event.

    ``after`` carries the fields the event set explicitly. Three fields are
    derived from the event's kind and time so that replaying events in time
    order gives the right answer even when an imported event arrives late:
    ``first_response_at`` (the first acknowledgement, assignment, public note or
    closure), ``closed_at`` (the time of the latest closure, cleared by a
    reopen) and ``reopen_count``.
    """
    new = dict(state)
    new.update(decode(after))
    if kind in FIRST_RESPONSE_KINDS and new.get("first_response_at") is None:
        new["first_response_at"] = at
    if kind in CLOSING_KINDS:
        new["closed_at"] = at
        new["hold_started_at"] = None
    if kind == "reopened":
        new["closed_at"] = None
        new["reopen_count"] = state.get("reopen_count", 0) + 1
    return new


def event_order(kind: str, at: datetime, event_id: int) -> tuple[int, datetime, int]:
    """Sort key for replay: creation first, then time, then insertion order.

    Creation sorts first even when a source dates a closure before the creation
    (a flagged data-quality problem), so such a case still ends closed.
    """
    return (0 if kind == "created" else 1, at, event_id)


def rebuild(
    events: Iterable[tuple[int, str, datetime, dict[str, Any]]],
) -> dict[str, Any]:
    """Replay ``(id, kind, at, data)`` events into the projected case fields."""
    ordered = sorted(events, key=lambda e: event_order(e[1], e[2], e[0]))
    state: dict[str, Any] = {"reopen_count": 0}
    for _event_id, kind, at, data in ordered:
        state = apply_event(state, kind, at, data.get("after", {}))
    return {field: state.get(field) for field in PROJECTED_FIELDS}
