"""Contact details removed from public descriptions."""

from __future__ import annotations

import pytest

from cases.redaction import redact_contact_details


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mail ada@example.org please", "mail [removed] please"),
        ("Ada.Lovelace+311@mail.example.co.uk.", "[removed]."),
        ("reach me (jo_smith@city-hall.gov)", "reach me ([removed])"),
        ("call 302-555-0142", "call [removed]"),
        ("call (302) 555-0142 today", "call [removed] today"),
        ("call (302)555-0142", "call [removed]"),
        ("call 302.555.0142", "call [removed]"),
        ("call 302 555 0142", "call [removed]"),
        ("call 3025550142", "call [removed]"),
        ("call +1 302 555 0142", "call [removed]"),
        ("call 1-302-555-0142", "call [removed]"),
        ("call +1 (302) 555-0142 ext. 12", "call [removed]"),
        ("call 302-555-0142 x7", "call [removed]"),
        ("call 555-0142", "call [removed]"),
        ("Jo, 302-555-0142, jo@example.org", "Jo, [removed], [removed]"),
    ],
)
def test_redact_removes_contact_details(typed, expected):
    assert redact_contact_details(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "2 potholes outside 3897 Nutmeg Ave",
        "since 2026-06-02, again on 06/12/2026 and 6.14.2026",
        "ZIP 19801-1234, pole 4471932",
        "case 26-000123-4 is the same",
        "about 100 feet, 3 ft wide, 10:30 am",
        "email me at the office",
        "a 2x4 and a 12-pack",
    ],
)
def test_redact_keeps_ordinary_numbers(typed):
    assert redact_contact_details(typed) == typed
