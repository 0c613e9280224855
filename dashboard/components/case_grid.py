"""The server-paged case table: an AG Grid in the infinite row model.

The grid asks for blocks of rows (``getRowsRequest``) with its sort and filter
models; a callback answers each block from ``metrics.case_list``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash_ag_grid as dag
import pandas as pd

from cases.lifecycle import status_label
from dashboard.components.format import format_instant
from metrics.filters import FilterError

PAGE_SIZE = 100
TEXT_FILTER = {
    "filter": "agTextColumnFilter",
    "filterParams": {
        "filterOptions": ["contains", "equals", "startsWith"],
        "maxNumConditions": 1,
        "buttons": ["apply", "reset"],
    },
}
NUMBER_FILTER = {
    "filter": "agNumberColumnFilter",
    "filterParams": {
        "filterOptions": ["lessThan", "greaterThan", "equals"],
        "maxNumConditions": 1,
        "buttons": ["apply", "reset"],
    },
}

COLUMN_DEFS: list[dict[str, Any]] = [
    {
        "field": "case_number",
        "headerName": "Case",
        "pinned": "left",
        **TEXT_FILTER,
        "cellClass": "text-primary text-decoration-underline",
    },
    {"field": "created_at", "headerName": "Created"},
    # A list of the cases open or overdue at a period's end shows their values
    # today, as the headers state, because some have been closed since.
    {"field": "status", "headerName": "Status now", **TEXT_FILTER},
    {"field": "department", "headerName": "Department now", **TEXT_FILTER},
    {"field": "service_type_name", "headerName": "Service type", **TEXT_FILTER},
    {"field": "channel", "headerName": "Channel", **TEXT_FILTER},
    {"field": "district", "headerName": "District", **TEXT_FILTER},
    {"field": "priority", "headerName": "Priority", **TEXT_FILTER},
    {"field": "due_at", "headerName": "Due"},
    {"field": "closed_at", "headerName": "Closed"},
    {"field": "outcome", "headerName": "Outcome", **TEXT_FILTER},
    {"field": "hours_to_close", "headerName": "Hours to close", **NUMBER_FILTER},
    {"field": "flags", "headerName": "Flags", **TEXT_FILTER},
]


def grid_rows(frame: pd.DataFrame, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Turn a page of ``case_page`` into JSON rows with local times as text."""
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if key in ("created_at", "due_at", "closed_at"):
                row[key] = None if pd.isna(value) else format_instant(value, zone)
            elif key == "status":
                row[key] = status_label(value)
            elif key == "hours_to_close":
                row[key] = None if pd.isna(value) else round(float(value), 1)
            elif not isinstance(value, str) and pd.isna(value):
                row[key] = None
            else:
                row[key] = value
        rows.append(row)
    return rows


def sort_pairs(sort_model: Any) -> tuple[tuple[str, str], ...]:
    """Convert AG Grid's sort model into ``(column, direction)`` pairs.

    Raise FilterError for a model that is not a list of column sorts.
    """
    if not sort_model:
        return ()
    if not isinstance(sort_model, list):
        raise FilterError(f"sort model {sort_model!r} is invalid; expected a list")
    pairs = []
    for item in sort_model:
        column = item.get("colId") if isinstance(item, dict) else None
        direction = item.get("sort") if isinstance(item, dict) else None
        if not isinstance(column, str) or not isinstance(direction, str):
            raise FilterError(f"sort {item!r} is invalid; expected colId and sort")
        pairs.append((column, direction))
    return tuple(pairs)


def filter_model(model: Any) -> dict[str, dict[str, Any]]:
    """Return AG Grid's filter model, raising FilterError if it is not a mapping."""
    if not model:
        return {}
    valid = isinstance(model, dict) and all(
        isinstance(column, str) and isinstance(condition, dict)
        for column, condition in model.items()
    )
    if not valid:
        raise FilterError(
            f"filter model {model!r} is invalid; expected a mapping of column to filter"
        )
    return model


def make_grid(grid_id: str) -> dag.AgGrid:
    return dag.AgGrid(
        id=grid_id,
        columnDefs=COLUMN_DEFS,
        rowModelType="infinite",
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 110},
        dashGridOptions={
            "pagination": True,
            "paginationPageSize": PAGE_SIZE,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": PAGE_SIZE,
            "maxBlocksInCache": 5,
            "infiniteInitialRowCount": 1,
            "rowBuffer": 0,
        },
        getRowId="params.data.case_number",
        style={"height": "620px"},
        className="ag-theme-quartz",
    )
