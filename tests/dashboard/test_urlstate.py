"""Filters in the URL: parsing, validation messages and serialisation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from dashboard.urlstate import (
    as_of,
    check_codes,
    default_period,
    filter_query,
    parse_case_list,
    parse_filters,
)
from metrics.dimensions import Dimensions
from metrics.filters import FilterError, Filters

TODAY = date(2026, 11, 30)  # a Monday
DIMENSIONS = Dimensions(
    departments=(("PW", "Public Works"), ("WTR", "Water")),
    service_types=(("POTHOLE", "Pothole", "PW"),),
    districts=(("1", "Council District 1"),),
    channels=("phone",),
)


def test_default_period_is_four_whole_weeks():
    assert default_period(TODAY) == (date(2026, 11, 2), date(2026, 11, 29))
    assert default_period(date(2026, 12, 6)) == (date(2026, 11, 2), date(2026, 11, 29))


def test_parse_empty_query_gives_default():
    filters = parse_filters({}, TODAY)
    assert (filters.start, filters.end) == (date(2026, 11, 2), date(2026, 11, 29))
    assert filters.departments == ()


def test_parse_codes_repeated_or_comma_separated():
    filters = parse_filters({"department": ["PW", "WTR"], "district": "1,2"}, TODAY)
    assert filters.departments == ("PW", "WTR")
    assert filters.districts == ("1", "2")


def test_parse_from_only_keeps_default_end():
    filters = parse_filters({"from": "2026-10-01"}, TODAY)
    assert (filters.start, filters.end) == (date(2026, 10, 1), date(2026, 11, 29))


def test_bad_date_named():
    with pytest.raises(FilterError, match="from date '2026-13-01' is not a date"):
        parse_filters({"from": "2026-13-01"}, TODAY)


@pytest.mark.parametrize(
    "query",
    [
        {"from": "9999-12-01", "to": "9999-12-31"},
        {"to": "0001-01-05"},
        {"from": "0001-02-01"},
    ],
)
def test_far_dates_rejected_with_range(query):
    with pytest.raises(FilterError, match="out of range; use a date from 1900"):
        parse_filters(query, TODAY)


def test_reversed_period_rejected():
    with pytest.raises(FilterError, match="before its start"):
        parse_filters({"from": "2026-11-10", "to": "2026-11-01"}, TODAY)


def test_unknown_key_rejected():
    with pytest.raises(FilterError, match="unknown query parameter 'dept'"):
        parse_filters({"dept": "PW"}, TODAY)


def test_overlong_period_rejected():
    with pytest.raises(FilterError, match="longer than ten years"):
        parse_filters({"from": "2000-01-01", "to": "2026-01-01"}, TODAY)


def test_case_list_basis_and_flag():
    filters, basis, flag, source = parse_case_list(
        {"basis": "overdue", "flag": "missing_location", "source": "nyc"}, TODAY
    )
    assert (basis, flag, source) == ("overdue", "missing_location", "nyc")
    assert filters.end == date(2026, 11, 29)


def test_case_list_bad_basis():
    with pytest.raises(FilterError, match="basis 'all' is unknown"):
        parse_case_list({"basis": "all"}, TODAY)


def test_check_codes_names_unknown_department():
    filters = Filters(date(2026, 11, 2), date(2026, 11, 29), departments=("XX",))
    with pytest.raises(
        FilterError, match="unknown department 'XX'; use one of PW, WTR"
    ):
        check_codes(filters, DIMENSIONS)


def test_check_codes_accepts_store_channels():
    filters = Filters(date(2026, 11, 2), date(2026, 11, 29), channels=("walk-in",))
    check_codes(filters, DIMENSIONS)


def test_query_round_trip():
    filters = Filters(
        date(2026, 11, 2),
        date(2026, 11, 29),
        departments=("PW", "WTR"),
        districts=("1",),
    )
    text = filter_query(filters, basis="closed", flag=None)
    parsed = parse_qs(text.removeprefix("?"))
    assert parsed == {
        "from": ["2026-11-02"],
        "to": ["2026-11-29"],
        "department": ["PW", "WTR"],
        "district": ["1"],
        "basis": ["closed"],
    }
    assert (
        parse_filters({k: v for k, v in parsed.items() if k != "basis"}, TODAY)
        == filters
    )


def test_as_of_is_midnight_after_period_or_now():
    zone = ZoneInfo("America/New_York")
    filters = Filters(date(2026, 11, 2), date(2026, 11, 29))
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert as_of(filters, now, zone) == datetime(2026, 11, 30, tzinfo=zone)
    early = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert as_of(filters, early, zone) == early
