"""The case operations: file, acknowledge, assign, transfer, hold, note, close, ...

Every operation runs in one transaction that appends its event(s) and updates
the case row through ``projection.apply_event``, checks the actor's
permission, the case's status and (when given) the version the caller read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from cases import lifecycle
from cases.city import SLA, CityConfig
from cases.db import transaction
from cases.errors import ConflictError, NotFoundError, ValidationError
from cases.intake import NewCase, validate_description, validate_new_case
from cases.lookup import find_case
from cases.models import Case, CaseEvent, Department, Requester, ServiceType
from cases.numbering import next_case_number
from cases.projection import PROJECTED_FIELDS, apply_event, encode, event_order
from cases.roles import PUBLIC_ACTOR, SYSTEM_ACTOR, Actor
from cases.sla import BusinessCalendar, compute_due_at, extend_for_hold
from cases.views import CaseDetail, PublicCase, public_view, staff_view

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def sla_of(service_type: ServiceType) -> SLA | None:
    if service_type.sla_value is None or service_type.sla_unit is None:
        return None
    return SLA(service_type.sla_value, service_type.sla_unit)


class CaseService:
    """Case operations over a session factory, for one city's calendar."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        city: CityConfig,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.sessions = sessions
        self.city = city
        self.calendar = BusinessCalendar(city)
        self.clock = clock

    # Reading -------------------------------------------------------------

    def show(self, reference: str) -> CaseDetail:
        """Return the staff view of a case by number or alias."""
        with self.sessions() as session:
            return self._detail(session, find_case(session, reference))

    def lookup(self, reference: str) -> PublicCase:
        """Return the public view of a case by number or alias."""
        with self.sessions() as session:
            case = find_case(session, reference)
            return public_view(case, self._events(session, case))

    # Filing --------------------------------------------------------------

    def file(self, new: NewCase, actor: Actor = PUBLIC_ACTOR) -> CaseDetail:
        """Validate and store a new case; return it with its case number."""
        with transaction(self.sessions) as session:
            service_type = self._service_type(session, new.service_type)
            description = validate_new_case(new, service_type, self.city.bounds)
            now = self.clock()
            case = Case(
                case_number=next_case_number(session, self._local_year(now)),
                service_type_id=service_type.id,
                department_id=service_type.department_id,
                created_at=now,
                updated_at=now,
                status=lifecycle.NEW,
                kind=service_type.kind,
                channel=new.channel,
                reopen_count=0,
                flags="",
            )
            session.add(case)
            after = {
                "status": lifecycle.NEW,
                "service_type_id": service_type.id,
                "department_id": service_type.department_id,
                "kind": service_type.kind,
                "channel": new.channel,
                "description": description,
                "description_public": new.description_public,
                "attributes": dict(new.attributes),
                "address": (new.address or "").strip() or None,
                "latitude": new.latitude,
                "longitude": new.longitude,
                "district": new.district,
                "priority": new.priority,
                "created_at": now,
                "due_at": compute_due_at(now, sla_of(service_type), self.calendar),
                "reopen_count": 0,
                "flags": "",
            }
            session.flush()
            self._append(session, case, "created", now, actor, after, before={})
            if new.requester and any(vars(new.requester).values()):
                session.add(
                    Requester(
                        case_id=case.id,
                        name=new.requester.name,
                        email=new.requester.email,
                        phone=new.requester.phone,
                    )
                )
            number = case.case_number
        log.debug("case %s: filed as %s by %s", number, new.service_type, actor.label)
        return self.show(number)

    # Operations on an existing case -------------------------------------

    def acknowledge(
        self,
        reference: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        return self._status_change(
            reference,
            "acknowledge",
            "acknowledged",
            lifecycle.ACKNOWLEDGED,
            actor,
            expected_version,
        )

    def start(
        self,
        reference: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        """Mark a case as being worked on."""
        return self._status_change(
            reference,
            "start",
            "status_changed",
            lifecycle.IN_PROGRESS,
            actor,
            expected_version,
        )

    def hold(
        self,
        reference: str,
        reason: str = "",
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        def body(session: Session, case: Case, now: datetime) -> None:
            after = {"status": lifecycle.ON_HOLD, "hold_started_at": now}
            self._append(
                session, case, "status_changed", now, actor, after, note=reason or None
            )

        return self._operate(reference, "hold", actor, expected_version, body)

    def resume(
        self,
        reference: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        def body(session: Session, case: Case, now: datetime) -> None:
            after: dict[str, Any] = {
                "status": lifecycle.IN_PROGRESS,
                "hold_started_at": None,
            }
            sla = sla_of(case.service_type)
            if (
                case.service_type.pause_on_hold
                and case.due_at
                and case.hold_started_at
                and sla
            ):
                # The type pauses its SLA clock on hold: the due date moves by the
                # time spent on hold, measured in the SLA's own unit.
                after["due_at"] = extend_for_hold(
                    case.due_at, case.hold_started_at, now, sla, self.calendar
                )
            self._append(session, case, "status_changed", now, actor, after)

        return self._operate(reference, "resume", actor, expected_version, body)

    def assign(
        self,
        reference: str,
        assignee: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        assignee = (assignee or "").strip()
        if not assignee:
            raise ValidationError(
                "assignee", "assignee is empty; name the staff member"
            )

        def body(session: Session, case: Case, now: datetime) -> None:
            self._append(session, case, "assigned", now, actor, {"assignee": assignee})

        return self._operate(reference, "assign", actor, expected_version, body)

    def transfer(
        self,
        reference: str,
        department: str,
        reason: str = "",
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        def body(session: Session, case: Case, now: datetime) -> None:
            target = self._department(session, department)
            if target.id == case.department_id:
                raise ValidationError(
                    "department",
                    f"case {case.case_number} is already with department {department}",
                )
            after = {"department_id": target.id, "assignee": None}
            self._append(
                session, case, "transferred", now, actor, after, note=reason or None
            )

        return self._operate(reference, "transfer", actor, expected_version, body)

    def add_note(
        self,
        reference: str,
        text: str,
        public: bool = False,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        text = validate_description(text)
        kind = "public_note" if public else "internal_note"

        def body(session: Session, case: Case, now: datetime) -> None:
            self._append(session, case, kind, now, actor, {}, note=text, public=public)

        return self._operate(reference, "note", actor, expected_version, body)

    def close(
        self,
        reference: str,
        outcome: str,
        note: str = "",
        parent: str | None = None,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        if outcome not in lifecycle.OUTCOMES:
            raise ValidationError(
                "outcome",
                f"outcome {outcome!r} is unknown; "
                f"use one of {list(lifecycle.OUTCOMES)}",
            )
        if outcome == "duplicate" and not parent:
            raise ValidationError(
                "parent", "closing as duplicate needs the parent case number"
            )

        def body(session: Session, case: Case, now: datetime) -> None:
            parent_id = self._parent_for(session, case, parent) if parent else None
            if parent and outcome != "duplicate":
                raise ValidationError(
                    "parent", "a parent case is only given with outcome duplicate"
                )
            after = {
                "status": lifecycle.CLOSED,
                "outcome": outcome,
                "parent_id": parent_id,
            }
            self._append(session, case, "closed", now, actor, after, note=note or None)
            if parent_id is not None:
                self._record_duplicate(session, parent_id, case, now, actor)
            self._close_children(session, case, now)

        return self._operate(reference, "close", actor, expected_version, body)

    def merge(
        self,
        reference: str,
        parent: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        """Close a case as a duplicate of ``parent``."""

        def body(session: Session, case: Case, now: datetime) -> None:
            parent_id = self._parent_for(session, case, parent)
            after = {
                "status": lifecycle.CLOSED,
                "outcome": "duplicate",
                "parent_id": parent_id,
            }
            self._append(session, case, "merged", now, actor, after)
            self._record_duplicate(session, parent_id, case, now, actor)
            self._close_children(session, case, now)

        return self._operate(reference, "merge", actor, expected_version, body)

    def reopen(
        self,
        reference: str,
        reason: str = "",
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        def body(session: Session, case: Case, now: datetime) -> None:
            after = {
                "status": lifecycle.IN_PROGRESS,
                "outcome": None,
                "parent_id": None,
            }
            self._append(
                session, case, "reopened", now, actor, after, note=reason or None
            )

        return self._operate(reference, "reopen", actor, expected_version, body)

    def change_type(
        self,
        reference: str,
        service_type: str,
        actor: Actor = SYSTEM_ACTOR,
        expected_version: int | None = None,
    ) -> CaseDetail:
        """Change a case's service type; the due date is recomputed from creation."""

        def body(session: Session, case: Case, now: datetime) -> None:
            new_type = self._service_type(session, service_type)
            if new_type.id == case.service_type_id:
                raise ValidationError(
                    "service_type",
                    f"case {case.case_number} already has service type {service_type}",
                )
            after = {
                "service_type_id": new_type.id,
                "department_id": new_type.department_id,
                "kind": new_type.kind,
                "due_at": compute_due_at(
                    case.created_at, sla_of(new_type), self.calendar
                ),
            }
            self._append(session, case, "service_type_changed", now, actor, after)

        return self._operate(reference, "change_type", actor, expected_version, body)

    # Internals -----------------------------------------------------------

    def _status_change(
        self,
        reference: str,
        action: str,
        kind: str,
        status: str,
        actor: Actor,
        expected_version: int | None,
    ) -> CaseDetail:
        def body(session: Session, case: Case, now: datetime) -> None:
            self._append(session, case, kind, now, actor, {"status": status})

        return self._operate(reference, action, actor, expected_version, body)

    def _operate(
        self,
        reference: str,
        action: str,
        actor: Actor,
        expected_version: int | None,
        body: Callable[[Session, Case, datetime], None],
    ) -> CaseDetail:
        """Run one operation on a case in its own transaction.

        ``expected_version`` is the version the caller read; a different stored
        version raises ConflictError before anything is written.
        """
        try:
            with transaction(self.sessions) as session:
                case = find_case(session, reference)
                actor.check(action, case.case_number, case.department.code)
                if expected_version is not None and case.version != expected_version:
                    raise ConflictError(
                        f"case {case.case_number}: changed since you read it "
                        f"(version {expected_version}, now {case.version}); "
                        "reload and try again"
                    )
                lifecycle.check_transition(case.case_number, case.status, action)
                body(session, case, self.clock())
                number = case.case_number
        except StaleDataError:
            raise ConflictError(
                f"case {reference}: changed by someone else while saving; "
                "reload and try again"
            ) from None
        log.debug("case %s: %s by %s", number, action, actor.label)
        return self.show(number)

    def _append(
        self,
        session: Session,
        case: Case,
        kind: str,
        at: datetime,
        actor: Actor,
        after: dict[str, Any],
        before: dict[str, Any] | None = None,
        note: str | None = None,
        public: bool = False,
    ) -> None:
        """Append an event and apply it to the case row in the same transaction."""
        if before is None:
            before = {key: getattr(case, key) for key in after}
        state = {field: getattr(case, field) for field in PROJECTED_FIELDS}
        new_state = apply_event(state, kind, at, encode(after))
        session.add(
            CaseEvent(
                case_id=case.id,
                kind=kind,
                at=at,
                recorded_at=self.clock(),
                actor=actor.label,
                data={"before": encode(before), "after": encode(after)},
                note=note,
                public=public,
            )
        )
        for field, value in new_state.items():
            if field in PROJECTED_FIELDS and getattr(case, field) != value:
                setattr(case, field, value)
        case.updated_at = self.clock()

    def _close_children(self, session: Session, parent: Case, now: datetime) -> None:
        """Close the parent's open duplicates with outcome duplicate."""
        children = session.scalars(
            select(Case).where(
                Case.parent_id == parent.id,
                Case.status.in_(lifecycle.OPEN_STATUSES),
            )
        ).all()
        for child in children:
            after = {
                "status": lifecycle.CLOSED,
                "outcome": "duplicate",
                "parent_id": parent.id,
            }
            self._append(
                session,
                child,
                "closed",
                now,
                SYSTEM_ACTOR,
                after,
                note=f"closed with parent case {parent.case_number}",
            )

    def _record_duplicate(
        self,
        session: Session,
        parent_id: int,
        duplicate: Case,
        now: datetime,
        actor: Actor,
    ) -> None:
        """Append an internal event to the parent saying a duplicate was attached.

        The event sets no case field, so replaying it leaves the parent unchanged.
        """
        parent = session.get(Case, parent_id)
        note = f"case {duplicate.case_number} attached as a duplicate"
        self._append(session, parent, "duplicate_attached", now, actor, {}, note=note)

    def _parent_for(self, session: Session, case: Case, reference: str) -> int:
        parent = find_case(session, reference)
        if parent.id == case.id:
            raise ValidationError(
                "parent", f"case {case.case_number} cannot be a duplicate of itself"
            )
        if parent.outcome == "duplicate" or parent.parent_id is not None:
            raise ValidationError(
                "parent",
                f"case {parent.case_number} is itself a duplicate; "
                "use its parent case instead",
            )
        return parent.id

    def _service_type(self, session: Session, code: str) -> ServiceType:
        service_type = session.scalar(
            select(ServiceType).where(ServiceType.code == code)
        )
        if service_type is None or not service_type.active:
            raise ValidationError(
                "service_type",
                f"service type {code!r} is unknown or inactive; "
                "choose a code from the service list (`city311 types`, services.json)",
            )
        return service_type

    def _department(self, session: Session, code: str) -> Department:
        department = session.scalar(select(Department).where(Department.code == code))
        if department is None:
            raise NotFoundError(
                f"department {code!r} not found; check the city configuration"
            )
        return department

    def _events(self, session: Session, case: Case) -> list[CaseEvent]:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id)
        ).all()
        return sorted(events, key=lambda e: event_order(e.kind, e.at, e.id))

    def _detail(self, session: Session, case: Case) -> CaseDetail:
        parent_number = None
        if case.parent_id is not None:
            parent_number = session.get(Case, case.parent_id).case_number
        return staff_view(case, self._events(session, case), parent_number)

    def _local_year(self, at: datetime) -> int:
        return at.astimezone(self.city.timezone).year
