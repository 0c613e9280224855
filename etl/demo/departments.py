"""Working speed of each department in the demo city.

Speeds are multiples of the SLA: below 1 means most cases close on time. One
department, the second busiest, is chronically late, so the dashboards have a
backlog to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DepartmentProfile:
    """Median time to close as a multiple of the SLA, its lognormal spread,
    and the mean hours to acknowledge a case."""

    speed: float
    spread: float
    ack_hours: float
    chronically_late: bool = False


LATE = DepartmentProfile(speed=1.8, spread=0.9, ack_hours=40.0, chronically_late=True)


def department_profiles(
    volumes: Mapping[str, float], rng: np.random.Generator
) -> dict[str, DepartmentProfile]:
    """Draw a profile per department code; ``volumes`` gives each one's share."""
    ranked = sorted(volumes, key=lambda code: (-volumes[code], code))
    late = ranked[1] if len(ranked) > 1 else ranked[0]
    profiles = {}
    for code in sorted(volumes):
        if code == late:
            profiles[code] = LATE
            continue
        profiles[code] = DepartmentProfile(
            speed=float(rng.uniform(0.3, 0.85)),
            spread=float(rng.uniform(0.5, 0.8)),
            ack_hours=float(rng.uniform(2.0, 18.0)),
        )
    return profiles
