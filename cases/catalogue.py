"""Copying the city's departments and service types into the case store."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.city import CityConfig
from cases.city import ServiceType as ServiceTypeConfig
from cases.models import Department, ServiceType

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncCounts:
    departments: int
    service_types_added: int
    service_types_updated: int


def attributes_json(config: ServiceTypeConfig) -> list[dict[str, Any]]:
    """Render Open311 attribute definitions as the JSON stored with the type."""
    return [
        {
            "code": attr.code,
            "datatype": attr.datatype,
            "required": attr.required,
            "description": attr.description,
            "order": attr.order,
            "values": [{"key": key, "name": name} for key, name in attr.values],
        }
        for attr in config.attributes
    ]


def sync_catalogue(session: Session, city: CityConfig) -> SyncCounts:
    """Insert or update the configured departments and service types.

    Types that imports created and the configuration does not list are left
    alone; configured types are updated in place, so existing cases keep them.
    """
    departments = {d.code: d for d in session.scalars(select(Department))}
    for code, config in city.departments.items():
        row = departments.get(code) or Department(code=code, source="config")
        row.name = config.name
        session.add(row)
        departments[code] = row
    session.flush()

    existing = {t.code: t for t in session.scalars(select(ServiceType))}
    added = updated = 0
    for code, config in city.service_types.items():
        row = existing.get(code)
        if row is None:
            row = ServiceType(code=code, source="config")
            added += 1
        else:
            updated += 1
        row.name = config.name
        row.department_id = departments[config.department].id
        row.kind = config.kind
        row.sla_value = config.sla.value if config.sla else None
        row.sla_unit = config.sla.unit if config.sla else None
        row.needs_location = config.needs_location
        row.pause_on_hold = config.pause_on_hold
        row.duplicate_radius_m = config.duplicate_radius_m
        row.attributes = attributes_json(config)
        row.keywords = list(config.keywords)
        row.description = config.description
        row.active = config.active
        session.add(row)
    log.info(
        "catalogue of %s: %d departments, %d service types added, %d updated",
        city.name,
        len(city.departments),
        added,
        updated,
    )
    return SyncCounts(len(city.departments), added, updated)
