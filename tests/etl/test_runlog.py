"""The run log keeps the lines of the most recent runs only."""

from __future__ import annotations

from etl import runlog, warehouse
from tests.etl.conftest import utc

T0 = utc(2026, 5, 1, 8)


def log_run(settings, run_id: int, event: str) -> None:
    runlog.append(settings, {"run_id": run_id, "event": "started", "started_at": T0})
    entry = {"run_id": run_id, "event": event, "finished_at": T0}
    if event == "failed":
        entry["error"] = "ValueError: bad row"
    runlog.append(settings, entry)


def test_run_log_keeps_last_runs(settings, monkeypatch):
    warehouse.ensure_layout(settings)
    monkeypatch.setattr(runlog, "KEEP_RUNS", 3)
    log_run(settings, 1, "failed")
    for run_id in range(2, 6):
        log_run(settings, run_id, "succeeded")
    runlog.append(settings, {"run_id": 6, "event": "started", "started_at": T0})
    entries = runlog.entries(settings)
    assert [(e["run_id"], e["event"]) for e in entries] == [
        (3, "started"),
        (3, "succeeded"),
        (4, "started"),
        (4, "succeeded"),
        (5, "started"),
        (5, "succeeded"),
        (6, "started"),
    ]
    assert runlog.max_run_id(settings) == 6
    assert [row["run_id"] for row in runlog.unfinished_runs(settings, 7)] == [6]


def test_run_log_keeps_recent_failures(settings, monkeypatch):
    warehouse.ensure_layout(settings)
    monkeypatch.setattr(runlog, "KEEP_RUNS", 2)
    for run_id in (1, 2, 3):
        log_run(settings, run_id, "failed")
    failed = runlog.unfinished_runs(settings, 4)
    assert [row["run_id"] for row in failed] == [2, 3]
    assert failed[0]["error"] == "ValueError: bad row"


def test_run_log_drops_partial_line(settings, monkeypatch):
    warehouse.ensure_layout(settings)
    monkeypatch.setattr(runlog, "KEEP_RUNS", 2)
    log_run(settings, 1, "succeeded")
    with warehouse.path(settings, runlog.RUN_LOG).open("a") as handle:
        handle.write('{"run_id": 2, "ev\n')
    log_run(settings, 3, "succeeded")
    log_run(settings, 4, "succeeded")
    assert [e["run_id"] for e in runlog.entries(settings)] == [3, 3, 4, 4]


def test_entry_after_cut_line_is_kept(settings):
    warehouse.ensure_layout(settings)
    with warehouse.path(settings, runlog.RUN_LOG).open("a") as handle:
        handle.write('{"run_id": 1, "event": "star')
    runlog.append(settings, {"run_id": 2, "event": "started", "started_at": T0})
    assert [(e["run_id"], e["event"]) for e in runlog.entries(settings)] == [
        (2, "started")
    ]
    assert runlog.max_run_id(settings) == 2


def test_failed_run_keeps_start(settings):
    warehouse.ensure_layout(settings)
    started = {"run_id": 1, "event": "started", "started_at": T0, "pid": 7}
    runlog.append(settings, {**started, "full_rebuild": True})
    finished = utc(2026, 5, 1, 9)
    failed = {"run_id": 1, "event": "failed", "finished_at": finished}
    runlog.append(settings, {**failed, "error": "ValueError: bad row"})
    [row] = runlog.unfinished_runs(settings, 2)
    assert row["started_at"] == T0
    assert row["finished_at"] == finished
    assert row["full_rebuild"] is True
    assert row["pid"] == 7
    assert row["status"] == "failed"
    assert row["error"] == "ValueError: bad row"


def test_failed_run_without_start(settings):
    warehouse.ensure_layout(settings)
    runlog.append(settings, {"run_id": 1, "event": "failed", "finished_at": T0})
    [row] = runlog.unfinished_runs(settings, 2)
    assert row["started_at"] is None
    assert row["finished_at"] == T0
    assert row["error"] == "failed"
