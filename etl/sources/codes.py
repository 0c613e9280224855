"""Stable codes for departments and service types, and per-value mapping."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

MAX_CODE_LENGTH = 40
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


def make_code(name: str) -> str:
    """Turn a source's code or name into an uppercase ``A-Z0-9_`` code.

    A result longer than 40 characters keeps its first 33 characters and ends
    in ``_`` plus 6 hex digits of the name's SHA-1, so long names that share a
    prefix keep distinct codes. An empty name gives ``UNKNOWN``.
    """
    code = _NOT_ALNUM.sub("_", name.strip().upper()).strip("_")
    if not code:
        return "UNKNOWN"
    if len(code) <= MAX_CODE_LENGTH:
        return code
    digest = hashlib.sha1(name.strip().encode()).hexdigest()[:6].upper()
    return f"{code[: MAX_CODE_LENGTH - 7].rstrip('_')}_{digest}"


def map_values(values: Iterable[str], function: Callable[[str], T]) -> list[T]:
    """Apply ``function`` once per distinct value and return one result per value."""
    values = list(values)
    results = {value: function(value) for value in set(values)}
    return [results[value] for value in values]


def lookup(values: Iterable[str], table: dict[str, T], default: T) -> list[T]:
    """Map each value through ``table`` by its trimmed, lower-case form."""
    return map_values(values, lambda value: table.get(value.strip().lower(), default))


def snake_case(name: str) -> str:
    """Normalise a header name as Socrata field names are written.

    "X Coordinate (State Plane)" becomes "x_coordinate_state_plane".
    """
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
