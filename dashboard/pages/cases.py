"""Cases: the filtered, server-paged case table that every drill-down leads to."""

from __future__ import annotations

from dataclasses import replace

import dash
from dash import Input, Output, State, callback, html
from dash.exceptions import PreventUpdate

from dashboard.components import case_grid
from dashboard.links import case_href
from dashboard.runtime import runtime
from dashboard.scope import scope_to_login
from dashboard.urlstate import (
    CASE_LIST_KEYS,
    as_of,
    check_codes,
    filter_query,
    parse_case_list,
)
from dashboard.view import (
    click_id,
    click_store,
    error_alert,
    expect,
    page_frame,
    query_mapping,
    read_dimensions,
    register_grid_clicks,
    view_errors,
)
from metrics.case_list import BASES, CaseQuery, case_count, case_page

dash.register_page(__name__, path="/cases", title="Cases", name="Cases")

PAGE = "cases"
# Far above any city's case count, and small enough for DuckDB's BIGINT.
MAX_ROW_INDEX = 2**40


def layout(**query):
    body = [
        html.Div(
            [
                html.Span(id="cases-summary", className="me-3"),
                html.A(
                    "Download all as CSV",
                    id="cases-csv",
                    className="btn btn-sm btn-outline-secondary",
                ),
            ],
            className="mb-2 d-flex align-items-center",
        ),
        case_grid.make_grid("cases-grid"),
        click_store("cases-grid"),
    ]
    return page_frame(
        PAGE, "Cases", query, body, path="/cases", extra_keys=CASE_LIST_KEYS
    )


def case_query(query, grid_request=None) -> CaseQuery:
    """Build the CaseQuery of the URL and, when given, of the grid's request."""
    rt = runtime()
    filters, basis, flag, source = parse_case_list(query_mapping(query), rt.today())
    check_codes(filters, read_dimensions())
    filters = scope_to_login(filters)
    # Open and overdue lists show the state at the period's end, as the tiles do.
    zone = rt.context.city.timezone
    filters = replace(filters, as_of=as_of(filters, rt.now(), zone))
    request = grid_request or {}
    return CaseQuery(
        filters,
        basis,
        flag,
        source,
        sort=case_grid.sort_pairs(request.get("sortModel")),
        grid_filters=case_grid.filter_model(request.get("filterModel")),
    )


@callback(
    Output("cases-summary", "children"),
    Output("cases-csv", "href"),
    Output("cases-message", "children", allow_duplicate=True),
    Input("cases-query", "data"),
    prevent_initial_call="initial_duplicate",
)
def show_summary(query):
    rt = runtime()
    try:
        selection = case_query(query)
        total = rt.reader.call(case_count, selection, rt.now())
    except view_errors() as error:
        return None, None, error_alert(error)
    filters = selection.filters
    text = (
        f"{total:,} {BASES[selection.basis]} ({filters.start} to {filters.end})"
        if selection.basis in ("received", "closed")
        else f"{total:,} {BASES[selection.basis]}"
    )
    if selection.basis == "closed":
        text += (
            ". The Closed figure counts closures instead: a case reopened and "
            "closed again counts once per closure."
        )
    extra = {
        "basis": selection.basis,
        "flag": selection.flag,
        "source": selection.source,
    }
    return text, "/cases.csv" + filter_query(filters, **extra), None


@callback(
    Output("cases-grid", "getRowsResponse"),
    Output("cases-message", "children", allow_duplicate=True),
    Input("cases-grid", "getRowsRequest"),
    State("cases-query", "data"),
    prevent_initial_call=True,
)
def load_rows(request, query):
    if not request:
        raise PreventUpdate
    rt = runtime()
    start = row_index(expect(request, dict).get("startRow", 0))
    end = row_index(request.get("endRow", start + case_grid.PAGE_SIZE))
    try:
        selection = case_query(query, request)
        now = rt.now()
        frame = rt.reader.call(
            case_page, selection, now, offset=start, limit=max(1, end - start)
        )
        total = rt.reader.call(case_count, selection, now)
    except view_errors() as error:
        return {"rowData": [], "rowCount": 0}, error_alert(error)
    rows = case_grid.grid_rows(frame, rt.context.city.timezone)
    return {"rowData": rows, "rowCount": total}, dash.no_update


def row_index(value) -> int:
    """Return a row number of the grid's request; stop unless it is one.

    AG Grid sends whole numbers from 0. The case list's own page check then
    rejects a page longer than its maximum.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise PreventUpdate
    if not 0 <= value <= MAX_ROW_INDEX:
        raise PreventUpdate
    return value


@callback(
    Output("cases-go", "href", allow_duplicate=True),
    Input(click_id("cases-grid"), "data"),
    prevent_initial_call=True,
)
def open_case(cell):
    if not cell:
        raise PreventUpdate
    number = expect(cell, dict).get("value")
    if cell.get("colId") != "case_number" or not number:
        raise PreventUpdate
    return case_href(expect(number, str))


register_grid_clicks("cases-grid")
