"""The public case lookup's result, built from the case store's public view.

Only the fields listed here are shown: no requester, no description, no
address, no internal note and no staff name, whatever the public view holds.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash_bootstrap_components as dbc
from dash import html

from cases.lifecycle import status_label
from dashboard.components.format import format_instant


def lookup_facts(case: Any, zone: ZoneInfo) -> list[tuple[str, str]]:
    """Return the (label, text) pairs shown for a ``cases.views.PublicCase``."""
    facts = [
        ("Case number", case.case_number),
        ("Status", status_label(case.status)),
        ("Request type", case.service_type_name),
        ("Department", case.department_name),
        ("Received", format_instant(case.created_at, zone)),
        ("Due", format_instant(case.due_at, zone) if case.due_at else "no due date"),
    ]
    if case.closed_at is not None:
        facts.append(("Closed", format_instant(case.closed_at, zone)))
        facts.append(("Outcome", (case.outcome or "").replace("_", " ")))
    return facts


def make_result(case: Any, zone: ZoneInfo) -> dbc.Card:
    rows = [
        html.Tr([html.Th(label, scope="row"), html.Td(text)])
        for label, text in lookup_facts(case, zone)
    ]
    notes = [
        html.Li(f"{format_instant(note.at, zone)}: {note.text}") for note in case.notes
    ]
    body = [html.Table(html.Tbody(rows), className="table table-sm mb-2")]
    if notes:
        body += [html.H3("Updates from the city", className="h6"), html.Ul(notes)]
    return dbc.Card(dbc.CardBody(body), id="public-lookup-card")
