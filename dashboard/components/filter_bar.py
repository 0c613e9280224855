"""The filter bar of staff pages: period, department, type, channel, district.

Ids are pattern-matching dicts keyed by page, so one callback (registered by
the app factory) serves every page. Applying the filters navigates to the
page's path with the new query string, which re-renders the page from the
URL: the URL is the only state.
"""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

from metrics.dimensions import Dimensions
from metrics.filters import Filters

CONTROLS = ("department", "service_type", "channel", "district")
LABELS = {
    "department": "Department",
    "service_type": "Service type",
    "channel": "Channel",
    "district": "District",
}


def control_id(kind: str, page: str) -> dict[str, str]:
    return {"type": f"filter-{kind}", "page": page}


def _options(kind: str, dimensions: Dimensions | None) -> list[dict[str, str]]:
    if dimensions is None:
        return []
    if kind == "department":
        return [{"label": n, "value": c} for c, n in dimensions.departments]
    if kind == "service_type":
        return [{"label": n, "value": c} for c, n, _ in dimensions.service_types]
    if kind == "district":
        return [{"label": n, "value": c} for c, n in dimensions.districts]
    return [{"label": c, "value": c} for c in dimensions.channels]


def _dropdown(
    kind: str, page: str, values, dimensions, path_value: str | None = None
) -> dbc.Col:
    ident = control_id(kind, page)
    label_id = f"{page}-filter-{kind}-label"
    return dbc.Col(
        [
            html.Label(LABELS[kind], id=label_id, className="small mb-0"),
            dcc.Dropdown(
                id=ident,
                options=_options(kind, dimensions),
                value=[path_value] if path_value else list(values),
                multi=True,
                placeholder="All",
                disabled=path_value is not None,
                clearable=path_value is None,
            ),
        ],
        md=2,
    )


def filter_bar(
    page: str,
    path: str,
    filters: Filters | None,
    default: tuple[date, date],
    dimensions: Dimensions | None,
    extra: dict[str, str] | None = None,
    set_by_path: dict[str, str] | None = None,
) -> dbc.Card:
    """Build the bar; ``extra`` contains query keys the page keeps (such as basis).

    ``set_by_path`` maps a control to the one value the page's path decides.
    That control is shown disabled and left out of the query string on apply.
    """
    set_by_path = set_by_path or {}
    start, end = (filters.start, filters.end) if filters else default
    values = {
        kind: getattr(filters, f"{kind}s") if filters else () for kind in CONTROLS
    }
    period = dbc.Col(
        [
            html.Label("Period", className="small mb-0 d-block"),
            dcc.DatePickerRange(
                id=control_id("period", page),
                start_date=start,
                end_date=end,
                display_format="YYYY-MM-DD",
                first_day_of_week=1,
            ),
        ],
        md=3,
    )
    dropdowns = [
        _dropdown(kind, page, values[kind], dimensions, set_by_path.get(kind))
        for kind in CONTROLS
    ]
    apply = dbc.Col(
        dbc.Button("Apply", id=control_id("apply", page), color="primary"),
        md=1,
        className="d-flex align-items-end",
    )
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row([period, *dropdowns, apply], className="g-2"),
                dcc.Store(
                    id=control_id("context", page),
                    data={
                        "path": path,
                        "extra": extra or {},
                        "set_by_path": list(set_by_path),
                    },
                ),
                dcc.Location(id=control_id("nav", page), refresh="callback-nav"),
            ]
        ),
        className="mb-3",
    )
