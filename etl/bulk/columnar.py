"""New cases from a block of plain rows, built a column at a time (SQLite).

A ``RecordBlock`` row is a plain record: no first response, no parent, kind
``service_request``. Its events are therefore one of five shapes: ``created``
alone (status ``new``), or followed by one ``status_changed`` (``in_progress``,
``on_hold``), ``acknowledged`` or ``closed`` event. ``BlockColumns`` works
out, for every row of a block at once, what ``derive_events`` and ``replay``
would give: the case fields, the events with their ``before`` and ``after``,
and the text SQLite stores for instants and JSON. Only the ids that need the
database (case id, case number, service type and department) are filled in
inside the writer's transaction, by ``fresh_tuples``. A test writes the same
rows through this path and through records, and compares every table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from cases.numbers import format_case_numbers
from cases.quality import join_flags
from etl.bulk.created_json import CASE_FIELDS, created_event_data
from etl.bulk.fresh import _ALIAS_SQL, CASE_COLUMNS, EVENT_COLUMNS
from etl.bulk.store import CASE, EVENT
from etl.sources.batch import RecordBlock
from etl.sources.checks import FLAG_SETS
from etl.sources.dates import Dates

# The flag text a case stores for each combination of ``checks.BIT`` bits.
FLAG_TEXT = tuple(join_flags(flags) for flags in FLAG_SETS)
NAT = np.datetime64("NaT", "us")

# The extra event of each status after ``created``: kind and stored data text
# (``{}`` stands for the JSON of the event's time or outcome).
_IN_PROGRESS_DATA = '{"before":{"status":"new"},"after":{"status":"in_progress"}}'
_ON_HOLD_DATA = (
    '{"before":{"status":"new","hold_started_at":null},'
    '"after":{"status":"on_hold","hold_started_at":%s}}'
)
_ACKNOWLEDGED_DATA = '{"before":{"status":"new"},"after":{"status":"acknowledged"}}'
_CLOSED_DATA = (
    '{"before":{"status":"new","outcome":null,"parent_id":null},'
    '"after":{"status":"closed","outcome":%s,"parent_id":null}}'
)


# Case fields that are instants, stored as SQLite text.
INSTANT_FIELDS = (
    "created_at",
    "first_response_at",
    "due_at",
    "closed_at",
    "hold_started_at",
)


class BlockColumns:
    """The fields of new cases and their events for every row of a block.

    Values of rejected rows are computed too and never used. ``zone`` is the
    city's time zone, which decides the year of a case number.
    """

    def __init__(self, block: RecordBlock, zone: ZoneInfo) -> None:
        self.block = block
        n = block.n
        batch = block.batch
        created = _instants(batch.created, lambda: block.created_at, n)
        closed = _instants(batch.closed, lambda: block.closed_at, n)
        updated = _instants(batch.updated, lambda: block.updated_at, n)
        due = _instants(batch.due, lambda: block.due_at, n)
        status = pa.array(block.status, pa.string())
        is_closed = _mask(pc.equal(status, "closed"))
        is_acknowledged = _mask(pc.equal(status, "acknowledged"))
        is_in_progress = _mask(pc.equal(status, "in_progress"))
        is_on_hold = _mask(pc.equal(status, "on_hold"))
        no_update = np.isnat(updated)
        # closing_time: the closed date, else the last update, else creation.
        closing = np.where(
            np.isnat(closed), np.where(no_update, created, updated), closed
        )
        # A status after acknowledgement takes the later of creation and update.
        moved = np.where(no_update, created, np.maximum(created, updated))
        acknowledged = np.where(no_update, created, updated)
        self.years = _local_years(created, zone)
        # Instants of the case fields and of the event after ``created``, as
        # naive UTC; NaT where absent.
        extra_at = np.where(
            is_closed,
            closing,
            np.where(
                is_acknowledged,
                acknowledged,
                np.where(is_on_hold | is_in_progress, moved, NAT),
            ),
        )
        self.instants: dict[str, np.ndarray] = {
            "created_at": created,
            "due_at": due,
            "closed_at": np.where(is_closed, closing, closed),
            "first_response_at": np.where(is_closed | is_acknowledged, extra_at, NAT),
            "hold_started_at": np.where(is_on_hold, moved, NAT),
            "extra_at": extra_at,
        }
        self.flags = [FLAG_TEXT[bits] for bits in block.flag_bits]

        # The event after ``created``, if any: kind, data text, note.
        moved_json = _json_instants(np.where(is_on_hold, moved, NAT))
        extra_kind: list[str | None] = [None] * n
        extra_data: list[str | None] = [None] * n
        extra_note: list[str | None] = [None] * n
        outcome_json = _json_values(block.outcome)
        notes = block.resolution_notes
        for i in np.flatnonzero(is_closed).tolist():
            extra_kind[i] = "closed"
            extra_data[i] = _CLOSED_DATA % outcome_json[i]
            extra_note[i] = notes[i] or None
        for i in np.flatnonzero(is_acknowledged).tolist():
            extra_kind[i] = "acknowledged"
            extra_data[i] = _ACKNOWLEDGED_DATA
        for i in np.flatnonzero(is_in_progress).tolist():
            extra_kind[i] = "status_changed"
            extra_data[i] = _IN_PROGRESS_DATA
        for i in np.flatnonzero(is_on_hold).tolist():
            extra_kind[i] = "status_changed"
            extra_data[i] = _ON_HOLD_DATA % moved_json[i]
        self.extra_kind = extra_kind
        self.extra_data = extra_data
        self.extra_note = extra_note
        self._texts: dict[str, list[str | None]] = {}

    def text(self, name: str) -> list[str | None]:
        """Return an instant field as the text SQLite stores, per row."""
        texts = self._texts.get(name)
        if texts is None:
            texts = self._texts[name] = _sqlite_text(self.instants[name])
        return texts

    def arrow_text(self, name: str, positions: pa.Array) -> pa.Array:
        """Return the instant field's SQLite text of the rows at ``positions``."""
        instants = self.instants[name][positions.to_numpy()]
        if len(instants) == 0:
            return pa.array([], pa.string())
        text = np.datetime_as_string(instants, unit="us")
        text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
        return pa.array(text, pa.string(), mask=np.isnat(instants))

    @property
    def extra_at(self) -> list[str | None]:
        return self.text("extra_at")


