"""A deliberately plain pandas version of the headline figures.

It shares no code with ``metrics/``: it reads the warehouse tables into frames
and applies the definitions step by step. Property tests compare the DuckDB
figures against it on random histories, and the benchmark times it against
``metrics.citistat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

CLOSURE_KINDS = ("closed", "merged")


@dataclass
class Tables:
    cases: pd.DataFrame
    events: pd.DataFrame
    departments: pd.DataFrame


def load_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """Read fact_case, fact_case_event and dim_department whole into memory."""
    cases = con.execute("SELECT * FROM fact_case").df()
    events = con.execute("SELECT * FROM fact_case_event").df()
    departments = con.execute("SELECT department_id, code FROM dim_department").df()
    return Tables(cases, events, departments)


def _between(series: pd.Series, start: date, end: date) -> pd.Series:
    days = pd.to_datetime(series)
    return (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))


def _department_code(tables: Tables, ids: pd.Series) -> pd.Series:
    codes = tables.departments.set_index("department_id")["code"]
    return ids.map(codes)


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.total_seconds() / 3600


def _median(values: pd.Series) -> float | None:
    return None if values.empty else float(values.quantile(0.5))


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _period_figures(cases: pd.DataFrame, closures: pd.DataFrame, start, end) -> dict:
    received = cases[_between(cases["created_date"], start, end)]
    closed = cases[~cases["is_open"] & _between(cases["closed_date"], start, end)]
    unique = closed[~closed["is_duplicate"]]
    durations = unique[
        ~unique["has_duration_flag"] & (unique["closed_at"] >= unique["created_at"])
    ]
    hours = _hours(durations["closed_at"], durations["created_at"])
    with_due = closed[closed["due_at"].notna() & ~closed["has_duration_flag"]]
    responded = received[
        received["first_response_at"].notna()
        & ~received["has_duration_flag"]
        & (received["first_response_at"] >= received["created_at"])
    ]
    n_closed_events = int(_between(closures["local_date"], start, end).sum())
    return {
        "received": len(received),
        "closed": n_closed_events,
        "clearance_rate": _share(n_closed_events, len(received)),
        "duplicate_share": _share(int(received["is_duplicate"].sum()), len(received)),
        "n_durations": len(hours),
        "time_to_close_median_hours": _median(hours),
        "time_to_close_p90_hours": None if hours.empty else float(hours.quantile(0.9)),
        "time_to_close_mean_hours": None if hours.empty else float(hours.mean()),
        "on_time_rate": _share(
            int((with_due["closed_at"] <= with_due["due_at"]).sum()), len(with_due)
        ),
        "resolution_rate": _share(
            int((unique["outcome"] == "resolved").sum()), len(unique)
        ),
        "reopen_rate": _share(int((closed["reopen_count"] > 0).sum()), len(closed)),
        "first_response_median_hours": _median(
            _hours(responded["first_response_at"], responded["created_at"])
        ),
    }


def state_at(tables: Tables, as_of: datetime) -> pd.DataFrame:
    """Return each case's last event at or before ``as_of``, in case order."""
    events = tables.events[tables.events["at"] <= pd.Timestamp(as_of)].copy()
    events["not_created"] = events["kind"] != "created"
    events = events.sort_values(["case_id", "not_created", "at", "event_id"])
    last = events.groupby("case_id").tail(1).set_index("case_id")
    created = tables.cases.set_index("case_id")["created_at"]
    last = last[created.reindex(last.index) <= pd.Timestamp(as_of)]
    return last


def _state_figures(state: pd.DataFrame, as_of: datetime) -> dict:
    open_cases = state[state["status_after"] != "closed"]
    overdue = open_cases["due_at_after"].notna() & (
        open_cases["due_at_after"] < pd.Timestamp(as_of)
    )
    return {"open_backlog": len(open_cases), "overdue_open": int(overdue.sum())}


def figures(
    tables: Tables,
    start: date,
    end: date,
    as_of: datetime,
    by_department: bool = False,
) -> dict:
    """Return the figures city-wide, or per department code when asked.

    Case figures use the case's current department, closures the department
    after the closure event and the backlog the department at ``as_of``.
    """
    closures = tables.events[tables.events["kind"].isin(CLOSURE_KINDS)]
    state = state_at(tables, as_of)
    if not by_department:
        period = _period_figures(tables.cases, closures, start, end)
        return {None: period | _state_figures(state, as_of)}
    case_codes = _department_code(tables, tables.cases["department_id"])
    closure_codes = _department_code(tables, closures["department_id_after"])
    state_codes = _department_code(tables, state["department_id_after"])
    result = {}
    for code in tables.departments["code"]:
        result[code] = _period_figures(
            tables.cases[case_codes == code],
            closures[closure_codes == code],
            start,
            end,
        ) | _state_figures(state[state_codes == code], as_of)
    return result
