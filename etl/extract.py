"""Read changed cases and their events from the case store into Arrow tables.

Statements are built with SQLAlchemy Core and executed through the engine (so
parameters are bound with the column types), and rows are fetched in batches
straight from the DBAPI cursor, without building ORM objects or SQLAlchemy
rows. Instants arrive as text on SQLite and as datetimes on PostgreSQL; both
become naive UTC Arrow timestamps. The requester table is never read, and no
note text or case description is selected; the event ``data`` JSON is read as
text and only its state fields are extracted later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Text, cast, select

from cases.models import Case, CaseEvent, Department, ServiceType

BATCH_ROWS = 50_000

# Concurrent writers take updated_at from the clock before they commit, so a
# row can become visible with an updated_at below a watermark already read.
# Every run re-reads this window behind the watermark; writes whose commit
# comes more than this long after their clock reading are caught only by a
# full rebuild.
OVERLAP = timedelta(minutes=5)

TIMESTAMP = pa.timestamp("us")

CASE_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "case_number": pa.string(),
    "source": pa.string(),
    "external_id": pa.string(),
    "service_type_id": pa.int32(),
    "department_id": pa.int32(),
    "kind": pa.string(),
    "channel": pa.string(),
    "district": pa.string(),
    "latitude": pa.float64(),
    "longitude": pa.float64(),
    "priority": pa.string(),
    "status": pa.string(),
    "outcome": pa.string(),
    "parent_id": pa.int64(),
    "created_at": TIMESTAMP,
    "first_response_at": TIMESTAMP,
    "due_at": TIMESTAMP,
    "closed_at": TIMESTAMP,
    "updated_at": TIMESTAMP,
    "reopen_count": pa.int32(),
    "flags": pa.string(),
}
EVENT_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int64(),
    "case_id": pa.int64(),
    "kind": pa.string(),
    "at": TIMESTAMP,
    "actor": pa.string(),
    "public": pa.bool_(),
    "data": pa.string(),
}
DEPARTMENT_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int32(),
    "code": pa.string(),
    "name": pa.string(),
    "source": pa.string(),
}
SERVICE_TYPE_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.int32(),
    "code": pa.string(),
    "name": pa.string(),
    "department_id": pa.int32(),
    "kind": pa.string(),
    "sla_value": pa.float64(),
    "sla_unit": pa.string(),
    "needs_location": pa.bool_(),
    "source": pa.string(),
}


@dataclass
class Changes:
    """What one run read from the case store."""

    cases: pa.Table
    events: pa.Table
    departments: pa.Table
    service_types: pa.Table


def read_changes(connection: Connection, since: datetime | None) -> Changes:
    """Read cases with ``updated_at >= since`` (all when None) and all their events.

    Run it inside one transaction so the four reads see one consistent state.
    """
    case = Case.__table__
    event = CaseEvent.__table__
    case_query = select(*(case.c[name] for name in CASE_COLUMNS))
    event_query = select(
        *(event.c[name] for name in EVENT_COLUMNS if name != "data"),
        cast(event.c.data, Text).label("data"),
    )
    if since is not None:
        case_query = case_query.where(case.c.updated_at >= since)
        event_query = event_query.join(case, case.c.id == event.c.case_id).where(
            case.c.updated_at >= since
        )
    department = Department.__table__
    service_type = ServiceType.__table__
    return Changes(
        cases=fetch_arrow(connection, case_query, CASE_COLUMNS),
        events=fetch_arrow(connection, event_query, EVENT_COLUMNS),
        departments=fetch_arrow(
            connection,
            select(*(department.c[n] for n in DEPARTMENT_COLUMNS)),
            DEPARTMENT_COLUMNS,
        ),
        service_types=fetch_arrow(
            connection,
            select(*(service_type.c[n] for n in SERVICE_TYPE_COLUMNS)),
            SERVICE_TYPE_COLUMNS,
        ),
    )


def fetch_arrow(connection: Connection, query, columns: dict[str, pa.DataType]):
    """Run ``query`` and collect its rows, batch by batch, into an Arrow table."""
    batches = [_to_batch(rows, columns) for rows in _row_batches(connection, query)]
    schema = pa.schema(list(columns.items()))
    return pa.Table.from_batches(batches, schema=schema)


def _row_batches(connection: Connection, query) -> Iterator[list]:
    """Yield lists of row tuples.

    SQLite: the DBAPI cursor's ``fetchmany`` directly, because sqlite3 steps
    through the result lazily anyway. Elsewhere a server-side cursor through
    SQLAlchemy's ``partitions``, so the whole result is never in memory at
    once; the raw cursor cannot be used there because SQLAlchemy buffers
    rows from it.
    """
    if connection.dialect.name == "sqlite":
        result = connection.execute(query)
        try:
            while rows := result.cursor.fetchmany(BATCH_ROWS):
                yield rows
        finally:
            result.close()
        return
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
    with result:
        yield from result.partitions()


def _to_batch(rows: list, columns: dict[str, pa.DataType]) -> pa.RecordBatch:
    arrays = []
    for values, arrow_type in zip(
        zip(*rows, strict=True), columns.values(), strict=True
    ):
        arrays.append(_to_array(list(values), arrow_type))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _to_array(values: list, arrow_type: pa.DataType) -> pa.Array:
    if arrow_type == TIMESTAMP:
        raw = pa.array(values)
        if pa.types.is_string(raw.type):
            return pc.cast(raw, TIMESTAMP)  # SQLite: naive UTC text
        if pa.types.is_timestamp(raw.type) and raw.type.tz is not None:
            return pc.cast(raw, pa.timestamp("us", tz="UTC")).cast(TIMESTAMP)
        return raw.cast(TIMESTAMP)
    if arrow_type == pa.bool_():
        return pa.array(values).cast(pa.bool_())  # SQLite stores 0 and 1
    return pa.array(values, type=arrow_type)
