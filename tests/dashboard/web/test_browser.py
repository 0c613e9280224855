"""The portal, console and queue driven in headless Chromium through Playwright.

Playwright drives the system Chromium (``/usr/bin/chromium``); it never
downloads a browser of its own.
"""

from __future__ import annotations

import re

import pytest

from cases.intake import NewCase
from cases.queue import PAGE_SIZE
from tests.live_server import PASSWORD, build_server, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium(browser):
    """Reuse the session's Chromium; the sync API runs one driver per thread."""
    return browser


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def file_pothole(page, base: str, lang: str) -> str:
    page.goto(f"{base}/request?lang={lang}")
    page.locator("#type").select_option("POTHOLE")
    page.locator("form button[type=submit]").click()
    page.locator("#description").fill("Hole next to the bus stop")
    page.locator("#attribute-size").select_option("large")
    page.locator("#attribute-hazards-water").check()
    page.locator("#address").fill("12 Market St")
    page.locator("#email").fill("resident@example.org")
    page.locator("form[method=post] button[type=submit]").click()
    return page.locator("#case-number").inner_text()


def test_request_in_english_then_status(live, page):
    number = file_pothole(page, live.url, "en")
    assert re.fullmatch(r"\d{2}-\d{6}-\d", number)
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Check the status now").click()
    assert page.locator("#case-status").inner_text() == "Received"
    assert live.cases.show(number).attributes == {"size": "large", "hazards": ["water"]}


def test_spanish_form_shows_translated_catalogue(live, page):
    page.goto(f"{live.url}/request?lang=es")
    type_names = page.locator("#type option").all_inner_texts()
    assert "Bache" in type_names
    assert "Pothole" not in type_names
    page.locator("#type").select_option(label="Bache")
    page.locator("form button[type=submit]").click()
    assert (
        page.locator("label[for=attribute-size]")
        .inner_text()
        .startswith("¿Qué tamaño tiene?")
    )
    choices = page.locator("#attribute-size option").all_inner_texts()
    assert choices == ["Elija una opción", "Pequeño", "Large"]
    assert page.get_by_label("Agua estancada").count() == 1


def test_request_in_spanish(live, page):
    number = file_pothole(page, live.url, "es")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Solicitud recibida"
    assert live.cases.show(number).requester_email == "resident@example.org"


def test_request_error_shown_next_to_field(live, page):
    page.goto(f"{live.url}/request?type=INFO")
    page.locator("form[method=post] button[type=submit]").click()
    description = page.locator("#description")
    assert description.get_attribute("aria-invalid") == "true"
    error_id = description.get_attribute("aria-describedby").split()[-1]
    assert page.locator(f"#{error_id}").inner_text() == "Please describe the problem."


def test_status_rejects_wrong_check_digit(live, page):
    page.goto(f"{live.url}/status")
    page.locator("#number").fill("26-000001-0")
    page.get_by_role("button", name="Look up").click()
    assert "not a valid case number" in page.locator("#number-error").inner_text()


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_console_suggests_and_attaches_duplicate(live, page):
    parent = live.cases.file(
        NewCase(
            "POTHOLE",
            "Hole",
            address="1 Main St",
            latitude=39.7503,
            longitude=-75.55,
            attributes={"size": "small"},
        )
    )
    login(page, live.url, "amy")
    page.locator("#choose-type").select_option("POTHOLE")
    page.get_by_role("button", name="Choose type").click()
    page.locator("#description").fill("Caller reports a hole")
    page.locator("#attribute-size").select_option("large")
    page.locator("#address").fill("3 Main St")
    page.locator("#latitude").fill("39.75")
    page.locator("#longitude").fill("-75.55")
    page.get_by_role("button", name="Check for duplicates").click()
    page.get_by_role("button", name=f"Attach call to {parent.case_number}").click()
    assert page.locator("#attached-number").inner_text() == parent.case_number
    filed = page.locator("#filed-number").inner_text()
    assert live.cases.show(filed).parent_case_number == parent.case_number


def test_queue_closes_case(live, page):
    case = live.cases.file(
        NewCase("POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"})
    )
    login(page, live.url, "pat")
    page.goto(f"{live.url}/queue")
    page.get_by_role("link", name=case.case_number).click()
    page.locator("#close-outcome").select_option("resolved")
    page.get_by_role("button", name="Close", exact=True).click()
    assert page.locator("#case-status").inner_text() == "Closed (resolved)"
    assert live.cases.show(case.case_number).status == "closed"


def test_queue_pages_with_next_and_previous(live, page):
    for _ in range(PAGE_SIZE + 2):
        live.cases.file(
            NewCase(
                "POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"}
            )
        )
    login(page, live.url, "may")
    page.goto(f"{live.url}/queue?department=PW")
    rows = page.locator("table tbody tr")
    assert rows.count() == PAGE_SIZE
    assert f"of {PAGE_SIZE + 2}," in page.locator("caption").inner_text()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**/queue?department=PW&page=2")
    assert rows.count() == 2
    assert "Page 2 of 2" in page.locator("#queue-pager").inner_text()
    page.get_by_role("link", name="Previous").click()
    page.wait_for_url("**/queue?department=PW&page=1")
    assert rows.count() == PAGE_SIZE


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(el => el.type !== 'hidden')
    .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map(el => el.id || el.name)"""


def test_every_control_has_label(live, page):
    case = live.cases.file(
        NewCase("POTHOLE", "Hole", address="1 Main St", attributes={"size": "small"})
    )
    public_paths = [
        "/request",
        "/request?type=POTHOLE",
        "/request?type=POTHOLE&lang=es",
        "/status",
        "/login",
    ]
    for path in public_paths:
        page.goto(live.url + path)
        assert page.evaluate(UNLABELLED_CONTROLS) == [], path
        assert page.locator("html").get_attribute("lang") in ("en", "es")
    login(page, live.url, "pat")
    for path in [
        "/console",
        "/console?type=POTHOLE",
        "/queue",
        f"/queue/{case.case_number}",
    ]:
        page.goto(live.url + path)
        assert page.evaluate(UNLABELLED_CONTROLS) == [], path


def test_dashboard_header_shows_user_links_and_logs_out(tmp_path, page):
    store = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    with serve(build_server(store, tmp_path, dashboard=True)) as server:
        server.add_user("hal", "head", "PW")
        server.add_user("amy", "agent")
        login(page, server.url, "amy")
        page.goto(f"{server.url}/cases")
        page.locator("#navbar-user").wait_for()
        assert page.locator("#navbar-user").inner_text() == "amy (agent)"
        assert page.get_by_role("link", name="Agent console").count() == 1
        assert page.get_by_role("link", name="Work queue").count() == 0

        login(page, server.url, "hal")
        page.goto(f"{server.url}/cases")
        page.locator("#navbar-user").wait_for()
        assert page.locator("#navbar-user").inner_text() == "hal (head, PW)"
        page.get_by_role("link", name="Work queue").click()
        page.wait_for_url("**/queue")
        page.goto(f"{server.url}/cases")
        page.locator("#navbar-logout").click()
        page.wait_for_url("**/login")
        page.goto(f"{server.url}/cases")
        assert "/login" in page.url
