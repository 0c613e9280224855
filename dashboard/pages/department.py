"""Department: on-time by type, aging, overdue list, first response, transfers."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.components import aging, by_type, outcomes, overdue_table, transfers
from dashboard.components.format import format_period
from dashboard.links import case_href, cases_href
from dashboard.runtime import runtime
from dashboard.scope import scope_to_login
from dashboard.view import (
    click_id,
    click_store,
    clicked_data,
    error_alert,
    expect,
    graph,
    page_frame,
    read_dimensions,
    read_filters,
    register_grid_clicks,
    view_errors,
)
from metrics import backlog, timeliness, volume
from metrics.citistat import compute
from metrics.filters import FilterError, Filters

dash.register_page(
    __name__,
    path_template="/department/<code>",
    title="Department",
    name="Department",
)

PAGE = "department"
OVERDUE_ROWS = 500


def period_line(code, query) -> html.P | None:
    """Return the line that names the page's period, or None for a bad query."""
    try:
        filters = department_filters(code, query)
    except view_errors():
        return None
    zone = runtime().context.city.timezone
    return html.P(
        format_period(filters, zone), className="chart-note", id="department-period"
    )


def layout(code: str | None = None, **query):
    names = dict(_department_names())
    body = [
        dcc.Store(id="department-code", data=code),
        click_store("department-overdue-grid"),
        period_line(code, query),
        dbc.Row(
            [
                dbc.Col(graph("department-on-time", 360, grows=True), lg=6),
                dbc.Col(graph("department-aging"), lg=6),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(graph("department-first-response", 360, grows=True), lg=6),
                dbc.Col(
                    [
                        graph("department-transfers", 280),
                        graph("department-outcomes", 280),
                    ],
                    lg=6,
                ),
            ]
        ),
        html.H2("Overdue cases", className="h5 mt-3"),
        html.Div(id="department-overdue-note", className="chart-note mb-1"),
        html.Div(id="department-overdue"),
    ]
    title = f"Department: {names.get(code, code)}"
    if names and code not in names:
        # The callbacks still run and put the error in the message area; the
        # panels stay hidden, so no empty axes appear under it.
        title = "Department not found"
        body = [html.Div(body, style={"display": "none"})]
    return page_frame(
        PAGE,
        title,
        query,
        body,
        path=f"/department/{code}",
        set_by_path={"department": code} if code in names else None,
    )


def _department_names():
    try:
        return read_dimensions().departments
    except view_errors():
        return ()


def department_filters(code: str | None, query) -> Filters:
    """Return the page's filters narrowed to the department of the path."""
    filters = read_filters(query)
    known = {c for c, _ in read_dimensions().departments}
    if not isinstance(code, str) or code not in known:
        raise FilterError(
            f"unknown department {code!r}; use one of {', '.join(sorted(known))}"
        )
    return scope_to_login(replace(filters, departments=(code,)))


def load_by_type(code, query):
    """Return the compute results behind the on-time and first-response charts."""
    rt = runtime()
    filters = department_filters(code, query)
    city = rt.context.city
    # The charts show no comparison with earlier periods.
    on_time = rt.reader.call(
        compute,
        filters,
        city,
        by="service_type",
        names=("on_time_rate",),
        comparisons=False,
    )
    response = rt.reader.call(
        compute,
        filters,
        city,
        by="service_type",
        names=("first_response_median_hours",),
        comparisons=False,
    )
    return on_time, response


def load_state(code, query):
    """Return the filters, aging, transfers, outcomes and overdue page."""
    rt = runtime()
    filters = department_filters(code, query)
    return (
        filters,
        rt.reader.call(backlog.aging, filters, filters.as_of),
        rt.reader.call(volume.transfers, filters),
        rt.reader.call(timeliness.outcomes, filters),
        rt.reader.call(
            backlog.overdue_list, filters, filters.as_of, limit=OVERDUE_ROWS
        ),
    )


