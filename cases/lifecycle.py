"""Case statuses, outcomes and the transitions each operation allows.

``new -> acknowledged -> in_progress -> closed``; ``on_hold`` from acknowledged
or in progress; ``closed -> in_progress`` by reopening. A transfer changes the
department, not the status. The Open311 status is ``open`` for every status
except ``closed``.
"""

from __future__ import annotations

from cases.errors import InvalidTransitionError
from cases.languages import DEFAULT_LANGUAGE

NEW = "new"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
ON_HOLD = "on_hold"
CLOSED = "closed"
STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, ON_HOLD, CLOSED)
OPEN_STATUSES = frozenset({NEW, ACKNOWLEDGED, IN_PROGRESS, ON_HOLD})

# The label of each status per portal language. Every page, the command line
# and the Open311 status notes word a status from this table.
STATUS_LABELS: dict[str, dict[str, str]] = {
    "en": {
        NEW: "Received",
        ACKNOWLEDGED: "Acknowledged",
        IN_PROGRESS: "In progress",
        ON_HOLD: "On hold",
        CLOSED: "Closed",
    },
    "es": {
        NEW: "Recibida",
        ACKNOWLEDGED: "Confirmada",
        IN_PROGRESS: "En curso",
        ON_HOLD: "En espera",
        CLOSED: "Cerrada",
    },
}


def status_label(status: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Return the label of ``status`` in ``language``.

    An unknown language falls back to English, and an unknown status to its
    code with spaces for underscores.
    """
    labels = STATUS_LABELS.get(language, STATUS_LABELS[DEFAULT_LANGUAGE])
    return labels.get(status, status.replace("_", " "))


OUTCOMES = (
    "resolved",
    "no_action_needed",
    "duplicate",
    "referred_elsewhere",
    "unable_to_locate",
    "withdrawn",
    "administrative",
)

CHANNELS = ("phone", "web", "mobile", "api", "walk-in", "email", "import")
KINDS = ("service_request", "complaint", "information", "billing", "idea", "compliment")
PRIORITIES = ("low", "normal", "high", "urgent")

# Statuses from which each operation may start.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({NEW}),
    "start": frozenset({NEW, ACKNOWLEDGED}),
    "hold": frozenset({ACKNOWLEDGED, IN_PROGRESS}),
    "resume": frozenset({ON_HOLD}),
    "assign": OPEN_STATUSES,
    "transfer": OPEN_STATUSES,
    "change_type": OPEN_STATUSES,
    "close": OPEN_STATUSES,
    "merge": OPEN_STATUSES,
    "reopen": frozenset({CLOSED}),
    "note": frozenset(STATUSES),
}

_HINTS = {
    "reopen": "only a closed case can be reopened",
    "resume": "only a case on hold can be resumed",
    "hold": "acknowledge the case first",
    "acknowledge": "it has already been acknowledged",
}


def check_transition(case_number: str, status: str, action: str) -> None:
    """Raise InvalidTransitionError unless ``action`` is allowed from ``status``."""
    if status not in ALLOWED_FROM[action]:
        hint = _HINTS.get(action, "")
        if status == CLOSED and action != "reopen":
            hint = "reopen it first"
        raise InvalidTransitionError(
            case_number, status, action.replace("_", " "), hint
        )


def open311_status(status: str) -> str:
    return "closed" if status == CLOSED else "open"
