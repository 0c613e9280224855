"""Atomic publication of a new warehouse version.

Order of the steps, each one atomic on a POSIX file system:
1. the run writes its segment file in tmp/ and closes it (closing a DuckDB
   database checkpoints it, so no WAL file is left beside it);
2. the file is fsynced and moved into segments/ with os.replace;
3. the manifest is written to tmp/, fsynced and moved into snapshots/;
4. CURRENT is written to tmp/, fsynced and moved over the old CURRENT.
A process killed before step 4 leaves CURRENT, and every file it names,
untouched. The next run deletes what the killed one left in tmp/ and removes
unreferenced segment files.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

from etl import warehouse
from etl.pause import pause_point
from etl.warehouse import Manifest

log = logging.getLogger(__name__)


def temp_path(settings, file_name: str) -> Path:
    """Return where a run writes ``file_name`` before publication."""
    return warehouse.path(settings, warehouse.TMP_DIR, file_name)


def clear_temp(settings) -> int:
    """Delete what earlier runs left in tmp/; call only while holding the ETL lock."""
    folder = warehouse.path(settings, warehouse.TMP_DIR)
    stale = list(folder.iterdir()) if folder.exists() else []
    for entry in stale:
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    if stale:
        log.info(
            "deleted %d files left in %s by an interrupted run", len(stale), folder
        )
    return len(stale)


def publish(settings, manifest: Manifest, new_segment: Path) -> None:
    """Move a closed segment file into place and make ``manifest`` current."""
    segment_target = warehouse.path(settings, warehouse.SEGMENTS_DIR, new_segment.name)
    _fsync(new_segment)
    os.replace(new_segment, segment_target)
    _fsync_dir(segment_target.parent)
    pause_point("segment_moved", settings.data_dir)

    manifest_target = warehouse.path(
        settings, warehouse.SNAPSHOTS_DIR, f"{manifest.version}.json"
    )
    _write_atomically(settings, manifest_target, manifest.to_json())
    pause_point("manifest_written", settings.data_dir)

    _write_atomically(
        settings, warehouse.path(settings, warehouse.CURRENT_FILE), manifest.version
    )
    log.debug("published warehouse version %s", manifest.version)


def _write_atomically(settings, target: Path, text: str) -> None:
    temporary = temp_path(settings, f"{target.name}.{os.getpid()}.{time.time_ns()}")
    with temporary.open("w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    _fsync_dir(target.parent)


def _fsync(file: Path) -> None:
    with file.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
