"""The run log: one JSON line per start and end of an ETL run.

A failed or interrupted run publishes no snapshot, so it cannot record itself in
the warehouse. It is recorded here instead (``warehouse/runs.jsonl``); the next
successful run copies such runs into its ``etl_run`` table, and
``city311 etl status`` reads both. A run that has a "started" line and no end
line was killed; it is reported as failed with the error "interrupted". A run
that found no changes published nothing, so its "succeeded" line has
``"published": false`` and its counts, and it is recorded here only.

The log keeps the lines of the last KEEP_RUNS runs. A failure older than that
is lost only if no run succeeded since, because a successful run has copied it.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from etl import warehouse

log = logging.getLogger(__name__)

RUN_LOG = "runs.jsonl"
KEEP_RUNS = 1000
INTERRUPTED = "interrupted: the process ended before the run finished"


def _log_path(settings):
    return warehouse.path(settings, RUN_LOG)


def append(settings, entry: dict[str, Any]) -> None:
    """Append one entry and flush it to disk before returning.

    An entry that ends a run also drops the lines of runs older than the last
    KEEP_RUNS. Call this only while holding the ETL lock, as ``etl.load`` does,
    because the trimmed log replaces the file.
    """
    line = json.dumps(entry, default=_encode) + "\n"
    path = _log_path(settings)
    # A process killed while writing leaves a line without its newline. Start
    # on a new line, so this entry stays readable and only the cut one is lost.
    if _ends_mid_line(path):
        line = "\n" + line
    with path.open("a") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())
    if entry.get("event") != "started":
        _trim(settings)


def _ends_mid_line(path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return False
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) != b"\n"
    except FileNotFoundError:
        return False


def _trim(settings) -> None:
    """Rewrite the log with the lines of the last KEEP_RUNS run ids only."""
    path = _log_path(settings)
    lines = path.read_text().splitlines(keepends=True)
    run_ids = sorted({_run_id(line) for line in lines} - {None})
    if len(run_ids) <= KEEP_RUNS:
        return
    oldest_kept = run_ids[-KEEP_RUNS]
    kept = [line for line in lines if (_run_id(line) or 0) >= oldest_kept]
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w") as handle:
        handle.writelines(kept)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    log.info("run log trimmed to the last %d runs", KEEP_RUNS)


def _run_id(line: str) -> int | None:
    """Return a log line's run id, or None for a partial or invalid line."""
    try:
        return int(json.loads(line)["run_id"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


def _encode(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the run log")


def entries(settings) -> list[dict[str, Any]]:
    try:
        lines = _log_path(settings).read_text().splitlines()
    except FileNotFoundError:
        return []
    parsed = []
    for number, line in enumerate(lines, start=1):
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            # A process killed while appending leaves a partial last line.
            log.warning("run log line %d is not valid JSON; ignored", number)
    return parsed


def max_run_id(settings) -> int:
    return max((e["run_id"] for e in entries(settings)), default=0)


def unfinished_runs(settings, before_run_id: int) -> list[dict[str, Any]]:
    """Return etl_run rows for runs that failed or were interrupted.

    Only runs with an id below ``before_run_id`` count, so the caller's own run,
    which has started and not finished, is left out.
    """
    by_run: dict[int, dict[str, Any]] = {}
    for entry in entries(settings):
        run_id = entry["run_id"]
        if run_id >= before_run_id:
            continue
        if entry["event"] == "started":
            by_run[run_id] = _failed_row(entry, INTERRUPTED)
        elif entry["event"] == "failed":
            # The "failed" line has no start time or run kind, so those come
            # from the row of the run's "started" line, when the log has one.
            row = by_run.get(run_id) or _failed_row(entry, "failed")
            row["error"] = entry.get("error") or "failed"
            row["finished_at"] = _parse(entry.get("finished_at"))
            by_run[run_id] = row
        elif entry["event"] == "succeeded":
            by_run.pop(run_id, None)
    return [by_run[run_id] for run_id in sorted(by_run)]


def unpublished_runs(settings) -> list[dict[str, Any]]:
    """Return etl_run-like rows for successful runs that published nothing."""
    started: dict[int, dict[str, Any]] = {}
    rows = []
    for entry in entries(settings):
        if entry["event"] == "started":
            started[entry["run_id"]] = entry
        elif entry["event"] == "succeeded" and entry.get("published") is False:
            start = started.get(entry["run_id"], {})
            rows.append(
                {
                    "run_id": entry["run_id"],
                    "started_at": _parse(start.get("started_at")),
                    "finished_at": _parse(entry.get("finished_at")),
                    "status": "succeeded",
                    "full_rebuild": bool(start.get("full_rebuild")),
                    "rows_read": entry.get("rows_read"),
                    "inserted": 0,
                    "updated": 0,
                    "unchanged": entry.get("unchanged"),
                    "watermark_updated_at": _parse(entry.get("watermark_updated_at")),
                    "watermark_case_id": entry.get("watermark_case_id"),
                    "current_snapshot": entry.get("current_snapshot"),
                }
            )
    return rows


def _failed_row(entry: dict[str, Any], error: str) -> dict[str, Any]:
    return {
        "run_id": entry["run_id"],
        "started_at": _parse(entry.get("started_at")),
        "finished_at": None,
        "status": "failed",
        "full_rebuild": bool(entry.get("full_rebuild")),
        "error": error,
        "pid": entry.get("pid"),
    }


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)
