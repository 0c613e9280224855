"""The server-rendered pages: the public portal, the staff login, the agent
console and the work queue, with the login guard, CSRF checks and shared
templates. ``register_web(server, limiter)`` wires them into the Flask server.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, request
from flask_limiter import Limiter
from werkzeug.exceptions import HTTPException

from cases.api.routes import handle_http_error
from dashboard.web import csrf, guard, sessions
from dashboard.web.formatting import register_filters

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


def _page_error(error: HTTPException):
    """Render HTML errors for the portal and staff pages; leave other paths alone."""
    if request.path.startswith("/open311/"):
        return handle_http_error(error)
    if request.path.startswith("/_dash"):
        return error
    return render_template("error.html", error=error), error.code or 500


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _page_error(error)
    error_id = uuid.uuid4().hex[:12]
    log.exception("page error %s on %s %s", error_id, request.method, request.path)
    return render_template("error.html", error=None, error_id=error_id), 500


def _city_name() -> dict[str, str]:
    return {"city_name": current_app.extensions["city311"].city.name}


def register_web(server: Flask, limiter: Limiter) -> None:
    """Register the page blueprints, the guard, CSRF and the shared templates."""
    from dashboard.portal.routes import portal_blueprint
    from dashboard.staff.console import console_blueprint
    from dashboard.staff.login import login_blueprint
    from dashboard.staff.queue import queue_blueprint

    shared = Blueprint(
        "web",
        __name__,
        template_folder=str(HERE / "templates"),
        static_folder=str(HERE / "static"),
        static_url_path="/static/city311",
    )
    server.register_blueprint(shared)
    server.before_request(sessions.load_user)
    server.before_request(guard.require_login)
    server.before_request(csrf.check_csrf)
    server.after_request(csrf.set_cookie)
    server.jinja_env.globals["csrf_token"] = csrf.csrf_token
    register_filters(server)
    server.context_processor(_city_name)
    server.register_blueprint(portal_blueprint(limiter))
    server.register_blueprint(login_blueprint(limiter))
    server.register_blueprint(console_blueprint())
    server.register_blueprint(queue_blueprint())
    for code in (400, 403, 404, 405, 409, 429):
        server.register_error_handler(code, _page_error)
