"""Serialise Open311 payloads as JSON or as XML built with xml.etree.

Every payload is a list of flat records; nested dicts become child elements and
nested lists repeat a child element named in ``LIST_ITEMS``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree

from flask import Response

# The element name for the members of a nested list, keyed by the list's name.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "status_history": "status_change",
    "endpoints": "endpoint",
    "formats": "format",
}
# Characters outside the XML 1.0 Char production: C0 controls other than tab,
# line feed and carriage return, lone surrogates, U+FFFE and U+FFFF. Escaping
# cannot represent them, so they are replaced.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT_CHARACTER = "\ufffd"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _text(value: Any) -> str:
    """Return ``value`` as XML text, with U+FFFD for characters XML 1.0 forbids."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML_CHAR.sub(REPLACEMENT_CHARACTER, str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list):
        child_name = LIST_ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, child_name), item)
    else:
        element.text = _text(value)


def to_xml(
    records: list[dict[str, Any]] | dict[str, Any], root: str, item: str
) -> bytes:
    """Render a list of records (or one record as the root) as an XML document."""
    element = ElementTree.Element(root)
    if isinstance(records, dict):
        _fill(element, records)
    else:
        for record in records:
            _fill(ElementTree.SubElement(element, item), record)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def render(payload: Any, fmt: str, root: str, item: str, status: int = 200) -> Response:
    """Return a response in the requested format (``json`` or ``xml``)."""
    if fmt == "xml":
        return Response(to_xml(payload, root, item), status, content_type=XML_TYPE)
    return Response(
        json.dumps(payload, ensure_ascii=False), status, content_type=JSON_TYPE
    )
