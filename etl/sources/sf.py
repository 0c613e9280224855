"""San Francisco SF311 cases, the pre-2017 layout (``CaseID``, ``Opened``, ...).

Headers are matched in snake case, so R's "Status.Notes" is ``status_notes``.
``Responsible.Agency`` names a work queue, not a department; it is kept as the
department because the export has nothing closer.
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

SOURCE = "sf"
ZONE = ZoneInfo("America/Los_Angeles")
# San Francisco (37.70..37.83 N, 122.52..122.35 W) plus about 25 km.
BBOX = BoundingBox(south=37.45, west=-122.80, north=38.05, east=-122.05)
DATE_RULES = (DateRule("%m/%d/%Y %I:%M:%S %p"),)
STATUS_MAP = {"open": "new", "closed": "closed"}
CHANNEL_MAP = {
    "voice in": "phone",
    "open311": "api",
    "integrated agency": "api",
    "web self service": "web",
    "twitter": "web",
    "e-mail in": "email",
    "mail in": "import",
    "other department": "import",
}
REQUIRED = ("caseid", "opened", "status", "category", "responsible_agency")


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    dates = {
        key: DateColumn(name, DATE_RULES)
        for key, name in (
            ("created", "opened"),
            ("closed", "closed"),
            ("updated", "updated"),
        )
    }
    for chunk in read_chunks(path, normalize=snake_case):
        col.require(chunk, REQUIRED, SOURCE)
        yield from builder.emit(_batch(chunk, dates))


def _batch(chunk: Chunk, dates: dict[str, DateColumn]) -> Batch:
    statuses = col.texts(chunk, "status")
    queues = col.texts(chunk, "responsible_agency")
    categories = col.texts(chunk, "category")
    notes = col.texts(chunk, "status_notes")
    latitude, longitude = col.point_pair(chunk, "point")
    details = zip(
        col.texts(chunk, "request_type"),
        col.texts(chunk, "request_details"),
        strict=True,
    )
    return Batch(
        chunk=chunk,
        id_column="caseid",
        status_column="status",
        external_id=col.texts(chunk, "caseid"),
        service_code=col.mapped(chunk, "category", make_code),
        service_name=categories,
        department_code=col.mapped(chunk, "responsible_agency", make_code),
        department_name=queues,
        status=col.looked_up(chunk, "status", STATUS_MAP, None),
        source_status=statuses,
        created=_parse(chunk, dates["created"]),
        closed=_parse(chunk, dates["closed"]),
        updated=_parse(chunk, dates["updated"]),
        outcome=col.mapped(chunk, "status_notes", outcome_from_text),
        channel=col.looked_up(chunk, "source", CHANNEL_MAP, "import"),
        description=[" - ".join(part for part in pair if part) for pair in details],
        resolution_notes=notes,
        address=col.optional_texts(chunk, "address"),
        latitude=latitude,
        longitude=longitude,
        district=col.optional_texts(chunk, "neighborhood"),
    )


def _parse(chunk: Chunk, column: DateColumn):
    if not chunk.has(column.name):
        return None
    return column.parse(chunk.text(column.name), ZONE)
