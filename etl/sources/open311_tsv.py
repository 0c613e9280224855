"""Open311 GeoReport v2 requests from several cities, flattened to TSV.

Columns: ``city``, ``service_request_id``, ``status``, ``service_name``,
``service_code``, ``requested_datetime``, ``updated_datetime``, ``address``,
``lat``, ``long``. Dates are ISO 8601 with offsets, so no zone is assumed.
Each city is its own source (``open311:<city>``), because request ids are
only unique within one city's server. GeoReport v2 has no closed time and
``updated_datetime`` is the last update, so ``closed_at`` stays empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBuilder
from etl.sources.checks import BoundingBox
from etl.sources.chunk import Chunk
from etl.sources.codes import lookup, make_code, map_values
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, DateRule
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "open311"
ZONE = ZoneInfo("UTC")  # values carry offsets; the zone only dates placeholders
# The cities differ per row, so only North America is checked.
BBOX = BoundingBox(south=15.0, west=-170.0, north=72.0, east=-50.0)
STATUS_MAP = {"open": "new", "closed": "closed"}
REQUIRED = ("city", "service_request_id", "status", "requested_datetime")
UNKNOWN_DEPARTMENT = "Not stated by the source"


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    col.reject_options(SOURCE, options)
    builder = RecordBuilder(SOURCE, BBOX)
    created = DateColumn("requested_datetime", (DateRule("iso"),))
    updated = DateColumn("updated_datetime", (DateRule("iso"),))
    for chunk in read_chunks(path, delimiter="\t", normalize=str.strip):
        col.require(chunk, REQUIRED, SOURCE)
        yield from builder.emit(_batch(chunk, created, updated))


def source_name(city: str) -> str:
    """Return the source for a city label: "Boston_MA" -> "open311:boston_ma"."""
    return f"{SOURCE}:{make_code(city).lower()}"


def _batch(chunk: Chunk, created: DateColumn, updated: DateColumn) -> Batch:
    statuses = col.texts(chunk, "status")
    codes = col.texts(chunk, "service_code")
    names = col.texts(chunk, "service_name")
    return Batch(
        chunk=chunk,
        id_column="service_request_id",
        status_column="status",
        source=map_values(col.texts(chunk, "city"), source_name),
        external_id=col.texts(chunk, "service_request_id"),
        service_code=map_values(
            [code or name for code, name in zip(codes, names, strict=True)], make_code
        ),
        service_name=names,
        department_code=["UNKNOWN"] * chunk.n,
        department_name=[UNKNOWN_DEPARTMENT] * chunk.n,
        status=lookup(statuses, STATUS_MAP, None),
        source_status=statuses,
        created=created.parse(chunk.text("requested_datetime"), ZONE),
        updated=updated.parse(chunk.text("updated_datetime"), ZONE)
        if chunk.has("updated_datetime")
        else None,
        channel=["import"] * chunk.n,
        address=col.optional_texts(chunk, "address"),
        latitude=col.numbers(chunk, "lat"),
        longitude=col.numbers(chunk, "long"),
    )
