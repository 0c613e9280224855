"""Data-quality checks on a chunk's parsed columns, as boolean arrays.

Each check marks rows and never changes a value, except that coordinates at
0,0 are dropped (they mean "not geocoded", not a place in the Atlantic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cases import quality
from etl.sources.dates import Dates

FLAG_ORDER = (
    quality.CLOSED_BEFORE_CREATED,
    quality.PLACEHOLDER_DATE,
    quality.STATUS_DATE_MISMATCH,
    quality.ZERO_COORDINATES,
    quality.OUT_OF_AREA,
    quality.UNREADABLE_TEXT,
    quality.DUPLICATE_ID,
    quality.FUTURE_DATE,
)
BIT = {name: 1 << i for i, name in enumerate(FLAG_ORDER)}
FLAG_SETS = tuple(
    frozenset(name for name in FLAG_ORDER if bits & BIT[name])
    for bits in range(1 << len(FLAG_ORDER))
)


@dataclass(frozen=True)
class BoundingBox:
    """A latitude/longitude box in degrees (WGS 84); outside it is out of area."""

    south: float
    west: float
    north: float
    east: float

    def outside(self, latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            inside = (
                (latitude >= self.south)
                & (latitude <= self.north)
                & (longitude >= self.west)
                & (longitude <= self.east)
            )
        known = ~np.isnan(latitude) & ~np.isnan(longitude)
        return known & ~inside


def closed_before_created(created: Dates, closed: Dates) -> np.ndarray:
    """Mark rows closed before they were created.

    A date-only closed column is compared by local calendar date, so a case
    closed "on" its creation day is not flagged.
    """
    if closed.rule.date_only or created.rule.date_only:
        before = closed.local.astype("datetime64[D]") < created.local.astype(
            "datetime64[D]"
        )
    else:
        before = closed.utc < created.utc
    return before & ~np.isnat(closed.utc) & ~np.isnat(created.utc)


def status_date_mismatch(is_closed: np.ndarray, closed: Dates | None) -> np.ndarray:
    """Mark closed rows without a closed date and open rows with one.

    A placeholder closed date counts as neither present nor missing: the
    placeholder flag already covers it.
    """
    if closed is None:
        return np.zeros(len(is_closed), dtype=bool)
    has_closed = ~np.isnat(closed.utc)
    return (is_closed & ~has_closed & ~closed.placeholder) | (~is_closed & has_closed)


def zero_coordinates(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    return (latitude == 0) & (longitude == 0)


def flag_bits(masks: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Combine one mask per flag name into an integer of bits per row."""
    bits = np.zeros(n, dtype=np.int64)
    for name, mask in masks.items():
        bits |= np.where(mask, BIT[name], 0)
    return bits