def picked_case_values(
    columns: BlockColumns,
    positions: Sequence[int],
    type_id: Callable[[str], int],
    department_id: Callable[[str], int],
    instants: bool = True,
) -> dict[str, list[Any]]:
    """Return the bound case fields of the rows at ``positions``, by column name.

    Case ids and case numbers are left out; the service type and department
    codes are mapped to ids with ``type_id`` and ``department_id``.
    """
    block = columns.block
    pick = _picker(positions)
    values = {
        "service_type_id": _mapped(pick(block.service_code), type_id),
        "department_id": _mapped(pick(block.department_code), department_id),
        "channel": pick(block.channel),
        "description": pick(block.description),
        "address": pick(block.address),
        "latitude": pick(block.latitude),
        "longitude": pick(block.longitude),
        "district": pick(block.district),
        "status": pick(block.status),
        "outcome": pick(block.outcome),
        "external_id": pick(block.external_id),
        "flags": pick(columns.flags),
    }
    if instants:
        for name in INSTANT_FIELDS:
            values[name] = pick(columns.text(name))
    return values


def fresh_tuples(
    columns: BlockColumns,
    positions: Sequence[int],
    ids: Sequence[int],
    numbers: Sequence[str],
    type_id: Callable[[str], int],
    department_id: Callable[[str], int],
) -> tuple[list[tuple[Any, ...]], list[tuple[str, int]], list[tuple[Any, ...]]]:
    """Return the case, alias and event tuples of the rows at ``positions``,
    for ``insert``.

    ``ids`` and ``numbers`` are the new cases' ids and case numbers in the
    same order; ``type_id`` and ``department_id`` map a row's codes to ids.
    """
    values: dict[str, Iterable[Any]] = dict(
        picked_case_values(columns, positions, type_id, department_id),
        id=ids,
        case_number=numbers,
    )
    cases = list(zip(*(values[name] for name in _BOUND_CASE_COLUMNS), strict=True))
    aliases = list(zip(values["external_id"], ids, strict=True))
    pick = _picker(positions)
    events: list[tuple[Any, ...]] = []
    append = events.append
    created = created_event_data(_case_table(values)).to_pylist()
    for case_id, at, data, kind, extra_at, extra_data, note in zip(
        ids,
        values["created_at"],
        created,
        pick(columns.extra_kind),
        pick(columns.extra_at),
        pick(columns.extra_data),
        pick(columns.extra_note),
        strict=True,
    ):
        append((case_id, "created", at, data, None))
        if kind is not None:
            append((case_id, kind, extra_at, extra_data, note))
    return cases, aliases, events


