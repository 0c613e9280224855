"""Segments written before a schema column existed: reading and rebuilding."""

from __future__ import annotations

import logging
from datetime import timedelta

import duckdb
import pytest

from etl import load, warehouse
from tests.etl.conftest import Event, utc

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

T0 = utc(2026, 6, 1, 12)
CLOSED = {"status": "closed", "outcome": "resolved", "parent_id": None}
EVENTS_SQL = 'SELECT event_id, "at", next_at FROM fact_case_event ORDER BY event_id'


@pytest.fixture
def published(settings, engine, city, writer):
    """One full load of two cases, one of them acknowledged and closed."""
    writer.write(1, [writer.created(T0, "POTHOLE")], updated_at=T0)
    writer.write(
        2,
        [
            writer.created(T0, "POTHOLE"),
            Event("acknowledged", T0 + timedelta(hours=2), {"status": "acknowledged"}),
            Event("closed", T0 + timedelta(days=1), CLOSED),
        ],
        updated_at=T0 + timedelta(days=1),
    )
    load.run(settings, engine, city)
    return settings


def base_file(settings):
    manifest = warehouse.current_manifest(settings)
    return warehouse.path(settings, warehouse.SEGMENTS_DIR, manifest.base)


def drop_column(settings, table: str, column: str) -> None:
    """Rewrite the published base as an older release would have written it."""
    with duckdb.connect(str(base_file(settings))) as connection:
        connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def test_old_base_derives_next_at(published):
    with warehouse.open_snapshot(published) as connection:
        expected = connection.execute(EVENTS_SQL).fetchall()
    drop_column(published, "fact_case_event", "next_at")
    with warehouse.open_snapshot(published) as connection:
        assert connection.execute(EVENTS_SQL).fetchall() == expected
    assert [row[2] for row in expected].count(None) == 2


def test_old_base_with_new_delta_derives_next_at(published, engine, city, writer):
    at = T0 + timedelta(days=3)
    writer.write(3, [writer.created(at, "POTHOLE")], updated_at=at)
    load.run(published, engine, city)
    assert warehouse.current_manifest(published).delta is not None
    with warehouse.open_snapshot(published) as connection:
        expected = connection.execute(EVENTS_SQL).fetchall()
    drop_column(published, "fact_case_event", "next_at")
    with warehouse.open_snapshot(published) as connection:
        assert connection.execute(EVENTS_SQL).fetchall() == expected
    assert len(expected) == 5


def test_old_base_missing_other_column_fails(published):
    drop_column(published, "fact_case", "flags")
    with pytest.raises(warehouse.WarehouseError, match="lacks fact_case.flags"):
        warehouse.open_snapshot(published)
    with pytest.raises(warehouse.WarehouseError, match="etl run --full"):
        warehouse.open_snapshot(published)


def test_incremental_on_old_base_rebuilds(published, engine, city, writer, caplog):
    drop_column(published, "fact_case_event", "next_at")
    manifest = warehouse.current_manifest(published)
    assert warehouse.missing_base_columns(published, manifest) == [
        "fact_case_event.next_at"
    ]
    at = T0 + timedelta(days=3)
    writer.write(3, [writer.created(at, "POTHOLE")], updated_at=at)

    with caplog.at_level(logging.WARNING, logger="etl.load"):
        summary = load.run(published, engine, city)

    assert summary.full_rebuild
    assert summary.inserted == 3
    assert "older warehouse layout" in caplog.text
    assert "fact_case_event.next_at" in caplog.text
    manifest = warehouse.current_manifest(published)
    assert warehouse.missing_base_columns(published, manifest) == []
    with warehouse.open_snapshot(published) as connection:
        (cases,) = connection.execute("SELECT count(*) FROM fact_case").fetchone()
    assert cases == 3


def test_current_base_lacks_nothing(published):
    manifest = warehouse.current_manifest(published)
    assert warehouse.missing_base_columns(published, manifest) == []
