"""Reading a SQLite case store in parallel: same rows, one snapshot.

Every test runs both parallel readers: worker processes with the ADBC driver
(``etl.sqlite_reader``) and threads with the C extension
(``etl.sqlite_columns``).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from etl import extract, load, sqlite_columns, sqlite_reader
from tests.conftest import REPO_ROOT, require_sqlite_columns
from tests.etl.conftest import Event, rebuilt_rows, utc, warehouse_rows

T0 = utc(2026, 3, 1, 9)
COUNT = {"n": pa.int64()}


@pytest.fixture
def database_url(tmp_path) -> str:
    """A SQLite store only: the parallel readers do not read PostgreSQL."""
    return f"sqlite:///{tmp_path / 'cases.sqlite'}"


@pytest.fixture(params=["workers", "threads"])
def reader(request) -> str:
    if request.param == "threads":
        require_sqlite_columns()
    return request.param


def read_parallel(reader, database, lock_connection, groups, folder):
    if reader == "threads":
        return sqlite_columns.read_in_threads(database, lock_connection, groups)
    return sqlite_reader.read_in_workers(database, lock_connection, groups, folder)


def write_history(writer) -> None:
    for case_id in range(1, 13):
        created = T0 + timedelta(hours=case_id)
        events = [
            writer.created(created, "POTHOLE", due_at=created + timedelta(days=2))
        ]
        if case_id % 3:
            events.append(
                Event("acknowledged", created + timedelta(hours=2), {"status": "ack"})
            )
        if case_id % 4 == 0:
            events.append(
                Event(
                    "closed",
                    created + timedelta(days=1),
                    {"status": "closed", "outcome": "resolved"},
                    actor="staff:lee",
                    public=True,
                )
            )
        writer.write(case_id, events, updated_at=events[-1].at)


def test_parallel_read_equals_in_process(engine, writer, reader, tmp_path):
    write_history(writer)
    in_process = extract.read_changes(engine, None)
    parallel = extract._read_sqlite_parallel(
        engine, tmp_path / "read", in_threads=reader == "threads"
    )
    for name in ("cases", "events", "departments", "service_types"):
        assert getattr(parallel, name).equals(getattr(in_process, name)), name
    assert parallel.cases.num_rows == 12
    assert parallel.events.num_rows == 12 + 8 + 3


@pytest.mark.parametrize("since_hours", [None, 0, 6, 1000])
def test_column_reader_equals_sqlite3(engine, writer, since_hours):
    """Small and incremental reads: the C reader and the sqlite3 driver agree."""
    require_sqlite_columns()
    write_history(writer)
    since = None if since_hours is None else T0 + timedelta(hours=since_hours)
    by_sqlite3 = extract._read_sqlite(engine, extract._queries(since, True))
    by_columns = extract._read_sqlite_columns(engine, since)
    for name in ("cases", "events", "departments", "service_types"):
        assert getattr(by_columns, name).equals(getattr(by_sqlite3, name)), name
    expected_cases = {None: 12, 0: 12, 6: 9, 1000: 0}[since_hours]
    assert by_columns.cases.num_rows == expected_cases


def test_full_load_in_parallel(
    settings, engine, city, writer, reader, tmp_path, monkeypatch
):
    write_history(writer)
    monkeypatch.setattr(extract, "PARALLEL_MIN_CASES", 0)
    monkeypatch.setattr(sqlite_columns, "available", lambda: reader == "threads")
    summary = load.run(settings, engine, city, full=True)
    assert summary.read == 12
    assert not any((settings.warehouse_dir / "tmp").iterdir()), (
        "the reader's Arrow files are deleted after the run"
    )
    monkeypatch.setattr(extract, "PARALLEL_MIN_CASES", 10**9)
    assert warehouse_rows(settings) == rebuilt_rows(
        settings, engine, city, tmp_path / "rebuild"
    )


def test_readers_see_one_snapshot(reader, tmp_path):
    """Two readers agree on a table that a writer grows during the reads."""
    database = str(tmp_path / "store.sqlite")
    setup = sqlite3.connect(database, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
    stop = threading.Event()

    def insert_rows() -> None:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        while not stop.is_set():
            connection.execute("INSERT INTO item DEFAULT VALUES")
        connection.close()

    thread = threading.Thread(target=insert_rows)
    thread.start()
    lock_connection = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        for attempt in range(4):
            time.sleep(0.05)
            (count,), (highest,) = read_parallel(
                reader,
                database,
                lock_connection,
                [
                    [sqlite_reader.Query("SELECT count(*) FROM item", (), COUNT)],
                    [sqlite_reader.Query("SELECT max(id) FROM item", (), COUNT)],
                ],
                tmp_path / f"read-{attempt}",
            )
            assert count["n"][0].as_py() > 0
            assert count["n"][0].as_py() == highest["n"][0].as_py()
    finally:
        stop.set()
        thread.join()
    final = setup.execute("SELECT count(*) FROM item").fetchone()[0]
    assert final > count["n"][0].as_py()


def test_failed_reader_releases_lock(reader, tmp_path):
    database = str(tmp_path / "store.sqlite")
    setup = sqlite3.connect(database, timeout=1, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
    lock_connection = sqlite3.connect(database, isolation_level=None)
    with pytest.raises(sqlite_reader.ReaderError, match="no such table: missing"):
        read_parallel(
            reader,
            database,
            lock_connection,
            [[sqlite_reader.Query("SELECT count(*) FROM missing", (), COUNT)]],
            tmp_path / "read",
        )
    assert not lock_connection.in_transaction
    setup.execute("INSERT INTO item DEFAULT VALUES")
    assert setup.execute("SELECT count(*) FROM item").fetchone()[0] == 1


COORDINATOR = """
import sqlite3, sys
from pathlib import Path
from etl import sqlite_reader

