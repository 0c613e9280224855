"""Derive warehouse rows from the raw case-store rows, in DuckDB SQL.

The raw Arrow tables are registered on the writer connection as ``raw_case``,
``raw_event``, ``raw_department`` and ``raw_service_type``. Every function here
creates a temporary table from them; nothing loops over rows in Python except
the calendar, which has one row per day.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pyarrow as pa

from cases.quality import CLOSED_BEFORE_CREATED, DURATION_FLAGS

# Actor labels are "public", "system", "<role>:<name>" for staff, or
# "import..." for importers; only the role reaches the warehouse, never a name.
STAFF_ROLES = ("agent", "staff", "head", "mayor", "admin")


def _sql_list(values) -> str:
    return "[" + ", ".join(f"'{v}'" for v in sorted(values)) + "]"


STAGE_CASE_SQL = f"""
CREATE OR REPLACE TEMP TABLE stage_case AS
WITH typed AS (
    SELECT *,
        created_at::TIMESTAMPTZ AS created_tz,
        closed_at::TIMESTAMPTZ AS closed_tz
    FROM raw_case
), flagged AS (
    SELECT *,
        CASE WHEN coalesce(flags, '') = ''
                AND NOT coalesce(closed_tz < created_tz, false)
            THEN []::VARCHAR[]
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
    timezone($zone, created_tz)::DATE AS created_date,
    timezone($zone, closed_tz)::DATE AS closed_date,
    reopen_count,
    array_to_string(flag_list, ',') AS flags,
    list_has_any(flag_list, {_sql_list(DURATION_FLAGS)}::VARCHAR[])
        AS has_duration_flag,
    updated_at::TIMESTAMPTZ AS updated_at
FROM flagged
"""

# Business days between the creation and closure dates: the business days after
# the creation date up to and including the closure date, so a case closed on
# the day it was created has 0. Durations are null while open, when a duration
# flag is set, and when they would be negative.
FACT_CASE_SQL = """
CREATE OR REPLACE TEMP TABLE new_fact_case AS
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
    SELECT id AS event_id, case_id, kind, "at"::TIMESTAMPTZ AS "at", actor, public,
        json_extract_string(data, ['$.after.status', '$.after.department_id',
            '$.after.service_type_id', '$.after.due_at', '$.after.outcome',
            '$.after.parent_id']) AS set_values,
        CASE WHEN contains(data, 'null') THEN json_extract(data, ['$.after.due_at',
            '$.after.outcome', '$.after.parent_id'])::VARCHAR[] END AS clearable
    FROM raw_event
), fields AS (
    SELECT event_id, case_id, kind, "at", actor, public,
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
    SELECT event_id, case_id, kind, "at", actor, public,
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
    event_id, case_id, kind, "at",
    timezone({{zone}}, "at")::DATE AS local_date,
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


def stage(connection: duckdb.DuckDBPyConnection, zone: str, full: bool) -> None:
    """Create ``stage_case`` and ``new_fact_case_event`` from the raw tables.

    On a full load ``new_fact_case_event`` is a view, so the events are derived
    once, while they are inserted into the segment. Otherwise it is a table,
    because unchanged cases are deleted from it.
    """
    connection.execute(STAGE_CASE_SQL, {"zone": zone})
    kind = "VIEW" if full else "TABLE"
    body = FACT_CASE_EVENT_SQL.format(zone=_sql_text(zone))
    connection.execute(f"CREATE OR REPLACE TEMP {kind} new_fact_case_event AS {body}")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def derive_fact_case(connection: duckdb.DuckDBPyConnection) -> None:
    """Create ``new_fact_case``; needs ``stage_case`` and the new ``dim_date``."""
    connection.execute(FACT_CASE_SQL)


def calendar_table(calendar, first: date, last: date) -> pa.Table:
    """Build dim_date rows for ``first``..``last`` from the city's business calendar."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    holiday_names = [calendar.holiday_name(day) for day in days]
    return pa.table(
        {
            "date": pa.array(days, pa.date32()),
            "year": pa.array([d.year for d in days], pa.int32()),
            "quarter": pa.array([(d.month - 1) // 3 + 1 for d in days], pa.int32()),
            "month": pa.array([d.month for d in days], pa.int32()),
            "week_start": pa.array(
                [d - timedelta(days=d.weekday()) for d in days], pa.date32()
            ),
            "day_of_week": pa.array([d.isoweekday() for d in days], pa.int32()),
            "is_weekend": pa.array([d.isoweekday() >= 6 for d in days]),
            "is_holiday": pa.array([name is not None for name in holiday_names]),
            "holiday_name": pa.array(holiday_names, pa.string()),
            "is_business_day": pa.array([calendar.is_business_day(d) for d in days]),
        }
    )


def geography_table(city, found_districts: list[str]) -> pa.Table:
    """Build dim_geography: configured districts, then any other district in cases."""
    rows = {}
    for district in _configured_districts(city):
        rows[district["district"]] = district
    for code in found_districts:
        rows.setdefault(
            code, {"district": code, "name": code, "latitude": None, "longitude": None}
        )
    ordered = [rows[code] for code in sorted(rows)]
    return pa.table(
        {
            "district": pa.array([r["district"] for r in ordered], pa.string()),
            "name": pa.array([r["name"] for r in ordered], pa.string()),
            "latitude": pa.array([r["latitude"] for r in ordered], pa.float64()),
            "longitude": pa.array([r["longitude"] for r in ordered], pa.float64()),
        }
    )


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
