"""Fixtures: the hand-made November scenario written into a real DuckDB file."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from metrics.filters import Filters
from tests.metrics import scenario
from tests.metrics.builder import write_warehouse


@pytest.fixture(scope="session")
def scenario_path(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("warehouse") / "scenario.duckdb"
    return write_warehouse(
        path, scenario.DEPARTMENTS, scenario.SERVICE_TYPES, scenario.cases()
    )


@pytest.fixture
def con(scenario_path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(scenario_path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def november() -> Filters:
    return Filters(*scenario.NOVEMBER)
