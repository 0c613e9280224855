"""What the maps plot: cases per district at the district's point, and open cases.

District points come from ``dim_geography`` (configured label points, not
centroids), so a district map needs no tile server and no boundary file.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from metrics.backlog import OPEN_AT, open_where
from metrics.filters import Filters, where_clause
from metrics.query import fetch

MAX_POINTS = 5000


def district_counts(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return cases received in the period per district that has a map point.

    Columns: ``district``, ``name``, ``latitude``, ``longitude``, ``received``,
    ``open_now`` (of those received, the ones still open). Districts with no
    case in the period appear with zeros.
    """
    where, params = where_clause(filters, date_column="c.created_date")
    sql = f"""
        WITH counts AS (
            SELECT c.district, count(*) AS received,
                   count(*) FILTER (WHERE c.is_open) AS open_now
            FROM fact_case c WHERE {where} GROUP BY 1
        )
        SELECT g.district, g.name, g.latitude, g.longitude,
               coalesce(k.received, 0) AS received,
               coalesce(k.open_now, 0) AS open_now
        FROM dim_geography g LEFT JOIN counts k ON k.district = g.district
        WHERE g.latitude IS NOT NULL AND g.longitude IS NOT NULL
        ORDER BY g.district
    """
    return fetch(con, sql, params)


def district_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return each district's map point, whatever the filters.

    Columns: ``district``, ``name``, ``latitude``, ``longitude``. Districts
    without a configured point are left out.
    """
    sql = """
        SELECT district, name, latitude, longitude FROM dim_geography
        WHERE latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY district
    """
    return fetch(con, sql, {})


def open_case_points(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    now: datetime,
    limit: int = 2000,
) -> pd.DataFrame:
    """Return up to ``limit`` cases open at the as-of time, most overdue first.

    The as-of time is ``filters.as_of``, or ``now`` when that is None; the
    cases are the open backlog of that moment (``metrics.backlog``), whenever
    they were created. Columns: ``case_number``, ``latitude``, ``longitude``,
    ``service_type``, ``due_at``, ``overdue``.
    """
    limit = max(1, min(limit, MAX_POINTS))
    where, params = open_where(filters)
    params.update(as_of=filters.as_of or now, limit=limit)
    # Choosing the cases before reading their numbers keeps the string column
    # of every other case out of the join.
    sql = f"""
        WITH chosen AS (
            SELECT s.case_id, s.service_type_id, s.due_at
            FROM {OPEN_AT}
            WHERE c.latitude IS NOT NULL AND c.longitude IS NOT NULL AND {where}
            ORDER BY s.due_at NULLS LAST, s.case_id
            LIMIT $limit
        )
        SELECT c.case_number, c.latitude, c.longitude, t.code AS service_type,
               o.due_at, coalesce(o.due_at < $as_of, false) AS overdue
        FROM chosen o JOIN fact_case c ON c.case_id = o.case_id
        LEFT JOIN dim_service_type t ON t.service_type_id = o.service_type_id
        ORDER BY o.due_at NULLS LAST, o.case_id
    """
    return fetch(con, sql, params)
