"""Snapshot layout: opening, freezing, listing and removing old versions."""

from __future__ import annotations

import os
from datetime import timedelta

import duckdb
import pytest

from etl import load, warehouse
from tests.etl.conftest import utc

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

T0 = utc(2026, 6, 1, 12)


@pytest.fixture
def published(settings, engine, city, writer):
    """Three published versions with 1, 2 and 3 cases."""
    for case_id in (1, 2, 3):
        at = T0 + timedelta(days=case_id)
        writer.write(case_id, [writer.created(at, "POTHOLE")], updated_at=at)
        load.run(settings, engine, city)
    return settings


def count_cases(connection) -> int:
    return connection.execute("SELECT count(*) FROM fact_case").fetchall()[0][0]


def test_open_before_publish_fails(settings):
    with pytest.raises(warehouse.WarehouseError, match="no warehouse snapshot"):
        warehouse.open_snapshot(settings)
    assert warehouse.current_version(settings) is None


def test_open_current_and_by_version(published):
    with warehouse.open_snapshot(published) as connection:
        assert count_cases(connection) == 3
    with warehouse.open_snapshot(published, "v000001") as connection:
        assert count_cases(connection) == 1
    assert warehouse.current_version(published) == "v000003"


def test_snapshot_is_read_only(published):
    with warehouse.open_snapshot(published) as connection:
        with pytest.raises(duckdb.Error):
            connection.execute("DELETE FROM fact_case")
        with pytest.raises(duckdb.Error):
            connection.execute("DELETE FROM seg_base.fact_case")


def test_open_unknown_name_fails(published):
    with pytest.raises(warehouse.WarehouseError, match="'nope' is neither frozen"):
        warehouse.open_snapshot(published, "nope")
    with pytest.raises(warehouse.WarehouseError, match="is invalid"):
        warehouse.open_snapshot(published, "../v000001")


def test_freeze_keeps_numbers(published, settings, engine, city, writer):
    folder = warehouse.freeze(published, "june-meeting")
    writer.write(4, [writer.created(T0, "POTHOLE")], updated_at=T0 + timedelta(days=9))
    load.run(settings, engine, city)
    with warehouse.open_snapshot(published, "june-meeting") as connection:
        assert count_cases(connection) == 3
    with warehouse.open_snapshot(published) as connection:
        assert count_cases(connection) == 4
    assert (folder / "manifest.json").is_file()
    segment = next(folder.glob("*-base.duckdb"))
    assert segment.stat().st_nlink == 2  # hard link, no copy


def test_freeze_rejects_existing_name(published):
    warehouse.freeze(published, "q2")
    with pytest.raises(warehouse.WarehouseError, match="'q2' already exists"):
        warehouse.freeze(published, "q2")


@pytest.mark.parametrize("name", ["", "a/b", "..", ".hidden", "x" * 65, "a\\b"])
def test_freeze_rejects_bad_name(published, name):
    with pytest.raises(warehouse.WarehouseError, match="is invalid"):
        warehouse.freeze(published, name)


def test_list_snapshots(published):
    warehouse.freeze(published, "q2")
    infos = warehouse.list_snapshots(published)
    assert [(i.name, i.kind, i.current) for i in infos] == [
        ("v000001", "published", False),
        ("v000002", "published", False),
        ("v000003", "published", True),
        ("q2", "frozen", False),
    ]
    assert all(i.size_bytes > 0 for i in infos)


def test_remove_old_keeps_grace_current_and_frozen(published):
    warehouse.freeze(published, "keep")
    manifests = {i.name: i for i in warehouse.list_snapshots(published)}
    # v000001 was replaced when v000002 was published, v000002 when v000003 was.
    replaced_first = manifests["v000002"].published_at
    replaced_second = manifests["v000003"].published_at
    grace = published.snapshot_grace_minutes * 60
    between = grace + (replaced_first + replaced_second) / 2
    removed = warehouse.remove_old_snapshots(published, now=between)
    names = [p.name for p in removed]
    assert "v000001.json" in names
    assert "v000002.json" not in names
    removed = warehouse.remove_old_snapshots(published, now=replaced_second + grace + 1)
    assert "v000002.json" in [p.name for p in removed]
    left = [i.name for i in warehouse.list_snapshots(published)]
    assert left == ["v000003", "keep"]
    with warehouse.open_snapshot(published) as connection:
        assert count_cases(connection) == 3
    with warehouse.open_snapshot(published, "keep") as connection:
        assert count_cases(connection) == 3
    used = set(warehouse.current_manifest(published).files)
    on_disk = {p.name for p in (published.warehouse_dir / "segments").iterdir()}
    assert on_disk == used


def test_pointer_replaced_atomically(published):
    # CURRENT is only ever replaced by os.replace, so it is never half written.
    pointer = published.warehouse_dir / warehouse.CURRENT_FILE
    assert pointer.read_text() == "v000003"
    assert os.stat(pointer).st_size == len("v000003")
