"""The OS-level lock that lets one ETL run at a time, across processes.

APScheduler's ``max_instances`` only coordinates jobs inside one scheduler, so a
manual ``city311 etl run`` and a scheduled one in another process exclude each
other with a file lock in the data folder. The lock is ``fcntl.flock`` (through
``filelock``), which the kernel releases when the holder dies, even by SIGKILL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = "etl.lock"


def lock_path(settings) -> Path:
    return Path(settings.data_dir) / LOCK_FILE


@contextmanager
def try_lock(settings) -> Iterator[bool]:
    """Hold the ETL lock for the block if it is free; yield whether it was taken.

    Never waits: a run that finds the lock taken is skipped, not queued.
    """
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
