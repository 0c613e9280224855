"""The department scorecard: one row per department, clickable to its cases."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd

from dashboard.components.format import format_value

SCORECARD_METRICS = (
    "received",
    "on_time_rate",
    "time_to_close_median_hours",
    "time_to_close_p90_hours",
    "open_backlog",
    "overdue_open",
)
SPARK_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Draw a series as block characters scaled to its maximum: [0, 5, 10] -> '▁▄█'."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARK_BARS[0] * len(values)
    last = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round(v / top * last)] for v in values)


def scorecard_rows(
    rows: list[dict[str, Any]],
    weekly: pd.DataFrame,
    weeks: list,
    names: dict[str, str],
) -> list[dict[str, Any]]:
    """Flatten ``compute(by='department')`` rows into grid rows with display text.

    ``weekly`` has department, week and received; ``weeks`` lists every week of
    the period so that a week without cases draws as the lowest bar.
    """
    table = []
    for row in rows:
        code = row["department"]
        if code is None:
            continue
        record: dict[str, Any] = {"department": code, "name": names.get(code, code)}
        for metric in SCORECARD_METRICS:
            detail = row["details"][metric]
            record[metric] = format_value(
                detail["value"], detail["unit"], detail.get("reason")
            )
            record[f"{metric}_value"] = detail["value"]
        own = weekly[weekly["department"] == code].set_index("week")["received"]
        record["trend"] = sparkline([int(own.get(week, 0)) for week in weeks])
        table.append(record)
    return table


COLUMN_DEFS = [
    {"field": "name", "headerName": "Department", "pinned": "left"},
    {"field": "received", "headerName": "Received"},
    {"field": "on_time_rate", "headerName": "On time"},
    {"field": "time_to_close_median_hours", "headerName": "Median to close"},
    {"field": "time_to_close_p90_hours", "headerName": "90th pct to close"},
    {"field": "open_backlog", "headerName": "Open backlog"},
    {"field": "overdue_open", "headerName": "Overdue"},
    {"field": "trend", "headerName": "Weekly received", "sortable": False},
]


def make_grid(grid_id: str, rows: list[dict[str, Any]]) -> dag.AgGrid:
    """Build the scorecard grid; a click on a row opens that department's cases."""
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        getRowId="params.data.department",
        defaultColDef={"sortable": True, "resizable": True, "flex": 1},
        dashGridOptions={"domLayout": "autoHeight"},
        csvExportParams={"fileName": "department-scorecard.csv"},
        className="ag-theme-quartz",
    )
