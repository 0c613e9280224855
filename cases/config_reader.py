"""Typed access to a parsed TOML document that collects problems instead of raising.

Each problem reads ``<source>: <where>: <message>``, where ``where`` locates the
table (``service_types[12] (code "POTHOLE")``) and the message starts with the key.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

MISSING: Any = object()

_TOML_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "table": (dict,),
    "array": (list,),
}


def toml_type_name(value: object) -> str:
    """Name a parsed value's TOML type, for messages."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, datetime):
        return "date-time"
    for name, python_type in (
        ("integer", int),
        ("float", float),
        ("string", str),
        ("table", dict),
        ("array", list),
        ("date", date),
        ("time", time),
    ):
        if isinstance(value, python_type):
            return name
    return type(value).__name__


def show(value: object) -> str:
    """Format a value as it would be written in TOML: strings quoted, booleans lower."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def did_you_mean(value: str, choices: Iterable[str]) -> str | None:
    """Return the closest choice to a misspelt value, or None when nothing is close."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


class ConfigReader:
    """Typed reader for one TOML document that records every problem it finds."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def report(self, where: str, message: str) -> None:
        location = f"{self.source}: {where}" if where else self.source
        self.problems.append(f"{location}: {message}")

    def check_keys(
        self, table: Mapping[str, Any], allowed: Collection[str], where: str
    ) -> None:
        """Record each key of ``table`` that is not in ``allowed``."""
        for key in table:
            if key in allowed:
                continue
            message = f"unknown key {show(key)}"
            suggestion = did_you_mean(key, allowed)
            if suggestion:
                message += f"; did you mean {show(suggestion)}?"
            else:
                message += f"; allowed keys are {', '.join(sorted(allowed))}"
            self.report(where, message)

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        toml_type: str,
        where: str,
        default: Any = MISSING,
    ) -> Any:
        """Return ``table[key]`` if it has the TOML type, else record a problem.

        Without a ``default`` the key is required. A missing or mistyped value
        returns ``default`` (None for a required key).
        """
        if key not in table:
            if default is MISSING:
                self.report(where, f"missing required key {show(key)}")
                return None
            return default
        value = table[key]
        expected = _TOML_TYPES[toml_type]
        wrong_bool = isinstance(value, bool) and bool not in expected
        if wrong_bool or not isinstance(value, expected):
            self.report(
                where,
                f"{key} must be a{'n' if toml_type[0] in 'aeiou' else ''} "
                f"{toml_type}, not {toml_type_name(value)} {show(value)}",
            )
            return None if default is MISSING else default
        return value

    def get_choice(
        self,
        table: Mapping[str, Any],
        key: str,
        choices: Collection[str],
        expected: str,
        where: str,
        default: Any = MISSING,
    ) -> str | None:
        """Return a string value that must be one of ``choices``.

        A value outside the choices records ``<key> "<value>" is not <expected>`` with
        the closest choice, or the full list when nothing is close.
        """
        value = self.get(table, key, "string", where, default)
        if value is None or value in choices:
            return value
        self.report(where, choice_message(key, value, choices, expected))
        return None

    def get_list(
        self, table: Mapping[str, Any], key: str, toml_type: str, where: str
    ) -> list[Any]:
        """Return the items of an optional array that have the TOML type."""
        items = self.get(table, key, "array", where, default=[])
        values = []
        for index, item in enumerate(items):
            entry_key = f"{key}[{index}]"
            value = self.get({entry_key: item}, entry_key, toml_type, where)
            if value is not None:
                values.append(value)
        return values


def choice_message(
    key: str,
    value: str,
    choices: Collection[str],
    expected: str,
    fallback: str | None = None,
) -> str:
    """Build '<key> "<value>" is not <expected>; did you mean "<choice>"?'.

    Without a close choice the message ends with ``fallback``, or else lists every
    choice.
    """
    message = f"{key} {show(value)} is not {expected}"
    suggestion = did_you_mean(value, choices)
    if suggestion:
        return f"{message}; did you mean {show(suggestion)}?"
    if fallback:
        return f"{message}; {fallback}"
    return f"{message}; use one of {', '.join(choices)}"
