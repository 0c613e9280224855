"""DDL of the warehouse tables; every snapshot segment file contains all of them.

Instants are ``TIMESTAMPTZ`` in UTC; local dates are city-local and computed by
the ETL. ``at`` is a reserved word in DuckDB, so queries must quote the column
of fact_case_event as ``"at"``. ``segment_case`` is internal: in a delta
segment it lists the cases whose rows replace those of the base segment (see
``etl.warehouse``).
"""

from __future__ import annotations

FACT_CASE_COLUMNS = """
    case_id BIGINT, case_number VARCHAR, source VARCHAR, external_id VARCHAR,
    service_type_id INTEGER, department_id INTEGER,
    kind VARCHAR, channel VARCHAR, district VARCHAR, latitude DOUBLE, longitude DOUBLE,
    priority VARCHAR, status VARCHAR, outcome VARCHAR,
    is_open BOOLEAN, is_duplicate BOOLEAN, parent_case_id BIGINT,
    created_at TIMESTAMPTZ, first_response_at TIMESTAMPTZ, due_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ, created_date DATE, closed_date DATE,
    hours_to_close DOUBLE, hours_to_first_response DOUBLE,
    business_days_to_close DOUBLE, on_time BOOLEAN, reopen_count INTEGER,
    flags VARCHAR, has_duration_flag BOOLEAN, updated_at TIMESTAMPTZ
"""

FACT_CASE_EVENT_COLUMNS = """
    event_id BIGINT, case_id BIGINT, kind VARCHAR, "at" TIMESTAMPTZ, local_date DATE,
    actor_role VARCHAR, public BOOLEAN, status_after VARCHAR,
    department_id_after INTEGER, service_type_id_after INTEGER,
    due_at_after TIMESTAMPTZ, outcome_after VARCHAR, parent_case_id_after BIGINT,
    next_at TIMESTAMPTZ
"""

# ``unchanged`` and ``flagged`` extend the run record beyond the counts the
# metrics layer reads; ``etl run --json`` prints them.
ETL_RUN_COLUMNS = """
    run_id INTEGER, started_at TIMESTAMPTZ, finished_at TIMESTAMPTZ, status VARCHAR,
    full_rebuild BOOLEAN, rows_read BIGINT, inserted BIGINT, updated BIGINT,
    rejected BIGINT, watermark_updated_at TIMESTAMPTZ, watermark_case_id BIGINT,
    fact_case_rows BIGINT, fact_case_event_rows BIGINT, snapshot VARCHAR,
    error VARCHAR, unchanged BIGINT, flagged BIGINT
"""

TABLES: dict[str, str] = {
    "dim_department": "department_id INTEGER, code VARCHAR, name VARCHAR, "
    "source VARCHAR",
    "dim_service_type": "service_type_id INTEGER, code VARCHAR, name VARCHAR, "
    "department_id INTEGER, kind VARCHAR, sla_value DOUBLE, sla_unit VARCHAR, "
    "needs_location BOOLEAN, source VARCHAR",
    "dim_date": "date DATE, year INTEGER, quarter INTEGER, month INTEGER, "
    "week_start DATE, day_of_week INTEGER, is_weekend BOOLEAN, is_holiday BOOLEAN, "
    "holiday_name VARCHAR, is_business_day BOOLEAN",
    "dim_geography": "district VARCHAR, name VARCHAR, latitude DOUBLE, "
    "longitude DOUBLE",
    "fact_case": FACT_CASE_COLUMNS,
    "fact_case_event": FACT_CASE_EVENT_COLUMNS,
    "etl_run": ETL_RUN_COLUMNS,
    "segment_case": "case_id BIGINT",
}

# Tables with one row set per case, split between a base and a delta segment.
CASE_TABLES = ("fact_case", "fact_case_event")
# Tables a segment holds in full; readers take them from the newest segment.
WHOLE_TABLES = (
    "dim_department",
    "dim_service_type",
    "dim_date",
    "dim_geography",
    "etl_run",
)
PUBLIC_TABLES = (*WHOLE_TABLES[:4], *CASE_TABLES, "etl_run")


# The order of one case's events: the ``created`` event first, then time, then
# event id. ``next_at`` is the time of the next event in this order (NULL for
# the last), so the event whose state is in effect at T is the one with
# ``"at" <= T AND (next_at IS NULL OR next_at > T)``.
CASE_EVENT_ORDER = "kind <> 'created', \"at\", event_id"
NEXT_AT_SQL = f'lead("at") OVER (PARTITION BY case_id ORDER BY {CASE_EVENT_ORDER})'

# The storage order of fact_case_event rows: open states by the end of their
# span, then open states without an end (a case's last event), then closed
# states by time. Backlog at T reads the open states whose span ends after T,
# and closure counts read closed states in a date range. In this order each is
# a narrow stretch of the table, so DuckDB's per-row-group minimum and maximum
# let it skip the rest.
EVENT_STORAGE_ORDER = (
    "CASE WHEN status_after = 'closed' THEN NULL "
    "ELSE coalesce(next_at, TIMESTAMPTZ 'infinity') END NULLS LAST, \"at\""
)


def fill_next_at(connection, table: str = "fact_case_event") -> None:
    """Set ``next_at`` on every row of ``table`` from the events of the same case.

    For writers that insert event rows without it (synthetic warehouses, test
    fixtures); the ETL derives the column in ``etl.transform``.
    """
    connection.execute(
        f"""
        UPDATE {table} AS t SET next_at = n.next_at
        FROM (SELECT case_id, event_id, {NEXT_AT_SQL} AS next_at FROM {table}) AS n
        WHERE t.case_id = n.case_id AND t.event_id = n.event_id
        """
    )


def create_tables(connection, catalog: str = "main") -> None:
    """Create every warehouse table in ``catalog`` of a DuckDB connection."""
    for name, columns in TABLES.items():
        connection.execute(f"CREATE TABLE {catalog}.{name} ({columns})")
