"""Write warehouse tables from rows given by hand, for metric tests.

The builder derives nothing a metric computes: every fact column (dates, flags,
open and duplicate markers, the state after each event) comes from the test.
Only columns no metric reads get defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from etl.schema import create_tables, fill_next_at

NEW_YORK = ZoneInfo("America/New_York")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a New York wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


@dataclass
class Event:
    kind: str
    at: datetime
    local_date: date
    status_after: str
    department_id_after: int | None = None  # None: the case's department
    service_type_id_after: int | None = None  # None: the case's type
    outcome_after: str | None = None
    due_at_after: datetime | None | str = "case"  # "case": the case's due date


@dataclass
class Case:
    case_id: int
    service_type_id: int
    department_id: int
    created_at: datetime
    created_date: date
    status: str
    events: list[Event]
    closed_at: datetime | None = None
    closed_date: date | None = None
    due_at: datetime | None = None
    first_response_at: datetime | None = None
    outcome: str | None = None
    is_duplicate: bool = False
    reopen_count: int = 0
    flags: str = ""
    has_duration_flag: bool = False
    business_days_to_close: float | None = None
    channel: str = "phone"
    district: str | None = "D1"
    source: str = "city311"
    extra: dict = field(default_factory=dict)


def _case_row(case: Case) -> tuple:
    return (
        case.case_id,
        f"26-{case.case_id:06d}-0",
        case.source,
        None,
        case.service_type_id,
        case.department_id,
        "service_request",
        case.channel,
        case.district,
        None,
        None,
        "normal",
        case.status,
        case.outcome,
        case.status != "closed",
        case.is_duplicate,
        None,
        case.created_at,
        case.first_response_at,
        case.due_at,
        case.closed_at,
        case.created_date,
        case.closed_date,
        None,
        None,
        case.business_days_to_close,
        None,
        case.reopen_count,
        case.flags,
        case.has_duration_flag,
        case.created_at,
    )


def _event_rows(case: Case, first_id: int) -> list[tuple]:
    rows = []
    for offset, event in enumerate(case.events):
        due = case.due_at if event.due_at_after == "case" else event.due_at_after
        rows.append(
            (
                first_id + offset,
                case.case_id,
                event.kind,
                event.at,
                event.local_date,
                "staff",
                True,
                event.status_after,
                event.department_id_after or case.department_id,
                event.service_type_id_after or case.service_type_id,
                due,
                event.outcome_after,
                None,
                None,
            )
        )
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert rows in one statement; DuckDB's executemany runs one per row."""
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    con.register("incoming", frame)
    con.execute(f"INSERT INTO {table} SELECT * FROM incoming")
    con.unregister("incoming")


def write_warehouse(
    path: Path,
    departments: list[tuple[int, str, str]],
    service_types: list[tuple[int, str, str, int]],
    cases: list[Case],
) -> Path:
    """Write the contract tables with these rows into a new DuckDB file."""
    con = duckdb.connect(str(path))
    try:
        create_tables(con)
        con.executemany(
            "INSERT INTO dim_department VALUES (?, ?, ?, 'test')", departments
        )
        con.executemany(
            "INSERT INTO dim_service_type VALUES "
            "(?, ?, ?, ?, 'service_request', NULL, NULL, FALSE, 'test')",
            service_types,
        )
        events = []
        for case in cases:
            events += _event_rows(case, case.case_id * 100)
        _insert(con, "fact_case", [_case_row(case) for case in cases])
        _insert(con, "fact_case_event", events)
        fill_next_at(con)
    finally:
        con.close()
    return path
