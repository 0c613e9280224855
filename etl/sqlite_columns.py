"""Read a SQLite store into Arrow in threads of this process, through C.

The C extension ``etl._sqlite_columns`` steps each query and fills Arrow
buffers itself, with the GIL released, so groups of queries read in parallel
threads. A full load of one million cases reads in about 2 CPU seconds,
against about 4.7 for the ADBC reader processes of ``etl.sqlite_reader``, which
also pay for starting Python and writing Arrow files (``bench/etl_bench.py``,
2 cores).

The extension is only used when it calls the very SQLite library that the
sqlite3 module uses (one copy, loaded once). POSIX file locks belong to a
process, and two copies of SQLite in one process would drop each other's
locks (see ``etl.sqlite_reader``). One copy tracks its connections' locks
together, as it does for any two sqlite3 connections. ``available()`` checks
this. Where the check fails, because the extension was not built or Python's
sqlite3 module carries its own SQLite, the caller reads through the sqlite3
module or the worker processes instead.

Consistency rule, as in ``etl.sqlite_reader``: the coordinator's connection
holds the write lock while every reader connection begins its read
transaction, so all of them read the state of one moment.
"""

from __future__ import annotations

import ctypes
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import cache

import pyarrow as pa

from etl.sqlite_reader import (
    BUSY_TIMEOUT_S,
    TIMESTAMP,
    Query,
    ReaderError,
    cast_column,
    file_uri,
    is_text,
)

# Rows per fetch. Reading 1M cases took 1.1 to 1.2 s with 4Ki to 16Ki rows and
# 1.2 to 1.5 s with 64Ki in a few runs each, which varied by up to 20%. A whole
# full load showed no difference.
BATCH_ROWS = 8192

log = logging.getLogger(__name__)


@cache
def available() -> bool:
    """Check once whether the extension is built and shares sqlite3's SQLite.

    Logs the reason at INFO when it is not usable, because the ETL then reads
    more slowly and no other output shows it.
    """
    try:
        from etl import _sqlite_columns
    except ImportError as error:
        log.info(
            "C column reader etl._sqlite_columns is not built (%s), so the ETL "
            "reads the SQLite store through the slower sqlite3 module or worker "
            "processes. Install gcc and libsqlite3-dev, then reinstall city311.",
            error,
        )
        return False
    import _sqlite3

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        sqlite3_address = ctypes.cast(library.sqlite3_libversion, ctypes.c_void_p)
    except (OSError, AttributeError) as error:
        log.info(
            "C column reader not used because the SQLite library of the sqlite3 "
            "module was not found (%s). The ETL reads through the slower sqlite3 "
            "module or worker processes.",
            error,
        )
        return False
    if sqlite3_address.value != _sqlite_columns.library_address():
        log.info(
            "C column reader not used because the sqlite3 module carries its own "
            "SQLite library, and two SQLite copies in one process drop each "
            "other's file locks. The ETL reads through the slower sqlite3 module "
            "or worker processes."
        )
        return False
    return True


def read_in_threads(
    database: str,
    lock_connection: sqlite3.Connection,
    groups: Sequence[Sequence[Query]],
) -> list[list[pa.Table]]:
    """Run each group of queries on its own connection and thread, from one snapshot.

    ``lock_connection`` is a connection of this process to ``database`` with
    no open transaction. It takes the write lock while the readers begin.
    The queries follow ``etl.sqlite_reader.rows_to_batch``'s column contract,
    except that text needs no cast to BLOB. Raises ReaderError when a query
    fails or a value does not fit its column's type.
    """
    from etl import _sqlite_columns as module

    connections = []
    try:
        with _reader_errors():
            for _ in groups:
                connection = module.open(file_uri(database))
                connections.append(connection)
                _prepare_reader(module, connection)
            lock_connection.execute("BEGIN IMMEDIATE")
            try:
                for connection in connections:
                    module.execute(connection, "BEGIN")
                    # The first read of the database fixes the transaction's snapshot.
                    module.execute(connection, "SELECT count(*) FROM sqlite_schema")
            finally:
                lock_connection.execute("ROLLBACK")
            with ThreadPoolExecutor(len(groups), "sqlite-reader") as pool:
                futures = [
                    pool.submit(_read_group, connection, group)
                    for connection, group in zip(connections, groups, strict=True)
                ]
                return [future.result() for future in futures]
    finally:
        for connection in connections:
            module.close(connection)


