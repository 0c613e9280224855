"""The agent console ``/console``: call-center hours, case search, phone intake
with likely duplicates nearby, and attaching a call to an existing case.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cases.errors import CaseError, ValidationError
from cases.models import ServiceType
from cases.nearby import nearby_open_cases
from cases.numbers import InvalidCaseNumber
from cases.roles import DEPARTMENT_SCOPED
from cases.search import search_cases
from dashboard.portal.forms import attribute_fields, read_submission
from dashboard.web.guard import CONSOLE_ROLES

log = logging.getLogger(__name__)
SEARCH_KINDS = ("number", "address", "phone")


def _context():
    return current_app.extensions["city311"]


def _require_role() -> None:
    if g.user is None or g.user.role not in CONSOLE_ROLES:
        abort(403, description="The agent console needs an agent or staff login.")


def _hours() -> dict:
    context = _context()
    hours = context.city.call_center_hours
    now = datetime.now(UTC)
    return {
        "start": hours.start.strftime("%H:%M"),
        "end": hours.end.strftime("%H:%M"),
        "weekdays": sorted(hours.weekdays),
        "open_now": context.cases.calendar.call_center_open(now),
        "holidays_open": hours.open_on_holidays,
    }


def _service_types() -> list[ServiceType]:
    with _context().sessions() as session:
        return list(
            session.scalars(
                select(ServiceType).where(ServiceType.active).order_by(ServiceType.name)
            )
        )


def _page(status: int = 200, **values):
    values.setdefault("results", None)
    values.setdefault("search_error", None)
    values.setdefault("form", request.form)
    values.setdefault("errors", {})
    values.setdefault("suggestions", None)
    values.setdefault("message", request.args.get("filed"))
    values.setdefault("attached", request.args.get("attached"))
    service_code = values["form"].get("type") or request.args.get("type") or ""
    service_type = next((t for t in _service_types() if t.code == service_code), None)
    fields = attribute_fields(service_type.attributes) if service_type else []
    return (
        render_template(
            "staff/console.html",
            hours=_hours(),
            types=_service_types(),
            service_type=service_type,
            fields=fields,
            search_kinds=SEARCH_KINDS,
            t={},
            **values,
        ),
        status,
    )


def console():
    _require_role()
    kind = request.args.get("by", "number")
    text = request.args.get("q", "")
    if not text:
        return _page()
    if kind not in SEARCH_KINDS:
        return _page(
            400,
            search_error=f"search by {kind!r} is unknown; use number, address or phone",
        )
    try:
        with _context().sessions() as session:
            results = search_cases(session, kind, text, _readable_department())
    except InvalidCaseNumber as error:
        return _page(400, search_error=str(error))
    return _page(results=results)


def _readable_department() -> str | None:
    """Return the one department whose cases the user may read, or None for all."""
    return g.user.department if g.user.role in DEPARTMENT_SCOPED else None


def _suggestions(new_case) -> list:
    with _context().sessions() as session:
        return nearby_open_cases(
            session,
            new_case.service_type,
            new_case.latitude,
            new_case.longitude,
            new_case.address,
        )


def file_call():
    """File a phone call: ``action=check`` lists likely duplicates, ``action=file``
    files it, and ``attach=NUMBER`` files it and merges it into case NUMBER."""
    _require_role()
    parent = request.form.get("attach", "")
    action = "attach" if parent else request.form.get("action", "check")
    code = request.form.get("type", "")
    service_type = next((t for t in _service_types() if t.code == code), None)
    if service_type is None:
        return _page(400, errors={"type": "Choose a service type."})
    fields = attribute_fields(service_type.attributes)
    submission = read_submission(code, fields, request.form, channel="phone")
    if submission.new_case is None:
        errors = {name: _field_text(key) for name, key in submission.errors.items()}
        return _page(400, errors=errors)
    if action == "check":
        return _page(suggestions=_suggestions(submission.new_case))
    actor = g.user.actor
    try:
        detail = _context().cases.file(submission.new_case, actor=actor)
    except ValidationError as error:
        return _page(400, errors={_form_field(error.field, fields): str(error)})
    log.info("console: %s filed case %s by phone", actor.label, detail.case_number)
    if action != "attach":
        return redirect(url_for("console.console", filed=detail.case_number))
    try:
        _context().cases.merge(detail.case_number, parent, actor=actor)
    except CaseError as error:
        log.info(
            "console: attaching %s to %s failed: %s", detail.case_number, parent, error
        )
        return _page(
            409,
            form=MultiDict(),
            message=detail.case_number,
            search_error=f"Filed {detail.case_number} but did not attach it: {error}",
        )
    return redirect(
        url_for("console.console", filed=detail.case_number, attached=parent)
    )


def _field_text(key: str) -> str:
    from dashboard.portal.messages import catalogue

    return catalogue("en").get(key, key)


def _form_field(field: str, fields) -> str:
    if field in {f.code for f in fields}:
        return f"attribute-{field}"
    return {"location": "address"}.get(field, field)


def console_blueprint() -> Blueprint:
    blueprint = Blueprint("console", __name__)
    blueprint.add_url_rule("/console", "console", console, methods=["GET"])
    blueprint.add_url_rule("/console/file", "file_call", file_call, methods=["POST"])
    return blueprint
