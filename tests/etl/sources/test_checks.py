from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from etl.sources.checks import (
    FLAG_SETS,
    BoundingBox,
    closed_before_created,
    flag_bits,
    status_date_mismatch,
)
from etl.sources.dates import DateRule, parse_dates

CHICAGO = ZoneInfo("America/Chicago")


def dates(values, pattern, date_only=False):
    rule = DateRule(pattern, date_only)
    return parse_dates(pa.array(values, pa.string()), rule, CHICAGO)


def test_bounding_box_outside():
    box = BoundingBox(south=39.0, west=-95.0, north=40.0, east=-94.0)
    latitude = np.array([39.5, 35.8, np.nan, 39.5])
    longitude = np.array([-94.5, -103.9, -94.5, -80.0])
    assert box.outside(latitude, longitude).tolist() == [False, True, False, True]


def test_closed_before_created_instants():
    created = dates(["2020-01-07 12:59", "2020-01-07 12:59"], "%Y-%m-%d %H:%M")
    closed = dates(["2020-01-07 12:58", ""], "%Y-%m-%d %H:%M")
    assert closed_before_created(created, closed).tolist() == [True, False]


def test_closed_before_created_by_date():
    created = dates(["2020-01-07 12:59", "2020-01-07 12:59"], "%Y-%m-%d %H:%M")
    closed = dates(["2020-01-07", "2020-01-06"], "%Y-%m-%d", date_only=True)
    assert closed_before_created(created, closed).tolist() == [False, True]


def test_status_date_mismatch():
    closed = dates(["", "2020-01-07", "", "1900-01-01"], "%Y-%m-%d")
    is_closed = np.array([True, False, False, True])
    assert status_date_mismatch(is_closed, closed).tolist() == [
        True,
        True,
        False,
        False,
    ]


def test_flag_bits_round_trip():
    masks = {
        "zero_coordinates": np.array([True, False]),
        "duplicate_id": np.array([True, True]),
    }
    bits = flag_bits(masks, 2)
    assert FLAG_SETS[bits[0]] == {"zero_coordinates", "duplicate_id"}
    assert FLAG_SETS[bits[1]] == {"duplicate_id"}
