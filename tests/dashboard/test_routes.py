"""The dashboard's Flask routes: theme, CSV export and the meeting packet."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from dashboard.theme import THEME_PATH
from tests.conftest import skip_or_fail

NOVEMBER = "from=2026-11-02&to=2026-11-29"


@pytest.fixture
def client(dash_server):
    return dash_server.test_client()


def test_theme_served_locally(client):
    response = client.get(THEME_PATH)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b"Bootstrap" in response.data[:200]


def test_index_links_local_theme(client):
    page = client.get("/").get_data(as_text=True)
    assert f'href="{THEME_PATH}"' in page
    assert "cdn." not in page


def test_csv_exports_filtered_cases(client):
    response = client.get(f"/cases.csv?{NOVEMBER}&department=PW&basis=overdue")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 10
    assert {row["department"] for row in rows} == {"PW"}
    assert all(row["closed_at"] == "" for row in rows)


def test_csv_rejects_bad_filter(client):
    response = client.get("/cases.csv?department=XX")
    assert response.status_code == 400
    assert "unknown department 'XX'" in response.get_data(as_text=True)


def test_packet_rejects_bad_period(client):
    response = client.get("/packet.pdf?from=2026-11-10&to=2026-11-01")
    assert response.status_code == 400
    assert "before its start" in response.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.browser
def test_packet_is_a_pdf(client):
    if shutil.which("chromium") is None:
        skip_or_fail(
            "Chromium not found; install Debian's chromium package",
            "CITY311_REQUIRE_BROWSER",
        )
    response = client.get(f"/packet.pdf?{NOVEMBER}&department=WTR")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert (
        "citistat-2026-11-02-2026-11-29.pdf" in response.headers["Content-Disposition"]
    )


def test_csv_times_carry_local_offset(client):
    response = client.get(f"/cases.csv?{NOVEMBER}&department=PW&basis=overdue")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    offsets = {row["created_at"][-5:] for row in rows}
    assert offsets <= {"-0500", "-0400"}
    assert offsets
