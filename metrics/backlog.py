"""Backlog, overdue and aging as of a moment, from the case events.

A case's state at T is the state after its last event at or before T, in case
order: the ``created`` event first, then by time and event id. That state gives
the status, the department, the service type and the due date at T. A case is in
the backlog at T when it was created at or before T and its status at T is not
closed. It is overdue when, in addition, its due date at T is before T.

Each event row carries ``next_at``, the time of the case's next event in case
order (NULL for its last), so the event whose state holds at T is the single one
with ``"at" <= T AND (next_at IS NULL OR next_at > T)``: a range filter, with no
replay. Only cases that may be open at T count: a case whose final closure is at
or before T is closed at T, because every later event would be a reopening and
the closure would not be final.

The caller always passes T: this module never reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from metrics.filters import STATE_COLUMNS, Filters, where_clause
from metrics.query import fetch, group_sql, grouped_query, normalize_by
from metrics.registry import AGE_BUCKETS

CASE_ORDER = "e.kind <> 'created', e.\"at\", e.event_id"

# Open cases at $as_of with their state columns under alias ``s``, and their
# fact_case row under alias ``c``.
OPEN_AT = """
    (SELECT e.case_id, e.status_after AS status,
            e.department_id_after AS department_id,
            e.service_type_id_after AS service_type_id, e.due_at_after AS due_at
     FROM fact_case_event e
     WHERE e."at" <= $as_of AND (e.next_at IS NULL OR e.next_at > $as_of)
       AND e.status_after <> 'closed') s
    JOIN fact_case c ON c.case_id = s.case_id
"""


def _check_instant(as_of: datetime) -> None:
    if as_of.utcoffset() is None:
        raise ValueError(f"as-of time {as_of.isoformat()} has no UTC offset")


def open_where(filters: Filters) -> tuple[str, dict]:
    """Return the conditions on ``OPEN_AT`` for cases open at ``$as_of``."""
    where, params = where_clause(filters, date_column=None, columns=STATE_COLUMNS)
    condition = "c.created_at <= $as_of AND (c.is_open OR c.closed_at > $as_of)"
    return f"{condition} AND {where}", params


def state(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: datetime,
    by: str | None = None,
) -> pd.DataFrame:
    """Return ``open_backlog`` and ``overdue_open`` at ``as_of`` per group.

    Breakdowns by week or month are not defined for a single moment; use
    ``backlog_series`` for backlog over time.
    """
    _check_instant(as_of)
    by = normalize_by(by)
    where, params = open_where(filters)
    params["as_of"] = as_of
    sql = grouped_query(
        "count(*) AS open_backlog, "
        "count(*) FILTER (WHERE s.due_at < $as_of) AS overdue_open",
        OPEN_AT,
        where,
        by=by,
        columns=STATE_COLUMNS,
        date_column=None,
    )
    return fetch(con, sql, params)


def states(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    moments: Sequence[datetime],
    by: str | None = None,
) -> list[pd.DataFrame]:
    """Return ``state(con, filters, moment, by)`` for each moment, in one scan.

    An event row is read once and counted for every moment at which its state
    holds, so comparison periods cost little more than one. Groups without an
    open case at a moment are left out of that moment's frame, as ``state``
    leaves them out.
    """
    sql, params = _states_sql(filters, moments, normalize_by(by), city_rows=False)
    return _split_moments(fetch(con, sql, params), len(moments), by is not None)


def city_and_group_states(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    moments: Sequence[datetime],
    by: str,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Return ``states`` without a breakdown and by ``by``, from one query.

    The query groups by grouping sets, so it scans the events once for both.
    """
    by = normalize_by(by)
    if by is None:
        raise ValueError("city_and_group_states needs a breakdown, got None")
    sql, params = _states_sql(filters, moments, by, city_rows=True)
    merged = fetch(con, sql, params)
    city = merged[merged["city"]].drop(columns="city").reset_index(drop=True)
    groups = merged[~merged["city"]].drop(columns="city").reset_index(drop=True)
    return (
        _split_moments(city, len(moments), grouped=False),
        _split_moments(groups, len(moments), grouped=True),
    )


