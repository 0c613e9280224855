"""The Open311 pull against local GeoReport v2 servers, written into the store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.models import Case
from etl.sources.open311 import Open311Error, Open311Puller, to_record
from tests.etl.open311_servers import (
    NOW,
    PATH,
    capped_server,
    failing_once,
    make_requests,
    paging_server,
    slow,
)

SINCE = date(2026, 4, 1)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def puller_for(httpserver, **options) -> Open311Puller:
    options.setdefault("page_size", 50)
    options.setdefault("backoff", 0.01)
    options.setdefault("retries", 2)
    return Open311Puller(httpserver.url_for("/open311/v2"), **options)


def case_count(engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_pull_pages(httpserver, write, engine):
    items = make_requests(120)
    httpserver.expect_request(PATH).respond_with_handler(paging_server(items))
    puller = puller_for(httpserver)
    summary = write(puller.pull(SINCE, NOW), source=puller.source)
    assert summary.read == 120
    assert summary.inserted == 120
    assert summary.rejected == 0
    assert puller.stats.paging is True
    assert puller.stats.splits == 0
    assert case_count(engine) == 120


def test_pull_twice_noop(httpserver, write):
    httpserver.expect_request(PATH).respond_with_handler(
        paging_server(make_requests(80))
    )
    write(puller_for(httpserver).pull(SINCE, NOW))
    again = write(puller_for(httpserver).pull(SINCE, NOW))
    assert again.unchanged == 80
    assert again.inserted == 0
    assert again.updated == 0


def test_pull_capped_server_splits(httpserver, write, engine):
    items = make_requests(120)
    httpserver.expect_request(PATH).respond_with_handler(capped_server(items))
    puller = puller_for(httpserver, page_size=100)
    summary = write(puller.pull(SINCE, NOW))
    assert summary.read == 120
    assert summary.inserted == 120
    assert puller.stats.paging is False
    assert puller.stats.splits >= 2
    assert case_count(engine) == 120


def test_pull_updated_after(httpserver, write):
    items = make_requests(60)
    httpserver.expect_request(PATH).respond_with_handler(
        paging_server(items, with_updated_after=True)
    )
    puller = puller_for(httpserver)
    assert puller.supports_updated_after(NOW) is True
    summary = write(puller.pull(SINCE, NOW))
    assert summary.inserted == 60


def test_pull_skips_request_without_id(httpserver, write):
    items = make_requests(10)
    del items[3]["service_request_id"]
    items[5]["service_request_id"] = None
    items[5]["token"] = "tok-55"
    httpserver.expect_request(PATH).respond_with_handler(paging_server(items))
    summary = write(puller_for(httpserver).pull(SINCE, NOW))
    assert summary.read == 10
    assert summary.inserted == 9
    assert summary.rejected == 1
    text = summary.rejects_file.read_text()
    assert "neither service_request_id nor token" in text


def test_pull_retries_500(httpserver, write):
    handler = failing_once(paging_server(make_requests(30)))
    httpserver.expect_request(PATH).respond_with_handler(handler)
    summary = write(puller_for(httpserver).pull(SINCE, NOW))
    assert summary.inserted == 30
    assert handler.calls["count"] >= 2


def test_pull_gives_up(httpserver):
    httpserver.expect_request(PATH).respond_with_data("down", status=503)
    puller = puller_for(httpserver, retries=1)
    with pytest.raises(Open311Error, match="requests.json"):
        list(puller.pull(SINCE, NOW))


def test_pull_retries_timeout(httpserver, write):
    # The test server answers one request at a time, so the retry waits for
    # the slow answer to end: well within its own timeout.
    handler = slow(paging_server(make_requests(30)), seconds=0.8, times=1)
    httpserver.expect_request(PATH).respond_with_handler(handler)
    summary = write(puller_for(httpserver, timeout=0.5).pull(SINCE, NOW))
    assert summary.inserted == 30
    assert handler.calls["count"] >= 2


def test_pull_gives_up_after_timeouts(httpserver):
    handler = slow(paging_server(make_requests(30)), seconds=1.0)
    httpserver.expect_request(PATH).respond_with_handler(handler)
    puller = puller_for(httpserver, timeout=0.2, retries=1)
    with pytest.raises(Open311Error, match="failed after 1 retries") as raised:
        list(puller.pull(SINCE, NOW))
    assert "timed out" in str(raised.value)


def test_pull_rejects_bad_url():
    with pytest.raises(Open311Error, match="not an http"):
        Open311Puller("ftp://example.org/open311")


def test_record_mapping():
    item = make_requests(3)[0]
    record = to_record(item, 1, "open311:test", NOW.tzinfo)
    assert record.external_id == "R0000"
    assert record.status == "closed"
    assert record.service_code == "LIGHT"
    assert record.department_code == "PUBLIC_WORKS"
    assert record.department_name == "Public Works"
    assert record.closed_at == record.updated_at
    assert record.due_at is not None
    assert record.resolution_notes == "Crew repaired it"
    assert record.latitude == 39.74


@pytest.mark.parametrize("field", ["address", "description", "status_notes"])
def test_record_flags_control_characters(field):
    item = {**make_requests(1)[0], field: "12 Main\x01St"}
    record = to_record(item, 1, "open311:test", NOW.tzinfo)
    assert record.flags == {"unreadable_text"}
    assert "12 Main\x01St" in (
        record.address,
        record.description,
        record.resolution_notes,
    )


def test_record_keeps_tab_and_newline_unflagged():
    item = {**make_requests(1)[0], "description": "line one\n\tline two\r\n"}
    record = to_record(item, 1, "open311:test", NOW.tzinfo)
    assert record.flags == set()
