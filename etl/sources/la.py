"""Los Angeles MyLA311 service requests, the 2017 and the 2020 layouts.

Headers are matched in lower case ("SRNumber" and "srnumber" are one column).
The 2017 export writes ``MM/DD/YYYY hh:mm:ss AM``; the 2020 file, re-saved by
a spreadsheet, writes ``M/D/YY H:MM``. Cancelled and referred-out requests are
closed with the outcome the status names.
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
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "la"
ZONE = ZoneInfo("America/Los_Angeles")
# The City of Los Angeles (33.70..34.34 N, 118.67..118.15 W) plus about 30 km.
BBOX = BoundingBox(south=33.40, west=-119.00, north=34.60, east=-117.80)
DATE_RULES = (
    DateRule("%m/%d/%Y %I:%M:%S %p"),
    DateRule("%m/%d/%y %H:%M"),
    DateRule("%m/%d/%Y %H:%M"),
)
STATUS_MAP = {
    "open": "new",
    "pending": "on_hold",
    "closed": "closed",
    "cancelled": "closed",
    "referred out": "closed",
}
OUTCOME_MAP = {"cancelled": "withdrawn", "referred out": "referred_elsewhere"}
CHANNEL_MAP = {
    "call": "phone",
    "voicemail": "phone",
    "mobile app": "mobile",
    "self service": "web",
    "email": "email",
    "walk-in": "walk-in",
    "driver self report": "import",
    "council's office": "import",
    "letter": "import",
}
REQUIRED = ("srnumber", "createddate", "status", "requesttype", "owner")


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    dates = {
        key: DateColumn(name, DATE_RULES)
        for key, name in (
            ("created", "createddate"),
            ("closed", "closeddate"),
            ("updated", "updateddate"),
        )
    }
    for chunk in read_chunks(path, normalize=snake_case):
        col.require(chunk, REQUIRED, SOURCE)
        yield from builder.emit(_batch(chunk, dates))


def _batch(chunk: Chunk, dates: dict[str, DateColumn]) -> Batch:
    statuses = col.texts(chunk, "status")
    owners = col.texts(chunk, "owner")
    types = col.texts(chunk, "requesttype")
    return Batch(
        chunk=chunk,
        id_column="srnumber",
        status_column="status",
        external_id=col.texts(chunk, "srnumber"),
        service_code=col.mapped(chunk, "requesttype", make_code),
        service_name=types,
        department_code=col.mapped(chunk, "owner", make_code),
        department_name=owners,
        status=col.looked_up(chunk, "status", STATUS_MAP, None),
        source_status=statuses,
        created=_parse(chunk, dates["created"]),
        closed=_parse(chunk, dates["closed"]),
        updated=_parse(chunk, dates["updated"]),
        outcome=col.looked_up(chunk, "status", OUTCOME_MAP, None),
        channel=col.looked_up(chunk, "requestsource", CHANNEL_MAP, "import"),
        description=col.texts(chunk, "actiontaken"),
        address=col.optional_texts(chunk, "address"),
        latitude=col.numbers(chunk, "latitude"),
        longitude=col.numbers(chunk, "longitude"),
        district=col.optional_texts(chunk, "ncname"),
    )


def _parse(chunk: Chunk, column: DateColumn):
    if not chunk.has(column.name):
        return None
    return column.parse(chunk.text(column.name), ZONE)
