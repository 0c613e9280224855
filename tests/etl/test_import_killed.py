"""`city311 import` killed with SIGKILL part-way: the store stays whole and a
second run completes the import."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.etl.sources.test_nyc import PORTAL_HEADER, row
from tests.etl.test_import_nyc_command import TEST_CITY

ROWS = 60_000


def run_city311(env: dict[str, str], *args: str, **options):
    return subprocess.run(
        [sys.executable, "-m", "city311", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **options,
    )


def case_count(database: Path) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute('SELECT count(*) FROM "case"').fetchone()[0]


def ingest_processes() -> list[int]:
    """Return the pids of ingest processes, found by their command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"ingest_worker.py" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux's /proc")
def test_killed_import_leaves_store_whole(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": "",
        "CITY311_LOG_LEVEL": "WARNING",
    }
    assert run_city311(env, "init").returncode == 0
    database = tmp_path / "var" / "city311.sqlite"
    path = tmp_path / "nyc.csv"
    lines = (
        row(str(key), "01/22/2018 09:15:00 AM", "01/23/2018 10:00:00 AM")
        for key in range(1, ROWS + 1)
    )
    path.write_text(PORTAL_HEADER + "".join(lines), encoding="utf-8")
    before = set(ingest_processes())

    process = subprocess.Popen(
        [sys.executable, "-m", "city311", "import", "nyc", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while case_count(database) < 10_000 and process.poll() is None:
        assert time.monotonic() < deadline, "the import stored nothing in 60 s"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stored = case_count(database)
    assert stored < ROWS, "the import finished before it was killed"

    # The ingest process ends with the import that started it.
    deadline = time.monotonic() + 10
    while set(ingest_processes()) - before:
        assert time.monotonic() < deadline, "an ingest process outlived its import"
        time.sleep(0.05)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orphans = connection.execute(
            "SELECT count(*) FROM case_event "
            'WHERE case_id NOT IN (SELECT id FROM "case")'
        ).fetchone()
    assert orphans == (0,)

    again = run_city311(env, "import", "nyc", str(path), "--json")
    assert again.returncode == 0, again.stderr
    counts = json.loads(again.stdout)
    assert counts["read"] == ROWS
    assert counts["inserted"] + counts["unchanged"] == ROWS
    assert counts["unchanged"] == stored
    assert case_count(database) == ROWS
