"""Derive warehouse rows from the raw case-store rows, in DuckDB SQL.

The raw Arrow tables are registered on the writer connection as ``raw_case``,
``raw_event``, ``raw_department`` and ``raw_service_type``, and the UTC offsets
of their dates as ``day_offset`` (``register_day_offsets``). Every function
here creates a temporary table or view from them. Nothing loops over rows in
Python except the calendar and the offsets, which have one row per day.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import duckdb

from cases.quality import CLOSED_BEFORE_CREATED, DURATION_FLAGS
from etl.local_dates import DAY_OFFSET_COLUMNS, LOCAL_DATE_SQL, day_offsets

# Actor labels are "public", "system", "<role>:<name>" for staff, or
# "import..." for importers; only the role reaches the warehouse, never a name.
STAFF_ROLES = ("agent", "staff", "head", "mayor", "admin")


def _sql_list(values) -> str:
    return "[" + ", ".join(f"'{v}'" for v in sorted(values)) + "]"


STAGE_CASE_SQL = f"""
WITH typed AS (
    SELECT c.*,
        c.created_at::TIMESTAMPTZ AS created_tz,
        c.closed_at::TIMESTAMPTZ AS closed_tz,
        {LOCAL_DATE_SQL.format(instant="c.created_at", offset="created_day")}
            AS created_date,
        {LOCAL_DATE_SQL.format(instant="c.closed_at", offset="closed_day")}
            AS closed_date
    FROM raw_case AS c
    LEFT JOIN day_offset AS created_day ON created_day.utc_date = c.created_at::DATE
    LEFT JOIN day_offset AS closed_day ON closed_day.utc_date = c.closed_at::DATE
), flagged AS (
    SELECT *,
        CASE WHEN coalesce(flags, '') = ''
                AND NOT coalesce(closed_tz < created_tz, false)
            THEN NULL
            ELSE list_sort(list_distinct(list_filter(
                string_split(coalesce(flags, ''), ',')
                || CASE WHEN closed_tz < created_tz
                        THEN ['{CLOSED_BEFORE_CREATED}'] ELSE [] END,
                lambda f: f <> '')))
        END AS flag_list
    FROM typed
)
SELECT
    id AS case_id, case_number, source, external_id,
    service_type_id, department_id, kind, channel, district, latitude, longitude,
    priority, status, outcome,
    status <> 'closed' AS is_open,
    coalesce(outcome = 'duplicate', false) AS is_duplicate,
    parent_id AS parent_case_id,
    created_tz AS created_at,
    first_response_at::TIMESTAMPTZ AS first_response_at,
    due_at::TIMESTAMPTZ AS due_at,
    closed_tz AS closed_at,
    created_date,
    closed_date,
    reopen_count,
    coalesce(array_to_string(flag_list, ','), '') AS flags,
    coalesce(list_has_any(flag_list, {_sql_list(DURATION_FLAGS)}::VARCHAR[]), false)
        AS has_duration_flag,
    updated_at::TIMESTAMPTZ AS updated_at
FROM flagged
"""

# Business days between the creation and closure dates: the business days after
# the creation date up to and including the closure date, so a case closed on
# the day it was created has 0. Durations are null while open, when a duration
# flag is set, and when they would be negative.
FACT_CASE_SQL = """
WITH business_index AS (
    SELECT date, sum(is_business_day::INTEGER) OVER (ORDER BY date) AS day_index
    FROM dim_date
), measured AS (
    SELECT s.*,
        (NOT s.is_open AND s.closed_at IS NOT NULL AND NOT s.has_duration_flag
         AND s.closed_at >= s.created_at) AS can_close,
        (s.first_response_at IS NOT NULL AND NOT s.has_duration_flag
         AND s.first_response_at >= s.created_at) AS can_respond
    FROM stage_case AS s
)
SELECT
    m.case_id, m.case_number, m.source, m.external_id,
    m.service_type_id, m.department_id, m.kind, m.channel, m.district,
    m.latitude, m.longitude, m.priority, m.status, m.outcome,
    m.is_open, m.is_duplicate, m.parent_case_id,
    m.created_at, m.first_response_at, m.due_at, m.closed_at,
    m.created_date, m.closed_date,
    CASE WHEN m.can_close
         THEN (epoch_us(m.closed_at) - epoch_us(m.created_at)) / 3600e6 END
        AS hours_to_close,
    CASE WHEN m.can_respond
         THEN (epoch_us(m.first_response_at) - epoch_us(m.created_at)) / 3600e6 END
        AS hours_to_first_response,
    CASE WHEN m.can_close THEN (closed_day.day_index - created_day.day_index)::DOUBLE
        END AS business_days_to_close,
    CASE WHEN m.is_open OR m.closed_at IS NULL OR m.due_at IS NULL THEN NULL
         ELSE m.closed_at <= m.due_at END AS on_time,
    m.reopen_count, m.flags, m.has_duration_flag, m.updated_at
