"""A department's work queue: its open cases, overdue first, then by due date."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from cases.lifecycle import OPEN_STATUSES
from cases.models import Case, Department

PAGE_SIZE = 50


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


@dataclass(frozen=True)
class QueuePage:
    """One page of a work queue: its rows, its 1-based number and the queue's size."""

    rows: list[QueueRow]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages, at least 1 so that an empty queue has a page."""
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def first(self) -> int:
        """1-based position of the page's first row in the queue (0 when empty)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """1-based position of the page's last row in the queue (0 when empty)."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def _queue_cases(department: str) -> Select:
    """Select a department's open cases without the duplicates of another case.

    A duplicate waiting for its parent is left out because closing the parent
    closes it.
    """
    return (
        select(Case)
        .join(Department, Case.department_id == Department.id)
        .where(Department.code == department, Case.status.in_(OPEN_STATUSES))
        .where(Case.parent_id.is_(None))
    )


def open_queue(
    session: Session,
    department: str,
    now: datetime,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """Return one page of a department's open cases: overdue first, then by due date.

    Cases without a due date come last, and ties go by creation time and id,
    so the order is total. A page after the last one returns the last page,
    because cases may close between one page and the next. Raises ValueError
    when ``page`` or ``page_size`` is below 1.
    """
    if page < 1 or page_size < 1:
        raise ValueError(f"page {page} and page size {page_size} must be 1 or more")
    cases = _queue_cases(department)
    total = session.scalar(select(func.count()).select_from(cases.subquery())) or 0
    page = min(page, max(1, math.ceil(total / page_size)))
    overdue = sql_case((Case.due_at < now, 0), else_=1)
    no_due_date = sql_case((Case.due_at.is_(None), 1), else_=0)
    query = (
        cases.order_by(overdue, no_due_date, Case.due_at, Case.created_at, Case.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    rows = [
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
    return QueuePage(rows, page, page_size, total)
