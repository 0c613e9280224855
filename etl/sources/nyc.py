"""NYC 311 Service Requests (NYC Open Data, Socrata ``erm2-nwe9``), CSV or JSON.

Header names are matched in Socrata field-name form, so the portal's "Unique
Key" and the API's ``unique_key`` are one column. Exports write dates as
``MM/DD/YYYY hh:mm:ss AM``, as ``M/D/YYYY H:MM`` after a spreadsheet re-save,
or as ISO 8601 without a zone from the API; each date column's rule is fixed
by its first readable value.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBlock, RecordBuilder
from etl.sources.checks import BoundingBox
from etl.sources.chunk import Chunk
from etl.sources.codes import make_code, snake_case
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, DateRule
from etl.sources.jsonread import read_json_chunks
from etl.sources.outcomes import outcome_from_text
from etl.sources.record import RejectedRow, SourceRecord

SOURCE = "nyc"
ZONE = ZoneInfo("America/New_York")
# The five boroughs (40.50..40.92 N, 74.26..73.70 W) plus about 10 km.
BBOX = BoundingBox(south=40.40, west=-74.40, north=41.00, east=-73.55)
DATE_RULES = (
    DateRule("%m/%d/%Y %I:%M:%S %p"),
    DateRule("%m/%d/%Y %H:%M"),
    DateRule("%Y-%m-%dT%H:%M:%S.%f"),
    DateRule("%Y-%m-%dT%H:%M:%S"),
)
STATUS_MAP = {
    "open": "new",
    "unassigned": "new",
    "assigned": "acknowledged",
    "started": "in_progress",
    "in progress": "in_progress",
    "pending": "on_hold",
    "closed": "closed",
}
CHANNEL_MAP = {"phone": "phone", "online": "web", "mobile": "mobile", "other": "import"}
REQUIRED = ("unique_key", "created_date", "agency", "complaint_type", "status")
DATE_COLUMNS = {
    "created": "created_date",
    "closed": "closed_date",
    "updated": "resolution_action_updated_date",
    "due": "due_date",
}


def read_file(path: Path, **options: object) -> Iterator[SourceRecord | RejectedRow]:
    """Read an NYC export; a ``.json`` suffix selects the JSON reader."""
    for block in read_blocks(path, **options):
        yield from block


def read_blocks(path: Path, **options: object) -> Iterator[RecordBlock]:
    """Read an NYC export as blocks of rows, which the bulk writer takes whole."""
    col.reject_options(SOURCE, options)
    if path.suffix.lower() == ".json":
        chunks = read_json_chunks(path, normalize=snake_case)
    else:
        chunks = read_chunks(path, normalize=snake_case)
    builder = RecordBuilder(SOURCE, BBOX)
    dates = {key: DateColumn(name, DATE_RULES) for key, name in DATE_COLUMNS.items()}
    for chunk in chunks:
        col.require(chunk, REQUIRED, SOURCE)
        yield builder.block(_batch(chunk, dates))


def _batch(chunk: Chunk, dates: dict[str, DateColumn]) -> Batch:
    statuses = col.texts(chunk, "status")
    agencies = col.texts(chunk, "agency")
    agency_names = col.texts(chunk, "agency_name") if chunk.has("agency_name") else None
    complaints = col.texts(chunk, "complaint_type")
    resolutions = col.texts(chunk, "resolution_description")
    return Batch(
        chunk=chunk,
        id_column="unique_key",
        status_column="status",
        external_id=col.texts(chunk, "unique_key"),
        service_code=col.mapped(chunk, "complaint_type", make_code),
        service_name=complaints,
        department_code=col.mapped(chunk, "agency", make_code),
        department_name=agency_names or agencies,
        status=col.looked_up(chunk, "status", STATUS_MAP, None),
        source_status=statuses,
        created=_dates(chunk, dates, "created"),
        closed=_dates(chunk, dates, "closed"),
        updated=_dates(chunk, dates, "updated"),
        due=_dates(chunk, dates, "due"),
        outcome=col.mapped(chunk, "resolution_description", outcome_from_text),
        channel=col.looked_up(chunk, "open_data_channel_type", CHANNEL_MAP, "import"),
        description=col.texts(chunk, "descriptor"),
        resolution_notes=resolutions,
        address=col.optional_texts(chunk, "incident_address"),
        latitude=col.numbers(chunk, "latitude"),
        longitude=col.numbers(chunk, "longitude"),
        district=col.optional_texts(chunk, "borough"),
    )


def _dates(chunk: Chunk, dates: dict[str, DateColumn], key: str):
    column = dates[key]
    if not chunk.has(column.name):
        return None
    return column.parse(chunk.text(column.name), ZONE)
