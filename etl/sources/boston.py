"""Boston 311 service requests (data.boston.gov), both export layouts.

The 2015-era export writes upper-case headers, ``TARGET_DT`` and dates as
``MM/DD/YYYY hh:mm:ss AM``; the 2024+ export writes lower-case headers,
``sla_target_dt`` and ISO dates without a zone. ``OnTime_Status`` is the
source's own SLA verdict and is not read: on-time is computed from ``due_at``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBuilder
from etl.sources.checks import BoundingBox
from etl.sources.chunk import Chunk
from etl.sources.codes import make_code, snake_case
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, DateRule
from etl.sources.outcomes import outcome_from_text
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "boston"
ZONE = ZoneInfo("America/New_York")
# Boston (42.23..42.40 N, 71.19..70.99 W) plus about 25 km.
BBOX = BoundingBox(south=42.00, west=-71.50, north=42.60, east=-70.70)
DATE_RULES = (DateRule("%m/%d/%Y %I:%M:%S %p"), DateRule("%Y-%m-%d %H:%M:%S"))
STATUS_MAP = {"open": "new", "closed": "closed"}
CHANNEL_MAP = {
    "constituent call": "phone",
    "citizens connect app": "mobile",
    "city worker app": "mobile",
    "self service": "web",
    "twitter": "web",
    "maximo integration": "api",
    "employee generated": "import",
}
REQUIRED = ("case_enquiry_id", "open_dt", "case_status", "type", "department")


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    dates: dict[str, DateColumn] = {}
    for chunk in read_chunks(path, normalize=snake_case):
        col.require(chunk, REQUIRED, SOURCE)
        due = "target_dt" if chunk.has("target_dt") else "sla_target_dt"
        for key, name in (
            ("created", "open_dt"),
            ("closed", "closed_dt"),
            ("due", due),
        ):
            dates.setdefault(key, DateColumn(name, DATE_RULES))
        yield from builder.emit(_batch(chunk, dates))


def _batch(chunk: Chunk, dates: dict[str, DateColumn]) -> Batch:
    statuses = col.texts(chunk, "case_status")
    departments = col.texts(chunk, "department")
    types = col.texts(chunk, "type")
    reasons = col.texts(chunk, "closure_reason")
    return Batch(
        chunk=chunk,
        id_column="case_enquiry_id",
        status_column="case_status",
        external_id=col.texts(chunk, "case_enquiry_id"),
        service_code=col.mapped(chunk, "type", make_code),
        service_name=types,
        department_code=col.mapped(chunk, "department", make_code),
        department_name=departments,
        status=col.looked_up(chunk, "case_status", STATUS_MAP, None),
        source_status=statuses,
        created=_parse(chunk, dates["created"]),
        closed=_parse(chunk, dates["closed"]),
        due=_parse(chunk, dates["due"]),
        outcome=col.mapped(chunk, "closure_reason", outcome_from_text),
        channel=col.looked_up(chunk, "source", CHANNEL_MAP, "import"),
        description=col.texts(chunk, "case_title"),
        resolution_notes=reasons,
        address=col.optional_texts(chunk, "location"),
        latitude=col.numbers(chunk, "latitude"),
        longitude=col.numbers(chunk, "longitude"),
        district=col.optional_texts(chunk, "neighborhood"),
    )


def _parse(chunk: Chunk, column: DateColumn):
    if not chunk.has(column.name):
        return None
    return column.parse(chunk.text(column.name), ZONE)
