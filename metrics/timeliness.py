"""Timeliness and outcome figures over cases finally closed in the period.

A case counts once here, at its final closure (``fact_case.closed_date``), even
when it was closed several times. Durations are computed from the UTC instants,
so a DST change never adds or loses an hour. A duration is left out when the
case has a duration flag, is a duplicate (for time to close), or would be
negative without a flag. The quality figures count those cases.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from metrics.filters import CASE_COLUMNS, Filters, where_clause
from metrics.query import Periods, fetch, grouped_query, normalize_by, period_where

HOURS_TO_CLOSE = "(epoch(c.closed_at) - epoch(c.created_at)) / 3600.0"
HOURS_TO_RESPOND = "(epoch(c.first_response_at) - epoch(c.created_at)) / 3600.0"
CLOSE_DURATION_OK = (
    "NOT c.has_duration_flag AND NOT c.is_duplicate AND c.closed_at >= c.created_at"
)
DUE_OK = "c.due_at IS NOT NULL AND NOT c.has_duration_flag"

_CLOSURE_SELECT = f"""
    count(*) AS n_closed_cases,
    count(*) FILTER (WHERE c.reopen_count > 0) / nullif(count(*), 0) AS reopen_rate,
    count(*) FILTER (WHERE NOT c.is_duplicate) AS n_closed_unique,
    count(*) FILTER (WHERE NOT c.is_duplicate AND c.outcome = 'resolved')
        / nullif(count(*) FILTER (WHERE NOT c.is_duplicate), 0) AS resolution_rate,
    count(*) FILTER (WHERE {CLOSE_DURATION_OK}) AS n_durations,
    quantile_cont({HOURS_TO_CLOSE}, 0.5) FILTER (WHERE {CLOSE_DURATION_OK})
        AS time_to_close_median_hours,
    quantile_cont({HOURS_TO_CLOSE}, 0.9) FILTER (WHERE {CLOSE_DURATION_OK})
        AS time_to_close_p90_hours,
    avg({HOURS_TO_CLOSE}) FILTER (WHERE {CLOSE_DURATION_OK})
        AS time_to_close_mean_hours,
    count(c.business_days_to_close) FILTER (WHERE {CLOSE_DURATION_OK})
        AS n_business_days,
    quantile_cont(c.business_days_to_close, 0.5) FILTER (WHERE {CLOSE_DURATION_OK})
        AS business_days_to_close_median,
    count(*) FILTER (WHERE {DUE_OK}) AS n_with_due,
    count(*) FILTER (WHERE {DUE_OK} AND c.closed_at <= c.due_at)
        / nullif(count(*) FILTER (WHERE {DUE_OK}), 0) AS on_time_rate
"""


def closures(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Return time to close, on-time, resolution and reopen figures per group.

    Groups and filters use the case's current department and type, which are
    the ones it had at its final closure. ``periods`` replaces the period of
    ``filters`` with several, as ``metrics.query.grouped_query`` describes.
    """
    by = normalize_by(by)
    where, params, table = period_where(filters, "c.closed_date", periods)
    sql = grouped_query(
        _CLOSURE_SELECT,
        "fact_case c",
        f"NOT c.is_open AND {where}",
        by=by,
        columns=CASE_COLUMNS,
        date_column="c.closed_date",
        periods=table,
    )
    return fetch(con, sql, params)


def first_response(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Return the median hours to first response per group.

    Cases are those created in the period with a first response at or after
    their creation and without a duration flag. Cases created near the end of
    the period may have no response yet, so a recent period's median is biased
    low. ``periods`` works as in ``closures``.
    """
    by = normalize_by(by)
    where, params, table = period_where(filters, "c.created_date", periods)
    ok = (
        "c.first_response_at IS NOT NULL AND NOT c.has_duration_flag"
        " AND c.first_response_at >= c.created_at"
    )
    select = (
        f"count(*) FILTER (WHERE {ok}) AS n_responses, "
        f"quantile_cont({HOURS_TO_RESPOND}, 0.5) FILTER (WHERE {ok})"
        " AS first_response_median_hours, "
        f"quantile_cont({HOURS_TO_RESPOND}, 0.9) FILTER (WHERE {ok})"
        " AS first_response_p90_hours"
    )
    sql = grouped_query(
        select,
        "fact_case c",
        where,
        by=by,
        columns=CASE_COLUMNS,
        date_column="c.created_date",
        periods=table,
    )
    return fetch(con, sql, params)


def outcomes(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return cases finally closed in the period per outcome, with shares."""
    where, params = where_clause(filters, date_column="c.closed_date")
    sql = f"""
        SELECT coalesce(c.outcome, 'unknown') AS outcome, count(*) AS closed
        FROM fact_case c WHERE NOT c.is_open AND {where}
        GROUP BY 1 ORDER BY 2 DESC, 1
    """
    frame = fetch(con, sql, params)
    total = frame["closed"].sum()
    frame["share"] = frame["closed"] / total if total else 0.0
    return frame
