"""The ETL flow: incremental runs against a full rebuild, the overlap window,
failures, the lock, compaction and runs that find nothing to publish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from cases.models import Department, ServiceType
from etl import (
    extract,
    load,
    lock,
    runlog,
    schema,
    segment,
    status,
    transform,
    unchanged,
    warehouse,
)
from tests.etl.conftest import Event, as_dicts, rebuilt_rows, utc, warehouse_rows

T0 = utc(2026, 6, 1, 12)


def closed(at, outcome="resolved"):
    return Event(
        "closed", at, {"status": "closed", "outcome": outcome, "parent_id": None}
    )


def write_three(writer):
    for case_id in (1, 2, 3):
        created = T0 + timedelta(hours=case_id)
        writer.write(
            case_id,
            [writer.created(created, "POTHOLE", due_at=created + timedelta(days=3))],
            updated_at=created,
        )


def test_incremental_equals_full(settings, engine, city, writer, tmp_path):
    write_three(writer)
    first = load.run(settings, engine, city)
    writer.write(1, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    writer.write(
        4, [writer.created(T0 + timedelta(days=1), "INFO")], T0 + timedelta(days=1)
    )
    second = load.run(settings, engine, city)
    assert first.full_rebuild is True
    assert second.full_rebuild is False
    # Case 3 is re-read: its updated_at is within the overlap of the watermark.
    assert second.read == 3
    assert second.inserted == 1
    assert second.updated == 1
    assert second.unchanged == 1
    assert second.watermark_updated_at == T0 + timedelta(days=1)
    assert second.watermark_case_id == 4
    assert warehouse_rows(settings) == rebuilt_rows(
        settings, engine, city, tmp_path / "rebuild"
    )


def _storage_keys_sorted(file) -> bool:
    """Whether rows in storage order are sorted by ``EVENT_STORAGE_ORDER``."""
    import duckdb

    with duckdb.connect(str(file), read_only=True) as con:
        misplaced, rows = con.execute(
            f"""
            SELECT count(*) FILTER (WHERE by_key <> by_rowid), count(*) FROM (
                SELECT row_number() OVER (
                           ORDER BY {schema.EVENT_STORAGE_ORDER}, rowid
                       ) AS by_key,
                       row_number() OVER (ORDER BY rowid) AS by_rowid
                FROM fact_case_event
            )
            """
        ).fetchone()
    return rows > 0 and misplaced == 0


def test_events_stored_in_backlog_order(settings, engine, city, writer):
    """Open states by span end, then without an end, then closed states by time."""
    write_three(writer)
    writer.write(1, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    writer.write(
        2,
        [Event("acknowledged", T0 + timedelta(days=2), {"status": "acknowledged"})],
        updated_at=T0 + timedelta(days=2),
    )
    load.run(settings, engine, city)
    writer.write(3, [closed(T0 + timedelta(days=3))], updated_at=T0 + timedelta(days=3))
    load.run(settings, engine, city)
    manifest = warehouse.current_manifest(settings)
    folder = warehouse.path(settings, warehouse.SEGMENTS_DIR)
    assert _storage_keys_sorted(folder / manifest.base)
    assert _storage_keys_sorted(folder / manifest.delta)


def test_incremental_writes_delta(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    writer.write(2, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    load.run(settings, engine, city)
    manifest = warehouse.current_manifest(settings)
    assert manifest.base == "v000001-base.duckdb"
    assert manifest.delta == "v000002-delta.duckdb"
    assert manifest.base_cases == 3
    assert manifest.delta_cases == 1


def test_rerun_is_idempotent(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    before = warehouse_rows(settings)
    again = load.run(settings, engine, city)
    # The overlap window re-reads case 3, the one at the watermark; it is unchanged.
    assert again.read == 1
    assert again.inserted == 0
    assert again.updated == 0
    assert again.unchanged == 1
    assert warehouse_rows(settings) == before


def test_overlap_catches_late_commit(settings, engine, city, writer):
    writer.write(1, [writer.created(T0, "POTHOLE")], updated_at=T0)
    load.run(settings, engine, city)
    # A writer that read its clock 2 minutes before the watermark commits now.
    late = T0 - timedelta(minutes=2)
    writer.write(2, [writer.created(late, "POTHOLE")], updated_at=late)
    # One older than the overlap window is only picked up by a full rebuild.
    too_late = T0 - extract.OVERLAP - timedelta(minutes=1)
    writer.write(3, [writer.created(too_late, "POTHOLE")], updated_at=too_late)
    summary = load.run(settings, engine, city)
    with warehouse.open_snapshot(settings) as connection:
        ids = [
            r[0]
            for r in connection.execute(
                "SELECT case_id FROM fact_case ORDER BY 1"
            ).fetchall()
        ]
    assert summary.inserted == 1
    assert ids == [1, 2]
    assert summary.watermark_updated_at == T0  # never moves back
    load.run(settings, engine, city, full=True)
    with warehouse.open_snapshot(settings) as connection:
        ids = [
            r[0]
            for r in connection.execute(
                "SELECT case_id FROM fact_case ORDER BY 1"
            ).fetchall()
        ]
    assert ids == [1, 2, 3]


def test_watermark_kept_without_changes(settings, engine, city, writer):
    writer.write(1, [writer.created(T0, "POTHOLE")], updated_at=T0)
    load.run(settings, engine, city)
    writer.write(2, [writer.created(T0, "POTHOLE")], updated_at=T0 - timedelta(days=1))
    summary = load.run(settings, engine, city)
    assert summary.read == 1
    assert summary.watermark_updated_at == T0
    assert summary.watermark_case_id == 1


def test_failed_run_keeps_snapshot(settings, engine, city, writer, monkeypatch):
    write_three(writer)
    load.run(settings, engine, city)
    before = warehouse_rows(settings)

    def broken(connection, full):
        raise RuntimeError("disk full")

    # A run with nothing to publish never reaches the transform.
    writer.write(1, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    monkeypatch.setattr(transform, "derive_fact_case", broken)
    with pytest.raises(load.EtlRunError, match="ETL run 2 failed: disk full"):
        load.run(settings, engine, city)
    assert warehouse.current_version(settings) == "v000001"
    assert warehouse_rows(settings) == before
    runs = status.recent_runs(settings, limit=5)
    assert [(r["run_id"], r["status"]) for r in runs] == [
        (2, "failed"),
        (1, "succeeded"),
    ]
    assert runs[0]["error"] == "RuntimeError: disk full"

    monkeypatch.undo()
    load.run(settings, engine, city)
    with warehouse.open_snapshot(settings) as connection:
        recorded = as_dicts(
            connection, "SELECT run_id, status, error FROM etl_run ORDER BY run_id"
        )
    assert recorded == [
        {"run_id": 1, "status": "succeeded", "error": None},
        {"run_id": 2, "status": "failed", "error": "RuntimeError: disk full"},
        {"run_id": 3, "status": "succeeded", "error": None},
    ]


def test_run_after_failure_publishes(settings, engine, city, writer, monkeypatch):
    write_three(writer)
    load.run(settings, engine, city)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(extract, "read_changes", broken)
    with pytest.raises(load.EtlRunError):
        load.run(settings, engine, city)
    monkeypatch.undo()
    # Nothing changed, but only a published snapshot can record the failure.
    summary = load.run(settings, engine, city)
    assert summary.published is True
    assert summary.snapshot == "v000003"
    with warehouse.open_snapshot(settings) as connection:
        recorded = as_dicts(
            connection, "SELECT run_id, status FROM etl_run ORDER BY run_id"
        )
    assert recorded == [
        {"run_id": 1, "status": "succeeded"},
        {"run_id": 2, "status": "failed"},
        {"run_id": 3, "status": "succeeded"},
    ]
    # The failure is recorded now, so later runs without changes publish nothing.
    for _ in range(2):
        later = load.run(settings, engine, city)
        assert later.published is False
        assert later.snapshot == "v000003"


def test_interrupted_run_recorded(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    # A run killed after it logged its start leaves no end line.
    runlog.append(
        settings, {"run_id": 2, "event": "started", "started_at": T0, "pid": None}
    )
    load.run(settings, engine, city)
    with warehouse.open_snapshot(settings) as connection:
        recorded = as_dicts(
            connection, "SELECT run_id, status, error FROM etl_run ORDER BY run_id"
        )
    assert recorded[1] == {"run_id": 2, "status": "failed", "error": runlog.INTERRUPTED}
    assert recorded[2]["run_id"] == 3


def test_skipped_while_locked(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    with lock.try_lock(settings) as acquired:
        assert acquired
        summary = load.run(settings, engine, city)
    assert summary.skipped is True
    assert summary.snapshot == "v000001"
    assert warehouse.current_version(settings) == "v000001"


def test_compaction_writes_new_base(
    settings, engine, city, writer, tmp_path, monkeypatch
):
    monkeypatch.setattr(segment, "COMPACT_MIN_CASES", 1)
    write_three(writer)
    load.run(settings, engine, city)
    writer.write(1, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    load.run(settings, engine, city)
    assert warehouse.current_manifest(settings).delta == "v000002-delta.duckdb"
    writer.write(2, [closed(T0 + timedelta(days=2))], updated_at=T0 + timedelta(days=2))
    load.run(settings, engine, city)
    manifest = warehouse.current_manifest(settings)
    assert manifest.delta is None
    assert manifest.base == "v000003-base.duckdb"
    assert manifest.base_cases == 3
    assert warehouse_rows(settings) == rebuilt_rows(
        settings, engine, city, tmp_path / "rebuild"
    )


def test_empty_store_publishes(settings, engine, city, writer):
    summary = load.run(settings, engine, city)
    assert summary.read == 0
    assert summary.watermark_updated_at is None
    with warehouse.open_snapshot(settings) as connection:
        assert connection.execute("SELECT count(*) FROM fact_case").fetchall() == [(0,)]
        assert connection.execute("SELECT count(*) FROM dim_date").fetchall() == [(1,)]


def test_full_rebuild_keeps_run_history(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    load.run(settings, engine, city, full=True)
    with warehouse.open_snapshot(settings) as connection:
        runs = as_dicts(
            connection, "SELECT run_id, full_rebuild FROM etl_run ORDER BY 1"
        )
    assert runs == [
        {"run_id": 1, "full_rebuild": True},
        {"run_id": 2, "full_rebuild": True},
    ]


def test_rerun_without_changes_publishes_nothing(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    manifests_before = sorted(warehouse.path(settings, "snapshots").iterdir())
    segments_before = sorted(warehouse.path(settings, "segments").iterdir())
    again = load.run(settings, engine, city)
    assert again.published is False
    assert again.run_id == 2
    assert again.read == 1
    assert again.unchanged == 1
    assert again.inserted == 0
    assert again.updated == 0
    assert again.snapshot == "v000001"
    assert again.watermark_updated_at == T0 + timedelta(hours=3)
    assert again.watermark_case_id == 3
    assert warehouse.current_version(settings) == "v000001"
    assert sorted(warehouse.path(settings, "snapshots").iterdir()) == manifests_before
    assert sorted(warehouse.path(settings, "segments").iterdir()) == segments_before


def test_unpublished_run_in_status(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    load.run(settings, engine, city)
    writer.write(1, [closed(T0 + timedelta(days=1))], updated_at=T0 + timedelta(days=1))
    third = load.run(settings, engine, city)
    assert third.published is True
    assert third.run_id == 3
    assert third.snapshot == "v000003"
    runs = status.recent_runs(settings, limit=5)
    assert [(r["run_id"], r["status"]) for r in runs] == [
        (3, "succeeded"),
        (2, "succeeded"),
        (1, "succeeded"),
    ]
    assert runs[0]["note"] is None
    assert runs[1]["note"] == (
        "no changes; nothing published, snapshot v000001 stayed current"
    )
    assert runs[1]["rows_read"] == 1
    assert runs[1]["inserted"] == 0
    assert runs[1]["snapshot"] is None
    assert runs[1]["started_at"] is not None
    assert runs[1]["finished_at"] is not None
    assert runs[2]["note"] is None
    with warehouse.open_snapshot(settings) as connection:
        recorded = as_dicts(connection, "SELECT run_id FROM etl_run ORDER BY run_id")
    assert recorded == [{"run_id": 1}, {"run_id": 3}]


def test_full_run_always_publishes(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    full = load.run(settings, engine, city, full=True)
    assert full.published is True
    assert full.snapshot == "v000002"
    assert warehouse.current_version(settings) == "v000002"


def test_catalogue_change_publishes(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    with engine.begin() as connection:
        connection.execute(
            update(Department)
            .where(Department.code == "PW")
            .values(name="Public Works and Streets")
        )
    renamed = load.run(settings, engine, city)
    with engine.begin() as connection:
        connection.execute(
            update(ServiceType).where(ServiceType.code == "POTHOLE").values(sla_value=5)
        )
    new_sla = load.run(settings, engine, city)
    assert renamed.published is True
    assert new_sla.published is True
    assert warehouse.current_version(settings) == "v000003"
    with warehouse.open_snapshot(settings) as connection:
        names = connection.execute(
            "SELECT name FROM dim_department WHERE code = 'PW'"
        ).fetchall()
        sla = connection.execute(
            "SELECT sla_value FROM dim_service_type WHERE code = 'POTHOLE'"
        ).fetchall()
    assert names == [("Public Works and Streets",)]
    assert sla == [(5.0,)]


def test_new_city_date_publishes(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    changes = extract.read_changes(engine, since=T0)
    started = status.recent_runs(settings, limit=1)[0]["started_at"]
    today = started.astimezone(city.timezone).date()
    assert unchanged.nothing_to_publish(settings, changes, today, city.timezone)
    tomorrow = today + timedelta(days=1)
    assert not unchanged.nothing_to_publish(settings, changes, tomorrow, city.timezone)


def test_late_commit_is_a_change(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    late = T0 + timedelta(hours=3) - timedelta(minutes=2)
    writer.write(4, [writer.created(late, "POTHOLE")], updated_at=late)
    summary = load.run(settings, engine, city)
    assert summary.published is True
    assert summary.inserted == 1


def test_date_before_year_one_fails_clearly(settings, engine, city, writer):
    write_three(writer)
    load.run(settings, engine, city)
    # 00:30 UTC on 1 January of year 1 is still 31 December 1 BC in the city.
    early = utc(1, 1, 1, 0, 30)
    writer.write(4, [writer.created(early, "POTHOLE")], updated_at=T0)
    with pytest.raises(
        load.EtlRunError, match=r"local date 0001-12-31 \(BC\) is outside"
    ):
        load.run(settings, engine, city, full=True)
    assert warehouse.current_version(settings) == "v000001"
