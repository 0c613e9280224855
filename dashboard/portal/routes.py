"""``/request`` (the form and its confirmation) and ``/status`` (lookup by number)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cases.catalogue_text import CatalogueText, sort_key
from cases.errors import NotFoundError, ValidationError
from cases.models import ServiceType
from cases.numbers import InvalidCaseNumber, normalize_case_number
from cases.roles import PUBLIC_ACTOR
from dashboard.portal.forms import AttributeField, attribute_fields, read_submission
from dashboard.portal.messages import (
    LANGUAGES,
    MESSAGES,
    catalogue,
    choose_language,
)

log = logging.getLogger(__name__)

# Service-layer validation fields that have their own input on the form.
FORM_FIELDS = ("description", "location", "latitude", "longitude", "email", "phone")


@dataclass(frozen=True)
class TypeChoice:
    """A service type in the type chooser, named in the page's language."""

    code: str
    name: str


def _context():
    return current_app.extensions["city311"]


def _catalogue_text() -> CatalogueText:
    return CatalogueText(_context().city, choose_language())


def _type_choices() -> list[TypeChoice]:
    text = _catalogue_text()
    choices = [
        TypeChoice(t.code, text.type_name(t.code, t.name)) for t in _service_types()
    ]
    return sorted(choices, key=lambda choice: sort_key(choice.name))


def _form_page(
    service_type: ServiceType,
    fields: list[AttributeField],
    form: MultiDict,
    errors: dict[str, str],
    status: int = 200,
):
    text = _catalogue_text()
    return _page(
        "portal/request_form.html",
        status=status,
        service_type=service_type,
        type_name=text.type_name(service_type.code, service_type.name),
        type_description=text.type_description(
            service_type.code, service_type.description or ""
        ),
        fields=fields,
        form=form,
        errors=errors,
    )


def _fields(service_type: ServiceType) -> list[AttributeField]:
    return attribute_fields(
        service_type.attributes, service_type.code, _catalogue_text()
    )


def _page(template: str, status: int = 200, **values):
    lang = choose_language()
    text = catalogue(lang)
    # The switcher links to every other language, each named in that language.
    other_languages = [
        (code, MESSAGES[code]["language_name"]) for code in LANGUAGES if code != lang
    ]
    return (
        render_template(
            template,
            lang=lang,
            other_languages=other_languages,
            t=text,
            skip_text=text["skip"],
            **values,
        ),
        status,
    )


def _service_types() -> list[ServiceType]:
    with _context().sessions() as session:
        return list(
            session.scalars(
                select(ServiceType).where(ServiceType.active).order_by(ServiceType.name)
            )
        )


def _service_type(code: str) -> ServiceType | None:
    return next((t for t in _service_types() if t.code == code), None)


def request_page():
    code = (request.args.get("type") or "").strip()
    service_type = _service_type(code) if code else None
    if service_type is None:
        return _page("portal/request_type.html", types=_type_choices())
    return _form_page(service_type, _fields(service_type), MultiDict(), {})


def _error_key(error: ValidationError, field_names: set[str]) -> tuple[str, str]:
    """Map a service-layer error to (form field, message key or translated text).

    An address error is shown under the address input, which carries the
    location error. A reason that any field can have, such as text that is too
    long, gets the message for that reason, with the limit filled in.
    """
    if error.field in (*FORM_FIELDS, "address", "name"):
        form_field = "location" if error.field == "address" else error.field
        key = f"error_{form_field}"
    elif error.field in field_names:
        form_field, key = f"attribute-{error.field}", "error_attribute"
    else:
        return "description", str(error)
    reason_keys = {
        "too_long": "error_too_long",
        "control_characters": "error_control_characters",
        "outside_city": "error_outside_city",
    }
    key = reason_keys.get(error.reason, key)
    if error.reason == "too_long":
        text = catalogue(choose_language())[key]
        return form_field, text.format(limit=error.limit)
    return form_field, key


def request_submit():
    code = (request.form.get("type") or "").strip()
    service_type = _service_type(code)
    if service_type is None:
        return _page("portal/request_type.html", status=400, types=_type_choices())
    fields = _fields(service_type)
    submission = read_submission(code, fields, request.form)
    errors = submission.errors
    if submission.new_case is not None:
        try:
            detail = _context().cases.file(submission.new_case, actor=PUBLIC_ACTOR)
        except ValidationError as error:
            name, key = _error_key(error, {f.code for f in fields})
            errors = {name: key}
        else:
            log.info("portal filed case %s (%s)", detail.case_number, code)
            return redirect(
                url_for(
                    "portal.done", number=detail.case_number, lang=choose_language()
                )
            )
    return _form_page(service_type, fields, request.form, errors, status=400)


def done():
    number = request.args.get("number", "")
    try:
        number = normalize_case_number(number)
    except InvalidCaseNumber:
        abort(404)
    return _page("portal/request_done.html", number=number)


def status_page():
    number = (request.args.get("number") or "").strip()
    if not number:
        return _page("portal/status.html", number="", case=None, problem=None)
    try:
        case = _context().cases.lookup(number)
    except InvalidCaseNumber:
        return _page(
            "portal/status.html",
            status=400,
            number=number,
            case=None,
            problem="invalid_number",
        )
    except NotFoundError:
        return _page(
            "portal/status.html",
            status=404,
            number=number,
            case=None,
            problem="not_found",
        )
    text = _catalogue_text()
    return _page(
        "portal/status.html",
        number=number,
        case=case,
        problem=None,
        type_name=text.type_name(case.service_type, case.service_type_name),
        department_name=text.department_name(case.department, case.department_name),
        late=case.status != "closed"
        and case.due_at is not None
        and case.due_at < datetime.now(UTC),
    )


def _lookup_requested() -> bool:
    return not request.args.get("number")


def portal_blueprint(limiter: Limiter) -> Blueprint:
    blueprint = Blueprint("portal", __name__)
    write_limit = limiter.limit(
        lambda: current_app.config["CITY311_PUBLIC_WRITE_LIMIT"]
    )
    read_limit = limiter.limit(
        lambda: current_app.config["CITY311_PUBLIC_READ_LIMIT"],
        exempt_when=_lookup_requested,
    )
    blueprint.add_url_rule("/request", "request_page", request_page, methods=["GET"])
    blueprint.add_url_rule(
        "/request", "request_submit", write_limit(request_submit), methods=["POST"]
    )
    blueprint.add_url_rule("/request/done", "done", done)
    blueprint.add_url_rule("/status", "status", read_limit(status_page))
    return blueprint
