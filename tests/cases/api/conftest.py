"""A live server with an API key and a few cases, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from cases.intake import NewCase, Requester
from cases.roles import Actor
from tests.live_server import build_server, serve

STAFF = Actor("pat", "staff", "PW")


@pytest.fixture
def live(database_url, tmp_path):
    with serve(build_server(database_url, tmp_path)) as server:
        yield server


@pytest.fixture
def api_key(live) -> str:
    return live.add_api_key("test client")


@pytest.fixture
def seeded(live):
    """Three cases: an open pothole, a closed one, and a duplicate of the first."""
    cases = live.cases
    first = cases.file(
        NewCase(
            "POTHOLE",
            "Deep hole by the school",
            address="1 Main St",
            latitude=39.75,
            longitude=-75.55,
            attributes={"size": "large"},
            requester=Requester("Ada Requester", "ada@example.org", "302-555-0101"),
            description_public=True,
        )
    )
    second = cases.file(NewCase("HOUSING", "Broken stairs", address="2 Elm St"))
    cases.acknowledge(second.case_number, actor=Actor("lee", "staff", "LI"))
    cases.close(second.case_number, "resolved", actor=Actor("lee", "staff", "LI"))
    third = cases.file(
        NewCase(
            "POTHOLE", "Same hole", address="1 Main St", attributes={"size": "large"}
        )
    )
    cases.merge(third.case_number, first.case_number, actor=STAFF)
    cases.add_note(first.case_number, "secret internal remark", actor=STAFF)
    return {"open": first, "closed": second, "duplicate": third}
