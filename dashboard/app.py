"""The Dash application factory: pages, theme, shared callbacks and server routes.

``create_dash_app(server, context)`` attaches the dashboard to the one Flask
server. Per-process state (the snapshot pool and the result cache) lives in
the runtime stored on ``server.extensions``; importing this module opens
nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

import dash
import flask
from dash import MATCH, Input, Output, State, html

from city311.app import AppContext
from dashboard.cache import ResultCache
from dashboard.plotly_bundle import register_bundle
from dashboard.reader import WarehouseReader
from dashboard.runtime import EXTENSION, Clock, DashboardRuntime, system_clock
from dashboard.theme import index_string, register_theme
from dashboard.warehouse import Opener, SnapshotPool, Versioner
from dashboard.warmup import CacheWarmer

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
PAGES_DIR = PACKAGE_DIR / "pages"
ASSETS_DIR = PACKAGE_DIR / "assets"


def create_dash_app(
    server: flask.Flask,
    context: AppContext,
    *,
    opener: Opener | None = None,
    versioner: Versioner | None = None,
    clock: Clock | None = None,
    warm_cache: bool = True,
) -> dash.Dash:
    """Attach the dashboard to ``server`` and return the Dash app.

    ``opener`` and ``versioner`` replace ``etl.warehouse.open_snapshot`` and
    ``current_version``; ``clock`` replaces the system clock (tests pass both).
    With ``warm_cache`` each server process computes the default views of every
    new snapshot in a background thread (``dashboard.warmup``), started by the
    first request it serves.
    """
    pool = SnapshotPool(context.settings, opener, versioner)
    warmer = CacheWarmer(server, pool.version) if warm_cache else None
    server.extensions[EXTENSION] = DashboardRuntime(
        context,
        WarehouseReader(pool, ResultCache()),
        clock or system_clock,
        warmer,
    )
    if warmer is not None:
        server.before_request(warmer.start)
    register_theme(server)
    from dashboard.exports import register_exports
    from dashboard.packet_route import register_packet_route

    register_exports(server)
    register_packet_route(server)

    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        assets_folder=str(ASSETS_DIR),
        external_stylesheets=[],
        title=f"{context.city.name} 311",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.index_string = index_string(app.config.requests_pathname_prefix)
    register_bundle(
        server, app.config.routes_pathname_prefix, context.settings.map_tiles_url
    )
    app.layout = html.Main(dash.page_container)
    register_filter_callback(app)
    # Dash collects ``dash.callback`` registrations in a module-level list and
    # hands them to the first app that serves a request. Setting this app up
    # now claims the page callbacks just registered, so a second server built
    # in the same process (tests, several apps) gets its own set.
    # NOTE: _setup_server is private Dash API (checked with Dash 4.4).
    with server.app_context():
        app._setup_server()
    log.info("dashboard attached for %s", context.city.name)
    return app


def register_filter_callback(app: dash.Dash) -> None:
    """Navigate to the page's path with the filter bar's values as query string."""

    @app.callback(
        Output({"type": "filter-nav", "page": MATCH}, "href"),
        Input({"type": "filter-apply", "page": MATCH}, "n_clicks"),
        State({"type": "filter-period", "page": MATCH}, "start_date"),
        State({"type": "filter-period", "page": MATCH}, "end_date"),
        State({"type": "filter-department", "page": MATCH}, "value"),
        State({"type": "filter-service_type", "page": MATCH}, "value"),
        State({"type": "filter-channel", "page": MATCH}, "value"),
        State({"type": "filter-district", "page": MATCH}, "value"),
        State({"type": "filter-context", "page": MATCH}, "data"),
        prevent_initial_call=True,
    )
    def apply_filters(
        clicks, start, end, departments, types, channels, districts, context
    ):
        pairs = [("from", (start or "")[:10]), ("to", (end or "")[:10])]
        set_by_path = set((context or {}).get("set_by_path", ()))
        for key, values in (
            ("department", departments),
            ("service_type", types),
            ("channel", channels),
            ("district", districts),
        ):
            if key not in set_by_path:
                pairs.extend((key, value) for value in values or [])
        pairs.extend((context or {}).get("extra", {}).items())
        query = urlencode([(k, v) for k, v in pairs if v])
        return f"{(context or {}).get('path', '/')}?{query}"