def _case_table(values: dict[str, Any]) -> pa.Table:
    """Return the picked case fields that ``created_event_data`` reads."""
    names = [name for name in CASE_FIELDS if name in values]
    return pa.table(
        {
            name: pa.array(values[name], _FIELD_TYPES.get(name, pa.string()))
            for name in names
        }
    )


_FIELD_TYPES = {
    "id": pa.int64(),
    "service_type_id": pa.int64(),
    "department_id": pa.int64(),
    "latitude": pa.float64(),
    "longitude": pa.float64(),
}


def insert(
    connection: Connection,
    cases: list[tuple[Any, ...]],
    aliases: list[tuple[str, int]],
    events: list[tuple[Any, ...]],
    source: str,
    now_text: str,
) -> None:
    """Insert tuples from ``fresh_tuples``, cases first.

    Values every new case or event of the batch shares (kind, priority,
    source, write time, version and the like) are SQL literals in the
    statement rather than parameters bound on every row.
    """
    shared = {
        **_SHARED_CASE_VALUES,
        "source": _literal(source),
        "updated_at": _literal(now_text),
    }
    values = ", ".join(shared.get(name, "?") for name in CASE_COLUMNS)
    connection.exec_driver_sql(f"{_CASE_INSERT} VALUES ({values})", cases)
    connection.exec_driver_sql(_ALIAS_SQL, aliases)
    event_values = (
        f"?, ?, ?, {_literal(now_text)}, {_literal(f'import:{source}')}, ?, ?, 0"
    )
    connection.exec_driver_sql(f"{_EVENT_INSERT} VALUES ({event_values})", events)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# SQL literals for the columns every new plain case shares (the values that
# ``fresh.case_tuple`` binds for them).
_SHARED_CASE_VALUES = {
    "kind": "'service_request'",
    "description_public": "0",
    "attributes": "'{}'",
    "priority": "'normal'",
    "parent_id": "NULL",
    "assignee": "NULL",
    "reopen_count": "0",
    "version": "1",
}
_BOUND_CASE_COLUMNS = tuple(
    name
    for name in CASE_COLUMNS
    if name not in _SHARED_CASE_VALUES and name not in ("source", "updated_at")
)
_CASE_INSERT = 'INSERT INTO "{}" ({})'.format(
    CASE.name, ", ".join(f'"{name}"' for name in CASE_COLUMNS)
)
_EVENT_INSERT = 'INSERT INTO "{}" ({})'.format(
    EVENT.name, ", ".join(f'"{name}"' for name in EVENT_COLUMNS)
)


def case_numbers(
    years: Sequence[int], reserve: Callable[[int, int], range]
) -> list[str]:
    """Number new cases in order: one block of sequence numbers per year, taken
    from ``reserve(year, count)`` in year order, as ``BulkWriter`` does."""
    year_array = np.asarray(years, dtype=np.int64)
    sequences = np.zeros(len(year_array), dtype=np.int64)
    for year, count in sorted(Counter(years).items()):
        numbers = reserve(year, count)
        sequences[year_array == year] = np.arange(numbers.start, numbers.stop)
    return format_case_numbers(year_array, sequences)


