"""Concurrent intake: unique case numbers and no "database is locked"."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from cases.catalogue import sync_catalogue
from cases.db import make_engine, make_session_factory, transaction
from cases.intake import NewCase
from cases.models import Case, CaseEvent
from cases.schema import upgrade
from cases.service import CaseService


def file_many(service: CaseService, count: int) -> list[str]:
    return [
        service.file(NewCase("INFO", f"question {i}", channel="phone")).case_number
        for i in range(count)
    ]


def run_threads(
    url: str, city, threads: int, per_thread: int
) -> tuple[list[str], int, int]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        sync_catalogue(session, city)
    service = CaseService(factory, city)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        batches = list(
            pool.map(lambda _: file_many(service, per_thread), range(threads))
        )
    with factory() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
        created = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.kind == "created")
        )
    engine.dispose()
    return [n for batch in batches for n in batch], cases, created


def test_sqlite_threads_file_without_lock_errors(tmp_path, test_city):
    numbers, cases, created = run_threads(
        f"sqlite:///{tmp_path / 'cases.sqlite'}", test_city, threads=4, per_thread=50
    )
    assert len(numbers) == 200
    assert len(set(numbers)) == 200
    assert cases == 200
    assert created == 200


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_eight_threads_unique_numbers(postgres_server_url, test_city):
    from tests.conftest import _reset_postgres

    _reset_postgres(postgres_server_url)
    numbers, cases, created = run_threads(
        postgres_server_url, test_city, threads=8, per_thread=500
    )
    assert len(numbers) == 4000
    assert len(set(numbers)) == 4000
    assert cases == 4000
    assert created == 4000
