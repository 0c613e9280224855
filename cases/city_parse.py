"""Validate a parsed city TOML document and build a CityConfig from it.

Every section is read even after a problem, so one run reports all of them.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time
from typing import Any

import holidays

from cases.city_model import (
    FRACTION_METRICS,
    TARGET_METRICS,
    Bounds,
    BusinessHours,
    CityConfig,
    CityConfigError,
    Department,
    District,
    HolidayRules,
)
from cases.config_reader import ConfigReader, choice_message, show
from cases.service_type_parse import parse_service_types
from cases.translation_parse import parse_translations

TOP_LEVEL_KEYS = frozenset(
    {
        "name",
        "slug",
        "timezone",
        "business_hours",
        "call_center_hours",
        "holidays",
        "bounds",
        "center",
        "districts",
        "targets",
        "departments",
        "service_types",
    }
)
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEPARTMENT_CODE = re.compile(r"[A-Z][A-Z0-9]{0,9}")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
TIME_OF_DAY = re.compile(r"(\d{2}):(\d{2})")


def parse_city(data: dict[str, Any], source: str, default_slug: str) -> CityConfig:
    """Build a CityConfig from a parsed TOML document.

    Raises CityConfigError listing every problem. ``source`` starts each message;
    ``default_slug`` applies when the document has no ``slug``.
    """
    reader = ConfigReader(source)
    reader.check_keys(data, TOP_LEVEL_KEYS, "")

    name = reader.get(data, "name", "string", "")
    slug = _parse_slug(reader, data, default_slug)
    timezone = _parse_timezone(reader, data)
    business_hours = _parse_hours(reader, data, "business_hours", required=True)
    call_center_hours = _parse_hours(reader, data, "call_center_hours", required=False)
    holiday_rules = _parse_holidays(reader, data)

    bounds = _parse_bounds(reader, data)
    center = _parse_center(reader, data, bounds)
    districts = _parse_districts(reader, data, bounds)

    targets = _parse_targets(reader, data, "", "targets")
    departments, department_targets = _parse_departments(reader, data)
    service_types = parse_service_types(reader, data, list(departments))

    if reader.problems:
        raise CityConfigError(reader.problems)
    return CityConfig(
        name=name,
        slug=slug,
        timezone=timezone,
        business_hours=business_hours,
        call_center_hours=call_center_hours or business_hours,
        holidays=holiday_rules,
        departments=departments,
        service_types=service_types,
        districts=districts,
        bounds=bounds,
        center=center,
        targets=targets,
        department_targets=department_targets,
    )


def _parse_slug(reader: ConfigReader, data: dict[str, Any], default: str) -> str:
    slug = reader.get(data, "slug", "string", "", default=default)
    if slug and not SLUG.fullmatch(slug):
        reader.report(
            "",
            f"slug {show(slug)} is invalid; use lowercase letters, digits and dashes",
        )
    return slug


def _parse_timezone(
    reader: ConfigReader, data: dict[str, Any]
) -> zoneinfo.ZoneInfo | None:
    key = reader.get(data, "timezone", "string", "")
    if key is None:
        return None
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        reader.report(
            "",
            choice_message(
                "timezone",
                key,
                zoneinfo.available_timezones(),
                "an IANA time zone",
                fallback='use a name such as "America/New_York"',
            ),
        )
        return None


def _parse_hours(
    reader: ConfigReader, data: dict[str, Any], key: str, required: bool
) -> BusinessHours | None:
    """Read a table of opening hours; only call-center hours may open on holidays."""
    if key not in data and not required:
        return None
    table = reader.get(data, key, "table", "")
    if table is None:
        return None
    allowed = {"start", "end", "weekdays"}
    if key == "call_center_hours":
        allowed.add("open_on_holidays")
    reader.check_keys(table, allowed, key)

    start = _parse_time(reader, table, "start", key)
    end = _parse_time(reader, table, "end", key)
    weekdays = _parse_weekdays(reader, table, key)
    open_on_holidays = reader.get(
        table, "open_on_holidays", "boolean", key, default=False
    )

    if start is None or end is None or weekdays is None:
        return None
    if end <= start:
        reader.report(
            key,
            f"end {end:%H:%M} is not after start {start:%H:%M}; "
            "hours that run past midnight are not supported",
        )
        return None
    return BusinessHours(start, end, weekdays, bool(open_on_holidays))


def _parse_time(
    reader: ConfigReader, table: dict[str, Any], key: str, where: str
) -> time | None:
    """Read a local time of day written as "HH:MM" or as a TOML local time."""
    if isinstance(table.get(key), time):
        return table[key]
    text = reader.get(table, key, "string", where)
    if text is None:
        return None
    match = TIME_OF_DAY.fullmatch(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    reader.report(
        where,
        f'{key} {show(text)} is not a time of day; write "HH:MM" on the 24-hour '
        'clock, such as "08:00"',
    )
    return None


def _parse_weekdays(
    reader: ConfigReader, table: dict[str, Any], where: str
) -> frozenset[int] | None:
    names = reader.get(table, "weekdays", "array", where)
    if names is None:
        return None
    numbers: set[int] = set()
    for name in names:
        if not isinstance(name, str) or name.lower() not in WEEKDAY_NAMES:
            reader.report(
                where,
                f"weekdays entry {show(name)} is not a weekday; "
                f"use {', '.join(WEEKDAY_NAMES)}",
            )
            return None
        numbers.add(WEEKDAY_NAMES.index(name.lower()))
    if not numbers:
        reader.report(where, "weekdays is empty; list at least one day")
        return None
    return frozenset(numbers)


def _parse_holidays(reader: ConfigReader, data: dict[str, Any]) -> HolidayRules:
    where = "holidays"
    table = reader.get(data, "holidays", "table", "", default={})
    allowed = {"country", "subdivision", "observed", "extra_holidays", "working_days"}
    reader.check_keys(table, allowed, where)
    country = reader.get(table, "country", "string", where, default=None)
    subdivision = reader.get(table, "subdivision", "string", where, default=None)
    _check_holiday_region(reader, country, subdivision)
    observed = reader.get(table, "observed", "boolean", where, default=True)

    extra: list[tuple[date, str]] = []
    entries = reader.get_list(table, "extra_holidays", "table", where)
    for index, entry in enumerate(entries):
        entry_where = f"{where}.extra_holidays[{index}]"
        reader.check_keys(entry, {"date", "name"}, entry_where)
        day = _parse_date(reader, entry, "date", entry_where)
        holiday_name = reader.get(entry, "name", "string", entry_where)
        if day is not None and holiday_name is not None:
            extra.append((day, holiday_name))

    working_days = set()
    values = reader.get(table, "working_days", "array", where, default=[])
    for index, value in enumerate(values):
        key = f"working_days[{index}]"
        day = _parse_date(reader, {key: value}, key, where)
        if day is not None:
            working_days.add(day)

    return HolidayRules(
        country=country,
        subdivision=subdivision,
        observed=bool(observed),
        extra_holidays=tuple(sorted(extra)),
        working_days=frozenset(working_days),
    )


def _check_holiday_region(
    reader: ConfigReader, country: str | None, subdivision: str | None
) -> None:
    """Check country and subdivision against the codes the holidays package supports."""
    if country is None:
        if subdivision is not None:
            reader.report("holidays", "subdivision is set but country is missing")
        return
    try:
        # Loads one country's module; listing every supported country imports
        # all of them, which took 0.14 s of each command's start.
        holidays.country_holidays(country, subdiv=subdivision)
        return
    except NotImplementedError:
        pass  # Unknown country or subdivision: the checks below report which.
    supported = holidays.list_supported_countries()
    if country not in supported:
        message = choice_message(
            "country",
            country,
            supported,
            "a country code the holidays package supports",
            fallback='use an ISO 3166-1 alpha-2 code such as "US"',
        )
        reader.report("holidays", message)
        return
    if subdivision is not None and subdivision not in supported[country]:
        message = choice_message(
            "subdivision",
            subdivision,
            supported[country],
            f"a subdivision of {country} that the holidays package supports",
        )
        reader.report("holidays", message)


def _parse_date(
    reader: ConfigReader, table: dict[str, Any], key: str, where: str
) -> date | None:
    """Read a TOML local date, or a string in YYYY-MM-DD form."""
    value = table.get(key)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if key not in table:
        reader.report(where, f"missing required key {show(key)}")
    else:
        reader.report(where, f"{key} {show(value)} is not a date; write YYYY-MM-DD")
    return None


def _parse_bounds(reader: ConfigReader, data: dict[str, Any]) -> Bounds | None:
    table = reader.get(data, "bounds", "table", "")
    if table is None:
        return None
    keys = ("min_lat", "min_lon", "max_lat", "max_lon")
    reader.check_keys(table, keys, "bounds")
    values = [_parse_coordinate(reader, table, key, "bounds") for key in keys]
    if None in values:
        return None
    bounds = Bounds(*values)
    if bounds.min_lat >= bounds.max_lat or bounds.min_lon >= bounds.max_lon:
        reader.report(
            "bounds",
            f"min_lat {bounds.min_lat} and min_lon {bounds.min_lon} must be below "
            f"max_lat {bounds.max_lat} and max_lon {bounds.max_lon}",
        )
        return None
    return bounds


def _parse_coordinate(
    reader: ConfigReader, table: dict[str, Any], key: str, where: str
) -> float | None:
    """Read a latitude (a key containing "lat") or longitude in degrees."""
    value = reader.get(table, key, "number", where)
    if value is None:
        return None
    limit = 90 if "lat" in key else 180
    if not -limit <= value <= limit:
        reader.report(where, f"{key} {value} is outside -{limit}..{limit} degrees")
        return None
    return float(value)


def _parse_center(
    reader: ConfigReader, data: dict[str, Any], bounds: Bounds | None
) -> tuple[float, float] | None:
    """Read the map center; without one, use the middle of the bounds."""
    if "center" not in data:
        if bounds is None:
            return None
        return (
            (bounds.min_lat + bounds.max_lat) / 2,
            (bounds.min_lon + bounds.max_lon) / 2,
        )
    table = reader.get(data, "center", "table", "")
    if table is None:
        return None
    reader.check_keys(table, ("latitude", "longitude"), "center")
    latitude = _parse_coordinate(reader, table, "latitude", "center")
    longitude = _parse_coordinate(reader, table, "longitude", "center")
    if latitude is None or longitude is None:
        return None
    _check_inside(reader, bounds, latitude, longitude, "center")
    return (latitude, longitude)


def _check_inside(
    reader: ConfigReader,
    bounds: Bounds | None,
    latitude: float,
    longitude: float,
    where: str,
) -> None:
    if bounds is not None and not bounds.contains(latitude, longitude):
        reader.report(
            where,
            f"latitude {latitude}, longitude {longitude} is outside the bounds",
        )


def _parse_districts(
    reader: ConfigReader, data: dict[str, Any], bounds: Bounds | None
) -> dict[str, District]:
    districts: dict[str, District] = {}
    for index, table in enumerate(reader.get_list(data, "districts", "table", "")):
        where = f"districts[{index}]"
        reader.check_keys(table, ("code", "name", "latitude", "longitude"), where)
        code = reader.get(table, "code", "string", where)
        name = reader.get(table, "name", "string", where)
        latitude = _parse_coordinate(reader, table, "latitude", where)
        longitude = _parse_coordinate(reader, table, "longitude", where)
        if code in districts:
            reader.report(where, f"code {show(code)} is already used by a district")
            continue
        if None in (code, name, latitude, longitude):
            continue
        _check_inside(reader, bounds, latitude, longitude, where)
        districts[code] = District(code, name, latitude, longitude)
    return districts


def _parse_targets(
    reader: ConfigReader, data: dict[str, Any], where: str, key: str
) -> dict[str, float]:
    """Read a table of metric name to target; rates and shares must be in 0..1."""
    table = reader.get(data, key, "table", where, default={})
    table_where = f"{where}.{key}" if where else key
    targets: dict[str, float] = {}
    for metric in table:
        if metric not in TARGET_METRICS:
            message = choice_message("metric", metric, TARGET_METRICS, "a known metric")
            reader.report(table_where, message)
            continue
        value = reader.get(table, metric, "number", table_where)
        if value is None:
            continue
        upper = 1 if metric in FRACTION_METRICS else float("inf")
        if not 0 <= value <= upper:
            limits = "between 0 and 1" if upper == 1 else "0 or more"
            reader.report(table_where, f"{metric} {value} must be {limits}")
            continue
        targets[metric] = float(value)
    return targets


def _parse_departments(
    reader: ConfigReader, data: dict[str, Any]
) -> tuple[dict[str, Department], dict[str, dict[str, float]]]:
    """Read departments and their target overrides, keyed by department code."""
    departments: dict[str, Department] = {}
    department_targets: dict[str, dict[str, float]] = {}
    if "departments" not in data:
        reader.report("", 'missing required key "departments"')
    tables = reader.get_list(data, "departments", "table", "")
    for index, table in enumerate(tables):
        code = table.get("code")
        where = f"departments[{index}]"
        if isinstance(code, str):
            where += f" (code {show(code)})"
        reader.check_keys(
            table, ("code", "name", "description", "targets", "translations"), where
        )
        code = reader.get(table, "code", "string", where)
        name = reader.get(table, "name", "string", where)
        description = reader.get(table, "description", "string", where, default="")
        targets = _parse_targets(reader, table, where, "targets")
        translations = parse_translations(
            reader, table, where, {"name": name, "description": description}
        )
        if code is None or name is None:
            continue
        if not DEPARTMENT_CODE.fullmatch(code):
            reader.report(
                where,
                f"code {show(code)} is invalid; use 1 to 10 uppercase letters or "
                "digits, starting with a letter",
            )
        if code in departments:
            reader.report(where, f"code {show(code)} is already used by a department")
            continue
        departments[code] = Department(code, name, description or "", translations)
        if targets:
            department_targets[code] = targets
    if data.get("departments") == []:
        reader.report("", "departments is empty; define at least one department")
    return departments, department_targets
