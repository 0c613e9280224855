"""A case's timeline of events as a table; events carry roles, never names."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import pandas as pd

from cases.lifecycle import status_label
from dashboard.components.format import format_instant

COLUMN_DEFS = [
    # Wide enough for "2026-11-29 22:38 EST", so same-day events stay apart.
    {"field": "at", "headerName": "When", "minWidth": 190},
    {"field": "kind", "headerName": "Event"},
    {"field": "actor_role", "headerName": "By (role)"},
    {"field": "status_after", "headerName": "Status after"},
    {"field": "department", "headerName": "Department after"},
    {"field": "service_type", "headerName": "Type after"},
    {"field": "due_at_after", "headerName": "Due after"},
    {"field": "outcome_after", "headerName": "Outcome"},
]


def timeline_rows(events: pd.DataFrame, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Turn ``metrics.case_detail.timeline`` into rows with local times as text."""
    rows = []
    for event in events.to_dict("records"):
        rows.append(
            {
                "at": format_instant(event["at"], zone),
                "kind": event["kind"].replace("_", " "),
                "actor_role": event["actor_role"],
                "status_after": status_label(event["status_after"]),
                "department": event["department"],
                "service_type": event["service_type"],
                "due_at_after": format_instant(event["due_at_after"], zone),
                "outcome_after": None
                if pd.isna(event["outcome_after"])
                else event["outcome_after"],
            }
        )
    return rows


def make_grid(grid_id: str, rows: list[dict[str, Any]], case_number: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        defaultColDef={"resizable": True, "flex": 1, "minWidth": 150},
        dashGridOptions={"domLayout": "autoHeight"},
        csvExportParams={"fileName": f"case-{case_number}-timeline.csv"},
        className="ag-theme-quartz",
    )
