"""Load and validate a TOML mapping file for the ``mapped`` importer.

The format is documented in docs/mapping.md. Every error names the file, the
key and what to change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etl.sources.checks import BoundingBox
from etl.sources.dates import DateRule
from etl.sources.record import STATUSES

COLUMN_KEYS = (
    "id", "created", "closed", "updated", "due", "status", "service_code",
    "service_name", "department_code", "department_name", "channel",
    "description", "resolution", "address", "latitude", "longitude", "district",
)  # fmt: skip
DATE_KEYS = ("created", "closed", "updated", "due")
OUTCOMES = (
    "resolved", "no_action_needed", "duplicate", "referred_elsewhere",
    "unable_to_locate", "withdrawn", "administrative",
)  # fmt: skip
CHANNELS = ("phone", "web", "mobile", "api", "walk-in", "email", "import")
SECTIONS = (
    "source", "columns", "dates", "status_map", "outcome_map", "channel_map",
    "department_map",
)  # fmt: skip


class MappingError(ValueError):
    """The mapping file is invalid; the message names the key and the fix."""


@dataclass
class Mapping:
    """A validated mapping: the column of each field and the rules to read it."""

    source: str
    zone: ZoneInfo
    columns: dict[str, str]
    dates: dict[str, DateRule]
    status_map: dict[str, str]
    delimiter: str = ","
    null_values: tuple[str, ...] = ("",)
    bbox: BoundingBox | None = None
    outcome_map: dict[str, str] = field(default_factory=dict)
    channel_map: dict[str, str] = field(default_factory=dict)
    department_map: dict[str, str] = field(default_factory=dict)


def load_mapping(path: Path) -> Mapping:
    """Read ``path`` and return the mapping, or raise MappingError."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise MappingError(f"{path}: cannot read the mapping file ({error})") from None
    where = str(path)
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        _fail(where, unknown[0], f"unknown section; use one of {', '.join(SECTIONS)}")
    source = _table(data, "source", where)
    columns = _columns(_table(data, "columns", where), where)
    return Mapping(
        source=_text(source, "source.name", "name", where),
        zone=_zone(_text(source, "source.time_zone", "time_zone", where), where),
        columns=columns,
        dates=_dates(data.get("dates", {}), columns, where),
        status_map=_choices(data, "status_map", STATUSES, where, required=True),
        delimiter=_delimiter(source.get("delimiter", ","), where),
        null_values=_nulls(source.get("null_values", [""]), where),
        bbox=_bbox(source.get("bounding_box"), where),
        outcome_map=_choices(data, "outcome_map", OUTCOMES, where),
        channel_map=_choices(data, "channel_map", CHANNELS, where),
        department_map=_strings(
            data.get("department_map", {}), "department_map", where
        ),
    )


def _fail(where: str, key: str, problem: str) -> NoReturn:
    raise MappingError(f"{where}: {key}: {problem}")


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        _fail(where, key, "missing section; add a [" + key + "] table")
    return value


def _text(table: dict, label: str, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        _fail(where, label, "missing or empty; give a non-empty string")
    return value.strip()


def _zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(
            where, "source.time_zone", f"unknown time zone {name!r}; use an IANA name"
        )


def _columns(table: dict, where: str) -> dict[str, str]:
    for key, value in table.items():
        if key not in COLUMN_KEYS:
            _fail(
                where,
                f"columns.{key}",
                f"unknown key; use one of {', '.join(COLUMN_KEYS)}",
            )
        if not isinstance(value, str) or not value:
            _fail(where, f"columns.{key}", "give the column's header name as a string")
    for key in ("id", "created", "status"):
        if key not in table:
            _fail(where, f"columns.{key}", "missing; this column is required")
    if "service_code" not in table and "service_name" not in table:
        _fail(
            where, "columns.service_name", "missing; give service_code or service_name"
        )
    return dict(table)


def _dates(table: object, columns: dict[str, str], where: str) -> dict[str, DateRule]:
    if not isinstance(table, dict):
        _fail(where, "dates", "must be a table")
    rules: dict[str, DateRule] = {}
    for key, value in table.items():
        if key not in DATE_KEYS:
            _fail(
                where, f"dates.{key}", f"unknown key; use one of {', '.join(DATE_KEYS)}"
            )
        if isinstance(value, str) and value:
            rules[key] = DateRule(value)
        elif isinstance(value, dict) and isinstance(value.get("format"), str):
            rules[key] = DateRule(value["format"], bool(value.get("date_only", False)))
        else:
            _fail(
                where, f"dates.{key}", 'give a pattern, "iso", "epoch" or {format=...}'
            )
    for key in DATE_KEYS:
        if key in columns and key not in rules:
            _fail(where, f"dates.{key}", f"missing; columns.{key} needs a date rule")
    return rules


def _choices(
    data: dict,
    section: str,
    allowed: tuple[str, ...],
    where: str,
    required: bool = False,
) -> dict[str, str]:
    table = data.get(section)
    if table is None and not required:
        return {}
    if not isinstance(table, dict) or not table:
        _fail(where, section, "missing or empty; map each source value to a value")
    for key, value in table.items():
        if value not in allowed:
            _fail(
                where,
                f"{section}.{key!r}",
                f"{value!r} is not one of {', '.join(allowed)}",
            )
    return {key.strip().lower(): value for key, value in table.items()}


def _strings(table: object, section: str, where: str) -> dict[str, str]:
    if not isinstance(table, dict) or not all(
        isinstance(v, str) for v in table.values()
    ):
        _fail(where, section, "must be a table of strings")
    return {key.strip().lower(): value for key, value in table.items()}


def _delimiter(value: object, where: str) -> str:
    if not isinstance(value, str) or len(value) != 1:
        _fail(where, "source.delimiter", 'give one character, such as "," or "\\t"')
    return value


def _nulls(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(where, "source.null_values", 'give a list of strings, such as ["", "NA"]')
    return tuple(dict.fromkeys(["", *value]))


def _bbox(value: object, where: str) -> BoundingBox | None:
    if value is None:
        return None
    keys = ("south", "west", "north", "east")
    if not isinstance(value, dict) or set(value) != set(keys):
        _fail(
            where, "source.bounding_box", "give south, west, north and east in degrees"
        )
    if not all(isinstance(value[key], int | float) for key in keys):
        _fail(where, "source.bounding_box", "the four bounds must be numbers")
    box = BoundingBox(*(float(value[key]) for key in keys))
    if box.south >= box.north or box.west >= box.east:
        _fail(
            where, "source.bounding_box", "south must be below north, west below east"
        )
    return box
