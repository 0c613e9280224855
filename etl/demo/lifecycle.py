"""The events of one demo case from creation to the history's end.

Each case may be acknowledged, assigned, started, put on hold and resumed,
transferred, closed with an outcome and reopened; events after the cutoff
are left out, so recent cases are still open and some are overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from etl.bulk import ImportEvent
from etl.demo.departments import DepartmentProfile

OUTCOMES = (
    "resolved",
    "no_action_needed",
    "unable_to_locate",
    "referred_elsewhere",
    "withdrawn",
    "administrative",
)
OUTCOME_SHARES = np.array([0.8, 0.07, 0.04, 0.04, 0.03, 0.02])
ACKNOWLEDGE_SHARE = 0.9
ASSIGN_SHARE = 0.65
HOLD_SHARE = 0.07
TRANSFER_SHARE = 0.04
REOPEN_SHARE = 0.03
NO_SLA_MEDIAN_HOURS = 72.0


@dataclass
class Draft:
    """A demo case before its events are drawn."""

    created_at: datetime
    type_index: int
    channel: str
    latitude: float | None
    longitude: float | None
    district: str | None
    address: str | None
    parent: Draft | None = None
    flags: set[str] = field(default_factory=set)
    external_id: str = ""
    due_at: datetime | None = None


def hours(value: float) -> timedelta:
    return timedelta(hours=float(value))


def case_events(
    draft: Draft,
    profile: DepartmentProfile,
    other_departments: list[str],
    rng: np.random.Generator,
) -> list[ImportEvent]:
    """Draw the events after creation of an ordinary (not duplicate) case."""
    created = draft.created_at
    events: list[ImportEvent] = []
    if rng.random() < ACKNOWLEDGE_SHARE:
        working = created + hours(rng.exponential(profile.ack_hours) + 0.05)
        events.append(ImportEvent("acknowledged", working, {"status": "acknowledged"}))
    else:
        # Work starts later and without a recorded acknowledgement.
        working = created + hours(rng.exponential(profile.ack_hours * 3) + 0.1)
    if rng.random() < TRANSFER_SHARE and other_departments:
        target = other_departments[int(rng.integers(len(other_departments)))]
        working += hours(rng.exponential(6.0) + 0.1)
        after = {"department_id": ("department_code", target), "assignee": None}
        note = "Belongs to another department"
        events.append(ImportEvent("transferred", working, after, note=note))
    if rng.random() < ASSIGN_SHARE:
        working += hours(rng.exponential(4.0) + 0.1)
        crew = f"Crew {int(rng.integers(1, 40)):02d}"
        events.append(ImportEvent("assigned", working, {"assignee": crew}))
    working += hours(rng.exponential(3.0) + 0.1)
    events.append(ImportEvent("status_changed", working, {"status": "in_progress"}))

    closing = created + hours(_hours_to_close(draft, profile, rng))
    closing = max(closing, working + hours(0.25))
    if rng.random() < HOLD_SHARE:
        hold_start = working + (closing - working) * float(rng.uniform(0.1, 0.6))
        held = hours(rng.exponential(72.0) + 2.0)
        events.append(
            ImportEvent(
                "status_changed",
                hold_start,
                {"status": "on_hold", "hold_started_at": hold_start},
                note="Waiting on the resident",
            )
        )
        resume = {"status": "in_progress", "hold_started_at": None}
        events.append(ImportEvent("status_changed", hold_start + held, resume))
        closing += held
    outcome = OUTCOMES[int(rng.choice(len(OUTCOMES), p=OUTCOME_SHARES))]
    events.append(_closure(closing, outcome))
    if rng.random() < REOPEN_SHARE:
        reopened = closing + hours(rng.exponential(120.0) + 1.0)
        after = {"status": "in_progress", "outcome": None, "parent_id": None}
        events.append(ImportEvent("reopened", reopened, after, note="Problem returned"))
        again = reopened + hours(rng.exponential(96.0) + 1.0)
        events.append(_closure(again, "resolved"))
    return events


def duplicate_events(draft: Draft, rng: np.random.Generator) -> list[ImportEvent]:
    """Close a duplicate against its parent within a day or so."""
    closing = draft.created_at + hours(rng.exponential(12.0) + 0.2)
    after = {
        "status": "closed",
        "outcome": "duplicate",
        "parent_id": ("external_id", draft.parent.external_id),
    }
    return [
        ImportEvent("closed", closing, after, note="Same problem as the parent case")
    ]


def _closure(at: datetime, outcome: str) -> ImportEvent:
    return ImportEvent("closed", at, {"status": "closed", "outcome": outcome})


def _hours_to_close(
    draft: Draft, profile: DepartmentProfile, rng: np.random.Generator
) -> float:
    """Draw the hours from creation to closure: a lognormal around the SLA."""
    if draft.due_at is None:
        median = NO_SLA_MEDIAN_HOURS
    else:
        sla_hours = (draft.due_at - draft.created_at).total_seconds() / 3600
        median = max(sla_hours, 1.0) * profile.speed
    return float(median * rng.lognormal(0.0, profile.spread))
