"""The ingest process: a constraint hit falls back, a dead process fails clearly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cases import schema
from cases.db import make_engine
from etl.bulk import BulkWriter, write_records
from etl.bulk.ingest import IngestError, IngestProcess
from etl.sources import nyc
from tests.etl.conftest import NEW_YORK
from tests.etl.test_bulk_blocks import line, write_csv
from tests.etl.test_bulk_tuples import NOW, store_of, table_rows


def import_file(engine, path, tmp_path, **options):
    return write_records(
        engine,
        nyc.read_blocks(path),
        zone=NEW_YORK,
        rejects_dir=tmp_path / "rejects",
        source="nyc",
        clock=lambda: NOW,
        **options,
    )


@pytest.fixture
def sent(monkeypatch) -> list[tuple[int, int]]:
    """Record (cases, parts) of every batch sent to the ingest process."""
    calls: list[tuple[int, int]] = []
    original = IngestProcess.send

    def send(self, tables, context):
        calls.append((tables.cases.num_rows, len(context)))
        return original(self, tables, context)

    monkeypatch.setattr(IngestProcess, "send", send)
    return calls


def test_new_cases_go_through_ingest(tmp_path, sent):
    engine = store_of(tmp_path, "store.sqlite")
    lines = [line(str(key)) for key in range(1, 13)]
    path = write_csv(tmp_path / "a.csv", lines)
    summary = import_file(engine, path, tmp_path, batch_size=5)
    assert summary.inserted == 12
    # The first batch creates the department and type, so it is written here.
    assert [cases for cases, _ in sent] == [5, 2]
    numbers = [row[1] for row in table_rows(engine, "case")]
    assert len(set(numbers)) == 12


def test_constraint_hit_writes_batch_again(tmp_path, monkeypatch, caplog):
    engine = store_of(tmp_path, "store.sqlite")
    first = [line(str(key)) for key in range(1, 11)]
    import_file(engine, write_csv(tmp_path / "a.csv", first), tmp_path)
    second = [line(str(key)) for key in range(21, 26)] + [
        line(str(key)) for key in range(5, 15)
    ]
    # The lookup before sending misses the stored cases 5 to 10, as when
    # another import stores them in between.
    lookup = BulkWriter._fetch_stored
    calls = []

    def stale_lookup(self, connection, batch):
        calls.append(len(calls))
        return {} if len(calls) == 2 else lookup(self, connection, batch)

    monkeypatch.setattr(BulkWriter, "_fetch_stored", stale_lookup)
    with caplog.at_level(logging.INFO, logger="etl.bulk.writer"):
        summary = import_file(
            engine, write_csv(tmp_path / "b.csv", second), tmp_path, batch_size=5
        )
    assert (summary.inserted, summary.unchanged) == (9, 6)
    assert summary.read == 15
    assert "met a constraint in the ingest process" in caplog.text
    external_ids = sorted(int(row[19]) for row in table_rows(engine, "case"))
    assert external_ids == list(range(1, 15)) + list(range(21, 26))


def test_dead_ingest_process_fails_import(tmp_path, monkeypatch):
    engine = store_of(tmp_path, "store.sqlite")
    start = IngestProcess.start

    def start_and_kill(self):
        start(self)
        self.process.kill()
        self.process.wait()

    monkeypatch.setattr(IngestProcess, "start", start_and_kill)
    lines = [line(str(key)) for key in range(1, 13)]
    path = write_csv(tmp_path / "a.csv", lines)
    with pytest.raises(IngestError, match="ingest process failed"):
        import_file(engine, path, tmp_path, batch_size=5)
    # The first batch was written in this process and stays.
    assert len(table_rows(engine, "case")) == 5


def test_store_named_like_uri(tmp_path, monkeypatch):
    # SQLite may read "file:rel/store.sqlite" as a URI naming rel/store.sqlite;
    # the ingest process must write into the file this process has open.
    monkeypatch.chdir(tmp_path)
    for folder in ("file:rel", "rel"):
        Path(folder).mkdir()
    engine = make_engine("sqlite:///file:rel/store.sqlite")
    schema.upgrade(engine)
    lines = [line(str(key)) for key in range(1, 13)]
    path = write_csv(tmp_path / "a.csv", lines)
    summary = import_file(engine, path, tmp_path, batch_size=5)
    assert summary.inserted == 12
    assert len(table_rows(engine, "case")) == 12


def test_batch_across_blocks_is_one_transaction(tmp_path, monkeypatch, sent):
    monkeypatch.setattr("etl.sources.csvread.BLOCK_BYTES", 512)
    engine = store_of(tmp_path, "store.sqlite")
    lines = [line(str(key)) for key in range(1, 21)]
    path = write_csv(tmp_path / "a.csv", lines)
    summary = import_file(engine, path, tmp_path, batch_size=5)
    assert summary.inserted == 20
    # Blocks of a few rows: each batch of 5 is sent whole, in one frame.
    assert [rows for rows, _ in sent] == [5, 5, 5]
    assert any(parts > 1 for _, parts in sent)
    ids = [row[0] for row in table_rows(engine, "case")]
    assert ids == list(range(1, 21))
