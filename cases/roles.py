"""Roles and the acting user of every service-layer operation.

Department staff and heads act only on their own department's cases; the
check lives here so that every page and API goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.errors import PermissionDeniedError

PUBLIC = "public"
AGENT = "agent"
STAFF = "staff"
HEAD = "head"
MAYOR = "mayor"
ADMIN = "admin"
SYSTEM = "system"
ROLES = (PUBLIC, AGENT, STAFF, HEAD, MAYOR, ADMIN, SYSTEM)

# Operations each role may perform on an existing case.
_ALL_OPERATIONS = frozenset(
    {
        "acknowledge",
        "start",
        "assign",
        "transfer",
        "hold",
        "resume",
        "note",
        "close",
        "reopen",
        "merge",
        "change_type",
    }
)
ROLE_OPERATIONS: dict[str, frozenset[str]] = {
    PUBLIC: frozenset(),
    AGENT: frozenset({"note", "merge"}),
    STAFF: _ALL_OPERATIONS,
    HEAD: _ALL_OPERATIONS,
    MAYOR: _ALL_OPERATIONS,
    ADMIN: _ALL_OPERATIONS,
    SYSTEM: _ALL_OPERATIONS,
}
DEPARTMENT_SCOPED = frozenset({STAFF, HEAD})


@dataclass(frozen=True)
class Actor:
    """The user or process behind an operation; ``label`` goes into the event."""

    name: str
    role: str = SYSTEM
    department: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role {self.role!r} is unknown; use one of {list(ROLES)}")
        if self.role in DEPARTMENT_SCOPED and not self.department:
            raise ValueError(f"role {self.role} needs a department")

    @property
    def label(self) -> str:
        return (
            self.name if self.role in (PUBLIC, SYSTEM) else f"{self.role}:{self.name}"
        )

    def check(self, operation: str, case_number: str, department_code: str) -> None:
        """Raise PermissionDeniedError unless this actor may perform the operation."""
        if operation not in ROLE_OPERATIONS[self.role]:
            raise PermissionDeniedError(
                f"case {case_number}: role {self.role} may not "
                f"{operation.replace('_', ' ')}"
            )
        if self.role in DEPARTMENT_SCOPED and department_code != self.department:
            raise PermissionDeniedError(
                f"case {case_number}: belongs to department {department_code}; "
                f"{self.name} works for {self.department}"
            )

    def check_read(self, case_number: str, department_code: str) -> None:
        """Raise PermissionDeniedError unless the actor may read the staff view.

        The public reads only the public view, and staff and heads read their own
        department's cases. Agents, the Mayor's office and administrators read all.
        """
        if self.role == PUBLIC:
            raise PermissionDeniedError(
                f"case {case_number}: the staff view needs a staff login"
            )
        if self.role in DEPARTMENT_SCOPED and department_code != self.department:
            raise PermissionDeniedError(
                f"case {case_number}: belongs to department {department_code}; "
                f"{self.name} works for {self.department}"
            )


SYSTEM_ACTOR = Actor("system")
PUBLIC_ACTOR = Actor("public", PUBLIC)
