"""Departments and service types named by imported records, created on first sight.

Codes are global: a source's code that matches a configured department or
service type reuses it. A type created by an import gets no SLA unless the
city configuration defines that code, because the source's own due dates are
kept as given.

Two imports can create the same code at once, so rows are inserted with
``ON CONFLICT (code) DO NOTHING`` and the ids are selected afterwards: the
import that loses the race uses the row that the other one committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from cases.models import Department, ServiceType

log = logging.getLogger(__name__)

UNSTATED_DEPARTMENT = "UNSTATED"
UNSTATED_DEPARTMENT_NAME = "Department not stated by the source"


class Catalogue:
    """Code-to-id maps of departments and service types, filled lazily.

    ``configured_types`` maps a service type code to the city configuration's
    definition (anything with ``name``, ``department``, ``kind`` and ``sla``);
    it supplies the SLA of a type that an import creates with that code.
    """

    def __init__(self, configured_types: Mapping[str, Any] | None = None) -> None:
        self.configured_types = dict(configured_types or {})
        self.departments: dict[str, int] = {}
        self.types: dict[str, int] = {}
        self.type_departments: dict[int, int] = {}
        self.created_departments = 0
        self.created_types = 0

    def load(self, connection: Connection) -> None:
        dept = Department.__table__
        types = ServiceType.__table__
        for code, ident in connection.execute(select(dept.c.code, dept.c.id)):
            self.departments[code] = ident
        rows = connection.execute(
            select(types.c.code, types.c.id, types.c.department_id)
        )
        for code, ident, department_id in rows:
            self.types[code] = ident
            self.type_departments[ident] = department_id

    def knows_codes(
        self, departments: Iterable[str | None], services: Iterable[str]
    ) -> bool:
        """Tell whether ``ensure`` would find these codes stored; a department
        code of None or "" stands for the unstated department."""
        return all(
            (code or UNSTATED_DEPARTMENT) in self.departments for code in departments
        ) and all(code in self.types for code in services)

    def ensure(
        self, connection: Connection, records: Iterable[Any], source: str
    ) -> None:
        """Create the departments and service types of ``records`` that are missing."""
        new_departments: dict[str, str] = {}
        new_types: dict[str, tuple[str, str, str]] = {}
        for record in records:
            dept_code = record.department_code or UNSTATED_DEPARTMENT
            if dept_code not in self.departments and dept_code not in new_departments:
                new_departments[dept_code] = (
                    record.department_name
                    or (UNSTATED_DEPARTMENT_NAME if not record.department_code else "")
                    or dept_code
                )
            for event in getattr(record, "events", ()):
                reference = event.after.get("department_id")
                if (
                    isinstance(reference, tuple)
                    and reference[1] not in self.departments
                ):
                    new_departments.setdefault(reference[1], reference[1])
            code = record.service_code
            if code not in self.types and code not in new_types:
                new_types[code] = (record.service_name or code, dept_code, record.kind)
        for code in new_types:
            configured = self.configured_types.get(code)
            if configured is not None and configured.department not in self.departments:
                new_departments.setdefault(configured.department, configured.department)
        if new_departments:
            self._insert_departments(connection, new_departments, source)
        if new_types:
            self._insert_types(connection, new_types, source)

    def _insert_departments(
        self, connection: Connection, names: dict[str, str], source: str
    ) -> None:
        table = Department.__table__
        rows = [
            {"code": code, "name": name[:200], "source": source}
            for code, name in names.items()
        ]
        created = _insert_new_codes(connection, table, rows)
        found = connection.execute(
            select(table.c.code, table.c.id).where(table.c.code.in_(list(names)))
        )
        self.departments.update({code: ident for code, ident in found})
        self.created_departments += created
        log.info("created %d departments from source %s", created, source)

    def _insert_types(
        self,
        connection: Connection,
        specs: dict[str, tuple[str, str, str]],
        source: str,
    ) -> None:
        table = ServiceType.__table__
        rows = [self._type_row(code, spec, source) for code, spec in specs.items()]
        created = _insert_new_codes(connection, table, rows)
        found = connection.execute(
            select(table.c.code, table.c.id, table.c.department_id).where(
                table.c.code.in_(list(specs))
            )
        )
        for code, ident, department_id in found:
            self.types[code] = ident
            self.type_departments[ident] = department_id
        self.created_types += created
        log.info("created %d service types from source %s", created, source)

    def _type_row(
        self, code: str, spec: tuple[str, str, str], source: str
    ) -> dict[str, Any]:
        name, dept_code, kind = spec
        configured = self.configured_types.get(code)
        sla = None
        if configured is not None:
            name, dept_code, kind = (
                configured.name,
                configured.department,
                configured.kind,
            )
            sla = configured.sla
        return {
            "code": code,
            "name": name[:200],
            "department_id": self.departments[dept_code],
            "kind": kind,
            "sla_value": sla.value if sla else None,
            "sla_unit": sla.unit if sla else None,
            "needs_location": False,
            "pause_on_hold": False,
            "duplicate_radius_m": 50.0,
            "attributes": [],
            "keywords": [],
            "description": "",
            "active": True,
            "source": source,
        }

    def department_id(self, code: str) -> int:
        return self.departments[code or UNSTATED_DEPARTMENT]


def _insert_new_codes(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> int:
    """Insert the rows whose code is not stored yet; return how many were inserted.

    A row whose code another transaction committed first is skipped. On
    PostgreSQL the insert waits for a concurrent transaction that inserted the
    same code and skips the row once that one commits. On SQLite the write
    lock taken by BEGIN IMMEDIATE serializes the transactions.
    """
    dialects = {"postgresql": postgresql, "sqlite": sqlite}
    dialect = dialects.get(connection.dialect.name)
    if dialect is None:
        raise ValueError(
            f"creating departments and service types needs PostgreSQL or SQLite, "
            f"not {connection.dialect.name}"
        )
    statement = (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.code])
        .returning(table.c.id)
    )
    return len(connection.execute(statement, rows).all())
