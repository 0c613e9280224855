"""Display text for metric values, durations and instants."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from metrics.filters import Filters

INSUFFICIENT = "insufficient data"


def format_value(value: float | None, unit: str, reason: str | None = None) -> str:
    """Format a metric value by its registry unit: '1,234', '87%', '5.2 days'.

    A missing value shows its reason ('insufficient data', 'no cases').
    """
    if value is None or pd.isna(value):
        return reason or "no data"
    if unit == "fraction":
        return f"{value:.0%}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "hours":
        return format_hours(value)
    if unit == "cases":
        return f"{int(value):,}"
    return f"{value:,.1f} {unit}"


def format_hours(hours: float) -> str:
    """Format a duration in hours: below two days in hours, else in days."""
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def format_change(current: float | None, previous: float | None, unit: str) -> str:
    """Describe the change from the previous period: '▲ 12% vs previous period'."""
    if current is None or previous is None:
        return "no previous period to compare"
    if unit == "fraction":
        points = round((current - previous) * 100, 1)
        return f"{_arrow(points)} {abs(points):.1f} points vs previous period"
    if previous == 0:
        return "previous period had none"
    # The arrow follows the change as shown, so a change under half a percent
    # reads '= 0%' rather than '▲ 0%'.
    change = round((current - previous) / previous, 2)
    return f"{_arrow(change)} {abs(change):.0%} vs previous period"


def format_dates(start: date, end: date) -> str:
    """Format a period of dates: '1–4 Dec 2026', '31 Oct–3 Nov 2026', '1 Dec 2026'."""
    if start == end:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%b}–{end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y}–{end.day} {end:%b %Y}"


def _period_dates(period: dict[str, str]) -> str:
    return format_dates(
        date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    )


def format_period(filters: Filters, zone: ZoneInfo) -> str:
    """Name a period and whether it is still running: '1–31 Dec 2026, to date'.

    A period is to date while its as-of time is before the end of its last
    day in ``zone``.
    """
    text = format_dates(filters.start, filters.end)
    if filters.as_of is None:
        return text
    end = datetime.combine(filters.end + timedelta(days=1), time(), tzinfo=zone)
    return f"{text}, to date" if filters.as_of < end else text


def format_comparison(result: dict[str, Any]) -> str:
    """Name the days a ``compute`` result counts and the days it compares them with.

    A period that the as-of time cuts short reads '1–4 Dec 2026, to date;
    compared with 31 Oct–3 Nov 2026'.
    """
    previous = _period_dates(result["previous_period"])
    if result["to_date"]:
        counted = _period_dates(result["period_to_date"])
        return f"{counted}, to date; compared with {previous}"
    return f"{_period_dates(result['period'])}; compared with {previous}"


def _arrow(change: float) -> str:
    if change > 0:
        return "▲"
    if change < 0:
        return "▼"
    return "="


def format_instant(value: datetime | None, zone: ZoneInfo) -> str:
    """Format an aware instant in the city's time zone, with its offset."""
    if value is None or pd.isna(value):
        return "none"
    return (
        pd.Timestamp(value)
        .to_pydatetime()
        .astimezone(zone)
        .strftime("%Y-%m-%d %H:%M %Z")
    )
