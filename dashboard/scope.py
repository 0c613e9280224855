"""Department scope of the signed-in login for warehouse views.

Department staff and heads see their own department's figures and cases.
Agents, the Mayor's office and administrators see every department. Every
view that reads filters from a URL or shows a single case calls this module.
"""

from __future__ import annotations

from dataclasses import replace

from metrics.filters import FilterError, Filters


def login_department() -> str | None:
    """Return the department the signed-in login is limited to, or None.

    Department staff and heads see their own department's figures and cases;
    other roles, and work outside a request (the cache warm-up), see all.
    """
    from flask import g, has_request_context

    from cases.roles import DEPARTMENT_SCOPED

    user = g.get("user") if has_request_context() else None
    if user is None or user.role not in DEPARTMENT_SCOPED:
        return None
    return user.department


def scope_to_login(filters: Filters) -> Filters:
    """Narrow ``filters`` to the login's department, or raise for another one."""
    own = login_department()
    if own is None:
        return filters
    others = sorted(set(filters.departments) - {own})
    if others:
        raise FilterError(
            f"your login covers department {own} only, not {', '.join(others)}; "
            "ask an administrator for a wider role"
        )
    return replace(filters, departments=(own,))


def check_case_department(department: str | None, case_number: str) -> None:
    """Raise FilterError for a case outside the login's department."""
    own = login_department()
    if own is not None and department != own:
        raise FilterError(
            f"case {case_number} belongs to another department; your login covers "
            f"department {own} only"
        )
