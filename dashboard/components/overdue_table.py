"""The overdue list: open cases past their due date, most overdue first."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import pandas as pd

from dashboard.components.format import format_instant

COLUMN_DEFS = [
    {
        "field": "case_number",
        "headerName": "Case",
        "cellClass": "text-primary text-decoration-underline",
    },
    {"field": "service_type", "headerName": "Service type"},
    {"field": "due_at", "headerName": "Due"},
    {"field": "days_overdue", "headerName": "Days overdue"},
]


def overdue_rows(
    frame: pd.DataFrame, zone: ZoneInfo, type_names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Format ``backlog.overdue_list`` rows; a type shows by name where known."""
    names = type_names or {}
    return [
        {
            "case_number": row["case_number"],
            "service_type": names.get(row["service_type"], row["service_type"]),
            "due_at": format_instant(row["due_at"], zone),
            "days_overdue": round(float(row["days_overdue"]), 1),
        }
        for row in frame.to_dict("records")
    ]


def make_grid(grid_id: str, rows: list[dict[str, Any]], file_name: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        defaultColDef={"sortable": True, "resizable": True, "flex": 1},
        dashGridOptions={"pagination": True, "paginationPageSize": 20},
        csvExportParams={"fileName": file_name},
        style={"height": "460px"},
        className="ag-theme-quartz",
    )
