"""Random case histories for property tests, with their fact rows.

A history is a lifecycle walk: acknowledge, transfer, close (with an outcome),
merge as a duplicate, and reopen, in an allowed order with positive gaps. A few
cases are closed before their creation and flagged. The fact row is the state
after the last event, as the ETL would store it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

from tests.metrics.builder import NEW_YORK, Case, Event

START = datetime(2026, 10, 15, tzinfo=NEW_YORK)
SLA_HOURS = {1: 72.0, 2: 48.0, 3: None}  # type id -> hours; type 3 has no SLA
TYPE_DEPARTMENT = {1: 1, 2: 2, 3: 1}
OUTCOMES = ("resolved", "resolved", "no_action_needed", "withdrawn")


def _event(kind: str, at: datetime, status: str, **extra) -> Event:
    return Event(kind, at, at.astimezone(NEW_YORK).date(), status, **extra)


@st.composite
def case_history(draw, case_id: int) -> Case:
    created = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))
    type_id = draw(st.sampled_from([1, 2, 3]))
    department = TYPE_DEPARTMENT[type_id]
    sla = SLA_HOURS[type_id]
    due = None if sla is None else created + timedelta(hours=sla)
    events = [_event("created", created, "new", department_id_after=department)]
    flagged = draw(st.integers(0, 19)) == 0

    if flagged:
        closed_at = created - timedelta(minutes=draw(st.integers(1, 600)))
        events.append(
            _event(
                "closed",
                closed_at,
                "closed",
                department_id_after=department,
                outcome_after="resolved",
            )
        )
    else:
        department = _walk(draw, events, created, department)
    return _fact_row(draw, case_id, type_id, created, due, events, flagged)


def _walk(draw, events: list[Event], at: datetime, department: int) -> int:
    status, outcome = "new", None
    for _ in range(draw(st.integers(0, 5))):
        at = at + timedelta(minutes=draw(st.integers(1, 60 * 24 * 8)))
        if status == "closed":
            choice = "reopen"
        else:
            choice = draw(
                st.sampled_from(["ack", "transfer", "close", "close", "merge"])
            )
        if choice == "ack" and status == "new":
            status = "acknowledged"
            events.append(
                _event("acknowledged", at, status, department_id_after=department)
            )
        elif choice == "transfer":
            department = 3 - department
            events.append(
                _event("transferred", at, status, department_id_after=department)
            )
        elif choice in ("close", "merge"):
            status = "closed"
            kind = "merged" if choice == "merge" else "closed"
            outcome = (
                "duplicate" if choice == "merge" else draw(st.sampled_from(OUTCOMES))
            )
            events.append(
                _event(
                    kind,
                    at,
                    status,
                    department_id_after=department,
                    outcome_after=outcome,
                )
            )
        elif choice == "reopen":
            status = "in_progress"
            events.append(
                _event("reopened", at, status, department_id_after=department)
            )
    return department


def _fact_row(draw, case_id, type_id, created, due, events, flagged) -> Case:
    last = events[0] if len(events) == 1 else sorted(events[1:], key=lambda e: e.at)[-1]
    closures = [e for e in events if e.kind in ("closed", "merged")]
    responses = [e for e in events if e.kind in ("acknowledged", "closed", "merged")]
    is_closed = last.status_after == "closed"
    closed_at = max(e.at for e in closures) if is_closed else None
    outcome = last.outcome_after if is_closed else None
    return Case(
        case_id,
        type_id,
        last.department_id_after,
        created,
        created.astimezone(NEW_YORK).date(),
        last.status_after,
        events,
        closed_at=closed_at,
        closed_date=closed_at.astimezone(NEW_YORK).date() if closed_at else None,
        due_at=due,
        first_response_at=min(e.at for e in responses) if responses else None,
        outcome=outcome,
        is_duplicate=outcome == "duplicate",
        reopen_count=sum(e.kind == "reopened" for e in events),
        flags="closed_before_created" if flagged else "",
        has_duration_flag=flagged,
        channel=draw(st.sampled_from(["phone", "web"])),
        district=draw(st.sampled_from(["D1", "D2", None])),
    )


@st.composite
def histories(draw, max_cases: int = 40) -> list[Case]:
    count = draw(st.integers(1, max_cases))
    return [draw(case_history(case_id)) for case_id in range(1, count + 1)]
