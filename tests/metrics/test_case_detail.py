"""One case's row and timeline from the November scenario."""

from __future__ import annotations

import duckdb
import pytest

from metrics.case_detail import case_row, timeline
from tests.dashboard import scenario


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = scenario.write_warehouse(tmp_path_factory.mktemp("w") / "s.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def _case(case_id: int) -> scenario.Case:
    return scenario.cases()[case_id - 1]


def test_row_of_open_pothole(con):
    case = _case(60)  # the last November pothole: open and flagged
    row = case_row(con, case.number)
    assert row["department"] == "PW"
    assert row["service_type"] == "POTHOLE"
    assert row["closed_at"] is None
    assert row["flags"] == "missing_location"


def test_row_of_unknown_number(con):
    assert case_row(con, "26-999999-0") is None


def test_timeline_of_transferred_case(con):
    case = _case(61)  # the first sewer backup, created in Public Works
    row = case_row(con, case.number)
    events = timeline(con, row["case_id"])
    assert list(events["kind"]) == ["created", "transferred", "acknowledged", "closed"]
    assert list(events["department"]) == ["PW", "WTR", "WTR", "WTR"]
