"""Write imported records into the case store in batches.

Each batch is one transaction: create missing departments and service types,
read the stored cases of the batch's source ids with one query, insert new
cases with their events and aliases, and append events to cases that a newer
export changed. Rows go through SQLAlchemy Core executemany, never one ORM
object per row.
"""

from __future__ import annotations

import gc
import json
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cases.lifecycle import CHANNELS, OUTCOMES, STATUSES
from cases.numbering import reserve_sequences
from cases.numbers import format_case_number
from cases.projection import encode, rebuild
from cases.quality import FUTURE_DATE
from etl.bulk import columnar, store
from etl.bulk import fresh as fresh_rows
from etl.bulk.catalogue import Catalogue
from etl.bulk.checks import (
    FUTURE_TOLERANCE,
    MAX_LENGTHS,
    RecordError,
    check_record,
)
from etl.bulk.columnar import FLAG_TEXT, BlockColumns, case_numbers, fresh_tuples
from etl.bulk.damaged import keep_readable_text
from etl.bulk.events import (
    HistoryRecord,
    ImportEvent,
    created_after,
    derive_events,
    replay,
)
from etl.bulk.fresh_arrow import FreshTables, fresh_tables
from etl.bulk.ingest import IngestError, IngestProcess, IngestResult
from etl.bulk.plan import plan_update, stated_fields
from etl.bulk.progress import Progress
from etl.rejects import RejectsFile, rejects_path
from etl.sources.batch import RecordBlock
from etl.sources.checks import BIT
from etl.sources.record import RejectedRow, SourceRecord
from etl.sqlite_reader import main_file

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
_STATUSES_SET = frozenset(STATUSES)
_OUTCOMES_SET = frozenset(OUTCOMES)
_CHANNELS_SET = frozenset(CHANNELS)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ImportSummary:
    """Counts of one import; ``read`` is always the sum of the four outcomes."""

    source: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    rejects_file: Path | None = None
    seconds: float = 0.0
    created_departments: int = 0
    created_service_types: int = 0
    # Updated or unchanged rows whose damaged text (U+FFFD where the stored
    # case has readable characters) was not stored; see etl.bulk.damaged.
    damaged_text_kept: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "flagged": self.flagged,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
            "seconds": round(self.seconds, 3),
            "created_departments": self.created_departments,
            "created_service_types": self.created_service_types,
            "damaged_text_kept": self.damaged_text_kept,
        }


@dataclass
class _Pending:
    """A checked record waiting in the current batch."""

    record: SourceRecord
    flags: str
    key: tuple[str, str]
    events: list[ImportEvent] = field(default_factory=list)


class _SharedBlock:
    """A block whose rows may fall into several batches, with its columns for
    new cases built once, when first needed."""

    def __init__(self, block: RecordBlock, zone: ZoneInfo) -> None:
        self.block = block
        self.zone = zone

    @cached_property
    def columns(self) -> BlockColumns:
        return BlockColumns(self.block, self.zone)


@dataclass
class _BlockRows:
    """Checked rows of one block waiting in the current batch, by position."""

    shared: _SharedBlock
    source: str
    positions: list[int]

    @property
    def block(self) -> RecordBlock:
        return self.shared.block

    @property
    def columns(self) -> BlockColumns:
        return self.shared.columns

    def keys(self) -> list[tuple[str, str]]:
        ids = self.block.external_id
        return [(self.source, ids[i]) for i in self.positions]

    def record(self, i: int) -> SourceRecord:
        record = self.block.item(i)
        assert isinstance(record, SourceRecord)
        record.source = self.source
        return record


@dataclass
class _Batch:
    """The checked rows of one transaction, in the order they were read."""

    parts: list[list[_Pending] | _BlockRows] = field(default_factory=list)
    size: int = 0

    def add(self, pending: _Pending) -> None:
        if not self.parts or not isinstance(self.parts[-1], list):
            self.parts.append([])
        self.parts[-1].append(pending)
        self.size += 1

    def add_rows(self, rows: _BlockRows) -> None:
        self.parts.append(rows)
        self.size += len(rows.positions)


