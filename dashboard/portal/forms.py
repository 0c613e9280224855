"""The request form: fields from a service type's Open311 attributes, and reading
a submitted form into a NewCase.

Datatypes map to inputs: singlevaluelist to a select, multivaluelist to
checkboxes, number to a number input, datetime to a datetime-local input,
string to a text input and text to a textarea.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from cases.catalogue_text import CatalogueText
from cases.intake import MAX_DESCRIPTION_CHARS, NewCase, Requester

INPUTS = {
    "singlevaluelist": "select",
    "multivaluelist": "checkboxes",
    "number": "number",
    "datetime": "datetime",
    "string": "text",
    "text": "textarea",
}


@dataclass(frozen=True)
class AttributeField:
    """One question of the form, named ``attribute-CODE`` in the submitted data."""

    code: str
    label: str
    input: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    variable: bool = True

    @property
    def name(self) -> str:
        return f"attribute-{self.code}"


@dataclass
class Submission:
    """A parsed form: the NewCase to file, or the errors found before filing."""

    new_case: NewCase | None
    errors: dict[str, str] = field(default_factory=dict)


def attribute_fields(
    attributes: list[dict[str, Any]],
    type_code: str = "",
    text: CatalogueText | None = None,
) -> list[AttributeField]:
    """Build the questions of a type's stored attributes.

    With ``text``, labels and choice names are in its language wherever the city
    configuration translates them for the type ``type_code``.
    """
    ordered = sorted(attributes or [], key=lambda a: a.get("order", 0))
    return [_attribute_field(attr, type_code, text) for attr in ordered]


def _attribute_field(
    attr: dict[str, Any], type_code: str, text: CatalogueText | None
) -> AttributeField:
    code = attr["code"]
    label = attr.get("description") or code
    choices = tuple((value["key"], value["name"]) for value in attr.get("values", []))
    if text is not None:
        label = text.attribute_text(type_code, code, "description", label)
        choices = tuple(
            (key, text.choice_name(type_code, code, key, name)) for key, name in choices
        )
    return AttributeField(
        code=code,
        label=label,
        input=INPUTS.get(attr.get("datatype", "string"), "text"),
        required=bool(attr.get("required")),
        choices=choices,
        variable=attr.get("variable", True),
    )


def _number(text: str, name: str, errors: dict[str, str], key: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[name] = key
        return None
    if not math.isfinite(value):
        errors[name] = key
        return None
    return value


def _answers(fields: list[AttributeField], form: MultiDict, errors: dict[str, str]):
    answers: dict[str, Any] = {}
    for question in fields:
        if not question.variable:
            continue
        if question.input == "checkboxes":
            values = [v for v in form.getlist(question.name) if v]
            if values:
                answers[question.code] = values
            continue
        value = (form.get(question.name) or "").strip()
        if not value:
            continue
        if (
            question.input == "number"
            and _number(value, question.name, errors, "error_number") is None
        ):
            continue
        if question.input == "datetime":
            try:
                datetime.fromisoformat(value)
            except ValueError:
                errors[question.name] = "error_attribute"
                continue
        answers[question.code] = value
    return answers


def read_submission(
    service_code: str,
    fields: list[AttributeField],
    form: MultiDict,
    channel: str = "web",
) -> Submission:
    """Read the submitted form; field-level format errors are message keys."""
    errors: dict[str, str] = {}
    latitude = _number(
        form.get("latitude", "").strip(), "latitude", errors, "error_latitude"
    )
    longitude = _number(
        form.get("longitude", "").strip(), "longitude", errors, "error_longitude"
    )
    answers = _answers(fields, form, errors)
    if len(form.get("description", "").strip()) > MAX_DESCRIPTION_CHARS:
        errors["description"] = "error_description_long"
    if errors:
        return Submission(None, errors)
    requester = Requester(
        name=form.get("name", "").strip() or None,
        email=form.get("email", "").strip() or None,
        phone=form.get("phone", "").strip() or None,
    )
    new_case = NewCase(
        service_type=service_code,
        description=form.get("description", ""),
        address=form.get("address", "").strip() or None,
        latitude=latitude,
        longitude=longitude,
        channel=channel,
        requester=requester,
        attributes=answers,
        description_public=form.get("description_public") == "yes",
    )
    return Submission(new_case)
