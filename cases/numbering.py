"""Handing out case numbers from the per-year counter, safely under concurrency."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cases.models import CaseNumberCounter
from cases.numbers import format_case_number


def reserve_sequences(session: Session, year: int, count: int = 1) -> range:
    """Reserve ``count`` consecutive sequence numbers of ``year``.

    The counter row is updated in the caller's transaction, so it stays locked
    (a row lock on PostgreSQL, the write lock on SQLite) until that transaction
    ends, and no two transactions get the same numbers.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(CaseNumberCounter)
        .values(year=year, last_value=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    last = session.execute(
        update(CaseNumberCounter)
        .where(CaseNumberCounter.year == year)
        .values(last_value=CaseNumberCounter.last_value + count)
        .returning(CaseNumberCounter.last_value)
    ).scalar_one()
    return range(last - count + 1, last + 1)


def next_case_number(session: Session, year: int) -> str:
    (sequence,) = reserve_sequences(session, year, 1)
    return format_case_number(year, sequence)
