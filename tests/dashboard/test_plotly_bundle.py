"""The plotly.js partial bundle served in place of the full one."""

from __future__ import annotations

from plotly.offline import get_plotlyjs_version

from dashboard.plotly_bundle import BUNDLE_FILE, DASH_PLOTLY_PATH, VERSION
from tests.dashboard.conftest import build_server


def test_bundle_matches_plotly_version():
    assert get_plotlyjs_version() == VERSION
    header = BUNDLE_FILE.read_text(encoding="utf-8")[:200]
    assert f"plotly.js (basic - minified) v{VERSION}" in header


def test_basic_bundle_served_without_tiles(dash_server):
    response = dash_server.test_client().get("/" + DASH_PLOTLY_PATH)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert b"plotly.js (basic - minified)" in response.data[:200]
    assert response.headers["ETag"]


def test_basic_bundle_revalidates(dash_server):
    client = dash_server.test_client()
    etag = client.get("/" + DASH_PLOTLY_PATH).headers["ETag"]
    response = client.get("/" + DASH_PLOTLY_PATH, headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_full_bundle_served_with_tiles(tmp_path, warehouse_file):
    server = build_server(
        tmp_path,
        warehouse_file,
        map_tiles_url="https://tiles.example.org/{z}/{x}/{y}.png",
    )
    response = server.test_client().get("/" + DASH_PLOTLY_PATH)
    assert response.status_code == 200
    assert b"plotly.js v" in response.data[:200]
    assert b"basic" not in response.data[:200]
