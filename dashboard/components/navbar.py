"""Page headers: the staff navigation bar and the public page's banner."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

STAFF_LINKS = (
    ("overview", "CitiStat overview", "/"),
    ("cases", "Cases", "/cases"),
    ("quality", "Data quality", "/quality"),
    ("public", "Public page", "/public"),
)


def staff_navbar(active: str, city_name: str) -> dbc.Navbar:
    """Build the staff navigation bar with ``active`` marked as the current page."""
    links = [
        dbc.NavItem(dbc.NavLink(label, href=href, active=key == active))
        for key, label, href in STAFF_LINKS
    ]
    return dbc.Navbar(
        dbc.Container(
            [dbc.NavbarBrand(f"{city_name} 311 CitiStat"), dbc.Nav(links, navbar=True)],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
    )


def public_banner(city_name: str) -> html.Header:
    """Build the public page's header; it links to nothing that needs a login."""
    return html.Header(
        dbc.Container(
            [
                html.Div(f"{city_name}", className="small", id="public-city"),
                html.Div(
                    "311 service requests: how the city is doing",
                    className="h4 mb-0",
                    id="public-banner-title",
                ),
            ],
            fluid=True,
        ),
        className="bg-dark text-white py-3 mb-3",
        id="public-header",
    )
