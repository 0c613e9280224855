"""Build records from one chunk's parsed columns: reject, flag, then yield.

Format modules fill a ``Batch``; ``RecordBuilder`` applies the rules every
format shares and keeps the state of a whole file (the ids seen so far).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

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
        chunk = batch.chunk
        pending = sorted(chunk.rejects, key=lambda row: row.row_number)
        duplicate = checks.BIT[quality.DUPLICATE_ID]
        flag_sets = checks.FLAG_SETS
        seen = self.seen
        position = -1
        for (
            number, source, external_id, service_code, service_name,
            department_code, department_name, status, created_at, source_status,
            closed_at, updated_at, due_at, outcome, channel, description, notes,
            address, latitude_value, longitude_value, district, flags, reason,
        ) in self._rows(batch):  # fmt: skip
            position += 1
            while pending and pending[0].row_number < number:
                yield pending.pop(0)
            if reason is not None:
                yield RejectedRow(number, reason, chunk.raw_row(position))
                continue
            if external_id in seen:
                flags |= duplicate
            else:
                seen.add(external_id)
            yield SourceRecord(
                number, source, external_id, service_code, service_name,
                department_code, department_name, status, created_at, source_status,
                closed_at, updated_at, due_at, None, outcome, channel, description,
                notes, address, latitude_value, longitude_value, district,
                "service_request", None, set(flag_sets[flags]),
            )  # fmt: skip
        yield from pending

    def _rows(self, batch: Batch) -> Iterator[tuple]:
        """Zip the batch into one tuple per row, in the order ``emit`` unpacks."""
        latitude, longitude = self._coordinates(batch)
        return zip(
            batch.chunk.row_numbers,
            batch.source or itertools.repeat(self.source),
            batch.external_id,
            batch.service_code,
            batch.service_name,
            batch.department_code,
            batch.department_name,
            batch.status,
            batch.created.values,
            batch.source_status,
            _values(batch.closed),
            _values(batch.updated),
            _values(batch.due),
            _outcomes(batch),
            batch.channel or itertools.repeat("import"),
            batch.description or itertools.repeat(""),
            batch.resolution_notes or itertools.repeat(""),
            batch.address or itertools.repeat(None),
            latitude,
            longitude,
            batch.district or itertools.repeat(None),
            self._flag_bits(batch).tolist(),
            _reject_reasons(batch),
            strict=False,  # absent columns are endless repeats
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


def _values(dates: Dates | None) -> Iterator:
    return iter(dates.values) if dates is not None else itertools.repeat(None)


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
