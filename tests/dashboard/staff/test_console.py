"""The agent console over real HTTP: hours, search, phone intake and duplicates."""

from __future__ import annotations

import re

from cases.intake import NewCase, Requester
from tests.live_server import login, post_form


def file_pothole(live, latitude: float, longitude: float, **extra):
    return live.cases.file(
        NewCase(
            "POTHOLE",
            "Hole",
            address=extra.pop("address", "1 Main St"),
            latitude=latitude,
            longitude=longitude,
            attributes={"size": "small"},
            **extra,
        )
    )


def call_fields(**extra) -> dict:
    return {
        "type": "POTHOLE",
        "description": "Caller reports a hole",
        "attribute-size": "large",
        "address": "3 Main St",
        "latitude": "39.75",
        "longitude": "-75.55",
        "name": "Caller Carl",
        "phone": "302-555-0199",
        **extra,
    }


def test_console_shows_call_center_hours(live):
    text = login(live, "amy").get(live.url + "/console", timeout=30).text
    assert "Call center hours: 07:30 to 19:30" in text
    assert re.search(r'id="line-state">(open|closed)<', text)


def test_search_by_number_address_phone(live):
    detail = file_pothole(
        live,
        39.75,
        -75.55,
        address="77 Sunset Blvd",
        requester=Requester("Zed", None, "(302) 555-0123"),
    )
    browser = login(live, "amy")
    for kind, text in [
        ("number", detail.case_number.replace("-", "")),
        ("address", "sunset"),
        ("phone", "302-555-0123"),
    ]:
        page = browser.get(
            live.url + "/console", params={"by": kind, "q": text}, timeout=30
        )
        assert detail.case_number in page.text, kind
    page = browser.get(
        live.url + "/console", params={"by": "phone", "q": "999-0000"}, timeout=30
    )
    assert "No cases found." in page.text


def test_staff_search_finds_own_department_only(live):
    """Staff of LI may not read a Public Works case, so search must not list it."""
    detail = file_pothole(
        live,
        39.75,
        -75.55,
        address="77 Sunset Blvd",
        requester=Requester("Zed", None, "(302) 555-0123"),
    )
    for user, listed in (("lee", False), ("pat", True)):
        browser = login(live, user)
        for kind, text in [
            ("number", detail.case_number),
            ("address", "sunset"),
            ("phone", "302-555-0123"),
        ]:
            page = browser.get(
                live.url + "/console", params={"by": kind, "q": text}, timeout=30
            )
            found = "No cases found." not in page.text
            assert found is listed, (user, kind)


def test_search_bad_check_digit_reported(live):
    browser = login(live, "amy")
    page = browser.get(
        live.url + "/console", params={"by": "number", "q": "26-000001-0"}, timeout=30
    )
    assert page.status_code == 400
    assert "check digit" in page.text


def test_check_suggests_nearby_open_cases(live):
    near = file_pothole(live, 39.7503, -75.55)  # about 33 m north
    far = file_pothole(live, 39.76, -75.55, address="9 Far St")  # about 1.1 km
    other = live.cases.file(
        NewCase("STREETLIGHT", "Dark", latitude=39.75, longitude=-75.55, address="x")
    )
    browser = login(live, "amy")
    page = post_form(
        browser,
        live.url + "/console/file",
        live.url + "/console?type=POTHOLE",
        action="check",
        **call_fields(),
    )
    assert page.status_code == 200
    assert f'name="attach" value="{near.case_number}"' in page.text
    assert far.case_number not in page.text
    assert other.case_number not in page.text
    assert "33 m" in page.text


def test_check_suggests_same_address_spelled_out(live):
    same = live.cases.file(
        NewCase(
            "POTHOLE",
            "Hole",
            address="3897 Nutmeg Ave",
            attributes={"size": "small"},
        )
    )
    browser = login(live, "amy")
    fields = call_fields(address="3897  nutmeg Avenue.", latitude="", longitude="")
    page = post_form(
        browser,
        live.url + "/console/file",
        live.url + "/console?type=POTHOLE",
        action="check",
        **fields,
    )
    assert page.status_code == 200
    assert f'name="attach" value="{same.case_number}"' in page.text


def test_attach_files_call_as_duplicate(live):
    parent = file_pothole(live, 39.7503, -75.55)
    browser = login(live, "amy")
    response = post_form(
        browser,
        live.url + "/console/file",
        live.url + "/console?type=POTHOLE",
        attach=parent.case_number,
        **call_fields(),
    )
    assert response.status_code == 302
    filed = re.search(r"filed=([0-9-]+)", response.headers["Location"]).group(1)
    child = live.cases.show(filed)
    assert child.channel == "phone"
    assert child.status == "closed"
    assert child.outcome == "duplicate"
    assert child.parent_case_number == parent.case_number
    assert child.requester_name == "Caller Carl"
    assert [e.actor for e in child.events] == ["agent:amy", "agent:amy"]
    parent_events = live.cases.show(parent.case_number).events
    assert parent_events[-1].kind == "duplicate_attached"
    assert parent_events[-1].actor == "agent:amy"
    assert parent_events[-1].note == f"case {filed} attached as a duplicate"


def test_file_call_as_new_case(live):
    browser = login(live, "amy")
    response = post_form(
        browser,
        live.url + "/console/file",
        live.url + "/console?type=POTHOLE",
        action="file",
        **call_fields(),
    )
    filed = re.search(r"filed=([0-9-]+)", response.headers["Location"]).group(1)
    assert live.cases.show(filed).status == "new"


def test_file_call_invalid_shows_error(live):
    browser = login(live, "amy")
    response = post_form(
        browser,
        live.url + "/console/file",
        live.url + "/console?type=POTHOLE",
        action="file",
        **call_fields(description=""),
    )
    assert response.status_code == 400
    assert 'aria-describedby="description-error"' in response.text
