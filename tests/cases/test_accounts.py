"""Staff users and Open311 API keys in the case store."""

from __future__ import annotations

import pytest

from cases.accounts import add_api_key, add_user, authenticate, find_api_client
from cases.db import transaction
from cases.errors import ValidationError
from cases.models import ApiKey, User

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
