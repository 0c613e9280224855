"""Department staff and heads see their own department's cases and figures only."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import flask
import pytest

from dashboard.scope import check_case_department, scope_to_login
from metrics.filters import FilterError, Filters

NOVEMBER = Filters(date(2026, 11, 1), date(2026, 11, 30))


def _as(role: str | None, department: str | None = None):
    """Push a request context signed in with ``role`` (None: signed out)."""
    app = flask.Flask("scope-test")
    context = app.test_request_context("/")
    context.push()
    flask.g.user = (
        None if role is None else SimpleNamespace(role=role, department=department)
    )
    return context


@pytest.mark.parametrize("role", ["staff", "head"])
def test_department_roles_see_own_department(role):
    context = _as(role, "PW")
    try:
        assert scope_to_login(NOVEMBER).departments == ("PW",)
        chosen = Filters(NOVEMBER.start, NOVEMBER.end, departments=("PW",))
        assert scope_to_login(chosen).departments == ("PW",)
        other = Filters(NOVEMBER.start, NOVEMBER.end, departments=("PW", "SAN"))
        with pytest.raises(FilterError, match="covers department PW only, not SAN"):
            scope_to_login(other)
        with pytest.raises(FilterError, match="case 26-000001-7 belongs to another"):
            check_case_department("SAN", "26-000001-7")
        check_case_department("PW", "26-000002-5")
    finally:
        context.pop()


@pytest.mark.parametrize("role", [None, "agent", "mayor", "admin"])
def test_other_roles_see_every_department(role):
    context = _as(role)
    try:
        other = Filters(NOVEMBER.start, NOVEMBER.end, departments=("SAN",))
        assert scope_to_login(NOVEMBER) == NOVEMBER
        assert scope_to_login(other) == other
        check_case_department("SAN", "26-000001-7")
    finally:
        context.pop()


def test_scope_outside_a_request_sees_all():
    """The cache warm-up computes default views without a login."""
    assert scope_to_login(NOVEMBER) == NOVEMBER
