"""Normalised street addresses."""

from __future__ import annotations

import pytest

from cases.addresses import address_anchor, normalise_address


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3897 Nutmeg Avenue", "3897 nutmeg ave"),
        ("3897 nutmeg ave.", "3897 nutmeg ave"),
        ("  3897\tNutmeg   AVE ", "3897 nutmeg ave"),
        ("800 North French Street", "800 n french st"),
        ("800 N. French St.", "800 n french st"),
        ("12 West Boulevard, Apartment 4", "12 w blvd apt 4"),
        ("5 O'Neil Road", "5 oneil rd"),
        ("5 O\u2019Neil Rd", "5 oneil rd"),
        ("1200-1202 Lancaster Pike", "1200 1202 lancaster pike"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_address(typed, expected):
    assert normalise_address(typed) == expected


@pytest.mark.parametrize(
    ("normalised", "expected"),
    [
        ("3897 nutmeg ave", "3897"),
        ("rodney sq n", "rodney"),
        ("e st", "st"),
        ("", ""),
    ],
)
def test_address_anchor(normalised, expected):
    assert address_anchor(normalised) == expected
