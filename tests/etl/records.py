"""Small hand-made records for the bulk-path tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from etl.sources.record import SourceRecord


def at(text: str) -> datetime:
    """Parse ``YYYY-MM-DD HH:MM`` as a UTC instant."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def make_record(
    external_id: str = "A1", row_number: int = 1, **fields: Any
) -> SourceRecord:
    values: dict[str, Any] = {
        "row_number": row_number,
        "source": "testcity",
        "external_id": external_id,
        "service_code": "pothole",
        "service_name": "Pothole",
        "department_code": "DPW",
        "department_name": "Public Works",
        "status": "new",
        "created_at": at("2025-03-02 14:00"),
        "address": "100 Main St",
        "latitude": 39.74,
        "longitude": -75.55,
    }
    values.update(fields)
    return SourceRecord(**values)
