"""The events an imported record stands for, and their replay into case fields.

A plain ``SourceRecord`` only states a case's current fields and a few times
(creation, first response, closure); ``derive_events`` turns those into the
events that lead there. A ``HistoryRecord`` brings its own events after
creation (holds, transfers, reopenings), which the demo city uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cases.projection import CLOSING_KINDS, FIRST_RESPONSE_KINDS, PROJECTED_FIELDS
from etl.sources.record import SourceRecord

CLOSED = "closed"
OPEN_STATUSES_AFTER_ACK = frozenset({"in_progress", "on_hold"})


@dataclass(frozen=True)
class ImportEvent:
    """One event to append to a case: kind, time and the fields it sets.

    ``after`` contains native values (datetimes, ids); they are encoded for
    storage by the writer. ``note`` is internal unless ``public``.
    """

    kind: str
    at: datetime
    after: dict[str, Any]
    note: str | None = None
    public: bool = False
    actor: str | None = None


@dataclass
class HistoryRecord(SourceRecord):
    """A source record with an explicit event list after creation.

    The writer stores the ``created`` event built from the record's own fields,
    then ``events`` as given; the case's status, closure and first response
    follow from replaying them, so ``status``, ``closed_at`` and
    ``first_response_at`` on the record are ignored. ``parent_id`` in an
    event's ``after`` may be given as ``("external_id", "<id>")`` to name a
    parent of the same source.
    """

    events: list[ImportEvent] = field(default_factory=list)
    priority: str = "normal"
    description_public: bool = False


def created_after(
    record: SourceRecord,
    service_type_id: int,
    department_id: int,
    flags: str,
    parent_id: int | None,
) -> dict[str, Any]:
    """Fields the ``created`` event sets; fields left out replay as null."""
    after: dict[str, Any] = {
        "status": "new",
        "service_type_id": service_type_id,
        "department_id": department_id,
        "kind": record.kind,
        "channel": record.channel,
        "description": record.description,
        "description_public": getattr(record, "description_public", False),
        "attributes": {},
        "priority": getattr(record, "priority", "normal"),
        "created_at": record.created_at,
        "reopen_count": 0,
        "flags": flags,
    }
    for name in ("address", "latitude", "longitude", "district", "due_at"):
        value = getattr(record, name)
        if value is not None:
            after[name] = value
    if parent_id is not None:
        after["parent_id"] = parent_id
    if record.status != CLOSED and record.closed_at is not None:
        # Open with a closed date: a data-quality problem kept as given.
        after["closed_at"] = record.closed_at
    return after


def closing_time(record: SourceRecord) -> datetime:
    """When a closed record closed; a closed record without a date uses its
    last update, else its creation (the parser flags the mismatch)."""
    return record.closed_at or record.updated_at or record.created_at


def derive_events(
    record: SourceRecord, created: dict[str, Any], parent_id: int | None
) -> list[ImportEvent]:
    """Build the events a plain record stands for, ``created`` first.

    The acknowledgement sets the status only when it precedes the closure, so
    replaying the events always ends in the record's own status.
    """
    events = [ImportEvent("created", record.created_at, created)]
    status = record.status
    first_response = record.first_response_at
    closed_at = closing_time(record) if status == CLOSED else None
    if first_response is not None:
        after: dict[str, Any] = {"first_response_at": first_response}
        if status != "new" and (closed_at is None or first_response <= closed_at):
            after["status"] = "acknowledged"
        events.append(ImportEvent("acknowledged", first_response, after))
    if status in OPEN_STATUSES_AFTER_ACK:
        at = max(
            t
            for t in (record.created_at, first_response, record.updated_at)
            if t is not None
        )
        after = {"status": status}
        if status == "on_hold":
            after["hold_started_at"] = at
        events.append(ImportEvent("status_changed", at, after))
    elif status == "acknowledged" and first_response is None:
        at = record.updated_at or record.created_at
        events.append(ImportEvent("acknowledged", at, {"status": "acknowledged"}))
    if closed_at is not None:
        after = {"status": CLOSED, "outcome": record.outcome, "parent_id": parent_id}
        note = record.resolution_notes or None
        events.append(ImportEvent("closed", closed_at, after, note=note))
    return events


def replay(events: list[ImportEvent]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Replay events with native values; return the case fields and each
    event's ``before`` (the fields it set, as they were), in input order.

    Same rules as ``cases.projection.rebuild`` (input position breaks ties of
    time) without the JSON decoding, so the bulk path can afford it per row;
    a test checks that both agree.
    """
    if len(events) == 1:
        order: list[int] | range = range(1)
    else:
        order = sorted(
            range(len(events)),
            key=lambda i: (0 if events[i].kind == "created" else 1, events[i].at, i),
        )
    # Every projected field starts as null, so the final state is the row
    # itself unless an event set a field outside PROJECTED_FIELDS.
    state: dict[str, Any] = dict(_INITIAL_STATE)
    befores: list[dict[str, Any]] = [{} for _ in events]
    for index in order:
        event = events[index]
        kind, at, after = event.kind, event.at, event.after
        if kind != "created":
            befores[index] = {name: state.get(name) for name in after}
        previous_reopens = state["reopen_count"]
        state.update(after)
        if kind in FIRST_RESPONSE_KINDS and state["first_response_at"] is None:
            state["first_response_at"] = at
        if kind in CLOSING_KINDS:
            state["closed_at"] = at
            state["hold_started_at"] = None
        if kind == "reopened":
            state["closed_at"] = None
            state["reopen_count"] = previous_reopens + 1
    if len(state) == len(_INITIAL_STATE):
        return state, befores
    return {name: state[name] for name in PROJECTED_FIELDS}, befores


_INITIAL_STATE: dict[str, Any] = {**dict.fromkeys(PROJECTED_FIELDS), "reopen_count": 0}
