"""The SLA clock of a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.components.sla_clock import sla_state

DUE = datetime(2026, 11, 20, 15, tzinfo=UTC)


def test_open_before_due():
    assert sla_state(DUE, None, DUE - timedelta(hours=5)) == (
        "open",
        "due in 5.0 hours",
    )


def test_open_after_due():
    state = sla_state(DUE, None, DUE + timedelta(days=3))
    assert state == ("overdue", "overdue by 3.0 days")


def test_closed_late_and_on_time():
    assert sla_state(DUE, DUE + timedelta(hours=6), DUE)[0] == "late"
    assert sla_state(DUE, DUE - timedelta(hours=6), DUE) == (
        "on_time",
        "closed on time, 6.0 hours before the due date",
    )


def test_no_due_date():
    assert sla_state(None, None, DUE)[0] == "none"
