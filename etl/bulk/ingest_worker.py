"""The ingest process: inserts batches of new cases into a SQLite case store.

Run as ``python ingest_worker.py DATABASE PARENT_PID REPO_ROOT`` by
``etl.bulk.ingest``. It reads frames from stdin, each the Arrow tables of one
batch (``etl.bulk.fresh_arrow``), and writes one JSON line per batch to stdout.
Each batch is one transaction: BEGIN IMMEDIATE, then the case ids continue
from the largest stored id, the case numbers are reserved from the counters,
the three tables are inserted through the ADBC driver, and the transaction
commits. A batch that fails is rolled back and reported; the next one is
still read.

The ADBC driver binds the Arrow values in C, so this costs about a third less
CPU per case than ``executemany`` through the sqlite3 module. It must not run in
a process that has the sqlite3 module loaded: see ``etl.sqlite_reader`` for
why two SQLite libraries in one process break each other's locks.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import struct
import sys
from collections import Counter
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HEADER = struct.Struct("<Q")
# Frames per batch: the cases, aliases and events tables, in this order.
TABLES = ("case", "case_alias", "case_event")
BUSY_TIMEOUT_MS = 30_000
CHECKPOINT_PAGES = 16_384


class MissingReference(Exception):
    """A batch names a department or service type that is not stored."""


def write_frame(stream: BinaryIO, tables: list[pa.Table]) -> None:
    """Write one batch's tables as length-prefixed Arrow IPC streams."""
    for table in tables:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        data = sink.getvalue()
        stream.write(HEADER.pack(data.size))
        stream.write(data)
    stream.flush()


def write_end(stream: BinaryIO) -> None:
    """Tell the ingest process that no batch follows."""
    stream.write(HEADER.pack(0))
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError(f"the input ended after {len(data)} of {size} bytes")
    return data


def _read_frame(stream: BinaryIO) -> list[pa.Table] | None:
    tables = []
    for _ in TABLES:
        (size,) = HEADER.unpack(_read_exactly(stream, HEADER.size))
        if size == 0:
            return None
        data = pa.py_buffer(_read_exactly(stream, size))
        tables.append(pa.ipc.open_stream(data).read_all())
    return tables


def _scalar(cursor, sql: str, parameters: tuple = ()):
    cursor.execute(sql, parameters)
    row = cursor.fetchone()
    cursor.fetchall()
    return row[0] if row else None


def _execute(cursor, sql: str) -> None:
    cursor.execute(sql)
    cursor.fetchall()


def _sequences(cursor, years: np.ndarray) -> np.ndarray:
    """Reserve one block of sequence numbers per year, in year order."""
    sequences = np.zeros(len(years), dtype=np.int64)
    for year, count in sorted(Counter(years.tolist()).items()):
        cursor.execute(
            "INSERT INTO case_number_counter (year, last_value) VALUES (?, 0) "
            "ON CONFLICT (year) DO NOTHING",
            (year,),
        )
        cursor.fetchall()
        last = _scalar(
            cursor,
            "UPDATE case_number_counter SET last_value = last_value + ? "
            "WHERE year = ? RETURNING last_value",
            (count, year),
        )
        sequences[years == year] = np.arange(last - count + 1, last + 1)
    return sequences


def _check_references(cursor, cases: pa.Table) -> None:
    """Raise MissingReference unless every department and service type of
    ``cases`` is stored; events and aliases name the batch's own cases."""
    for column, table in (
        ("department_id", "department"),
        ("service_type_id", "service_type"),
    ):
        ids = pc.unique(cases.column(column)).to_pylist()
        marks = ", ".join("?" for _ in ids)
        found = _scalar(
            cursor, f"SELECT count(*) FROM {table} WHERE id IN ({marks})", tuple(ids)
        )
        if found != len(ids):
            raise MissingReference(
                f"the batch names {table} ids {sorted(ids)}, of which only "
                f"{found} are stored"
            )


