"""Validation of a new case before anything is written."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cases.city import Bounds
from cases.errors import ValidationError
from cases.lifecycle import CHANNELS, PRIORITIES
from cases.models import ServiceType

MAX_DESCRIPTION_CHARS = 4000
# Column widths of the case store (cases/models.py).
MAX_TEXT_CHARS = {"address": 300, "district": 200, "name": 200, "email": 254}
# Maximum attribute value length by datatype. A text value may be as long as a
# description, and any other value as long as an address.
MAX_ATTRIBUTE_CHARS = {"text": MAX_DESCRIPTION_CHARS}
# Control characters other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")
MIN_PHONE_DIGITS = 7


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


def check_text(
    field: str,
    text: str | None,
    max_chars: int | None = None,
    label: str | None = None,
) -> None:
    """Reject control characters and, when ``max_chars`` is given, overlong text.

    ``label`` names the value in the message and defaults to ``field``.
    """
    if not text:
        return
    name = label or field
    if _CONTROL.search(text):
        raise ValidationError(
            field,
            f"{name} contains control characters; remove them and try again",
            reason="control_characters",
        )
    if max_chars is not None and len(text) > max_chars:
        raise ValidationError(
            field,
            f"{name} has {len(text)} characters; shorten it to at most {max_chars}",
            reason="too_long",
            limit=max_chars,
        )


def validate_description(text: str) -> str:
    cleaned = (text or "").strip()
    check_text("description", cleaned)
    if not cleaned:
        raise ValidationError(
            "description", "description is empty; describe the problem", "missing"
        )
    if len(cleaned) > MAX_DESCRIPTION_CHARS:
        raise ValidationError(
            "description",
            f"description has {len(cleaned)} characters; shorten it to at most "
            f"{MAX_DESCRIPTION_CHARS}",
            reason="too_long",
            limit=MAX_DESCRIPTION_CHARS,
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
            reason="outside_city",
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
    phone = requester.phone
    if phone and (
        not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < MIN_PHONE_DIGITS
    ):
        raise ValidationError(
            "phone",
            f"phone number {phone!r} is not valid; give at least {MIN_PHONE_DIGITS} "
            "digits and at most 20 characters, using only digits, spaces, dashes, "
            "dots, brackets and a leading +",
        )


def _attribute_items(code: str, datatype: str, value: Any) -> list[str]:
    """Return the values given for one attribute as strings, one per choice."""
    items = value if isinstance(value, list) else [value]
    if len(items) > 1 and datatype != "multivaluelist":
        raise ValidationError(
            code,
            f"attribute {code} takes one value but has {len(items)}: {value!r}; "
            "give only one",
        )
    texts = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValidationError(
                code, f"attribute {code} value {item!r} is not text or a number"
            )
        texts.append(str(item))
    repeated = sorted({text for text in texts if texts.count(text) > 1})
    if repeated:
        raise ValidationError(
            code, f"attribute {code} lists {repeated} more than once; give each once"
        )
    return texts


def _check_datatype(code: str, datatype: str, text: str) -> None:
    if datatype == "number":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise ValidationError(
                code,
                f"attribute {code} value {text!r} is not a number; "
                "give a number such as 3 or 2.5",
            )
    elif datatype == "datetime":
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                code,
                f"attribute {code} value {text!r} is not a date and time; "
                "use ISO 8601, such as 2026-06-02T14:30",
            ) from None


def validate_attributes(service_type: ServiceType, values: dict[str, Any]) -> None:
    """Check Open311 attribute values against the service type's definition.

    Each value must suit its GeoReport v2 datatype. Only a multivaluelist takes
    more than one value, a number must be finite, and a datetime must be ISO
    8601. Where the definition lists values, each value must be one of their
    keys. Text must have no control characters and fit ``MAX_ATTRIBUTE_CHARS``.
    """
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
                    reason="missing",
                )
            continue
        datatype = attr.get("datatype", "string")
        max_chars = MAX_ATTRIBUTE_CHARS.get(datatype, MAX_TEXT_CHARS["address"])
        allowed = {str(v["key"]) for v in attr.get("values", [])}
        for text in _attribute_items(code, datatype, value):
            check_text(code, text, max_chars, label=f"attribute {code}")
            _check_datatype(code, datatype, text)
            if allowed and text not in allowed:
                raise ValidationError(
                    code,
                    f"attribute {code} value {text!r} is not one of {sorted(allowed)}",
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
            reason="missing",
        )
    validate_requester(new.requester)
    validate_attributes(service_type, new.attributes)
    return description