def _states_sql(
    filters: Filters, moments: Sequence[datetime], by: str | None, city_rows: bool
) -> tuple[str, dict]:
    for moment in moments:
        _check_instant(moment)
    where, params = where_clause(filters, date_column=None, columns=STATE_COLUMNS)
    spans, counts = [], []
    for i, moment in enumerate(moments):
        params[f"as_of_{i}"] = moment
        at = f"$as_of_{i}"
        spans.append(f'("at" <= {at} AND (next_at IS NULL OR next_at > {at}))')
        open_then = (
            f's."at" <= {at} AND (s.next_at IS NULL OR s.next_at > {at})'
            f" AND c.created_at <= {at} AND (c.is_open OR c.closed_at > {at})"
        )
        counts.append(
            f"count(*) FILTER (WHERE {open_then}) AS open_{i}, "
            f"count(*) FILTER (WHERE {open_then} AND s.due_at < {at}) AS overdue_{i}"
        )
    # Events whose state is in effect at one of the moments, under alias ``s``.
    source = f"""
        (SELECT case_id, "at", next_at, department_id_after AS department_id,
                service_type_id_after AS service_type_id, due_at_after AS due_at
         FROM fact_case_event
         WHERE status_after <> 'closed' AND ({" OR ".join(spans)})) s
        JOIN fact_case c ON c.case_id = s.case_id
    """
    if not city_rows:
        sql = grouped_query(
            ", ".join(counts),
            source,
            where,
            by=by,
            columns=STATE_COLUMNS,
            date_column=None,
        )
        return sql, params
    # One city-wide row (key null) and one row per group, in group order.
    key, join = group_sql(by, STATE_COLUMNS, None)
    sql = f"""
        SELECT GROUPING({key}) = 1 AS city, {key} AS key, {", ".join(counts)}
        FROM {source} {join} WHERE {where}
        GROUP BY GROUPING SETS (({key}), ()) ORDER BY 1, 2 NULLS LAST
    """
    return sql, params


def _split_moments(
    merged: pd.DataFrame, moments: int, grouped: bool
) -> list[pd.DataFrame]:
    frames = []
    for i in range(moments):
        frame = merged[["key", f"open_{i}", f"overdue_{i}"]].rename(
            columns={f"open_{i}": "open_backlog", f"overdue_{i}": "overdue_open"}
        )
        if grouped:
            frame = frame[frame["open_backlog"] > 0].reset_index(drop=True)
        frames.append(frame)
    return frames


def aging(
    con: duckdb.DuckDBPyConnection, filters: Filters, as_of: datetime
) -> pd.DataFrame:
    """Return open cases at ``as_of`` per age bucket, every bucket present.

    Age is whole days of 24 hours since creation, so 2 days 23 hours is in the
    0-2 bucket. Columns: ``bucket``, ``open``.
    """
    _check_instant(as_of)
    where, params = open_where(filters)
    params["as_of"] = as_of
    sql = f"""
        SELECT floor((epoch($as_of) - epoch(c.created_at)) / 86400) AS age_days
        FROM {OPEN_AT} WHERE {where}
    """
    ages = fetch(con, f"SELECT age_days, count(*) AS n FROM ({sql}) GROUP BY 1", params)
    rows = []
    for label, low, high in AGE_BUCKETS:
        upper = ages["age_days"] <= high if high is not None else True
        rows.append(
            (label, int(ages.loc[(ages["age_days"] >= low) & upper, "n"].sum()))
        )
    return pd.DataFrame(rows, columns=["bucket", "open"])


@dataclass(frozen=True)
class Page:
    """One page of a longer table: ``rows`` from ``offset``, ``total`` in all."""

    rows: pd.DataFrame
    total: int
    offset: int
    limit: int


