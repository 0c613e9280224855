"""A synthetic warehouse in the ETL's table layout, for benchmarks and notebooks.

``write_synthetic_warehouse`` fills a DuckDB file with random cases and their
events entirely inside DuckDB, so a million cases take seconds. The figures it
yields are real computations over random data, never typed-in numbers. Random
values come from ``hash(case_id, salt)``, so a seed gives the same file on every
machine and thread count.

Each case is created, usually acknowledged, sometimes transferred once,
usually closed (as resolved, another outcome, or merged as a duplicate),
sometimes reopened and closed again, and about 1% are closed before their
creation and flagged ``closed_before_created``. Events later than the horizon
are dropped, and ``fact_case`` is the state after the last remaining event.
"""

from __future__ import annotations

import contextlib
import logging
import time
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from etl.schema import create_tables, fill_next_at

log = logging.getLogger(__name__)

DEPARTMENTS = (
    ("PW", "Public Works"),
    ("TR", "Transportation"),
    ("PR", "Parks and Recreation"),
    ("CE", "Code Enforcement"),
    ("SW", "Solid Waste"),
    ("FIN", "Finance"),
)
# (code, name, department number from 1, SLA hours or None)
SERVICE_TYPES = (
    ("pothole", "Pothole", 1, 72.0),
    ("streetlight", "Street light out", 1, 120.0),
    ("sidewalk", "Sidewalk repair", 1, 720.0),
    ("signal", "Traffic signal", 2, 24.0),
    ("parking", "Illegal parking", 2, 8.0),
    ("sign", "Damaged sign", 2, 240.0),
    ("tree", "Tree down", 3, 48.0),
    ("park-litter", "Litter in a park", 3, 96.0),
    ("graffiti", "Graffiti", 4, 168.0),
    ("housing", "Housing complaint", 4, 336.0),
    ("missed-trash", "Missed trash pickup", 5, 48.0),
    ("bulk", "Bulk item pickup", 5, 120.0),
    ("bill", "Water bill question", 6, 120.0),
    ("info", "General information", 6, None),
)
CHANNELS = ("phone", "web", "mobile", "api", "walk-in", "email")
DISTRICTS = tuple(f"D{i}" for i in range(1, 9))
OUTCOMES = ("no_action_needed", "referred_elsewhere", "unable_to_locate", "withdrawn")


def _dimensions(con: duckdb.DuckDBPyConnection, zone: str) -> None:
    con.executemany(
        "INSERT INTO dim_department VALUES (?, ?, ?, 'synthetic')",
        [(i, code, name) for i, (code, name) in enumerate(DEPARTMENTS, start=1)],
    )
    con.executemany(
        "INSERT INTO dim_service_type VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, 'synthetic')",
        [
            (
                i,
                code,
                name,
                dept,
                "information" if sla is None else "service_request",
                sla,
                None if sla is None else "calendar_hours",
            )
            for i, (code, name, dept, sla) in enumerate(SERVICE_TYPES, start=1)
        ],
    )
    con.executemany(
        "INSERT INTO dim_geography VALUES (?, ?, ?, ?)",
        [
            (d, f"District {d[1:]}", 39.74 + i / 100, -75.55)
            for i, d in enumerate(DISTRICTS)
        ],
    )


# The seed is formatted into the macro as an int because a macro body cannot
# refer to a bound parameter.
_MACROS = """
CREATE TEMP MACRO u(i, salt) AS (hash(i, salt, {seed:d}) % 1000003) / 1000003.0;
CREATE TEMP MACRO hours(h) AS to_microseconds(CAST(h * 3600e6 AS BIGINT));
"""

