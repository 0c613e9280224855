"""Page headers: the staff navigation bar and the public page's banner."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.web.guard import CONSOLE_ROLES, QUEUE_ROLES

STAFF_LINKS = (
    ("overview", "CitiStat overview", "/"),
    ("cases", "Cases", "/cases"),
    ("quality", "Data quality", "/quality"),
    ("public", "Public page", "/public"),
)
# The staff HTML pages outside Dash, with the roles that may open them.
WORK_LINKS = (
    ("Work queue", "/queue", QUEUE_ROLES),
    ("Agent console", "/console", CONSOLE_ROLES),
)


def staff_navbar(
    active: str, city_name: str, user=None, csrf_token: str | None = None
) -> dbc.Navbar:
    """Build the staff navigation bar with ``active`` marked as the current page.

    ``user`` (anything with ``username``, ``role`` and ``department``) adds the
    links that role may follow, the user's name and a log-out button, which
    posts ``csrf_token`` to ``/logout`` like the staff pages' button does.
    """
    links = [
        dbc.NavItem(dbc.NavLink(label, href=href, active=key == active))
        for key, label, href in STAFF_LINKS
    ]
    if user is not None:
        links += [
            dbc.NavItem(dbc.NavLink(label, href=href, external_link=True))
            for label, href, roles in WORK_LINKS
            if user.role in roles
        ]
    items = [dbc.NavbarBrand(f"{city_name} 311 CitiStat"), dbc.Nav(links, navbar=True)]
    if user is not None:
        items.append(_account(user, csrf_token or ""))
    return dbc.Navbar(
        dbc.Container(items, fluid=True),
        color="dark",
        dark=True,
        className="mb-3",
    )


def _account(user, csrf_token: str) -> html.Form:
    """Build the signed-in user's name and role, and the log-out button."""
    scope = f", {user.department}" if user.department else ""
    return html.Form(
        [
            html.Span(
                f"{user.username} ({user.role}{scope})",
                className="text-light small me-2",
                id="navbar-user",
            ),
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token),
            html.Button(
                "Log out",
                type="submit",
                className="btn btn-outline-light btn-sm",
                id="navbar-logout",
            ),
        ],
        action="/logout",
        method="POST",
        className="d-flex align-items-center ms-auto",
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
