"""One ETL run: case store -> new warehouse version -> publication.

The flow, in order:
1. take the ETL lock, or return a skipped result at once when another run holds it;
2. delete what an interrupted run left in tmp/ and record the start in the run log;
3. read, in one read-only transaction, every case with ``updated_at`` at or after
   the previous watermark minus ``extract.OVERLAP`` (all cases with ``full``),
   all events of those cases, and the departments and service types;
4. stop here when an incremental run read nothing the current snapshot lacks
   (see ``etl.unchanged``): the run log records it and the version stays;
5. write a new segment from the previous version plus those rows, replacing
   the rows of every case read (so re-reading a case is idempotent);
6. publish it atomically, record the end in the run log, remove old versions.

A failing run logs the error with its run id, records it in the run log (the
next successful run copies it into ``etl_run``) and leaves the published
version as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
from sqlalchemy import Engine

from etl import extract, lock, publish, runlog, segment, unchanged, warehouse
from etl.pause import pause_point

log = logging.getLogger(__name__)


class EtlRunError(Exception):
    """An ETL run failed; the published snapshot is unchanged."""


@dataclass
class RunSummary:
    """The outcome of one ``run`` call, as ``etl run --json`` prints it.

    ``published`` is False for a skipped run and for a run that found no
    changes. ``snapshot`` is then the version that stays current.
    """

    skipped: bool
    published: bool = False
    run_id: int | None = None
    full_rebuild: bool = False
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    duration_s: float = 0.0
    watermark_updated_at: datetime | None = None
    watermark_case_id: int | None = None
    snapshot: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.watermark_updated_at is not None:
            data["watermark_updated_at"] = self.watermark_updated_at.isoformat()
        return data


def run(settings, engine: Engine, city, full: bool = False) -> RunSummary:
    """Run the ETL once unless another run holds the lock."""
    warehouse.ensure_layout(settings)
    with lock.try_lock(settings) as acquired:
        if not acquired:
            log.info("ETL run skipped: another run holds %s", lock.lock_path(settings))
            return RunSummary(
                skipped=True, snapshot=warehouse.current_version(settings)
            )
        return _run_locked(settings, engine, city, full)


def _run_locked(settings, engine: Engine, city, full: bool) -> RunSummary:
    publish.clear_temp(settings)
    if full:
        previous = _readable_manifest(settings)
    else:
        previous = warehouse.current_manifest(settings)
    last_run_id, watermark = _last_runs(settings)
    run_id = max(runlog.max_run_id(settings), last_run_id) + 1
    started = datetime.now(UTC)
    clock = time.perf_counter()
    full = full or previous is None or _layout_changed(settings, previous)
    runlog.append(
        settings,
        {
            "run_id": run_id,
            "event": "started",
            "started_at": started,
            "full_rebuild": full,
            "pid": os.getpid(),
        },
    )
    log.info(
        "ETL run %d started (%s)", run_id, "full rebuild" if full else "incremental"
    )
    try:
        summary = _load(
            settings, engine, city, run_id, started, full, previous, watermark
        )
    except Exception as error:
        _record_failure(settings, run_id, error)
        raise EtlRunError(f"ETL run {run_id} failed: {error}") from error
    summary.duration_s = round(time.perf_counter() - clock, 3)
    runlog.append(settings, _end_entry(summary))
    _log_finished(summary)
    try:
        warehouse.remove_old_snapshots(settings)
    except OSError as error:
        # The run has finished; old files stay until a later run removes them.
        log.warning("ETL run %d: could not remove old snapshots: %s", run_id, error)
    return summary


def _load(
    settings, engine, city, run_id, started, full, previous, watermark
) -> RunSummary:
    since = None if full or watermark[0] is None else watermark[0] - extract.OVERLAP
    # Worker processes of a parallel read write Arrow files here. The tables
    # map those files, so the folder is deleted after the segment is written.
    read_folder = publish.temp_path(settings, f"read-{run_id}")
    try:
        changes = extract.read_changes(engine, since, read_folder)
        pause_point("extracted", settings.data_dir)

        info = segment.RunInfo(
            run_id=run_id,
            version=f"v{run_id:06d}",
            started_at=started,
            full_rebuild=full,
            today=datetime.now(city.timezone).date(),
            earlier_failures=runlog.unfinished_runs(settings, run_id),
            previous_watermark=watermark,
        )
        # A failed run is recorded in etl_run only by a run that publishes, so
        # a failure the current snapshot does not list yet needs a new version.
        failed = [row["run_id"] for row in info.earlier_failures]
        if not full and unchanged.nothing_to_publish(
            settings, changes, info.today, city.timezone, failed
        ):
            return _unchanged_summary(settings, run_id, changes, watermark)
        built = segment.build_segment(settings, city, changes, previous, info)
    finally:
        shutil.rmtree(read_folder, ignore_errors=True)
    pause_point("segment_written", settings.data_dir)

    publish.publish(settings, built.manifest, built.file)
    pause_point("published", settings.data_dir)
    counts = built.counts
    return RunSummary(
        skipped=False,
        published=True,
        run_id=run_id,
        full_rebuild=full,
        read=counts.read,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=counts.rejected,
        flagged=counts.flagged,
        watermark_updated_at=built.watermark_updated_at,
        watermark_case_id=built.watermark_case_id,
        snapshot=built.manifest.version,
    )


def _unchanged_summary(settings, run_id, changes, watermark) -> RunSummary:
    """Build the summary of a run that read only cases the snapshot already has."""
    read = changes.cases.num_rows
    return RunSummary(
        skipped=False,
        published=False,
        run_id=run_id,
        read=read,
        unchanged=read,
        watermark_updated_at=watermark[0],
        watermark_case_id=watermark[1],
        snapshot=warehouse.current_version(settings),
    )


def _end_entry(summary: RunSummary) -> dict[str, Any]:
    """Build the run log line that ends a successful run.

    A run that published nothing is in no snapshot's ``etl_run``, so its line
    carries what ``city311 etl status`` shows for it.
    """
    entry: dict[str, Any] = {
        "run_id": summary.run_id,
        "event": "succeeded",
        "finished_at": datetime.now(UTC),
    }
    if not summary.published:
        entry |= {
            "published": False,
            "rows_read": summary.read,
            "unchanged": summary.unchanged,
            "watermark_updated_at": summary.watermark_updated_at,
            "watermark_case_id": summary.watermark_case_id,
            "current_snapshot": summary.snapshot,
        }
    return entry


def _log_finished(summary: RunSummary) -> None:
    if not summary.published:
        log.info(
            "ETL run %d finished in %.2f s: no changes (read %d, all unchanged); "
            "nothing published, snapshot %s stays current",
            summary.run_id,
            summary.duration_s,
            summary.read,
            summary.snapshot,
        )
        return
    log.info(
        "ETL run %d finished in %.2f s: read %d, inserted %d, updated %d, "
        "unchanged %d, flagged %d; watermark (%s, %s); snapshot %s",
        summary.run_id,
        summary.duration_s,
        summary.read,
        summary.inserted,
        summary.updated,
        summary.unchanged,
        summary.flagged,
        summary.watermark_updated_at,
        summary.watermark_case_id,
        summary.snapshot,
    )


def _layout_changed(settings, manifest) -> bool:
    """Return True, and log why, when the published base lacks schema columns."""
    missing = warehouse.missing_base_columns(settings, manifest)
    if missing:
        log.warning(
            "snapshot %s has an older warehouse layout (missing %s); "
            "this run rebuilds the warehouse in full",
            manifest.version,
            ", ".join(missing),
        )
    return bool(missing)


def _readable_manifest(settings):
    """Return the current manifest for a full rebuild, or None when it is unreadable."""
    try:
        return warehouse.current_manifest(settings)
    except (warehouse.WarehouseError, ValueError) as error:
        log.warning("current snapshot pointer is unreadable (%s); ignoring it", error)
        return None


def _last_runs(settings) -> tuple[int, tuple[datetime | None, int | None]]:
    """Return the highest run id and the last successful run's watermark.

    No readable snapshot means no earlier run: a full rebuild then starts over.
    """
    try:
        with warehouse.open_snapshot(settings) as connection:
            rows = connection.execute(
                "SELECT (SELECT max(run_id) FROM etl_run), watermark_updated_at, "
                "watermark_case_id FROM etl_run WHERE status = 'succeeded' "
                "ORDER BY run_id DESC LIMIT 1"
            ).fetchall()
    except (warehouse.WarehouseError, duckdb.Error, OSError, ValueError):
        return 0, (None, None)
    if not rows:
        return 0, (None, None)
    return rows[0][0] or 0, (rows[0][1], rows[0][2])


def _record_failure(settings, run_id: int, error: Exception) -> None:
    log.error("ETL run %d failed: %s: %s", run_id, type(error).__name__, error)
    log.debug("ETL run %d traceback", run_id, exc_info=error)
    try:
        runlog.append(
            settings,
            {
                "run_id": run_id,
                "event": "failed",
                "finished_at": datetime.now(UTC),
                "error": f"{type(error).__name__}: {error}",
            },
        )
    except OSError as log_error:
        log.error("ETL run %d: could not write the run log: %s", run_id, log_error)