database, folder = sys.argv[1], Path(sys.argv[2])
slow = sqlite_reader.Query(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) AS n FROM (SELECT x FROM c LIMIT 2000000000)",
    (),
    {"n": sqlite_reader.pa.int64()},
)
lock_connection = sqlite3.connect(database, isolation_level=None)
sqlite_reader.read_in_workers(database, lock_connection, [[slow]], folder)
"""


def reader_pids(folder) -> list[int]:
    """Return the ids of live worker processes reading into ``folder``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if "sqlite_reader.py" in command and str(folder) in command and state != "Z":
            pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_workers_exit_with_killed_coordinator(tmp_path):
    database = str(tmp_path / "store.sqlite")
    sqlite3.connect(database).execute("PRAGMA journal_mode=WAL").fetchall()
    folder = tmp_path / "read"
    coordinator = subprocess.Popen(
        [sys.executable, "-c", COORDINATOR, database, str(folder)],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        deadline = time.monotonic() + 30
        while not reader_pids(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reader_pids(folder), "the worker process did not start"
        time.sleep(1)  # the worker is now inside its read transaction
        coordinator.send_signal(signal.SIGKILL)
        coordinator.wait(10)
        deadline = time.monotonic() + 10
        while reader_pids(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reader_pids(folder) == []
    finally:
        coordinator.kill()
        for pid in reader_pids(folder):
            os.kill(pid, signal.SIGKILL)


AWKWARD_COLUMNS = {
    "id": pa.int64(),
    "big": pa.int64(),
    "small": pa.int32(),
    "ratio": pa.float64(),
    "flag": pa.bool_(),
    "label": pa.string(),
    "at": sqlite_reader.TIMESTAMP,
}
AWKWARD_SQL = (
    "SELECT id, big, small, ratio, flag, CAST(label AS BLOB) AS label, "
    "CAST(at AS BLOB) AS at FROM awkward"
)
# More leading rows with NULL in every nullable column than the ADBC driver
# reads to infer the column types.
LEADING_NULL_ROWS = sqlite_reader.ADBC_BATCH_ROWS + 10


def awkward_store(tmp_path) -> str:
    """Write a table whose values the type inference of a driver could get wrong."""
    database = str(tmp_path / "awkward.sqlite")
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE awkward (id INTEGER PRIMARY KEY, big INTEGER, small INTEGER, "
        "ratio FLOAT, flag BOOLEAN, label VARCHAR(40), at DATETIME)"
    )
    connection.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        f"WHERE i < {LEADING_NULL_ROWS}) INSERT INTO awkward (id) SELECT i FROM n"
    )
    rows = [
        (2**63 - 1, 2**31 - 1, 1.5, 1, "", "2026-03-01 09:00:00.000000"),
        (-(2**63), -(2**31), -0.0, 0, "Ünïcödé ✓ 東京 🚧", "2026-03-01 09:00:00"),
        (0, 0, 1e300, None, "quote ' and \" and \\", None),
        (None, None, None, 1, "new\nline\ttab", "1999-12-31 23:59:59.999999"),
    ]
    connection.executemany(
        "INSERT INTO awkward (big, small, ratio, flag, label, at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    connection.close()
    return database


def read_both(reader, database: str, query: sqlite_reader.Query, folder: Path):
    """Read ``query`` with ``reader`` and with this process's sqlite3 driver."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        ((in_worker,),) = read_parallel(reader, database, connection, [[query]], folder)
        in_process = sqlite_reader.read_cursor(connection.cursor(), query)
    finally:
        connection.close()
    return in_worker, in_process


def test_reader_reads_awkward_values_as_sqlite3(reader, tmp_path):
    database = awkward_store(tmp_path)
    query = sqlite_reader.Query(AWKWARD_SQL, (), AWKWARD_COLUMNS)
    in_worker, in_process = read_both(reader, database, query, tmp_path / "read")
    assert in_worker.schema == pa.schema(list(AWKWARD_COLUMNS.items()))
    assert in_worker.num_rows == LEADING_NULL_ROWS + 4
    assert in_worker.equals(in_process)
    last = in_worker.slice(LEADING_NULL_ROWS).to_pylist()
    assert last[0]["big"] == 2**63 - 1
    assert last[1]["big"] == -(2**63)
    assert last[0]["label"] == ""
    assert last[1]["label"] == "Ünïcödé ✓ 東京 🚧"
    assert last[2]["flag"] is None
    assert last[3]["at"].isoformat() == "1999-12-31T23:59:59.999999"


def test_reader_binds_parameters(reader, tmp_path):
    database = awkward_store(tmp_path)
    query = sqlite_reader.Query(
        AWKWARD_SQL + " WHERE id > ? AND (at IS NULL OR at >= ?)",
        (LEADING_NULL_ROWS + 1, "2000-01-01 00:00:00.000000"),
        AWKWARD_COLUMNS,
    )
    in_worker, in_process = read_both(reader, database, query, tmp_path / "read")
    assert in_worker.num_rows == 2
    assert in_worker.equals(in_process)


def test_reader_reads_empty_result(reader, tmp_path):
    database = awkward_store(tmp_path)
    query = sqlite_reader.Query(AWKWARD_SQL + " WHERE id < 0", (), AWKWARD_COLUMNS)
    in_worker, in_process = read_both(reader, database, query, tmp_path / "read")
    assert in_worker.num_rows == 0
    assert in_worker.schema == pa.schema(list(AWKWARD_COLUMNS.items()))
    assert in_worker.equals(in_process)


def test_reader_rejects_real_in_integer_column(reader, tmp_path):
    database = awkward_store(tmp_path)
    connection = sqlite3.connect(database)
    connection.execute(
        "UPDATE awkward SET small = 2.5 WHERE id = ?", (LEADING_NULL_ROWS,)
    )
    connection.commit()
    connection.close()
    query = sqlite_reader.Query(AWKWARD_SQL, (), AWKWARD_COLUMNS)
    message = (
        "Type mismatch"
        if reader == "workers"
        else "contains the REAL value .2.5. where an integer"
    )
    with pytest.raises(sqlite_reader.ReaderError, match=message):
        read_both(reader, database, query, tmp_path / "read")


def test_reader_reads_text_not_cast_to_blob(reader, tmp_path):
    database = awkward_store(tmp_path)
    query = sqlite_reader.Query("SELECT label FROM awkward", (), {"label": pa.string()})
    in_worker, in_process = read_both(reader, database, query, tmp_path / "read")
    assert in_worker.column("label")[-2].as_py() == "quote ' and \" and \\"
    assert in_worker.equals(in_process)


def test_reader_reads_store_in_odd_folder(reader, tmp_path):
    # The ADBC driver opens its argument as a URI: a path holding "?", "#" or
    # "%20" must still name this file.
    folder = tmp_path / "odd ?#%20 name"
    folder.mkdir()
    database = awkward_store(folder)
    query = sqlite_reader.Query(AWKWARD_SQL, (), AWKWARD_COLUMNS)
    in_worker, in_process = read_both(reader, database, query, tmp_path / "read")
    assert in_worker.num_rows == LEADING_NULL_ROWS + 4
    assert in_worker.equals(in_process)
