"""A live server on a SQLite file with one user per role."""

from __future__ import annotations

import pytest

from tests.live_server import build_server, serve


@pytest.fixture
def live(tmp_path):
    with serve(
        build_server(f"sqlite:///{tmp_path / 'cases.sqlite'}", tmp_path)
    ) as server:
        server.add_user("amy", "agent")
        server.add_user("pat", "staff", "PW")
        server.add_user("lee", "staff", "LI")
        server.add_user("hal", "head", "PW")
        server.add_user("may", "mayor")
        yield server
