"""``city311 etl`` and ``city311 snapshot`` as real processes on a SQLite file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cases.db import make_engine
from tests.conftest import REPO_ROOT
from tests.etl.conftest import TEST_CITY, CaseWriter, utc

RUN_KEYS = {
    "skipped",
    "published",
    "run_id",
    "full_rebuild",
    "read",
    "inserted",
    "updated",
    "unchanged",
    "rejected",
    "flagged",
    "duration_s",
    "watermark",
    "snapshot",
}


def env_for(folder: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CITY311_DATA_DIR": str(folder / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }


def city311(folder: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "city311", *args],
        capture_output=True,
        text=True,
        env=env_for(folder, **extra),
        cwd=folder,
        timeout=120,
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    assert city311(tmp_path, "init").returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'city311.sqlite'}")
    writer = CaseWriter(engine)
    for case_id in (1, 2):
        at = utc(2026, 6, 1, 12 + case_id)
        writer.write(case_id, [writer.created(at, "POTHOLE")], updated_at=at)
    engine.dispose()
    return tmp_path


def test_run_json_counts(store):
    result = city311(store, "etl", "run", "--json")
    payload = json.loads(result.stdout)
    assert result.returncode == 0
    assert set(payload) == RUN_KEYS
    assert payload["skipped"] is False
    assert payload["full_rebuild"] is True
    assert payload["read"] == 2
    assert payload["inserted"] == 2
    assert payload["rejected"] == 0
    assert payload["watermark"] == {
        "updated_at": "2026-06-01T14:00:00+00:00",
        "case_id": 2,
    }
    assert payload["snapshot"] == "v000001"


def test_logs_start_and_end(store):
    result = city311(store, "etl", "run")
    lines = [line for line in result.stderr.splitlines() if "etl.load" in line]
    assert result.returncode == 0
    assert len(lines) == 2
    assert "ETL run 1 started (full rebuild)" in lines[0]
    assert "ETL run 1 finished in" in lines[1]
    assert "read 2, inserted 2" in lines[1]
    assert "watermark (2026-06-01 14:00:00+00:00, 2)" in lines[1]
    assert result.stdout.startswith("Run 1 published snapshot v000001")


def test_concurrent_runs_one_skips(store):
    first = subprocess.Popen(
        [sys.executable, "-m", "city311", "etl", "run", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(
            store, CITY311_ETL_PAUSE_AT="extracted", CITY311_ETL_PAUSE_SECONDS="4"
        ),
        cwd=store,
    )
    marker = store / "var" / "etl-paused-extracted"
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = city311(store, "etl", "run", "--json")
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    assert json.loads(out)["skipped"] is False
    skipped = json.loads(second.stdout)
    assert skipped["skipped"] is True
    assert skipped["run_id"] is None
    assert "ETL run skipped: another run holds" in second.stderr


def add_case(folder: Path, case_id: int, at) -> None:
    engine = make_engine(f"sqlite:///{folder / 'var' / 'city311.sqlite'}")
    writer = CaseWriter(engine)
    writer.write(case_id, [writer.created(at, "POTHOLE")], updated_at=at)
    engine.dispose()


def test_status_lists_runs(store):
    city311(store, "etl", "run")
    add_case(store, 3, utc(2026, 6, 1, 15))
    city311(store, "etl", "run")
    result = city311(store, "etl", "status", "--json", "--limit", "1")
    payload = json.loads(result.stdout)
    assert result.returncode == 0
    assert payload["current_snapshot"] == "v000002"
    assert [run["run_id"] for run in payload["runs"]] == [2]
    assert payload["runs"][0]["status"] == "succeeded"
    assert payload["runs"][0]["full_rebuild"] is False
    text = city311(store, "etl", "status").stdout
    assert "Current snapshot: v000002" in text
    assert "run     1" in text
    run_line = next(line for line in text.splitlines() if "run     2" in line)
    assert re.search(r" in \d+\.\d\d s; watermark \d{4}-\d\d-\d\dT", run_line)
    assert run_line.rstrip().endswith(f"case {payload['runs'][0]['watermark_case_id']}")


def test_run_without_changes(store):
    first = city311(store, "etl", "run", "--json")
    second = city311(store, "etl", "run")
    again = city311(store, "etl", "run", "--json")
    payload = json.loads(again.stdout)
    lines = [line for line in second.stderr.splitlines() if "etl.load" in line]
    assert json.loads(first.stdout)["published"] is True
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Run 2 found no changes in ")
    assert "snapshot v000001 stays current" in second.stdout
    assert len(lines) == 2
    assert "ETL run 2 started (incremental)" in lines[0]
    assert "ETL run 2 finished in" in lines[1]
    assert "no changes (read 1, all unchanged)" in lines[1]
    assert "snapshot v000001 stays current" in lines[1]
    assert again.returncode == 0, again.stderr
    assert set(payload) == RUN_KEYS
    assert payload["published"] is False
    assert payload["run_id"] == 3
    assert payload["read"] == 1
    assert payload["inserted"] == 0
    assert payload["snapshot"] == "v000001"
    assert payload["watermark"] == {
        "updated_at": "2026-06-01T14:00:00+00:00",
        "case_id": 2,
    }


def test_status_shows_unpublished_run(store):
    city311(store, "etl", "run")
    city311(store, "etl", "run")
    result = city311(store, "etl", "status", "--json")
    payload = json.loads(result.stdout)
    text = city311(store, "etl", "status").stdout
    run_line = next(line for line in text.splitlines() if "run     2" in line)
    assert result.returncode == 0, result.stderr
    assert payload["current_snapshot"] == "v000001"
    assert [run["run_id"] for run in payload["runs"]] == [2, 1]
    assert payload["runs"][0]["status"] == "succeeded"
    assert payload["runs"][0]["rows_read"] == 1
    assert payload["runs"][0]["snapshot"] is None
    assert payload["runs"][0]["note"] == (
        "no changes; nothing published, snapshot v000001 stayed current"
    )
    assert payload["runs"][1]["note"] is None
    assert "no changes; nothing published" in run_line
    assert "(read 1 in " in run_line


def test_full_run_publishes_without_changes(store):
    city311(store, "etl", "run")
    result = city311(store, "etl", "run", "--full", "--json")
    payload = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert payload["published"] is True
    assert payload["full_rebuild"] is True
    assert payload["snapshot"] == "v000002"


def test_status_before_first_run(store):
    result = city311(store, "etl", "status", "--json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"current_snapshot": None, "runs": []}


def damage_segment(folder: Path, damage: str) -> Path:
    """Delete, truncate or empty the current base segment; return its path."""
    segment = folder / "var" / "warehouse" / "segments" / "v000001-base.duckdb"
    if damage == "deleted":
        segment.unlink()
    elif damage == "truncated":
        segment.write_bytes(segment.read_bytes()[:20_000])
    else:
        segment.write_bytes(b"")
    return segment


@pytest.mark.parametrize("damage", ["deleted", "truncated", "emptied"])
@pytest.mark.parametrize(
    "args",
    [("etl", "status"), ("report", "--from", "2026-05-25", "--to", "2026-06-07")],
)
def test_damaged_segment_one_sentence(store, damage, args):
    assert city311(store, "etl", "run").returncode == 0
    segment = damage_segment(store, damage)
    result = city311(store, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: warehouse segment {segment} ")
    assert "run `city311 etl run --full` to rebuild the warehouse" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_full_run_after_deleted_segment(store):
    assert city311(store, "etl", "run").returncode == 0
    damage_segment(store, "deleted")
    assert city311(store, "etl", "run", "--full").returncode == 0
    assert city311(store, "etl", "status").returncode == 0


def test_snapshot_list_and_freeze(store):
    city311(store, "etl", "run")
    frozen = city311(store, "snapshot", "freeze", "citistat-2026-06")
    listed = json.loads(city311(store, "snapshot", "list", "--json").stdout)
    assert frozen.returncode == 0
    assert frozen.stdout.strip() == "Froze snapshot v000001 as citistat-2026-06."
    assert [(s["name"], s["kind"], s["current"]) for s in listed["snapshots"]] == [
        ("v000001", "published", True),
        ("citistat-2026-06", "frozen", False),
    ]


def test_freeze_rejects_bad_names(store):
    city311(store, "etl", "run")
    city311(store, "snapshot", "freeze", "march")
    again = city311(store, "snapshot", "freeze", "march")
    slash = city311(store, "snapshot", "freeze", "a/b")
    dots = city311(store, "snapshot", "freeze", "..")
    assert again.returncode == 1
    assert "frozen snapshot 'march' already exists" in again.stderr
    assert slash.returncode == 1
    assert "snapshot name 'a/b' is invalid" in slash.stderr
    assert dots.returncode == 1
    assert "snapshot name '..' is invalid" in dots.stderr


def test_freeze_before_first_run(store):
    result = city311(store, "snapshot", "freeze", "early")
    assert result.returncode == 1
    assert "no snapshot has been published" in result.stderr
