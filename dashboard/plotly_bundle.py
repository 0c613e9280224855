"""The plotly.js partial bundle that dcc.Graph loads when maps draw without tiles.

dcc.Graph loads plotly.js when the first graph mounts, unless ``window.Plotly``
is already defined. Dash 4.4 serves the full bundle (4.8 MB for plotly.js
4.1.1), which headless Chromium took about 0.9 s of main-thread time to
evaluate on the 2-core benchmark machine (docs/benchmarks/dashboard.md).
Maps without a tile server are SVG scatter plots
(``dashboard.components.map_frame``), so every figure then uses bar and
scatter traces only, which the basic partial bundle contains (1.2 MB, about
0.1 s there). With ``map_tiles_url`` set, maps need the ``scattermap``
trace and Dash serves the full bundle as usual.

The file comes from the npm package ``plotly.js-basic-dist-min`` of the same
version as the plotly.js that plotly.py ships
(``plotly.offline.get_plotlyjs_version()``); a test checks that they match.
"""

from __future__ import annotations

from pathlib import Path

import flask

VERSION = "4.1.1"
VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
BUNDLE_FILE = VENDOR_DIR / f"plotly-basic-{VERSION}.min.js"
# dash-renderer 4.4 points dcc.Graph at this path below the requests prefix
# when Dash serves its scripts locally (``window._dashPlotlyJSURL``).
# NOTE: the path is Dash's internal detail; a Dash upgrade that moves it makes
# pages load the full bundle again, which still draws every figure.
DASH_PLOTLY_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"


def register_bundle(server: flask.Flask, prefix: str, tiles_url: str) -> None:
    """Serve the basic bundle at Dash's plotly.js path unless maps use tiles.

    Werkzeug matches this static rule before Dash's
    ``_dash-component-suites/<package>/<path>`` rule. Browsers revalidate the
    file on every page load (ETag), as they do with Dash's copy, because its
    URL stays the same when plotly.js is upgraded.
    """
    if tiles_url:
        return

    def bundle() -> flask.Response:
        response = flask.send_file(
            BUNDLE_FILE, mimetype="text/javascript", conditional=True, etag=True
        )
        response.cache_control.no_cache = True
        return response

    server.add_url_rule(
        prefix + DASH_PLOTLY_PATH, endpoint="city311_plotly_basic", view_func=bundle
    )
