"""Read SQLite query results into Arrow, in this process or in worker processes.

A full load reads millions of rows, and the sqlite3 driver builds one Python
object per value, so reading is bound by one core. ``read_in_workers`` runs
groups of queries in separate processes that write Arrow IPC files, so the
groups are read in parallel.

Consistency rule: the parallel read returns the same single state as one read
transaction would. The coordinator takes the case store's write lock
(BEGIN IMMEDIATE), lets every worker begin its read transaction and read the
schema, which fixes the worker's snapshot, and releases the lock only after
every worker has reported that. No write can commit while the lock is held,
so all workers read the state of the same moment. Writers wait for the lock
for as long as the workers take to begin, typically a few milliseconds,
because the workers are started and connected before the lock is taken.

Each worker uses the sqlite3 module, which is the same SQLite library as the
coordinator's, and has no other connection to the store.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import select
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

BATCH_ROWS = 50_000
TIMESTAMP = pa.timestamp("us")

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
    sqlite3 and pyarrow, and it reads the same file the parent imported.
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


def _exit_with_parent(parent_pid: int) -> None:
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
    _exit_with_parent(parent_pid)
    # Every fetched row is a new tuple that lives until its batch is converted,
    # so the cyclic garbage collector would run often and find nothing.
    gc.disable()
    with open(spec_file, "rb") as handle:
        database, queries, files = pickle.load(handle)
    connection = sqlite3.connect(database, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute("PRAGMA query_only=ON")
    _report("ready")
    if sys.stdin.readline().strip() != "begin":
        return
    connection.execute("BEGIN")
    # The first read of the database fixes the transaction's snapshot.
    connection.execute("SELECT count(*) FROM sqlite_schema").fetchall()
    _report("begun")
    cursor = connection.cursor()
    for (sql, parameters, columns), file in zip(queries, files, strict=True):
        table = read_cursor(cursor, Query(sql, tuple(parameters), dict(columns)))
        with (
            pa.OSFile(file, "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as writer,
        ):
            writer.write_table(table)
        del table
    connection.execute("COMMIT")
    connection.close()
    _report("done")


def _report(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _work(sys.argv[1], int(sys.argv[2]))
