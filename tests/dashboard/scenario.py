"""A small November 2026 history in the warehouse layout, with known figures.

Period under review: Monday 2 to Sunday 29 November 2026 (New York), the
default period when the clock reads Monday 30 November. Figures a test can
count by hand from the rules below:

- Public Works, POTHOLE (due 72 h after creation): 40 cases, two a day from
  2 to 21 November at 10:00 and 14:00. The first 30 are acknowledged after 2 h
  and closed resolved after 24 h (on time). The last 10 are open and overdue.
  The last one carries the flag missing_location.
- Water, SEWER_BACKUP (due 24 h): 35 cases at 09:00, the i-th on 2 November
  plus i mod 27 days. The first 20 close after 30 h (late), the other 15 after
  12 h (on time). Case 0 was created in Public Works and transferred to Water
  an hour later.
- Sanitation, MISSED_TRASH (due 48 h): 10 cases, one a day from 3 November at
  11:00. Eight close after 10 h. Two are flagged closed_before_created and
  closed an hour before creation.
- October: 20 Public Works potholes, one a day from 5 October, closed after
  24 h, for the previous period (5 October to 1 November).

So November has 85 received, 75 closures, 10 open, 10 overdue; Sanitation's
on-time rate rests on 8 cases, below the minimum of 30.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from cases.numbers import format_case_number
from etl.schema import fill_next_at

NEW_YORK = ZoneInfo("America/New_York")
CLOCK = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
PERIOD = (date(2026, 11, 2), date(2026, 11, 29))

DEPARTMENTS = {"PW": (1, "Public Works"), "WTR": (2, "Water"), "SAN": (3, "Sanitation")}
SERVICE_TYPES = {
    "POTHOLE": (10, "Pothole", "PW", 72),
    "SEWER_BACKUP": (20, "Sewer backup", "WTR", 24),
    "MISSED_TRASH": (30, "Missed trash pickup", "SAN", 48),
}
DISTRICTS = {
    "1": (39.7560, -75.5290),
    "2": (39.7530, -75.5420),
    "3": (39.7350, -75.5430),
    "4": (39.7410, -75.5560),
}

DDL = """
CREATE TABLE dim_department (department_id INTEGER, code VARCHAR, name VARCHAR,
    source VARCHAR);
CREATE TABLE dim_service_type (service_type_id INTEGER, code VARCHAR, name VARCHAR,
    department_id INTEGER, kind VARCHAR, sla_value DOUBLE, sla_unit VARCHAR,
    needs_location BOOLEAN, source VARCHAR);
CREATE TABLE dim_date (date DATE, year INTEGER, quarter INTEGER, month INTEGER,
    week_start DATE, day_of_week INTEGER, is_weekend BOOLEAN, is_holiday BOOLEAN,
    holiday_name VARCHAR, is_business_day BOOLEAN);
CREATE TABLE dim_geography (district VARCHAR, name VARCHAR, latitude DOUBLE,
    longitude DOUBLE);
CREATE TABLE fact_case (case_id BIGINT, case_number VARCHAR, source VARCHAR,
    external_id VARCHAR, service_type_id INTEGER, department_id INTEGER,
    kind VARCHAR, channel VARCHAR, district VARCHAR, latitude DOUBLE,
    longitude DOUBLE, priority VARCHAR, status VARCHAR, outcome VARCHAR,
    is_open BOOLEAN, is_duplicate BOOLEAN, parent_case_id BIGINT,
    created_at TIMESTAMPTZ, first_response_at TIMESTAMPTZ, due_at TIMESTAMPTZ,
    closed_at TIMESTAMPTZ, created_date DATE, closed_date DATE,
    hours_to_close DOUBLE, hours_to_first_response DOUBLE,
    business_days_to_close DOUBLE, on_time BOOLEAN, reopen_count INTEGER,
    flags VARCHAR, has_duration_flag BOOLEAN, updated_at TIMESTAMPTZ);
CREATE TABLE fact_case_event (event_id BIGINT, case_id BIGINT, kind VARCHAR,
    "at" TIMESTAMPTZ, local_date DATE, actor_role VARCHAR, public BOOLEAN,
    status_after VARCHAR, department_id_after INTEGER,
    service_type_id_after INTEGER, due_at_after TIMESTAMPTZ,
    outcome_after VARCHAR, parent_case_id_after BIGINT, next_at TIMESTAMPTZ);
CREATE TABLE etl_run (run_id INTEGER, started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ, status VARCHAR, full_rebuild BOOLEAN,
    rows_read BIGINT, inserted BIGINT, updated BIGINT, rejected BIGINT,
    watermark_updated_at TIMESTAMPTZ, watermark_case_id BIGINT,
    fact_case_rows BIGINT, fact_case_event_rows BIGINT, snapshot VARCHAR,
    error VARCHAR);
