"""Locations of demo cases: around the city's district centroids, inside its bounds."""

from __future__ import annotations

import numpy as np

# Invented street names; the demo never uses a real address.
STREETS = (
    "Alder St", "Birch Ave", "Cedar Ln", "Dogwood St", "Elm Row", "Fir Ct",
    "Ginkgo Way", "Hazel Ave", "Ironwood St", "Juniper Pl", "Linden Rd",
    "Magnolia St", "Nutmeg Ave", "Olive Ct", "Poplar Way", "Quince St",
)  # fmt: skip
# Spread around a centroid, in degrees (about 600 m north-south).
SPREAD_DEGREES = 0.0055


def draw_location(city, district_codes: list[str], rng: np.random.Generator):
    """Draw ``(latitude, longitude, district, address)`` near a district centroid.

    A city configured without districts gets points around its centre and no
    district.
    """
    if district_codes:
        code = district_codes[int(rng.integers(len(district_codes)))]
        district = city.districts[code]
        centre = (district.latitude, district.longitude)
    else:
        code = None
        centre = city.center
    bounds = city.bounds
    latitude = float(
        np.clip(rng.normal(centre[0], SPREAD_DEGREES), bounds.min_lat, bounds.max_lat)
    )
    longitude = float(
        np.clip(
            rng.normal(centre[1], SPREAD_DEGREES * 1.3),
            bounds.min_lon,
            bounds.max_lon,
        )
    )
    number = int(rng.integers(1, 40)) * 100 + int(rng.integers(1, 99))
    address = f"{number} {STREETS[int(rng.integers(len(STREETS)))]}"
    return round(latitude, 6), round(longitude, 6), code, address


def near(latitude: float, longitude: float, rng: np.random.Generator):
    """Draw a point within about 30 m of another, for a duplicate report."""
    return (
        round(latitude + float(rng.normal(0, 0.00015)), 6),
        round(longitude + float(rng.normal(0, 0.0002)), 6),
    )
