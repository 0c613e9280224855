"""Data-quality figures: flagged cases, which the duration figures leave out.

Flags are the names from ``cases.quality`` that the ETL stores comma-separated
in ``fact_case.flags``. Cases are those received in the period.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from metrics.filters import CASE_COLUMNS, Filters, where_clause
from metrics.query import Periods, fetch, grouped_query, normalize_by, period_where

# A closure or first response before creation on a case without a duration
# flag: the duration figures leave it out, so it is counted here as well.
UNFLAGGED_NEGATIVE = "unflagged_negative_duration"


def counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Return ``flagged_cases`` and ``duration_flagged_cases`` per group.

    ``periods`` replaces the period of ``filters`` with several, as
    ``metrics.query.grouped_query`` describes.
    """
    by = normalize_by(by)
    where, params, table = period_where(filters, "c.created_date", periods)
    sql = grouped_query(
        "count(*) FILTER (WHERE coalesce(c.flags, '') <> '') AS flagged_cases, "
        "count(*) FILTER (WHERE c.has_duration_flag) AS duration_flagged_cases",
        "fact_case c",
        where,
        by=by,
        columns=CASE_COLUMNS,
        date_column="c.created_date",
        periods=table,
    )
    return fetch(con, sql, params)


def flags_by_source(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return flagged cases per flag and source, plus unflagged negative durations.

    A case with two flags counts once under each. Columns: ``flag``,
    ``source``, ``cases``.
    """
    where, params = where_clause(filters, date_column="c.created_date")
    sql = f"""
        WITH flagged AS (
            SELECT unnest(string_split(c.flags, ',')) AS flag, c.source
            FROM fact_case c
            WHERE coalesce(c.flags, '') <> '' AND {where}
        ),
        negative AS (
            SELECT '{UNFLAGGED_NEGATIVE}' AS flag, c.source
            FROM fact_case c
            WHERE NOT c.has_duration_flag AND {where}
              AND (c.closed_at < c.created_at OR c.first_response_at < c.created_at)
        )
        SELECT flag, source, count(*) AS cases
        FROM (SELECT * FROM flagged WHERE flag <> '' UNION ALL SELECT * FROM negative)
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
    """
    return fetch(con, sql, params)
