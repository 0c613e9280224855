"""Attribute values checked against their Open311 GeoReport v2 datatypes."""

from __future__ import annotations

from typing import Any

import pytest

from cases.errors import ValidationError
from cases.intake import validate_attributes
from cases.models import ServiceType

KINDS = ServiceType(
    code="KINDS",
    attributes=[
        {
            "code": "size",
            "datatype": "singlevaluelist",
            "values": [{"key": "small", "name": "S"}, {"key": "large", "name": "L"}],
        },
        {
            "code": "items",
            "datatype": "multivaluelist",
            "values": [{"key": "sofa", "name": "Sofa"}, {"key": "bed", "name": "Bed"}],
        },
        {"code": "count", "datatype": "number"},
        {"code": "seen", "datatype": "datetime"},
        {"code": "pole", "datatype": "string"},
        {"code": "story", "datatype": "text"},
    ],
)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"size": "small", "items": ["sofa", "bed"]},
        {"items": "sofa"},
        {"count": "3"},
        {"count": "-2.5"},
        {"count": 4},
        {"seen": "2026-06-02T14:30"},
        {"seen": "2026-06-02T14:30:00-04:00"},
        {"pole": "P-1234 \u00e9"},
        {"pole": "p" * 300},
        {"story": "line one\nline two\ttab"},
        {"story": "s" * 4000},
    ],
)
def test_attributes_accept_valid_values(values: dict[str, Any]):
    validate_attributes(KINDS, values)


@pytest.mark.parametrize(
    ("values", "field", "reason", "words"),
    [
        ({"count": "lots"}, "count", "invalid", "not a number"),
        ({"count": "NaN"}, "count", "invalid", "not a number"),
        ({"count": "inf"}, "count", "invalid", "not a number"),
        ({"count": True}, "count", "invalid", "not text or a number"),
        ({"seen": "yesterday"}, "seen", "invalid", "ISO 8601"),
        ({"pole": "a\x1bb\x7f\x08c"}, "pole", "control_characters", "remove them"),
        ({"pole": "p" * 301}, "pole", "too_long", "at most 300"),
        ({"pole": "p" * 200_000}, "pole", "too_long", "200000 characters"),
        ({"story": "s" * 4001}, "story", "too_long", "at most 4000"),
        ({"size": ["large", "small"]}, "size", "invalid", "takes one value"),
        ({"count": ["1", "2"]}, "count", "invalid", "takes one value"),
        ({"items": ["sofa", "sofa"]}, "items", "invalid", "more than once"),
        ({"items": ["sofa", "car"]}, "items", "invalid", "'car' is not one of"),
        ({"items": ["sofa\x01"]}, "items", "control_characters", "attribute items"),
    ],
)
def test_attributes_reject_invalid_values(
    values: dict[str, Any], field: str, reason: str, words: str
):
    with pytest.raises(ValidationError) as error:
        validate_attributes(KINDS, values)
    assert error.value.field == field
    assert error.value.reason == reason
    assert words in str(error.value)
