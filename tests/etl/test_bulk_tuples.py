"""SQLite's tuple path for new cases writes exactly what the dictionary path writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from cases import schema
from cases.db import make_engine
from etl.bulk import HistoryRecord, ImportEvent, store, write_records
from etl.sources.record import RejectedRow
from tests.etl.conftest import NEW_YORK
from tests.etl.records import at, make_record

TABLES = (
    "department",
    "service_type",
    "case",
    "case_event",
    "case_alias",
    "case_number_counter",
)
NOW = datetime(2026, 1, 5, 12, 0, 0, 123456, tzinfo=UTC)
EASTERN = timezone(timedelta(hours=-5))


def mixed_records() -> list:
    """Records covering every branch of event planning for a new case."""
    closed = at("2025-03-04 10:00")
    return [
        make_record("N1", 1),
        make_record("N2", 2, status="closed", closed_at=closed, outcome="resolved"),
        make_record("N3", 3, first_response_at=at("2025-03-02 15:00")),
        make_record("N4", 4, status="in_progress", updated_at=at("2025-03-05 09:00")),
        make_record("N5", 5, status="on_hold", updated_at=at("2025-03-05 09:00")),
        make_record("N6", 6, status="acknowledged", updated_at=at("2025-03-03 08:00")),
        make_record(
            "N7",
            7,
            status="closed",
            closed_at=closed,
            first_response_at=at("2025-03-05 11:00"),
            resolution_notes="Filled the pothole.",
        ),
        make_record(
            "N8", 8, status="new", closed_at=closed, flags={"status_date_mismatch"}
        ),
        make_record(
            "N9",
            9,
            status="closed",
            closed_at=closed,
            outcome="duplicate",
            parent_external_id="N1",
        ),
        make_record(
            "N10",
            10,
            created_at=datetime(2025, 12, 31, 23, 30, tzinfo=EASTERN),
            due_at=datetime(2026, 1, 2, 17, 0, tzinfo=EASTERN),
            address=None,
            latitude=None,
            longitude=None,
            district="Ward 3",
            description='Quote " and backslash \\ and ü',
            channel="phone",
            department_code="",
            department_name="",
        ),
        RejectedRow(11, "created date missing", "N11,,DPW"),
        make_record("N1", 12),
        HistoryRecord(
            row_number=13,
            source="testcity",
            external_id="H1",
            service_code="pothole",
            service_name="Pothole",
            department_code="DPW",
            department_name="Public Works",
            status="new",
            created_at=at("2025-03-02 14:00"),
            events=[
                ImportEvent("assigned", at("2025-03-02 16:00"), {"assignee": "crew"}),
                ImportEvent(
                    "closed",
                    at("2025-03-03 10:00"),
                    {"status": "closed", "outcome": "resolved"},
                    note="done",
                    public=True,
                ),
            ],
        ),
    ]


def store_of(tmp_path: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    schema.upgrade(engine)
    return engine


def write_both(tmp_path: Path, records, **options) -> tuple[Engine, Engine]:
    engines = []
    for name, tuples in (("tuples.sqlite", True), ("rows.sqlite", False)):
        engine = store_of(tmp_path, name)
        for batch in records:
            write_records(
                engine,
                batch(),
                zone=NEW_YORK,
                rejects_dir=tmp_path / f"rejects-{name}",
                source="testcity",
                clock=lambda: NOW,
                driver_tuples=tuples,
                **options,
            )
        engines.append(engine)
    return engines[0], engines[1]


def table_rows(engine: Engine, table: str) -> list[tuple]:
    with engine.connect() as connection:
        return list(connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1, 2')))


@pytest.mark.parametrize("batch_size", [1, 3, 5000])
def test_tuples_match_rows(tmp_path, batch_size):
    tuples, rows = write_both(tmp_path, [mixed_records], batch_size=batch_size)
    for table in TABLES:
        assert table_rows(tuples, table) == table_rows(rows, table), table
    assert len(table_rows(tuples, "case")) == 11


def test_tuples_match_after_update(tmp_path):
    later = lambda: [  # noqa: E731
        make_record("N1", 1, status="closed", closed_at=at("2025-03-06 10:00")),
        make_record("N20", 2, status="in_progress", updated_at=at("2025-03-06 09:00")),
    ]
    tuples, rows = write_both(tmp_path, [mixed_records, later])
    for table in TABLES:
        assert table_rows(tuples, table) == table_rows(rows, table), table


def test_sqlite_fetch_matches_core(tmp_path):
    engine, _ = write_both(tmp_path, [mixed_records])
    ids = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N10", "H1", "X"]
    query = select(*store._STORED_COLUMNS).where(store.CASE.c.source == "testcity")
    with engine.connect() as connection:
        fetched = store.fetch_stored(connection, "testcity", ids)
        expected = {row.external_id: row._asdict() for row in connection.execute(query)}
    assert len(fetched) == 11
    for external_id, row in expected.items():
        assert fetched[external_id] == row, external_id
        for name, value in row.items():
            assert type(fetched[external_id][name]) is type(value), name


def test_json_text_values():
    import numpy as np

    value = {
        "latitude": np.float64(39.5),
        "count": np.int64(3),
        "missing": float("nan"),
        "at": datetime(2025, 1, 1, 9, 30, tzinfo=EASTERN),
        "name": "Müller",
    }
    expected = (
        '{"latitude":39.5,"count":3,"missing":null,'
        '"at":"2025-01-01T09:30:00-05:00","name":"Müller"}'
    )
    assert store.json_text(value) == expected
    assert store.json_text({}) == "{}"