FROM measured AS m
LEFT JOIN business_index AS created_day ON created_day.date = m.created_date
LEFT JOIN business_index AS closed_day ON closed_day.date = m.closed_date
"""

# Replays each case's events in order (creation first, then time, then id):
# the state after an event is the latest value any event up to it set. An
# absent key is SQL NULL, which IGNORE NULLS skips. An explicit JSON null clears
# a field (a reopen clears the outcome and parent, a type without SLA clears the
# due date), so it becomes a sentinel that survives IGNORE NULLS and is turned
# back into NULL at the end. json_extract_string reads the six values in one
# parse but returns NULL for both an absent key and a JSON null. Only a document
# whose text contains "null" can hold a JSON null, so only those are parsed a
# second time with json_extract, which distinguishes the two.
FACT_CASE_EVENT_SQL = f"""
WITH parsed AS (
    SELECT e.id AS event_id, e.case_id, e.kind, e."at"::TIMESTAMPTZ AS "at",
        {LOCAL_DATE_SQL.format(instant='e."at"', offset="event_day")} AS local_date,
        e.actor, e.public,
        json_extract_string(data, ['$.after.status', '$.after.department_id',
            '$.after.service_type_id', '$.after.due_at', '$.after.outcome',
            '$.after.parent_id']) AS set_values,
        CASE WHEN contains(data, 'null') THEN json_extract(data, ['$.after.due_at',
            '$.after.outcome', '$.after.parent_id'])::VARCHAR[] END AS clearable
    FROM raw_event AS e
    LEFT JOIN day_offset AS event_day ON event_day.utc_date = e."at"::DATE
), fields AS (
    SELECT event_id, case_id, kind, "at", local_date, actor, public,
        set_values[1] AS set_status,
        set_values[2]::INTEGER AS set_department,
        set_values[3]::INTEGER AS set_service_type,
        CASE WHEN set_values[4] IS NOT NULL THEN set_values[4]::TIMESTAMPTZ
            WHEN clearable[1] = 'null' THEN 'infinity'::TIMESTAMPTZ END
            AS set_due_at,
        CASE WHEN set_values[5] IS NOT NULL THEN set_values[5]
            WHEN clearable[2] = 'null' THEN '' END AS set_outcome,
        CASE WHEN set_values[6] IS NOT NULL THEN set_values[6]::BIGINT
            WHEN clearable[3] = 'null' THEN -1 END AS set_parent
    FROM parsed
), replayed AS (
    SELECT event_id, case_id, kind, "at", local_date, actor, public,
        last_value(set_status IGNORE NULLS) OVER w AS status,
        last_value(set_department IGNORE NULLS) OVER w AS department,
        last_value(set_service_type IGNORE NULLS) OVER w AS service_type,
        last_value(set_due_at IGNORE NULLS) OVER w AS due_at,
        last_value(set_outcome IGNORE NULLS) OVER w AS outcome,
        last_value(set_parent IGNORE NULLS) OVER w AS parent,
        lead("at") OVER (
            PARTITION BY case_id ORDER BY kind <> 'created', "at", event_id)
            AS next_at
    FROM fields
    WINDOW w AS (
        PARTITION BY case_id ORDER BY kind <> 'created', "at", event_id
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT
    event_id, case_id, kind, "at", local_date,
    CASE
        WHEN actor = 'public' THEN 'public'
        WHEN actor LIKE 'import%' THEN 'import'
        WHEN split_part(actor, ':', 1) IN {tuple(STAFF_ROLES)}
            THEN split_part(actor, ':', 1)
        ELSE 'system'
    END AS actor_role,
    public,
    status AS status_after,
    department AS department_id_after,
    service_type AS service_type_id_after,
    nullif(due_at, 'infinity'::TIMESTAMPTZ) AS due_at_after,
    nullif(outcome, '') AS outcome_after,
    nullif(parent, -1) AS parent_case_id_after,
    next_at
FROM replayed
"""


# Every UTC date whose offset the derivation looks up.
UTC_DATES_SQL = """
SELECT DISTINCT utc_date FROM (
    SELECT created_at::DATE AS utc_date FROM raw_case
    UNION ALL SELECT closed_at::DATE FROM raw_case
    UNION ALL SELECT "at"::DATE FROM raw_event
) WHERE utc_date IS NOT NULL
"""


def create_day_offsets(connection: duckdb.DuckDBPyConnection, zone: ZoneInfo):
    """Create ``day_offset`` for the dates of the raw cases and events."""
    dates = [row[0] for row in connection.execute(UTC_DATES_SQL).fetchall()]
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE day_offset ({DAY_OFFSET_COLUMNS})"
    )
    insert_columns(connection, "day_offset", day_offsets(dates, zone))


def stage(connection: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Create ``stage_case`` and ``new_fact_case_event`` from the raw tables.

    On a full load both are views, so each row is derived once, while it is
    inserted into the segment. Otherwise they are tables, because unchanged
    cases are deleted from the new rows and several statements read them.
    """
    kind = "VIEW" if full else "TABLE"
    connection.execute(f"CREATE OR REPLACE TEMP {kind} stage_case AS {STAGE_CASE_SQL}")
    connection.execute(
        f"CREATE OR REPLACE TEMP {kind} new_fact_case_event AS {FACT_CASE_EVENT_SQL}"
    )


def derive_fact_case(connection: duckdb.DuckDBPyConnection, full: bool) -> None:
    """Create ``new_fact_case`` from ``stage_case`` and the new ``dim_date``.

    A view on a full load, as ``stage`` explains.
    """
    kind = "VIEW" if full else "TABLE"
    connection.execute(
        f"CREATE OR REPLACE TEMP {kind} new_fact_case AS {FACT_CASE_SQL}"
    )


def insert_columns(connection, table: str, columns: dict[str, list]) -> None:
    """Insert rows given as equally long Python lists, one per column, in order.

    DuckDB converts the lists itself. Building Arrow arrays from Python lists
    would import pandas (pyarrow checks for pandas objects), about 0.2 s of
    every ETL run.
    """
    names = list(columns)
    selects = ", ".join(f'unnest(${n}) AS "{name}"' for n, name in enumerate(names, 1))
    connection.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {selects}",
        list(columns.values()),
    )


def calendar_columns(calendar, first: date, last: date) -> dict[str, list]:
    """Return dim_date's columns for ``first``..``last`` from the business calendar."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    holiday_names = [calendar.holiday_name(day) for day in days]
    return {
        "date": days,
        "year": [d.year for d in days],
        "quarter": [(d.month - 1) // 3 + 1 for d in days],
        "month": [d.month for d in days],
        "week_start": [d - timedelta(days=d.weekday()) for d in days],
        "day_of_week": [d.isoweekday() for d in days],
        "is_weekend": [d.isoweekday() >= 6 for d in days],
        "is_holiday": [name is not None for name in holiday_names],
        "holiday_name": holiday_names,
        "is_business_day": [calendar.is_business_day(d) for d in days],
    }


def geography_columns(city, found_districts: list[str]) -> dict[str, list]:
    """Return dim_geography's columns: configured districts, then others in cases."""
    rows = {}
    for district in _configured_districts(city):
        rows[district["district"]] = district
    for code in found_districts:
        rows.setdefault(
            code, {"district": code, "name": code, "latitude": None, "longitude": None}
        )
    ordered = [rows[code] for code in sorted(rows)]
    return {
        name: [row[name] for row in ordered]
        for name in ("district", "name", "latitude", "longitude")
    }


def _configured_districts(city) -> list[dict]:
    configured = getattr(city, "districts", None) or ()
    items = configured.values() if isinstance(configured, dict) else configured
    rows = []
    for item in items:
        code = getattr(item, "code", item)
        rows.append(
            {
                "district": str(code),
                "name": getattr(item, "name", None) or str(code),
                "latitude": getattr(item, "latitude", None),
                "longitude": getattr(item, "longitude", None),
            }
        )
    return rows
