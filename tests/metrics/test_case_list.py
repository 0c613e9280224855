"""The server-paged case list over the November scenario of tests.dashboard."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import duckdb
import pytest

from metrics import backlog, map_points
from metrics.case_list import (
    CaseQuery,
    case_count,
    case_page,
    iter_case_batches,
)
from metrics.filters import FilterError, Filters
from tests.dashboard import scenario


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = scenario.write_warehouse(tmp_path_factory.mktemp("w") / "s.duckdb")
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def november() -> Filters:
    return Filters(*scenario.PERIOD)


NOW = scenario.CLOCK


def test_count_received_in_period(con, november):
    assert case_count(con, CaseQuery(november), NOW) == 85


def test_count_received_by_department(con, november):
    query = CaseQuery(replace(november, departments=("PW",)))
    assert case_count(con, query, NOW) == 40


def test_count_closed_in_period(con, november):
    # 30 potholes, 35 sewer backups, 10 missed trash (2 flagged) closed finally.
    assert case_count(con, CaseQuery(november, "closed"), NOW) == 75


def test_count_open_and_overdue(con, november):
    assert case_count(con, CaseQuery(november, "open"), NOW) == 10
    assert case_count(con, CaseQuery(november, "overdue"), NOW) == 10


def test_count_by_flag_and_source(con, november):
    flagged = CaseQuery(november, flag="closed_before_created", source="city311")
    assert case_count(con, flagged, NOW) == 2
    assert case_count(con, CaseQuery(november, source="nyc"), NOW) == 0


def test_page_newest_first(con, november):
    page = case_page(con, CaseQuery(november), NOW, limit=3)
    created = list(page["created_at"])
    assert len(page) == 3
    assert created == sorted(created, reverse=True)


def test_page_offset_continues(con, november):
    first = case_page(con, CaseQuery(november), NOW, offset=0, limit=50)
    second = case_page(con, CaseQuery(november), NOW, offset=50, limit=50)
    numbers = list(first["case_number"]) + list(second["case_number"])
    assert len(second) == 35
    assert len(set(numbers)) == 85


def test_page_sort_by_column(con, november):
    query = CaseQuery(november, sort=(("department", "asc"),))
    page = case_page(con, query, NOW, limit=85)
    assert list(page["department"]) == sorted(page["department"])


def test_grid_text_filter(con, november):
    query = CaseQuery(
        november,
        grid_filters={
            "service_type_name": {
                "filterType": "text",
                "type": "contains",
                "filter": "sewer",
            }
        },
    )
    assert case_count(con, query, NOW) == 35


def _status_filter(operator: str, text: str) -> dict:
    return {"status": {"filterType": "text", "type": operator, "filter": text}}


def test_grid_status_filter_uses_label(con, november):
    """The grid shows 'Acknowledged' and 'Closed', and filters what it shows."""
    closed = CaseQuery(november, grid_filters=_status_filter("equals", "Closed"))
    code = CaseQuery(november, grid_filters=_status_filter("equals", "closed"))
    acknowledged = CaseQuery(
        november, grid_filters=_status_filter("contains", "acknowledged")
    )
    assert case_count(con, closed, NOW) == 75
    assert case_count(con, code, NOW) == 0
    assert case_count(con, acknowledged, NOW) == 10


def test_grid_number_filter(con, november):
    query = CaseQuery(
        november,
        "closed",
        grid_filters={
            "hours_to_close": {
                "filterType": "number",
                "type": "greaterThan",
                "filter": 25,
            }
        },
    )
    # The 20 sewer backups closed after 30 hours.
    assert case_count(con, query, NOW) == 20


def test_unknown_sort_column_rejected(november):
    with pytest.raises(FilterError, match="cannot sort by 'requester'"):
        CaseQuery(november, sort=(("requester", "asc"),))


def test_unknown_filter_column_rejected(con, november):
    query = CaseQuery(november, grid_filters={"x; drop": {"filterType": "text"}})
    with pytest.raises(FilterError, match="cannot filter by column"):
        case_count(con, query, NOW)


def test_unknown_basis_rejected(november):
    with pytest.raises(FilterError, match="basis 'everything'"):
        CaseQuery(november, "everything")


def test_page_size_checked(con, november):
    with pytest.raises(FilterError, match="page of 0 rows"):
        case_page(con, CaseQuery(november), NOW, limit=0)


def test_batches_cover_every_case(con, november):
    batches = list(iter_case_batches(con, CaseQuery(november), NOW, batch_size=20))
    assert [len(b) for b in batches] == [20, 20, 20, 20, 5]
    assert len({n for b in batches for n in b["case_number"]}) == 85


@pytest.mark.parametrize("days_before_clock", [0, 3, 10, 20, 40])
@pytest.mark.parametrize("department", [None, "PW", "WTR"])
def test_open_lists_match_backlog_state(con, november, days_before_clock, department):
    as_of = NOW - timedelta(days=days_before_clock)
    filters = replace(november, as_of=as_of)
    if department:
        filters = replace(filters, departments=(department,))
    expected = backlog.state(con, filters, as_of)
    assert case_count(con, CaseQuery(filters, "open"), NOW) == int(
        expected["open_backlog"].sum()
    )
    assert case_count(con, CaseQuery(filters, "overdue"), NOW) == int(
        expected["overdue_open"].sum()
    )


def test_open_list_takes_state_at_as_of(con, november):
    earlier = replace(november, as_of=NOW - timedelta(days=20))
    assert case_count(con, CaseQuery(earlier, "open"), NOW) != case_count(
        con, CaseQuery(november, "open"), NOW
    )


@pytest.mark.parametrize("days_before_clock", [0, 10, 20])
def test_map_points_are_the_open_list(con, november, days_before_clock):
    """The map's open cases are the backlog at the as-of time, not today's."""
    filters = replace(november, as_of=NOW - timedelta(days=days_before_clock))
    points = map_points.open_case_points(con, filters, NOW)
    listed = case_page(con, CaseQuery(filters, "open"), NOW, limit=1000)
    located = con.execute(
        "SELECT case_number FROM fact_case WHERE latitude IS NOT NULL"
    ).fetchall()
    expected = set(listed["case_number"]) & {row[0] for row in located}
    assert set(points["case_number"]) == expected
    overdue = case_page(con, CaseQuery(filters, "overdue"), NOW, limit=1000)
    flagged = set(points.loc[points["overdue"], "case_number"])
    assert flagged == set(overdue["case_number"]) & expected
