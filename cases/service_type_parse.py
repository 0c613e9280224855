"""Validate the ``[[service_types]]`` tables of a city configuration."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from cases.city_model import (
    ATTRIBUTE_DATATYPES,
    DAY_UNITS,
    DEFAULT_DUPLICATE_RADIUS_M,
    LIST_DATATYPES,
    SERVICE_KINDS,
    SLA,
    SLA_UNITS,
    Attribute,
    ServiceType,
    Translations,
)
from cases.config_reader import ConfigReader, show
from cases.translation_parse import parse_translations

SERVICE_TYPE_KEYS = frozenset(
    {
        "code",
        "name",
        "department",
        "kind",
        "sla",
        "needs_location",
        "pause_on_hold",
        "duplicate_radius_m",
        "attributes",
        "keywords",
        "active",
        "description",
        "translations",
    }
)
ATTRIBUTE_KEYS = frozenset(
    {
        "code",
        "datatype",
        "required",
        "description",
        "order",
        "values",
        "variable",
        "datatype_description",
        "translations",
    }
)
SERVICE_TYPE_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")


def parse_service_types(
    reader: ConfigReader, data: dict[str, Any], departments: Sequence[str]
) -> dict[str, ServiceType]:
    """Read every service type, keyed by code; ``departments`` lists valid codes."""
    if "service_types" not in data:
        reader.report("", 'missing required key "service_types"')
    elif data["service_types"] == []:
        reader.report("", "service_types is empty; define at least one service type")

    service_types: dict[str, ServiceType] = {}
    seen_codes: set[str] = set()
    for index, table in enumerate(reader.get_list(data, "service_types", "table", "")):
        code = table.get("code")
        where = f"service_types[{index}]"
        if isinstance(code, str):
            where += f" (code {show(code)})"
            if code in seen_codes:
                reader.report(
                    where, f"code {show(code)} is already used by a service type"
                )
                continue
            seen_codes.add(code)
        service_type = _parse_service_type(reader, table, where, departments)
        if service_type is not None:
            service_types[service_type.code] = service_type
    return service_types


def _parse_service_type(
    reader: ConfigReader,
    table: dict[str, Any],
    where: str,
    departments: Sequence[str],
) -> ServiceType | None:
    reader.check_keys(table, SERVICE_TYPE_KEYS, where)
    code = reader.get(table, "code", "string", where)
    if code is not None and not SERVICE_TYPE_CODE.fullmatch(code):
        reader.report(
            where,
            f"code {show(code)} is invalid; use up to 40 uppercase letters, digits "
            "and underscores, starting with a letter",
        )
    name = reader.get(table, "name", "string", where)
    department = reader.get(table, "department", "string", where)
    if department is not None and department not in departments:
        reader.report(
            where,
            f"department {show(department)} is not defined; "
            f"use one of {', '.join(departments)}",
        )
        department = None
    kind = reader.get_choice(table, "kind", SERVICE_KINDS, "a service kind", where)
    sla = _parse_sla(reader, table, where)
    needs_location = reader.get(table, "needs_location", "boolean", where)
    pause_on_hold = reader.get(table, "pause_on_hold", "boolean", where, default=False)
    if pause_on_hold and "sla" not in table:
        reader.report(where, "pause_on_hold is true but the type has no sla")
    radius = _parse_radius(reader, table, where)
    attributes = _parse_attributes(reader, table, where)
    keywords = tuple(reader.get_list(table, "keywords", "string", where))
    active = reader.get(table, "active", "boolean", where, default=True)
    description = reader.get(table, "description", "string", where, default="")
    translations = parse_translations(
        reader, table, where, {"name": name, "description": description}
    )

    required = (code, name, department, kind, needs_location, radius, attributes)
    if any(value is None for value in required):
        return None
    return ServiceType(
        code=code,
        name=name,
        department=department,
        kind=kind,
        sla=sla,
        needs_location=needs_location,
        pause_on_hold=bool(pause_on_hold),
        duplicate_radius_m=radius,
        attributes=attributes,
        keywords=keywords,
        active=bool(active),
        description=description or "",
        translations=translations,
    )


def _parse_sla(reader: ConfigReader, table: dict[str, Any], where: str) -> SLA | None:
    """Read ``sla = { value = N, unit = "..." }``; a type without ``sla`` has none."""
    if "sla" not in table:
        return None
    sla_table = reader.get(table, "sla", "table", where)
    if sla_table is None:
        return None
    where = f"{where}.sla"
    reader.check_keys(sla_table, ("value", "unit"), where)
    value = reader.get(sla_table, "value", "number", where)
    unit = reader.get_choice(sla_table, "unit", SLA_UNITS, "an SLA unit", where)
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        reader.report(where, f"value {value} must be a number greater than 0")
        return None
    if unit in DAY_UNITS and value != int(value):
        reader.report(
            where,
            f"value {value} is not a whole number of days; use calendar_hours or "
            "business_hours for fractions",
        )
        return None
    return SLA(float(value), unit) if unit is not None else None


def _parse_radius(
    reader: ConfigReader, table: dict[str, Any], where: str
) -> float | None:
    radius = reader.get(
        table, "duplicate_radius_m", "number", where, DEFAULT_DUPLICATE_RADIUS_M
    )
    if not math.isfinite(radius) or radius < 0:
        reader.report(where, f"duplicate_radius_m {radius} must be 0 or more metres")
        return None
    return float(radius)


def _parse_attributes(
    reader: ConfigReader, table: dict[str, Any], where: str
) -> tuple[Attribute, ...] | None:
    """Read the Open311 attributes; return None when any of them is invalid."""
    attributes: list[Attribute] = []
    problems_before = len(reader.problems)
    codes: set[str] = set()
    orders: set[int] = set()
    for index, item in enumerate(reader.get_list(table, "attributes", "table", where)):
        attribute_where = f"{where}.attributes[{index}]"
        attribute = _parse_attribute(reader, item, index, attribute_where)
        if attribute is None:
            continue
        if attribute.code in codes:
            reader.report(
                attribute_where,
                f"code {show(attribute.code)} is already used by an attribute",
            )
        if attribute.order in orders:
            reader.report(attribute_where, f"order {attribute.order} is already used")
        codes.add(attribute.code)
        orders.add(attribute.order)
        attributes.append(attribute)
    if len(reader.problems) > problems_before:
        return None
    return tuple(sorted(attributes, key=lambda attribute: attribute.order))


def _parse_attribute(
    reader: ConfigReader, table: dict[str, Any], index: int, where: str
) -> Attribute | None:
    reader.check_keys(table, ATTRIBUTE_KEYS, where)
    code = reader.get(table, "code", "string", where)
    datatype = reader.get_choice(
        table, "datatype", ATTRIBUTE_DATATYPES, "an Open311 attribute datatype", where
    )
    required = reader.get(table, "required", "boolean", where, default=False)
    description = reader.get(table, "description", "string", where)
    order = reader.get(table, "order", "integer", where, default=index + 1)
    if order is not None and order < 1:
        reader.report(where, f"order {order} must be 1 or more")
        order = None
    variable = reader.get(table, "variable", "boolean", where, default=True)
    datatype_description = reader.get(
        table, "datatype_description", "string", where, default=""
    )
    translations = parse_translations(
        reader,
        table,
        where,
        {"description": description, "datatype_description": datatype_description},
    )
    parsed_values = _parse_attribute_values(reader, table, datatype, where)

    if None in (code, datatype, description, order, parsed_values):
        return None
    values, value_translations = parsed_values
    return Attribute(
        code=code,
        datatype=datatype,
        required=bool(required),
        description=description,
        order=order,
        values=values,
        variable=bool(variable),
        datatype_description=datatype_description or "",
        translations=translations,
        value_translations=value_translations,
    )


def _parse_attribute_values(
    reader: ConfigReader, table: dict[str, Any], datatype: str | None, where: str
) -> tuple[tuple[tuple[str, str], ...], Translations] | None:
    """Read the (key, name) choices that list datatypes need and others forbid.

    Returns the choices and their translated names (language to key to name).
    """
    if datatype not in LIST_DATATYPES:
        if "values" in table:
            reader.report(
                where,
                "values is only allowed for singlevaluelist and multivaluelist "
                f"attributes, not {datatype}",
            )
            return None
        return (), {}
    entries = reader.get_list(table, "values", "table", where)
    if not entries:
        reader.report(where, f"values must list the choices of a {datatype}")
        return None
    values: list[tuple[str, str]] = []
    value_translations: Translations = {}
    for index, entry in enumerate(entries):
        value_where = f"{where}.values[{index}]"
        if isinstance(entry.get("key"), str):
            value_where += f" (key {show(entry['key'])})"
        reader.check_keys(entry, ("key", "name", "translations"), value_where)
        key = reader.get(entry, "key", "string", value_where)
        name = reader.get(entry, "name", "string", value_where)
        translations = parse_translations(reader, entry, value_where, {"name": name})
        if key is None or name is None:
            return None
        if key in dict(values):
            reader.report(value_where, f"key {show(key)} is already used")
            return None
        values.append((key, name))
        for language, texts in translations.items():
            value_translations.setdefault(language, {})[key] = texts["name"]
    return tuple(values), value_translations
