"""Read-only warehouse connections for the dashboard, one database per snapshot.

``SnapshotPool`` keeps one open snapshot per version in the process and hands
each callback its own cursor, because a DuckDB connection must not be shared
between threads while a cursor of it may. When the ETL publishes a new
version, the old one is closed as soon as its last cursor is released. With
the ``dashboard_snapshot`` setting the pool reads that frozen snapshot only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

log = logging.getLogger(__name__)

Opener = Callable[..., duckdb.DuckDBPyConnection]
Versioner = Callable[..., "str | None"]


class NoSnapshotError(RuntimeError):
    """No warehouse snapshot has been published yet."""


@dataclass
class _Entry:
    connection: duckdb.DuckDBPyConnection
    users: int = 0
    retired: bool = False


class SnapshotPool:
    """Open snapshots keyed by version, shared by the threads of one process.

    ``opener(settings, name)`` and ``versioner(settings)`` default to
    ``etl.warehouse.open_snapshot`` and ``etl.warehouse.current_version``.
    """

    def __init__(
        self,
        settings,
        opener: Opener | None = None,
        versioner: Versioner | None = None,
    ) -> None:
        self.settings = settings
        self._opener = opener
        self._versioner = versioner
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def version(self) -> str:
        """Return the version the next read uses; raise NoSnapshotError if none."""
        frozen = self.settings.dashboard_snapshot
        if frozen:
            return f"frozen:{frozen}"
        versioner = self._versioner
        if versioner is None:
            from etl.warehouse import current_version as versioner
        version = versioner(self.settings)
        if version is None:
            raise NoSnapshotError(
                f"no warehouse snapshot has been published in "
                f"{self.settings.warehouse_dir}; run `city311 etl run` first"
            )
        return version

    @contextmanager
    def cursor(self, version: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a cursor on the snapshot ``version``, for one thread's use."""
        entry = self._acquire(version)
        cursor = entry.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            self._release(version, entry)

    def close(self) -> None:
        """Close every snapshot that no cursor uses; retire the others."""
        with self._lock:
            for version in list(self._entries):
                self._retire(version)

    def _acquire(self, version: str) -> _Entry:
        with self._lock:
            entry = self._entries.get(version)
            if entry is None or entry.retired:
                entry = _Entry(self._open(version))
                for other in list(self._entries):
                    self._retire(other)
                self._entries[version] = entry
                log.info("dashboard reads warehouse snapshot %s", version)
            entry.users += 1
            return entry

    def _release(self, version: str, entry: _Entry) -> None:
        with self._lock:
            entry.users -= 1
            if entry.retired and entry.users == 0:
                entry.connection.close()

    def _retire(self, version: str) -> None:
        entry = self._entries.pop(version)
        entry.retired = True
        if entry.users == 0:
            entry.connection.close()

    def _open(self, version: str) -> duckdb.DuckDBPyConnection:
        opener = self._opener
        if opener is None:
            from etl.warehouse import open_snapshot as opener
        name = (
            version.removeprefix("frozen:") if version.startswith("frozen:") else None
        )
        return opener(self.settings, name)
