"""One case from the warehouse: its current row and its timeline of events.

The warehouse holds no free text and no names (event actors are roles), so
both are safe for any staff page. The public case lookup goes through the case
store's public view instead.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from metrics.query import fetch

_CASE_SQL = """
    SELECT c.case_id, c.case_number, c.source, c.external_id, c.kind, c.channel,
           c.district, c.latitude, c.longitude, c.priority, c.status, c.outcome,
           c.is_open, c.is_duplicate, p.case_number AS parent_case_number,
           c.created_at, c.first_response_at, c.due_at, c.closed_at,
           c.hours_to_close, c.on_time, c.reopen_count, c.flags,
           d.code AS department, d.name AS department_name,
           t.code AS service_type, t.name AS service_type_name,
           t.sla_value, t.sla_unit
    FROM fact_case c
    LEFT JOIN fact_case p ON p.case_id = c.parent_case_id
    LEFT JOIN dim_department d ON d.department_id = c.department_id
    LEFT JOIN dim_service_type t ON t.service_type_id = c.service_type_id
    WHERE c.case_number = $number
    LIMIT 1
"""

_TIMELINE_SQL = """
    SELECT e.event_id, e.kind, e."at", e.actor_role, e.public, e.status_after,
           d.code AS department, t.code AS service_type, e.due_at_after,
           e.outcome_after
    FROM fact_case_event e
    LEFT JOIN dim_department d ON d.department_id = e.department_id_after
    LEFT JOIN dim_service_type t ON t.service_type_id = e.service_type_id_after
    WHERE e.case_id = $case_id
    ORDER BY e.kind <> 'created', e."at", e.event_id
"""


def case_row(con: duckdb.DuckDBPyConnection, case_number: str) -> dict[str, Any] | None:
    """Return the case with this number as a dict, or None when it is not there."""
    frame = fetch(con, _CASE_SQL, {"number": case_number})
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {key: (None if _missing(value) else value) for key, value in row.items()}


def timeline(con: duckdb.DuckDBPyConnection, case_id: int) -> pd.DataFrame:
    """Return a case's events in case order: creation first, then by time and id."""
    return fetch(con, _TIMELINE_SQL, {"case_id": case_id})


def _missing(value: Any) -> bool:
    return not isinstance(value, str | list | dict) and bool(pd.isna(value))
