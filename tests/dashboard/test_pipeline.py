"""The dashboard on a warehouse built by the real pipeline: case store, then ETL.

The server is ``city311.web.create_server``, reading snapshots through
``etl.warehouse``; a second ETL run must show on the next request.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from cases.intake import NewCase
from city311.app import AppContext
from city311.settings import load_settings
from dashboard.runtime import runtime
from metrics.case_list import CaseQuery, case_count
from metrics.filters import Filters
from tests.dashboard.case_store import seed_case_store


@pytest.fixture
def pipeline(tmp_path):
    from etl import load

    settings = load_settings({"data_dir": str(tmp_path)}, environ={})
    context = AppContext(settings)
    seeded = seed_case_store(context)
    load.run(settings, context.engine, context.city, full=True)
    return settings, context, seeded


def today_query(context: AppContext) -> str:
    today = datetime.now(UTC).astimezone(context.city.timezone).date()
    return f"from={today}&to={today}"


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def staff_client(server, role: str = "mayor", department: str | None = None):
    """Return a Flask test client logged in as a user of ``role``."""
    from cases.accounts import add_user
    from cases.db import transaction
    from city311.web import app_context
    from tests.live_server import csrf_from

    username = f"{role}-{department or 'all'}".lower()
    with transaction(app_context(server).sessions) as session:
        add_user(session, username, "a long passphrase", role, department)
    client = server.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": "a long passphrase",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302, response.status_code
    return client


def test_export_reads_published_snapshot(pipeline):
    from city311.web import create_server

    settings, context, seeded = pipeline
    client = staff_client(create_server(settings))
    response = client.get(f"/cases.csv?{today_query(context)}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [row["case_number"] for row in csv_rows(response)] == [seeded.number]
    for label, value in seeded.personal.items():
        assert value not in text, label


def test_new_snapshot_visible_on_next_call(pipeline):
    from city311.web import create_server
    from etl import load

    settings, context, seeded = pipeline
    server = create_server(settings)
    reader = runtime(server).reader
    today = datetime.now(UTC).astimezone(context.city.timezone).date()
    query = CaseQuery(Filters(today, today))
    now = datetime.now(UTC)
    with server.app_context():
        assert reader.call(case_count, query, now) == 1
        context.cases.file(
            NewCase(
                service_type="POTHOLE",
                description="Second hole",
                latitude=39.745,
                longitude=-75.546,
                attributes={"size": "small", "in_travel_lane": "no"},
            )
        )
        load.run(settings, context.engine, context.city)
        assert reader.call(case_count, query, now) == 2


def test_unchanged_run_keeps_cache(pipeline):
    from city311.web import create_server
    from etl import load

    settings, context, _ = pipeline
    server = create_server(settings)
    reader = runtime(server).reader
    today = datetime.now(UTC).astimezone(context.city.timezone).date()
    query = CaseQuery(Filters(today, today))
    now = datetime.now(UTC)
    with server.app_context():
        first = reader.call(case_count, query, now)
        version = reader.pool.version()
        summary = load.run(settings, context.engine, context.city)
        hits = reader.cache.hits
        again = reader.call(case_count, query, now)
    assert summary.published is False
    assert reader.pool.version() == version
    assert again == first
    assert reader.cache.hits == hits + 1


def test_pages_route_on_real_server(pipeline):
    from city311.web import create_server

    settings, context, _ = pipeline
    client = staff_client(create_server(settings))
    for path in ("/", "/public", "/cases", "/quality", "/department/PW"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "_dash-config" in page.get_data(as_text=True), path


def test_csv_export_scoped_to_login(pipeline):
    from city311.web import create_server

    settings, context, seeded = pipeline
    server = create_server(settings)
    query = today_query(context)
    own = staff_client(server, "staff", "PW")
    response = own.get(f"/cases.csv?{query}")
    assert response.status_code == 200
    assert [row["case_number"] for row in csv_rows(response)] == [seeded.number]

    other = staff_client(server, "head", "SAN")
    response = other.get(f"/cases.csv?{query}")
    assert response.status_code == 200
    assert csv_rows(response) == []
    response = other.get(f"/cases.csv?{query}&department=PW")
    assert response.status_code == 400
    assert "covers department SAN only, not PW" in response.get_data(as_text=True)
    response = other.get(f"/packet.pdf?{query}&department=PW")
    assert response.status_code == 400
