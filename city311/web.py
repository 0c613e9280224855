"""The web server: one Flask application carrying the portal, the staff pages,
the Open311 API and the Dash dashboard.

``create_server`` is the factory; ``city311.wsgi:app`` exposes it to gunicorn.
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, jsonify
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from cases.api import register_open311
from city311.app import AppContext
from city311.settings import Settings, load_settings
from dashboard.app import create_dash_app
from dashboard.web import register_web

log = logging.getLogger(__name__)

# Rate limits in flask-limiter notation; tests and deployments may override them
# in ``server.config`` after ``create_server`` returns.
RATE_LIMITS = {
    "CITY311_PUBLIC_READ_LIMIT": "300 per minute",
    "CITY311_PUBLIC_WRITE_LIMIT": "20 per minute",
    "CITY311_LOGIN_USER_LIMIT": "5 per minute",
    "CITY311_LOGIN_IP_LIMIT": "20 per minute",
}


def app_context(server: Flask) -> AppContext:
    """The AppContext the server was built with (settings, database, city)."""
    return server.extensions["city311"]


def create_server(settings: Settings | None = None, dashboard: bool = True) -> Flask:
    """Build the Flask application with every web surface registered on it.

    ``dashboard=False`` leaves the Dash app out, for tests of the other surfaces.
    """
    settings = settings or load_settings()
    context = AppContext(settings)
    server = Flask("city311")
    server.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    server.extensions["city311"] = context
    server.config.update(RATE_LIMITS)
    # In-memory counters are per process: behind several workers each worker
    # counts on its own, so the effective limit is the limit times the workers.
    limiter = Limiter(get_remote_address, app=server, storage_uri="memory://")
    register_open311(server, limiter)
    register_web(server, limiter)

    @server.get("/healthz")
    def health():
        return jsonify({"status": "ok", "city": context.city.name})

    if dashboard:
        create_dash_app(server, context)
    log.info("web server created for %s", context.city.name)
    return server
