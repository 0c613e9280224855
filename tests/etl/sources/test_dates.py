from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from etl.sources.dates import DateColumn, DateRule, parse_dates

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
US_12H = DateRule("%m/%d/%Y %I:%M:%S %p")


def parse(values, rule, zone=NEW_YORK, nulls=("",)):
    return parse_dates(pa.array(values, pa.string()), rule, zone, nulls)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("07/04/2022 01:05:09 PM", "%m/%d/%Y %I:%M:%S %p", utc(2022, 7, 4, 17, 5, 9)),
        ("3/14/2025 1:20", "%m/%d/%Y %H:%M", utc(2025, 3, 14, 5, 20)),
        ("1/1/20 0:05", "%m/%d/%y %H:%M", utc(2020, 1, 1, 5, 5)),
        ("2025-01-24 03:24:56", "%Y-%m-%d %H:%M:%S", utc(2025, 1, 24, 8, 24, 56)),
        ("2024-05-26T23:10:10.250", "%Y-%m-%dT%H:%M:%S.%f",
         utc(2024, 5, 27, 3, 10, 10, 250000)),
        ("1/7/20 12:59 PM", "%m/%d/%y %I:%M %p", utc(2020, 1, 7, 17, 59)),
    ],
)  # fmt: skip
def test_pattern_to_utc(text, pattern, expected):
    assert parse([text], DateRule(pattern)).values == [expected]


def test_spring_gap_moves_forward():
    # 02:30 does not exist on 2021-03-14 in New York: read as 03:30 EDT.
    assert parse(["03/14/2021 02:30:00 AM"], US_12H).values == [utc(2021, 3, 14, 7, 30)]


def test_fall_overlap_takes_first():
    # 01:30 happens twice on 2021-11-07: the first (EDT, UTC-4) wins.
    assert parse(["11/07/2021 01:30:00 AM"], US_12H).values == [utc(2021, 11, 7, 5, 30)]


def test_zone_of_source():
    values = parse(["01/15/2020 08:00:00 AM"], US_12H, LOS_ANGELES).values
    assert values == [utc(2020, 1, 15, 16, 0)]


def test_iso_with_offsets():
    parsed = parse(
        ["2019-11-14T00:21:08-05:00", "2019-07-01T10:00:00-04:00"], DateRule("iso")
    )
    assert parsed.values == [utc(2019, 11, 14, 5, 21, 8), utc(2019, 7, 1, 14, 0)]


def test_iso_without_offset_invalid():
    parsed = parse(["2019-11-14T00:21:08"], DateRule("iso"))
    assert parsed.values == [None]
    assert parsed.invalid.tolist() == [True]


def test_epoch_seconds():
    parsed = parse(["1600000000", "1600000000.5"], DateRule("epoch"))
    assert parsed.values == [
        utc(2020, 9, 13, 12, 26, 40),
        utc(2020, 9, 13, 12, 26, 40, 500000),
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("01/01/1900 12:00:00 AM", US_12H),
        ("01/01/1970 12:00:00 AM", US_12H),
        ("12/31/9999 12:00:00 AM", US_12H),
        ("0", DateRule("epoch")),
    ],
)
def test_placeholder_is_none_and_marked(text, rule):
    parsed = parse([text], rule)
    assert parsed.values == [None]
    assert parsed.placeholder.tolist() == [True]
    assert parsed.invalid.tolist() == [False]


def test_empty_and_null_spellings():
    parsed = parse(["", "NA", " "], US_12H, nulls=("", "NA"))
    assert parsed.values == [None, None, None]
    assert parsed.empty.tolist() == [True, True, True]
    assert parsed.invalid.tolist() == [False, False, False]


def test_rolled_over_day_invalid():
    parsed = parse(["02/30/2020 01:00:00 AM", "03/01/2020 01:00:00 AM"], US_12H)
    assert parsed.values == [None, utc(2020, 3, 1, 6, 0)]
    assert parsed.invalid.tolist() == [True, False]


def test_other_format_invalid():
    parsed = parse(["2020-01-01 10:00:00", "garbage"], US_12H)
    assert parsed.invalid.tolist() == [True, True]


def test_date_only_local_midnight():
    parsed = parse(
        ["2/12/20"], DateRule("%m/%d/%y", date_only=True), ZoneInfo("America/Chicago")
    )
    assert parsed.values == [utc(2020, 2, 12, 6, 0)]


def test_column_rule_fixed_by_first_value():
    column = DateColumn(
        "created",
        [US_12H, DateRule("%m/%d/%y %H:%M"), DateRule("%m/%d/%Y %H:%M")],
    )
    first = column.parse(pa.array(["", "1/1/20 0:05"]), NEW_YORK)
    assert column.rule == DateRule("%m/%d/%y %H:%M")
    assert first.values == [None, utc(2020, 1, 1, 5, 5)]
    later = column.parse(pa.array(["3/14/2025 1:20"]), NEW_YORK)
    assert later.invalid.tolist() == [True]


def test_column_rule_waits_for_a_value():
    column = DateColumn("due", [US_12H, DateRule("%m/%d/%Y %H:%M")])
    column.parse(pa.array(["", ""]), NEW_YORK)
    assert column.rule is None
    column.parse(pa.array(["3/14/2025 1:20"]), NEW_YORK)
    assert column.rule == DateRule("%m/%d/%Y %H:%M")


def test_pattern_with_offset():
    rule = DateRule("%d.%m.%Y %H:%M %z")
    parsed = parse(["14.11.2019 00:21 -0500", "14.11.2019 00:21"], rule)
    assert parsed.values == [utc(2019, 11, 14, 5, 21), None]
    assert parsed.invalid.tolist() == [False, True]