class _Writing:
    """Write batches, on SQLite in a background thread one batch behind the
    reader, and report progress after each.

    The sqlite3 module releases the GIL while SQLite executes a statement, so
    the next batch is read and checked while this one is written. The queue
    contains at most one batch. An error in the thread is raised by the next
    ``write`` or by ``finish``, and no later batch is written.
    """

    def __init__(
        self,
        flush: Callable[[_Batch], None],
        progress: Progress,
        *,
        background: bool,
    ) -> None:
        self.flush = flush
        self.progress = progress
        self.error: BaseException | None = None
        self.queue: queue.Queue | None = None
        self.thread: threading.Thread | None = None
        if background:
            self.queue = queue.Queue(maxsize=1)
            self.thread = threading.Thread(
                target=self._run, name="bulk-writer", daemon=True
            )
            self.thread.start()

    def write(self, batch: _Batch, read: int, rejected: int) -> None:
        """Write ``batch``; ``read`` and ``rejected`` are the counts for its
        progress line."""
        if self.queue is None:
            self._write(batch, read, rejected)
            return
        self._raise()
        while True:
            try:
                self.queue.put((batch, read, rejected), timeout=0.1)
                return
            except queue.Full:
                self._raise()

    def finish(self) -> None:
        """Wait for every batch to be written; raise the thread's error."""
        if self.queue is not None and self.thread is not None:
            # The thread stops taking jobs after an error, so a blocking put
            # into the full queue would wait forever.
            while True:
                try:
                    self.queue.put(None, timeout=0.1)
                    break
                except queue.Full:
                    self._raise()
            self.thread.join()
            self.thread = None
        self._raise()

    def stop(self) -> None:
        """Write the batches already queued, then end the thread.

        Called when reading failed: batches completed before the failure are
        committed, as when they were written in the reading thread.
        """
        thread, jobs = self.thread, self.queue
        if thread is None or jobs is None:
            return
        while thread.is_alive():
            try:
                jobs.put(None, timeout=0.1)
                break
            except queue.Full:
                continue
        thread.join()
        self.thread = None

    def _run(self) -> None:
        assert self.queue is not None
        while True:
            job = self.queue.get()
            if job is None:
                return
            try:
                self._write(*job)
            except BaseException as error:  # raised again in the reading thread
                self.error = error
                return

    def _write(self, batch: _Batch, read: int, rejected: int) -> None:
        self.flush(batch)
        self.progress.batch_written(read, rejected)

    def _raise(self) -> None:
        error = self.error
        if error is not None and not isinstance(error, _Stopped):
            self.error = _Stopped()
            raise error


class _Stopped(Exception):
    """Marks a writer thread error that was already raised."""


