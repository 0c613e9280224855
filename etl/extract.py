"""Read changed cases and their events from the case store into Arrow tables.

Statements are built with SQLAlchemy Core. On SQLite they run on the sqlite3
driver's cursor, or for a large full load in two parallel readers (C extension
threads, see ``etl.sqlite_columns``, or ADBC worker processes, see
``etl.sqlite_reader``), and elsewhere on a server-side cursor of the engine.
No ORM objects are built. Instants
arrive as text on SQLite and as datetimes on PostgreSQL; both become naive UTC
Arrow timestamps.

The requester table is never read, and no note text or case description is
selected. The event ``data`` JSON is read as text because the replay needs its
state fields; the description inside a creation event's JSON is never stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection, Engine, LargeBinary, Select, Text, cast, select

from cases.models import Case, CaseEvent, Department, ServiceType
from etl import sqlite_columns, sqlite_reader

BATCH_ROWS = sqlite_reader.BATCH_ROWS
# A full read of a SQLite store with at least this many cases runs in two
# parallel readers. NOTE: the value is an estimate, not a measured break-even:
# each worker process needs about 0.3 s to start Python and import pyarrow and
# the driver, while the threads start at once.
PARALLEL_MIN_CASES = 100_000

# Concurrent writers take updated_at from the clock before they commit, so a
# row can become visible with an updated_at below a watermark already read.
# Every run re-reads this window behind the watermark. A write whose commit
# comes more than this long after its clock reading is caught only by a full
# rebuild.
OVERLAP = timedelta(minutes=5)

TIMESTAMP = sqlite_reader.TIMESTAMP

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
    """The rows one run read from the case store, as Arrow tables."""

    cases: pa.Table
    events: pa.Table
    departments: pa.Table
    service_types: pa.Table


def read_changes(
    engine: Engine, since: datetime | None, folder: Path | None = None
) -> Changes:
    """Read cases with ``updated_at >= since`` (all when None) and all their events.

    The four reads see one state of the store. A full read of a SQLite store
    with at least PARALLEL_MIN_CASES cases runs in two parallel readers (see
    ``_read_sqlite_parallel``), whose worker processes, where used, write Arrow
    files into ``folder``. Without a folder, and otherwise, one read-only
    transaction of this process reads all, through the C column reader where
    it is available.
    """
    if engine.dialect.name == "sqlite":
        if (
            since is None
            and folder is not None
            and _case_count(engine) >= (PARALLEL_MIN_CASES)
        ):
            return _read_sqlite_parallel(engine, folder)
        if sqlite_columns.available():
            return _read_sqlite_columns(engine, since)
        return _read_sqlite(engine, _queries(since, text_as_bytes=True))
    with read_transaction(engine) as connection:
        return Changes(
            *(
                fetch_arrow(connection, query, columns)
                for query, columns in _queries(since)
            )
        )


def _queries(
    since: datetime | None, text_as_bytes: bool = False
) -> list[tuple[Select, dict[str, pa.DataType]]]:
    """Build the four SELECTs with the Arrow types of their columns.

    With ``text_as_bytes`` text and instant columns are cast to BLOB, which
    the sqlite3 driver returns as bytes. Building bytes skips the driver's
    UTF-8 decoding into str, and Arrow validates the UTF-8 when it casts the
    column to string.
    """
    case = Case.__table__
    event = CaseEvent.__table__
    department = Department.__table__
    service_type = ServiceType.__table__

    def columns(table, types: dict[str, pa.DataType]) -> list:
        selected = []
        for name, arrow_type in types.items():
            column = table.c[name]
            if name == "data":
                column = cast(column, LargeBinary if text_as_bytes else Text)
            elif text_as_bytes and sqlite_reader.is_text(arrow_type):
                column = cast(column, LargeBinary)
            selected.append(column.label(name))
        return selected

    case_query = select(*columns(case, CASE_COLUMNS))
    event_query = select(*columns(event, EVENT_COLUMNS))
    if since is not None:
        case_query = case_query.where(case.c.updated_at >= since)
        event_query = event_query.join(case, case.c.id == event.c.case_id).where(
            case.c.updated_at >= since
        )
    return [
        (case_query, CASE_COLUMNS),
        (event_query, EVENT_COLUMNS),
        (select(*columns(department, DEPARTMENT_COLUMNS)), DEPARTMENT_COLUMNS),
        (select(*columns(service_type, SERVICE_TYPE_COLUMNS)), SERVICE_TYPE_COLUMNS),
    ]


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """Open one read-only transaction that sees a single consistent state.

    SQLite: a deferred BEGIN, so the read takes no write lock (WAL readers see
    the state as of their first read). PostgreSQL: REPEATABLE READ, read only.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection = connection.execution_options(sqlite_deferred=True)
        elif engine.dialect.name == "postgresql":
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        with connection.begin():
            yield connection


