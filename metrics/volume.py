"""Volume figures: received, closed, clearance, duplicates, channel mix, top types.

"Received" anchors on a case's creation date and filters on its current
department and type. "Closed" counts closure events (``closed`` and ``merged``)
by their local date and filters on the department and type right after the
closure, so a case closed, reopened and closed again counts twice, each time for
the department that closed it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pandas as pd

from metrics.filters import CASE_COLUMNS, EVENT_COLUMNS, Filters, where_clause
from metrics.query import Periods, fetch, grouped_query, normalize_by, period_where

# Event kinds that close a case. A merge closes the child as a duplicate.
CLOSURE_KINDS = ("closed", "merged")


def _received_sql(
    filters: Filters, by: str | None, periods: Periods | None
) -> tuple[str, dict]:
    where, params, table = period_where(filters, "c.created_date", periods)
    sql = grouped_query(
        "count(*) AS received, count(*) FILTER (WHERE c.is_duplicate) AS duplicates",
        "fact_case c",
        where,
        by=by,
        columns=CASE_COLUMNS,
        date_column="c.created_date",
        periods=table,
    )
    return sql, params


def _closed_sql(
    filters: Filters, by: str | None, periods: Periods | None
) -> tuple[str, dict]:
    where, params, table = period_where(
        filters, "e.local_date", periods, columns=EVENT_COLUMNS
    )
    sql = grouped_query(
        "count(*) AS closed",
        "fact_case_event e JOIN fact_case c ON c.case_id = e.case_id",
        f"e.kind IN {CLOSURE_KINDS!r} AND {where}",
        by=by,
        columns=EVENT_COLUMNS,
        date_column="e.local_date",
        periods=table,
    )
    return sql, params


def throughput(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | None = None,
    *,
    periods: Periods | None = None,
) -> pd.DataFrame:
    """Return received, closed, clearance_rate and duplicate_share per group.

    Rates whose denominator (received) is zero are null. ``periods`` replaces
    the period of ``filters`` with several, as ``metrics.query.grouped_query``
    describes.
    """
    by = normalize_by(by)
    received_sql, params = _received_sql(filters, by, periods)
    closed_sql, closed_params = _closed_sql(filters, by, periods)
    params.update(closed_params)
    if periods is None:
        head = "coalesce(r.key, k.key) AS key"
        same_group = "r.key IS NOT DISTINCT FROM k.key"
        order = "1 NULLS LAST"
    else:
        head = (
            "coalesce(r.period, k.period) AS period, "
            "coalesce(r.city, k.city) AS city, coalesce(r.key, k.key) AS key"
        )
        same_group = (
            "r.period = k.period AND r.city = k.city"
            " AND r.key IS NOT DISTINCT FROM k.key"
        )
        order = "1, 2, 3 NULLS LAST"
    sql = f"""
        WITH r AS ({received_sql}), k AS ({closed_sql})
        SELECT {head},
               coalesce(r.received, 0) AS received,
               coalesce(k.closed, 0) AS closed,
               coalesce(k.closed, 0) / nullif(r.received, 0) AS clearance_rate,
               r.duplicates / nullif(r.received, 0) AS duplicate_share
        FROM r FULL JOIN k ON {same_group}
        ORDER BY {order}
    """
    return fetch(con, sql, params)


def _bucket_starts(start: date, end: date, freq: str) -> list[date]:
    """Return the first day of each week (Monday) or month that meets the period."""
    if freq == "week":
        current = start - timedelta(days=start.weekday())
    else:
        current = start.replace(day=1)
    starts = []
    while current <= end:
        starts.append(current)
        if freq == "week":
            current += timedelta(days=7)
        else:
            current = (current + timedelta(days=32)).replace(day=1)
    return starts


def received_closed_series(
    con: duckdb.DuckDBPyConnection, filters: Filters, freq: str = "week"
) -> pd.DataFrame:
    """Return received and closed per week (Monday) or month, with empty buckets as 0.

    Columns: ``period`` (the bucket's first day), ``received``, ``closed``.
    """
    if freq not in ("week", "month"):
        raise ValueError(f"frequency {freq!r} is not week or month")
    frame = throughput(con, filters, by=freq)[["key", "received", "closed"]]
    buckets = pd.Index(_bucket_starts(filters.start, filters.end, freq), dtype=object)
    frame = frame.set_index("key").reindex(buckets, fill_value=0)
    frame.index.name = "period"
    return frame.reset_index().astype({"received": "int64", "closed": "int64"})


def channel_mix(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return cases received per channel with each channel's share of the total."""
    frame = throughput(con, filters, by="channel")
    frame = frame.rename(columns={"key": "channel"})[["channel", "received"]]
    frame = frame[frame["received"] > 0].sort_values("received", ascending=False)
    total = frame["received"].sum()
    frame["share"] = frame["received"] / total if total else 0.0
    return frame.reset_index(drop=True)


def top_service_types(
    con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 10
) -> pd.DataFrame:
    """Return the ``limit`` service types with most cases received in the period.

    Columns: ``service_type`` (code), ``name``, ``received``, ``closed``; ties
    are broken by code.
    """
    frame = throughput(con, filters, by="service_type")
    names = fetch(con, "SELECT code AS key, name FROM dim_service_type")
    frame = frame.merge(names, on="key", how="left")
    frame = frame.sort_values(["received", "key"], ascending=[False, True])
    frame = frame.rename(columns={"key": "service_type"})
    columns = ["service_type", "name", "received", "closed"]
    return frame[columns].head(limit).reset_index(drop=True)


def transfers(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Return transfers out of and into each department in the period.

    A ``transferred`` event moves a case from the department after the event
    before it (in case order: creation first, then time and event id) to the
    department after it. The department filter selects rows; the other
    filters select events. Columns: ``department``, ``transfers_out``,
    ``transfers_in``.
    """
    where, params = where_clause(
        replace(filters, departments=()),
        date_column="e.local_date",
        columns=EVENT_COLUMNS,
    )
    params["departments"] = list(filters.departments)
    sql = f"""
        WITH moved AS (
            SELECT DISTINCT e.case_id FROM fact_case_event e
            WHERE e.kind = 'transferred' AND e.local_date BETWEEN $start AND $end
        ),
        history AS (
            SELECT e.*, lag(e.department_id_after) OVER (
                PARTITION BY e.case_id
                ORDER BY e.kind <> 'created', e."at", e.event_id
            ) AS department_id_before
            FROM fact_case_event e JOIN moved USING (case_id)
        ),
        t AS (
            SELECT e.department_id_before AS source, e.department_id_after AS target
            FROM history e JOIN fact_case c ON c.case_id = e.case_id
            WHERE e.kind = 'transferred' AND {where}
        ),
        sides AS (
            SELECT source AS department_id, 1 AS transfers_out, 0 AS transfers_in
            FROM t
            UNION ALL
            SELECT target, 0, 1 FROM t
        )
        SELECT d.code AS department,
               CAST(sum(transfers_out) AS BIGINT) AS transfers_out,
               CAST(sum(transfers_in) AS BIGINT) AS transfers_in
        FROM sides JOIN dim_department d USING (department_id)
        WHERE len($departments) = 0 OR list_contains($departments, d.code)
        GROUP BY 1 ORDER BY 1
    """
    return fetch(con, sql, params)
