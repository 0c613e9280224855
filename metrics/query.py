"""Grouping and execution shared by the metric families.

A metric query returns one row per group with a ``key`` column: the department
or service type code, the channel, the district, or the metric's own date, the
Monday of its week or the first day of its month. Without a breakdown it returns
exactly one row whose key is null.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from metrics.filters import CASE_COLUMNS, FilterError, Filters, where_clause

log = logging.getLogger(__name__)

BREAKDOWNS: tuple[str, ...] = (
    "department",
    "service_type",
    "channel",
    "district",
    "day",
    "week",
    "month",
)
DATE_BREAKDOWNS = frozenset({"day", "week", "month"})
# (start, end) local dates of each period, both ends inclusive.
Periods = Sequence[tuple[date, date]]


def normalize_by(by: str | None) -> str | None:
    """Accept a breakdown name, with a hyphen or an underscore, or None."""
    if by is None:
        return None
    name = by.replace("-", "_")
    if name not in BREAKDOWNS:
        allowed = ", ".join(b.replace("_", "-") for b in BREAKDOWNS)
        raise FilterError(f"unknown breakdown {by!r}; use one of {allowed}")
    return name


def group_sql(
    by: str | None, columns: Mapping[str, str], date_column: str | None
) -> tuple[str, str]:
    """Return ``(key expression, join)`` for a breakdown; both come from fixed text."""
    by = normalize_by(by)
    if by is None:
        return "NULL", ""
    if by == "department":
        join = f"LEFT JOIN dim_department g ON g.department_id = {columns[by]}"
        return "g.code", join
    if by == "service_type":
        join = f"LEFT JOIN dim_service_type g ON g.service_type_id = {columns[by]}"
        return "g.code", join
    if by in ("channel", "district"):
        return columns[by], ""
    if date_column is None:
        raise FilterError(f"breakdown {by!r} needs a dated metric")
    if by == "day":
        return date_column, ""
    return f"CAST(date_trunc('{by}', {date_column}) AS DATE)", ""


def period_table(periods: Periods) -> tuple[str, dict[str, Any]]:
    """Return a VALUES table ``p(period, period_start, period_end)`` and its parameters.

    ``period`` is the index of each ``(start, end)`` pair of local dates, both
    ends inclusive.
    """
    rows, params = [], {}
    for i, (start, end) in enumerate(periods):
        rows.append(f"({i}, $period_start_{i}, $period_end_{i})")
        params[f"period_start_{i}"] = start
        params[f"period_end_{i}"] = end
    values = f"(VALUES {', '.join(rows)}) p(period, period_start, period_end)"
    return values, params


def period_where(
    filters: Filters,
    date_column: str,
    periods: Periods | None,
    columns: Mapping[str, str] = CASE_COLUMNS,
) -> tuple[str, dict[str, Any], str | None]:
    """Return ``(where, params, period table)`` for one period or several.

    Without ``periods`` the period of ``filters`` is a condition on
    ``date_column`` and the table is None. With them ``grouped_query`` joins
    the returned table on the date. The conditions then also keep only dates
    within one of the periods. The join alone would give the same rows, but
    DuckDB applies a condition on a column of the scanned table during the
    scan and skips row groups whose minimum and maximum dates lie outside
    every period, so tables stored in date order read far fewer rows.
    """
    if periods is None:
        where, params = where_clause(filters, date_column=date_column, columns=columns)
        return where, params, None
    where, params = where_clause(filters, date_column=None, columns=columns)
    table, period_params = period_table(periods)
    params.update(period_params)
    within = " OR ".join(
        f"{date_column} BETWEEN $period_start_{i} AND $period_end_{i}"
        for i in range(len(periods))
    )
    return f"{where} AND ({within})", params, table


def grouped_query(
    select: str,
    source: str,
    where: str,
    *,
    by: str | None,
    columns: Mapping[str, str],
    date_column: str | None,
    periods: str | None = None,
) -> str:
    """Compose ``SELECT key, <select> FROM <source> <join> WHERE <where>``.

    With ``periods`` (a table from ``period_table``) a row counts in each
    period whose dates contain its ``date_column``. The query then returns
    ``period``, ``city`` and ``key`` columns. Each period gets one city-wide
    row (``city`` true, key null) and, with ``by``, one row per group. A
    period without any row has no city-wide row either.
    """
    key, join = group_sql(by, columns, date_column)
    if periods is None:
        group = "GROUP BY 1 ORDER BY 1 NULLS LAST" if by else ""
        return (
            f"SELECT {key} AS key, {select} FROM {source} {join} WHERE {where} {group}"
        )
    if date_column is None:
        raise ValueError("grouping by period needs a date column, got None")
    source = (
        f"{source} JOIN {periods}"
        f" ON {date_column} BETWEEN p.period_start AND p.period_end"
    )
    if by is None:
        head = "p.period AS period, TRUE AS city, NULL AS key"
        group = "GROUP BY p.period ORDER BY 1"
    else:
        head = f"p.period AS period, GROUPING({key}) = 1 AS city, {key} AS key"
        group = (
            f"GROUP BY GROUPING SETS ((p.period, {key}), (p.period))"
            " ORDER BY 1, 2, 3 NULLS LAST"
        )
    return f"SELECT {head}, {select} FROM {source} {join} WHERE {where} {group}"


def fetch(
    con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Run one query with bound parameters and return its rows as a frame.

    DATE columns hold ``datetime.date`` objects, as the filters and keys do.
    """
    started = time.perf_counter()
    result = con.execute(sql, params or {})
    dates = [d[0] for d in result.description if str(d[1]) == "DATE"]
    frame = result.df()
    for column in dates:
        frame[column] = pd.Series(
            [None if pd.isna(v) else v.date() for v in frame[column]],
            index=frame.index,
            dtype=object,
        )
    log.debug(
        "metric query: %d rows in %.1f ms",
        len(frame),
        (time.perf_counter() - started) * 1000,
    )
    return frame
