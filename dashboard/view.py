"""What every page does: read filters from the URL, frame the page, report errors."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import dash_bootstrap_components as dbc
import duckdb
import flask
from dash import Input, Output, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.components.filter_bar import filter_bar
from dashboard.components.navbar import staff_navbar
from dashboard.runtime import runtime
from dashboard.scope import scope_to_login
from dashboard.urlstate import as_of, check_codes, default_period, parse_filters
from dashboard.warehouse import NoSnapshotError
from dashboard.web.csrf import csrf_token
from metrics.dimensions import Dimensions, dimensions
from metrics.filters import FilterError, Filters

log = logging.getLogger(__name__)


def _signed_in() -> tuple[Any, str | None]:
    """Return the logged-in user and a form token (``None`` outside a request)."""
    if not flask.has_request_context():
        return None, None
    user = getattr(flask.g, "user", None)
    return user, (csrf_token() if user is not None else None)


def view_errors() -> tuple[type[Exception], ...]:
    """Return the exceptions a page turns into a message instead of a traceback.

    duckdb.IOException comes from a warehouse file deleted or damaged after
    its snapshot was published.
    """
    errors: list[type[Exception]] = [FilterError, NoSnapshotError, duckdb.IOException]
    try:
        from etl.warehouse import WarehouseError
    except ImportError:
        pass
    else:
        errors.append(WarehouseError)
    return tuple(errors)


def expect(value: Any, kind: type | tuple[type, ...]) -> Any:
    """Return ``value`` if it is a ``kind``; otherwise stop the callback.

    The browser sends each callback input with a fixed JSON type, so another
    type comes from a hand-made request. PreventUpdate leaves the page
    unchanged, where the wrong type would cause a server error.
    """
    if not isinstance(value, kind):
        raise PreventUpdate
    return value


def expect_strings(value: Any, count: int) -> list[str]:
    """Return ``value`` if it is a list of ``count`` strings, or stop the callback."""
    items = expect(value, list)
    if len(items) != count or not all(isinstance(item, str) for item in items):
        raise PreventUpdate
    return items


def clicked_data(click: Any) -> Any:
    """Return the customdata of the first point of a Plotly ``clickData``.

    A click without points or customdata stops the callback as ``expect`` does.
    """
    points = expect(expect(click, dict).get("points"), list)
    if not points:
        raise PreventUpdate
    point = expect(points[0], dict)
    if "customdata" not in point:
        raise PreventUpdate
    return point["customdata"]


def query_mapping(query: Any) -> dict[str, Any]:
    """Return a page's parsed query string, raising FilterError if it is not one.

    The query reaches callbacks through a store, so a hand-made request can
    replace it with any JSON value.
    """
    if query is None:
        return {}
    if not isinstance(query, dict):
        raise FilterError(f"query {query!r} is invalid; open the page from a link")
    return query


def read_dimensions() -> Dimensions:
    return runtime().reader.call(dimensions)


def read_filters(query: dict[str, Any] | None, extra_keys=()) -> Filters:
    """Parse and check the filters of a page's query string.

    The result carries ``as_of``: the end of the period, or now if sooner.
    """
    rt = runtime()
    filters = parse_filters(query_mapping(query), rt.today(), extra_keys)
    check_codes(filters, read_dimensions())
    filters = scope_to_login(filters)
    return replace(filters, as_of=as_of(filters, rt.now(), rt.context.city.timezone))


def error_alert(error: Exception) -> dbc.Alert:
    """Log a rejected view request and return the message that replaces its figures."""
    log.info("dashboard view not shown: %s", error)
    return dbc.Alert(str(error), color="warning", className="mb-3")


def page_frame(
    page: str,
    title: str,
    query: dict[str, Any],
    body: list,
    *,
    path: str,
    extra_keys: tuple[str, ...] = (),
    with_filters: bool = True,
    set_by_path: dict[str, str] | None = None,
) -> html.Div:
    """Frame a staff page: navigation, title, filter bar, message area, URL store.

    The page's callbacks take ``<page>-query`` as input; ``<page>-go`` is the
    location their drill-down clicks navigate with. ``set_by_path`` names filter
    controls the path already decides (the department of a department page):
    the bar shows their value and cannot change it.
    """
    rt = runtime()
    filters: Filters | None = None
    dims: Dimensions | None = None
    message = None
    try:
        dims = read_dimensions()
        filters = read_filters(query, extra_keys)
    except view_errors() as error:
        message = error_alert(error)
    extra = {key: query[key] for key in extra_keys if isinstance(query.get(key), str)}
    bar = (
        filter_bar(
            page, path, filters, default_period(rt.today()), dims, extra, set_by_path
        )
        if with_filters
        else None
    )
    return html.Div(
        [
            staff_navbar(page, rt.context.city.name, *_signed_in()),
            dbc.Container(
                [
                    html.H1(title, className="h3"),
                    bar,
                    html.Div(message, id=f"{page}-message"),
                    dcc.Store(id=f"{page}-query", data=query),
                    dcc.Location(id=f"{page}-go", refresh="callback-nav"),
                    *body,
                ],
                fluid=True,
                className="pb-4",
            ),
        ]
    )


def graph(
    graph_id: str, height: int = 340, figure=None, grows: bool = False
) -> dcc.Loading:
    """Return a graph that a callback fills, or that shows ``figure`` when given.

    With ``grows`` the graph is at least ``height`` pixels and takes the
    figure's own height when that is larger (a bar per service type, say).
    """
    extra = {} if figure is None else {"figure": figure}
    size = "minHeight" if grows else "height"
    return dcc.Loading(
        dcc.Graph(
            id=graph_id,
            style={size: f"{height}px"},
            config={"displaylogo": False},
            **extra,
        ),
        type="default",
    )


def csv_button(grid_id: str, label: str = "Download CSV") -> dbc.Button:
    """Return the button that ``register_csv_export(grid_id)`` wires to its grid."""
    return dbc.Button(
        label,
        id=f"{grid_id}-csv",
        color="secondary",
        outline=True,
        size="sm",
        className="mb-2",
    )


def register_csv_export(grid_id: str) -> None:
    """Make the grid's CSV button export the grid's rows in the browser."""

    @callback(
        Output(grid_id, "exportDataAsCsv"),
        Input(f"{grid_id}-csv", "n_clicks"),
        prevent_initial_call=True,
    )
    def export(clicks):
        return bool(clicks)


def click_id(grid_id: str) -> str:
    """Return the id of the store that receives ``grid_id``'s clicked cells."""
    return f"{grid_id}-click"


def click_store(grid_id: str) -> dcc.Store:
    """Return the store that ``register_grid_clicks(grid_id)`` fills."""
    return dcc.Store(id=click_id(grid_id))


def register_grid_clicks(grid_id: str) -> None:
    """Copy the grid's clicked cell into its click store, in the browser.

    dash-ag-grid 35 sets ``cellClicked`` to null when a grid mounts, which
    would send a request to every server callback with that input. Server
    callbacks take the store as input instead, and the browser copies only
    real clicks into it.
    """
    clientside_callback(
        "function (cell) { return cell ? cell : window.dash_clientside.no_update; }",
        Output(click_id(grid_id), "data"),
        Input(grid_id, "cellClicked"),
        prevent_initial_call=True,
    )
