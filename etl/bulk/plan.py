"""Planning the events of an imported record: those of a new case, or those
that bring a stored case to what a newer export states.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases.projection import PROJECTED_FIELDS
from etl.bulk.events import CLOSED, HistoryRecord, ImportEvent
from etl.sources.record import SourceRecord

# Fields a plain record always states; the writer compares them with the
# stored case to tell an unchanged row from an update.
ALWAYS_STATED = (
    "status",
    "outcome",
    "service_type_id",
    "department_id",
    "kind",
    "channel",
    "description",
    "address",
    "latitude",
    "longitude",
    "district",
    "created_at",
    "due_at",
    "closed_at",
    "flags",
)
_WITH_FIRST_RESPONSE = (*ALWAYS_STATED, "first_response_at")
_WITH_PARENT = (*ALWAYS_STATED, "parent_id")
_WITH_BOTH = (*ALWAYS_STATED, "first_response_at", "parent_id")
_STATUS_FIELDS = frozenset({"status", "outcome", "parent_id", "closed_at"})


def stated_fields(record: SourceRecord) -> tuple[str, ...]:
    """Case fields whose stored value must match the record for it to be unchanged.

    A plain record states nothing about fields that live work sets (assignee,
    priority, reopen count), and the first response and parent only when it
    gives them; a ``HistoryRecord`` states the whole case.
    """
    if isinstance(record, HistoryRecord):
        return PROJECTED_FIELDS
    if record.first_response_at is not None:
        return _WITH_BOTH if record.parent_external_id else _WITH_FIRST_RESPONSE
    return _WITH_PARENT if record.parent_external_id else ALWAYS_STATED


def plan_update(
    stored: dict[str, Any],
    target: dict[str, Any],
    fields: tuple[str, ...],
    record: SourceRecord,
    now: datetime,
) -> list[ImportEvent]:
    """Build the events that move a stored case towards a newer export's state.

    Status changes become ``closed``, ``reopened`` or ``status_changed`` events;
    every other changed field goes into one ``imported_update`` with before and
    after. Events carry the export's update time (else ``now``), so an update
    dated before the last closure sorts before it and the closure still wins.
    """
    at = record.updated_at or now
    events = _status_events(stored, target, at)
    changed = {
        name: target[name]
        for name in fields
        if name not in _STATUS_FIELDS and stored.get(name) != target[name]
    }
    if _closed_date_changed(stored, target):
        changed["closed_at"] = target["closed_at"]
    if changed:
        events.append(ImportEvent("imported_update", at, changed))
    return events


def _closed_date_changed(stored: dict[str, Any], target: dict[str, Any]) -> bool:
    """Tell whether an open target's closed date (a data-quality problem kept as
    given) needs its own update; a reopening already clears the date."""
    if target["status"] == CLOSED or stored.get("closed_at") == target["closed_at"]:
        return False
    return target["closed_at"] is not None or stored.get("status") != CLOSED


def _status_events(
    stored: dict[str, Any], target: dict[str, Any], at: datetime
) -> list[ImportEvent]:
    status = target["status"]
    was_closed = stored.get("status") == CLOSED
    if status == CLOSED:
        closure = {"status": CLOSED, "outcome": target["outcome"]}
        closure["parent_id"] = target["parent_id"]
        same = (
            was_closed
            and stored.get("closed_at") == target["closed_at"]
            and all(stored.get(k) == v for k, v in closure.items())
        )
        if same:
            return []
        if was_closed and target["closed_at"] < stored["closed_at"]:
            # An earlier closure would sort before the stored one and lose.
            closure["closed_at"] = target["closed_at"]
            return [ImportEvent("imported_update", at, closure)]
        return [ImportEvent("closed", target["closed_at"], closure)]
    if was_closed:
        if stored["closed_at"] is None or at > stored["closed_at"]:
            after = {"status": status, "outcome": None, "parent_id": None}
            return [ImportEvent("reopened", at, after)]
        # A late update dated before the closure: ordered by its time, the
        # closure that follows decides the status.
        return [ImportEvent("status_changed", at, {"status": status})]
    if stored.get("status") != status:
        after: dict[str, Any] = {"status": status}
        if status == "on_hold":
            after["hold_started_at"] = at
        elif stored.get("status") == "on_hold":
            after["hold_started_at"] = None
        return [ImportEvent("status_changed", at, after)]
    return []
