"""District counts and open-case points for the maps."""

from __future__ import annotations

import duckdb
import pytest

from metrics.department_trend import weekly_received
from metrics.dimensions import dimensions
from metrics.filters import Filters
from metrics.map_points import district_counts, open_case_points
from tests.dashboard import scenario


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = scenario.write_warehouse(tmp_path_factory.mktemp("w") / "s.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_district_counts_sum_to_received(con):
    frame = district_counts(con, Filters(*scenario.PERIOD))
    assert list(frame["district"]) == ["1", "2", "3", "4"]
    assert frame["received"].sum() == 85
    assert frame["open_now"].sum() == 10


def test_open_points_most_overdue_first(con):
    frame = open_case_points(con, Filters(*scenario.PERIOD), scenario.CLOCK, limit=3)
    assert len(frame) == 3
    assert list(frame["due_at"]) == sorted(frame["due_at"])
    assert frame["overdue"].all()


def test_weekly_received_per_department(con):
    frame = weekly_received(con, Filters(*scenario.PERIOD))
    water = frame[frame["department"] == "WTR"]
    # Sewer backup i falls on 2 November plus i mod 27 days: days 2 to 28, then
    # 2 to 9 again. Weeks from 2, 9, 16 and 23 November get 14, 8, 7 and 6.
    assert list(water["received"]) == [14, 8, 7, 6]
    assert frame["received"].sum() == 85


def test_dimensions_lists_codes(con):
    dims = dimensions(con)
    assert [code for code, _ in dims.departments] == ["PW", "SAN", "WTR"]
    assert dims.channels == ("phone", "web")
    assert ("1", "Council District 1") in dims.districts
