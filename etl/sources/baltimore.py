"""Baltimore 311 Customer Service Requests (Open Baltimore), as R writes them.

The file spells missing values both as empty strings and as unquoted ``NA``.
Statuses carry a qualifier, such as "Closed (Duplicate)" or "Open
(Transferred)": the word before the bracket gives the status and the
qualifier the outcome. ``ServiceRequestNum`` is the id, not the Salesforce
``SRRecordID``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBuilder
from etl.sources.checks import BoundingBox
from etl.sources.chunk import Chunk
from etl.sources.codes import lookup, make_code, map_values, snake_case
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, DateRule
from etl.sources.outcomes import outcome_from_text
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "baltimore"
ZONE = ZoneInfo("America/New_York")
# Baltimore City (39.20..39.37 N, 76.71..76.53 W) plus about 25 km.
BBOX = BoundingBox(south=38.95, west=-77.00, north=39.60, east=-76.25)
NULLS = ("", "NA")
DATE_RULES = (DateRule("%m/%d/%Y %I:%M:%S %p"),)
STATUS_MAP = {
    "new": "new",
    "open": "in_progress",
    "pending": "on_hold",
    "hold": "on_hold",
    "closed": "closed",
}
QUALIFIER_OUTCOMES = {"duplicate": "duplicate", "transferred": "referred_elsewhere"}
CHANNEL_MAP = {
    "phone": "phone",
    "api": "api",
    "email": "email",
    "web": "web",
    "walk-in": "walk-in",
    "system": "import",
    "internal": "import",
    "mail": "import",
}
REQUIRED = ("servicerequestnum", "createddate", "srstatus", "srtype", "agency")
DATE_COLUMNS = {
    "created": "createddate",
    "closed": "closedate",
    "updated": "statusdate",
    "due": "duedate",
}
_QUALIFIED = re.compile(r"^\s*([^(]*?)\s*(?:\((.*)\))?\s*$")


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    dates = {key: DateColumn(name, DATE_RULES) for key, name in DATE_COLUMNS.items()}
    for chunk in read_chunks(path, normalize=snake_case):
        col.require(chunk, REQUIRED, SOURCE)
        yield from builder.emit(_batch(chunk, dates))


def split_status(value: str) -> tuple[str, str]:
    """Split "Closed (Duplicate)" into ("closed", "duplicate")."""
    match = _QUALIFIED.match(value)
    if match is None:
        return value.strip().lower(), ""
    return match.group(1).lower(), (match.group(2) or "").strip().lower()


def _batch(chunk: Chunk, dates: dict[str, DateColumn]) -> Batch:
    statuses = col.texts(chunk, "srstatus", NULLS)
    parts = map_values(statuses, split_status)
    agencies = col.texts(chunk, "agency", NULLS)
    types = col.texts(chunk, "srtype", NULLS)
    stated = map_values(col.texts(chunk, "outcome", NULLS), _outcome_or_none)
    return Batch(
        chunk=chunk,
        id_column="servicerequestnum",
        status_column="srstatus",
        external_id=col.texts(chunk, "servicerequestnum", NULLS),
        service_code=map_values(types, make_code),
        service_name=types,
        department_code=map_values(agencies, make_code),
        department_name=agencies,
        status=[STATUS_MAP.get(base) for base, _ in parts],
        source_status=statuses,
        created=_parse(chunk, dates["created"]),
        closed=_parse(chunk, dates["closed"]),
        updated=_parse(chunk, dates["updated"]),
        due=_parse(chunk, dates["due"]),
        outcome=[
            QUALIFIER_OUTCOMES.get(qualifier) or text
            for (_, qualifier), text in zip(parts, stated, strict=True)
        ],
        channel=lookup(col.texts(chunk, "methodreceived"), CHANNEL_MAP, "import"),
        resolution_notes=col.texts(chunk, "outcome", NULLS),
        address=col.optional_texts(chunk, "address", NULLS),
        latitude=col.numbers(chunk, "latitude", NULLS),
        longitude=col.numbers(chunk, "longitude", NULLS),
        district=col.optional_texts(chunk, "neighborhood", NULLS),
    )


def _outcome_or_none(text: str) -> str | None:
    return outcome_from_text(text) if text else None


def _parse(chunk: Chunk, column: DateColumn):
    if not chunk.has(column.name):
        return None
    return column.parse(chunk.text(column.name), ZONE, NULLS)
