"""Fixtures for the case core: a small test city and a service on a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cases.catalogue import sync_catalogue
from cases.city import CityConfig, load_city
from cases.db import make_session_factory, transaction
from cases.service import CaseService

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Clock:
    """A settable clock, so tests control every timestamp the service writes."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def test_city() -> CityConfig:
    return load_city(str(FIXTURES / "testville.toml"))


@pytest.fixture
def clock() -> Clock:
    # Tuesday 2026-06-02 10:00 in America/New_York.
    return Clock(datetime(2026, 6, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def sessions(engine, test_city):
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        sync_catalogue(session, test_city)
    return factory


@pytest.fixture
def service(sessions, test_city, clock) -> Iterator[CaseService]:
    yield CaseService(sessions, test_city, clock=clock)
