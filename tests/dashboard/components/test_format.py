"""Display text of values, changes and durations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dashboard.components.format import (
    format_change,
    format_comparison,
    format_dates,
    format_hours,
    format_instant,
    format_period,
    format_value,
)
from metrics.filters import Filters


def test_format_value_by_unit():
    assert format_value(1234, "cases") == "1,234"
    assert format_value(0.856, "fraction") == "86%"
    assert format_value(30, "hours") == "30.0 h"
    assert format_value(120, "hours") == "5.0 days"
    assert format_value(1.2345, "ratio") == "1.23"
    assert format_value(None, "fraction", "insufficient data") == "insufficient data"


def test_format_hours_switches_to_days_at_two_days():
    assert format_hours(47.9) == "47.9 h"
    assert format_hours(48) == "2.0 days"


def test_format_change():
    assert format_change(85, 20, "cases") == "▲ 325% vs previous period"
    assert format_change(10, 20, "cases") == "▼ 50% vs previous period"
    assert format_change(0.7, 0.8, "fraction") == "▼ 10.0 points vs previous period"


def test_format_change_rounding_to_zero_shows_equal():
    assert format_change(1002, 1000, "cases") == "= 0% vs previous period"
    assert format_change(0.8004, 0.8, "fraction") == "= 0.0 points vs previous period"
    assert format_change(1006, 1000, "cases") == "▲ 1% vs previous period"
    assert format_change(5, 0, "cases") == "previous period had none"
    assert format_change(5, None, "cases") == "no previous period to compare"


def test_format_instant_in_city_zone():
    zone = ZoneInfo("America/New_York")
    moment = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert format_instant(moment, zone) == "2026-11-30 12:00 EST"
    assert format_instant(None, zone) == "none"


def test_format_dates_shortens_shared_parts():
    assert format_dates(date(2026, 12, 1), date(2026, 12, 4)) == "1–4 Dec 2026"
    assert format_dates(date(2026, 10, 31), date(2026, 11, 3)) == "31 Oct–3 Nov 2026"
    assert (
        format_dates(date(2025, 12, 29), date(2026, 1, 4)) == "29 Dec 2025–4 Jan 2026"
    )
    assert format_dates(date(2026, 12, 1), date(2026, 12, 1)) == "1 Dec 2026"


def _result(to_date: bool) -> dict:
    return {
        "period": {"from": "2026-12-01", "to": "2026-12-31"},
        "period_to_date": {"from": "2026-12-01", "to": "2026-12-04"},
        "to_date": to_date,
        "previous_period": {"from": "2026-10-31", "to": "2026-11-03"},
    }


def test_format_comparison_to_date():
    assert (
        format_comparison(_result(True))
        == "1–4 Dec 2026, to date; compared with 31 Oct–3 Nov 2026"
    )


def test_format_comparison_whole_period():
    assert (
        format_comparison(_result(False))
        == "1–31 Dec 2026; compared with 31 Oct–3 Nov 2026"
    )


def test_format_period_to_date_while_last_day_runs():
    zone = ZoneInfo("America/New_York")
    december = Filters(date(2026, 12, 1), date(2026, 12, 31))
    running = replace(december, as_of=datetime(2026, 12, 4, 20, 35, tzinfo=zone))
    assert format_period(running, zone) == "1–31 Dec 2026, to date"
    ended = replace(december, as_of=datetime(2027, 1, 1, tzinfo=zone))
    assert format_period(ended, zone) == "1–31 Dec 2026"
    assert format_period(december, zone) == "1–31 Dec 2026"
