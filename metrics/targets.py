"""Targets from the city configuration and the score of a figure against them."""

from __future__ import annotations

from typing import Protocol

from metrics.registry import HEADLINE, HIGHER, LOWER, metric


class TargetSource(Protocol):
    """The part of a city configuration (``cases.city.CityConfig``) scoring uses."""

    departments: dict

    def target(self, metric: str, department: str | None = None) -> float | None: ...


def target_for(
    city: TargetSource | None, name: str, department: str | None = None
) -> float | None:
    """Return the department's target for a metric, else the city's, else None.

    Only the headline figures carry targets. A department that the
    configuration does not list (an imported one, say) gets the city's target.
    """
    if city is None or name not in HEADLINE:
        return None
    if department is not None and department not in city.departments:
        department = None
    return city.target(name, department)


def score(
    name: str, value: float | None, target: float | None
) -> tuple[float | None, str | None]:
    """Return ``(score, reason)``: actual / target, inverted when lower is better.

    A score above 1 beats the target. The reason explains a null score.
    """
    direction = metric(name).direction
    if value is None:
        return None, "no value"
    if target is None:
        return None, "no target"
    if direction == HIGHER:
        return (value / target, None) if target > 0 else (None, "target is zero")
    if direction == LOWER:
        return (target / value, None) if value > 0 else (None, "actual is zero")
    return None, "no better direction"
