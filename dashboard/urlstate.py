"""Filters in the URL query string: parsing with validation, and serialising.

A view's state is its path plus ``?from=YYYY-MM-DD&to=YYYY-MM-DD`` and any of
``department``, ``service_type``, ``channel`` and ``district`` (repeat a key or
separate codes by commas for several). The case list adds ``basis``, ``flag``
and ``source``. Parsing raises ``FilterError`` with a message naming the bad
value, which pages show instead of a figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from cases.lifecycle import CHANNELS
from metrics.case_list import BASES
from metrics.dimensions import Dimensions
from metrics.filters import FilterError, Filters, check_range, period_as_of

PERIOD_KEYS = ("from", "to")
CODE_KEYS = {
    "department": "departments",
    "service_type": "service_types",
    "channel": "channels",
    "district": "districts",
}
FILTER_KEYS = (*PERIOD_KEYS, *CODE_KEYS)
CASE_LIST_KEYS = ("basis", "flag", "source")
MAX_PERIOD_DAYS = 3660
DEFAULT_WEEKS = 4


def default_period(today: date) -> tuple[date, date]:
    """Return the last four whole weeks (Monday to Sunday) before today's week."""
    end = today - timedelta(days=today.isoweekday())
    return end - timedelta(days=7 * DEFAULT_WEEKS - 1), end


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else [raw]
    values: list[str] = []
    for item in items:
        values.extend(part.strip() for part in str(item).split(",") if part.strip())
    return values


def _single(query: Mapping[str, Any], key: str) -> str | None:
    values = _values(query.get(key, []))
    if len(values) > 1:
        raise FilterError(f"{key} is given {len(values)} times; give one value")
    return values[0] if values else None


def _date(query: Mapping[str, Any], key: str) -> date | None:
    raw = _single(query, key)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FilterError(
            f"{key} date {raw!r} is not a date; write it as YYYY-MM-DD"
        ) from None


def parse_filters(
    query: Mapping[str, Any], today: date, extra_keys: Iterable[str] = ()
) -> Filters:
    """Build Filters from a parsed query string; raise FilterError naming a bad value.

    A missing ``to`` is the end of the default period and a missing ``from`` is
    27 days before ``to``.
    """
    allowed = (*FILTER_KEYS, *extra_keys)
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise FilterError(
            f"unknown query parameter {unknown[0]!r}; use {', '.join(allowed)}"
        )
    start, end = _date(query, "from"), _date(query, "to")
    check_range(start or end or today, end or start or today)
    end = end or max(default_period(today)[1], start or date.min)
    start = start or end - timedelta(days=7 * DEFAULT_WEEKS - 1)
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise FilterError(
            f"period {start} to {end} is longer than ten years; choose a shorter one"
        )
    codes = {
        field: tuple(_values(query.get(key, []))) for key, field in CODE_KEYS.items()
    }
    return Filters(start, end, **codes)


def parse_case_list(
    query: Mapping[str, Any], today: date
) -> tuple[Filters, str, str | None, str | None]:
    """Return ``(filters, basis, flag, source)`` of a case-list query string."""
    filters = parse_filters(query, today, CASE_LIST_KEYS)
    basis = _single(query, "basis") or "received"
    if basis not in BASES:
        raise FilterError(f"basis {basis!r} is unknown; use one of {', '.join(BASES)}")
    return filters, basis, _single(query, "flag"), _single(query, "source")


def check_codes(filters: Filters, dimensions: Dimensions) -> None:
    """Raise FilterError for a code that the warehouse does not know."""
    known = {
        "department": {code for code, _ in dimensions.departments},
        "service type": {code for code, _, _ in dimensions.service_types},
        "district": {code for code, _ in dimensions.districts},
        "channel": set(dimensions.channels) | set(CHANNELS),
    }
    given = {
        "department": filters.departments,
        "service type": filters.service_types,
        "district": filters.districts,
        "channel": filters.channels,
    }
    for label, codes in given.items():
        for code in codes:
            if code not in known[label]:
                raise FilterError(
                    f"unknown {label} {code!r}; use one of "
                    f"{', '.join(sorted(known[label])) or '(none)'}"
                )


def filter_query(filters: Filters, **extra: str | None) -> str:
    """Serialise filters (and extra keys with a value) as ``?from=...&to=...``."""
    pairs: list[tuple[str, str]] = [
        ("from", filters.start.isoformat()),
        ("to", filters.end.isoformat()),
    ]
    for key, field in CODE_KEYS.items():
        pairs.extend((key, code) for code in getattr(filters, field))
    pairs.extend((key, value) for key, value in extra.items() if value)
    return "?" + urlencode(pairs)


def as_of(filters: Filters, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the moment backlog and overdue are taken: the period's end or now."""
    return period_as_of(filters, now, zone)
