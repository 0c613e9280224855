"""The Open311 GeoReport v2 endpoints under ``/open311/v2/`` and the discovery file."""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask_limiter import Limiter
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from cases.accounts import find_api_client
from cases.api import queries, records
from cases.api.errors import ApiError, error_response
from cases.api.intake import new_case_from, request_fields
from cases.api.params import arg, parse_filter
from cases.api.render import render
from cases.catalogue_text import CatalogueText
from cases.db import transaction
from cases.errors import CaseError, NotFoundError, ValidationError
from cases.languages import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from cases.lookup import find_case
from cases.models import Case, Open311Token, ServiceType
from cases.numbers import InvalidCaseNumber
from cases.roles import PUBLIC, Actor

log = logging.getLogger(__name__)

FORMATS = "<any(json,xml):fmt>"


def _context():
    return current_app.extensions["city311"]


def _zone():
    return _context().city.timezone


def _catalogue_text() -> CatalogueText:
    """Return catalogue text in the language of the ``locale`` parameter.

    ``locale`` is a language tag such as "es" or "es-US"; only its language part
    counts. A missing, unknown or untranslated locale gives the English text.
    """
    tag = (request.args.get("locale") or "").strip().replace("_", "-")
    language = tag.split("-")[0].lower()
    if language not in PORTAL_LANGUAGES:
        language = DEFAULT_LANGUAGE
    return CatalogueText(_context().city, language)


def services(fmt: str) -> Response:
    text = _catalogue_text()
    with _context().sessions() as session:
        payload = [
            records.service_record(t, text)
            for t in queries.active_service_types(session)
        ]
    return render(payload, fmt, root="services", item="service")


def service_definition(code: str, fmt: str) -> Response:
    with _context().sessions() as session:
        service_type = session.scalar(
            select(ServiceType).where(ServiceType.code == code, ServiceType.active)
        )
        if service_type is None:
            raise ApiError(404, f"service_code {code!r} not found")
        payload = records.definition_record(service_type, _catalogue_text())
    return render(payload, fmt, root="service_definition", item="attribute")


def _request_records(
    session, cases: list[Case], extensions: bool
) -> list[dict[str, Any]]:
    zone = _zone()
    payload = [records.request_record(case, zone) for case in cases]
    if not extensions:
        return payload
    ids = [case.id for case in cases]
    events = queries.events_by_case(session, ids)
    parents = queries.parent_numbers(session, cases)
    for record, case in zip(payload, cases, strict=True):
        record["extended_attributes"] = records.extended_attributes(
            events.get(case.id, []), parents.get(case.id), zone
        )
    return payload


def list_requests(fmt: str) -> Response:
    where = parse_filter(request.args, _zone(), datetime.now(UTC))
    with _context().sessions() as session:
        cases = queries.list_requests(session, where)
        payload = _request_records(session, cases, where.extensions)
    return render(payload, fmt, root="service_requests", item="request")


def get_request(request_id: str, fmt: str) -> Response:
    extensions = (arg(request.args, "extensions") or "false").lower() == "true"
    with _context().sessions() as session:
        case = _find(session, request_id)
        payload = _request_records(session, [case], extensions)
    return render(payload, fmt, root="service_requests", item="request")


def _find(session, request_id: str) -> Case:
    try:
        return find_case(session, request_id)
    except InvalidCaseNumber as error:
        raise ApiError(400, str(error)) from None
    except NotFoundError as error:
        raise ApiError(
            404, f"service_request_id {request_id!r} not found: {error}"
        ) from None


def create_request(fmt: str) -> Response:
    context = _context()
    fields = request_fields(request)
    with context.sessions() as session:
        client = find_api_client(session, arg(fields, "api_key") or "")
    if client is None:
        missing = arg(fields, "api_key") is None
        log.info(
            "open311 create rejected from %s: api_key %s",
            request.remote_addr,
            "missing" if missing else "invalid",
        )
        raise ApiError(403, "api_key is missing" if missing else "api_key is not valid")
    new = new_case_from(fields)
    actor = Actor(f"open311:{client.name}", PUBLIC)
    try:
        detail = context.cases.file(new, actor=actor)
    except ValidationError as error:
        raise ApiError(400, f"{error.field}: {error}") from None
    token = secrets.token_urlsafe(16)
    with transaction(context.sessions) as session:
        session.add(
            Open311Token(
                token=token,
                case_id=detail.id,
                api_key_id=client.id,
                created_at=datetime.now(UTC),
            )
        )
        service_type = session.scalar(
            select(ServiceType).where(ServiceType.code == detail.service_type)
        )
        notice = records.service_notice(service_type)
    log.info("open311 client %s filed case %s", client.name, detail.case_number)
    payload = [
        {
            "service_request_id": detail.case_number,
            "token": token,
            "service_notice": notice,
            "account_id": None,
        }
    ]
    return render(payload, fmt, root="service_requests", item="request", status=201)


