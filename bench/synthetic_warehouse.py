"""A synthetic warehouse in the contract's layout, generated inside DuckDB.

Cases are spread evenly over the 730 days before ``end``; each is created,
acknowledged and, for nine in ten whose closure falls before ``end``, closed.
Random values come from ``hash(case_id, salt)``, so a size always gives the
same file. It exists to time the dashboard; the figures mean nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from etl.schema import EVENT_STORAGE_ORDER, NEXT_AT_SQL

DEPARTMENTS = ("PW", "TRN", "WTR", "SAN", "LI", "PR")
# (code, name, department index, SLA hours)
SERVICE_TYPES = (
    ("POTHOLE", "Pothole", 0, 72),
    ("SIDEWALK_DAMAGE", "Damaged sidewalk", 0, 480),
    ("STREET_LIGHT_OUT", "Street light out", 1, 120),
    ("TRAFFIC_SIGNAL", "Signal", 1, 4),
    ("SEWER_BACKUP", "Sewer backup", 2, 24),
    ("WATER_BILL", "Water bill", 2, 120),
    ("MISSED_TRASH", "Missed trash", 3, 48),
    ("BULK_PICKUP", "Bulk pickup", 3, 240),
    ("VACANT_HOUSE", "Vacant house", 4, 120),
    ("HOUSING_CODE", "Housing code", 4, 240),
    ("TREE_DOWN", "Tree down", 5, 48),
    ("PARK_LITTER", "Park litter", 5, 96),
)
DISTRICTS = (
    ("1", 39.7560, -75.5290),
    ("2", 39.7530, -75.5420),
    ("3", 39.7350, -75.5430),
    ("4", 39.7410, -75.5560),
    ("5", 39.7470, -75.5640),
    ("6", 39.7300, -75.5700),
    ("7", 39.7620, -75.5710),
    ("8", 39.7440, -75.5880),
)
CHANNELS = ("phone", "web", "mobile", "api", "email")

FACT_CASE = """
CREATE TABLE fact_case AS
WITH base AS (
    SELECT i AS case_id,
           CAST(hash(i, 1) % 12 AS INTEGER) + 1 AS service_type_id,
           $end - to_seconds(CAST(hash(i, 2) % (730 * 86400) AS BIGINT)) AS created_at,
           CAST(hash(i, 3) % 100 AS INTEGER) AS roll,
           CAST(hash(i, 4) % 8 AS INTEGER) + 1 AS district_no,
           (hash(i, 5) % 2000) / 4.0 + 0.5 AS close_hours,
           (hash(i, 6) % 96) / 4.0 + 0.25 AS ack_hours
    FROM range(1, $cases + 1) r(i)
), shaped AS (
    SELECT b.*, t.department_id, t.sla_value,
           b.created_at + to_seconds(CAST(b.ack_hours * 3600 AS BIGINT)) AS ack_at,
           b.created_at + to_seconds(CAST(t.sla_value * 3600 AS BIGINT)) AS due_at,
           CASE WHEN b.roll < 90 AND b.created_at
                     + to_seconds(CAST(b.close_hours * 3600 AS BIGINT)) < $end
                THEN b.created_at + to_seconds(CAST(b.close_hours * 3600 AS BIGINT))
           END AS closed_at
    FROM base b JOIN dim_service_type t USING (service_type_id)
)
SELECT case_id,
       printf('%02d-%06d-0', year(timezone('America/New_York', created_at)) % 100,
              case_id) AS case_number,
       'city311' AS source, NULL::VARCHAR AS external_id,
       service_type_id, department_id, 'service_request' AS kind,
       list_extract($channels, CAST(case_id % 5 AS INTEGER) + 1) AS channel,
       CAST(district_no AS VARCHAR) AS district,
       g.latitude + (CAST(hash(case_id, 7) % 100 AS INTEGER) - 50) / 5e3 AS latitude,
       g.longitude + (CAST(hash(case_id, 8) % 100 AS INTEGER) - 50) / 5e3
           AS longitude,
       'normal' AS priority,
       CASE WHEN closed_at IS NULL THEN 'acknowledged' ELSE 'closed' END AS status,
       CASE WHEN closed_at IS NULL THEN NULL ELSE 'resolved' END AS outcome,
       closed_at IS NULL AS is_open, false AS is_duplicate,
       NULL::BIGINT AS parent_case_id,
       created_at, ack_at AS first_response_at, due_at, closed_at,
       CAST(timezone('America/New_York', created_at) AS DATE) AS created_date,
       CAST(timezone('America/New_York', closed_at) AS DATE) AS closed_date,
       CASE WHEN closed_at IS NOT NULL THEN close_hours END AS hours_to_close,
       ack_hours AS hours_to_first_response, NULL::DOUBLE AS business_days_to_close,
       CASE WHEN closed_at IS NOT NULL THEN closed_at <= due_at END AS on_time,
       0 AS reopen_count, CASE WHEN roll = 99 THEN 'missing_location' ELSE '' END
           AS flags,
       false AS has_duration_flag, coalesce(closed_at, ack_at) AS updated_at
