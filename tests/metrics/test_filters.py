from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.filters import (
    CASE_COLUMNS,
    EVENT_COLUMNS,
    FilterError,
    Filters,
    check_codes,
    check_range,
    comparison_periods,
    where_clause,
)


def test_filters_normalise_codes():
    filters = Filters(date(2026, 1, 1), date(2026, 1, 31), departments="PW")
    assert filters.departments == ("PW",)


def test_filters_reject_inverted_period():
    with pytest.raises(FilterError, match="period end 2026-01-01 is before"):
        Filters(date(2026, 1, 2), date(2026, 1, 1))


def test_filters_reject_naive_as_of():
    with pytest.raises(FilterError, match="no UTC offset"):
        Filters(date(2026, 1, 1), date(2026, 1, 2), as_of=datetime(2026, 1, 3))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(9999, 12, 1), date(9999, 12, 31)),
        (date(1, 1, 1), date(1, 1, 31)),
        (date(1899, 12, 1), date(1900, 1, 31)),
    ],
)
def test_check_range_rejects_far_dates(start, end):
    with pytest.raises(FilterError, match="out of range; use a date from 1900-01-01"):
        check_range(start, end)


@pytest.mark.parametrize("year", [1, 9999])
def test_check_range_rejects_far_as_of(year):
    with pytest.raises(FilterError, match=f"as-of time {year:04d}-06-01 is out"):
        check_range(date(2026, 1, 1), date(2026, 1, 2), datetime(year, 6, 1))


def test_check_range_accepts_its_ends():
    check_range(date(1900, 1, 1), date(2999, 12, 31), datetime(2999, 12, 31, 23))


def test_filters_reject_empty_code():
    with pytest.raises(FilterError, match="not a non-empty code"):
        Filters(date(2026, 1, 1), date(2026, 1, 2), channels=("",))


def test_previous_period_month():
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31))
    previous = filters.previous_period()
    assert (previous.start, previous.end) == (date(2026, 2, 1), date(2026, 2, 28))


def test_previous_period_quarter():
    filters = Filters(date(2026, 1, 1), date(2026, 3, 31))
    previous = filters.previous_period()
    assert (previous.start, previous.end) == (date(2025, 10, 1), date(2025, 12, 31))


def test_previous_period_equal_length():
    filters = Filters(date(2026, 3, 2), date(2026, 3, 15))
    previous = filters.previous_period()
    assert (previous.start, previous.end) == (date(2026, 2, 16), date(2026, 3, 1))


def test_year_earlier_leap_day():
    filters = Filters(date(2028, 2, 29), date(2028, 3, 1))
    earlier = filters.year_earlier()
    assert (earlier.start, earlier.end) == (date(2027, 2, 28), date(2027, 3, 1))


def test_comparison_shifts_as_of():
    at = datetime(2026, 4, 1, tzinfo=UTC)
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    assert filters.previous_period().as_of == datetime(2026, 3, 1, tzinfo=UTC)


NEW_YORK = ZoneInfo("America/New_York")


def _dates(filters: Filters) -> tuple[date, date]:
    return filters.start, filters.end


def test_comparison_cut_to_date_across_dst():
    """Local midnight after 8 March 2026, the day clocks go forward, is 04:00
    UTC. So the period to date is 1-8 March, and the previous month keeps its
    first eight days."""
    at = datetime(2026, 3, 9, 4, tzinfo=UTC)
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert periods.to_date
    assert _dates(periods.requested) == (date(2026, 3, 1), date(2026, 3, 31))
    assert _dates(periods.current) == (date(2026, 3, 1), date(2026, 3, 8))
    assert periods.current.as_of == at
    assert _dates(periods.previous) == (date(2026, 2, 1), date(2026, 2, 8))
    # A month back on the wall clock: 9 February 00:00 EST.
    assert periods.previous.as_of == datetime(2026, 2, 9, 5, tzinfo=UTC)
    assert _dates(periods.year_earlier) == (date(2025, 3, 1), date(2025, 3, 8))
    # 9 March 2025 00:00 is still EST: clocks went forward at 02:00 that day.
    assert periods.year_earlier.as_of == datetime(2025, 3, 9, 5, tzinfo=UTC)


