"""The overview's headline tiles: value, change against the previous period, target.

Each tile links to the case list that makes up its figure.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.format import format_change, format_value

# Tile metric -> the case-list basis that shows the cases behind it.
TILES: dict[str, str] = {
    "received": "received",
    "closed": "closed",
    "time_to_close_median_hours": "closed",
    "on_time_rate": "closed",
    "open_backlog": "open",
    "overdue_open": "overdue",
}


def tile_status(detail: dict[str, Any]) -> str:
    """Return 'good' when a figure meets its target, 'bad' when not, else 'neutral'.

    The score is actual over target, inverted where lower is better, so 1 or
    more meets the target.
    """
    score = detail.get("score")
    if score is None:
        return "neutral"
    return "good" if score >= 1 else "bad"


def target_text(detail: dict[str, Any], status: str) -> str:
    target = detail.get("target")
    if target is None:
        return "no target set"
    verdict = {"good": "meets", "bad": "misses"}.get(status, "compared with")
    return f"{verdict} target {format_value(target, detail['unit'])}"


def make_tile(name: str, detail: dict[str, Any], href: str) -> dcc.Link:
    """Build one tile for a figure of ``metrics.citistat.compute``'s details."""
    status = tile_status(detail)
    value = format_value(detail["value"], detail["unit"], detail.get("reason"))
    change = format_change(detail["value"], detail.get("previous"), detail["unit"])
    return dcc.Link(
        [
            html.Div(detail["label"], className="small text-uppercase"),
            html.Div(value, className="tile-value"),
            html.Div(change, className="tile-change"),
            html.Div(target_text(detail, status), className="tile-change"),
        ],
        href=href,
        id=f"overview-tile-{name}",
        className=f"tile tile-{status} card p-2 h-100",
    )


def make_tiles(details: dict[str, dict[str, Any]], hrefs: dict[str, str]) -> dbc.Row:
    """Lay out the six headline tiles in one responsive row."""
    return dbc.Row(
        [
            dbc.Col(make_tile(name, details[name], hrefs[name]), xs=6, md=4, xl=2)
            for name in TILES
        ],
        className="g-2",
    )
