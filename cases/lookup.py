"""Finding a case by its case number or by an alias such as a source system's id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import NotFoundError
from cases.models import Case, CaseAlias
from cases.numbers import looks_like_case_number, normalize_case_number


class AmbiguousReferenceError(NotFoundError):
    """An alias that names cases from more than one source."""


def find_case(session: Session, reference: str) -> Case:
    """Load a case by number or alias.

    Aliases are tried first because some source ids have the shape of a case
    number. A string with that shape whose check digit fails raises
    ``InvalidCaseNumber``, so a mistyped number is reported as invalid rather
    than as not found.
    """
    text = (reference or "").strip()
    if not text:
        raise NotFoundError("case number is empty; give a number such as 26-004213-7")
    case_ids = session.scalars(
        select(CaseAlias.case_id).where(CaseAlias.alias == text)
    ).all()
    if len(case_ids) > 1:
        raise AmbiguousReferenceError(
            f"{text!r} is the id of {len(case_ids)} imported cases; use the case number"
        )
    if case_ids:
        return session.get_one(Case, case_ids[0])
    if looks_like_case_number(text):
        number = normalize_case_number(text)
        case = session.scalar(select(Case).where(Case.case_number == number))
        if case is not None:
            return case
        raise NotFoundError(f"case {number} not found; check the number")
    raise NotFoundError(
        f"no case with number or id {text!r}; case numbers look like 26-004213-7"
    )