def test_comparison_cut_on_dst_end_day():
    """05:00 UTC on 2 November 2026 is midnight EST, so only 1 November has
    been reached. Read in UTC or in EDT, the time would fall on 2 November."""
    at = datetime(2026, 11, 2, 5, tzinfo=UTC)
    filters = Filters(date(2026, 11, 1), date(2026, 11, 30), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert _dates(periods.current) == (date(2026, 11, 1), date(2026, 11, 1))
    assert _dates(periods.previous) == (date(2026, 10, 1), date(2026, 10, 1))
    # A month back on the wall clock: 2 October 00:00 EDT.
    assert periods.previous.as_of == datetime(2026, 10, 2, 4, tzinfo=UTC)


def test_comparison_cut_mid_day():
    at = datetime(2026, 12, 4, 9, tzinfo=NEW_YORK)
    filters = Filters(date(2026, 12, 1), date(2026, 12, 31), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert _dates(periods.current) == (date(2026, 12, 1), date(2026, 12, 4))
    assert _dates(periods.previous) == (date(2026, 11, 1), date(2026, 11, 4))
    assert periods.previous.as_of == datetime(2026, 11, 4, 9, tzinfo=NEW_YORK)
    assert _dates(periods.year_earlier) == (date(2025, 12, 1), date(2025, 12, 4))


def test_comparison_whole_period_not_cut():
    at = datetime(2026, 4, 1, tzinfo=NEW_YORK)
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert not periods.to_date
    assert _dates(periods.current) == (date(2026, 3, 1), date(2026, 3, 31))
    assert _dates(periods.previous) == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.previous.as_of == datetime(2026, 3, 1, tzinfo=NEW_YORK)


def test_comparison_last_day_running_is_to_date():
    """At noon on 31 March nothing is cut, but the period is still to date.
    A month back is 28 February at noon (February has no 31st)."""
    at = datetime(2026, 3, 31, 12, tzinfo=NEW_YORK)
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert periods.to_date
    assert _dates(periods.current) == (date(2026, 3, 1), date(2026, 3, 31))
    assert _dates(periods.previous) == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.previous.as_of == datetime(2026, 2, 28, 12, tzinfo=NEW_YORK)


def test_comparison_days_ending_today_is_to_date():
    at = datetime(2026, 12, 4, 20, 35, tzinfo=NEW_YORK)
    filters = Filters(date(2026, 12, 1), date(2026, 12, 4), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert periods.to_date
    assert _dates(periods.current) == (date(2026, 12, 1), date(2026, 12, 4))
    assert _dates(periods.previous) == (date(2026, 11, 27), date(2026, 11, 30))


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 2, 15, 12, tzinfo=NEW_YORK),
        # Midnight starting 1 March: no day of March has begun.
        datetime(2026, 3, 1, tzinfo=NEW_YORK),
        datetime(2026, 3, 1, 5, tzinfo=UTC),
    ],
)
def test_comparison_period_not_started_rejected(at):
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    with pytest.raises(FilterError, match="2026-03-01 to 2026-03-31 has not started"):
        comparison_periods(filters, NEW_YORK)


def test_comparison_first_second_of_period_counts_first_day():
    at = datetime(2026, 3, 1, 0, 0, 1, tzinfo=NEW_YORK)
    filters = Filters(date(2026, 3, 1), date(2026, 3, 31), as_of=at)
    periods = comparison_periods(filters, NEW_YORK)
    assert periods.to_date
    assert _dates(periods.current) == (date(2026, 3, 1), date(2026, 3, 1))
    assert _dates(periods.previous) == (date(2026, 2, 1), date(2026, 2, 1))


def test_where_clause_binds_values():
    filters = Filters(
        date(2026, 1, 1),
        date(2026, 1, 31),
        departments=("PW'; DROP TABLE fact_case; --",),
        channels=("web",),
    )
    sql, params = where_clause(filters, date_column="c.created_date")
    assert "DROP" not in sql
    assert params["departments"] == ["PW'; DROP TABLE fact_case; --"]
    assert params["channels"] == ["web"]
    assert params["start"] == date(2026, 1, 1)


def test_where_clause_event_columns():
    filters = Filters(date(2026, 1, 1), date(2026, 1, 31), departments="PW")
    sql, _ = where_clause(filters, date_column="e.local_date", columns=EVENT_COLUMNS)
    assert "e.department_id_after IN" in sql
    assert "e.local_date BETWEEN $start AND $end" in sql


def test_where_clause_rejects_other_columns():
    filters = Filters(date(2026, 1, 1), date(2026, 1, 31))
    with pytest.raises(ValueError, match="date column"):
        where_clause(filters, date_column="c.created_at; --")
    with pytest.raises(ValueError, match="columns must be one of"):
        where_clause(filters, date_column=None, columns=dict(CASE_COLUMNS))


def test_check_codes(con):
    filters = Filters(date(2026, 1, 1), date(2026, 1, 31), service_types="potholes")
    with pytest.raises(FilterError, match="unknown service type code 'potholes'"):
        check_codes(con, filters)
