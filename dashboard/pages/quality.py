"""Data quality: flagged cases per flag and source, each drilling down to the cases."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, html
from dash.exceptions import PreventUpdate

from dashboard.components import quality_table
from dashboard.links import cases_href
from dashboard.runtime import runtime
from dashboard.view import (
    click_id,
    click_store,
    csv_button,
    error_alert,
    page_frame,
    read_filters,
    register_csv_export,
    register_grid_clicks,
    view_errors,
)
from metrics import quality
from metrics.citistat import compute

dash.register_page(__name__, path="/quality", title="Data quality", name="Quality")

PAGE = "quality"
GRID = "quality-grid"


def layout(**query):
    body = [
        html.P(
            "Cases received in the period that carry a data-quality flag. "
            "Flagged cases stay in counts but are left out of durations. "
            "Click a row to see its cases.",
            className="chart-note",
        ),
        html.Div(id="quality-totals", className="mb-2"),
        csv_button(GRID),
        click_store(GRID),
        html.Div(id="quality-table"),
    ]
    return page_frame(PAGE, "Data quality", query, body, path="/quality")


@callback(
    Output("quality-table", "children"),
    Output("quality-totals", "children"),
    Output("quality-message", "children"),
    Input("quality-query", "data"),
)
def show_counts(query):
    rt = runtime()
    try:
        filters = read_filters(query)
        frame = rt.reader.call(quality.flags_by_source, filters)
        totals = rt.reader.call(
            compute,
            filters,
            rt.context.city,
            names=("received", "flagged_cases", "duration_flagged_cases"),
        )
    except view_errors() as error:
        return None, None, error_alert(error)
    values = totals["metrics"]
    text = (
        f"{values['flagged_cases']:,} of {values['received']:,} cases received carry "
        f"a flag; {values['duration_flagged_cases']:,} are left out of durations."
    )
    grid = quality_table.make_grid(GRID, quality_table.quality_rows(frame))
    return grid, text, None


@callback(
    Output("quality-go", "href", allow_duplicate=True),
    Input(click_id(GRID), "data"),
    State("quality-query", "data"),
    prevent_initial_call=True,
)
def open_cases(cell, query):
    if not cell or not cell.get("rowId"):
        raise PreventUpdate
    try:
        filters = read_filters(query)
    except view_errors():
        raise PreventUpdate from None
    flag, source = cell["rowId"].split("|", 1)
    return cases_href(filters, "received", flag=flag, source=source)


register_csv_export(GRID)
register_grid_clicks(GRID)
