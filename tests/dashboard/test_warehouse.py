"""The snapshot pool: a new version replaces the old, closed once released."""

from __future__ import annotations

import duckdb
import pytest

from city311.settings import load_settings
from dashboard.cache import ResultCache
from dashboard.reader import NotCachedError, WarehouseReader
from dashboard.warehouse import NoSnapshotError, SnapshotPool


class Snapshots:
    """Versions as in-memory databases holding one number each."""

    def __init__(self) -> None:
        self.current: str | None = "v1"
        self.opened: list[tuple[str | None, str]] = []
        self.connections: list[duckdb.DuckDBPyConnection] = []

    def version(self, settings) -> str | None:
        return self.current

    def open(self, settings, name=None) -> duckdb.DuckDBPyConnection:
        self.opened.append((name, self.current))
        connection = duckdb.connect(":memory:")
        connection.execute(f"CREATE VIEW n AS SELECT '{self.current}' AS version")
        self.connections.append(connection)
        return connection


def version_of(connection) -> str:
    return connection.execute("SELECT version FROM n").fetchone()[0]


@pytest.fixture
def snapshots() -> Snapshots:
    return Snapshots()


def make_pool(snapshots, tmp_path, **overrides) -> SnapshotPool:
    settings = load_settings({"data_dir": str(tmp_path), **overrides}, environ={})
    return SnapshotPool(settings, snapshots.open, snapshots.version)


def test_pool_reuses_open_version(snapshots, tmp_path):
    pool = make_pool(snapshots, tmp_path)
    for _ in range(3):
        with pool.cursor(pool.version()) as cursor:
            assert version_of(cursor) == "v1"
    assert len(snapshots.opened) == 1


def test_pool_switches_to_new_version(snapshots, tmp_path):
    pool = make_pool(snapshots, tmp_path)
    with pool.cursor(pool.version()) as cursor:
        old = cursor
        snapshots.current = "v2"
        with pool.cursor(pool.version()) as newer:
            assert version_of(newer) == "v2"
        # The old snapshot stays usable until its last cursor is released.
        assert version_of(old) == "v1"
    with pytest.raises(duckdb.ConnectionException):
        snapshots.connections[0].execute("SELECT 1")


def test_pool_reads_frozen_snapshot(snapshots, tmp_path):
    pool = make_pool(snapshots, tmp_path, dashboard_snapshot="meeting-2026-11")
    assert pool.version() == "frozen:meeting-2026-11"
    with pool.cursor(pool.version()):
        pass
    assert snapshots.opened == [("meeting-2026-11", "v1")]


def test_pool_without_snapshot(snapshots, tmp_path):
    snapshots.current = None
    with pytest.raises(NoSnapshotError, match="city311 etl run"):
        make_pool(snapshots, tmp_path).version()


def test_reader_caches_per_version(snapshots, tmp_path):
    reader = WarehouseReader(make_pool(snapshots, tmp_path), ResultCache())
    assert reader.call(version_of) == "v1"
    assert reader.call(version_of) == "v1"
    snapshots.current = "v2"
    assert reader.call(version_of) == "v2"
    assert reader.cache.hits == 1


def test_reader_cached_only_raises_on_miss(snapshots, tmp_path):
    reader = WarehouseReader(make_pool(snapshots, tmp_path), ResultCache())
    with reader.cached_only(), pytest.raises(NotCachedError, match="version_of"):
        reader.call(version_of)
    assert reader.call(version_of) == "v1"
    with reader.cached_only():
        assert reader.call(version_of) == "v1"
    snapshots.current = "v2"
    with reader.cached_only(), pytest.raises(NotCachedError):
        reader.call(version_of)