def default_views():
    """Return the loaders of each department page without a query string.

    The cache warm-up runs them.
    """
    views = []
    for code, _ in _department_names():
        views.append((f"department {code} charts", partial(load_by_type, code, {})))
        views.append((f"department {code} state", partial(load_state, code, {})))
    return views


@callback(
    Output("department-on-time", "figure"),
    Output("department-first-response", "figure"),
    Output("department-message", "children"),
    Input("department-code", "data"),
    Input("department-query", "data"),
)
def show_by_type(code, query):
    try:
        on_time, response = load_by_type(code, query)
        names = {c: n for c, n, _ in read_dimensions().service_types}
    except view_errors() as error:
        return dash.no_update, dash.no_update, error_alert(error)
    return (
        by_type.make_figure(
            by_type.type_values(on_time["rows"], "on_time_rate", names),
            "On-time rate by service type",
            "fraction",
        ),
        by_type.make_figure(
            by_type.type_values(response["rows"], "first_response_median_hours", names),
            "Median first response by service type",
            "hours",
        ),
        None,
    )


# Aging, the transfers and outcomes, and the overdue list have a callback
# each, so the browser requests them at once and each appears when its own
# queries finish.
@callback(
    Output("department-aging", "figure"),
    Input("department-code", "data"),
    Input("department-query", "data"),
)
def show_aging(code, query):
    try:
        filters = department_filters(code, query)
        buckets = runtime().reader.call(backlog.aging, filters, filters.as_of)
    except view_errors():
        raise PreventUpdate from None
    return aging.make_figure(buckets)


@callback(
    Output("department-transfers", "figure"),
    Output("department-outcomes", "figure"),
    Input("department-code", "data"),
    Input("department-query", "data"),
)
def show_flows(code, query):
    rt = runtime()
    try:
        filters = department_filters(code, query)
        moved = rt.reader.call(volume.transfers, filters)
        closed = rt.reader.call(timeliness.outcomes, filters)
    except view_errors():
        raise PreventUpdate from None
    return transfers.make_figure(moved, code), outcomes.make_figure(closed)


@callback(
    Output("department-overdue", "children"),
    Output("department-overdue-note", "children"),
    Input("department-code", "data"),
    Input("department-query", "data"),
)
def show_overdue(code, query):
    rt = runtime()
    try:
        filters = department_filters(code, query)
        overdue = rt.reader.call(
            backlog.overdue_list, filters, filters.as_of, limit=OVERDUE_ROWS
        )
    except view_errors():
        raise PreventUpdate from None
    zone = rt.context.city.timezone
    type_names = {c: n for c, n, _ in read_dimensions().service_types}
    rows = overdue_table.overdue_rows(overdue.rows, zone, type_names)
    note = [
        f"{overdue.total:,} cases overdue at the end of the period",
        f" (the {OVERDUE_ROWS} most overdue are listed). "
        if overdue.total > OVERDUE_ROWS
        else ". ",
        html.A(
            "Download as CSV",
            href=cases_href(filters, "overdue").replace("/cases?", "/cases.csv?"),
        ),
    ]
    return (
        overdue_table.make_grid("department-overdue-grid", rows, f"overdue-{code}.csv"),
        note,
    )


@callback(
    Output("department-go", "href", allow_duplicate=True),
    Input("department-on-time", "clickData"),
    Input(click_id("department-overdue-grid"), "data"),
    State("department-code", "data"),
    State("department-query", "data"),
    prevent_initial_call=True,
)
def drill_down(on_time_click, cell, code, query):
    trigger = dash.ctx.triggered_id
    if trigger == click_id("department-overdue-grid") and cell:
        number = expect(cell, dict).get("value")
        if cell.get("colId") != "case_number" or not number:
            raise PreventUpdate
        return case_href(expect(number, str))
    if trigger == "department-on-time" and on_time_click:
        service_type = expect(clicked_data(on_time_click), str)
        try:
            filters = department_filters(code, query)
            filters = replace(filters, service_types=(service_type,))
        except view_errors():
            raise PreventUpdate from None
        return cases_href(filters, "closed")
    raise PreventUpdate


register_grid_clicks("department-overdue-grid")
