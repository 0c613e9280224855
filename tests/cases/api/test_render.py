"""XML output stays well-formed whatever text the case store holds."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from cases.api.render import to_xml

# Characters that XML 1.0 cannot represent, not even as character references.
FORBIDDEN = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1f",
    "\ud800",
    "\ufffe",
    "\uffff",
]


@pytest.mark.parametrize("character", FORBIDDEN)
def test_to_xml_replaces_forbidden_characters(character: str):
    document = to_xml([{"address": f"12 Main{character}St"}], "requests", "request")
    root = ElementTree.fromstring(document)
    assert root.find("request/address").text == "12 Main\ufffdSt"


def test_to_xml_keeps_allowed_characters():
    text = "tab\tline\nreturn\r é \u2028 \U0001f600 <&>\x7f\x85"
    document = to_xml({"note": text}, "request", "request")
    root = ElementTree.fromstring(document)
    # An XML parser normalises a literal carriage return to a line feed.
    assert root.find("note").text == text.replace("\r", "\n")


def test_to_xml_replaces_forbidden_characters_in_lists():
    records = [{"attributes": [{"code": "a\x02", "values": ["x\x03"]}]}]
    root = ElementTree.fromstring(to_xml(records, "services", "service"))
    assert root.find("service/attributes/attribute/code").text == "a\ufffd"
    assert root.find("service/attributes/attribute/values/value").text == "x\ufffd"
