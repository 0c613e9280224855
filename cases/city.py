"""Load the city configuration: departments, service types, hours, holidays, targets.

``load_city("wilmington")`` reads ``config/wilmington.toml`` at the repository root;
the dataclasses it returns are defined in ``cases.city_model`` and re-exported here.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from cases.city_model import (
    ATTRIBUTE_DATATYPES,
    DEFAULT_DUPLICATE_RADIUS_M,
    SERVICE_KINDS,
    SLA,
    SLA_UNITS,
    TARGET_METRICS,
    Attribute,
    Bounds,
    BusinessHours,
    CityConfig,
    CityConfigError,
    Department,
    District,
    HolidayRules,
    ServiceType,
)
from cases.city_parse import parse_city

__all__ = [
    "ATTRIBUTE_DATATYPES",
    "CONFIG_DIR",
    "DEFAULT_DUPLICATE_RADIUS_M",
    "SERVICE_KINDS",
    "SLA",
    "SLA_UNITS",
    "TARGET_METRICS",
    "Attribute",
    "Bounds",
    "BusinessHours",
    "CityConfig",
    "CityConfigError",
    "Department",
    "District",
    "HolidayRules",
    "ServiceType",
    "city_config_path",
    "load_city",
]

logger = logging.getLogger(__name__)

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


def city_config_path(name_or_path: str) -> Path:
    """Resolve a bare city name to ``config/<name>.toml``; keep anything else as a path.

    A value containing "/" or ending in ".toml" is a path.
    """
    if "/" in name_or_path or name_or_path.endswith(".toml"):
        return Path(name_or_path)
    return CONFIG_DIR / f"{name_or_path}.toml"


def load_city(name_or_path: str) -> CityConfig:
    """Read and validate a city configuration.

    Raises CityConfigError, with one problem per line, when the file is missing,
    is not valid TOML, or fails validation.
    """
    path = city_config_path(name_or_path)
    source = _display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CityConfigError([_not_found_message(name_or_path, path)]) from None
    except OSError as error:
        raise CityConfigError([f"{source}: cannot read: {error}"]) from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CityConfigError([f"{source}: invalid TOML: {error}"]) from error

    city = parse_city(data, source, default_slug=path.stem)
    logger.debug(
        "loaded city %s from %s: %d departments, %d service types",
        city.slug,
        source,
        len(city.departments),
        len(city.service_types),
    )
    return city


def _display_path(path: Path) -> str:
    """Show paths under the repository root relative to it, like config/x.toml."""
    try:
        return str(path.resolve().relative_to(CONFIG_DIR.parent))
    except ValueError:
        return str(path)


def _not_found_message(name_or_path: str, path: Path) -> str:
    available = sorted(candidate.stem for candidate in CONFIG_DIR.glob("*.toml"))
    return (
        f"city configuration {name_or_path!r} not found: {_display_path(path)} "
        f"does not exist; use one of {', '.join(available) or '(none)'} "
        "or a path to a TOML file"
    )
