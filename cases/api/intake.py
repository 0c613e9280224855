"""Reading a ``POST requests`` body into a NewCase.

The body is form-encoded, as the GeoReport v2 specification specifies, or an XML
document ``<request><service_code>..</service_code>..</request>`` parsed with
defusedxml. Attribute values come as ``attribute[CODE]`` (and
``attribute[CODE][]`` for each value of a multivaluelist).
"""

from __future__ import annotations

import re
from typing import Any

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from flask import Request
from werkzeug.datastructures import MultiDict

from cases.api.errors import ApiError
from cases.api.params import arg, parse_float
from cases.intake import NewCase, Requester

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
MAX_XML_BYTES = 64 * 1024


def _xml_fields(request: Request) -> MultiDict:
    data = request.get_data(cache=True)
    if len(data) > MAX_XML_BYTES:
        raise ApiError(
            400, f"XML body has {len(data)} bytes; send at most {MAX_XML_BYTES}"
        )
    try:
        root = SafeElementTree.fromstring(data)
    except (SafeElementTree.ParseError, DefusedXmlException) as error:
        raise ApiError(400, f"XML body is not valid or not allowed: {error}") from None
    fields = MultiDict([(child.tag, (child.text or "").strip()) for child in root])
    if any("\x00" in value for value in fields.values()):
        raise ApiError(400, "the XML body contains a NUL character; remove it")
    return fields


def request_fields(request: Request) -> MultiDict:
    """Return the submitted fields, from XML or from form and query string."""
    if request.mimetype in ("text/xml", "application/xml"):
        fields = _xml_fields(request)
        fields.update(request.args)
        return fields
    fields = MultiDict(request.args)
    fields.update(request.form)
    return fields


def _attributes(fields: MultiDict) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for key in fields:
        match = _ATTRIBUTE.match(key)
        if not match:
            continue
        values = [value.strip() for value in fields.getlist(key) if value.strip()]
        if not values:
            continue
        code, many = match.group(1), match.group(2)
        answers[code] = values if many else values[0]
    return answers


def new_case_from(fields: MultiDict) -> NewCase:
    """Build a NewCase from Open311 fields; the service layer validates the rest."""
    service_code = arg(fields, "service_code")
    if service_code is None:
        raise ApiError(400, "service_code is missing; list codes with services.json")
    names = [arg(fields, "first_name"), arg(fields, "last_name")]
    name = " ".join(part for part in names if part) or None
    requester = Requester(
        name=name, email=arg(fields, "email"), phone=arg(fields, "phone")
    )
    return NewCase(
        service_type=service_code,
        description=arg(fields, "description") or "",
        address=arg(fields, "address_string"),
        latitude=parse_float(arg(fields, "lat"), "lat"),
        longitude=parse_float(arg(fields, "long"), "long"),
        channel="api",
        requester=requester,
        attributes=_attributes(fields),
    )
