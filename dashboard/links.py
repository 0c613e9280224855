"""Links between views; each carries the filters so the target shows the same slice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import quote

from dashboard.urlstate import filter_query
from metrics.filters import Filters


def cases_href(filters: Filters, basis: str = "received", **extra: str | None) -> str:
    return "/cases" + filter_query(filters, basis=basis, **extra)


def department_href(code: str, filters: Filters) -> str:
    return f"/department/{quote(code, safe='')}" + filter_query(
        replace(filters, departments=())
    )


def case_href(case_number: str) -> str:
    return f"/cases/{quote(case_number, safe='')}"


def week_filters(filters: Filters, monday: date) -> Filters:
    """Narrow filters to one week, clipped to the period."""
    start = max(monday, filters.start)
    end = min(monday + timedelta(days=6), filters.end)
    return replace(filters, start=start, end=end)