_PLAN = """
CREATE TEMP TABLE plan AS
WITH base AS (
    SELECT i AS case_id,
           $start_at + to_microseconds(CAST(u(i, 'created') * $span_us AS BIGINT))
               AS created_at,
           1 + CAST(floor(u(i, 'type') * $types) AS INTEGER) AS service_type_id,
           $channels[1 + CAST(floor(u(i, 'channel') * len($channels)) AS INTEGER)]
               AS channel,
           $districts[1 + CAST(floor(u(i, 'district') * len($districts)) AS INTEGER)]
               AS district,
           u(i, 'flag') < 0.01 AS before_created,
           u(i, 'dup') < 0.03 AND i > 1 AS duplicate
    FROM range(1, $n + 1) t(i)
),
typed AS (
    SELECT b.*, t.department_id AS first_department, t.sla_value, t.kind,
           u(case_id, 'transfer') < 0.05 AND NOT before_created AS transferred,
           u(case_id, 'ack') < 0.9 AND NOT before_created AS acknowledged,
           u(case_id, 'close') < 0.9 AS closes,
           u(case_id, 'reopen') < 0.04 AND NOT duplicate AND NOT before_created
               AS reopened
    FROM base b JOIN dim_service_type t USING (service_type_id)
)
SELECT *,
       CASE WHEN transferred THEN first_department % $departments + 1
            ELSE first_department END AS department_id,
       created_at + INTERVAL 30 MINUTE AS transfer_at,
       created_at + hours(1 + 71 * u(case_id, 'ack delay') ^ 2) AS ack_at,
       CASE WHEN before_created THEN created_at - INTERVAL 2 HOUR
            ELSE created_at + hours(1 + 71 * u(case_id, 'ack delay') ^ 2)
                 + hours(-ln(1 - u(case_id, 'work')) * 0.8 * coalesce(sla_value, 120))
       END AS close_at,
       created_at + hours(sla_value) AS due_at,
       CASE WHEN duplicate THEN 'duplicate'
            WHEN u(case_id, 'outcome') < 0.8 THEN 'resolved'
            ELSE $outcomes[1 + CAST(floor(u(case_id, 'other') * 4) AS INTEGER)]
       END AS outcome
FROM typed
"""

_EVENTS = """
CREATE TEMP TABLE raw_event AS
SELECT case_id * 8 + 0 AS event_id, case_id, 'created' AS kind, created_at AS "at",
       'public' AS actor_role, 'new' AS status_after,
       first_department AS department_id_after, NULL AS outcome_after,
       NULL::BIGINT AS parent_case_id_after
FROM plan
UNION ALL
SELECT case_id * 8 + 1, case_id, 'transferred', transfer_at, 'agent', 'new',
       department_id, NULL, NULL
FROM plan WHERE transferred
UNION ALL
SELECT case_id * 8 + 2, case_id, 'acknowledged', ack_at, 'staff', 'acknowledged',
       department_id, NULL, NULL
FROM plan WHERE acknowledged
UNION ALL
SELECT case_id * 8 + 3, case_id, CASE WHEN duplicate THEN 'merged' ELSE 'closed' END,
       close_at, 'staff', 'closed', department_id, outcome,
       CASE WHEN duplicate THEN case_id - 1 END
FROM plan WHERE closes OR duplicate OR before_created
UNION ALL
SELECT case_id * 8 + 4, case_id, 'reopened', close_at + INTERVAL 1 DAY, 'staff',
       'in_progress', department_id, NULL, NULL
FROM plan WHERE reopened AND closes
UNION ALL
SELECT case_id * 8 + 5, case_id, 'closed', close_at + INTERVAL 3 DAY, 'staff',
       'closed', department_id, outcome, NULL
FROM plan WHERE reopened AND closes
"""

_EVENT_ROWS = """
INSERT INTO fact_case_event
SELECT r.event_id, r.case_id, r.kind, r."at",
       CAST(timezone($zone, r."at") AS DATE), r.actor_role,
       r.kind IN ('created', 'closed', 'merged', 'reopened'), r.status_after,
       r.department_id_after, p.service_type_id, p.due_at, r.outcome_after,
       r.parent_case_id_after, NULL
FROM raw_event r JOIN plan p USING (case_id)
WHERE r."at" <= $horizon
"""