FROM shaped JOIN dim_geography g ON g.district = CAST(district_no AS VARCHAR)
ORDER BY created_at
"""

FACT_CASE_EVENT = f"""
CREATE TABLE fact_case_event AS
SELECT * FROM (SELECT *, {NEXT_AT_SQL} AS next_at FROM (
    SELECT case_id * 10 AS event_id, case_id, 'created' AS kind, created_at AS "at",
           created_date AS local_date, 'public' AS actor_role, true AS public,
           'new' AS status_after, department_id AS department_id_after,
           service_type_id AS service_type_id_after, due_at AS due_at_after,
           NULL::VARCHAR AS outcome_after, NULL::BIGINT AS parent_case_id_after
    FROM fact_case
    UNION ALL
    SELECT case_id * 10 + 1, case_id, 'acknowledged', first_response_at,
           CAST(timezone('America/New_York', first_response_at) AS DATE), 'staff',
           true, 'acknowledged', department_id, service_type_id, due_at, NULL, NULL
    FROM fact_case WHERE first_response_at < coalesce(closed_at, first_response_at
        + INTERVAL 1 second)
    UNION ALL
    SELECT case_id * 10 + 2, case_id, 'closed', closed_at, closed_date, 'staff',
           true, 'closed', department_id, service_type_id, due_at, 'resolved', NULL
    FROM fact_case WHERE closed_at IS NOT NULL
)) ORDER BY {EVENT_STORAGE_ORDER}
"""


def write_synthetic_warehouse(path: Path, cases: int, end: datetime) -> Path:
    """Write ``cases`` synthetic cases ending at ``end`` into a new DuckDB file."""
    con = duckdb.connect(str(path))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            "CREATE TABLE dim_department (department_id INTEGER, code VARCHAR, "
            "name VARCHAR, source VARCHAR)"
        )
        con.executemany(
            "INSERT INTO dim_department VALUES (?, ?, ?, 'city311')",
            [(i + 1, code, code) for i, code in enumerate(DEPARTMENTS)],
        )
        con.execute(
            "CREATE TABLE dim_service_type (service_type_id INTEGER, code VARCHAR, "
            "name VARCHAR, department_id INTEGER, kind VARCHAR, sla_value DOUBLE, "
            "sla_unit VARCHAR, needs_location BOOLEAN, source VARCHAR)"
        )
        con.executemany(
            "INSERT INTO dim_service_type VALUES (?, ?, ?, ?, 'service_request', ?, "
            "'calendar_hours', true, 'city311')",
            [(i + 1, c, n, d + 1, h) for i, (c, n, d, h) in enumerate(SERVICE_TYPES)],
        )
        con.execute(
            "CREATE TABLE dim_geography (district VARCHAR, name VARCHAR, "
            "latitude DOUBLE, longitude DOUBLE)"
        )
        con.executemany(
            "INSERT INTO dim_geography VALUES (?, ?, ?, ?)",
            [(d, f"Council District {d}", lat, lon) for d, lat, lon in DISTRICTS],
        )
        params = {"cases": cases, "end": end, "channels": list(CHANNELS)}
        con.execute(FACT_CASE, params)
        con.execute(FACT_CASE_EVENT)
    finally:
        con.close()
    return path
