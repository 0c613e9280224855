"""Data-quality flags stored on a case.

A flagged case is kept as its source gave it; metrics exclude it from durations
and count it on the data-quality panel.
"""

from __future__ import annotations

CLOSED_BEFORE_CREATED = "closed_before_created"
PLACEHOLDER_DATE = "placeholder_date"
STATUS_DATE_MISMATCH = "status_date_mismatch"
ZERO_COORDINATES = "zero_coordinates"
OUT_OF_AREA = "out_of_area"
DUPLICATE_ID = "duplicate_id"
MISSING_LOCATION = "missing_location"
UNREADABLE_TEXT = "unreadable_text"
FUTURE_DATE = "future_date"

FLAG_LABELS: dict[str, str] = {
    CLOSED_BEFORE_CREATED: "Closed before created",
    PLACEHOLDER_DATE: "Placeholder date (such as 1900-01-01)",
    STATUS_DATE_MISMATCH: "Status and closed date disagree",
    ZERO_COORDINATES: "Coordinates at 0,0",
    OUT_OF_AREA: "Coordinates far outside the source's area",
    DUPLICATE_ID: "Source id appears more than once",
    MISSING_LOCATION: "Missing location where the type needs one",
    UNREADABLE_TEXT: "Text with replacement or control characters",
    FUTURE_DATE: "Created or closed after the import time",
}

# Flags that make a case's durations untrustworthy; metrics leave these cases
# out of time-to-close and first-response figures. A future creation or closing
# time makes the case's time to close wrong in either direction.
DURATION_FLAGS: frozenset[str] = frozenset(
    {CLOSED_BEFORE_CREATED, PLACEHOLDER_DATE, STATUS_DATE_MISMATCH, FUTURE_DATE}
)


def join_flags(flags: set[str] | frozenset[str]) -> str:
    """Serialise flags as the sorted, comma-separated string stored on a case."""
    unknown = set(flags) - set(FLAG_LABELS)
    if unknown:
        raise ValueError(f"unknown data-quality flags {sorted(unknown)}")
    return ",".join(sorted(flags))


def split_flags(stored: str | None) -> frozenset[str]:
    """Parse the stored comma-separated flag string."""
    return frozenset(part for part in (stored or "").split(",") if part)
