"""CitiStat overview: headline tiles, department scorecard, trends, top types, map."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.components import (
    backlog_trend,
    case_map,
    received_closed,
    scorecard,
    top_types,
)
from dashboard.components.format import format_comparison
from dashboard.components.tiles import TILES, make_tiles
from dashboard.links import case_href, cases_href, department_href, week_filters
from dashboard.reader import NotCachedError
from dashboard.runtime import runtime
from dashboard.view import (
    click_id,
    click_store,
    clicked_data,
    csv_button,
    error_alert,
    expect,
    expect_strings,
    graph,
    page_frame,
    read_dimensions,
    read_filters,
    register_csv_export,
    register_grid_clicks,
    view_errors,
)
from metrics import backlog, department_trend, map_points, volume
from metrics.citistat import compute

dash.register_page(__name__, path="/", title="CitiStat overview", name="Overview")

PAGE = "overview"
# The case list behind each scorecard column: the cases that column counts.
SCORECARD_BASIS = {
    **TILES,
    "time_to_close_p90_hours": "closed",
    "trend": "received",
}


# Present only when the layout leaves the panels to the callbacks below.
LOAD = "overview-load"


def layout(**query):
    embedded = cached_outputs(query)
    if embedded is None:
        tiles = grid = packet = None
        figures = (None, None, None, None)
        load = [dcc.Store(id=LOAD, data=True)]
    else:
        (tiles, grid, _, packet), figures = embedded
        load = []
    weekly_shown, backlog_shown, top_shown, map_shown = figures
    body = [
        *load,
        html.Div(tiles, id="overview-tiles", className="mb-3"),
        html.H2("Departments", className="h5"),
        html.P(
            "Click a department's name for its SLA view, or any other cell for "
            "its cases. Groups under the minimum size show 'insufficient data'.",
            className="chart-note",
        ),
        csv_button("overview-scorecard-grid"),
        click_store("overview-scorecard-grid"),
        html.Div(grid, id="overview-scorecard", className="mb-3"),
        dbc.Row(
            [
                dbc.Col(
                    graph("overview-received-closed", figure=weekly_shown),
                    lg=6,
                ),
                dbc.Col(graph("overview-backlog", figure=backlog_shown), lg=6),
            ]
        ),
        dbc.Row(
            [
                dbc.Col(graph("overview-top-types", 380, top_shown), lg=6),
                dbc.Col(
                    [
                        graph("overview-map", 440, map_shown),
                        district_links(query),
                    ],
                    lg=6,
                ),
            ]
        ),
        html.A(
            "Download the meeting packet (PDF)",
            id="overview-packet",
            href=packet,
            className="btn btn-outline-secondary",
        ),
    ]
    return page_frame(PAGE, "CitiStat overview", query, body, path="/")


def district_links(query) -> html.P | None:
    """Return a link per district to its cases received in the period.

    A district bubble on the map opens the same list, but an open-case point
    near a bubble's centre often takes the hover and the click there, and
    links also work from the keyboard.
    """
    try:
        filters = read_filters(query)
        districts = read_dimensions().districts
    except view_errors():
        return None
    if not districts:
        return None
    links: list = ["Cases received by district: "]
    for index, (code, name) in enumerate(districts):
        if index:
            links.append(" · ")
        href = cases_href(replace(filters, districts=(code,)), "received")
        links.append(html.A(name or code, href=href))
    return html.P(links, className="chart-note", id="overview-district-links")


def cached_outputs(query):
    """Return both callbacks' outputs when every figure behind them is cached.

    The layout then contains the panels, which saves the browser a second
    round of requests after the layout. Returns None on a cache miss or when
    the view shows a message instead, and the callbacks fill the panels.
    """
    try:
        with runtime().reader.cached_only():
            return headline_outputs(query), chart_figures(query)
    except (NotCachedError, PreventUpdate, *view_errors()):
        return None


HEADLINE_METRICS = tuple(dict.fromkeys((*TILES, *scorecard.SCORECARD_METRICS)))


@callback(
    Output("overview-tiles", "children"),
    Output("overview-scorecard", "children"),
    Output("overview-message", "children"),
    Output("overview-packet", "href"),
    Input(LOAD, "data"),
    State("overview-query", "data"),
)
def show_headline(load, query):
    """Fill the tiles and the scorecard from one compute call by department."""
    try:
        return headline_outputs(query)
    except view_errors() as error:
        return None, None, error_alert(error), None


def headline_outputs(query):
    """Return the tiles, the scorecard grid, no message and the packet link."""
    filters, result, weekly = load_headline(query)
    names = dict(read_dimensions().departments)
    hrefs = {name: cases_href(filters, basis) for name, basis in TILES.items()}
    packet = "/packet.pdf" + cases_href(filters).removeprefix("/cases")
    mondays = _mondays(filters.start, filters.end)
    rows = scorecard.scorecard_rows(result["rows"], weekly, mondays, names)
    period = html.P(
        format_comparison(result), id="overview-period", className="chart-note"
    )
    return (
        html.Div([period, make_tiles(result["details"], hrefs)]),
        scorecard.make_grid("overview-scorecard-grid", rows),
        None,
        packet,
    )


def load_headline(query):
    """Return the filters, the compute result and the weekly counts of the tiles."""
    rt = runtime()
    filters = read_filters(query)
    # The tiles compare with the previous period only; the year-earlier
    # period would make the backlog query read a year more of history.
    result = rt.reader.call(
        compute,
        filters,
        rt.context.city,
        by="department",
        names=HEADLINE_METRICS,
        comparisons=("previous",),
    )
    return filters, result, rt.reader.call(department_trend.weekly_received, filters)


def received_closed_figure(query):
    rt = runtime()
    filters = read_filters(query)
    # Weeks after the as-of day have nothing to count yet.
    last = filters.last_counted_day(rt.context.city.timezone)
    counted = replace(filters, end=max(last, filters.start))
    series = rt.reader.call(volume.received_closed_series, counted, "week")
    return received_closed.make_figure(series, counted.start, counted.end)


def backlog_figure(query):
    rt = runtime()
    filters = read_filters(query)
    freq = "day" if filters.days <= 92 else "week"
    days = rt.reader.call(
        backlog.backlog_series, filters, freq, rt.context.city.timezone.key
    )
    return backlog_trend.make_figure(days)


def top_types_figure(query):
    filters = read_filters(query)
    return top_types.make_figure(
        runtime().reader.call(volume.top_service_types, filters, 10)
    )


def map_figure(query):
    rt = runtime()
    filters = read_filters(query)
    districts = rt.reader.call(map_points.district_counts, filters)
    points = rt.reader.call(map_points.open_case_points, filters, rt.now())
    city = rt.context.city
    return case_map.make_figure(
        districts, points, city.center, rt.context.settings.map_tiles_url
    )


# Each chart has its own callback, so the browser requests them together and
# each appears when its own queries finish.
CHARTS = {
    "overview-received-closed": received_closed_figure,
    "overview-backlog": backlog_figure,
    "overview-top-types": top_types_figure,
    "overview-map": map_figure,
}


def chart_figures(query):
    """Return the four chart figures of the overview, in ``CHARTS`` order."""
    return tuple(build(query) for build in CHARTS.values())


def default_views():
    """Return the loaders of the overview without a query string (for the warm-up)."""
    return [
        ("overview tiles", lambda: load_headline({})),
        ("overview charts", lambda: chart_figures({})),
    ]


def _mondays(start: date, end: date) -> list[date]:
    monday = start - timedelta(days=start.weekday())
    days = []
    while monday <= end:
        days.append(monday)
        monday += timedelta(days=7)
    return days


def _chart_callback(chart_id: str, build):
    @callback(
        Output(chart_id, "figure"),
        Input(LOAD, "data"),
        State("overview-query", "data"),
    )
    def show_chart(load, query):
        try:
            return build(query)
        except view_errors():
            raise PreventUpdate from None

    return show_chart


for _chart_id, _build in CHARTS.items():
    _chart_callback(_chart_id, _build)


@callback(
    Output("overview-go", "href", allow_duplicate=True),
    Input(click_id("overview-scorecard-grid"), "data"),
    Input("overview-received-closed", "clickData"),
    Input("overview-top-types", "clickData"),
    Input("overview-map", "clickData"),
    Input("overview-query", "data"),
    prevent_initial_call=True,
)
def drill_down(cell, weekly_click, type_click, map_click, query):
    trigger = dash.ctx.triggered_id
    if trigger == "overview-query":
        raise PreventUpdate
    try:
        filters = read_filters(query)
        return drill_href(trigger, cell, weekly_click, type_click, map_click, filters)
    except view_errors():
        raise PreventUpdate from None


def drill_href(trigger, cell, weekly_click, type_click, map_click, filters) -> str:
    """Return the case-list link for the element that was clicked."""
    if trigger == click_id("overview-scorecard-grid") and cell:
        return scorecard_href(expect(cell, dict), filters)
    if trigger == "overview-received-closed" and weekly_click:
        week, basis, _ = expect_strings(clicked_data(weekly_click), 3)
        return cases_href(week_filters(filters, clicked_week(week, filters)), basis)
    if trigger == "overview-top-types" and type_click:
        code = expect(clicked_data(type_click), str)
        return cases_href(replace(filters, service_types=(code,)))
    if trigger == "overview-map" and map_click:
        kind, value = expect_strings(clicked_data(map_click), 2)
        if kind == "case":
            return case_href(value)
        return cases_href(replace(filters, districts=(value,)))
    raise PreventUpdate


def scorecard_href(cell: dict, filters) -> str:
    """Return the link of a scorecard cell: the department page or its cases."""
    department = expect(cell.get("rowId"), str)
    column = cell.get("colId")
    if not department:
        raise PreventUpdate
    if column == "name":
        return department_href(department, filters)
    basis = "received"
    if isinstance(column, str):
        basis = SCORECARD_BASIS.get(column, basis)
    return cases_href(replace(filters, departments=(department,)), basis)


def clicked_week(week: str, filters) -> date:
    """Return the Monday of a clicked bar; stop unless its week meets the period."""
    try:
        monday = date.fromisoformat(week)
    except ValueError:
        raise PreventUpdate from None
    if not filters.start - timedelta(days=6) <= monday <= filters.end:
        raise PreventUpdate
    return monday


register_csv_export("overview-scorecard-grid")
register_grid_clicks("overview-scorecard-grid")
