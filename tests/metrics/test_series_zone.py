"""The backlog series read through ``next_at`` in the city's zone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from metrics import backlog
from metrics.filters import Filters
from tests.metrics.builder import write_warehouse
from tests.metrics.histories import histories
from tests.metrics.scenario import DEPARTMENTS, SERVICE_TYPES
from tests.metrics.test_backlog import DAILY

ZONE = "America/New_York"


def test_zone_series_daily(con, november):
    frame = backlog.backlog_series(con, november, "day", ZONE).set_index("day")
    assert len(frame) == 30
    for day, expected in DAILY.items():
        assert frame.loc[day, "open_backlog"] == expected, day


def test_zone_series_weekly(con, november):
    frame = backlog.backlog_series(con, november, "week", ZONE)
    assert list(frame["day"]) == [date(2026, 11, d) for d in (1, 8, 15, 22, 29, 30)]
    assert list(frame["open_backlog"]) == [1, 2, 1, 2, 3, 3]


def test_zone_series_department(con):
    pw = Filters(date(2026, 10, 1), date(2026, 10, 3), departments=("PW",))
    frame = backlog.backlog_series(con, pw, "day", ZONE)
    assert list(frame["open_backlog"]) == [1, 0, 0]  # K left PW on 2 October


def test_zone_series_stops_at_as_of(con, november):
    """05:00 UTC on 2 November is midnight EST, so the series has 1 November
    only. Read in UTC, the as-of time would fall on 2 November."""
    at = replace(november, as_of=datetime(2026, 11, 2, 5, tzinfo=UTC))
    frame = backlog.backlog_series(con, at, "day", ZONE)
    assert list(frame["day"]) == [date(2026, 11, 1)]


def test_zone_series_weekly_stops_at_as_of(con, november):
    at = replace(november, as_of=datetime(2026, 11, 18, 17, tzinfo=UTC))
    frame = backlog.backlog_series(con, at, "week", ZONE)
    assert list(frame["day"]) == [date(2026, 11, d) for d in (1, 8, 15, 18)]


@pytest.mark.parametrize("departments", [(), ("PW",), ("TR",)])
def test_zone_series_matches_window(con, departments):
    filters = Filters(date(2026, 9, 1), date(2026, 12, 31), departments=departments)
    windowed = backlog.backlog_series(con, filters, "day")
    zoned = backlog.backlog_series(con, filters, "day", ZONE)
    pd.testing.assert_frame_equal(zoned, windowed)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cases=histories())
def test_zone_series_matches_window_on_histories(tmp_path, cases):
    path = write_warehouse(
        tmp_path / f"{uuid.uuid4().hex}.duckdb", DEPARTMENTS, SERVICE_TYPES, cases
    )
    filters = Filters(date(2026, 10, 14), date(2027, 1, 15))
    con = duckdb.connect(str(path), read_only=True)
    try:
        windowed = backlog.backlog_series(con, filters, "day")
        zoned = backlog.backlog_series(con, filters, "day", ZONE)
    finally:
        con.close()
    pd.testing.assert_frame_equal(zoned, windowed)
