"""The work queue ``/queue``: a department's open cases and the actions on one case.

Every action goes through the case service with the logged-in staff member as
the actor and the version the form was rendered with, so the service layer
checks the role, the department and concurrent changes.
"""

from __future__ import annotations

import logging
import re
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

from cases.answers import describe_answers
from cases.errors import (
    CaseError,
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from cases.lifecycle import OUTCOMES
from cases.models import Department, User
from cases.numbers import InvalidCaseNumber
from cases.queue import open_queue
from cases.roles import DEPARTMENT_SCOPED
from dashboard.web.guard import QUEUE_ROLES

log = logging.getLogger(__name__)

# ASCII digits only: str.isdigit() also accepts "²", which int() rejects, and
# int() rejects strings longer than 4,300 digits.
PAGE_NUMBER = re.compile(r"[0-9]{1,9}")

CONFLICT_MESSAGE = (
    "This case was changed by someone else while you were working on it; "
    "it has been reloaded. Check the changes and try again."
)


def _context():
    return current_app.extensions["city311"]


def _require_role() -> None:
    if g.user is None or g.user.role not in QUEUE_ROLES:
        abort(403, description="The work queue needs a department staff login.")


def _departments() -> list[Department]:
    with _context().sessions() as session:
        return list(session.scalars(select(Department).order_by(Department.name)))


def _page_number() -> int:
    """Return the ``page`` query parameter; a missing one is page 1."""
    raw = request.args.get("page", "1")
    if not PAGE_NUMBER.fullmatch(raw) or int(raw) < 1:
        abort(400, description=f"Page {raw!r} is invalid; use a whole number from 1.")
    return int(raw)


def queue():
    _require_role()
    departments = _departments()
    if g.user.role in DEPARTMENT_SCOPED:
        department = g.user.department
    else:
        department = request.args.get("department") or ""
    page = None
    if department:
        if department not in {d.code for d in departments}:
            abort(404, description=f"Department {department!r} not found.")
        number = _page_number()
        with _context().sessions() as session:
            page = open_queue(session, department, datetime.now(UTC), page=number)
    # Department-scoped staff have no department in the URL, so links to other
    # pages keep only what the URL had.
    link_department = request.args.get("department") or None
    return render_template(
        "staff/queue.html",
        departments=departments,
        department=department,
        page=page,
        link_department=link_department,
    )


def _detail(number: str):
    try:
        detail = _context().cases.show(number)
    except InvalidCaseNumber as error:
        abort(400, description=str(error))
    except NotFoundError as error:
        abort(404, description=str(error))
    try:
        g.user.actor.check_read(detail.case_number, detail.department)
    except PermissionDeniedError as error:
        abort(403, description=str(error))
    return detail


def _assignees(department: str) -> list[str]:
    with _context().sessions() as session:
        return list(
            session.scalars(
                select(User.username)
                .where(User.department == department, User.active)
                .order_by(User.username)
            )
        )


def case_page(
    number: str,
    message: str | None = None,
    problem: str | None = None,
    status: int = 200,
):
    _require_role()
    detail = _detail(number)
    done = request.args.get("done")
    return (
        render_template(
            "staff/case.html",
            case=detail,
            answers=describe_answers(
                _context().city, detail.service_type, detail.attributes
            ),
            departments=_departments(),
            outcomes=OUTCOMES,
            assignees=_assignees(detail.department),
            message=message or (f"Done: {done.replace('_', ' ')}." if done else None),
            problem=problem,
        ),
        status,
    )


def _expected_version() -> int:
    try:
        return int(request.form.get("expected_version", ""))
    except ValueError:
        abort(400, description="The form has no case version; reload the page.")


def _run(action: str, number: str, version: int) -> None:
    form = request.form
    cases = _context().cases
    options = {"actor": g.user.actor, "expected_version": version}
    operations = {
        "acknowledge": lambda: cases.acknowledge(number, **options),
        "start": lambda: cases.start(number, **options),
        "assign": lambda: cases.assign(number, form.get("assignee", ""), **options),
        "note": lambda: cases.add_note(
            number, form.get("text", ""), public=form.get("public") == "yes", **options
        ),
        "transfer": lambda: cases.transfer(
            number, form.get("department", ""), form.get("reason", ""), **options
        ),
        "hold": lambda: cases.hold(number, form.get("reason", ""), **options),
        "resume": lambda: cases.resume(number, **options),
        "close": lambda: cases.close(
            number,
            form.get("outcome", ""),
            form.get("note", ""),
            form.get("parent") or None,
            **options,
        ),
        "reopen": lambda: cases.reopen(number, form.get("reason", ""), **options),
        "merge": lambda: cases.merge(number, form.get("parent", ""), **options),
    }
    if action not in operations:
        abort(404, description=f"Action {action!r} not found.")
    operations[action]()


def act(number: str, action: str):
    _require_role()
    detail = _detail(number)
    version = _expected_version()
    try:
        _run(action, detail.case_number, version)
    except ConflictError as error:
        log.info(
            "queue: %s on %s by %s conflicted: %s",
            action,
            number,
            g.user.username,
            error,
        )
        return case_page(number, problem=CONFLICT_MESSAGE, status=409)
    except PermissionDeniedError as error:
        log.info(
            "queue: %s on %s by %s denied: %s", action, number, g.user.username, error
        )
        return case_page(number, problem=str(error), status=403)
    except (
        ValidationError,
        InvalidTransitionError,
        NotFoundError,
        InvalidCaseNumber,
    ) as error:
        return case_page(number, problem=str(error), status=400)
    except CaseError as error:
        return case_page(number, problem=str(error), status=400)
    if action == "transfer" and g.user.role in DEPARTMENT_SCOPED:
        # The case has left this user's department, so its page is now closed to them.
        return redirect(url_for("queue.queue", transferred=detail.case_number))
    return redirect(url_for("queue.case_page", number=detail.case_number, done=action))


def queue_blueprint() -> Blueprint:
    blueprint = Blueprint("queue", __name__)
    blueprint.add_url_rule("/queue", "queue", queue)
    blueprint.add_url_rule("/queue/<number>", "case_page", case_page)
    blueprint.add_url_rule("/queue/<number>/<action>", "act", act, methods=["POST"])
    return blueprint
