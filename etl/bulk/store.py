"""Core statements of the bulk path: one query or one executemany per step."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Engine,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)

from cases.models import Case, CaseAlias, CaseEvent
from cases.projection import PROJECTED_FIELDS
from cases.types import UTCDateTime

CASE = Case.__table__
EVENT = CaseEvent.__table__
ALIAS = CaseAlias.__table__
_STORED_COLUMNS = [CASE.c.id, CASE.c.external_id, CASE.c.version] + [
    CASE.c[name] for name in PROJECTED_FIELDS
]


def fetch_stored(
    connection: Connection, source: str, external_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Return the stored cases of ``source`` among ``external_ids``, keyed by id."""
    ids = list(external_ids)
    if not ids:
        return {}
    if connection.dialect.name == "sqlite":
        return _fetch_stored_sqlite(connection, source, ids)
    rows = connection.execute(
        select(*_STORED_COLUMNS).where(
            CASE.c.source == source, CASE.c.external_id.in_(ids)
        )
    )
    return {row.external_id: row._asdict() for row in rows}


def _sqlite_instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _sqlite_reader(column: Any) -> Callable[[Any], Any] | None:
    """Return the conversion from SQLite's stored value to what SQLAlchemy's
    column type returns, or None where the driver's value is already that."""
    if isinstance(column.type, UTCDateTime):
        return _sqlite_instant
    if isinstance(column.type, JSON):
        return json.loads
    if isinstance(column.type, Boolean):
        return bool
    return None


_STORED_NAMES = tuple(column.name for column in _STORED_COLUMNS)
_STORED_READERS = tuple(
    (index, reader)
    for index, column in enumerate(_STORED_COLUMNS)
    if (reader := _sqlite_reader(column)) is not None
)


def _fetch_stored_sqlite(
    connection: Connection, source: str, ids: list[str]
) -> dict[str, dict[str, Any]]:
    """Read stored cases through the driver and convert the values as
    SQLAlchemy's column types would, which costs a fraction of its row
    processing."""
    names = ", ".join(f'"{name}"' for name in _STORED_NAMES)
    marks = ", ".join("?" for _ in ids)
    sql = f'SELECT {names} FROM "case" WHERE source = ? AND external_id IN ({marks})'
    found: dict[str, dict[str, Any]] = {}
    for raw in connection.exec_driver_sql(sql, (source, *ids)):
        values = list(raw)
        for index, reader in _STORED_READERS:
            if values[index] is not None:
                values[index] = reader(values[index])
        row = dict(zip(_STORED_NAMES, values, strict=True))
        found[row["external_id"]] = row
    return found


def has_cases(engine: Engine, source: str) -> bool:
    """Tell whether the store has a case from ``source``."""
    query = select(CASE.c.id).where(CASE.c.source == source).limit(1)
    with engine.connect() as connection:
        return connection.execute(query).first() is not None


