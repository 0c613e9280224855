"""Department scoping through every page: staff act only on their own department."""

from __future__ import annotations

import re

import pytest
import requests

from cases.intake import NewCase
from tests.live_server import csrf_from, login, post_form

ACTIONS = {
    "acknowledge": {},
    "assign": {"assignee": "lee"},
    "note": {"text": "x"},
    "transfer": {"department": "MO"},
    "close": {"outcome": "resolved"},
    "merge": {"parent": "26-999999-4"},
}


@pytest.fixture
def housing(live):
    return live.cases.file(NewCase("HOUSING", "Stairs", address="4 Elm St"))


def test_staff_cannot_open_other_department_case(live, housing):
    response = login(live, "pat").get(
        f"{live.url}/queue/{housing.case_number}", timeout=30
    )
    assert response.status_code == 403
    assert "department LI" in response.text


@pytest.mark.parametrize("username", ["pat", "hal"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_other_department_cannot_act(live, housing, username, action):
    browser = login(live, username)
    response = post_form(
        browser,
        f"{live.url}/queue/{housing.case_number}/{action}",
        f"{live.url}/login",
        expected_version="1",
        **ACTIONS[action],
    )
    assert response.status_code == 403
    detail = live.cases.show(housing.case_number)
    assert detail.status == "new"
    assert len(detail.events) == 1


def test_agent_cannot_close_through_queue(live, housing):
    browser = login(live, "amy")
    response = post_form(
        browser,
        f"{live.url}/queue/{housing.case_number}/close",
        f"{live.url}/login",
        expected_version="1",
        outcome="resolved",
    )
    assert response.status_code == 403
    assert live.cases.show(housing.case_number).status == "new"


def test_staff_cannot_attach_into_other_department(live, housing):
    browser = login(live, "pat")
    response = post_form(
        browser,
        f"{live.url}/console/file",
        f"{live.url}/console?type=HOUSING",
        type="HOUSING",
        description="Another call",
        address="4 Elm St",
        attach=housing.case_number,
    )
    assert response.status_code == 409
    filed = re.search(r'id="filed-number">([0-9-]+)<', response.text).group(1)
    assert live.cases.show(filed).status == "new"


def test_public_cannot_post_staff_actions(live, housing):
    browser = requests.Session()
    token = csrf_from(browser.get(live.url + "/request?type=INFO", timeout=30).text)
    response = browser.post(
        f"{live.url}/queue/{housing.case_number}/close",
        data={"csrf_token": token, "expected_version": "1", "outcome": "resolved"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert live.cases.show(housing.case_number).status == "new"
