"""Grouping and execution shared by the metric families.

A metric query returns one row per group with a ``key`` column: the department
or service type code, the channel, the district, or the metric's own date, the
Monday of its week or the first day of its month. Without a breakdown it returns
exactly one row whose key is null.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd

from metrics.filters import FilterError

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


def grouped_query(
    select: str,
    source: str,
    where: str,
    *,
    by: str | None,
    columns: Mapping[str, str],
    date_column: str | None,
) -> str:
    """Compose ``SELECT key, <select> FROM <source> <join> WHERE <where>``."""
    key, join = group_sql(by, columns, date_column)
    group = "GROUP BY 1 ORDER BY 1 NULLS LAST" if by else ""
    return f"SELECT {key} AS key, {select} FROM {source} {join} WHERE {where} {group}"


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
