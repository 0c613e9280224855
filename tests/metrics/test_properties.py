"""The DuckDB figures against the plain pandas reference on random histories."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, time, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.reference_pandas import figures, load_tables, state_at
from metrics import backlog, citistat, timeliness, volume
from metrics.filters import Filters
from metrics.registry import METRICS
from tests.metrics.builder import NEW_YORK, write_warehouse
from tests.metrics.histories import START, histories

DEPARTMENTS = [(1, "PW", "Public Works"), (2, "TR", "Transportation")]
SERVICE_TYPES = [
    (1, "pothole", "Pothole", 1),
    (2, "signal", "Signal", 2),
    (3, "info", "Information", 1),
]
COUNTS = ("received", "closed", "open_backlog", "overdue_open")
FIGURES = (
    "clearance_rate",
    "duplicate_share",
    "time_to_close_median_hours",
    "time_to_close_p90_hours",
    "time_to_close_mean_hours",
    "on_time_rate",
    "resolution_rate",
    "reopen_rate",
    "first_response_median_hours",
)
SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _duckdb_figures(con, filters, as_of, by):
    frames = [
        volume.throughput(con, filters, by),
        timeliness.closures(con, filters, by),
        timeliness.first_response(con, filters, by),
        backlog.state(con, filters, as_of, by),
    ]
    merged = {}
    for frame in frames:
        for row in frame.to_dict("records"):
            merged.setdefault(row["key"], {}).update(row)
    return merged


def _same(actual, expected) -> bool:
    actual = (
        None
        if actual is None or (isinstance(actual, float) and math.isnan(actual))
        else actual
    )
    if actual is None or expected is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, abs_tol=1 / 3600)  # within a second


pytestmark = pytest.mark.slow

periods = st.tuples(st.integers(0, 70), st.integers(1, 60))


@SETTINGS
@given(cases=histories(), period=periods, as_of_minutes=st.integers(0, 60 * 24 * 90))
def test_matches_reference(tmp_path, cases, period, as_of_minutes):
    path = write_warehouse(
        tmp_path / f"{uuid.uuid4().hex}.duckdb", DEPARTMENTS, SERVICE_TYPES, cases
    )
    start = START.date() + timedelta(days=period[0])
    filters = Filters(start, start + timedelta(days=period[1]))
    as_of = START + timedelta(minutes=as_of_minutes)
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = load_tables(con)
        for by in (None, "department"):
            ours = _duckdb_figures(con, filters, as_of, by)
            theirs = figures(tables, filters.start, filters.end, as_of, by is not None)
            for key, expected in theirs.items():
                row = ours.get(key, {})
                for name in COUNTS:
                    assert int(row.get(name, 0) or 0) == expected[name], (key, name)
                for name in FIGURES:
                    assert _same(row.get(name), expected[name]), (
                        key,
                        name,
                        row.get(name),
                        expected[name],
                    )
    finally:
        con.close()


@SETTINGS
@given(cases=histories(), period=periods)
def test_figures_in_range(tmp_path, cases, period):
    path = write_warehouse(
        tmp_path / f"{uuid.uuid4().hex}.duckdb", DEPARTMENTS, SERVICE_TYPES, cases
    )
    start = START.date() + timedelta(days=period[0])
    filters = Filters(start, start + timedelta(days=period[1]))
    con = duckdb.connect(str(path), read_only=True)
    try:
        for by in (None, "department"):
            result = citistat.compute(
                con,
                filters,
                by=by,
                names=list(METRICS),
                min_n=1,
                clock=lambda: START + timedelta(days=80),
            )
            groups = [result["details"]] + [
                r["details"] for r in result.get("rows", [])
            ]
            for details in groups:
                for name, detail in details.items():
                    value = detail["value"]
                    if value is None:
                        continue
                    assert value >= 0, name
                    if METRICS[name].bounded:
                        assert value <= 1, name
    finally:
        con.close()


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cases=histories())
def test_backlog_series_matches_reference(tmp_path, cases):
    path = write_warehouse(
        tmp_path / f"{uuid.uuid4().hex}.duckdb", DEPARTMENTS, SERVICE_TYPES, cases
    )
    filters = Filters(date(2026, 10, 14), date(2027, 1, 15))
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = load_tables(con)
        series = backlog.backlog_series(con, filters, "day")
        for day, value in zip(series["day"], series["open_backlog"], strict=True):
            next_midnight = datetime.combine(day + timedelta(days=1), time(), NEW_YORK)
            state = state_at(tables, next_midnight - timedelta(microseconds=1))
            assert value == int((state["status_after"] != "closed").sum()), day
    finally:
        con.close()