_FACTS = """
INSERT INTO fact_case
WITH replay AS (
    SELECT case_id,
           arg_max({status: status_after, department_id: department_id_after,
                    outcome: outcome_after, parent: parent_case_id_after},
                   {not_created: kind <> 'created', moment: "at", id: event_id}) AS s,
           max("at") FILTER (WHERE kind IN ('closed', 'merged')) AS last_closure,
           min("at") FILTER (WHERE kind IN ('acknowledged', 'closed', 'merged'))
               AS first_response,
           count(*) FILTER (WHERE kind = 'reopened') AS reopens,
           max("at") AS updated_at
    FROM fact_case_event GROUP BY case_id
),
facts AS (
    SELECT p.*, r.*, r.s.status = 'closed' AS is_closed,
           CASE WHEN r.s.status = 'closed' THEN r.last_closure END AS closed_at
    FROM plan p JOIN replay r USING (case_id)
)
SELECT case_id,
       printf('%02d-%06d-0', year(timezone($zone, created_at)) % 100, case_id),
       'synthetic', NULL, service_type_id, s.department_id, kind, channel, district,
       39.70 + u(case_id, 'lat') / 10, -75.60 + u(case_id, 'lon') / 10, 'normal',
       s.status, CASE WHEN is_closed THEN s.outcome END, NOT is_closed,
       is_closed AND s.outcome = 'duplicate', s.parent,
       created_at, first_response, due_at, closed_at,
       CAST(timezone($zone, created_at) AS DATE),
       CAST(timezone($zone, closed_at) AS DATE),
       CASE WHEN NOT before_created
            THEN (epoch(closed_at) - epoch(created_at)) / 3600 END,
       CASE WHEN NOT before_created
            THEN (epoch(first_response) - epoch(created_at)) / 3600 END,
       NULL, closed_at <= due_at, CAST(reopens AS INTEGER),
       CASE WHEN before_created THEN 'closed_before_created' ELSE '' END,
       before_created, updated_at
FROM facts
"""

_CALENDAR = """
INSERT INTO dim_date
SELECT d, year(d), quarter(d), month(d), CAST(date_trunc('week', d) AS DATE),
       isodow(d), isodow(d) >= 6, FALSE, NULL, isodow(d) < 6
FROM (SELECT CAST(unnest(generate_series(
    CAST(min(created_date) AS TIMESTAMP),
    CAST(greatest(max(created_date), max(closed_date)) AS TIMESTAMP),
    INTERVAL 1 DAY)) AS DATE) AS d FROM fact_case)
"""


def _quiet(con: duckdb.DuckDBPyConnection) -> None:
    """Turn off DuckDB's progress bar on a terminal.

    Inside Jupyter without ipywidgets DuckDB 2.0 rejects the setting, and it
    draws no bar there either.
    """
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")


def write_synthetic_warehouse(
    path: Path | str,
    cases: int,
    *,
    start: date = date(2025, 1, 1),
    end: date = date(2026, 6, 30),
    seed: int = 1,
    zone: str = "America/New_York",
) -> Path:
    """Write a new DuckDB file at ``path`` with ``cases`` random cases.

    Cases are created uniformly between the start of ``start`` and the end of
    ``end``, local time. The end of ``end`` is the horizon ("now" for this
    warehouse): later events are dropped, so recent cases are still open.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(
            f"warehouse file {path} exists; remove it or pick another"
        )
    if cases < 1:
        raise ValueError(f"case count {cases} must be at least 1")
    tz = ZoneInfo(zone)
    start_at = datetime.combine(start, clock_time(), tz)
    horizon = datetime.combine(end, clock_time(23, 59, 59), tz)
    started = time.perf_counter()
    con = duckdb.connect(str(path))
    try:
        _quiet(con)
        create_tables(con)
        _dimensions(con, zone)
        con.execute(_MACROS.format(seed=int(seed)))
        con.execute(
            _PLAN,
            {
                "n": cases,
                "start_at": start_at,
                "span_us": int((horizon - start_at).total_seconds() * 1e6),
                "types": len(SERVICE_TYPES),
                "departments": len(DEPARTMENTS),
                "channels": list(CHANNELS),
                "districts": list(DISTRICTS),
                "outcomes": list(OUTCOMES),
            },
        )
        con.execute(_EVENTS)
        con.execute(_EVENT_ROWS, {"zone": zone, "horizon": horizon})
        fill_next_at(con)
        con.execute(_FACTS, {"zone": zone})
        con.execute(_CALENDAR)
        con.execute(
            "INSERT INTO etl_run (run_id, started_at, finished_at, status, "
            "full_rebuild, fact_case_rows, fact_case_event_rows, snapshot) "
            "SELECT 1, $now, $now, 'succeeded', TRUE, "
            "(SELECT count(*) FROM fact_case), (SELECT count(*) FROM fact_case_event), "
            "'synthetic'",
            {"now": horizon},
        )
    finally:
        con.close()
    log.info(
        "synthetic warehouse %s: %d cases in %.1f s",
        path,
        cases,
        time.perf_counter() - started,
    )
    return path