class BulkWriter:
    """Upsert records by (source, external id) into the case store.

    ``zone`` is the city's time zone, which decides the year of a case number.
    ``source_name`` replaces the records' own source name when given.
    ``configured_types`` supplies SLAs for types an import creates (see
    ``Catalogue``). ``driver_tuples=False`` makes SQLite insert new cases
    through the same dictionaries as PostgreSQL, which tests compare with the
    default tuple path.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        zone: ZoneInfo,
        rejects_dir: Path,
        source: str,
        source_name: str | None = None,
        configured_types: Mapping[str, Any] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], datetime] = utc_now,
        driver_tuples: bool = True,
        ingest_process: bool = True,
    ) -> None:
        self.engine = engine
        self.zone = zone
        self.source_name = source_name
        self.batch_size = batch_size
        self.clock = clock
        self.driver_tuples = driver_tuples
        self.ingest_process = ingest_process
        self._ingest: IngestProcess | None = None
        # Sources with no stored case when this import first met them: their
        # new batches need no lookup, since a repeated id is rejected here and
        # a case another import stores meanwhile fails a constraint.
        self._new_sources: set[str] = set()
        self._checked_sources: set[str] = set()
        self.catalogue = Catalogue(configured_types)
        label = source_name or source
        self.summary = ImportSummary(source=label)
        self.rejects = RejectsFile(rejects_path(rejects_dir, label, clock()))
        # The external ids this import has accepted, by source.
        self._seen: dict[str, set[str]] = {}
        self._expect_new = True
        self._future_limit = clock() + FUTURE_TOLERANCE

    def write(self, items: Iterable[SourceRecord | RejectedRow]) -> ImportSummary:
        """Write every item and return the counts; rejects go to the rejects file."""
        started = time.perf_counter()
        log.info("import of %s started", self.summary.source)
        self._future_limit = self.clock() + FUTURE_TOLERANCE
        with self.engine.connect() as connection:
            self.catalogue.load(connection)
        sqlite = self.engine.dialect.name == "sqlite"
        columnar = self.driver_tuples and sqlite
        self._batch = _Batch()
        progress = Progress(self.summary)
        self._writing = _Writing(self._flush, progress, background=sqlite)
        if columnar and self.ingest_process:
            with self.engine.connect() as connection:
                database = main_file(connection.connection.driver_connection)
            if database:
                self._ingest = IngestProcess(database)
        try:
            for item in items:
                if isinstance(item, RecordBlock):
                    if columnar and self._take_block(item):
                        continue
                    for row in item:
                        self._take(row)
                else:
                    self._take(item)
            if self._batch.size:
                self._write_full_batch()
            self._writing.finish()
            if self._ingest is not None:
                self._settle(self._ingest.drain())
        finally:
            self._writing.stop()
            if self._ingest is not None:
                self._ingest.close()
                self._ingest = None
            self.rejects.close()
            progress.close()
        summary = self.summary
        summary.rejects_file = self.rejects.written_path
        summary.seconds = time.perf_counter() - started
        summary.created_departments = self.catalogue.created_departments
        summary.created_service_types = self.catalogue.created_types
        log.info(
            "import of %s finished in %.1f s: read %d, inserted %d, updated %d, "
            "unchanged %d, rejected %d, flagged %d, damaged text kept %d",
            summary.source,
            summary.seconds,
            summary.read,
            summary.inserted,
            summary.updated,
            summary.unchanged,
            summary.rejected,
            summary.flagged,
            summary.damaged_text_kept,
        )
        return summary

    def _take(self, item: SourceRecord | RejectedRow) -> None:
        """Count and check one item; write the batch when it is full."""
        self.summary.read += 1
        pending = self._accept(item)
        if pending is not None:
            self._batch.add(pending)
        if self._batch.size >= self.batch_size:
            self._write_full_batch()

    def _write_full_batch(self) -> None:
        self._writing.write(self._batch, self.summary.read, self.summary.rejected)
        self._batch = _Batch()

    def _take_block(self, block: RecordBlock) -> bool:
        """Check a block's rows as ``_take`` would, one row at a time, and
        batch the accepted ones by position; return False, having done
        nothing, when the block needs the record path."""
        if block.rejects:
            return False
        if block.n == 0:
            return True
        sources = set(block.source)
        if self.source_name:
            source = self.source_name
        elif len(sources) == 1:
            (source,) = sources
        else:
            return False
        _flag_future(block, self._future_limit)
        if self._ingest is not None and not self._ingest.started:
            # Started here, in the reading thread, which outlives its use.
            self._ingest.start()
        if self._ingest is not None and source not in self._checked_sources:
            self._checked_sources.add(source)
            if not store.has_cases(self.engine, source):
                self._new_sources.add(source)
        shared = _SharedBlock(block, self.zone)
        if self._expect_new:
            # Build the columns here, where they overlap with the writer
            # thread, unless the last block had no new case (a re-import).
            shared.columns  # noqa: B018
        accepted, rejected, flagged = self._check_block(block, source)
        summary = self.summary
        summary.flagged += flagged
        read_before = summary.read
        numbers = block.row_numbers
        written = 0  # rejects written so far

        def write_rejects(before: int) -> None:
            nonlocal written
            while written < len(rejected) and rejected[written][0] < before:
                i, reason, raw = rejected[written]
                self._reject(numbers[i], reason, raw)
                written += 1

        start = 0
        while start < len(accepted):
            need = self.batch_size - self._batch.size
            taken = accepted[start : start + need]
            start += len(taken)
            self._batch.add_rows(_BlockRows(shared, source, taken))
            if self._batch.size >= self.batch_size:
                last = taken[-1]
                write_rejects(last)
                summary.read = read_before + last + 1
                self._write_full_batch()
        write_rejects(block.n)
        summary.read = read_before + block.n
        return True

    def _check_block(
        self, block: RecordBlock, source: str
    ) -> tuple[list[int], list[tuple[int, str, str]], int]:
        """Check a block's rows as ``_take`` would.

        Returns the positions accepted, the rejects (position, reason, raw
        text) and the number of accepted rows with a flag.
        """
        quick = _block_fits(block)
        seen = self._seen.setdefault(source, set())
        n = block.n
        flag_bits = block.flag_bits

        if quick and block.reasons.count(None) == n:
            # The usual block: every row readable and new to this import.
            ids = set(block.external_id)
            if len(ids) == n and seen.isdisjoint(ids):
                seen |= ids
                return list(range(n)), [], n - flag_bits.count(0)

        accepted: list[int] = []
        rejected: list[tuple[int, str, str]] = []
        flagged = 0
        for i, (external_id, reason) in enumerate(
            zip(block.external_id, block.reasons, strict=True)
        ):
            if reason is not None:
                rejected.append((i, reason, block.batch.chunk.raw_row(i)))
                continue
            if not quick:
                record = block.item(i)
                record.source = source
                try:
                    check_record(record)
                except RecordError as error:
                    rejected.append((i, str(error), f"external_id={external_id}"))
                    continue
            if external_id in seen:
                reason = (
                    f"external id {external_id} repeats an earlier row of this "
                    "import; the first row was kept"
                )
                rejected.append((i, reason, f"external_id={external_id}"))
                continue
            seen.add(external_id)
            accepted.append(i)
            if flag_bits[i]:
                flagged += 1
        return accepted, rejected, flagged

    def _accept(self, item: SourceRecord | RejectedRow) -> _Pending | None:
        """Check one item; reject it (and return None) or return it for the batch."""
        if isinstance(item, RejectedRow):
            self._reject(item.row_number, item.reason, item.raw)
            return None
        if self.source_name:
            item.source = self.source_name
        try:
            flags = check_record(item, self._future_limit)
        except RecordError as error:
            self._reject(item.row_number, str(error), f"external_id={item.external_id}")
            return None
        key = (item.source, item.external_id)
        seen = self._seen.setdefault(item.source, set())
        if item.external_id in seen:
            self._reject(
                item.row_number,
                f"external id {item.external_id} repeats an earlier row of this "
                "import; the first row was kept",
                f"external_id={item.external_id}",
            )
            return None
        seen.add(item.external_id)
        if flags:
            self.summary.flagged += 1
        return _Pending(item, flags, key)

    def _reject(self, row_number: int, reason: str, raw: str) -> None:
        self.summary.rejected += 1
        self.rejects.write(row_number, reason, raw)

    def _flush(self, batch: _Batch) -> None:
        # A batch allocates many small containers and no reference cycles, so
        # the cyclic garbage collector only costs time while it runs.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._write_batch(batch)
        finally:
            if collecting:
                gc.enable()

    def _write_batch(self, batch: _Batch, *, ingest: bool = True) -> None:
        """Write one batch in one transaction, or send it to the ingest process.

        The ingest process takes a batch of block rows whose cases are all new.
        Any other batch is written here, after every batch sent earlier has
        been inserted, so ids follow the order of the rows and records can
        name earlier cases as parents.
        """
        now = self.clock()
        if self._ingest is not None and ingest:
            # After a batch with stored cases (a re-import), the next is
            # likely the same, and the lookup would only be made twice.
            if self._expect_new and self._send_all_new(batch, now):
                return
            self._settle(self._ingest.drain())
        with Session(self.engine) as session, session.begin():
            connection = session.connection()
            store.lock_sources(connection, _batch_sources(batch))
            self.catalogue.ensure(
                connection, _catalogue_records(batch), self.summary.source
            )
            stored = self._fetch_stored(connection, batch)
            known = {key: row["id"] for key, row in stored.items()}
            changed: list[_Pending] = []
            for part in batch.parts:
                if isinstance(part, _BlockRows):
                    changed += self._insert_block(session, part, stored, known, now)
                    continue
                fresh = [p for p in part if p.key not in stored]
                self._insert_new(session, fresh, known, now)
                changed += [p for p in part if p.key in stored]
            self._update_existing(connection, changed, stored, known, now)

    def _send_all_new(self, batch: _Batch, now: datetime) -> bool:
        """Send a batch of block rows whose cases are all new and codes known.

        Such a batch writes nothing in this process, so it is looked up in a
        read transaction, which does not wait for the write lock that the
        ingest process holds while it inserts the batch before. Returns False,
        having sent nothing, when a row's case is stored or a code is missing.
        """
        if not self._knows_codes(batch):
            return False
        if not _batch_sources(batch) <= self._new_sources:
            with self.engine.connect() as connection:
                connection = connection.execution_options(sqlite_deferred=True)
                with connection.begin():
                    if self._fetch_stored(connection, batch):
                        return False
        self._expect_new = True
        parts = [
            (part, part.positions)
            for part in batch.parts
            if isinstance(part, _BlockRows)
        ]
        self._send_fresh(parts, now)
        return True

    def _knows_codes(self, batch: _Batch) -> bool:
        """Tell whether every department and service code of the block rows
        of ``batch`` is stored, as ``Catalogue.ensure`` would find them."""
        departments: set[str | None] = set()
        services: set[str] = set()
        for part in batch.parts:
            if not isinstance(part, _BlockRows):
                return False
            block = part.block
            departments.update(block.department_code[i] for i in part.positions)
            services.update(block.service_code[i] for i in part.positions)
        return self.catalogue.knows_codes(departments, services)

    def _send_fresh(
        self, parts: list[tuple[_BlockRows, list[int]]], now: datetime
    ) -> None:
        """Send the new cases of a batch's parts (block rows and positions) to
        the ingest process, which inserts them in one transaction."""
        assert self._ingest is not None
        now_text = store.sqlite_datetime(now)
        tables = []
        first_id = 0
        for rows, fresh in parts:
            tables.append(
                fresh_tables(
                    rows.columns,
                    fresh,
                    [rows.columns.years[i] for i in fresh],
                    self.catalogue.types.__getitem__,
                    self.catalogue.department_id,
                    rows.source,
                    now_text,
                    first_id,
                )
            )
            first_id += len(fresh)
        # Counted when sent, so progress lines read as on the other paths; a
        # batch that comes back rolled back is taken out again.
        self.summary.inserted += first_id
        self._settle(self._ingest.send(FreshTables.joined(tables), parts))

    def _settle(self, results: list[IngestResult]) -> None:
        """Check the batches sent; write a batch that met a constraint here.

        A constraint fails when another import stored some of the batch's
        cases after this writer looked them up. Writing the rows again in this
        process updates those cases and inserts the rest.
        """
        for result in results:
            parts = result.context
            if result.ok:
                continue
            count = sum(len(fresh) for _, fresh in parts)
            self.summary.inserted -= count
            if not result.integrity:
                raise IngestError(f"inserting new cases failed: {result.error}")
            log.info(
                "import of %s: %d new cases met a constraint in the ingest "
                "process (%s); writing them again",
                self.summary.source,
                count,
                result.error,
            )
            retry = _Batch()
            for rows, fresh in parts:
                retry.add_rows(_BlockRows(rows.shared, rows.source, fresh))
            self._write_batch(retry, ingest=False)

    def _insert_block(
        self,
        session: Session,
        rows: _BlockRows,
        stored: dict[tuple[str, str], dict[str, Any]],
        known: dict[tuple[str, str], int],
        now: datetime,
    ) -> list[_Pending]:
        """Insert the block rows that are new; return the others as records."""
        keys = rows.keys()
        fresh = [
            i for i, key in zip(rows.positions, keys, strict=True) if key not in stored
        ]
        changed = [
            _Pending(rows.record(i), FLAG_TEXT[rows.block.flag_bits[i]], key)
            for i, key in zip(rows.positions, keys, strict=True)
            if key in stored
        ]
        self._expect_new = bool(fresh)
        if not fresh:
            return changed
        connection = session.connection()
        ids = store.allocate_case_ids(connection, len(fresh))
        years = [rows.columns.years[i] for i in fresh]
        numbers = case_numbers(
            years, lambda year, count: reserve_sequences(session, year, count)
        )
        catalogue = self.catalogue
        now_text = store.sqlite_datetime(now)
        cases, aliases, events = fresh_tuples(
            rows.columns,
            fresh,
            ids,
            numbers,
            catalogue.types.__getitem__,
            catalogue.department_id,
        )
        columnar.insert(connection, cases, aliases, events, rows.source, now_text)
        source = rows.source
        external_ids = rows.block.external_id
        known.update(
            ((source, external_ids[i]), case_id)
            for i, case_id in zip(fresh, ids, strict=True)
        )
        self.summary.inserted += len(fresh)
        return changed

    def _fetch_stored(
        self, connection: Connection, batch: _Batch
    ) -> dict[tuple[str, str], dict[str, Any]]:
        by_source: dict[str, set[str]] = {}
        for part in batch.parts:
            if isinstance(part, _BlockRows):
                ids = by_source.setdefault(part.source, set())
                external_ids = part.block.external_id
                ids.update(external_ids[i] for i in part.positions)
                continue
            for pending in part:
                ids = by_source.setdefault(pending.record.source, set())
                ids.add(pending.record.external_id)
                for parent in _parent_references(pending.record):
                    ids.add(parent)
        stored: dict[tuple[str, str], dict[str, Any]] = {}
        for source, ids in by_source.items():
            for external_id, row in store.fetch_stored(connection, source, ids).items():
                stored[(source, external_id)] = row
        return stored

    def _target_events(
        self, pending: _Pending, known: dict[tuple[str, str], int]
    ) -> list[ImportEvent]:
        record = pending.record
        parent_id = None
        if record.parent_external_id:
            parent_id = known.get((record.source, record.parent_external_id))
        service_type_id = self.catalogue.types[record.service_code]
        department_id = self.catalogue.department_id(record.department_code)
        created = created_after(
            record, service_type_id, department_id, pending.flags, parent_id
        )
        if isinstance(record, HistoryRecord):
            first = ImportEvent("created", record.created_at, created)
            resolved = [
                _resolve(e, record.source, known, self.catalogue) for e in record.events
            ]
            return [first, *resolved]
        return derive_events(record, created, parent_id)

    def _insert_new(
        self,
        session: Session,
        fresh: list[_Pending],
        known: dict[tuple[str, str], int],
        now: datetime,
    ) -> None:
        if not fresh:
            return
        connection = session.connection()
        ids = store.allocate_case_ids(connection, len(fresh))
        numbers = self._case_numbers(session, [p.record for p in fresh])
        for pending, case_id in zip(fresh, ids, strict=True):
            known[pending.key] = case_id
        if self.driver_tuples and connection.dialect.name == "sqlite":
            self._insert_new_tuples(connection, fresh, ids, numbers, known, now)
        else:
            self._insert_new_rows(connection, fresh, ids, numbers, known, now)
        self.summary.inserted += len(fresh)

    def _insert_new_rows(
        self,
        connection: Connection,
        fresh: list[_Pending],
        ids: list[int],
        numbers: list[str],
        known: dict[tuple[str, str], int],
        now: datetime,
    ) -> None:
        """Insert new cases through ``store``'s dictionaries (any database)."""
        cases, events, aliases = [], [], []
        for pending, case_id, number in zip(fresh, ids, numbers, strict=True):
            record = pending.record
            planned = self._target_events(pending, known)
            row, befores = replay(planned)
            row["id"] = case_id
            row["case_number"] = number
            row["source"] = record.source
            row["external_id"] = record.external_id
            row["updated_at"] = now
            row["version"] = 1
            cases.append(row)
            aliases.append({"alias": record.external_id, "case_id": case_id})
            actor = f"import:{record.source}"
            for event, before in zip(planned, befores, strict=True):
                events.append(_event_row(case_id, event, before, actor, now))
        store.insert_cases(connection, cases)
        store.insert_aliases(connection, aliases)
        store.insert_events(connection, events)

    def _insert_new_tuples(
        self,
        connection: Connection,
        fresh: list[_Pending],
        ids: list[int],
        numbers: list[str],
        known: dict[tuple[str, str], int],
        now: datetime,
    ) -> None:
        """Insert new cases as driver tuples (SQLite only), the same rows as
        ``_insert_new_rows`` writes."""
        now_text = store.sqlite_datetime(now)
        cases, events, aliases = [], [], []
        for pending, case_id, number in zip(fresh, ids, numbers, strict=True):
            record = pending.record
            planned = self._target_events(pending, known)
            row, befores = replay(planned)
            source = record.source
            cases.append(
                fresh_rows.case_tuple(
                    row, case_id, number, source, record.external_id, now_text
                )
            )
            aliases.append((record.external_id, case_id))
            events += fresh_rows.event_tuples(
                case_id, planned, befores, f"import:{source}", now_text
            )
        fresh_rows.insert_fresh(connection, cases, aliases, events)

    def _case_numbers(self, session: Session, records: list[SourceRecord]) -> list[str]:
        """Reserve one block of sequence numbers per local creation year."""
        zone = self.zone
        years = [record.created_at.astimezone(zone).year for record in records]
        blocks = {
            year: iter(reserve_sequences(session, year, count))
            for year, count in sorted(Counter(years).items())
        }
        return [format_case_number(year, next(blocks[year])) for year in years]

    def _update_existing(
        self,
        connection: Connection,
        candidates: list[_Pending],
        stored: dict[tuple[str, str], dict[str, Any]],
        known: dict[tuple[str, str], int],
        now: datetime,
    ) -> None:
        differing: list[tuple[_Pending, dict[str, Any], list[ImportEvent]]] = []
        for pending in candidates:
            row = stored[pending.key]
            planned = self._target_events(pending, known)
            target, _ = replay(planned)
            fields = stated_fields(pending.record)
            if not isinstance(pending.record, HistoryRecord):
                self._keep_readable_text(row, target, fields)
            if all(row[name] == target[name] for name in fields):
                self.summary.unchanged += 1
                continue
            if isinstance(pending.record, HistoryRecord):
                proposed = planned[1:]
            else:
                proposed = plan_update(row, target, fields, pending.record, now)
            differing.append((pending, row, proposed))
        if not differing:
            return
        history = store.fetch_events(connection, (row["id"] for _, row, _ in differing))
        updates, events = [], []
        for pending, row, proposed in differing:
            stored_events = history[row["id"]]
            fresh = _not_yet_stored(proposed, stored_events)
            if not fresh:
                self.summary.unchanged += 1
                continue
            next_id = max(e[0] for e in stored_events) + 1
            replayed = stored_events + [
                (next_id + i, e.kind, e.at, {"after": encode(e.after)})
                for i, e in enumerate(fresh)
            ]
            state = rebuild(replayed)
            state.update(id=row["id"], version=row["version"], updated_at=now)
            updates.append(state)
            actor = f"import:{pending.record.source}"
            for event in fresh:
                before = {name: row.get(name) for name in event.after}
                events.append(_event_row(row["id"], event, before, actor, now))
        store.update_cases(connection, updates)
        store.insert_events(connection, events)
        self.summary.updated += len(updates)

    def _keep_readable_text(
        self, row: dict[str, Any], target: dict[str, Any], fields: tuple[str, ...]
    ) -> None:
        kept = keep_readable_text(row, target, fields)
        if kept:
            self.summary.damaged_text_kept += 1
            log.debug(
                "case %s: kept the stored %s; the export has U+FFFD in place of "
                "its characters",
                row["id"],
                " and ".join(kept),
            )


