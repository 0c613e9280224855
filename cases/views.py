"""Read models of a case: the staff view with history and the public view.

The public view is built from an explicit list of fields, so a column added to
the case later never reaches the public by default.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from cases.lifecycle import open311_status
from cases.models import Case, CaseEvent
from cases.redaction import public_description


@dataclass(frozen=True)
class EventView:
    kind: str
    at: datetime
    actor: str
    note: str | None
    public: bool
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass(frozen=True)
class PublicNote:
    at: datetime
    text: str


@dataclass(frozen=True)
class PublicCase:
    """The public fields of a case: no requester, internal notes or staff names."""

    case_number: str
    status: str
    open311_status: str
    service_type: str
    service_type_name: str
    department: str
    department_name: str
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    address: str | None
    latitude: float | None
    longitude: float | None
    description: str | None
    notes: list[PublicNote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class CaseDetail:
    """The staff view of a case, with requester details and the whole history."""

    id: int
    case_number: str
    version: int
    status: str
    outcome: str | None
    service_type: str
    service_type_name: str
    department: str
    department_name: str
    kind: str
    channel: str
    priority: str
    description: str
    address: str | None
    latitude: float | None
    longitude: float | None
    district: str | None
    assignee: str | None
    parent_case_number: str | None
    source: str
    external_id: str | None
    created_at: datetime
    first_response_at: datetime | None
    due_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    flags: str
    attributes: dict[str, Any]
    requester_name: str | None
    requester_email: str | None
    requester_phone: str | None
    events: list[EventView]

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def public_view(case: Case, events: list[CaseEvent]) -> PublicCase:
    notes = [
        PublicNote(at=event.at, text=event.note or "")
        for event in events
        if event.public and event.note
    ]
    return PublicCase(
        case_number=case.case_number,
        status=case.status,
        open311_status=open311_status(case.status),
        service_type=case.service_type.code,
        service_type_name=case.service_type.name,
        department=case.department.code,
        department_name=case.department.name,
        created_at=case.created_at,
        due_at=case.due_at,
        closed_at=case.closed_at,
        outcome=case.outcome,
        address=case.address,
        latitude=case.latitude,
        longitude=case.longitude,
        description=public_description(case),
        notes=notes,
    )


def staff_view(
    case: Case, events: list[CaseEvent], parent_number: str | None
) -> CaseDetail:
    requester = case.requester
    return CaseDetail(
        id=case.id,
        case_number=case.case_number,
        version=case.version,
        status=case.status,
        outcome=case.outcome,
        service_type=case.service_type.code,
        service_type_name=case.service_type.name,
        department=case.department.code,
        department_name=case.department.name,
        kind=case.kind,
        channel=case.channel,
        priority=case.priority,
        description=case.description,
        address=case.address,
        latitude=case.latitude,
        longitude=case.longitude,
        district=case.district,
        assignee=case.assignee,
        parent_case_number=parent_number,
        source=case.source,
        external_id=case.external_id,
        created_at=case.created_at,
        first_response_at=case.first_response_at,
        due_at=case.due_at,
        closed_at=case.closed_at,
        reopen_count=case.reopen_count,
        flags=case.flags,
        attributes=dict(case.attributes or {}),
        requester_name=requester.name if requester else None,
        requester_email=requester.email if requester else None,
        requester_phone=requester.phone if requester else None,
        events=[
            EventView(
                kind=event.kind,
                at=event.at,
                actor=event.actor,
                note=event.note,
                public=event.public,
                before=event.data.get("before", {}),
                after=event.data.get("after", {}),
            )
            for event in events
        ],
    )
