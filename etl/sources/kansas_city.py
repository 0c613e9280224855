"""Kansas City 311 Call Center Service Requests (data.kcmo.org).

Creation date and time are two columns ("1/7/20" and "12:59 PM"), read
together. The closed date has no time, so it is a date-only column and "closed
before created" compares calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.compute as pc

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBuilder
from etl.sources.checks import BoundingBox
from etl.sources.chunk import Chunk
from etl.sources.codes import make_code, snake_case
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, DateRule
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "kansas_city"
ZONE = ZoneInfo("America/Chicago")
# Kansas City, MO (38.83..39.36 N, 94.77..94.38 W) plus about 25 km.
BBOX = BoundingBox(south=38.60, west=-95.05, north=39.60, east=-94.10)
CREATED_RULES = (DateRule("%m/%d/%y %I:%M %p"), DateRule("%m/%d/%Y %I:%M %p"))
CLOSED_RULES = (
    DateRule("%m/%d/%y", date_only=True),
    DateRule("%m/%d/%Y", date_only=True),
)
STATUS_MAP = {"open": "new", "resol": "closed", "closed": "closed"}
CHANNEL_MAP = {
    "phone": "phone",
    "web": "web",
    "email": "email",
    "twir": "web",
    "bot": "web",
    "walk": "walk-in",
}
REQUIRED = ("case_id", "creation_date", "creation_time", "status", "type", "department")


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    created = DateColumn("creation_date + creation_time", CREATED_RULES)
    closed = DateColumn("closed_date", CLOSED_RULES)
    for chunk in read_chunks(path, normalize=snake_case):
        col.require(chunk, REQUIRED, SOURCE)
        yield from builder.emit(_batch(chunk, created, closed))


def _batch(chunk: Chunk, created: DateColumn, closed: DateColumn) -> Batch:
    statuses = col.texts(chunk, "status")
    departments = col.texts(chunk, "department")
    types = col.texts(chunk, "type")
    stamp = pc.binary_join_element_wise(
        col.trimmed(chunk, "creation_date"), col.trimmed(chunk, "creation_time"), " "
    )
    return Batch(
        chunk=chunk,
        id_column="case_id",
        status_column="status",
        external_id=col.texts(chunk, "case_id"),
        service_code=col.mapped(chunk, "type", make_code),
        service_name=types,
        department_code=col.mapped(chunk, "department", make_code),
        department_name=departments,
        status=col.looked_up(chunk, "status", STATUS_MAP, None),
        source_status=statuses,
        created=created.parse(stamp, ZONE),
        closed=closed.parse(chunk.text("closed_date"), ZONE)
        if chunk.has("closed_date")
        else None,
        channel=col.looked_up(chunk, "source", CHANNEL_MAP, "import"),
        description=col.texts(chunk, "detail"),
        address=col.optional_texts(chunk, "street_address"),
        latitude=col.numbers(chunk, "latitude"),
        longitude=col.numbers(chunk, "longitude"),
        district=col.optional_texts(chunk, "neighborhood"),
    )
