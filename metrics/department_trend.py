"""Cases received per department and week, for the scorecard's sparklines."""

from __future__ import annotations

import duckdb
import pandas as pd

from metrics.filters import Filters, where_clause
from metrics.query import fetch


def weekly_received(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return received cases per department and week (Monday) in one query.

    Only weeks with cases appear. Columns: ``department``, ``week``, ``received``.
    """
    where, params = where_clause(filters, date_column="c.created_date")
    sql = f"""
        SELECT d.code AS department,
               CAST(date_trunc('week', c.created_date) AS DATE) AS week,
               count(*) AS received
        FROM fact_case c JOIN dim_department d ON d.department_id = c.department_id
        WHERE {where}
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    return fetch(con, sql, params)
