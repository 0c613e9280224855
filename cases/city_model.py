"""The city configuration as frozen dataclasses.

Build these with ``cases.city.load_city``, which validates the TOML file and reports
every problem at once; the constructors here only guard their own invariants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

SLA_UNITS: tuple[str, ...] = (
    "calendar_hours",
    "calendar_days",
    "business_hours",
    "business_days",
)
DAY_UNITS: frozenset[str] = frozenset({"calendar_days", "business_days"})

SERVICE_KINDS: tuple[str, ...] = (
    "service_request",
    "complaint",
    "information",
    "billing",
    "idea",
    "compliment",
)

# Open311 GeoReport v2 service-definition attribute datatypes.
ATTRIBUTE_DATATYPES: tuple[str, ...] = (
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
)
LIST_DATATYPES: frozenset[str] = frozenset({"singlevaluelist", "multivaluelist"})

# Metric names that may carry a target, as the metrics layer and `city311 report`
# name them. Rates and shares are fractions between 0 and 1.
TARGET_METRICS: tuple[str, ...] = (
    "received",
    "closed",
    "time_to_close_median_hours",
    "time_to_close_p90_hours",
    "first_response_median_hours",
    "on_time_rate",
    "overdue_open",
    "open_backlog",
    "clearance_rate",
    "resolution_rate",
    "reopen_rate",
    "duplicate_share",
)
FRACTION_METRICS: frozenset[str] = frozenset(
    name for name in TARGET_METRICS if name.endswith(("_rate", "_share"))
)

DEFAULT_DUPLICATE_RADIUS_M = 50.0

# Translations of one entry's catalogue text: language code -> field -> text.
Translations = dict[str, dict[str, str]]


def translated(
    translations: Translations, field_name: str, language: str, english: str
) -> str:
    """Return the text of ``field_name`` in ``language``, or ``english`` without one."""
    return translations.get(language, {}).get(field_name) or english


class CityConfigError(ValueError):
    """A city configuration that cannot be used. ``problems`` lists every finding."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class SLA:
    """A service-level target: how long the city has to close a case of a type."""

    value: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in SLA_UNITS:
            raise ValueError(
                f"invalid SLA unit {self.unit!r}; use one of {', '.join(SLA_UNITS)}"
            )
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise ValueError(f"SLA value {self.value!r} is not a number")
        if not math.isfinite(self.value) or self.value <= 0:
            raise ValueError(f"SLA value {self.value!r} must be a positive number")
        if self.unit in DAY_UNITS and self.value != int(self.value):
            raise ValueError(
                f"SLA value {self.value!r} {self.unit} is not a whole number of days; "
                "use calendar_hours or business_hours for fractions"
            )

    def __str__(self) -> str:
        """Format as '3 business days' or '4 calendar hours'."""
        amount = f"{self.value:g}"
        kind, noun = self.unit.split("_")
        if self.value == 1:
            noun = noun.removesuffix("s")
        return f"{amount} {kind} {noun}"


@dataclass(frozen=True)
class Department:
    """A department; ``translations`` may translate its name and description."""

    code: str
    name: str
    description: str = ""
    translations: Translations = field(default_factory=dict, hash=False)

    def text(self, field_name: str, language: str) -> str:
        """Return the name or description in ``language``, falling back to English."""
        return translated(
            self.translations, field_name, language, getattr(self, field_name)
        )


@dataclass(frozen=True)
class Attribute:
    """An Open311 service-definition attribute: an extra question on a request form.

    ``values`` contains (key, name) pairs for the list datatypes and is empty otherwise.
    ``variable`` is false for an attribute that only shows text to the requester.
    ``translations`` may translate description and datatype_description, and
    ``value_translations`` maps a language to value key to translated choice name.
    """

    code: str
    datatype: str
    required: bool
    description: str
    order: int
    values: tuple[tuple[str, str], ...] = ()
    variable: bool = True
    datatype_description: str = ""
    translations: Translations = field(default_factory=dict, hash=False)
    value_translations: Translations = field(default_factory=dict, hash=False)

    def text(self, field_name: str, language: str) -> str:
        """Return the description or datatype_description in ``language``."""
        return translated(
            self.translations, field_name, language, getattr(self, field_name)
        )

    def value_name(self, key: str, language: str) -> str:
        """Return the name of the choice ``key`` in ``language``, else in English.

        Raises KeyError for a key that is not one of ``values``.
        """
        english = dict(self.values)[key]
        return self.value_translations.get(language, {}).get(key) or english


