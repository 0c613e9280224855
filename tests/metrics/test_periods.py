"""Several periods in one query give the figures of one query per period."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics import backlog, quality, timeliness, volume
from metrics.filters import Filters
from tests.metrics.builder import local
from tests.metrics.scenario import END_OF_NOVEMBER

FAMILIES = [
    volume.throughput,
    timeliness.closures,
    timeliness.first_response,
    quality.counts,
]
# November, October (overlapping November's first days), and a month with no case.
PERIODS = [
    (date(2026, 11, 1), date(2026, 11, 30)),
    (date(2026, 10, 1), date(2026, 11, 3)),
    (date(2020, 1, 1), date(2020, 1, 31)),
]


def _plain_keys(frame):
    """Return ``frame`` with null keys as None, however pandas typed the column."""
    keys = [None if pd.isna(key) else key for key in frame["key"]]
    return frame.assign(key=pd.Series(keys, index=frame.index, dtype=object))


def _alone(con, family, filters, by, start, end):
    frame = family(con, Filters(start, end, filters.departments), by)
    return _plain_keys(frame.reset_index(drop=True))


def _part(frame, index, city):
    rows = frame[(frame["period"] == index) & (frame["city"] == city)]
    return _plain_keys(rows.drop(columns=["period", "city"]).reset_index(drop=True))


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("by", [None, "department", "service_type", "week"])
def test_periods_match_single_queries(con, november, family, by):
    combined = family(con, november, by, periods=PERIODS)
    for index, (start, end) in enumerate(PERIODS):
        city = _part(combined, index, True)
        single_city = _alone(con, family, november, None, start, end)
        if city.empty:
            # A period without rows has no city-wide row, where one query
            # returns zero counts and null figures.
            assert single_city.drop(columns="key").fillna(0).eq(0).all(axis=None)
        else:
            pd.testing.assert_frame_equal(city, single_city, check_dtype=False)
        if by is not None:
            groups = _part(combined, index, False)
            single = _alone(con, family, november, by, start, end)
            pd.testing.assert_frame_equal(groups, single, check_dtype=False)


def test_periods_keep_filters(con):
    filters = Filters(date(2026, 11, 1), date(2026, 11, 30), departments=("PW",))
    combined = volume.throughput(con, filters, periods=PERIODS[:1])
    single = volume.throughput(con, filters)
    assert combined["received"].tolist() == single["received"].tolist()
    assert combined["closed"].tolist() == single["closed"].tolist()


MOMENTS = [END_OF_NOVEMBER, local(2026, 11, 5, 12), local(2026, 10, 1, 12)]


@pytest.mark.parametrize("by", ["department", "service_type", "district"])
def test_city_and_group_states_match(con, november, by):
    city, groups = backlog.city_and_group_states(con, november, MOMENTS, by)
    expected_city = backlog.states(con, november, MOMENTS)
    expected_groups = backlog.states(con, november, MOMENTS, by)
    assert len(city) == len(MOMENTS)
    for got, expected in zip(city, expected_city, strict=True):
        pd.testing.assert_frame_equal(
            _plain_keys(got), _plain_keys(expected), check_dtype=False
        )
    for got, expected in zip(groups, expected_groups, strict=True):
        pd.testing.assert_frame_equal(
            _plain_keys(got), _plain_keys(expected), check_dtype=False
        )
