"""Build records from one chunk's parsed columns: reject, flag, then yield.

Format modules fill a ``Batch``; ``RecordBuilder`` applies the rules every
format shares and keeps the state of a whole file (the ids seen so far).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np

from cases import quality
from etl.sources import checks
from etl.sources.chunk import Chunk
from etl.sources.dates import Dates
from etl.sources.record import RejectedRow, SourceRecord


@dataclass
class Batch:
    """One list (or array) per record field, aligned with ``chunk``'s rows.

    ``status`` contains core statuses, None where the source value is unknown.
    ``outcome`` is read for every row but kept only on closed rows; a closed
    row without one gets ``resolved``.
    """

    chunk: Chunk
    id_column: str
    status_column: str
    external_id: list[str]
    service_code: list[str]
    service_name: list[str]
    department_code: list[str]
    department_name: list[str]
    status: list[str | None]
    source_status: list[str]
    created: Dates
    closed: Dates | None = None
    updated: Dates | None = None
    due: Dates | None = None
    outcome: list[str | None] | None = None
    channel: list[str] | None = None
    description: list[str] | None = None
    resolution_notes: list[str] | None = None
    address: list[str | None] | None = None
    latitude: np.ndarray | None = None
    longitude: np.ndarray | None = None
    district: list[str | None] | None = None
    source: list[str] | None = None


@dataclass
class RecordBlock:
    """One batch's rows as aligned lists, in row order, before records exist.

    The instants are read from the batch's parsed dates when first needed.

    ``reasons`` contains a reject reason per row (else None) and ``flag_bits`` the
    row's flags as ``checks.BIT`` bits, the duplicate bit included. Iterating
    yields the same records and rejects as ``RecordBuilder.emit``; the bulk
    writer reads the columns directly.
    """

    batch: Batch
    row_numbers: list[int]
    source: list[str]
    external_id: list[str]
    service_code: list[str]
    service_name: list[str]
    department_code: list[str]
    department_name: list[str]
    status: list[str | None]
    source_status: list[str]
    outcome: list[str | None]
    channel: list[str]
    description: list[str]
    resolution_notes: list[str]
    address: list[str | None]
    latitude: list[float | None]
    longitude: list[float | None]
    district: list[str | None]
    flag_bits: list[int]
    reasons: list[str | None]

    @property
    def n(self) -> int:
        return len(self.row_numbers)

    @cached_property
    def created_at(self) -> list[datetime | None]:
        return self.batch.created.values

    @cached_property
    def closed_at(self) -> list[datetime | None]:
        return _values(self.batch.closed, self.n)

    @cached_property
    def updated_at(self) -> list[datetime | None]:
        return _values(self.batch.updated, self.n)

    @cached_property
    def due_at(self) -> list[datetime | None]:
        return _values(self.batch.due, self.n)

    @property
    def rejects(self) -> list[RejectedRow]:
        """Rows the reader could not split into fields."""
        return self.batch.chunk.rejects

    def item(self, i: int) -> SourceRecord | RejectedRow:
        """Return row ``i`` as ``emit`` yields it."""
        reason = self.reasons[i]
        if reason is not None:
            return RejectedRow(self.row_numbers[i], reason, self.batch.chunk.raw_row(i))
        return SourceRecord(
            self.row_numbers[i], self.source[i], self.external_id[i],
            self.service_code[i], self.service_name[i], self.department_code[i],
            self.department_name[i], self.status[i], self.created_at[i],
            self.source_status[i], self.closed_at[i], self.updated_at[i],
            self.due_at[i], None, self.outcome[i], self.channel[i],
            self.description[i], self.resolution_notes[i], self.address[i],
            self.latitude[i], self.longitude[i], self.district[i],
            "service_request", None, set(checks.FLAG_SETS[self.flag_bits[i]]),
        )  # fmt: skip

    def __iter__(self) -> Iterator[SourceRecord | RejectedRow]:
        pending = sorted(self.rejects, key=lambda row: row.row_number)
        for i, number in enumerate(self.row_numbers):
            while pending and pending[0].row_number < number:
                yield pending.pop(0)
            yield self.item(i)
        yield from pending


class RecordBuilder:
    """Turn batches of one file into records and rejects, in file order."""

    def __init__(self, source: str, bbox: checks.BoundingBox | None) -> None:
        self.source = source
        self.bbox = bbox
        self.seen: set[str] = set()

    def emit(self, batch: Batch) -> Iterator[SourceRecord | RejectedRow]:
        """Yield the batch's records and rejects in row order.

        Rows the reader could not split into fields (``chunk.rejects``) are
        merged in by row number.
        """
        return iter(self.block(batch))

    def block(self, batch: Batch) -> RecordBlock:
        """Return the batch's rows as columns, with reasons and flags decided.

        Marks repeated ids as duplicates (the first row of an id in the file
        is not marked), so blocks must be taken in file order.
        """
        n = batch.chunk.n
        latitudes, longitudes = self._coordinates(batch)
        flags = self._flag_bits(batch).tolist()
        reasons = _reject_reasons(batch)
        external_ids = list(batch.external_id)
        duplicate = checks.BIT[quality.DUPLICATE_ID]
        seen = self.seen
        for i, (external_id, reason) in enumerate(
            zip(external_ids, reasons, strict=True)
        ):
            if reason is not None:
                continue
            if external_id in seen:
                flags[i] |= duplicate
            else:
                seen.add(external_id)
        return RecordBlock(
            batch=batch,
            row_numbers=list(batch.chunk.row_numbers),
            source=list(batch.source) if batch.source else [self.source] * n,
            external_id=external_ids,
            service_code=list(batch.service_code),
            service_name=list(batch.service_name),
            department_code=list(batch.department_code),
            department_name=list(batch.department_name),
            status=list(batch.status),
            source_status=list(batch.source_status),
            outcome=_outcomes(batch),
            channel=_filled(batch.channel, "import", n),
            description=_filled(batch.description, "", n),
            resolution_notes=_filled(batch.resolution_notes, "", n),
            address=_filled(batch.address, None, n),
            latitude=latitudes,
            longitude=longitudes,
            district=_filled(batch.district, None, n),
            flag_bits=flags,
            reasons=reasons,
        )

    def _flag_bits(self, batch: Batch) -> np.ndarray:
        n = batch.chunk.n
        is_closed = np.array([status == "closed" for status in batch.status])
        dates = [
            d for d in (batch.created, batch.closed, batch.updated, batch.due) if d
        ]
        placeholder = np.zeros(n, dtype=bool)
        for parsed in dates:
            placeholder |= parsed.placeholder
        masks = {
            quality.PLACEHOLDER_DATE: placeholder,
            quality.STATUS_DATE_MISMATCH: checks.status_date_mismatch(
                is_closed, batch.closed
            ),
            quality.UNREADABLE_TEXT: batch.chunk.unreadable,
        }
        if batch.closed is not None:
            masks[quality.CLOSED_BEFORE_CREATED] = checks.closed_before_created(
                batch.created, batch.closed
            )
        if batch.latitude is not None and batch.longitude is not None:
            zero = checks.zero_coordinates(batch.latitude, batch.longitude)
            masks[quality.ZERO_COORDINATES] = zero
            if self.bbox is not None:
                outside = self.bbox.outside(batch.latitude, batch.longitude)
                masks[quality.OUT_OF_AREA] = outside & ~zero
        return checks.flag_bits(masks, n)

    def _coordinates(self, batch: Batch) -> tuple[list, list]:
        if batch.latitude is None or batch.longitude is None:
            nothing = [None] * batch.chunk.n
            return nothing, nothing
        zero = checks.zero_coordinates(batch.latitude, batch.longitude)
        missing = np.isnan(batch.latitude) | np.isnan(batch.longitude) | zero
        latitude = np.where(missing, np.nan, batch.latitude).tolist()
        longitude = np.where(missing, np.nan, batch.longitude).tolist()
        return _nan_to_none(latitude), _nan_to_none(longitude)


def _values(dates: Dates | None, n: int) -> list[datetime | None]:
    return dates.values if dates is not None else [None] * n


def _filled(values: list | None, default: object, n: int) -> list:
    return list(values) if values else [default] * n


def _outcomes(batch: Batch) -> list[str | None]:
    outcomes = batch.outcome or itertools.repeat(None)
    return [
        (outcome or "resolved") if status == "closed" else None
        for status, outcome in zip(batch.status, outcomes, strict=False)
    ]


def _nan_to_none(values: list[float]) -> list[float | None]:
    return [None if value != value else value for value in values]


def _reject_reasons(batch: Batch) -> list[str | None]:
    """Return a reason for each row that cannot become a record, else None."""
    created = batch.created
    bad = created.empty | created.invalid | created.placeholder
    others = [d for d in (batch.closed, batch.updated, batch.due) if d is not None]
    for parsed in others:
        bad = bad | parsed.invalid
    no_id = np.array([not value for value in batch.external_id], dtype=bool)
    no_status = np.array([status is None for status in batch.status], dtype=bool)
    bad = bad | no_id | no_status
    reasons: list[str | None] = [None] * batch.chunk.n
    for i in np.flatnonzero(bad).tolist():
        reasons[i] = _reason(batch, i, no_id[i], others)
    return reasons


def _reason(batch: Batch, i: int, no_id: bool, others: list[Dates]) -> str:
    created = batch.created
    if no_id:
        return f"missing id in column {batch.id_column!r}"
    if created.empty[i]:
        return f"missing creation date in column {created.column!r}"
    if created.placeholder[i] or created.invalid[i]:
        return _date_reason("creation date", created, i)
    for parsed in others:
        if parsed.invalid[i]:
            return _date_reason("date", parsed, i)
    if batch.status[i] is None:
        return (
            f"unknown status {batch.source_status[i]!r} in column "
            f"{batch.status_column!r}; add it to the format's status map"
        )
    raise AssertionError(f"row {i} marked for rejection without a reason")


def _date_reason(what: str, parsed: Dates, i: int) -> str:
    value = parsed.raw[i].as_py()
    where = f"in column {parsed.column!r}"
    if parsed.placeholder[i]:
        return f"placeholder {what} {value!r} {where}"
    return (
        f"invalid {what} {value!r} {where}: expected the format {parsed.rule.pattern!r}"
    )
