"""A case's SLA clock: due date, and time left or overdue by."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html


def _span(seconds: float) -> str:
    hours = abs(seconds) / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def sla_state(
    due_at: datetime | None, closed_at: datetime | None, now: datetime
) -> tuple[str, str]:
    """Return ``(state, text)``; state is none, on_time, late, open or overdue.

    >>> sla_state(due, None, due - timedelta(hours=5))
    ('open', 'due in 5.0 hours')
    """
    if due_at is None:
        return "none", "no due date: this service type has no SLA"
    if closed_at is not None:
        seconds = (closed_at - due_at).total_seconds()
        if seconds <= 0:
            return "on_time", f"closed on time, {_span(seconds)} before the due date"
        return "late", f"closed late, {_span(seconds)} after the due date"
    seconds = (due_at - now).total_seconds()
    if seconds >= 0:
        return "open", f"due in {_span(seconds)}"
    return "overdue", f"overdue by {_span(seconds)}"


def make_clock(state: str, text: str, due_text: str) -> dbc.Card:
    colour = {"overdue": "sla-overdue", "late": "sla-overdue", "on_time": "sla-ok"}
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div("SLA clock", className="small text-uppercase"),
                html.Div(text, className=colour.get(state, ""), id="case-sla-text"),
                html.Div(f"Due: {due_text}", className="small"),
            ]
        ),
        className="mb-3",
    )
