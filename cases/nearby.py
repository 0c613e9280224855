"""Open cases of a type near a point: the likely duplicates of a new report.

A bounding box in SQL narrows the candidates, and Python computes the exact
great-circle distance. Addresses are matched the same way: a substring match on
the house number (or a street word) in SQL, then a comparison of normalised
forms in Python. Latitude and longitude have no index, so the query
relies on the (service type, status) index to keep the scan small.
NOTE: measured only with test data; a spatial index is the next step if open
cases of one type reach the hundreds of thousands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cases.addresses import address_anchor, normalise_address
from cases.lifecycle import OPEN_STATUSES
from cases.models import Case, ServiceType

EARTH_RADIUS_M = 6_371_000.0
MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class NearbyCase:
    case_number: str
    status: str
    address: str | None
    distance_m: float | None
    description: str


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres between two WGS 84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = (
        math.sin(dphi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def _open_of_type(code: str):
    return (
        select(Case)
        .join(ServiceType, Case.service_type_id == ServiceType.id)
        .where(ServiceType.code == code, Case.status.in_(OPEN_STATUSES))
        .where(Case.parent_id.is_(None))
    )


def nearby_open_cases(
    session: Session,
    service_code: str,
    latitude: float | None,
    longitude: float | None,
    address: str | None,
) -> list[NearbyCase]:
    """List open, non-duplicate cases of a type within the type's duplicate radius.

    Cases at the same address are listed too, with no distance, when they have
    no coordinates to compare. Addresses are the same when their
    ``normalise_address`` forms are equal ("3897 Nutmeg Avenue" is
    "3897 nutmeg ave.").
    """
    service_type = session.scalar(
        select(ServiceType).where(ServiceType.code == service_code)
    )
    if service_type is None or not service_type.duplicate_radius_m:
        return []
    radius = service_type.duplicate_radius_m
    found: dict[str, NearbyCase] = {}
    if latitude is not None and longitude is not None:
        dlat = math.degrees(radius / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(latitude)), 1e-6)
        box = _open_of_type(service_code).where(
            Case.latitude.between(latitude - dlat, latitude + dlat),
            Case.longitude.between(longitude - dlon, longitude + dlon),
        )
        for case in session.scalars(box):
            distance = haversine_m(latitude, longitude, case.latitude, case.longitude)
            if distance <= radius:
                found[case.case_number] = _view(case, distance)
    for case in _same_address(session, service_code, address):
        found.setdefault(case.case_number, _view(case, None))
    ordered = sorted(
        found.values(), key=lambda c: (c.distance_m is None, c.distance_m or 0)
    )
    return ordered[:MAX_SUGGESTIONS]


def _same_address(session: Session, service_code: str, address: str | None):
    """Return up to MAX_SUGGESTIONS open cases of a type at the same address."""
    key = normalise_address(address)
    if not key:
        return []
    anchor = address_anchor(key)
    candidates = _open_of_type(service_code).where(
        func.lower(Case.address).contains(anchor, autoescape=True)
    )
    same = [
        case
        for case in session.scalars(candidates.order_by(Case.id))
        if normalise_address(case.address) == key
    ]
    return same[:MAX_SUGGESTIONS]


def _view(case: Case, distance: float | None) -> NearbyCase:
    return NearbyCase(
        case.case_number, case.status, case.address, distance, case.description
    )
