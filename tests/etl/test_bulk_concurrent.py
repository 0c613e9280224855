"""Two imports of the same rows at once, each with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cases.db import make_engine
from cases.models import Case, Department, ServiceType
from etl.bulk import ImportSummary, write_records
from etl.sources import nyc
from tests.etl.conftest import NEW_YORK
from tests.etl.records import make_record
from tests.etl.sources.test_nyc import PORTAL_HEADER, row

ROWS = 1500
DEPARTMENTS = ["DPW", "PARKS", "WATER", "POLICE", "FIRE"]


def started_together(items: Iterable, barrier: threading.Barrier) -> Iterator:
    """Yield ``items`` once both imports have loaded the catalogue."""
    barrier.wait(timeout=60)
    yield from items


def record_items(tmp_path: Path) -> list:
    return [
        make_record(
            f"R{i}",
            row_number=i,
            department_code=DEPARTMENTS[i % 5],
            department_name=DEPARTMENTS[i % 5].title(),
            service_code=f"TYPE_{i % 7}",
            service_name=f"Type {i % 7}",
        )
        for i in range(1, ROWS + 1)
    ]


def nyc_blocks(tmp_path: Path) -> list:
    path = tmp_path / "nyc.csv"
    lines = [
        row(str(i), "01/22/2018 09:15:00 AM", "01/23/2018 10:00:00 AM")
        for i in range(1, ROWS + 1)
    ]
    path.write_text(PORTAL_HEADER + "".join(lines))
    return list(nyc.read_blocks(path))


def import_rows(engine, items: Iterable, rejects_dir: Path) -> ImportSummary:
    return write_records(
        engine,
        items,
        zone=NEW_YORK,
        rejects_dir=rejects_dir,
        source="testcity",
        batch_size=100,
    )


@pytest.mark.parametrize("items", [record_items, nyc_blocks])
def test_first_imports_race(engine, database_url, tmp_path, items):
    prepared = [items(tmp_path) for _ in range(2)]
    engines = [engine, make_engine(database_url)]
    barrier = threading.Barrier(2)
    summaries: list[ImportSummary] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            summary = import_rows(
                engines[index],
                started_together(prepared[index], barrier),
                tmp_path / f"rejects{index}",
            )
            summaries.append(summary)
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    engines[1].dispose()
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert len(summaries) == 2
    for summary in summaries:
        assert summary.read == ROWS
        assert summary.read == (
            summary.inserted + summary.updated + summary.unchanged + summary.rejected
        )
        assert summary.rejected == 0
    assert sum(summary.inserted for summary in summaries) == ROWS
    expected_departments = 5 if items is record_items else 1
    expected_types = 7 if items is record_items else 1
    created_departments = sum(s.created_departments for s in summaries)
    created_types = sum(s.created_service_types for s in summaries)
    assert created_departments == expected_departments
    assert created_types == expected_types
    with engine.connect() as connection:
        codes = connection.execute(select(Department.code)).scalars().all()
        type_codes = connection.execute(select(ServiceType.code)).scalars().all()
        cases = connection.execute(select(func.count()).select_from(Case)).scalar()
    assert len(codes) == len(set(codes))
    assert len(type_codes) == len(set(type_codes))
    assert cases == ROWS


def test_imports_race_known_catalogue(engine, database_url, tmp_path):
    """The departments and types exist, so only the case rows can collide."""
    first = import_rows(engine, record_items(tmp_path)[:35], tmp_path / "rejects")
    assert first.inserted == 35
    engines = [engine, make_engine(database_url)]
    barrier = threading.Barrier(2)
    summaries: list[ImportSummary] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        items = started_together(record_items(tmp_path), barrier)
        try:
            summaries.append(
                import_rows(engines[index], items, tmp_path / f"rejects{index}")
            )
        except BaseException as error:  # noqa: BLE001 - reported by the assert below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    engines[1].dispose()
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sum(summary.inserted for summary in summaries) == ROWS - 35
    for summary in summaries:
        assert summary.read == ROWS
        assert summary.read == summary.inserted + summary.unchanged
        assert summary.created_departments == 0
    with engine.connect() as connection:
        cases = connection.execute(select(func.count()).select_from(Case)).scalar()
    assert cases == ROWS


def test_writer_thread_error_with_queued_batch():
    """``finish`` raises the thread's error although a batch is still queued."""
    from etl.bulk.progress import Progress
    from etl.bulk.writer import _Batch, _Writing

    started = threading.Event()
    release = threading.Event()

    def flush(batch: _Batch) -> None:
        started.set()
        release.wait(timeout=60)
        raise RuntimeError("write failed")

    writing = _Writing(flush, Progress(ImportSummary(source="t")), background=True)
    writing.write(_Batch(), 1, 0)
    assert started.wait(timeout=60)
    writing.write(_Batch(), 2, 0)
    release.set()
    outcome: list[BaseException | None] = []

    def finish() -> None:
        try:
            writing.finish()
            outcome.append(None)
        except RuntimeError as error:
            outcome.append(error)

    finisher = threading.Thread(target=finish, daemon=True)
    finisher.start()
    finisher.join(timeout=30)
    assert not finisher.is_alive()
    assert [str(error) for error in outcome] == ["write failed"]
