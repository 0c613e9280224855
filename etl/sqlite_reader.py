"""Read SQLite query results into Arrow, in this process or in worker processes.

In this process the sqlite3 driver reads, and it builds one Python object per
value. ``read_in_workers`` runs groups of queries in separate processes that
read through the ADBC SQLite driver, which fills Arrow arrays in C, and write
Arrow IPC files. The groups are read in parallel, and the workers of a full
load of one million cases use about 5 CPU seconds, against about 12 with the
sqlite3 driver (``bench/etl_bench.py``, 2 cores). Where the package's C
extension is built, ``etl.sqlite_columns`` reads in threads of this process
instead, for about half the CPU time of the workers.

Consistency rule: the parallel read returns the same single state as one read
transaction would. The coordinator takes the case store's write lock
(BEGIN IMMEDIATE), lets every worker begin its read transaction and read the
schema, which fixes the worker's snapshot, and releases the lock only after
every worker has reported that. No write can commit while the lock is held,
so all workers read the state of the same moment. Writers wait for the lock
for as long as the workers take to begin, typically a few milliseconds,
because the workers are started and connected before the lock is taken.

The ADBC driver bundles its own copy of the SQLite library. POSIX file locks
belong to a process, and when one copy closes its file handle the kernel drops
the other copy's locks on that file, after which another process may
checkpoint and delete the WAL under a live connection. So ADBC runs only in the
worker processes, which open no other connection to the store and never import
the sqlite3 module. Across processes the two copies lock the file as any two
SQLite processes do.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import select
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    # Only for annotations: a worker process must not load the sqlite3
    # module's SQLite library beside the ADBC driver's copy.
    import sqlite3

    import adbc_driver_manager

BATCH_ROWS = 50_000
# Rows per Arrow batch from the ADBC driver. It infers each column's type from
# the first batch, and larger batches read faster: reading 2.5M events took
# 1.5 s with 64Ki rows and 1.9 s with the driver's default of 1,024 (one run
# each, adbc-driver-sqlite 1.13).
ADBC_BATCH_ROWS = 65_536
TIMESTAMP = pa.timestamp("us")
# The first column of every query that a worker runs: 1 in the type row that
# precedes the result rows, 0 in every result row.
TYPE_ROW_COLUMN = "city311_type_row"

# How long the coordinator waits for a worker to start, and for it to begin
# its read transaction after the coordinator sends "begin".
START_TIMEOUT_S = 60
BEGIN_TIMEOUT_S = 30
BUSY_TIMEOUT_S = 30


class ReaderError(Exception):
    """A worker process failed or did not report its state in time."""


@dataclass(frozen=True)
class Query:
    """One SELECT with positional parameters and the Arrow types of its columns."""

    sql: str
    parameters: tuple
    columns: dict[str, pa.DataType]


def read_cursor(cursor: sqlite3.Cursor, query: Query) -> pa.Table:
    """Run ``query`` on a sqlite3 cursor and collect the rows into an Arrow table."""
    cursor.execute(query.sql, query.parameters)
    batches = []
    while rows := cursor.fetchmany(BATCH_ROWS):
        batches.append(rows_to_batch(rows, query.columns))
    schema = pa.schema(list(query.columns.items()))
    return pa.Table.from_batches(batches, schema=schema)


def is_text(arrow_type: pa.DataType) -> bool:
    """Return whether a column of this type is fetched as bytes of text."""
    return arrow_type == TIMESTAMP or pa.types.is_string(arrow_type)


def rows_to_batch(rows: list, columns: dict[str, pa.DataType]) -> pa.RecordBatch:
    """Convert sqlite3 row tuples to a record batch of the given column types.

    Text and instant columns must arrive as bytes (cast to BLOB in the query),
    instants as SQLite's naive UTC text. Booleans arrive as 0 and 1. Those
    columns are built as binary or integers and then cast.
    """
    arrays = []
    for values, arrow_type in zip(
        zip(*rows, strict=True), columns.values(), strict=True
    ):
        if is_text(arrow_type):
            text = pc.cast(pa.array(values, pa.binary()), pa.string())
            arrays.append(
                text if arrow_type == text.type else pc.cast(text, arrow_type)
            )
        elif pa.types.is_boolean(arrow_type):
            arrays.append(pc.cast(pa.array(values, pa.int64()), arrow_type))
        else:
            arrays.append(pa.array(values, arrow_type))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def read_adbc(connection: adbc_driver_manager.AdbcConnection, query: Query) -> pa.Table:
    """Run ``query`` on an ADBC SQLite connection and return its typed rows.

    The column contract is that of ``rows_to_batch``: text and instants as
    BLOB, booleans as 0 and 1. The driver infers each column's Arrow type from
    the values of the first batch, and fails when a later batch contains a
    value of another type. A column that is NULL throughout the first batch
    would become int64 and fail at the first text value. So a type row with
    one value of the right storage class per column precedes the result rows
    and is removed here.
    """
    # Imported here because only the workers read through ADBC, and the
    # import adds about 0.1 s to every command that imports this module.
    import adbc_driver_manager

    with adbc_driver_manager.AdbcStatement(connection) as statement:
        statement.set_options(**{"adbc.sqlite.query.batch_rows": str(ADBC_BATCH_ROWS)})
        statement.set_sql_query(typed_sql(query))
        if query.parameters:
            statement.bind(_parameter_batch(query.parameters))
        stream, _ = statement.execute_query()
        raw = pa.RecordBatchReader.from_stream(stream).read_all()
    marker = raw.column(0)
    if raw.num_rows == 0 or marker[0].as_py() != 1 or pc.sum(marker).as_py() != 1:
        raise ReaderError(
            f"the type row is not the first row of the result: {query.sql}"
        )
    rows = raw.slice(1)
    arrays = [
        cast_column(rows.column(index + 1), arrow_type)
        for index, arrow_type in enumerate(query.columns.values())
    ]
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(query.columns.items())))


def typed_sql(query: Query) -> str:
    """Wrap ``query.sql`` so that a type row precedes its rows.

    NOTE: SQLite (3.53, bundled with adbc-driver-sqlite 1.13) returns the arms
    of a UNION ALL in order, but does not document it, so ``read_adbc`` checks
    that the type row came first.
    """
    values = [f"1 AS {TYPE_ROW_COLUMN}"]
    for name, arrow_type in query.columns.items():
        if is_text(arrow_type):
            value = "X''"
        elif pa.types.is_floating(arrow_type):
            value = "0.0"
        else:
            value = "0"
        values.append(f'{value} AS "{name}"')
    return f"SELECT {', '.join(values)} UNION ALL SELECT 0, * FROM ({query.sql})"


def _parameter_batch(parameters: tuple) -> pa.RecordBatch:
    arrays = [pa.array([value]) for value in parameters]
    return pa.RecordBatch.from_arrays(
        arrays, names=[str(index) for index in range(len(arrays))]
    )


def cast_column(values: pa.Array | pa.ChunkedArray, arrow_type: pa.DataType):
    """Cast one column from the reader's type to ``arrow_type``.

    The casts are safe ones, so a value out of range raises as it does on the
    sqlite3 path, and casting bytes to string validates the UTF-8.
    """
    if is_text(arrow_type):
        text = pc.cast(values, pa.string())
        return text if arrow_type == text.type else pc.cast(text, arrow_type)
    return pc.cast(values, arrow_type)


def read_in_workers(
    database: str,
    lock_connection: sqlite3.Connection,
    groups: Sequence[Sequence[Query]],
    folder: Path,
) -> list[list[pa.Table]]:
    """Run each group of queries in its own process, all from one snapshot.

    ``lock_connection`` is a connection of this process to ``database`` with
    no open transaction; it takes the write lock while the workers begin.
    The workers write one IPC file per query into ``folder``, which the
    returned tables map into memory. Raises ReaderError when a worker fails.
    """
    folder.mkdir(parents=True, exist_ok=True)
    workers = []
    try:
        for index, group in enumerate(groups):
            workers.append(_Worker.start(database, group, folder, index))
        for worker in workers:
            worker.expect("ready", START_TIMEOUT_S)
        lock_connection.execute("BEGIN IMMEDIATE")
        try:
            for worker in workers:
                worker.send("begin")
            for worker in workers:
                worker.expect("begun", BEGIN_TIMEOUT_S)
        finally:
            lock_connection.execute("ROLLBACK")
        for worker in workers:
            worker.expect("done", None)
            worker.wait()
    finally:
        for worker in workers:
            worker.stop()
    return [[_map_file(file) for file in worker.files] for worker in workers]


class _Worker:
    """One reader process, run as ``python sqlite_reader.py SPEC`` on this file.

    Running the file, not the package module, keeps the child's imports to
    pyarrow and the ADBC driver, and it reads the same file the parent
    imported.
    Messages are lines on the child's stdin and stdout. The child writes a
    line only after the parent's previous message, or just before it exits,
    so a line held in the pipe's read buffer is never waited for with select.
    """

    def __init__(self, process: subprocess.Popen, files: list[Path], index: int):
        self.process = process
        self.files = files
        self.index = index

    @classmethod
    def start(cls, database: str, group: Sequence[Query], folder: Path, index: int):
        files = [
            folder / f"read-{index}-{number}.arrow" for number in range(len(group))
        ]
        spec = folder / f"read-{index}.spec"
        queries = [(q.sql, q.parameters, list(q.columns.items())) for q in group]
        spec.write_bytes(pickle.dumps((database, queries, [str(f) for f in files])))
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                str(spec),
                str(os.getpid()),
            ],
            # numpy, which pyarrow imports, starts OpenBLAS threads, which a
            # profile showed spinning. The worker needs no BLAS.
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return cls(process, files, index)

    def send(self, message: str) -> None:
        self.process.stdin.write(message + "\n")
        self.process.stdin.flush()

    def expect(self, message: str, timeout: float | None) -> None:
        """Wait for the worker's next message; raise unless it is ``message``."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline().strip() if ready else None
        if line == message:
            return
        if line is None:
            raise ReaderError(
                f"SQLite reader process {self.index} did not report {message!r} "
                f"within {timeout} s"
            )
        error = self.stop()
        raise ReaderError(
            f"SQLite reader process {self.index} failed with exit code "
            f"{self.process.returncode} before {message!r}:\n{error}"
        )

    def wait(self) -> None:
        if self.process.wait() != 0:
            error = self.stop()
            raise ReaderError(
                f"SQLite reader process {self.index} failed with exit code "
                f"{self.process.returncode}:\n{error}"
            )

    def stop(self) -> str:
        """End the process unless it has exited, close its pipes, return stderr."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.process.stderr.closed:
            return ""
        error = self.process.stderr.read().strip()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()
        return error


def _map_file(file: Path) -> pa.Table:
    with pa.memory_map(str(file)) as source:
        return pa.ipc.open_file(source).read_all()


def file_uri(database: str) -> str:
    """Return the SQLite URI of a database file path, for the ADBC driver.

    The driver opens its argument as a URI, so a relative path such as
    ``file:x/store.sqlite`` or one with ``?`` or ``#`` would name another
    file. An absolute ``file:`` URI with percent-encoding names exactly this one.
    """
    return Path(database).resolve().as_uri()


def main_file(connection) -> str:
    """Return the file a DBAPI SQLite connection has open as its main database.

    Worker processes open this path, so they read the file this process has
    open however SQLite read the name it was given. Empty for an in-memory
    database.
    """
    for _, name, file in connection.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or ""
    return ""


def exit_with_parent(parent_pid: int) -> None:
    """End this worker when the coordinator dies, even by SIGKILL.

    Without it a killed ETL run would leave workers holding read transactions
    and writing Arrow files for minutes. Linux delivers SIGKILL to the worker
    when its parent exits (PR_SET_PDEATHSIG); the parent id check covers a
    parent that died before the request. Elsewhere the worker exits when it
    next reports and finds its stdout pipe closed.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        sys.exit(1)


