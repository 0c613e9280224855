"""Driver tuples for the cases, events and aliases of new cases on SQLite.

``BulkWriter`` plans a new case's events and replays them the same way on
every database. On SQLite it then hands the rows to the driver as tuples in
the column order of the tables, with instants in the text that SQLAlchemy's
column types would store and JSON from ``store.json_text``. This skips one
dictionary per row and per event, the separate ``encode`` pass over event
values, and the per-value conversion loop of ``store.insert_rows``. A test
writes the same records through both paths and compares the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from cases.projection import PROJECTED_FIELDS
from cases.types import UTCDateTime
from etl.bulk.events import ImportEvent
from etl.bulk.store import ALIAS, CASE, EVENT, json_text, sqlite_datetime

CASE_COLUMNS = tuple(column.name for column in CASE.columns)
EVENT_COLUMNS = (
    "case_id",
    "kind",
    "at",
    "recorded_at",
    "actor",
    "data",
    "note",
    "public",
)
_DATETIME_CASE_FIELDS = frozenset(
    name for name in CASE_COLUMNS if isinstance(CASE.c[name].type, UTCDateTime)
)
# Position of each projected field in a case tuple, and whether it is an instant.
_PROJECTED_SLOTS = tuple(
    (CASE_COLUMNS.index(name), name, name in _DATETIME_CASE_FIELDS)
    for name in PROJECTED_FIELDS
)


def event_data_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Return the stored JSON text of an event's ``{"before", "after"}`` data."""
    return json_text({"before": before, "after": after})


def case_tuple(
    row: dict[str, Any],
    case_id: int,
    number: str,
    source: str,
    external_id: str,
    updated_at_text: str,
) -> tuple[Any, ...]:
    """Return a new case's row in ``CASE_COLUMNS`` order from its replayed ``row``."""
    values: list[Any] = [None] * len(CASE_COLUMNS)
    for slot, name, is_instant in _PROJECTED_SLOTS:
        value = row[name]
        if is_instant and value is not None:
            value = sqlite_datetime(value)
        values[slot] = value
    attributes = values[_ATTRIBUTES]
    if attributes is not None:
        values[_ATTRIBUTES] = json_text(attributes)
    values[_ID] = case_id
    values[_NUMBER] = number
    values[_SOURCE] = source
    values[_EXTERNAL_ID] = external_id
    values[_UPDATED_AT] = updated_at_text
    values[_VERSION] = 1
    return tuple(values)


_ATTRIBUTES = CASE_COLUMNS.index("attributes")
_ID = CASE_COLUMNS.index("id")
_NUMBER = CASE_COLUMNS.index("case_number")
_SOURCE = CASE_COLUMNS.index("source")
_EXTERNAL_ID = CASE_COLUMNS.index("external_id")
_UPDATED_AT = CASE_COLUMNS.index("updated_at")
_VERSION = CASE_COLUMNS.index("version")


def event_tuples(
    case_id: int,
    planned: Sequence[ImportEvent],
    befores: Sequence[dict[str, Any]],
    actor: str,
    recorded_at_text: str,
) -> list[tuple[Any, ...]]:
    """Return a new case's events in ``EVENT_COLUMNS`` order, in planned order."""
    return [
        (
            case_id,
            event.kind,
            sqlite_datetime(event.at),
            recorded_at_text,
            event.actor or actor,
            event_data_text(before, event.after),
            event.note,
            event.public,
        )
        for event, before in zip(planned, befores, strict=True)
    ]


def _insert_sql(table_name: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{name}"' for name in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{table_name}" ({names}) VALUES ({marks})'


_CASE_SQL = _insert_sql(CASE.name, CASE_COLUMNS)
_EVENT_SQL = _insert_sql(EVENT.name, EVENT_COLUMNS)
_ALIAS_SQL = _insert_sql(ALIAS.name, ("alias", "case_id"))


def insert_fresh(
    connection: Connection,
    cases: list[tuple[Any, ...]],
    aliases: list[tuple[str, int]],
    events: list[tuple[Any, ...]],
) -> None:
    """Insert prepared tuples with one executemany per table, cases first."""
    if cases:
        connection.exec_driver_sql(_CASE_SQL, cases)
    if aliases:
        connection.exec_driver_sql(_ALIAS_SQL, aliases)
    if events:
        connection.exec_driver_sql(_EVENT_SQL, events)
