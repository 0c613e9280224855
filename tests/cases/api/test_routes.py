"""Open311 GeoReport v2 conformance over real HTTP, in JSON and XML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import requests
from sqlalchemy import select

from cases.intake import NewCase
from cases.models import Case

V2 = "/open311/v2"


def get(live, path: str, **params) -> requests.Response:
    return requests.get(live.url + path, params=params, timeout=30)


def post(live, fmt: str = "json", **data) -> requests.Response:
    return requests.post(f"{live.url}{V2}/requests.{fmt}", data=data, timeout=30)


def assert_error(response: requests.Response, code: int) -> str:
    assert response.status_code == code
    if response.headers["Content-Type"].startswith("text/xml"):
        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        assert root.find("error/code").text == str(code)
        return root.find("error/description").text
    body = response.json()
    assert isinstance(body, list)
    assert body[0]["code"] == code
    return body[0]["description"]


def test_discovery_lists_v2_endpoint(live):
    body = get(live, "/open311/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["url"] == live.url + V2
    assert "text/xml" in endpoint["formats"]


def test_services_json(live):
    services = get(live, f"{V2}/services.json").json()
    pothole = next(s for s in services if s["service_code"] == "POTHOLE")
    assert pothole["metadata"] is True
    assert pothole["type"] == "realtime"
    assert pothole["group"] == "Public Works"
    assert pothole["keywords"] == "hole,road"


def test_services_xml(live):
    response = get(live, f"{V2}/services.xml")
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    codes = [node.find("service_code").text for node in root.findall("service")]
    assert codes == ["HOUSING", "INFO", "POTHOLE", "STREETLIGHT", "WATER_MAIN"]


def test_service_definition_json(live):
    body = get(live, f"{V2}/services/POTHOLE.json").json()
    assert body["service_code"] == "POTHOLE"
    size = body["attributes"][0]
    assert size["code"] == "size"
    assert size["datatype"] == "singlevaluelist"
    assert size["required"] is True
    assert size["values"] == [
        {"key": "small", "name": "Small"},
        {"key": "large", "name": "Large"},
    ]


def test_service_definition_xml(live):
    root = ElementTree.fromstring(get(live, f"{V2}/services/POTHOLE.xml").content)
    assert root.tag == "service_definition"
    keys = [v.text for v in root.findall("attributes/attribute/values/value/key")]
    assert keys == ["small", "large", "water", "traffic"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_unknown_is_404(live, fmt):
    description = assert_error(get(live, f"{V2}/services/NOPE.{fmt}"), 404)
    assert "NOPE" in description


def test_create_request_json(live, api_key):
    response = post(
        live,
        api_key=api_key,
        service_code="POTHOLE",
        lat="39.75",
        long="-75.55",
        description="Hole",
        **{"attribute[size]": "small", "attribute[hazards][]": ["water", "traffic"]},
        first_name="Ada",
        email="ada@example.org",
    )
    assert response.status_code == 201
    created = response.json()[0]
    detail = live.cases.show(created["service_request_id"])
    assert detail.channel == "api"
    assert detail.attributes == {"size": "small", "hazards": ["water", "traffic"]}
    assert detail.requester_name == "Ada"
    assert detail.events[0].actor == "open311:test client"
    assert created["service_notice"] == "Expected within 3 business days."
    token = get(live, f"{V2}/tokens/{created['token']}.json").json()
    assert token == [
        {"service_request_id": detail.case_number, "token": created["token"]}
    ]


def test_create_request_xml(live, api_key):
    response = post(
        live, "xml", api_key=api_key, service_code="INFO", description="Opening hours?"
    )
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    number = root.find("request/service_request_id").text
    assert live.cases.show(number).service_type == "INFO"
    token = root.find("request/token").text
    token_root = ElementTree.fromstring(get(live, f"{V2}/tokens/{token}.xml").content)
    assert token_root.find("request/service_request_id").text == number


def test_create_request_from_xml_body(live, api_key):
    body = (
        "<request><service_code>INFO</service_code>"
        "<description>Asked by XML</description></request>"
    )
    response = requests.post(
        f"{live.url}{V2}/requests.json",
        params={"api_key": api_key},
        data=body.encode(),
        headers={"Content-Type": "application/xml"},
        timeout=30,
    )
    assert response.status_code == 201


def test_create_request_rejects_xml_entities(live, api_key):
    body = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>'
        "<request><service_code>INFO</service_code><description>&a;</description>"
        "</request>"
    )
    response = requests.post(
        f"{live.url}{V2}/requests.json",
        params={"api_key": api_key},
        data=body.encode(),
        headers={"Content-Type": "text/xml"},
        timeout=30,
    )
    assert_error(response, 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_create_without_key_is_403(live, fmt):
    assert_error(post(live, fmt, service_code="INFO", description="x"), 403)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_create_with_bad_key_is_403(live, api_key, fmt):
    response = post(
        live, fmt, api_key=api_key + "x", service_code="INFO", description="x"
    )
    assert_error(response, 403)


def test_create_empty_key_is_403(live):
    assert_error(post(live, api_key="", service_code="INFO", description="x"), 403)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"service_code": "NOPE", "description": "x"}, "NOPE"),
        ({"description": "x"}, "service_code"),
        ({"service_code": "POTHOLE", "description": "x"}, "location"),
        ({"service_code": "INFO", "description": ""}, "description"),
        ({"service_code": "INFO", "description": "x", "lat": "north"}, "lat"),
        ({"service_code": "INFO", "description": "x", "lat": "nan"}, "lat"),
        ({"service_code": "INFO", "description": "x", "email": "nope"}, "e-mail"),
        (
            {
                "service_code": "POTHOLE",
                "description": "x",
                "address_string": "1 Main St",
                "attribute[size]": "huge",
            },
            "huge",
        ),
        (
            {"service_code": "POTHOLE", "description": "x", "address_string": "1 Main"},
            "size",
        ),
        *[
            (
                {
                    "service_code": "POTHOLE",
                    "description": "x",
                    "address_string": "1 Main St",
                    "attribute[size]": "small",
                    **answer,
                },
                words,
            )
            for answer, words in [
                ({"attribute[depth_cm]": "lots"}, "depth_cm value 'lots' is not a"),
                ({"attribute[depth_cm]": "NaN"}, "depth_cm value 'NaN' is not a"),
                ({"attribute[noticed_at]": "soon"}, "ISO 8601"),
                ({"attribute[landmark]": "a\x1bb\x7f\x08c"}, "control characters"),
                ({"attribute[landmark]": "x" * 200_000}, "at most 300"),
                ({"attribute[hazards][]": ["water", "water"]}, "more than once"),
            ]
        ],
        (
            {
                "service_code": "POTHOLE",
                "description": "x",
                "address_string": "1 Main St",
                "attribute[size][]": ["large", "small"],
            },
            "size takes one value",
        ),
    ],
)
def test_create_bad_input_is_400(live, api_key, fields, words):
    description = assert_error(post(live, api_key=api_key, **fields), 400)
    assert words in description


def test_get_request_json_is_one_element_array(live, seeded):
    number = seeded["open"].case_number
    body = get(live, f"{V2}/requests/{number}.json").json()
    assert len(body) == 1
    record = body[0]
    assert record["service_request_id"] == number
    assert record["status"] == "open"
    assert record["status_notes"] == "received"
    assert record["description"] == "Deep hole by the school"
    assert record["agency_responsible"] == "Public Works"
    assert record["lat"] == 39.75
    requested = datetime.fromisoformat(record["requested_datetime"])
    assert requested.utcoffset() in (timedelta(hours=-4), timedelta(hours=-5))
    assert requested.microsecond == 0
    assert len(record["requested_datetime"]) == len("2026-06-02T10:00:00-04:00")
    assert record["expected_datetime"] is not None


def test_get_request_xml(live, seeded):
    number = seeded["closed"].case_number
    root = ElementTree.fromstring(get(live, f"{V2}/requests/{number}.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "closed"
    assert root.find("request/status_notes").text == "closed: resolved"
    # A description not marked public is left out.
    assert root.find("request/description").text is None


def test_get_request_xml_with_control_characters(live, seeded):
    """An imported address with a control character still gives well-formed XML."""
    number = seeded["open"].case_number
    with live.context.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_number == number))
        case.address = "12 Main\x01St"
        session.commit()
    response = get(live, f"{V2}/requests/{number}.xml")
    assert response.status_code == 200
    assert b"\x01" not in response.content
    root = ElementTree.fromstring(response.content)
    assert root.find("request/address").text == "12 Main\ufffdSt"
    listed = ElementTree.fromstring(get(live, f"{V2}/requests.xml").content)
    addresses = [element.text for element in listed.iter("address")]
    assert "12 Main\ufffdSt" in addresses
    assert get(live, f"{V2}/requests/{number}.json").json()[0]["address"] == (
        "12 Main\x01St"
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_unknown_request_is_404(live, fmt):
    assert_error(get(live, f"{V2}/requests/26-999999-4.{fmt}"), 404)
    assert_error(get(live, f"{V2}/requests/whatever.{fmt}"), 404)


def test_get_request_bad_check_digit_is_400(live, seeded):
    number = seeded["open"].case_number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert "check digit" in assert_error(get(live, f"{V2}/requests/{wrong}.json"), 400)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_token_is_404(live, fmt):
    assert_error(get(live, f"{V2}/tokens/nothing.{fmt}"), 404)


def test_list_requests_newest_first(live, seeded):
    body = get(live, f"{V2}/requests.json").json()
    numbers = [r["service_request_id"] for r in body]
    assert numbers == [
        seeded["duplicate"].case_number,
        seeded["closed"].case_number,
        seeded["open"].case_number,
    ]


def test_list_requests_xml(live, seeded):
    root = ElementTree.fromstring(get(live, f"{V2}/requests.xml").content)
    assert len(root.findall("request")) == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["open"]),
        ({"status": "closed"}, ["duplicate", "closed"]),
        ({"status": "open,closed"}, ["duplicate", "closed", "open"]),
        ({"service_code": "HOUSING"}, ["closed"]),
        ({"service_code": "HOUSING,POTHOLE"}, ["duplicate", "closed", "open"]),
        ({"status": "", "service_code": ""}, ["duplicate", "closed", "open"]),
        ({"page_size": "1", "page": "2"}, ["closed"]),
        ({"page_size": "2", "page": "3"}, []),
    ],
)
def test_list_requests_filters(live, seeded, params, expected):
    body = get(live, f"{V2}/requests.json", **params).json()
    numbers = [r["service_request_id"] for r in body]
    assert numbers == [seeded[name].case_number for name in expected]


def test_list_requests_by_ids_overrides_filters(live, seeded):
    ids = f"{seeded['open'].case_number},{seeded['closed'].case_number},26-999999-4"
    body = get(
        live, f"{V2}/requests.json", service_request_id=ids, status="closed"
    ).json()
    assert {r["service_request_id"] for r in body} == {
        seeded["open"].case_number,
        seeded["closed"].case_number,
    }


def test_list_requests_date_window(live, seeded):
    now = datetime.now(UTC)
    inside = {
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(days=1)).isoformat(),
    }
    assert len(get(live, f"{V2}/requests.json", **inside).json()) == 3
    before = {"end_date": (now - timedelta(days=1)).isoformat()}
    assert get(live, f"{V2}/requests.json", **before).json() == []
    old = {"start_date": "2020-01-01", "end_date": "2020-02-01"}
    assert get(live, f"{V2}/requests.json", **old).json() == []


def test_list_requests_updated_window(live, seeded):
    now = datetime.now(UTC)
    after = {"updated_after": (now + timedelta(minutes=5)).isoformat()}
    assert get(live, f"{V2}/requests.json", **after).json() == []
    before = {"updated_before": (now + timedelta(minutes=5)).isoformat()}
    assert len(get(live, f"{V2}/requests.json", **before).json()) == 3


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "before"),
        ({"start_date": "yesterday"}, "ISO 8601"),
        ({"status": "pending"}, "pending"),
        ({"page": "0"}, "page"),
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"extensions": "maybe"}, "extensions"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_list_requests_bad_params_is_400(live, params, words, fmt):
    description = assert_error(get(live, f"{V2}/requests.{fmt}", **params), 400)
    assert words in description


def test_extensions_add_history_and_parent(live, seeded):
    number = seeded["duplicate"].case_number
    record = get(live, f"{V2}/requests/{number}.json", extensions="true").json()[0]
    extended = record["extended_attributes"]
    assert extended["parent_service_request_id"] == seeded["open"].case_number
    statuses = [(h["status"], h["status_notes"]) for h in extended["status_history"]]
    assert statuses == [("open", "received"), ("closed", "closed: duplicate")]
    plain = get(live, f"{V2}/requests/{number}.json").json()[0]
    assert "extended_attributes" not in plain


def test_extensions_in_xml(live, seeded):
    number = seeded["duplicate"].case_number
    response = get(
        live, f"{V2}/requests.xml", service_request_id=number, extensions="true"
    )
    root = ElementTree.fromstring(response.content)
    parent = root.find("request/extended_attributes/parent_service_request_id")
    assert parent.text == seeded["open"].case_number
    changes = root.findall("request/extended_attributes/status_history/status_change")
    assert len(changes) == 2


def test_responses_leave_out_personal_data(live, seeded):
    texts = [
        get(live, f"{V2}/requests.json", extensions="true").text,
        get(live, f"{V2}/requests.xml", extensions="true").text,
    ]
    for text in texts:
        for secret in (
            "Ada Requester",
            "ada@example.org",
            "555-0101",
            "secret internal",
        ):
            assert secret not in text
        assert "staff:pat" not in text
        assert "pat" not in text.replace("path", "")


def test_unknown_format_and_path_use_error_body(live):
    assert_error(get(live, f"{V2}/services.html"), 404)
    assert_error(get(live, f"{V2}/nothing.json"), 404)
    response = requests.delete(f"{live.url}{V2}/services.json", timeout=30)
    assert_error(response, 405)


def test_rate_limit_answers_429(live):
    live.server.config["CITY311_PUBLIC_READ_LIMIT"] = "2 per minute"
    for _ in range(2):
        assert get(live, f"{V2}/services.json").status_code == 200
    assert_error(get(live, f"{V2}/services.json"), 429)


def test_complaint_location_stays_private(live, seeded):
    """A complaint's address is usually the resident's own home."""
    number = seeded["closed"].case_number
    record = get(live, f"{V2}/requests/{number}.json").json()[0]
    assert record["service_code"] == "HOUSING"
    assert record["address"] is None
    assert record["lat"] is None
    assert record["long"] is None
    assert "2 Elm St" not in get(live, f"{V2}/requests/{number}.xml").text


def test_service_request_location_is_public(live, seeded):
    record = get(live, f"{V2}/requests/{seeded['open'].case_number}.json").json()[0]
    assert record["address"] == "1 Main St"
    assert record["long"] == -75.55


@pytest.mark.parametrize("locale", ["es", "es-US", "es_MX"])
def test_services_in_spanish_locale(live, locale):
    services = get(live, f"{V2}/services.json", locale=locale).json()
    by_code = {service["service_code"]: service for service in services}
    assert by_code["POTHOLE"]["service_name"] == "Bache"
    assert by_code["POTHOLE"]["group"] == "Obras Públicas"
    assert by_code["WATER_MAIN"]["service_name"] == "Water main break"


@pytest.mark.parametrize("locale", ["", "fr", "en-US"])
def test_services_other_locale_is_english(live, locale):
    services = get(live, f"{V2}/services.json", locale=locale).json()
    pothole = next(s for s in services if s["service_code"] == "POTHOLE")
    assert pothole["service_name"] == "Pothole"
    assert pothole["group"] == "Public Works"


def test_service_definition_in_spanish_locale(live):
    body = get(live, f"{V2}/services/POTHOLE.json", locale="es").json()
    size = body["attributes"][0]
    assert size["description"] == "¿Qué tamaño tiene?"
    assert size["values"] == [
        {"key": "small", "name": "Pequeño"},
        {"key": "large", "name": "Large"},
    ]


def test_get_request_removes_contact_details(live):
    detail = live.cases.file(
        NewCase(
            "INFO",
            "Call Jo at (302) 555-0142 or jo@example.org about 2 potholes",
            description_public=True,
        )
    )
    number = detail.case_number
    record = get(live, f"{V2}/requests/{number}.json").json()[0]
    assert record["description"] == (
        "Call Jo at [removed] or [removed] about 2 potholes"
    )
    listed = get(live, f"{V2}/requests.json", service_request_id=number).json()
    assert listed[0]["description"] == record["description"]
    stored = live.cases.show(number).description
    assert stored == "Call Jo at (302) 555-0142 or jo@example.org about 2 potholes"
