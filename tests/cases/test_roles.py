"""Role and department checks of the acting user."""

from __future__ import annotations

import pytest

from cases.errors import PermissionDeniedError
from cases.roles import Actor


@pytest.mark.parametrize(
    "actor",
    [Actor("pat", "staff", "PW"), Actor("hal", "head", "PW")],
)
def test_scoped_roles_read_own_department(actor):
    actor.check_read("26-000001-5", "PW")
    with pytest.raises(PermissionDeniedError):
        actor.check_read("26-000001-5", "LI")


@pytest.mark.parametrize("role", ["agent", "mayor", "admin"])
def test_city_wide_roles_read_everything(role):
    Actor("kim", role).check_read("26-000001-5", "LI")


def test_public_cannot_read_staff_view():
    with pytest.raises(PermissionDeniedError):
        Actor("anyone", "public").check_read("26-000001-5", "PW")


def test_staff_cannot_act_on_other_department():
    with pytest.raises(PermissionDeniedError) as raised:
        Actor("pat", "staff", "PW").check("close", "26-000001-5", "LI")
    assert "department LI" in str(raised.value)


def test_agent_cannot_close():
    with pytest.raises(PermissionDeniedError):
        Actor("amy", "agent").check("close", "26-000001-5", "PW")
