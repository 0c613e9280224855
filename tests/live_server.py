"""The web server on loopback for tests: a real SQLite or PostgreSQL case store,
``werkzeug.serving.make_server`` on port 0 in a thread, and seeding helpers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from cases import schema
from cases.accounts import add_api_key, add_user
from cases.catalogue import sync_catalogue
from cases.db import transaction
from city311.settings import load_settings
from city311.web import app_context, create_server

WEB_CITY = Path(__file__).resolve().parent / "fixtures" / "webville.toml"
PASSWORD = "correct horse battery"
# Generous limits, so that only the rate-limit tests meet a limit.
TEST_LIMITS = {
    "CITY311_PUBLIC_READ_LIMIT": "100000 per minute",
    "CITY311_PUBLIC_WRITE_LIMIT": "100000 per minute",
    "CITY311_LOGIN_USER_LIMIT": "100000 per minute",
    "CITY311_LOGIN_IP_LIMIT": "100000 per minute",
}


@dataclass
class LiveServer:
    server: Flask
    url: str

    @property
    def context(self):
        return app_context(self.server)

    @property
    def cases(self):
        return self.context.cases

    def add_user(self, username: str, role: str, department: str | None = None) -> None:
        with transaction(self.context.sessions) as session:
            add_user(session, username, PASSWORD, role, department)

    def add_api_key(self, name: str) -> str:
        with transaction(self.context.sessions) as session:
            return add_api_key(session, name)


def build_server(database_url: str, data_dir: Path, dashboard: bool = False) -> Flask:
    """Build the server on a migrated store; the Dash dashboard only when asked."""
    settings = load_settings(
        overrides={
            "database_url": database_url,
            "data_dir": str(data_dir),
            "city": str(WEB_CITY),
            "secret_key": "test-secret-key",
        },
        environ={},
    )
    server = create_server(settings, dashboard=dashboard)
    server.config.update(TEST_LIMITS)
    context = app_context(server)
    schema.upgrade(context.engine)
    with transaction(context.sessions) as session:
        sync_catalogue(session, context.city)
    return server


@contextmanager
def serve(server: Flask) -> Iterator[LiveServer]:
    """Serve on 127.0.0.1 with a free port until the block ends."""
    http = make_server("127.0.0.1", 0, server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(server, f"http://127.0.0.1:{http.server_port}")
    finally:
        http.shutdown()
        thread.join(timeout=10)
        app_context(server).engine.dispose()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1)


def login(
    live: LiveServer, username: str, password: str = PASSWORD
) -> requests.Session:
    """Return an HTTP session logged in as ``username``."""
    browser = requests.Session()
    token = csrf_from(browser.get(live.url + "/login", timeout=30).text)
    response = browser.post(
        live.url + "/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, (
        f"login of {username} failed: {response.status_code}"
    )
    return browser


def post_form(
    browser: requests.Session, url: str, page: str, **data
) -> requests.Response:
    """Fetch ``page`` for a CSRF token, then post ``data`` to ``url``."""
    token = csrf_from(browser.get(page, timeout=30).text)
    return browser.post(
        url, data={"csrf_token": token, **data}, allow_redirects=False, timeout=30
    )


@pytest.fixture
def live(tmp_path) -> Iterator[LiveServer]:
    """A live server on a SQLite file with one user per role (password PASSWORD)."""
    with serve(
        build_server(f"sqlite:///{tmp_path / 'cases.sqlite'}", tmp_path)
    ) as server:
        server.add_user("amy", "agent")
        server.add_user("pat", "staff", "PW")
        server.add_user("lee", "staff", "LI")
        server.add_user("hal", "head", "PW")
        server.add_user("may", "mayor")
        yield server
