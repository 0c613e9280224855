"""How many cases of each service type arrive on each day.

About ``ANNUAL_CASES`` a year, split over the active service types with
seeded random weights, shaped by season (matched on the type's code and name)
and by weekday, then drawn from a Poisson distribution per day and type.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

ANNUAL_CASES = 35_000

# Monthly multipliers, January first, each with a mean of about 1.
SPRING = (0.6, 0.8, 1.6, 1.9, 1.7, 1.1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7)
SUMMER = (0.2, 0.2, 0.4, 0.9, 1.6, 2.2, 2.4, 2.2, 1.2, 0.4, 0.2, 0.1)
FALL = (0.5, 0.4, 0.5, 0.6, 0.7, 0.7, 0.7, 0.8, 1.2, 2.3, 2.6, 1.0)
WINTER = (3.0, 2.7, 1.1, 0.2, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.3, 3.1)
FLAT = (1.0,) * 12
# Keywords in a type's code or name, first match wins.
SEASON_KEYWORDS: tuple[tuple[tuple[str, ...], tuple[float, ...]], ...] = (
    (("snow", "ice", "heat", "plow", "salt"), WINTER),
    (("pothole", "cave", "sinkhole", "sweep"), SPRING),
    (("grass", "weed", "mow", "rodent", "mosquito"), SUMMER),
    (("leaf", "leaves", "yard", "tree"), FALL),
)
# Monday first: fewer requests at weekends, most on Monday.
WEEKDAY_FACTORS = np.array([1.2, 1.12, 1.1, 1.06, 1.0, 0.78, 0.74])
WEEKDAY_FACTORS = WEEKDAY_FACTORS / WEEKDAY_FACTORS.mean()


def season_of(code: str, name: str) -> tuple[float, ...]:
    """Return the monthly multipliers that fit a service type's code and name."""
    text = f"{code} {name}".lower().replace("_", " ")
    for keywords, profile in SEASON_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return profile
    return FLAT


def type_weights(kinds: Sequence[str], rng: np.random.Generator) -> np.ndarray:
    """Return each type's share of all cases (summing to 1).

    Information requests, ideas and compliments are rarer than service requests.
    """
    base = rng.gamma(shape=1.2, scale=1.0, size=len(kinds))
    rare = np.array([kind in {"idea", "compliment", "billing"} for kind in kinds])
    base[rare] *= 0.25
    return base / base.sum()


def daily_counts(
    days: Sequence[date],
    seasons: Sequence[tuple[float, ...]],
    weights: np.ndarray,
    rng: np.random.Generator,
    annual: int = ANNUAL_CASES,
) -> np.ndarray:
    """Draw the number of cases per day and type, shape ``(len(days), types)``."""
    months = np.array([day.month - 1 for day in days])
    weekdays = np.array([day.weekday() for day in days])
    profile = np.array(seasons).T  # (12, types)
    profile = profile / profile.mean(axis=0)
    expected = (annual / 365.25) * weights[None, :] * profile[months]
    expected *= WEEKDAY_FACTORS[weekdays][:, None]
    return rng.poisson(expected)