def _shifted(table: pa.Table, column: str, first: int) -> pa.Table:
    """Turn the batch positions in ``column`` into ids that start at ``first``."""
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pc.add(table.column(index), first))


def _insert(cursor, tables: list[pa.Table], format_numbers) -> int:
    """Insert one batch in the open transaction; return its first case id."""
    cases, aliases, events = tables
    _check_references(cursor, cases)
    first = (_scalar(cursor, 'SELECT max(id) FROM "case"') or 0) + 1
    years = cases.column("year").to_numpy()
    numbers = format_numbers(years, _sequences(cursor, years))
    cases = _shifted(cases.drop_columns(["year"]), "id", first)
    cases = cases.append_column("case_number", pa.array(numbers, pa.string()))
    aliases = _shifted(aliases, "case_id", first)
    events = _shifted(events, "case_id", first)
    for name, table in zip(TABLES, (cases, aliases, events), strict=True):
        cursor.adbc_ingest(name, table, mode="append")
    return first


def _serve(database: str) -> None:
    import adbc_driver_manager
    import adbc_driver_sqlite.dbapi

    from cases.numbers import format_case_numbers
    from etl.sqlite_reader import file_uri

    if "_sqlite3" in sys.modules:
        raise RuntimeError(
            "the sqlite3 module is loaded in the ingest process; its SQLite "
            "library must not share the process with the ADBC driver's copy"
        )
    connection = adbc_driver_sqlite.dbapi.connect(file_uri(database), autocommit=True)
    cursor = connection.cursor()
    _execute(cursor, f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # References are checked once per batch in _check_references instead of
    # once per row, which cost this process about a sixth of its time.
    _execute(cursor, "PRAGMA foreign_keys=OFF")
    _execute(cursor, "PRAGMA synchronous=NORMAL")
    # Checkpoint every 64 MiB of log instead of every 4 MiB: the indexes' pages
    # change in every batch and are then copied to the database less often.
    _execute(cursor, f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    _reply({"ready": True})
    while (tables := _read_frame(sys.stdin.buffer)) is not None:
        try:
            _execute(cursor, "BEGIN IMMEDIATE")
            first = _insert(cursor, tables, format_case_numbers)
            _execute(cursor, "COMMIT")
        except (adbc_driver_manager.Error, MissingReference) as error:
            # A failed BEGIN leaves no transaction to roll back.
            with contextlib.suppress(adbc_driver_manager.Error):
                _execute(cursor, "ROLLBACK")
            _reply(
                {
                    "ok": False,
                    "error": _summary(error),
                    "integrity": _is_constraint(error, adbc_driver_manager),
                }
            )
            continue
        _reply({"ok": True, "first_id": first})
    cursor.close()
    connection.close()


def _summary(error: Exception) -> str:
    """Return SQLite's message from an error, without the statement the driver
    appends to it."""
    text = str(error).strip()
    found = re.search(r"[A-Z]+ constraint failed[^\n]*", text)
    if found:
        return found.group(0)
    return text.splitlines()[0][:300] if text else type(error).__name__


def _is_constraint(error: Exception, adbc_driver_manager) -> bool:
    """Tell whether ``error`` is a violated constraint.

    The driver reports a constraint hit during ingestion as an internal error
    (adbc-driver-sqlite 1.13), so SQLite's message is checked too.
    """
    return isinstance(error, adbc_driver_manager.IntegrityError) or (
        "constraint failed" in str(error)
    )


def _reply(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    database_path, parent_pid, repo_root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # Import from the repository, not from this file's folder.
    sys.path[0] = repo_root
    from etl.sqlite_reader import exit_with_parent

    exit_with_parent(parent_pid)
    # Ctrl-C reaches every process of the terminal's group. The importing
    # process decides what to do with it; a signal here would cancel the
    # driver's call in the middle of a batch.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _serve(database_path)
