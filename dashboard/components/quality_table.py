"""Data-quality counts: flagged cases per flag and source, clickable to the cases."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import pandas as pd

from cases.quality import FLAG_LABELS
from metrics.case_list import UNFLAGGED_NEGATIVE

LABELS = {**FLAG_LABELS, UNFLAGGED_NEGATIVE: "Negative duration without a flag"}

COLUMN_DEFS = [
    {
        "field": "label",
        "headerName": "Flag",
        "cellClass": "text-primary text-decoration-underline",
    },
    {"field": "flag", "headerName": "Code"},
    {"field": "source", "headerName": "Source"},
    {"field": "cases", "headerName": "Cases", "type": "numericColumn"},
]


def quality_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Turn ``metrics.quality.flags_by_source`` into rows with a readable label."""
    return [
        {
            "id": f"{row['flag']}|{row['source']}",
            "label": LABELS.get(row["flag"], row["flag"]),
            "flag": row["flag"],
            "source": row["source"],
            "cases": int(row["cases"]),
        }
        for row in frame.to_dict("records")
    ]


def make_grid(grid_id: str, rows: list[dict[str, Any]]) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=COLUMN_DEFS,
        getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True, "flex": 1},
        dashGridOptions={"domLayout": "autoHeight"},
        csvExportParams={"fileName": "data-quality.csv"},
        className="ag-theme-quartz",
    )
