"""What every importer produces: one ``SourceRecord`` per readable row, one
``RejectedRow`` per row that cannot be read.

Importers only parse; writing to the case store is the bulk loader's job, so
the same records can come from a file, an Open311 server or the demo city.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Case statuses of the core lifecycle; importers map source statuses onto these.
STATUSES = ("new", "acknowledged", "in_progress", "on_hold", "closed")


@dataclass
class SourceRecord:
    """One case as a source describes it, with instants as aware UTC datetimes."""

    row_number: int  # 1-based data row in the file, header excluded
    source: str  # source system, e.g. "nyc", "boston", "open311:<host>"
    external_id: str
    service_code: str
    service_name: str
    department_code: str
    department_name: str
    status: str  # one of STATUSES
    created_at: datetime
    source_status: str = ""
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    due_at: datetime | None = None  # the source's own due date, kept as given
    first_response_at: datetime | None = None
    outcome: str | None = None
    channel: str = "import"
    description: str = ""  # imported free text is internal
    resolution_notes: str = ""  # internal
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    district: str | None = None
    kind: str = "service_request"
    parent_external_id: str | None = None
    flags: set[str] = field(default_factory=set)  # names from cases.quality


@dataclass
class RejectedRow:
    """A row that could not be read, with the reason and the raw text or fields."""

    row_number: int
    reason: str
    raw: str
