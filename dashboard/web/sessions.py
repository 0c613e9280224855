"""Server-side login sessions stored in the case store.

The cookie carries only a random session id; the table keeps its SHA-256, the
user and the expiry. The logged-in user of a request is ``g.user`` (or None).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, g, request
from sqlalchemy import delete

from cases.db import transaction
from cases.models import User, WebSession
from cases.roles import Actor

log = logging.getLogger(__name__)

COOKIE = "city311_session"
LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class StaffUser:
    """The logged-in staff member of a request."""

    id: int
    username: str
    role: str
    department: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.department)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _sessions():
    return current_app.extensions["city311"].sessions


def start_session(user: User, response: Response) -> None:
    """Store a new session for ``user`` and set its cookie on ``response``."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with transaction(_sessions()) as session:
        session.execute(delete(WebSession).where(WebSession.expires_at < now))
        session.add(
            WebSession(
                id_hash=_digest(session_id),
                user_id=user.id,
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )


def end_session(response: Response) -> None:
    session_id = request.cookies.get(COOKIE)
    if session_id:
        with transaction(_sessions()) as session:
            session.execute(
                delete(WebSession).where(WebSession.id_hash == _digest(session_id))
            )
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax")


def load_user() -> None:
    """Set ``g.user`` from the session cookie: a StaffUser, or None."""
    g.user = None
    session_id = request.cookies.get(COOKIE)
    if not session_id or len(session_id) > 100:
        return
    with _sessions()() as session:
        row = session.get(WebSession, _digest(session_id))
        if row is None or row.expires_at < datetime.now(UTC) or not row.user.active:
            return
        user = row.user
        g.user = StaffUser(user.id, user.username, user.role, user.department)
