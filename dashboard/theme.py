"""The Bootstrap stylesheet, served from Python package data instead of a CDN.

Bootstrap-Flask ships Bootstrap 5's compiled CSS (5.3.8 in Bootstrap-Flask
2.6.0); a route on the Flask server serves that file, so pages load with no
network access.
"""

from __future__ import annotations

from importlib.resources import files

import flask

THEME_PATH = "/_city311/static/bootstrap.min.css"
THEME_PACKAGE = "flask_bootstrap"
THEME_FILE = ("static", "bootstrap5", "css", "bootstrap.min.css")


def theme_css() -> bytes:
    """Return the Bootstrap 5 stylesheet's bytes from the installed package."""
    resource = files(THEME_PACKAGE)
    for part in THEME_FILE:
        resource = resource.joinpath(part)
    return resource.read_bytes()


def register_theme(server: flask.Flask) -> None:
    """Serve the stylesheet at THEME_PATH with a day of browser caching."""

    @server.get(THEME_PATH, endpoint="city311_theme_css")
    def theme() -> flask.Response:
        response = flask.Response(theme_css(), mimetype="text/css")
        response.cache_control.public = True
        response.cache_control.max_age = 86400
        return response


# The AG Grid code that dash-ag-grid 35 loads as a webpack chunk when the
# first grid mounts. Every staff page and the public page show a grid, so the
# page loads it with the other scripts instead. The chunk registers itself
# with the webpack runtime of dash_ag_grid.min.js, which then does not fetch
# it again.
AG_GRID_CHUNK = "_dash-component-suites/dash_ag_grid/async-community.js"


def index_string(prefix: str = "/") -> str:
    """Return the page template, with script paths below the requests ``prefix``."""
    return f"""<!DOCTYPE html>
<html lang="en">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        <link rel="stylesheet" href="{THEME_PATH}">
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        <footer>
            {{%config%}}
            {{%scripts%}}
            <script src="{prefix}{AG_GRID_CHUNK}"></script>
            {{%renderer%}}
        </footer>
    </body>
</html>
"""
