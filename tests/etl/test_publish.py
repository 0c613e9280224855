"""Publication under load: reader processes while the ETL publishes, and ETL
processes killed with SIGKILL at every step of a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from cases import schema
from cases.catalogue import sync_catalogue
from cases.db import make_engine, make_session_factory, transaction
from city311.settings import load_settings
from etl import load, pause, warehouse
from tests.conftest import REPO_ROOT
from tests.etl.conftest import TEST_CITY, CaseWriter, rebuilt_rows, utc, warehouse_rows

T0 = utc(2026, 6, 1, 12)

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path: Path, city):
    """A SQLite case store and settings that a child process can rebuild from env."""
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    settings = load_settings(
        {
            "data_dir": str(tmp_path / "var"),
            "database_url": url,
            "city": str(TEST_CITY),
        },
        environ={},
    )
    engine = make_engine(url)
    schema.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        sync_catalogue(session, city)
    yield settings, engine, CaseWriter(engine)
    engine.dispose()


def child_env(settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CITY311_DATA_DIR": str(settings.data_dir),
        "CITY311_DATABASE_URL": settings.database_url,
        "CITY311_CITY": str(TEST_CITY),
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }


def add_cases(writer: CaseWriter, first_id: int, count: int, at) -> None:
    for case_id in range(first_id, first_id + count):
        writer.write(case_id, [writer.created(at, "POTHOLE")], updated_at=at)


def start_readers(settings, folder: Path, count: int):
    stop = folder / "stop"
    readers = []
    for index in range(count):
        result = folder / f"reader-{index}.json"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.etl.reader",
                str(settings.data_dir),
                str(stop),
                str(result),
            ],
            env=child_env(settings),
            cwd=REPO_ROOT,
        )
        readers.append((process, result))
    return stop, readers


def stop_readers(stop: Path, readers) -> list[dict]:
    stop.write_text("stop")
    results = []
    for process, result in readers:
        assert process.wait(timeout=60) == 0
        results.append(json.loads(result.read_text()))
    return results


def test_readers_see_complete_snapshots(store, city, tmp_path):
    settings, engine, writer = store
    add_cases(writer, 1, 50, T0)
    load.run(settings, engine, city)
    stop, readers = start_readers(settings, tmp_path, 3)
    time.sleep(1.0)  # let every reader open the first snapshot
    for publish in range(20):
        at = T0 + timedelta(hours=publish + 1)
        add_cases(writer, 100 + 10 * publish, 3, at)
        writer.write(1 + publish, [writer.created(at, "POTHOLE")], updated_at=at)
        load.run(settings, engine, city)
    time.sleep(0.5)
    results = stop_readers(stop, readers)
    for result in results:
        assert result["error_count"] == 0, result["errors"]
        assert result["mismatches"] == []
        assert result["reads"] > 0
        assert len(result["versions"]) > 1
    assert warehouse.current_version(settings) == "v000021"


@pytest.mark.parametrize("step", pause.STEPS)
def test_killed_run_leaves_snapshot(store, city, tmp_path, step):
    settings, engine, writer = store
    add_cases(writer, 1, 20, T0)
    load.run(settings, engine, city)
    published = warehouse_rows(settings)
    stop, readers = start_readers(settings, tmp_path, 1)

    add_cases(writer, 100, 5, T0 + timedelta(hours=1))
    process = subprocess.Popen(
        [sys.executable, "-m", "city311", "etl", "run"],
        env=child_env(settings, CITY311_ETL_PAUSE_AT=step),
        cwd=tmp_path,
        stderr=subprocess.DEVNULL,
    )
    marker = settings.data_dir / f"etl-paused-{step}"
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, "the ETL process ended before its pause point"
        assert time.monotonic() < deadline, f"the ETL never reached step {step}"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    if step == "published":
        assert warehouse.current_version(settings) == "v000002"
    else:
        assert warehouse.current_version(settings) == "v000001"
        assert warehouse_rows(settings) == published

    add_cases(writer, 200, 2, T0 + timedelta(hours=2))
    summary = load.run(settings, engine, city)
    results = stop_readers(stop, readers)
    assert results[0]["error_count"] == 0, results[0]["errors"]
    assert results[0]["mismatches"] == []
    assert summary.skipped is False
    assert list((settings.warehouse_dir / "tmp").iterdir()) == []
    assert warehouse_rows(settings) == rebuilt_rows(
        settings, engine, city, tmp_path / "rebuild"
    )
    with warehouse.open_snapshot(settings) as connection:
        statuses = connection.execute(
            "SELECT run_id, status FROM etl_run ORDER BY run_id"
        ).fetchall()
    if step == "published":
        # The killed run had published; only its end line in the run log is missing.
        assert statuses[:2] == [(1, "succeeded"), (2, "succeeded")]
    else:
        assert statuses == [(1, "succeeded"), (2, "failed"), (3, "succeeded")]