def lock_sources(connection: Connection, sources: Iterable[str]) -> None:
    """Make concurrent imports of the same sources write one batch at a time.

    A batch reads which of its external ids are stored and then inserts the
    others, so two imports of one file must not interleave those steps. On
    PostgreSQL this takes a transaction-level advisory lock per source, in
    sorted order so that two batches cannot deadlock. SQLite needs nothing
    because the batch's BEGIN IMMEDIATE holds the database's write lock.
    """
    if connection.dialect.name != "postgresql":
        return
    for source in sorted(set(sources)):
        digest = hashlib.blake2b(
            f"city311 import {source}".encode(), digest_size=8
        ).digest()
        key = int.from_bytes(digest, "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def allocate_case_ids(connection: Connection, count: int) -> list[int]:
    """Reserve ``count`` case ids so events can name their case before insert.

    PostgreSQL draws from the id column's sequence. SQLite continues from the
    largest id, which is safe because the writer's transaction began with
    BEGIN IMMEDIATE and holds the database's write lock.
    """
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('\"case\"', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [row[0] for row in rows]
    last = connection.execute(
        select(func.coalesce(func.max(CASE.c.id), 0))
    ).scalar_one()
    return list(range(last + 1, last + count + 1))


def sqlite_datetime(value: datetime | None) -> str | None:
    """Format an instant as SQLAlchemy stores a SQLite DATETIME, in UTC.

    ``isoformat`` gives ``YYYY-MM-DD HH:MM:SS.ffffff+00:00`` for a UTC instant,
    and the first 26 characters are SQLAlchemy's storage format.
    """
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _sqlite_converter(table: Table, name: str) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if isinstance(column_type, UTCDateTime):
        return sqlite_datetime
    if isinstance(column_type, JSON):
        return json_text
    return None


def _json_fallback(value: Any) -> Any:
    """Convert float and int subclasses, which orjson does not serialise itself."""
    if isinstance(value, float):
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serializable")


def json_text(value: Any) -> str:
    """Serialise a JSON column value for SQLite.

    orjson writes compact JSON (no spaces after separators, non-ASCII text
    as UTF-8) about ten times faster than ``json.dumps``, and datetimes as
    ISO 8601 with offset, the form ``cases.projection.encode`` writes. NaN
    becomes null, as SQLite stores a NaN REAL.
    """
    if value == {}:
        return "{}"
    options = orjson.OPT_SERIALIZE_NUMPY
    return orjson.dumps(value, default=_json_fallback, option=options).decode()


def insert_rows(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> None:
    """Insert rows that all have the same keys with one executemany.

    On SQLite the values are converted here to what SQLAlchemy's column types
    would store (UTC text for instants, JSON text) and passed to the driver as
    tuples, because SQLAlchemy's per-row parameter processing costs more than
    the insert itself. PostgreSQL takes the typed Core statement, which
    SQLAlchemy sends in multi-row batches.
    """
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    pick = itemgetter(*names)
    converted = [
        (index, convert)
        for index, name in enumerate(names)
        if (convert := _sqlite_converter(table, name)) is not None
    ]
    if len(names) == 1:
        values = [(pick(row),) for row in rows]
    elif not converted:
        values = [pick(row) for row in rows]
    else:
        values = []
        for row in rows:
            value = list(pick(row))
            for index, convert in converted:
                item = value[index]
                if item is not None:
                    value[index] = convert(item)
            values.append(tuple(value))
    connection.exec_driver_sql(sql, values)


def insert_cases(connection: Connection, rows: list[dict[str, Any]]) -> None:
    insert_rows(connection, CASE, rows)


def insert_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    insert_rows(connection, EVENT, rows)


def insert_aliases(connection: Connection, rows: list[dict[str, Any]]) -> None:
    insert_rows(connection, ALIAS, rows)


def fetch_events(
    connection: Connection, case_ids: Iterable[int]
) -> dict[int, list[tuple[int, str, datetime, dict[str, Any]]]]:
    """Return each case's events as ``(id, kind, at, data)`` in id order."""
    ids = list(case_ids)
    found: dict[int, list[tuple[int, str, datetime, dict[str, Any]]]] = {
        i: [] for i in ids
    }
    if not ids:
        return found
    rows = connection.execute(
        select(EVENT.c.id, EVENT.c.case_id, EVENT.c.kind, EVENT.c.at, EVENT.c.data)
        .where(EVENT.c.case_id.in_(ids))
        .order_by(EVENT.c.id)
    )
    for event_id, case_id, kind, at, data in rows:
        found[case_id].append((event_id, kind, at, data))
    return found


def update_cases(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Write new projections; each row has ``id``, ``version``, ``updated_at``
    and every projected field, and the version goes up by one."""
    if not rows:
        return
    names = (*PROJECTED_FIELDS, "updated_at")
    values = {name: bindparam(f"new_{name}") for name in names}
    values["version"] = bindparam("new_version")
    statement = update(CASE).where(CASE.c.id == bindparam("case_id")).values(values)
    params = []
    for row in rows:
        bound = {f"new_{name}": row[name] for name in names}
        bound["new_version"] = row["version"] + 1
        bound["case_id"] = row["id"]
        params.append(bound)
    connection.execute(statement, params)
