"""Validation of a new case before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cases.city import Bounds
from cases.errors import ValidationError
from cases.lifecycle import CHANNELS, PRIORITIES
from cases.models import ServiceType

MAX_DESCRIPTION_CHARS = 4000
# Column widths of the case store (cases/models.py).
MAX_TEXT_CHARS = {"address": 300, "district": 200, "name": 200, "email": 254}
# Control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")


@dataclass(frozen=True)
class Requester:
    """Optional contact details of the resident who files a case."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class NewCase:
    """The fields a caller supplies to file a case."""

    service_type: str
    description: str
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    district: str | None = None
    channel: str = "web"
    priority: str = "normal"
    requester: Requester | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    description_public: bool = False


def check_text(field: str, text: str | None, max_chars: int | None = None) -> None:
    """Reject control characters and, when ``max_chars`` is given, overlong text."""
    if not text:
        return
    if _CONTROL.search(text):
        raise ValidationError(
            field, f"{field} contains control characters; remove them and try again"
        )
    if max_chars is not None and len(text) > max_chars:
        raise ValidationError(
            field,
            f"{field} has {len(text)} characters; shorten it to at most {max_chars}",
        )


def validate_description(text: str) -> str:
    cleaned = (text or "").strip()
    check_text("description", cleaned)
    if not cleaned:
        raise ValidationError(
            "description", "description is empty; describe the problem"
        )
    if len(cleaned) > MAX_DESCRIPTION_CHARS:
        raise ValidationError(
            "description",
            f"description has {len(cleaned)} characters; shorten it to at most "
            f"{MAX_DESCRIPTION_CHARS}",
        )
    return cleaned


def validate_coordinates(
    latitude: float | None,
    longitude: float | None,
    bounds: Bounds | None,
) -> None:
    """Check that both or neither coordinate is given, in range and in the city."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            "location", "give both latitude and longitude, or neither"
        )
    if latitude is None or longitude is None:
        return
    if not -90.0 <= latitude <= 90.0:
        raise ValidationError(
            "latitude", f"latitude {latitude} is out of range; use -90 to 90"
        )
    if not -180.0 <= longitude <= 180.0:
        raise ValidationError(
            "longitude", f"longitude {longitude} is out of range; use -180 to 180"
        )
    if bounds is not None and not bounds.contains(latitude, longitude):
        raise ValidationError(
            "location",
            f"location {latitude}, {longitude} is outside the city (latitude "
            f"{bounds.min_lat} to {bounds.max_lat}, longitude {bounds.min_lon} to "
            f"{bounds.max_lon})",
        )


def validate_requester(requester: Requester | None) -> None:
    if requester is None:
        return
    check_text("name", requester.name, MAX_TEXT_CHARS["name"])
    check_text("email", requester.email, MAX_TEXT_CHARS["email"])
    if requester.email and not _EMAIL.match(requester.email):
        raise ValidationError(
            "email", "e-mail address is not valid; use the form name@example.org"
        )
    if requester.phone and not _PHONE.match(requester.phone):
        raise ValidationError(
            "phone", "phone number is not valid; use digits, spaces and dashes only"
        )


def validate_attributes(service_type: ServiceType, values: dict[str, Any]) -> None:
    """Check Open311 attribute values against the service type's definition."""
    definitions = {attr["code"]: attr for attr in service_type.attributes or []}
    unknown = sorted(set(values) - set(definitions))
    if unknown:
        raise ValidationError(
            "attributes",
            f"service type {service_type.code} has no attributes {unknown}; "
            f"known attributes are {sorted(definitions)}",
        )
    for code, attr in definitions.items():
        value = values.get(code)
        if value in (None, "", []):
            if attr.get("required"):
                raise ValidationError(
                    code,
                    f"attribute {code} ({attr.get('description', code)}) is required",
                )
            continue
        allowed = {str(v["key"]) for v in attr.get("values", [])}
        chosen = value if isinstance(value, list) else [value]
        if allowed and not {str(v) for v in chosen} <= allowed:
            raise ValidationError(
                code,
                f"attribute {code} value {value!r} is not one of {sorted(allowed)}",
            )


def validate_new_case(
    new: NewCase,
    service_type: ServiceType,
    bounds: Bounds | None,
) -> str:
    """Validate a new case against its service type; return the cleaned description."""
    description = validate_description(new.description)
    if new.channel not in CHANNELS:
        raise ValidationError(
            "channel",
            f"channel {new.channel!r} is unknown; use one of {list(CHANNELS)}",
        )
    if new.priority not in PRIORITIES:
        raise ValidationError(
            "priority",
            f"priority {new.priority!r} is unknown; use one of {list(PRIORITIES)}",
        )
    check_text("address", new.address, MAX_TEXT_CHARS["address"])
    check_text("district", new.district, MAX_TEXT_CHARS["district"])
    validate_coordinates(new.latitude, new.longitude, bounds)
    has_location = bool(new.address and new.address.strip()) or new.latitude is not None
    if service_type.needs_location and not has_location:
        raise ValidationError(
            "location",
            f"service type {service_type.code} needs a location; "
            "give an address or latitude and longitude",
        )
    validate_requester(new.requester)
    validate_attributes(service_type, new.attributes)
    return description