@dataclass(frozen=True)
class ServiceType:
    """A kind of request the city accepts, routed to one department.

    ``duplicate_radius_m`` is how far apart (metres) two open cases of this type may
    be and still be offered as likely duplicates; 0 turns the suggestion off.
    ``translations`` may translate its name and description.
    """

    code: str
    name: str
    department: str
    kind: str
    sla: SLA | None
    needs_location: bool
    pause_on_hold: bool = False
    duplicate_radius_m: float = DEFAULT_DUPLICATE_RADIUS_M
    attributes: tuple[Attribute, ...] = ()
    keywords: tuple[str, ...] = ()
    active: bool = True
    description: str = ""
    translations: Translations = field(default_factory=dict, hash=False)

    def text(self, field_name: str, language: str) -> str:
        """Return the name or description in ``language``, falling back to English."""
        return translated(
            self.translations, field_name, language, getattr(self, field_name)
        )

    def attribute(self, code: str) -> Attribute | None:
        return next((a for a in self.attributes if a.code == code), None)


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours in city-local wall time: open from ``start`` until ``end``.

    ``weekdays`` uses ``date.weekday()`` numbers (Monday is 0). Holidays are closed
    unless ``open_on_holidays`` is true.
    """

    start: time
    end: time
    weekdays: frozenset[int]
    open_on_holidays: bool = False

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"hours end {self.end} is not after start {self.start}")
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError(f"weekdays {sorted(self.weekdays)} must be within 0..6")


@dataclass(frozen=True)
class HolidayRules:
    """Rules that decide which local dates are holidays.

    The ``holidays`` package supplies the public holidays of ``country`` (and
    ``subdivision``), with weekend holidays moved to their observed weekday unless
    ``observed`` is false. ``extra_holidays`` adds city closures. Dates in
    ``working_days`` are working days even when the package lists them.
    """

    country: str | None = None
    subdivision: str | None = None
    observed: bool = True
    extra_holidays: tuple[tuple[date, str], ...] = ()
    working_days: frozenset[date] = frozenset()


@dataclass(frozen=True)
class District:
    code: str
    name: str
    latitude: float
    longitude: float


class Bounds(NamedTuple):
    """A latitude/longitude box around the city, in degrees (WGS 84).

    A tuple, so ``min_lat, min_lon, max_lat, max_lon = city.bounds`` works.
    """

    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return (
            self.min_lat <= latitude <= self.max_lat
            and self.min_lon <= longitude <= self.max_lon
        )


@dataclass(frozen=True)
class CityConfig:
    """A validated city configuration.

    ``targets`` contains the city-wide target per metric and ``department_targets``
    the per-department overrides; read them through ``target``.
    """

    name: str
    slug: str
    timezone: ZoneInfo
    business_hours: BusinessHours
    call_center_hours: BusinessHours
    holidays: HolidayRules
    departments: dict[str, Department]
    service_types: dict[str, ServiceType]
    districts: dict[str, District]
    bounds: Bounds
    center: tuple[float, float]
    targets: dict[str, float] = field(default_factory=dict)
    department_targets: dict[str, dict[str, float]] = field(default_factory=dict)

    def target(self, metric: str, department: str | None = None) -> float | None:
        """Return the department's target for a metric, else the city's, else None.

        Raises ValueError for a metric outside TARGET_METRICS or an unknown
        department code.
        """
        if metric not in TARGET_METRICS:
            raise ValueError(
                f"unknown metric {metric!r}; use one of {', '.join(TARGET_METRICS)}"
            )
        if department is not None:
            if department not in self.departments:
                raise ValueError(
                    f"unknown department {department!r}; "
                    f"use one of {', '.join(self.departments)}"
                )
            override = self.department_targets.get(department, {}).get(metric)
            if override is not None:
                return override
        return self.targets.get(metric)

    def service_type(self, code: str) -> ServiceType:
        """Return the service type with this code; raise KeyError naming the code."""
        try:
            return self.service_types[code]
        except KeyError:
            raise KeyError(
                f"unknown service type {code!r} in the {self.name} configuration; "
                "run `city311 types` for the list"
            ) from None
