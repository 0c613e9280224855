"""A case's attribute answers as question and answer text for staff views."""

from __future__ import annotations

from typing import Any

from cases.city_model import CityConfig


def describe_answers(
    city: CityConfig, service_type: str, attributes: dict[str, Any]
) -> list[tuple[str, str]]:
    """Return ``(question, answer)`` pairs in the form's order, then any others.

    Questions and choice names come from the city's catalogue. An answer to a
    question the catalogue no longer has (or a type it does not list, as for
    imported cases) shows its code and stored value.
    """
    config = city.service_types.get(service_type)
    known = sorted(config.attributes, key=lambda a: a.order) if config else []
    pairs = []
    for attribute in known:
        if attribute.code not in attributes:
            continue
        names = dict(attribute.values)
        values = attributes[attribute.code]
        values = values if isinstance(values, list) else [values]
        answer = ", ".join(names.get(str(v), str(v)) for v in values)
        pairs.append((attribute.description or attribute.code, answer))
    listed = {a.code for a in known}
    for code, value in attributes.items():
        if code not in listed:
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            pairs.append((code, text))
    return pairs
