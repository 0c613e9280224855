"""The web server: one Flask application carrying the portal, the staff pages,
the Open311 API and the Dash dashboard.

``create_server`` is the factory; ``city311.wsgi:app`` exposes it to gunicorn.
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, jsonify

from city311.app import AppContext
from city311.settings import Settings, load_settings
from dashboard.app import create_dash_app

log = logging.getLogger(__name__)


def app_context(server: Flask) -> AppContext:
    """The AppContext the server was built with (settings, database, city)."""
    return server.extensions["city311"]


def create_server(settings: Settings | None = None) -> Flask:
    """Build the Flask application with every web surface registered on it."""
    settings = settings or load_settings()
    context = AppContext(settings)
    server = Flask("city311")
    server.config["SECRET_KEY"] = settings.secret_key or secrets.token_hex(32)
    server.extensions["city311"] = context

    @server.get("/healthz")
    def health():
        return jsonify({"status": "ok", "city": context.city.name})

    create_dash_app(server, context)
    log.info("web server created for %s", context.city.name)
    return server
