"""The login guard: staff paths need a login, public paths stay open."""

from __future__ import annotations

import pytest
import requests

from tests.live_server import login


def fetch(live, path: str, browser=None) -> requests.Response:
    browser = browser or requests.Session()
    return browser.get(live.url + path, allow_redirects=False, timeout=30)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/department/PW",
        "/cases",
        "/cases/26-000001-5",
        "/quality",
        "/packet.pdf",
        "/cases.csv",
        "/console",
        "/queue",
        "/queue/26-000001-5",
    ],
)
def test_staff_paths_redirect_to_login(live, path):
    response = fetch(live, path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "path",
    [
        "/request",
        "/status",
        "/login",
        "/open311/v2/services.json",
        "/static/city311/city311.css",
    ],
)
def test_public_paths_open(live, path):
    assert fetch(live, path).status_code == 200


@pytest.mark.parametrize("path", ["/public", "/_dash-layout", "/assets/x.css"])
def test_dash_public_paths_not_guarded(live, path):
    # Dash is not mounted here, so these return 404 rather than a login redirect.
    assert fetch(live, path).status_code == 404


def callback(live, outputs, browser=None) -> requests.Response:
    browser = browser or requests.Session()
    return browser.post(
        live.url + "/_dash-update-component",
        json={"output": "x", "outputs": outputs, "inputs": []},
        timeout=30,
    )


def test_dash_callback_needs_login(live):
    assert (
        callback(live, {"id": "overview-chart", "property": "figure"}).status_code
        == 401
    )


def test_dash_public_callback_open(live):
    outputs = [
        {"id": "public-chart", "property": "figure"},
        {"id": {"type": "public-card", "index": 1}, "property": "children"},
    ]
    # Not 401: the guard lets it through (Dash is not mounted, hence 404).
    assert callback(live, outputs).status_code == 404


def test_dash_mixed_callback_needs_login(live):
    outputs = [
        {"id": "public-chart", "property": "figure"},
        {"id": "cases-table", "property": "data"},
    ]
    assert callback(live, outputs).status_code == 401


def test_dash_callback_open_after_login(live):
    browser = login(live, "pat")
    response = callback(live, {"id": "overview-chart", "property": "figure"}, browser)
    assert response.status_code == 404


def test_agent_cannot_open_queue(live):
    browser = login(live, "amy")
    assert fetch(live, "/queue", browser).status_code == 403
    assert fetch(live, "/console", browser).status_code == 200
