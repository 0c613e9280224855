"""Query parameters of ``GET requests``: parsing, defaults and limits.

An empty parameter counts as absent. Dates are ISO 8601; a value without an
offset is city-local wall time, read with ``fold=0``: a time in the
spring-forward gap moves forward by the gap and an ambiguous fall-back time is
the first (daylight) occurrence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from cases.api.errors import ApiError

MAX_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
STATUSES = ("open", "closed")
MAX_LIST_ITEMS = 200


@dataclass(frozen=True)
class RequestFilter:
    """The filters of a request listing; every date is an aware UTC instant."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int = MAX_PAGE_SIZE
    extensions: bool = False


def arg(args: Mapping[str, str], name: str) -> str | None:
    """Return a parameter's value stripped, or None when it is missing or empty."""
    value = args.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def parse_datetime(value: str, name: str, zone: ZoneInfo) -> datetime:
    """Parse an ISO 8601 date or date-time into an aware UTC datetime."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            parsed = datetime(day.year, day.month, day.day)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            400,
            f"{name} {value!r} is not an ISO 8601 date-time; "
            "use the form 2026-06-01T00:00:00-04:00",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone, fold=0)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ApiError(400, f"{name} {value!r} is out of range") from None


def parse_list(value: str | None, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    if len(items) > MAX_LIST_ITEMS:
        raise ApiError(
            400, f"{name} lists {len(items)} values; give at most {MAX_LIST_ITEMS}"
        )
    return items


def parse_positive_int(value: str | None, name: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"{name} {value!r} is not a whole number") from None
    if not 1 <= number <= maximum:
        raise ApiError(400, f"{name} {number} is out of range; use 1 to {maximum}")
    return number


def parse_float(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise ApiError(400, f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ApiError(400, f"{name} {value!r} is not a finite number")
    return number


def date_window(
    start: datetime | None, end: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """Fill in a missing end of the requested-date window; reject more than 90 days.

    No dates means the 90 days up to now. Only a start means the 90 days from
    it, and only an end means the 90 days before it.
    """
    if start is None and end is None:
        return now - MAX_WINDOW, now
    if end is None:
        return start, start + MAX_WINDOW
    if start is None:
        return end - MAX_WINDOW, end
    if end < start:
        raise ApiError(400, "end_date is before start_date; swap them")
    if end - start > MAX_WINDOW:
        raise ApiError(
            400,
            f"start_date to end_date spans {(end - start).days} days; "
            "ask for at most 90 days at a time",
        )
    return start, end


def parse_filter(
    args: Mapping[str, str], zone: ZoneInfo, now: datetime
) -> RequestFilter:
    """Read the filters of ``GET requests`` from the query string."""
    dates = {
        name: parse_datetime(value, name, zone)
        for name in ("start_date", "end_date", "updated_after", "updated_before")
        if (value := arg(args, name)) is not None
    }
    statuses = tuple(s.lower() for s in parse_list(arg(args, "status"), "status"))
    for status in statuses:
        if status not in STATUSES:
            raise ApiError(400, f"status {status!r} is unknown; use open or closed")
    ids = parse_list(arg(args, "service_request_id"), "service_request_id")
    start, end = dates.get("start_date"), dates.get("end_date")
    by_update = "updated_after" in dates or "updated_before" in dates
    # Listing by id, or by update time alone, needs no window on the request date.
    if not ids and not (by_update and start is None and end is None):
        start, end = date_window(start, end, now)
    extensions = (arg(args, "extensions") or "false").lower()
    if extensions not in ("true", "false"):
        raise ApiError(400, f"extensions {extensions!r} is not true or false")
    return RequestFilter(
        ids=ids,
        service_codes=parse_list(arg(args, "service_code"), "service_code"),
        statuses=statuses,
        start=start,
        end=end,
        updated_after=dates.get("updated_after"),
        updated_before=dates.get("updated_before"),
        page=parse_positive_int(arg(args, "page"), "page", 1, 1_000_000),
        page_size=parse_positive_int(
            arg(args, "page_size"), "page_size", MAX_PAGE_SIZE, MAX_PAGE_SIZE
        ),
        extensions=extensions == "true",
    )
