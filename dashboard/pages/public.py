"""Public transparency page: aggregates, on-time rates, a map and case lookup.

Open to anyone. Every component id starts with ``public-`` so that the login
check lets its callbacks through (see ``dashboard.access``). Figures are
aggregates of the warehouse, which contains no personal data. The lookup shows
a fixed list of fields from the case store's public view.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from cases.errors import NotFoundError
from cases.numbers import InvalidCaseNumber
from dashboard.components import case_map, public_tables
from dashboard.components.case_lookup import make_result
from dashboard.components.navbar import public_banner
from dashboard.runtime import runtime
from dashboard.urlstate import as_of, default_period
from dashboard.view import (
    csv_button,
    read_dimensions,
    register_csv_export,
    view_errors,
)
from metrics import map_points
from metrics.citistat import compute
from metrics.filters import Filters

dash.register_page(__name__, path="/public", title="311 performance", name="Public")

PERIODS = {"4": "Last 4 weeks", "13": "Last 13 weeks", "52": "Last 52 weeks"}


def layout(**query):
    rt = runtime()
    return html.Div(
        [
            public_banner(rt.context.city.name),
            dbc.Container(
                [
                    html.H1(
                        "How the city answers 311 requests",
                        className="h3",
                        id="public-title",
                    ),
                    html.P(
                        "Figures count requests by when they were received or "
                        "closed, in whole weeks. They never show who made a "
                        "request. A figure computed from fewer than 30 requests "
                        "shows 'insufficient data'. 'Closed on time' counts only "
                        "closed requests that had a due date.",
                        id="public-intro",
                    ),
                    html.Label(
                        "Period", htmlFor="public-period", id="public-period-label"
                    ),
                    # A native select: dcc.Dropdown keeps a focusable input
                    # inside an aria-hidden element, which screen readers trip on.
                    dbc.Select(
                        id="public-period",
                        options=[{"label": t, "value": v} for v, t in PERIODS.items()],
                        value="4",
                        style={"maxWidth": "16rem"},
                    ),
                    html.Div(id="public-period-text", className="chart-note mb-3"),
                    html.H2(
                        "By department", className="h5", id="public-departments-title"
                    ),
                    csv_button("public-departments-grid"),
                    html.Div(id="public-departments", className="mb-3"),
                    html.H2(
                        "By type of request", className="h5", id="public-types-title"
                    ),
                    csv_button("public-types-grid"),
                    html.Div(id="public-types", className="mb-3"),
                    dcc.Graph(id="public-map", config={"displaylogo": False}),
                    html.H2(
                        "Check a request", className="h5 mt-3", id="public-lookup-title"
                    ),
                    dbc.InputGroup(
                        [
                            dbc.Input(
                                id="public-lookup-input",
                                placeholder="Case number, such as 26-004213-7",
                                type="text",
                            ),
                            dbc.Button(
                                "Look up", id="public-lookup-button", color="primary"
                            ),
                        ],
                        style={"maxWidth": "32rem"},
                        className="mb-2",
                    ),
                    html.Div(
                        id="public-lookup-result",
                        className="mb-4",
                        **{"aria-live": "polite"},
                    ),
                ],
                fluid=True,
                id="public-content",
            ),
        ],
        id="public-page",
    )


def public_filters(weeks: str) -> Filters:
    rt = runtime()
    if not isinstance(weeks, str) or weeks not in PERIODS:
        weeks = "4"
    _, end = default_period(rt.today())
    start = end - timedelta(days=7 * int(weeks) - 1)
    filters = Filters(start, end)
    return Filters(start, end, as_of=as_of(filters, rt.now(), rt.context.city.timezone))


def _compute(filters: Filters, by: str):
    rt = runtime()
    # The tables show no comparison with earlier periods.
    return rt.reader.call(
        compute,
        filters,
        rt.context.city,
        by=by,
        names=public_tables.PUBLIC_METRICS,
        comparisons=False,
    )


def load_figures(weeks: str):
    """Return the filters, both compute results and the district counts."""
    filters = public_filters(weeks)
    return (
        filters,
        _compute(filters, "department"),
        _compute(filters, "service_type"),
        runtime().reader.call(map_points.district_counts, filters),
    )


def default_views():
    """Return the loaders of the public page for its first period (for the warm-up)."""
    return [("public page", partial(load_figures, "4"))]


# The two tables and the map have a callback each, so the browser requests
# them at once and each appears when its own queries finish.
@callback(
    Output("public-departments", "children"),
    Output("public-period-text", "children"),
    Input("public-period", "value"),
)
def show_departments(weeks):
    try:
        filters = public_filters(weeks or "4")
        result = _compute(filters, "department")
        dims = read_dimensions()
    except view_errors():
        return "Figures are not available yet; please try again later.", None
    rows = public_tables.public_rows(
        result["rows"], "department", dict(dims.departments)
    )
    return (
        public_tables.make_grid(
            "public-departments-grid", rows, "311-by-department.csv"
        ),
        f"From {filters.start:%d %B %Y} to {filters.end:%d %B %Y}.",
    )


@callback(Output("public-types", "children"), Input("public-period", "value"))
def show_types(weeks):
    try:
        result = _compute(public_filters(weeks or "4"), "service_type")
        dims = read_dimensions()
    except view_errors():
        return None
    names = {code: name for code, name, _ in dims.service_types}
    rows = public_tables.public_rows(result["rows"], "service_type", names)
    return public_tables.make_grid("public-types-grid", rows, "311-by-type.csv")


@callback(Output("public-map", "figure"), Input("public-period", "value"))
def show_map(weeks):
    rt = runtime()
    try:
        filters = public_filters(weeks or "4")
        districts = rt.reader.call(map_points.district_counts, filters)
    except view_errors():
        return dash.no_update
    return case_map.make_figure(
        districts,
        None,
        rt.context.city.center,
        rt.context.settings.map_tiles_url,
        title="Requests received per council district",
    )


@callback(
    Output("public-lookup-result", "children"),
    Input("public-lookup-button", "n_clicks"),
    Input("public-lookup-input", "n_submit"),
    State("public-lookup-input", "value"),
    prevent_initial_call=True,
)
def look_up(clicks, submits, number):
    if not isinstance(number, str) or not number.strip():
        raise PreventUpdate
    rt = runtime()
    try:
        case = rt.context.cases.lookup(number.strip())
    except (NotFoundError, InvalidCaseNumber) as error:
        return dbc.Alert(str(error), color="warning", id="public-lookup-error")
    return make_result(case, rt.context.city.timezone)


register_csv_export("public-departments-grid")
register_csv_export("public-types-grid")
