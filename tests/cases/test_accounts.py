"""Staff users and Open311 API keys in the case store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cases.accounts import (
    add_api_key,
    add_user,
    authenticate,
    find_api_client,
    list_users,
    set_active,
    set_password,
)
from cases.db import transaction
from cases.errors import ValidationError
from cases.models import ApiKey, User, WebSession

PASSWORD = "a long enough password"


def test_user_password_stored_as_argon2(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
    with sessions() as session:
        stored = session.query(User).one()
        assert stored.password_hash.startswith("$argon2id$")
        assert PASSWORD not in stored.password_hash


def test_authenticate_checks_password(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
    with transaction(sessions) as session:
        assert authenticate(session, "pat", PASSWORD).username == "pat"
        assert authenticate(session, "pat", PASSWORD + "x") is None
        assert authenticate(session, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "role", "department", "password", "field"),
    [
        ("pat", "boss", None, PASSWORD, "role"),
        ("pat", "public", None, PASSWORD, "role"),
        ("pat", "staff", None, PASSWORD, "department"),
        ("pat", "head", "XX", PASSWORD, "department"),
        ("pat", "agent", None, "short", "password"),
        ("no spaces", "agent", None, PASSWORD, "username"),
    ],
)
def test_add_user_rejects_bad_input(
    sessions, username, role, department, password, field
):
    with pytest.raises(ValidationError) as raised, transaction(sessions) as session:
        add_user(session, username, password, role, department)
    assert raised.value.field == field


def test_add_user_rejects_duplicate(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "agent", None)
    with pytest.raises(ValidationError), transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "agent", None)


def test_api_key_stored_hashed(sessions):
    with transaction(sessions) as session:
        key = add_api_key(session, "app")
    with sessions() as session:
        assert session.query(ApiKey).one().key_hash != key
        assert find_api_client(session, key).name == "app"
        assert find_api_client(session, key[:-1]) is None
        assert find_api_client(session, "") is None


def add_web_session(session, username: str, id_hash: str) -> None:
    user = session.query(User).filter_by(username=username).one()
    now = datetime.now(UTC)
    session.add(
        WebSession(
            id_hash=id_hash,
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
    )


def session_owners(sessions) -> list[str]:
    with sessions() as session:
        return sorted(row.user.username for row in session.query(WebSession))


def test_list_users_without_hashes(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
        add_user(session, "amy", PASSWORD, "agent", None)
    with transaction(sessions) as session:
        set_active(session, "pat", False)
    with sessions() as session:
        users = list_users(session)
    assert [u.username for u in users] == ["amy", "pat"]
    assert [(u.role, u.department, u.active) for u in users] == [
        ("agent", None, True),
        ("staff", "PW", False),
    ]
    assert all(u.created_at.tzinfo is not None for u in users)
    assert not hasattr(users[0], "password_hash")


def test_set_password_replaces_hash(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
        add_user(session, "amy", PASSWORD, "agent", None)
        add_web_session(session, "pat", "a" * 64)
        add_web_session(session, "amy", "b" * 64)
    with transaction(sessions) as session:
        ended = set_password(session, "pat", "a new long password")
    with transaction(sessions) as session:
        assert authenticate(session, "pat", PASSWORD) is None
        assert authenticate(session, "pat", "a new long password").username == "pat"
    assert ended == 1
    assert session_owners(sessions) == ["amy"]


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        ("nobody", "a new long password", "username", "user 'nobody' not found"),
        ("pat", "short", "password", "password for user 'pat' has 5 characters"),
    ],
)
def test_set_password_rejects_bad_input(sessions, username, password, field, message):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
    with pytest.raises(ValidationError) as raised, transaction(sessions) as session:
        set_password(session, username, password)
    assert raised.value.field == field
    assert message in str(raised.value)
    with transaction(sessions) as session:
        assert authenticate(session, "pat", PASSWORD).username == "pat"


def test_disable_blocks_login(sessions):
    with transaction(sessions) as session:
        add_user(session, "pat", PASSWORD, "staff", "PW")
        add_web_session(session, "pat", "a" * 64)
    with transaction(sessions) as session:
        disabled = set_active(session, "pat", False)
    with transaction(sessions) as session:
        again = set_active(session, "pat", False)
        assert authenticate(session, "pat", PASSWORD) is None
    assert disabled == (True, 1)
    assert again == (False, 0)
    assert session_owners(sessions) == []
    with transaction(sessions) as session:
        enabled = set_active(session, "pat", True)
        assert authenticate(session, "pat", PASSWORD).username == "pat"
    assert enabled == (True, 0)


def test_disable_last_admin_rejected(sessions):
    with transaction(sessions) as session:
        add_user(session, "ada", PASSWORD, "admin", None)
    expected = pytest.raises(ValidationError, match="'ada' is the last active admin")
    with expected, transaction(sessions) as session:
        set_active(session, "ada", False)
    with transaction(sessions) as session:
        add_user(session, "bob", PASSWORD, "admin", None)
    with transaction(sessions) as session:
        assert set_active(session, "ada", False) == (True, 0)
    expected = pytest.raises(ValidationError, match="'bob' is the last active admin")
    with expected, transaction(sessions) as session:
        set_active(session, "bob", False)


def test_disable_unknown_user_fails(sessions):
    expected = pytest.raises(ValidationError, match="user 'nobody' not found")
    with expected, transaction(sessions) as session:
        set_active(session, "nobody", False)
