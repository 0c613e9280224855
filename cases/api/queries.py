"""Database reads behind the Open311 endpoints."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from cases.api.params import RequestFilter
from cases.lifecycle import CLOSED
from cases.models import Case, CaseEvent, ServiceType
from cases.projection import event_order


def active_service_types(session: Session) -> list[ServiceType]:
    return list(
        session.scalars(
            select(ServiceType).where(ServiceType.active).order_by(ServiceType.code)
        )
    )


def _filtered(query: Select, where: RequestFilter) -> Select:
    if where.ids:
        # A list of ids overrides every other filter.
        return query.where(Case.case_number.in_(where.ids))
    if where.service_codes:
        query = query.where(ServiceType.code.in_(where.service_codes))
    if where.statuses == ("closed",):
        query = query.where(Case.status == CLOSED)
    elif where.statuses == ("open",):
        query = query.where(Case.status != CLOSED)
    if where.start is not None:
        query = query.where(Case.created_at >= where.start)
    if where.end is not None:
        query = query.where(Case.created_at <= where.end)
    if where.updated_after is not None:
        query = query.where(Case.updated_at >= where.updated_after)
    if where.updated_before is not None:
        query = query.where(Case.updated_at <= where.updated_before)
    return query


def list_requests(session: Session, where: RequestFilter) -> list[Case]:
    """Return one page of cases, newest request first."""
    query = select(Case).join(ServiceType, Case.service_type_id == ServiceType.id)
    query = _filtered(query, where).order_by(Case.created_at.desc(), Case.id.desc())
    query = query.limit(where.page_size).offset((where.page - 1) * where.page_size)
    return list(session.scalars(query).unique())


def events_by_case(session: Session, case_ids: list[int]) -> dict[int, list[CaseEvent]]:
    grouped: dict[int, list[CaseEvent]] = defaultdict(list)
    if not case_ids:
        return grouped
    for event in session.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_(case_ids))
    ):
        grouped[event.case_id].append(event)
    for events in grouped.values():
        events.sort(key=lambda e: event_order(e.kind, e.at, e.id))
    return grouped


def parent_numbers(session: Session, cases: list[Case]) -> dict[int, str]:
    """Map each duplicate's id to its parent's case number."""
    parent = aliased(Case)
    child_ids = [case.id for case in cases if case.parent_id is not None]
    if not child_ids:
        return {}
    rows = session.execute(
        select(Case.id, parent.case_number)
        .join(parent, parent.id == Case.parent_id)
        .where(Case.id.in_(child_ids))
    )
    return {case_id: number for case_id, number in rows}