def _block_fits(block: RecordBlock) -> bool:
    """Tell whether every row of a block passes ``check_record`` without
    looking at each: plain rows with known statuses, outcomes and channels,
    texts within the column widths, and instants in UTC (the parsers give
    nothing else). When this is False, each row is checked on its own."""
    if not set(block.status) <= _STATUSES_SET | {None}:
        return False
    if not set(block.outcome) <= _OUTCOMES_SET | {None}:
        return False
    if not set(block.channel) <= _CHANNELS_SET:
        return False
    if "" in set(block.service_code):
        return False
    for name, limit in MAX_LENGTHS:
        values = [value for value in getattr(block, name) if value is not None]
        if values and max(map(len, values)) > limit:
            return False
    return True


def _flag_future(block: RecordBlock, limit: datetime) -> None:
    """Add the future_date bit to ``block.flag_bits``, as ``check_record`` adds
    the flag on the record path."""
    bound = np.datetime64(limit.astimezone(UTC).replace(tzinfo=None), "us")
    future = np.zeros(block.n, dtype=bool)
    for dates in (block.batch.created, block.batch.closed):
        if dates is not None:
            future |= dates.utc > bound
    bit = BIT[FUTURE_DATE]
    for i in np.flatnonzero(future).tolist():
        block.flag_bits[i] |= bit


