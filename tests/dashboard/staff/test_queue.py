"""The work queue over real HTTP: ordering, actions, conflicts and scoping."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from cases.intake import NewCase
from cases.queue import PAGE_SIZE, open_queue
from cases.roles import Actor
from cases.service import CaseService
from tests.live_server import login, post_form


def filed_at(live, when: datetime, new: NewCase):
    """File a case as if at ``when``, so its due date lies where the test needs it."""
    service = CaseService(live.context.sessions, live.context.city, clock=lambda: when)
    return service.file(new)


def pothole(description: str = "Hole") -> NewCase:
    return NewCase(
        "POTHOLE", description, address="1 Main St", attributes={"size": "small"}
    )


def act(live, browser, number: str, action: str, **fields):
    page = browser.get(f"{live.url}/queue/{number}", timeout=30).text
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    return post_form(
        browser,
        f"{live.url}/queue/{number}/{action}",
        f"{live.url}/queue/{number}",
        expected_version=version,
        **fields,
    )


def test_queue_lists_overdue_first_then_due(live):
    now = datetime.now(UTC)
    later = live.cases.file(NewCase("STREETLIGHT", "Dark", address="2 Main St"))
    sooner = live.cases.file(NewCase("WATER_MAIN", "Leak", address="3 Main St"))
    overdue = filed_at(live, now - timedelta(days=30), pothole())
    other_department = live.cases.file(NewCase("HOUSING", "Stairs", address="4 Elm St"))
    text = login(live, "pat").get(live.url + "/queue", timeout=30).text
    positions = [text.index(case.case_number) for case in (overdue, sooner, later)]
    assert positions == sorted(positions)
    assert other_department.case_number not in text
    assert "(overdue)" in text


def test_mayor_chooses_department(live):
    housing = live.cases.file(NewCase("HOUSING", "Stairs", address="4 Elm St"))
    browser = login(live, "may")
    assert housing.case_number not in browser.get(live.url + "/queue", timeout=30).text
    page = browser.get(live.url + "/queue", params={"department": "LI"}, timeout=30)
    assert housing.case_number in page.text


def test_actions_go_through_service(live):
    case = live.cases.file(pothole())
    browser = login(live, "pat")
    number = case.case_number
    assert act(live, browser, number, "acknowledge").status_code == 302
    assert act(live, browser, number, "assign", assignee="hal").status_code == 302
    assert act(live, browser, number, "note", text="Internal remark").status_code == 302
    assert (
        act(
            live, browser, number, "note", text="Crew on the way", public="yes"
        ).status_code
        == 302
    )
    assert (
        act(live, browser, number, "hold", reason="Waiting on utility").status_code
        == 302
    )
    assert act(live, browser, number, "resume").status_code == 302
    assert act(live, browser, number, "close", outcome="resolved").status_code == 302
    assert act(live, browser, number, "reopen", reason="Came back").status_code == 302
    detail = live.cases.show(number)
    assert detail.status == "in_progress"
    assert detail.assignee == "hal"
    kinds = [event.kind for event in detail.events]
    assert kinds == [
        "created",
        "acknowledged",
        "assigned",
        "internal_note",
        "public_note",
        "status_changed",
        "status_changed",
        "closed",
        "reopened",
    ]
    assert {event.actor for event in detail.events[1:]} == {"staff:pat"}
    notes = {event.note: event.public for event in detail.events if event.note}
    assert notes["Crew on the way"] is True
    assert notes["Internal remark"] is False


def test_merge_and_transfer(live):
    parent = live.cases.file(pothole("First"))
    child = live.cases.file(pothole("Second"))
    browser = login(live, "pat")
    assert (
        act(
            live, browser, child.case_number, "merge", parent=parent.case_number
        ).status_code
        == 302
    )
    assert live.cases.show(child.case_number).parent_case_number == parent.case_number
    response = act(live, browser, parent.case_number, "transfer", department="LI")
    assert response.headers["Location"].startswith("/queue?transferred=")
    assert live.cases.show(parent.case_number).department == "LI"


def test_stale_version_reports_conflict(live):
    case = live.cases.file(pothole())
    browser = login(live, "pat")
    page = browser.get(f"{live.url}/queue/{case.case_number}", timeout=30).text
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    live.cases.acknowledge(case.case_number, actor=Actor("hal", "head", "PW"))
    response = post_form(
        browser,
        f"{live.url}/queue/{case.case_number}/close",
        f"{live.url}/queue/{case.case_number}",
        expected_version=version,
        outcome="resolved",
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.text
    assert "reloaded" in response.text
    assert live.cases.show(case.case_number).status == "acknowledged"


def test_close_duplicate_needs_parent(live):
    case = live.cases.file(pothole())
    response = act(
        live, login(live, "pat"), case.case_number, "close", outcome="duplicate"
    )
    assert response.status_code == 400
    assert "parent" in response.text


def test_case_page_shows_residents_answers(live):
    case = live.cases.file(
        NewCase(
            "POTHOLE",
            "Hole",
            address="1 Main St",
            attributes={"size": "large", "hazards": ["water"]},
        )
    )
    browser = login(live, "pat")
    text = browser.get(f"{live.url}/queue/{case.case_number}", timeout=30).text
    assert "<dt>How big is it?</dt><dd>Large</dd>" in text
    assert "<dt>Which hazards are nearby?</dt><dd>Standing water</dd>" in text


def _queue_rows(text: str) -> list[str]:
    return re.findall(r'<td><a href="/queue/([0-9-]+)">', text)


def test_open_queue_pages_in_order(live):
    now = datetime.now(UTC)
    filed = [
        filed_at(live, now - timedelta(days=30, hours=i), pothole()) for i in range(4)
    ]
    filed += [live.cases.file(pothole()) for _ in range(3)]
    with live.context.sessions() as session:
        pages = [
            open_queue(session, "PW", now, page=number, page_size=3)
            for number in (1, 2, 3)
        ]
        beyond = open_queue(session, "PW", now, page=9, page_size=3)
    numbers = [row.case_number for page in pages for row in page.rows]
    # Overdue first, the one due soonest (filed earliest) at the top.
    expected = [case.case_number for case in reversed(filed[:4])]
    expected += [case.case_number for case in filed[4:]]
    assert numbers == expected
    assert [len(page.rows) for page in pages] == [3, 3, 1]
    assert pages[0].total == 7
    assert pages[0].pages == 3
    assert (pages[1].first, pages[1].last) == (4, 6)
    assert beyond.page == 3
    assert [row.case_number for row in beyond.rows] == numbers[6:]


def test_queue_page_links_keep_department(live):
    for _ in range(PAGE_SIZE + 3):
        live.cases.file(pothole())
    staff = login(live, "pat")
    first = staff.get(live.url + "/queue", timeout=30).text
    assert len(_queue_rows(first)) == PAGE_SIZE
    assert f"Open cases 1&ndash;{PAGE_SIZE} of {PAGE_SIZE + 3}" in first
    assert 'rel="next" href="/queue?page=2"' in first
    assert 'rel="prev"' not in first
    second = staff.get(live.url + "/queue?page=2", timeout=30).text
    assert len(_queue_rows(second)) == 3
    assert not set(_queue_rows(first)) & set(_queue_rows(second))
    assert 'rel="prev" href="/queue?page=1"' in second
    assert 'rel="next"' not in second
    mayor = login(live, "may")
    page = mayor.get(live.url + "/queue?department=PW", timeout=30).text
    assert 'rel="next" href="/queue?department=PW&amp;page=2"' in page


def test_queue_rejects_invalid_page(live):
    live.cases.file(pothole())
    response = login(live, "pat").get(live.url + "/queue?page=0", timeout=30)
    assert response.status_code == 400
    assert "Page &#39;0&#39; is invalid" in response.text


@pytest.mark.parametrize("page", ["\u00b2", "1" * 5000, "-1", "1.5", ""])
def test_queue_rejects_malformed_page(live, page):
    live.cases.file(pothole())
    browser = login(live, "pat")
    response = browser.get(live.url + "/queue", params={"page": page}, timeout=30)
    assert response.status_code == 400
    assert "is invalid; use a whole number from 1." in response.text
