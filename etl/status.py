"""Recent ETL runs for ``city311 etl status``: the current snapshot's ``etl_run``
table plus failed, interrupted, running and unpublished runs from the run log.

Each row has the ``etl_run`` columns plus ``note``, which is None except for a
run that found no changes and published nothing.
"""

from __future__ import annotations

import os
from typing import Any

from etl import runlog, warehouse

RUN_FIELDS = (
    "run_id",
    "started_at",
    "finished_at",
    "status",
    "full_rebuild",
    "rows_read",
    "inserted",
    "updated",
    "unchanged",
    "rejected",
    "flagged",
    "watermark_updated_at",
    "watermark_case_id",
    "fact_case_rows",
    "fact_case_event_rows",
    "snapshot",
    "error",
)
NO_CHANGES_NOTE = "no changes; nothing published, snapshot {snapshot} stayed current"


def recent_runs(settings, limit: int) -> list[dict[str, Any]]:
    """Return up to ``limit`` runs, newest first."""
    runs: dict[int, dict[str, Any]] = {}
    if warehouse.current_version(settings) is not None:
        with warehouse.open_snapshot(settings) as connection:
            result = connection.execute(
                f"SELECT {', '.join(RUN_FIELDS)} FROM etl_run"
            ).fetchall()
        for row in result:
            runs[row[0]] = dict(zip(RUN_FIELDS, row, strict=True))
    logged = runlog.unfinished_runs(settings, before_run_id=2**31)
    running = _running_run_id(settings, logged)
    for row in logged:
        if row["run_id"] not in runs:
            entry = {field: None for field in RUN_FIELDS} | row
            if row["run_id"] == running:
                entry["status"], entry["error"] = "running", None
            runs[row["run_id"]] = entry
    for row in runlog.unpublished_runs(settings):
        note = NO_CHANGES_NOTE.format(snapshot=row.pop("current_snapshot"))
        runs[row["run_id"]] = {field: None for field in RUN_FIELDS} | row
        runs[row["run_id"]]["note"] = note
    for entry in runs.values():
        entry.setdefault("note", None)
    return [runs[run_id] for run_id in sorted(runs, reverse=True)[:limit]]


def _running_run_id(settings, logged: list[dict[str, Any]]) -> int | None:
    """Return the newest unfinished run whose process is still alive, if any.

    Checking the process id, not the lock, keeps ``etl status`` from making a
    scheduled run skip. Process ids are only meaningful on the machine that
    wrote the run log.
    """
    unfinished = [row for row in logged if row["error"] == runlog.INTERRUPTED]
    if not unfinished or not unfinished[-1].get("pid"):
        return None
    try:
        os.kill(unfinished[-1]["pid"], 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, owned by another user
    return unfinished[-1]["run_id"]