def _batch_sources(batch: _Batch) -> set[str]:
    sources: set[str] = set()
    for part in batch.parts:
        if isinstance(part, _BlockRows):
            sources.add(part.source)
        else:
            sources.update(pending.record.source for pending in part)
    return sources


def _catalogue_records(batch: _Batch) -> Iterable[Any]:
    """Yield the records that ``Catalogue.ensure`` needs, in batch order: every
    pending record, and of block rows the first with each department or
    service code (later rows with a code already seen change nothing)."""
    for part in batch.parts:
        if not isinstance(part, _BlockRows):
            yield from (pending.record for pending in part)
            continue
        block = part.block
        firsts: dict[tuple[str, str], int] = {}
        departments = block.department_code
        services = block.service_code
        for i in reversed(part.positions):
            firsts[("department", departments[i])] = i
            firsts[("service", services[i])] = i
        for i in sorted(set(firsts.values())):
            yield part.record(i)


def _parent_references(record: SourceRecord) -> list[str]:
    found = [record.parent_external_id] if record.parent_external_id else []
    if isinstance(record, HistoryRecord):
        for event in record.events:
            parent = event.after.get("parent_id")
            if isinstance(parent, tuple):
                found.append(parent[1])
    return found


def _resolve(
    event: ImportEvent,
    source: str,
    known: dict[tuple[str, str], int],
    catalogue: Catalogue,
) -> ImportEvent:
    """Replace references by ids: ``("external_id", id)`` for ``parent_id`` and
    ``("department_code", code)`` for ``department_id``."""
    parent = event.after.get("parent_id")
    department = event.after.get("department_id")
    if not isinstance(parent, tuple) and not isinstance(department, tuple):
        return event
    after = dict(event.after)
    if isinstance(parent, tuple):
        after["parent_id"] = known.get((source, parent[1]))
    if isinstance(department, tuple):
        after["department_id"] = catalogue.department_id(department[1])
    return ImportEvent(
        event.kind, event.at, after, event.note, event.public, event.actor
    )


def _event_key(
    kind: str, at: datetime, after: dict[str, Any]
) -> tuple[str, datetime, str]:
    return kind, at, json.dumps(after, sort_keys=True)


def _not_yet_stored(
    proposed: list[ImportEvent],
    stored_events: list[tuple[int, str, datetime, dict[str, Any]]],
) -> list[ImportEvent]:
    """Drop proposed events that the case already has (same kind, time and fields)."""
    existing = {
        _event_key(kind, at, data.get("after", {}))
        for _id, kind, at, data in stored_events
    }
    return [
        event
        for event in proposed
        if _event_key(event.kind, event.at, encode(event.after)) not in existing
    ]


def _event_row(
    case_id: int,
    event: ImportEvent,
    before: dict[str, Any],
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kind": event.kind,
        "at": event.at,
        "recorded_at": now,
        "actor": event.actor or actor,
        "data": {"before": encode(before), "after": encode(event.after)},
        "note": event.note,
        "public": event.public,
    }


def write_records(
    engine: Engine,
    items: Iterable[SourceRecord | RejectedRow],
    **options: Any,
) -> ImportSummary:
    """Write records with a ``BulkWriter`` built from ``options``; return the counts."""
    return BulkWriter(engine, **options).write(items)
