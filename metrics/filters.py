"""The filters every metric takes, and the one place they become SQL.

Values always travel as bound DuckDB parameters (``$name``). Column names and
grouping expressions come only from the fixed tables below, never from input.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo


class FilterError(ValueError):
    """A filter value that cannot be used; the message names it."""


def _as_tuple(value: str | Iterable[str] | None, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    items = tuple(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise FilterError(f"{name} filter value {item!r} is not a non-empty code")
    return items


# Periods and as-of times requested by a user must fall in these years, so
# that the previous period and a year earlier are still valid dates. 311
# records that predate 1900 are placeholders, not history.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def check_range(start: date, end: date, as_of: datetime | None = None) -> None:
    """Raise FilterError unless a requested period and as-of time are in range."""
    for name, value in (("start", start), ("end", end)):
        if not FIRST_DAY <= value <= LAST_DAY:
            raise FilterError(
                f"period {name} {value} is out of range; use a date from "
                f"{FIRST_DAY} to {LAST_DAY}"
            )
    if as_of is not None and not FIRST_DAY <= as_of.date() <= LAST_DAY:
        raise FilterError(
            f"as-of time {as_of.date()} is out of range; use a time from "
            f"{FIRST_DAY} to {LAST_DAY}"
        )


@dataclass(frozen=True)
class Filters:
    """A period of city-local dates (both ends inclusive) and optional narrowing.

    Each narrowing field contains codes, and a row matches any of them. Empty
    means all.
    ``as_of`` (an aware instant) fixes the moment at which backlog, overdue and
    aging are evaluated; None means the caller's clock.
    """

    start: date
    end: date
    departments: tuple[str, ...] = field(default=())
    service_types: tuple[str, ...] = field(default=())
    channels: tuple[str, ...] = field(default=())
    districts: tuple[str, ...] = field(default=())
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise FilterError(f"period {name} {value!r} is not a date")
        if self.end < self.start:
            raise FilterError(
                f"period end {self.end} is before its start {self.start}; "
                "swap the dates"
            )
        for name in ("departments", "service_types", "channels", "districts"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name), name))
        if self.as_of is not None and self.as_of.utcoffset() is None:
            raise FilterError(
                f"as-of time {self.as_of.isoformat()} has no UTC offset; "
                "give an aware datetime"
            )

    @property
    def days(self) -> int:
        """Length of the period in days, both ends counted."""
        return (self.end - self.start).days + 1

    def previous_period(self) -> Filters:
        """Return the period before this one, ending the day before it starts.

        A period of whole calendar months is compared with as many whole
        months before it (October with September, a quarter with the quarter
        before). Its as-of time moves back by those months, so months of
        different lengths line up by day of the month. Any other period is
        compared with the same number of days before it.
        """
        months = _whole_months(self.start, self.end)
        if months:
            as_of = None if self.as_of is None else _months_earlier(self.as_of, months)
            start = _months_back(self.start, months)
            return self._moved(start, self.start - timedelta(days=1), as_of)
        shift = timedelta(days=self.days)
        as_of = None if self.as_of is None else self.as_of - shift
        return self._moved(self.start - shift, self.end - shift, as_of)

    def year_earlier(self) -> Filters:
        """Return the same dates one year earlier (29 February becomes 28 February)."""
        start, end = _year_back(self.start), _year_back(self.end)
        as_of = None if self.as_of is None else self.as_of - (self.start - start)
        return self._moved(start, end, as_of)

    def last_counted_day(self, zone: tzinfo) -> date:
        """Return the last city-local day of the period that ``as_of`` has reached.

        That is the day ``as_of`` falls in, or the day before when ``as_of`` is
        exactly local midnight, and never later than ``end``. Raises ValueError
        when ``as_of`` is None.
        """
        if self.as_of is None:
            raise ValueError("the period has no as-of time to cut it at")
        local = self.as_of.astimezone(zone)
        day = local.date()
        if local.time() == time():
            day -= timedelta(days=1)
        return min(day, self.end)

    def _moved(self, start: date, end: date, as_of: datetime | None) -> Filters:
        """Return the period ``start``-``end`` with ``as_of``, kept within it.

        ``as_of`` was moved on the wall clock of its own zone. A month shorter
        than this one ends at its own end: 31 March moved back a month is
        capped at the end of February.
        """
        if as_of is not None:
            end_of_period = datetime.combine(
                end + timedelta(days=1), time(), tzinfo=as_of.tzinfo
            )
            as_of = min(as_of, end_of_period)
        return replace(self, start=start, end=end, as_of=as_of)


def _whole_months(start: date, end: date) -> int:
    """Return how many calendar months ``start``-``end`` covers, 0 if not whole ones."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _months_back(day: date, months: int) -> date:
    """Return the first of the month ``months`` months before ``day`` (a first)."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _months_earlier(moment: datetime, months: int) -> datetime:
    """Move ``moment`` back by calendar months on its wall clock.

    The day of the month is kept, or the month's last day when it is shorter.
    """
    index = moment.year * 12 + moment.month - 1 - months
    year, month = index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


# Columns a filter may apply to, per source table alias. ``c`` is fact_case and
# ``e`` is fact_case_event, whose department and type are the values right after
# the event. ``s`` is a case's replayed state at a moment. Channel and district
# always come from ``c``.
CASE_COLUMNS: Mapping[str, str] = {
    "department": "c.department_id",
    "service_type": "c.service_type_id",
    "channel": "c.channel",
    "district": "c.district",
}
EVENT_COLUMNS: Mapping[str, str] = {
    "department": "e.department_id_after",
    "service_type": "e.service_type_id_after",
    "channel": "c.channel",
    "district": "c.district",
}
STATE_COLUMNS: Mapping[str, str] = {
    "department": "s.department_id",
    "service_type": "s.service_type_id",
    "channel": "c.channel",
    "district": "c.district",
}
COLUMN_SETS = (CASE_COLUMNS, EVENT_COLUMNS, STATE_COLUMNS)
DATE_COLUMNS = frozenset({"c.created_date", "c.closed_date", "e.local_date"})


def _checked_columns(columns: Mapping[str, str]) -> Mapping[str, str]:
    if not any(columns is allowed for allowed in COLUMN_SETS):
        raise ValueError("columns must be one of the mappings in metrics.filters")
    return columns


def where_clause(
    filters: Filters,
    *,
    date_column: str | None,
    columns: Mapping[str, str] = CASE_COLUMNS,
) -> tuple[str, dict[str, Any]]:
    """Build ``(sql, params)``: the conditions of ``filters`` joined by AND.

    ``date_column`` (one of DATE_COLUMNS, or None for no period condition) is the
    city-local date that must fall in the period. The SQL refers to the
    parameters by name, so several clauses of the same filters can share them.
    """
    columns = _checked_columns(columns)
    conditions: list[str] = ["TRUE"]
    params: dict[str, Any] = {}
    if date_column is not None:
        if date_column not in DATE_COLUMNS:
            raise ValueError(f"date column {date_column!r} is not allowed")
        conditions.append(f"{date_column} BETWEEN $start AND $end")
        params.update(start=filters.start, end=filters.end)
    if filters.departments:
        conditions.append(
            f"{columns['department']} IN (SELECT department_id FROM dim_department"
            " WHERE list_contains($departments, code))"
        )
        params["departments"] = list(filters.departments)
    if filters.service_types:
        conditions.append(
            f"{columns['service_type']} IN (SELECT service_type_id"
            " FROM dim_service_type WHERE list_contains($service_types, code))"
        )
        params["service_types"] = list(filters.service_types)
    if filters.channels:
        conditions.append(f"list_contains($channels, {columns['channel']})")
        params["channels"] = list(filters.channels)
    if filters.districts:
        conditions.append(f"list_contains($districts, {columns['district']})")
        params["districts"] = list(filters.districts)
    return " AND ".join(conditions), params


def check_codes(con, filters: Filters) -> None:
    """Raise FilterError for a department or service type code the warehouse lacks."""
    checks = (
        ("department", "dim_department", filters.departments),
        ("service type", "dim_service_type", filters.service_types),
    )
    for label, table, codes in checks:
        if not codes:
            continue
        known = {row[0] for row in con.execute(f"SELECT code FROM {table}").fetchall()}
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise FilterError(
                f"unknown {label} code {unknown[0]!r}; the warehouse has "
                f"{', '.join(sorted(known)) or 'none'}"
            )


def period_as_of(filters: Filters, now: datetime, zone: ZoneInfo) -> datetime:
    """Return when backlog and overdue are taken unless ``as_of`` is given.

    That is the end of the period (the local midnight after its last day), or
    ``now`` while the period is still running, so a past period's figures do not
    change as time goes on.
    """
    end = datetime.combine(filters.end + timedelta(days=1), time(), zone)
    return min(now, end)


@dataclass(frozen=True)
class Comparison:
    """The periods a CitiStat figure is computed for, each with its as-of time.

    ``current`` is the requested period, cut to date when ``to_date`` is true.
    ``previous`` and ``year_earlier`` cover the same number of days.
    """

    requested: Filters
    current: Filters
    previous: Filters
    year_earlier: Filters
    # True when the as-of time falls before the end of the period's last day.
    to_date: bool


def comparison_periods(filters: Filters, zone: tzinfo) -> Comparison:
    """Return the periods to compare, like for like, at ``filters.as_of``.

    The previous period is the one of equal length that ends the day before
    ``filters.start``, and the year-earlier period has the same dates a year
    before. When ``as_of`` falls inside the period, the period is cut to the
    days it has reached, and each comparison period keeps only as many days
    from its start. So on 4 December, 1-31 December is counted as 1-4 December
    and compared with 31 October to 3 November.
    The comparison as-of times are ``as_of`` moved back by whole days on the
    wall clock of ``zone``, so local midnight stays midnight across a
    daylight-saving change.

    Raises FilterError when ``as_of`` is at or before the period's first
    local midnight.

    NOTE: counts are by whole city-local days, so the day of ``as_of`` is
    partial in the current period and whole in the comparison periods.
    """
    if filters.as_of is None:
        raise ValueError("comparison periods need an as-of time")
    requested = replace(filters, as_of=filters.as_of.astimezone(zone))
    current = requested
    last_day = requested.last_counted_day(zone)
    if last_day < requested.start:
        # No day of the period has begun: every count would be of nothing,
        # and a whole previous period is no like-for-like comparison.
        raise FilterError(
            f"the period {requested.start} to {requested.end} has not started "
            f"at the as-of time {requested.as_of:%Y-%m-%d %H:%M} (city time); "
            "choose a period that has started or a later as-of time"
        )
    if requested.start <= last_day < requested.end:
        current = replace(requested, end=last_day)
    previous = requested.previous_period()
    if current.end < requested.end:
        counted = current.end - current.start
        previous = replace(previous, end=min(previous.start + counted, previous.end))
    # The period is to date while its last day has not ended, even uncut.
    period_end = datetime.combine(
        requested.end + timedelta(days=1), time(), tzinfo=requested.as_of.tzinfo
    )
    to_date = requested.as_of < period_end
    return Comparison(requested, current, previous, current.year_earlier(), to_date)