def read_in_one_transaction(database: str, queries: Sequence[Query]) -> list[pa.Table]:
    """Run ``queries`` in one read transaction of a new connection, in this thread."""
    from etl import _sqlite_columns as module

    with _reader_errors():
        connection = module.open(file_uri(database))
    try:
        with _reader_errors():
            _prepare_reader(module, connection)
            module.execute(connection, "BEGIN")
            return _read_group(connection, queries)
    finally:
        module.close(connection)


def _prepare_reader(module, connection) -> None:
    """Set a reader connection's busy timeout and make it read-only."""
    module.execute(connection, f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    module.execute(connection, "PRAGMA query_only=ON")


@contextmanager
def _reader_errors() -> Iterator[None]:
    """Re-raise the extension's and Arrow's errors as ReaderError."""
    try:
        yield
    except (RuntimeError, ValueError) as error:  # ArrowInvalid is a ValueError
        raise ReaderError(f"reading the SQLite store failed: {error}") from error
    except MemoryError as error:
        raise ReaderError(
            "reading the SQLite store failed: out of memory while reading its rows"
        ) from error


def _read_group(connection, group: Sequence[Query]) -> list[pa.Table]:
    return [read_columns(connection, query) for query in group]


def read_columns(connection, query: Query) -> pa.Table:
    """Run ``query`` on an extension connection and return its typed rows."""
    from etl import _sqlite_columns as module

    types = list(query.columns.values())
    kinds = "".join(_column_kind(arrow_type) for arrow_type in types)
    module.query(connection, query.sql, kinds, tuple(query.parameters))
    # Error messages name the row by the query's first column, the ETL's id.
    key_name = next(iter(query.columns))
    batches = []
    while (batch := module.fetch(connection, BATCH_ROWS)) is not None:
        rows, buffers = batch
        raw = [
            _buffers_to_array(rows, kind, parts)
            for kind, parts in zip(kinds, buffers, strict=True)
        ]
        arrays = [
            _typed(name, values, arrow_type, key_name, raw[0])
            for name, values, arrow_type in zip(query.columns, raw, types, strict=True)
        ]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=list(query.columns)))
    return pa.Table.from_batches(batches, schema=pa.schema(list(query.columns.items())))


# The Arrow type of the values the extension returns for each kind of column.
KIND_TYPES = {"i": pa.int64(), "f": pa.float64(), "t": TIMESTAMP, "b": pa.binary()}


def _column_kind(arrow_type: pa.DataType) -> str:
    """Return the extension's kind of a column: instant, bytes, float or integer."""
    if arrow_type == TIMESTAMP:
        return "t"
    if is_text(arrow_type) or pa.types.is_binary(arrow_type):
        return "b"
    return "f" if pa.types.is_floating(arrow_type) else "i"


def _buffers_to_array(rows: int, kind: str, parts: tuple) -> pa.Array:
    """Wrap the extension's buffers of one column in an Arrow array, uncopied."""
    validity, offsets, values, nulls = parts
    data = [offsets, values] if kind == "b" else [values]
    buffers = [_wrap(validity) if nulls else None, *(_wrap(part) for part in data)]
    return pa.Array.from_buffers(KIND_TYPES[kind], rows, buffers, nulls)


def _wrap(part: tuple) -> pa.Buffer:
    """Wrap (address, length, owner) memory, which the owner frees when released."""
    address, length, owner = part
    return pa.foreign_buffer(address, length, base=owner)


def _typed(
    name: str,
    values: pa.Array,
    arrow_type: pa.DataType,
    key_name: str,
    keys: pa.Array,
) -> pa.Array:
    """Cast to the column's type unless the values have it (instants do).

    Raises ValueError naming the column, the first value that does not convert
    (such as invalid UTF-8 in a text column) and the query's first column on
    that row, which is the row's id in the ETL's queries.
    """
    if values.type == arrow_type:
        return values
    try:
        return cast_column(values, arrow_type)
    except pa.ArrowInvalid as error:
        for index in range(len(values)):
            try:
                cast_column(values.slice(index, 1), arrow_type)
            except pa.ArrowInvalid:
                raise ValueError(
                    f"result column {name} ({key_name} {keys[index].as_py()}) "
                    f"contains {values[index].as_py()!r}, which is not a valid "
                    f"{arrow_type} value: {error}"
                ) from error
        raise
