"""Staff ``/login`` and ``/logout``, rate-limited per username and per address."""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, redirect, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from cases.accounts import authenticate, user_exists
from cases.db import transaction
from cases.roles import ADMIN, AGENT, HEAD, MAYOR, STAFF
from dashboard.web import sessions

log = logging.getLogger(__name__)

# The page each role starts on after login when the form has no usable ``next``.
LANDING_PAGES = {
    MAYOR: "/",
    ADMIN: "/",
    HEAD: "/queue",
    STAFF: "/queue",
    AGENT: "/console",
}


def landing_page(role: str) -> str:
    """Return the start page of a role: overview, work queue or agent console."""
    return LANDING_PAGES.get(role, "/console")


def _safe_next(target: str | None, role: str) -> str:
    """Allow only a local path as the page after login, else the role's start."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/"):
        return landing_page(role)
    if target.startswith("//") or "\\" in target:
        return landing_page(role)
    return target


def _username_key() -> str:
    return "login-user:" + request.form.get("username", "").strip().lower()


def login_form():
    return render_template("login.html", next=request.args.get("next", ""))


def login_submit():
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    with transaction(current_app.extensions["city311"].sessions) as session:
        user = authenticate(session, username, password)
        known = user is not None or user_exists(session, username)
    if user is None:
        # Only a known login name is logged: text typed into the name field that
        # matches no user may be a password entered in the wrong field.
        logged_name = repr(username) if known else "(no such login)"
        log.info("login failed for user %s from %s", logged_name, request.remote_addr)
        return (
            render_template(
                "login.html",
                next=request.form.get("next", ""),
                failed=True,
                username=username,
            ),
            401,
        )
    log.info("login succeeded for user %r (%s)", user.username, user.role)
    response = redirect(_safe_next(request.form.get("next"), user.role))
    sessions.start_session(user, response)
    return response


def logout():
    if g.user is not None:
        log.info("logout of user %r", g.user.username)
    response = redirect("/login")
    sessions.end_session(response)
    return response


def _seconds_until_reset(limiter: Limiter) -> int | None:
    """Return the seconds until the exceeded limit lets a login through again."""
    limit = limiter.current_limit
    if limit is None:
        return None
    # RequestLimit.reset_at (Flask-Limiter 4.1) adds a second to the reset time, so a
    # one-minute limit would read as 61 seconds.
    return max(1, math.ceil(limit.window.reset_time - time.time()))


def _wait_text(seconds: int | None) -> str:
    if seconds is None or seconds <= 60:
        return "a minute"
    return f"{math.ceil(seconds / 60)} minutes"


def _login_limited(limiter: Limiter, error: RateLimitExceeded):
    """Render the rate-limited login in the site layout instead of the bare limit."""
    seconds = _seconds_until_reset(limiter)
    log.info(
        "login rate limit %s reached from %s", error.description, request.remote_addr
    )
    page = render_template("login_limited.html", wait=_wait_text(seconds))
    headers = {"Retry-After": str(seconds)} if seconds is not None else {}
    return page, 429, headers


def login_blueprint(limiter: Limiter) -> Blueprint:
    blueprint = Blueprint("staff", __name__)
    submit = limiter.limit(
        lambda: current_app.config["CITY311_LOGIN_USER_LIMIT"], key_func=_username_key
    )(login_submit)
    submit = limiter.limit(
        lambda: current_app.config["CITY311_LOGIN_IP_LIMIT"],
        key_func=get_remote_address,
    )(submit)
    blueprint.add_url_rule("/login", "login", login_form, methods=["GET"])
    blueprint.add_url_rule("/login", "login_submit", submit, methods=["POST"])
    blueprint.add_url_rule("/logout", "logout", logout, methods=["POST"])
    blueprint.register_error_handler(
        RateLimitExceeded, lambda error: _login_limited(limiter, error)
    )
    return blueprint