def _read_sqlite(engine: Engine, queries) -> Changes:
    """Run the queries in one read-only SQLite transaction through the sqlite3 driver.

    Rows come from the driver's own cursor as plain tuples, which skips
    SQLAlchemy's per-row result processing. The store must be read through the
    same SQLite library as every other connection of the process, because POSIX
    file locks belong to the process. When a second SQLite copy (such as the one
    bundled in the ADBC driver) closes its file handle, this library's locks are
    dropped. Another process may then checkpoint and delete the WAL under live
    connections, and committed writes are lost.
    """
    tables = []
    with read_transaction(engine) as connection:
        cursor = connection.connection.driver_connection.cursor()
        try:
            for query in _sqlite_queries(queries, engine.dialect):
                tables.append(sqlite_reader.read_cursor(cursor, query))
        finally:
            cursor.close()
    return Changes(*tables)


def _read_sqlite_columns(engine: Engine, since: datetime | None) -> Changes:
    """Run the queries in one read transaction through ``etl.sqlite_columns``.

    The C reader builds no Python object per value, which the sqlite3 driver
    does, and it shares that driver's SQLite library (see its module).
    """
    queries = _sqlite_queries(_queries(since), engine.dialect)
    with engine.connect() as connection:
        database = sqlite_reader.main_file(connection.connection.driver_connection)
    return Changes(*sqlite_columns.read_in_one_transaction(database, queries))


def _read_sqlite_parallel(
    engine: Engine, folder: Path, in_threads: bool | None = None
) -> Changes:
    """Read all cases and the small tables in one reader and events in another.

    Both readers see one snapshot (``etl.sqlite_reader`` states the rule). They
    are threads of this process where ``etl.sqlite_columns`` is available
    (``in_threads`` None), else worker processes, which write their Arrow files
    into ``folder``. The workers' ADBC driver needs text cast to BLOB, while the
    threads read text as it is stored.
    """
    if in_threads is None:
        in_threads = sqlite_columns.available()
    queries = _queries(None, text_as_bytes=not in_threads)
    case_query, event_query, department_query, type_query = _sqlite_queries(
        queries, engine.dialect
    )
    groups = [[case_query, department_query, type_query], [event_query]]
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        database = sqlite_reader.main_file(driver)
        if in_threads:
            tables = sqlite_columns.read_in_threads(database, driver, groups)
        else:
            tables = sqlite_reader.read_in_workers(database, driver, groups, folder)
    (cases, departments, service_types), (events,) = tables
    return Changes(cases, events, departments, service_types)


def _case_count(engine: Engine) -> int:
    """Return the highest case id, a cheap upper bound of the number of cases."""
    with engine.connect() as connection:
        return connection.exec_driver_sql('SELECT max(id) FROM "case"').scalar() or 0


def _sqlite_queries(queries, dialect) -> list[sqlite_reader.Query]:
    return [
        sqlite_reader.Query(*_compile(query, dialect), columns)
        for query, columns in queries
    ]


def _compile(query: Select, dialect) -> tuple[str, tuple]:
    """Render a Core statement for the DBAPI with its parameters bound by type."""
    compiled = query.compile(dialect=dialect)
    values = compiled.construct_params()
    parameters = []
    for name in compiled.positiontup or ():
        processor = (
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        )
        value = values[name]
        parameters.append(processor(value) if processor else value)
    return str(compiled), tuple(parameters)


def fetch_arrow(connection: Connection, query, columns: dict[str, pa.DataType]):
    """Run ``query`` and collect its rows, batch by batch, into an Arrow table."""
    batches = []
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
    with result:
        for rows in result.partitions():
            batches.append(_to_batch(rows, columns))
    schema = pa.schema(list(columns.items()))
    return pa.Table.from_batches(batches, schema=schema)


def _to_batch(rows: list, columns: dict[str, pa.DataType]) -> pa.RecordBatch:
    arrays = []
    for values, arrow_type in zip(
        zip(*rows, strict=True), columns.values(), strict=True
    ):
        arrays.append(_to_array(pa.array(list(values)), arrow_type))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _to_array(raw, arrow_type: pa.DataType):
    """Convert a fetched PostgreSQL column to its warehouse type."""
    if (
        arrow_type == TIMESTAMP
        and pa.types.is_timestamp(raw.type)
        and raw.type.tz is not None
    ):
        return pc.cast(raw, pa.timestamp("us", tz="UTC")).cast(TIMESTAMP)
    return pc.cast(raw, arrow_type)
