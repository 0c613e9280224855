"""A crawl of every public page and Open311 response over cases seeded with
recognisable personal data: none of it may appear anywhere public.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import requests

from cases.intake import NewCase, Requester
from cases.roles import Actor
from dashboard.web.guard import is_staff_path

STAFF = Actor("zoestaffer", "staff", "PW")
SECRETS = (
    "Quentin Requesterson",
    "quentin.private@example.org",
    "302-555-0177",
    "3025550177",
    "Secret internal remark",
    "Private description text",
    "zoestaffer",
    "Internal transfer reason",
    "Closing note for staff",
)
_LINK = re.compile(r'(?:href|action)="([^"#]+)"')
MAX_PAGES = 400
CODES = ("POTHOLE", "HOUSING", "INFO", "STREETLIGHT", "WATER_MAIN")


def seed(live) -> list[str]:
    requester = Requester(
        "Quentin Requesterson", "quentin.private@example.org", "302-555-0177"
    )
    private = live.cases.file(
        NewCase(
            "POTHOLE",
            "Private description text",
            address="5 Oak St",
            latitude=39.75,
            longitude=-75.55,
            attributes={"size": "small"},
            requester=requester,
        )
    )
    public = live.cases.file(
        NewCase(
            "HOUSING",
            "Public description",
            address="6 Oak St",
            requester=requester,
            description_public=True,
        )
    )
    live.cases.add_note(private.case_number, "Secret internal remark", actor=STAFF)
    live.cases.add_note(private.case_number, "Crew visited", public=True, actor=STAFF)
    live.cases.assign(private.case_number, "zoestaffer", actor=STAFF)
    live.cases.transfer(
        private.case_number, "MO", "Internal transfer reason", actor=STAFF
    )
    live.cases.close(
        public.case_number,
        "resolved",
        "Closing note for staff",
        actor=Actor("lee", "staff", "LI"),
    )
    duplicate = live.cases.file(
        NewCase(
            "POTHOLE",
            "Private description text",
            address="5 Oak St",
            attributes={"size": "small"},
            requester=requester,
        )
    )
    live.cases.merge(
        duplicate.case_number, public.case_number, actor=Actor("hal", "head", "PW")
    )
    return [private.case_number, public.case_number, duplicate.case_number]


def start_urls(live, numbers: list[str]) -> list[str]:
    api = "/open311/v2"
    urls = ["/request", "/request?lang=es", "/status", "/open311/discovery.json"]
    for fmt in ("json", "xml"):
        urls += [
            f"{api}/services.{fmt}",
            f"{api}/requests.{fmt}",
            f"{api}/requests.{fmt}?extensions=true",
        ]
        for code in CODES:
            urls.append(f"{api}/services/{code}.{fmt}")
    for code in CODES:
        urls += [f"/request?type={code}&lang=en", f"/request?type={code}&lang=es"]
        for number in numbers:
            urls.append(f"{api}/requests/{number}.{fmt}?extensions=true")
    for number in numbers:
        for lang in ("en", "es"):
            urls.append(f"/status?number={number}&lang={lang}")
            urls.append(f"/request/done?number={number}&lang={lang}")
    return [live.url + url for url in urls]


def crawl(live, urls: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(urls)
    host = urlsplit(live.url).netloc
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = requests.get(url, timeout=30, allow_redirects=False)
        seen[url] = response.text
        for link in _LINK.findall(response.text):
            target = urljoin(url, link.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc == host and not is_staff_path(parts.path):
                queue.append(target)
    return seen


def test_public_surfaces_leak_no_personal_data(live):
    numbers = seed(live)
    urls = start_urls(live, numbers)
    pages = crawl(live, urls)
    assert set(urls) <= set(pages)
    for url, text in pages.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} appears at {url}"


def test_crawl_reaches_public_note(live):
    numbers = seed(live)
    text = requests.get(f"{live.url}/status?number={numbers[0]}", timeout=30).text
    assert "Crew visited" in text