"""


@dataclass
class Case:
    case_id: int
    service_type: str
    created_at: datetime
    district: str
    channel: str
    acknowledge_after: float | None = None  # hours
    close_after: float | None = None  # hours; negative: closed before creation
    flags: str = ""
    transferred_from: str | None = None
    events: list[tuple] = field(default_factory=list)

    @property
    def number(self) -> str:
        return format_case_number(self.created_at.year, self.case_id)


def _local(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=NEW_YORK)


def cases() -> list[Case]:
    """Return the scenario's cases in case-id order."""
    made: list[Case] = []

    def add(service_type, created, acknowledge=None, close=None, **extra):
        district = str(len(made) % 4 + 1)
        channel = "phone" if len(made) % 2 == 0 else "web"
        made.append(
            Case(
                len(made) + 1,
                service_type,
                created,
                district,
                channel,
                acknowledge,
                close,
                **extra,
            )
        )

    for i in range(20):
        add("POTHOLE", _local(date(2026, 10, 5) + timedelta(days=i), 10), 2, 24)
    for i in range(40):
        created = _local(date(2026, 11, 2) + timedelta(days=i // 2), 10 + 4 * (i % 2))
        close = 24 if i < 30 else None
        add("POTHOLE", created, 2, close, flags="missing_location" if i == 39 else "")
    for i in range(35):
        created = _local(date(2026, 11, 2) + timedelta(days=i % 27), 9)
        add(
            "SEWER_BACKUP",
            created,
            1,
            30 if i < 20 else 12,
            transferred_from="PW" if i == 0 else None,
        )
    for i in range(10):
        created = _local(date(2026, 11, 3) + timedelta(days=i), 11)
        if i < 8:
            add("MISSED_TRASH", created, 1, 10)
        else:
            add("MISSED_TRASH", created, None, -1, flags="closed_before_created")
    return made


def _fact_row(case: Case) -> tuple:
    type_id, _, department, sla_hours = SERVICE_TYPES[case.service_type]
    department_id = DEPARTMENTS[department][0]
    created = case.created_at.astimezone(UTC)
    due = created + timedelta(hours=sla_hours)
    response = (
        None
        if case.acknowledge_after is None
        else created + timedelta(hours=case.acknowledge_after)
    )
    closed = (
        None
        if case.close_after is None
        else created + timedelta(hours=case.close_after)
    )
    flagged = "closed_before_created" in case.flags
    hours = None if closed is None or flagged else case.close_after
    lat, lon = DISTRICTS[case.district]
    return (
        case.case_id,
        case.number,
        "city311",
        None,
        type_id,
        department_id,
        "service_request",
        case.channel,
        case.district,
        lat + case.case_id * 1e-4,
        lon,
        "normal",
        "closed" if closed else "acknowledged",
        "resolved" if closed else None,
        closed is None,
        False,
        None,
        created,
        response,
        due,
        closed,
        case.created_at.date(),
        None if closed is None else closed.astimezone(NEW_YORK).date(),
        hours,
        case.acknowledge_after,
        None,
        None if closed is None or flagged else closed <= due,
        0,
        case.flags,
        flagged,
        closed or response or created,
    )


def _event_rows(case: Case, first_event_id: int) -> list[tuple]:
    type_id, _, department, sla_hours = SERVICE_TYPES[case.service_type]
    department_id = DEPARTMENTS[department][0]
    created = case.created_at.astimezone(UTC)
    due = created + timedelta(hours=sla_hours)
    start_department = (
        DEPARTMENTS[case.transferred_from][0]
        if case.transferred_from
        else department_id
    )
    steps = [("created", created, "public", "new", start_department, None)]
    if case.transferred_from:
        steps.append(
            (
                "transferred",
                created + timedelta(hours=0.5),
                "agent",
                "new",
                department_id,
                None,
            )
        )
    if case.acknowledge_after is not None:
        steps.append(
            (
                "acknowledged",
                created + timedelta(hours=case.acknowledge_after),
                "department_staff",
                "acknowledged",
                department_id,
                None,
            )
        )
    if case.close_after is not None:
        steps.append(
            (
                "closed",
                created + timedelta(hours=case.close_after),
                "department_staff",
                "closed",
                department_id,
                "resolved",
            )
        )
    rows = []
    for offset, (kind, at, role, status, dept, outcome) in enumerate(steps):
        rows.append(
            (
                first_event_id + offset,
                case.case_id,
                kind,
                at,
                at.astimezone(NEW_YORK).date(),
                role,
                kind != "transferred",
                status,
                dept,
                type_id,
                due,
                outcome,
                None,
                None,
            )
        )
    return rows


def write_warehouse(path: Path) -> Path:
    """Write the scenario into a new DuckDB file at ``path`` and return the path."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute(DDL)
    con.executemany(
        "INSERT INTO dim_department VALUES (?, ?, ?, 'city311')",
        [(i, code, name) for code, (i, name) in DEPARTMENTS.items()],
    )
    con.executemany(
        "INSERT INTO dim_service_type VALUES (?, ?, ?, ?, 'service_request', ?, "
        "'calendar_hours', true, 'city311')",
        [
            (i, code, name, DEPARTMENTS[d][0], h)
            for code, (i, name, d, h) in SERVICE_TYPES.items()
        ],
    )
    con.executemany(
        "INSERT INTO dim_geography VALUES (?, ?, ?, ?)",
        [
            (code, f"Council District {code}", lat, lon)
            for code, (lat, lon) in DISTRICTS.items()
        ],
    )
    made = cases()
    con.executemany(
        "INSERT INTO fact_case VALUES (" + ", ".join(["?"] * 31) + ")",
        [_fact_row(case) for case in made],
    )
    events = []
    for case in made:
        events.extend(_event_rows(case, case.case_id * 10))
    con.executemany(
        "INSERT INTO fact_case_event VALUES (" + ", ".join(["?"] * 14) + ")", events
    )
    fill_next_at(con)
    con.close()
    return path
