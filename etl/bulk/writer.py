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
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cases.numbering import reserve_sequences
from cases.numbers import format_case_number
from cases.projection import encode, rebuild
from etl.bulk import fresh as fresh_rows
from etl.bulk import store
from etl.bulk.catalogue import Catalogue
from etl.bulk.checks import RecordError, check_record
from etl.bulk.events import (
    HistoryRecord,
    ImportEvent,
    created_after,
    derive_events,
    replay,
)
from etl.bulk.plan import plan_update, stated_fields
from etl.bulk.progress import Progress
from etl.rejects import RejectsFile, rejects_path
from etl.sources.record import RejectedRow, SourceRecord

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000


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
        }


@dataclass
class _Pending:
    """A checked record waiting in the current batch."""

    record: SourceRecord
    flags: str
    key: tuple[str, str]
    events: list[ImportEvent] = field(default_factory=list)


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
    ) -> None:
        self.engine = engine
        self.zone = zone
        self.source_name = source_name
        self.batch_size = batch_size
        self.clock = clock
        self.driver_tuples = driver_tuples
        self.catalogue = Catalogue(configured_types)
        label = source_name or source
        self.summary = ImportSummary(source=label)
        self.rejects = RejectsFile(rejects_path(rejects_dir, label, clock()))
        self._seen: set[tuple[str, str]] = set()

    def write(self, items: Iterable[SourceRecord | RejectedRow]) -> ImportSummary:
        """Write every item and return the counts; rejects go to the rejects file."""
        started = time.perf_counter()
        log.info("import of %s started", self.summary.source)
        with self.engine.connect() as connection:
            self.catalogue.load(connection)
        batch: list[_Pending] = []
        progress = Progress(self.summary)
        try:
            for item in items:
                self.summary.read += 1
                pending = self._accept(item)
                if pending is not None:
                    batch.append(pending)
                if len(batch) >= self.batch_size:
                    self._flush(batch)
                    batch = []
                    progress.batch_written()
            if batch:
                self._flush(batch)
                progress.batch_written()
        finally:
            self.rejects.close()
            progress.close()
        summary = self.summary
        summary.rejects_file = self.rejects.written_path
        summary.seconds = time.perf_counter() - started
        summary.created_departments = self.catalogue.created_departments
        summary.created_service_types = self.catalogue.created_types
        log.info(
            "import of %s finished in %.1f s: read %d, inserted %d, updated %d, "
            "unchanged %d, rejected %d, flagged %d",
            summary.source,
            summary.seconds,
            summary.read,
            summary.inserted,
            summary.updated,
            summary.unchanged,
            summary.rejected,
            summary.flagged,
        )
        return summary

    def _accept(self, item: SourceRecord | RejectedRow) -> _Pending | None:
        """Check one item; reject it (and return None) or return it for the batch."""
        if isinstance(item, RejectedRow):
            self._reject(item.row_number, item.reason, item.raw)
            return None
        if self.source_name:
            item.source = self.source_name
        try:
            flags = check_record(item)
        except RecordError as error:
            self._reject(item.row_number, str(error), f"external_id={item.external_id}")
            return None
        key = (item.source, item.external_id)
        if key in self._seen:
            self._reject(
                item.row_number,
                f"external id {item.external_id} repeats an earlier row of this "
                "import; the first row was kept",
                f"external_id={item.external_id}",
            )
            return None
        self._seen.add(key)
        if flags:
            self.summary.flagged += 1
        return _Pending(item, flags, key)

    def _reject(self, row_number: int, reason: str, raw: str) -> None:
        self.summary.rejected += 1
        self.rejects.write(row_number, reason, raw)

    def _flush(self, batch: list[_Pending]) -> None:
        # A batch allocates many small containers and no reference cycles, so
        # the cyclic garbage collector only costs time while it runs.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._write_batch(batch)
        finally:
            if collecting:
                gc.enable()

    def _write_batch(self, batch: list[_Pending]) -> None:
        now = self.clock()
        with Session(self.engine) as session, session.begin():
            connection = session.connection()
            self.catalogue.ensure(
                connection, (p.record for p in batch), self.summary.source
            )
            stored = self._fetch_stored(connection, batch)
            known = {key: row["id"] for key, row in stored.items()}
            fresh = [p for p in batch if p.key not in stored]
            self._insert_new(session, fresh, known, now)
            changed = [p for p in batch if p.key in stored]
            self._update_existing(connection, changed, stored, known, now)

    def _fetch_stored(
        self, connection: Connection, batch: list[_Pending]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        by_source: dict[str, set[str]] = {}
        for pending in batch:
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
