"""Fixtures: the November scenario in a DuckDB file and a dashboard server on it.

The server is a Flask app with the dashboard attached through
``create_dash_app``, reading the scenario file as its only snapshot with the
clock fixed at Monday 30 November 2026, 12:00 in New York.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import flask
import pytest
from werkzeug.serving import make_server

from city311.app import AppContext
from city311.settings import load_settings
from tests.conftest import skip_or_fail
from tests.dashboard import scenario
from tests.dashboard.case_store import SeededCase, seed_case_store

VERSION = "scenario-1"


@pytest.fixture(scope="session")
def warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenario.write_warehouse(
        tmp_path_factory.mktemp("warehouse") / "scenario.duckdb"
    )


def file_opener(path: Path):
    def open_file(settings, name=None) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(str(path), read_only=True)
        connection.execute("SET TimeZone = 'UTC'")
        return connection

    return open_file


def build_server(
    data_dir: Path, warehouse: Path, warm_cache: bool = True, **overrides
) -> flask.Flask:
    """Build a Flask server with the dashboard on the scenario warehouse."""
    from dashboard.app import create_dash_app

    settings = load_settings({"data_dir": str(data_dir), **overrides}, environ={})
    context = AppContext(settings)
    server = flask.Flask("city311-test")
    server.extensions["city311"] = context
    create_dash_app(
        server,
        context,
        opener=file_opener(warehouse),
        versioner=lambda settings: VERSION,
        clock=lambda: scenario.CLOCK,
        warm_cache=warm_cache,
    )
    return server


@pytest.fixture(scope="session")
def dash_server(tmp_path_factory, warehouse_file) -> flask.Flask:
    return build_server(tmp_path_factory.mktemp("data"), warehouse_file)


@pytest.fixture(scope="session")
def seeded_case(dash_server) -> SeededCase:
    """The case with personal data in the dashboard server's case store."""
    return seed_case_store(dash_server.extensions["city311"])


@pytest.fixture(scope="session")
def live_url(dash_server) -> Iterator[str]:
    """Serve the dashboard on a free loopback port for the session."""
    http = make_server("127.0.0.1", 0, dash_server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=5)


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright, using the system browser."""
    if not CHROMIUM.exists():
        skip_or_fail(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium and "
            "chromium-driver packages",
            "CITY311_REQUIRE_BROWSER",
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail(
            "playwright is not installed; install the test extra "
            "(pip install -e '.[test]')",
            "CITY311_REQUIRE_BROWSER",
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()
