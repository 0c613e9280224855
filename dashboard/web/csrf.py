"""CSRF protection for HTML forms: a token bound to a random per-browser cookie.

The cookie ``city311_csrf`` contains a random value; a form's token is the HMAC of
that value with the server's secret key, so a page on another site can neither
read nor forge it. This is used in place of Flask-WTF because the app keeps
no data in Flask's signed cookie session, and the public forms need a token
before anyone logs in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from flask import Response, abort, current_app, g, request

log = logging.getLogger(__name__)

COOKIE = "city311_csrf"
FIELD = "csrf_token"
# POST endpoints exempt from the token: Open311 authenticates with api_key, and
# Dash callbacks must only read (the login guard checks who may call them).
EXEMPT_PREFIXES = ("/open311/", "/_dash-update-component")


def _sign(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _browser_value() -> str:
    value = getattr(g, "csrf_cookie", None) or request.cookies.get(COOKIE)
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(32)
        g.csrf_cookie_new = True
    g.csrf_cookie = value
    return value


def csrf_token() -> str:
    """Return the token for forms on this page (a Jinja global)."""
    return _sign(_browser_value())


def set_cookie(response: Response) -> Response:
    if getattr(g, "csrf_cookie_new", False):
        response.set_cookie(
            COOKIE,
            g.csrf_cookie,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def check_csrf() -> None:
    """Reject a write without a valid token with 400."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.path.startswith(EXEMPT_PREFIXES):
        return
    cookie = request.cookies.get(COOKIE, "")
    token = request.form.get(FIELD, "")
    if not cookie or not hmac.compare_digest(_sign(cookie), token):
        log.warning(
            "rejected %s %s: missing or invalid CSRF token",
            request.method,
            request.path,
        )
        abort(
            400,
            description="The form has expired or is invalid; reload the page "
            "and try again.",
        )
