"""A department's work queue: its open cases, overdue first, then by due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lifecycle import OPEN_STATUSES
from cases.models import Case, Department

# TODO: page the queue; the page shows only the first 500 open cases.
MAX_ROWS = 500


@dataclass(frozen=True)
class QueueRow:
    case_number: str
    status: str
    service_type_name: str
    address: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool


def open_queue(session: Session, department: str, now: datetime) -> list[QueueRow]:
    """List a department's open cases: overdue ones first, then by due date.

    Cases without a due date come last; duplicates waiting for their parent are
    left out, because closing the parent closes them.
    """
    overdue = sql_case((Case.due_at < now, 0), else_=1)
    no_due_date = sql_case((Case.due_at.is_(None), 1), else_=0)
    query = (
        select(Case)
        .join(Department, Case.department_id == Department.id)
        .where(Department.code == department, Case.status.in_(OPEN_STATUSES))
        .where(Case.parent_id.is_(None))
        .order_by(overdue, no_due_date, Case.due_at, Case.created_at, Case.id)
        .limit(MAX_ROWS)
    )
    return [
        QueueRow(
            case.case_number,
            case.status,
            case.service_type.name,
            case.address,
            case.assignee,
            case.created_at,
            case.due_at,
            case.due_at is not None and case.due_at < now,
        )
        for case in session.scalars(query)
    ]
