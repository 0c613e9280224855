"""Reading GeoReport v2 field values: instants, coordinates and codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

_NOT_CODE = re.compile(r"[^a-z0-9]+")


def parse_instant(value: Any, name: str, zone: ZoneInfo) -> datetime | None:
    """Parse an ISO 8601 time as an aware UTC datetime; None for an empty value.

    A time without an offset is city-local. With ``fold=0``, zoneinfo reads an
    ambiguous time at the autumn change as the first (daylight) occurrence,
    and a time in the spring gap with the offset in force before the gap.
    """
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def read_float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} {value!r} is not a number") from None


def slug(text: str) -> str:
    """Turn a name into a code: ``"Street Light Out"`` becomes ``street_light_out``."""
    return _NOT_CODE.sub("_", text.lower()).strip("_")[:96]