def get_token(token: str, fmt: str) -> Response:
    with _context().sessions() as session:
        row = session.get(Open311Token, token)
        if row is None:
            raise ApiError(404, f"token {token!r} not found")
        number = session.get_one(Case, row.case_id).case_number
    payload = [{"service_request_id": number, "token": token}]
    return render(payload, fmt, root="service_requests", item="request")


def discovery() -> Response:
    endpoint = url_for("open311.services", fmt="json", _external=True)
    payload = {
        "changeset": "2026-12-04T00:00:00+00:00",
        "contact": f"311 of {_context().city.name}",
        "key_service": "Ask the city's 311 office for an API key for your application.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": endpoint.rsplit("/", 1)[0],
                "changeset": "2026-12-04T00:00:00+00:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return render(payload, "json", root="discovery", item="endpoint")


def _format_of_path() -> str:
    return "xml" if request.path.endswith(".xml") else "json"


def handle_api_error(error: ApiError) -> Response:
    return error_response(error.code, error.description, _format_of_path())


def handle_case_error(error: CaseError) -> Response:
    return error_response(400, str(error), _format_of_path())


def handle_unexpected(error: Exception) -> Response | HTTPException:
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    error_id = uuid.uuid4().hex[:12]
    log.exception("open311 error %s on %s %s", error_id, request.method, request.path)
    return error_response(
        500, f"internal error {error_id}; report this id to the city", _format_of_path()
    )


def handle_http_error(error: HTTPException) -> Response | HTTPException:
    """Return routing, method and rate-limit errors under /open311 as Open311 errors."""
    if not request.path.startswith("/open311/"):
        return error
    return error_response(
        error.code or 400, error.description or error.name, _format_of_path()
    )


def reject_nul_characters() -> None:
    """Reject NUL characters, which PostgreSQL cannot store or compare in text."""
    values = [*request.args.values(), *(request.view_args or {}).values()]
    if request.method == "POST":
        values += request.form.values()
    if any("\x00" in str(value) for value in values):
        raise ApiError(400, "a parameter contains a NUL character; remove it")


def open311_blueprint(limiter: Limiter) -> Blueprint:
    """Build the Open311 blueprint; ``limiter`` rate-limits it per client address."""
    blueprint = Blueprint("open311", __name__, url_prefix="/open311")
    create = limiter.limit(lambda: current_app.config["CITY311_PUBLIC_WRITE_LIMIT"])(
        create_request
    )
    add = blueprint.add_url_rule
    add(f"/v2/services.{FORMATS}", view_func=services)
    add(f"/v2/services/<code>.{FORMATS}", view_func=service_definition)
    add(f"/v2/requests.{FORMATS}", view_func=list_requests, methods=["GET"])
    add(
        f"/v2/requests.{FORMATS}",
        endpoint="create_request",
        view_func=create,
        methods=["POST"],
    )
    add(f"/v2/requests/<request_id>.{FORMATS}", view_func=get_request)
    add(f"/v2/tokens/<token>.{FORMATS}", view_func=get_token)
    add("/discovery.json", view_func=discovery)
    # Any other path under /open311 is an unknown endpoint. This rule is more
    # specific than the dashboard's catch-all page route, so it returns
    # the Open311 error body instead of the dashboard's HTML.
    add("/<path:unknown>", view_func=unknown_endpoint, methods=["GET", "POST"])
    blueprint.before_request(reject_nul_characters)
    blueprint.register_error_handler(ApiError, handle_api_error)
    blueprint.register_error_handler(CaseError, handle_case_error)
    blueprint.register_error_handler(InvalidCaseNumber, handle_invalid_number)
    blueprint.register_error_handler(Exception, handle_unexpected)
    limiter.limit(lambda: current_app.config["CITY311_PUBLIC_READ_LIMIT"])(blueprint)
    return blueprint


def unknown_endpoint(unknown: str) -> Response:
    raise ApiError(
        404, f"no Open311 endpoint at /open311/{unknown}; see discovery.json"
    )


def handle_invalid_number(error: InvalidCaseNumber) -> Response:
    return error_response(400, str(error), _format_of_path())


def register_open311(server: Flask, limiter: Limiter) -> None:
    """Mount the Open311 API; its errors, even routing ones, use the Open311 body."""
    server.register_blueprint(open311_blueprint(limiter))
    server.register_error_handler(HTTPException, handle_http_error)
