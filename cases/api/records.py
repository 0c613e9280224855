"""Open311 representations of services and service requests.

A request record is built from an explicit list of public fields: no requester
details, no internal notes, no staff names, and the description only when the
case marks it public, with e-mail addresses and phone numbers removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cases.catalogue_text import CatalogueText
from cases.city import SLA
from cases.lifecycle import CLOSED, open311_status, status_label
from cases.models import Case, CaseEvent, ServiceType
from cases.redaction import public_description


def iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """Format an instant as ISO 8601 in city time with its offset, to the second.

    Whole seconds match the GeoReport v2 examples, which some clients parse
    with a fixed pattern.
    """
    if value is None:
        return None
    return value.astimezone(zone).replace(microsecond=0).isoformat()


def status_notes(status: str, outcome: str | None) -> str:
    """Return the status label in lower case, the form GeoReport clients receive.

    A closed case adds its outcome: 'closed: unable to locate'.
    """
    label = status_label(status).lower()
    if status == CLOSED:
        return f"{label}: {(outcome or 'no outcome').replace('_', ' ')}"
    return label


def service_notice(service_type: ServiceType) -> str:
    if service_type.sla_value is None or service_type.sla_unit is None:
        return ""
    return f"Expected within {SLA(service_type.sla_value, service_type.sla_unit)}."


def service_record(service_type: ServiceType, text: CatalogueText) -> dict[str, Any]:
    """Describe a service in ``text``'s language; keywords stay as configured."""
    code = service_type.code
    department = service_type.department
    return {
        "service_code": code,
        "service_name": text.type_name(code, service_type.name),
        "description": text.type_description(code, service_type.description or ""),
        "metadata": bool(service_type.attributes),
        "type": "realtime",
        "keywords": ",".join(service_type.keywords or []),
        "group": text.department_name(department.code, department.name),
    }


def attribute_record(
    attribute: dict[str, Any], type_code: str, text: CatalogueText
) -> dict[str, Any]:
    code = attribute["code"]
    return {
        "variable": attribute.get("variable", True),
        "code": code,
        "datatype": attribute["datatype"],
        "required": bool(attribute.get("required")),
        "datatype_description": text.attribute_text(
            type_code,
            code,
            "datatype_description",
            attribute.get("datatype_description", ""),
        ),
        "order": attribute.get("order", 0),
        "description": text.attribute_text(
            type_code, code, "description", attribute.get("description", "")
        ),
        "values": [
            {
                "key": value["key"],
                "name": text.choice_name(type_code, code, value["key"], value["name"]),
            }
            for value in attribute.get("values", [])
        ],
    }


def definition_record(service_type: ServiceType, text: CatalogueText) -> dict[str, Any]:
    attributes = sorted(service_type.attributes or [], key=lambda a: a.get("order", 0))
    return {
        "service_code": service_type.code,
        "attributes": [
            attribute_record(attribute, service_type.code, text)
            for attribute in attributes
        ],
    }


# Kinds whose location is a place in the city (a pothole, a broken light).
# A complaint's, a bill's or a question's address is usually the resident's
# home or business, so their address and point are not published.
PUBLIC_LOCATION_KINDS = frozenset({"service_request"})


def location_is_public(case: Case) -> bool:
    """Tell whether anyone may see the case's address and coordinates."""
    return case.service_type.kind in PUBLIC_LOCATION_KINDS


def request_record(case: Case, zone: ZoneInfo) -> dict[str, Any]:
    located = location_is_public(case)
    return {
        "service_request_id": case.case_number,
        "status": open311_status(case.status),
        "status_notes": status_notes(case.status, case.outcome),
        "service_name": case.service_type.name,
        "service_code": case.service_type.code,
        "description": public_description(case),
        "agency_responsible": case.department.name,
        "service_notice": service_notice(case.service_type),
        "requested_datetime": iso(case.created_at, zone),
        "updated_datetime": iso(case.updated_at, zone),
        "expected_datetime": iso(case.due_at, zone),
        "address": case.address if located else None,
        "address_id": None,
        "zipcode": None,
        "lat": case.latitude if located else None,
        "long": case.longitude if located else None,
        "media_url": None,
    }


def status_history(events: list[CaseEvent], zone: ZoneInfo) -> list[dict[str, Any]]:
    """List the status changes of a case in order, without actors or notes."""
    history = []
    outcome = None
    for event in events:
        after = (event.data or {}).get("after", {})
        outcome = after.get("outcome", outcome)
        if "status" not in after:
            continue
        history.append(
            {
                "status": open311_status(after["status"]),
                "status_notes": status_notes(after["status"], outcome),
                "updated_datetime": iso(event.at, zone),
            }
        )
    return history


def extended_attributes(
    events: list[CaseEvent], parent_number: str | None, zone: ZoneInfo
) -> dict[str, Any]:
    return {
        "parent_service_request_id": parent_number,
        "status_history": status_history(events, zone),
    }