def _work(spec_file: str, parent_pid: int) -> None:
    """Read one group of queries in one read transaction (worker process)."""
    import adbc_driver_manager
    import adbc_driver_sqlite

    exit_with_parent(parent_pid)
    if "_sqlite3" in sys.modules:
        raise ReaderError(
            "the sqlite3 module is loaded in the ADBC reader process; "
            "its SQLite library must not share the process with the driver's copy"
        )
    with open(spec_file, "rb") as handle:
        database, queries, files = pickle.load(handle)
    store = adbc_driver_sqlite.connect(file_uri(database))
    connection = adbc_driver_manager.AdbcConnection(store)
    _execute(connection, f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    _execute(connection, "PRAGMA query_only=ON")
    _report("ready")
    if sys.stdin.readline().strip() != "begin":
        return
    _execute(connection, "BEGIN")
    # The first read of the database fixes the transaction's snapshot.
    _execute(connection, "SELECT count(*) FROM sqlite_schema")
    _report("begun")
    for (sql, parameters, columns), file in zip(queries, files, strict=True):
        table = read_adbc(connection, Query(sql, tuple(parameters), dict(columns)))
        with (
            pa.OSFile(file, "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)
        del table
    _execute(connection, "COMMIT")
    connection.close()
    store.close()
    _report("done")


def _execute(connection: adbc_driver_manager.AdbcConnection, sql: str) -> None:
    """Run one statement on an ADBC connection and read its result to the end."""
    import adbc_driver_manager

    with adbc_driver_manager.AdbcStatement(connection) as statement:
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        pa.RecordBatchReader.from_stream(stream).read_all()


def _report(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _work(sys.argv[1], int(sys.argv[2]))
