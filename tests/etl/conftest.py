"""Fixtures for the ETL: a case store with hand-written histories, the bulk
writer on the migrated case store, and a warehouse.

``CaseWriter`` inserts case and case_event rows with SQLAlchemy Core, the case
row computed from its events with ``cases.projection.rebuild`` (as the service
layer keeps it), so each test states a history and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select, update

from cases.catalogue import sync_catalogue
from cases.city import load_city
from cases.db import make_session_factory, transaction
from cases.models import Case, CaseEvent, Department, Requester, ServiceType
from cases.projection import encode, rebuild
from city311.settings import load_settings
from etl.bulk import ImportSummary, write_records
from tests.conftest import REPO_ROOT

NEW_YORK = ZoneInfo("America/New_York")
TEST_CITY = REPO_ROOT / "tests" / "cases" / "fixtures" / "testville.toml"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass
class Event:
    kind: str
    at: datetime
    after: dict[str, Any] = field(default_factory=dict)
    actor: str = "system"
    public: bool = False
    note: str | None = None


class CaseWriter:
    """Writes hand-written case histories into a real case store."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.events: dict[int, list[tuple[int, Event]]] = {}
        self.fields: dict[int, dict[str, Any]] = {}
        with engine.connect() as connection:
            self.department_ids = dict(
                connection.execute(select(Department.code, Department.id)).all()
            )
            self.type_rows = {
                row.code: row
                for row in connection.execute(select(ServiceType.__table__)).all()
            }
            self.next_event_id = (
                connection.execute(select(CaseEvent.id).order_by(CaseEvent.id.desc()))
                .scalars()
                .first()
                or 0
            ) + 1

    def type_id(self, code: str) -> int:
        return self.type_rows[code].id

    def created(self, at: datetime, type_code: str, **after: Any) -> Event:
        """A creation event that sets the fields the service layer sets."""
        row = self.type_rows[type_code]
        values = {
            "status": "new",
            "service_type_id": row.id,
            "department_id": row.department_id,
            "kind": row.kind,
            "channel": "web",
            "description": "private description text",
            "priority": "normal",
            "created_at": at,
            "due_at": None,
            "reopen_count": 0,
            "flags": "",
        }
        values.update(after)
        return Event("created", at, values, actor="public")

    def write(
        self,
        case_id: int,
        events: list[Event],
        updated_at: datetime,
        source: str = "city311",
        external_id: str | None = None,
        requester: dict[str, str] | None = None,
    ) -> None:
        """Append ``events`` to a case (creating it) and rewrite its projected row."""
        exists = case_id in self.events
        numbered = []
        for event in events:
            numbered.append((self.next_event_id, event))
            self.next_event_id += 1
        history = self.events.setdefault(case_id, []) + numbered
        self.events[case_id] = history
        state = rebuild(
            [(i, e.kind, e.at, {"after": encode(e.after)}) for i, e in history]
        )
        row = {name: value for name, value in state.items()}
        row["attributes"] = row.get("attributes") or {}
        row["description"] = row.get("description") or ""
        row["description_public"] = bool(row.get("description_public"))
        row.update(
            id=case_id,
            case_number=f"T-{case_id:05d}",
            source=source,
            external_id=external_id,
            updated_at=updated_at,
            version=len(history),
            reopen_count=row.get("reopen_count") or 0,
            flags=row.get("flags") or "",
            priority=row.get("priority") or "normal",
        )
        with self.engine.begin() as connection:
            if exists:
                connection.execute(update(Case).where(Case.id == case_id), [row])
            else:
                connection.execute(insert(Case), [row])
            connection.execute(
                insert(CaseEvent),
                [
                    {
                        "id": event_id,
                        "case_id": case_id,
                        "kind": event.kind,
                        "at": event.at,
                        "recorded_at": event.at,
                        "actor": event.actor,
                        "data": {"before": {}, "after": encode(event.after)},
                        "note": event.note,
                        "public": event.public,
                    }
                    for event_id, event in numbered
                ],
            )
            if requester:
                connection.execute(
                    insert(Requester), [{"case_id": case_id, **requester}]
                )


@pytest.fixture(scope="session")
def city():
    return load_city(str(TEST_CITY))


@pytest.fixture
def settings(tmp_path: Path, database_url: str):
    return load_settings(
        {
            "data_dir": str(tmp_path / "var"),
            "database_url": database_url,
            "city": str(TEST_CITY),
        },
        environ={},
    )


@pytest.fixture
def writer(engine, city) -> CaseWriter:
    with transaction(make_session_factory(engine)) as session:
        sync_catalogue(session, city)
    return CaseWriter(engine)


def table_rows(connection, table: str) -> list[tuple]:
    return connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def as_dicts(connection, sql: str, parameters=None) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)


COMPARED_TABLES = (
    "fact_case",
    "fact_case_event",
    "dim_department",
    "dim_service_type",
    "dim_date",
    "dim_geography",
)


def warehouse_rows(settings) -> dict[str, list[tuple]]:
    """Every compared table of the current snapshot, rows sorted."""
    from etl import warehouse

    with warehouse.open_snapshot(settings) as connection:
        return {table: table_rows(connection, table) for table in COMPARED_TABLES}


def rebuilt_rows(settings, engine, city, folder: Path) -> dict[str, list[tuple]]:
    """Run a full rebuild of the same case store into another data folder."""
    from dataclasses import replace

    from etl import load

    other = replace(settings, data_dir=folder)
    load.run(other, engine, city, full=True)
    return warehouse_rows(other)


@pytest.fixture
def write(engine: Engine, tmp_path: Path) -> Callable[..., ImportSummary]:
    """Write records into the test store; keyword options go to the BulkWriter."""

    def run(items, **options) -> ImportSummary:
        options.setdefault("zone", NEW_YORK)
        options.setdefault("rejects_dir", tmp_path / "rejects")
        options.setdefault("source", "testcity")
        if "now" in options:
            moment: datetime = options.pop("now")
            options["clock"] = lambda: moment
        return write_records(engine, items, **options)

    return run