def _picker(positions: Sequence[int]) -> Callable[[list], list]:
    """Return a function taking the items at ``positions`` from a list."""
    count = len(positions)
    if count and positions[-1] - positions[0] + 1 == count:
        start, stop = positions[0], positions[-1] + 1
        return lambda values: values[start:stop]
    return lambda values: [values[i] for i in positions]


def _mapped(codes: list[str], lookup: Callable[[str], int]) -> list[int]:
    found = {code: lookup(code) for code in set(codes)}
    return [found[code] for code in codes]


def _instants(
    dates: Dates | None, values: Callable[[], list[datetime | None]], n: int
) -> np.ndarray:
    """Return a column's instants as naive UTC ``datetime64[us]``, NaT where absent.

    Whole seconds come from the parsed array. A column with fractions of a
    second is read from its datetimes (``values()``), so that the text is
    exactly what formatting each datetime gives.
    """
    if dates is None:
        return np.full(n, NAT)
    utc = dates.utc
    if not (utc[~np.isnat(utc)].astype(np.int64) % 1_000_000).any():
        return utc
    return np.array(
        [NAT if value is None else value.replace(tzinfo=None) for value in values()],
        dtype="datetime64[us]",
    )


def _mask(values: pa.Array) -> np.ndarray:
    return values.fill_null(False).to_numpy(zero_copy_only=False)


def _sqlite_text(instants: np.ndarray) -> list[str | None]:
    """Format as SQLAlchemy stores a SQLite DATETIME: ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    text = np.datetime_as_string(instants, unit="us")
    if len(text) == 0:
        return []
    characters = text.view(np.uint32).reshape(len(text), -1)
    characters[:, 10] = ord(" ")
    return _without_nat(text.tolist(), instants)


def _json_instants(instants: np.ndarray) -> list[str | None]:
    """Format as JSON strings the way orjson writes an aware UTC datetime:
    ISO 8601 with ``+00:00``, with microseconds only where they are not 0."""
    n = len(instants)
    if n == 0:
        return []
    seconds = np.datetime_as_string(instants, unit="s")
    characters = np.zeros((n, 27), dtype=np.uint32)
    characters[:, 1:20] = seconds.view(np.uint32).reshape(n, -1)[:, :19]
    characters[:, [0, 26]] = ord('"')
    characters[:, 20:26] = np.frombuffer("+00:00".encode("utf-32-le"), np.uint32)
    texts = _without_nat(characters.view("<U27").ravel().tolist(), instants)
    present = ~np.isnat(instants)
    fraction = present.copy()
    fraction[present] = instants[present].astype(np.int64) % 1_000_000 != 0
    if fraction.any():
        exact = np.datetime_as_string(instants, unit="us")
        for i in np.flatnonzero(fraction).tolist():
            texts[i] = f'"{exact[i]}+00:00"'
    return texts


def _without_nat(texts: list[str], instants: np.ndarray) -> list[str | None]:
    missing = np.isnat(instants)
    if missing.any():
        for i in np.flatnonzero(missing).tolist():
            texts[i] = None  # type: ignore[call-overload]
    return texts


def _json_values(values: list) -> list[str | None]:
    """Return each value as orjson writes it; None stays None."""
    found = {
        value: orjson.dumps(value).decode()
        for value in set(values)
        if value is not None
    }
    found[None] = None
    return [found[value] for value in values]


def _local_years(created: np.ndarray, zone: ZoneInfo) -> list[int]:
    """Return each instant's calendar year in ``zone`` (0 where absent)."""
    utc = pd.Series(created, dtype="datetime64[us]")
    local = utc.dt.tz_localize("UTC").dt.tz_convert(zone)
    return local.dt.year.fillna(0).astype(np.int64).tolist()
