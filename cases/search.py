"""Staff search for cases by case number, address or requester phone number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.errors import NotFoundError
from cases.lookup import find_case
from cases.models import Case, Department, Requester

MAX_RESULTS = 50
_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class CaseSummary:
    case_number: str
    status: str
    service_type_name: str
    department: str
    address: str | None
    created_at: datetime


def _summary(case: Case) -> CaseSummary:
    return CaseSummary(
        case.case_number,
        case.status,
        case.service_type.name,
        case.department.code,
        case.address,
        case.created_at,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _in_department(query, department: str | None):
    """Narrow a case query to one department's cases; None keeps every case."""
    if department is None:
        return query
    return query.join(Department, Department.id == Case.department_id).where(
        Department.code == department
    )


def search_cases(
    session: Session, kind: str, text: str, department: str | None = None
) -> list[CaseSummary]:
    """Find cases; ``kind`` is ``number``, ``address`` or ``phone``.

    A number search raises ``InvalidCaseNumber`` for a mistyped number. A phone
    search compares digits only, so "302-555-0101" finds "(302) 555 0101".
    With ``department`` (a department code) only that department's cases are
    found, as department staff may read no others.
    """
    text = text.strip()
    if not text:
        return []
    if kind == "number":
        try:
            found = _summary(find_case(session, text))
        except NotFoundError:
            return []
        return [found] if department in (None, found.department) else []
    if kind == "address":
        pattern = f"%{_escape_like(text.lower())}%"
        query = select(Case).where(func.lower(Case.address).like(pattern, escape="\\"))
    elif kind == "phone":
        digits = _NOT_DIGITS.sub("", text)
        if len(digits) < 4:
            return []
        query = select(Case).join(Requester, Requester.case_id == Case.id)
        # The last four digits are written together in every usual phone format,
        # so they narrow the rows in SQL before the digit-only comparison.
        query = query.where(Requester.phone.like(f"%{digits[-4:]}%"))
        query = _in_department(query, department)
        candidates = session.scalars(query.order_by(Case.created_at.desc())).all()
        matches = [
            c for c in candidates if digits in _NOT_DIGITS.sub("", c.requester.phone)
        ]
        return [_summary(c) for c in matches[:MAX_RESULTS]]
    else:
        raise ValueError(
            f"search kind {kind!r} is unknown; use number, address or phone"
        )
    query = _in_department(query, department)
    cases = session.scalars(query.order_by(Case.created_at.desc()).limit(MAX_RESULTS))
    return [_summary(case) for case in cases]