def overdue_list(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    as_of: datetime,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    """Return one page of cases overdue at ``as_of``, most overdue first.

    Columns: ``case_number``, ``service_type``, ``department`` (codes, as at
    ``as_of``), ``due_at`` (UTC), ``days_overdue`` (fractional days).
    """
    _check_instant(as_of)
    if limit <= 0 or offset < 0:
        raise ValueError(f"page limit {limit} and offset {offset} must be >= 1, >= 0")
    where, params = open_where(filters)
    params.update(as_of=as_of, limit=limit, offset=offset)
    condition = f"{where} AND s.due_at < $as_of"
    # The page is cut by due date before the case numbers are read, so the
    # join reads numbers for the page and its ties only. A row at position p
    # in (due date, number) order has a due-date rank of at most p.
    sql = f"""
        WITH overdue AS (
            SELECT s.case_id, s.service_type_id, s.department_id, s.due_at
            FROM {OPEN_AT} WHERE {condition}
        ), page AS (
            SELECT * FROM overdue
            QUALIFY rank() OVER (ORDER BY due_at) <= $offset + $limit
        )
        SELECT c.case_number, t.code AS service_type, d.code AS department,
               o.due_at, (epoch($as_of) - epoch(o.due_at)) / 86400.0 AS days_overdue,
               (SELECT count(*) FROM overdue) AS total
        FROM page o JOIN fact_case c ON c.case_id = o.case_id
        LEFT JOIN dim_service_type t ON t.service_type_id = o.service_type_id
        LEFT JOIN dim_department d ON d.department_id = o.department_id
        ORDER BY o.due_at, c.case_number LIMIT $limit OFFSET $offset
    """
    rows = fetch(con, sql, params)
    if len(rows):
        total = int(rows["total"].iloc[0])
    else:
        # A page past the end has no row to carry the total.
        count_params = {k: v for k, v in params.items() if k not in ("limit", "offset")}
        count_sql = f"SELECT count(*) AS n FROM {OPEN_AT} WHERE {condition}"
        total = int(fetch(con, count_sql, count_params)["n"].iloc[0])
    rows = rows.drop(columns="total")
    return Page(rows, total, offset, limit)


def _zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def series_days(start: date, end: date, freq: str) -> list[date]:
    """Return the days a series samples: each day, or each Sunday and the end."""
    if freq not in ("day", "week"):
        raise ValueError(f"frequency {freq!r} is not day or week")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if freq == "week":
        days = [d for d in days if d.isoweekday() == 7 or d == end]
    return days


def _series_spans(where: str, windowed: bool) -> str:
    """Return the CTEs that end in ``spans(first_day, next_date)`` of open states."""
    if windowed:
        return f"""
        ordered AS (
            SELECT e.case_id, e.local_date, e.status_after AS status,
                   e.department_id_after AS department_id,
                   e.service_type_id_after AS service_type_id,
                   lead(e.local_date) OVER (
                       PARTITION BY e.case_id ORDER BY {CASE_ORDER}
                   ) AS next_date
            FROM fact_case_event e JOIN fact_case c ON c.case_id = e.case_id
            WHERE c.created_date <= $end AND (c.is_open OR c.closed_date >= $start)
        ),
        spans AS (
            SELECT greatest(s.local_date, c.created_date) AS first_day, s.next_date
            FROM ordered s JOIN fact_case c ON c.case_id = s.case_id
            WHERE s.status <> 'closed' AND {where}
        ),"""
    return f"""
        spans AS (
            SELECT greatest(s.local_date, c.created_date) AS first_day,
                   CAST(timezone($zone, s.next_at) AS DATE) AS next_date
            FROM (SELECT e.case_id, e.local_date, e.next_at,
                         e.status_after AS status,
                         e.department_id_after AS department_id,
                         e.service_type_id_after AS service_type_id
                  FROM fact_case_event e
                  WHERE e.next_at IS NULL OR e.next_at >= $spans_from) s
            JOIN fact_case c ON c.case_id = s.case_id
            WHERE c.created_date <= $end AND (c.is_open OR c.closed_date >= $start)
              AND s.status <> 'closed' AND {where}
        ),"""


def backlog_series(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    freq: str = "day",
    zone: ZoneInfo | str | None = None,
) -> pd.DataFrame:
    """Return the open backlog at the end of each day (or week) of the period.

    The state at the end of local day d is the state after the case's last
    event whose local date is on or before d, so this equals ``state`` at
    the next local midnight except for events exactly at midnight. It runs as
    one query: each event opens a span of days during which its state holds,
    open spans add 1 on their first day and subtract 1 on the day after, and
    a running sum gives the backlog. Columns: ``day``, ``open_backlog``.

    A span ends on the next event's local date. With ``zone``, the time zone
    the ETL wrote ``local_date`` in (the city's), that date is ``next_at`` in
    the zone. Without it a window over each case's events finds it, which
    takes about twice as long.

    With ``filters.as_of`` the series stops at the day it falls in, read in
    ``zone`` (or in the as-of time's own zone without one), because later
    days have no backlog yet. A period that starts after it has no rows.
    """
    where, params = where_clause(filters, date_column=None, columns=STATE_COLUMNS)
    params.update(start=filters.start, end=filters.end)
    last_day = filters.end
    if filters.as_of is not None:
        day_zone = filters.as_of.tzinfo if zone is None else _zone(zone)
        last_day = filters.last_counted_day(day_zone)
    params["days"] = series_days(filters.start, last_day, freq)
    if zone is not None:
        params["zone"] = zone if isinstance(zone, str) else zone.key
        # A span that ends before the first day adds 1 and subtracts 1 before
        # it, so leaving it out changes no day of the series. Two days of
        # margin cover any zone's offset from UTC.
        params["spans_from"] = datetime.combine(
            filters.start - timedelta(days=2), time(0), tzinfo=UTC
        )
    spans = _series_spans(where, windowed=zone is None)
    sql = f"""
        WITH {spans}
        deltas AS (
            SELECT first_day AS day, 1 AS delta FROM spans
            WHERE next_date IS NULL OR first_day < next_date
            UNION ALL
            SELECT next_date, -1 FROM spans
            WHERE next_date IS NOT NULL AND first_day < next_date
        ),
        running AS (
            SELECT day, sum(sum(delta)) OVER (ORDER BY day) AS open_backlog
            FROM deltas GROUP BY day
        ),
        points AS (SELECT CAST(unnest($days) AS DATE) AS day)
        SELECT p.day, CAST(coalesce(r.open_backlog, 0) AS BIGINT) AS open_backlog
        FROM points p ASOF LEFT JOIN running r ON p.day >= r.day
        ORDER BY p.day
    """
    return fetch(con, sql, params)
