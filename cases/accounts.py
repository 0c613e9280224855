"""Staff users (argon2 password hashes) and Open311 client API keys."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cases.errors import ValidationError
from cases.models import ApiKey, Department, User, WebSession
from cases.roles import ADMIN, DEPARTMENT_SCOPED, PUBLIC, ROLES, SYSTEM, Actor

log = logging.getLogger(__name__)

LOGIN_ROLES = tuple(role for role in ROLES if role not in (PUBLIC, SYSTEM))
MIN_PASSWORD_CHARS = 10
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,80}$")
_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a login for an unknown
# user costs as much time as one with a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class ApiClient:
    """The client application an Open311 API key belongs to."""

    id: int
    name: str


@dataclass(frozen=True)
class UserInfo:
    """A staff login as ``city311 user list`` prints it, without the password hash."""

    username: str
    role: str
    department: str | None
    active: bool
    created_at: datetime


def user_actor(user: User) -> Actor:
    return Actor(user.username, user.role, user.department)


def add_user(
    session: Session, username: str, password: str, role: str, department: str | None
) -> User:
    """Create a staff user after checking the name, role, department and password."""
    if not _USERNAME.match(username or ""):
        raise ValidationError(
            "username",
            f"username {username!r} is not valid; use 2 to 80 letters, digits "
            "or the characters _ . @ -",
        )
    if role not in LOGIN_ROLES:
        raise ValidationError(
            "role", f"role {role!r} is unknown; use one of {', '.join(LOGIN_ROLES)}"
        )
    if role in DEPARTMENT_SCOPED and not department:
        raise ValidationError("department", f"role {role} needs --department CODE")
    if department is not None:
        known = session.scalar(select(Department).where(Department.code == department))
        if known is None:
            raise ValidationError(
                "department",
                f"department {department!r} not found; run `city311 init` or "
                "check the codes in the city configuration",
            )
    check_password(password)
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValidationError("username", f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        department=department,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def check_password(password: str, username: str | None = None) -> None:
    """Raise ValidationError for a password that a new or reset login may not use.

    The message names ``username`` when given, never the password.
    """
    owner = f" for user {username!r}" if username else ""
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            "password",
            f"password{owner} has {len(password)} characters; use at least "
            f"{MIN_PASSWORD_CHARS}",
        )
    problem = _password_problem(password)
    if problem:
        raise ValidationError("password", f"password{owner} is invalid: {problem}")


def _password_problem(password: str) -> str | None:
    """Return why a password of valid length cannot be used, or None.

    A password with a control character (a newline, say) or only whitespace
    cannot be typed into the login form.
    """
    if password.isspace():
        return "it contains only whitespace; choose one with visible characters"
    if any(unicodedata.category(char) == "Cc" for char in password):
        return "it contains a control character such as a newline or tab; remove it"
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return "it is not valid UTF-8 text"
    return None


def list_users(session: Session) -> list[UserInfo]:
    """Return every staff login, active or not, ordered by username."""
    users = session.scalars(select(User).order_by(User.username))
    return [
        UserInfo(
            user.username, user.role, user.department, user.active, user.created_at
        )
        for user in users
    ]


def find_user(session: Session, username: str) -> User:
    """Return the login named ``username``; raise ValidationError when there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise ValidationError(
            "username",
            f"user {username!r} not found; run `city311 user list` to see the logins",
        )
    return user


def set_password(session: Session, username: str, password: str) -> int:
    """Replace a login's password and end its web sessions; return how many ended.

    Ending the sessions logs out every browser that logged in with the old
    password, so a reset also locks out someone who had guessed or stolen it.
    """
    user = find_user(session, username)
    check_password(password, username)
    user.password_hash = _hasher.hash(password)
    return end_user_sessions(session, user)


def set_active(session: Session, username: str, active: bool) -> tuple[bool, int]:
    """Enable or disable a login; return whether it changed and sessions ended.

    A disabled login cannot log in, and its web sessions are deleted. A session
    cookie that is still in a browser then matches no row, and the per-request
    check in ``dashboard.web.sessions.load_user`` also rejects inactive users.
    """
    user = find_user(session, username)
    if not active and user.active and user.role == ADMIN:
        _check_other_admin(session, user)
    changed = user.active != active
    user.active = active
    ended = 0 if active else end_user_sessions(session, user)
    return changed, ended


def _check_other_admin(session: Session, user: User) -> None:
    """Raise ValidationError when ``user`` is the last active administrator."""
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == ADMIN, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise ValidationError(
            "username",
            f"user {user.username!r} is the last active administrator; add or "
            "enable another administrator first",
        )


def end_user_sessions(session: Session, user: User) -> int:
    """Delete every web session of ``user``; return the number deleted."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.flush()
    return result.rowcount


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user whose password matches, else None."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        if user is None or not user.active:
            _hasher.verify(_DUMMY_HASH, password)
            return None
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def user_exists(session: Session, username: str) -> bool:
    """Tell whether a login with this exact name exists, active or not."""
    return session.scalar(select(User.id).where(User.username == username)) is not None


def key_digest(key: str) -> str:
    # Keys are 256-bit random strings, so a fast hash is enough: nothing can be
    # brute-forced from the digest, and each API call checks a key.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_api_key(session: Session, name: str) -> str:
    """Create a key for a client application; return the key (shown only once)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("name", "client name must have 1 to 120 characters")
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise ValidationError("name", f"an API key for {name!r} already exists")
    key = secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            name=name,
            key_hash=key_digest(key),
            active=True,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    return key


def find_api_client(session: Session, key: str) -> ApiClient | None:
    """Return the client of an active key, or None for a missing or unknown key."""
    if not key:
        return None
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == key_digest(key), ApiKey.active)
    )
    return ApiClient(row.id, row.name) if row else None
