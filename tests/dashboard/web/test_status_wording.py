"""A case's status reads the same on the portal, the console, the queue and the API."""

from __future__ import annotations

import requests

from cases.intake import NewCase
from cases.roles import Actor
from tests.live_server import login

STAFF = Actor("pat", "staff", "PW")


def test_status_same_on_every_page(live):
    case = live.cases.file(
        NewCase("POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"})
    )
    number = case.case_number
    live.cases.acknowledge(number, actor=STAFF)
    live.cases.start(number, actor=STAFF)

    portal = requests.get(f"{live.url}/status?number={number}", timeout=30).text
    assert 'id="case-status">In progress<' in portal
    spanish = requests.get(f"{live.url}/status?number={number}&lang=es", timeout=30)
    assert 'id="case-status">En curso<' in spanish.text

    staff = login(live, "pat")
    queue = staff.get(f"{live.url}/queue", timeout=30).text
    assert "<td>In progress</td>" in queue
    case_page = staff.get(f"{live.url}/queue/{number}", timeout=30).text
    assert 'id="case-status">In progress<' in case_page

    agent = login(live, "amy")
    console = agent.get(f"{live.url}/console?by=number&q={number}", timeout=30).text
    assert "<td>In progress</td>" in console

    api = requests.get(f"{live.url}/open311/v2/requests/{number}.json", timeout=30)
    assert api.json()[0]["status_notes"] == "in progress"
