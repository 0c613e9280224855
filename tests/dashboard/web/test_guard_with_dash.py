"""The login guard with a real Dash app mounted on the same server."""

from __future__ import annotations

import dash
import pytest
import requests
from dash import Input, Output, html

from tests.live_server import build_server, login, serve


def mount_dash(server) -> None:
    app = dash.Dash(__name__, server=server, url_base_pathname="/")
    app.layout = html.Div(
        [
            html.Div(id="public-in"),
            html.Div(id="public-out"),
            html.Div(id="overview-in"),
            html.Div(id="overview-out"),
        ]
    )

    @app.callback(Output("public-out", "children"), Input("public-in", "children"))
    def public_text(value):
        return f"public {value}"

    @app.callback(Output("overview-out", "children"), Input("overview-in", "children"))
    def overview_text(value):
        return f"staff {value}"


@pytest.fixture
def dash_live(tmp_path):
    server = build_server(f"sqlite:///{tmp_path / 'cases.sqlite'}", tmp_path)
    mount_dash(server)
    with serve(server) as live:
        live.add_user("pat", "staff", "PW")
        yield live


def callback_body(prefix: str) -> dict:
    return {
        "output": f"{prefix}-out.children",
        "outputs": {"id": f"{prefix}-out", "property": "children"},
        "inputs": [{"id": f"{prefix}-in", "property": "children", "value": "x"}],
        "changedPropIds": [f"{prefix}-in.children"],
    }


def post_callback(live, prefix: str, browser=None) -> requests.Response:
    browser = browser or requests.Session()
    return browser.post(
        live.url + "/_dash-update-component", json=callback_body(prefix), timeout=30
    )


def test_dash_index_needs_login(dash_live):
    response = requests.get(dash_live.url + "/", allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", ["/public", "/_dash-layout", "/_dash-dependencies"])
def test_dash_public_routes_open(dash_live, path):
    response = requests.get(dash_live.url + path, allow_redirects=False, timeout=30)
    assert response.status_code == 200


def test_portal_routes_win_over_dash(dash_live):
    text = requests.get(dash_live.url + "/request", timeout=30).text
    assert "call 911" in text


def test_public_callback_open(dash_live):
    response = post_callback(dash_live, "public")
    assert response.status_code == 200
    assert "public x" in response.text


def test_staff_callback_needs_login(dash_live):
    assert post_callback(dash_live, "overview").status_code == 401
    browser = login(dash_live, "pat")
    response = post_callback(dash_live, "overview", browser)
    assert response.status_code == 200
    assert "staff x" in response.text


def test_router_with_smuggled_path_needs_login(dash_live):
    """An extra first input would give Dash's page router a staff path."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "x", "property": "y", "value": "/department/PW"},
            {"id": "_pages_location", "property": "pathname", "value": "/public"},
        ],
    }
    response = requests.post(
        dash_live.url + "/_dash-update-component", json=body, timeout=30
    )
    assert response.status_code == 401
