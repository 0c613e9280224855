"""The public page's tables: figures per department and per service type.

Rows hold aggregates only; a group below the minimum size shows
'insufficient data' rather than a rate.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag

from dashboard.components.format import format_value

PUBLIC_METRICS = (
    "received",
    "closed",
    "on_time_rate",
    "time_to_close_median_hours",
)
HEADERS = {
    "name": "Name",
    "received": "Requests received",
    "closed": "Requests closed",
    "on_time_rate": "Closed on time",
    "time_to_close_median_hours": "Typical time to close (median)",
}


def public_rows(
    rows: list[dict[str, Any]], key: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Flatten ``compute`` rows grouped by ``key`` into display rows."""
    table = []
    for row in rows:
        code = row[key]
        if code is None:
            continue
        record = {"code": code, "name": names.get(code, code)}
        for metric in PUBLIC_METRICS:
            detail = row["details"][metric]
            record[metric] = format_value(
                detail["value"], detail["unit"], detail.get("reason")
            )
        table.append(record)
    return sorted(table, key=lambda r: r["name"])


def make_grid(grid_id: str, rows: list[dict[str, Any]], file_name: str) -> dag.AgGrid:
    columns = [
        {"field": field, "headerName": header} for field, header in HEADERS.items()
    ]
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=columns,
        getRowId="params.data.code",
        defaultColDef={"sortable": True, "resizable": True, "flex": 1, "minWidth": 130},
        dashGridOptions={
            "domLayout": "autoHeight",
            "pagination": True,
            "paginationPageSize": 20,
            "paginationPageSizeSelector": False,
        },
        csvExportParams={"fileName": file_name},
        className="ag-theme-quartz",
    )
