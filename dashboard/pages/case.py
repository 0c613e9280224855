"""One case: summary, SLA clock, timeline of events and location (staff view)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate

from cases.lifecycle import status_label
from cases.numbers import (
    InvalidCaseNumber,
    looks_like_case_number,
    normalize_case_number,
)
from dashboard.components import location_map, timeline
from dashboard.components.format import format_hours, format_instant
from dashboard.components.sla_clock import make_clock, sla_state
from dashboard.runtime import runtime
from dashboard.scope import check_case_department
from dashboard.view import (
    csv_button,
    error_alert,
    page_frame,
    register_csv_export,
    view_errors,
)
from dashboard.web.guard import QUEUE_ROLES
from metrics.case_detail import case_row
from metrics.case_detail import timeline as case_timeline
from metrics.map_points import district_points

dash.register_page(
    __name__,
    path_template="/cases/<case_number>",
    title="Case",
    name="Case",
)

PAGE = "case"


def layout(case_number: str | None = None, **query):
    body = [
        dcc.Store(id="case-number", data=case_number),
        html.Div(id="case-summary"),
        dbc.Row(
            [
                dbc.Col(
                    [csv_button("case-timeline-grid"), html.Div(id="case-timeline")],
                    lg=8,
                ),
                dbc.Col(
                    # Hidden until a case is found, so a wrong number shows the
                    # message and no empty axes.
                    dcc.Graph(
                        id="case-location",
                        config={"displaylogo": False},
                        style={"display": "none"},
                    ),
                    lg=4,
                ),
            ]
        ),
    ]
    return page_frame(
        PAGE, f"Case {case_number}", {}, body, path="/cases", with_filters=False
    )


def _status_text(status: str, outcome: str | None) -> str:
    """Return 'Closed (unable to locate)', or the label alone without an outcome."""
    label = status_label(status)
    return f"{label} ({outcome.replace('_', ' ')})" if outcome else label


def _summary(row: dict, zone, now) -> list:
    state, text = sla_state(row["due_at"], row["closed_at"], now)
    facts = [
        ("Status", _status_text(row["status"], row["outcome"])),
        ("Service type", f"{row['service_type_name']} ({row['service_type']})"),
        ("Department", f"{row['department_name']} ({row['department']})"),
        ("Channel", row["channel"]),
        ("District", row["district"] or "none"),
        ("Created", format_instant(row["created_at"], zone)),
        ("First response", format_instant(row["first_response_at"], zone)),
        ("Closed", format_instant(row["closed_at"], zone)),
        (
            "Time to close",
            format_hours(row["hours_to_close"])
            if row["hours_to_close"] is not None
            else "not closed or flagged",
        ),
        ("Reopened", f"{row['reopen_count']} times"),
        ("Duplicate of", row["parent_case_number"] or "none"),
        ("Data-quality flags", row["flags"] or "none"),
        ("Source", row["source"]),
    ]
    table = html.Table(
        html.Tbody(
            [html.Tr([html.Th(k, scope="row"), html.Td(str(v))]) for k, v in facts]
        ),
        className="table table-sm",
    )
    clock = make_clock(state, text, format_instant(row["due_at"], zone))
    return [dbc.Row([dbc.Col(table, lg=8), dbc.Col([clock, *_queue_link(row)], lg=4)])]


def _queue_link(row: dict) -> list:
    """Link roles with a work queue to the case there.

    The warehouse has no address, description or notes; the work queue reads
    them from the case store and checks the user's department.
    """
    user = getattr(flask.g, "user", None) if flask.has_request_context() else None
    if user is None or user.role not in QUEUE_ROLES:
        return []
    return [
        html.P(
            html.A(
                "Open in the work queue (address, description, notes)",
                href=f"/queue/{row['case_number']}",
                id="case-queue-link",
            ),
            className="mt-2",
        )
    ]


HIDDEN = {"display": "none"}


@callback(
    Output("case-summary", "children"),
    Output("case-timeline", "children"),
    Output("case-location", "figure"),
    Output("case-location", "style"),
    Output("case-message", "children"),
    Input("case-number", "data"),
)
def show_case(number):
    if not number:
        raise PreventUpdate
    rt = runtime()
    zone = rt.context.city.timezone
    try:
        if looks_like_case_number(number):
            number = normalize_case_number(number)
        row = rt.reader.call(case_row, number)
        if row is None:
            message = f"case {number} is not in the warehouse; check the number"
            return None, None, dash.no_update, HIDDEN, error_alert(LookupError(message))
        check_case_department(row["department"], number)
        events = rt.reader.call(case_timeline, int(row["case_id"]))
    except (*view_errors(), InvalidCaseNumber) as error:
        return None, None, dash.no_update, HIDDEN, error_alert(error)
    grid = timeline.make_grid(
        "case-timeline-grid", timeline.timeline_rows(events, zone), number
    )
    figure = location_map.make_figure(
        row["latitude"],
        row["longitude"],
        number,
        rt.context.settings.map_tiles_url,
        rt.reader.call(district_points),
    )
    return (
        _summary(row, zone, rt.now()),
        [html.H2("Timeline", className="h5"), grid],
        figure,
        {},
        None,
    )


register_csv_export("case-timeline-grid")
