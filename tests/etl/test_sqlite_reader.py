"""Reading a SQLite case store in worker processes: same rows, one snapshot."""

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

from etl import extract, load, sqlite_reader
from tests.conftest import REPO_ROOT
from tests.etl.conftest import Event, rebuilt_rows, utc, warehouse_rows

T0 = utc(2026, 3, 1, 9)
COUNT = {"n": pa.int64()}


@pytest.fixture
def database_url(tmp_path) -> str:
    """A SQLite store only: the worker reader does not read PostgreSQL."""
    return f"sqlite:///{tmp_path / 'cases.sqlite'}"


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


def test_parallel_read_equals_in_process(engine, writer, tmp_path):
    write_history(writer)
    in_process = extract.read_changes(engine, None)
    parallel = extract._read_sqlite_parallel(
        engine, extract._queries(None, text_as_bytes=True), tmp_path / "read"
    )
    for name in ("cases", "events", "departments", "service_types"):
        assert getattr(parallel, name).equals(getattr(in_process, name)), name
    assert parallel.cases.num_rows == 12
    assert parallel.events.num_rows == 12 + 8 + 3


def test_full_load_in_workers(settings, engine, city, writer, tmp_path, monkeypatch):
    write_history(writer)
    monkeypatch.setattr(extract, "PARALLEL_MIN_CASES", 0)
    summary = load.run(settings, engine, city, full=True)
    assert summary.read == 12
    assert not any((settings.warehouse_dir / "tmp").iterdir()), (
        "the reader's Arrow files are deleted after the run"
    )
    monkeypatch.setattr(extract, "PARALLEL_MIN_CASES", 10**9)
    assert warehouse_rows(settings) == rebuilt_rows(
        settings, engine, city, tmp_path / "rebuild"
    )


def test_workers_read_one_snapshot(tmp_path):
    """Two workers agree on a table that a writer grows during the reads."""
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
            (count,), (highest,) = sqlite_reader.read_in_workers(
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


def test_failed_worker_releases_lock(tmp_path):
    database = str(tmp_path / "store.sqlite")
    setup = sqlite3.connect(database, timeout=1, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE item (id INTEGER PRIMARY KEY)")
    lock_connection = sqlite3.connect(database, isolation_level=None)
    with pytest.raises(sqlite_reader.ReaderError, match="no such table: missing"):
        sqlite_reader.read_in_workers(
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
