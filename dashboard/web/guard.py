"""The login guard: a ``before_request`` hook in front of every staff path.

Staff paths are the dashboard pages (``/``, ``/department/...``, ``/cases...``,
``/quality``), the meeting packet ``/packet.pdf`` (it lists overdue cases),
``/console``, ``/queue`` and Dash's callback endpoint
``/_dash-update-component``, except callbacks that ``dashboard.access`` deems
public (outputs with ids starting ``public-``, and the page router drawing
``/public``). Everything else (``/public``, ``/request``,
``/status``, ``/login``, static files, Dash's own assets, Open311) stays open.
"""

from __future__ import annotations

from flask import g, jsonify, redirect, request, url_for

from cases.roles import ADMIN, AGENT, HEAD, MAYOR, STAFF
from dashboard.access import is_public_callback

DASH_CALLBACK = "/_dash-update-component"
STAFF_PREFIXES = ("/department/", "/cases", "/console", "/queue")
STAFF_EXACT = ("/", "/quality", "/packet.pdf")
QUEUE_ROLES = frozenset({STAFF, HEAD, MAYOR, ADMIN})
CONSOLE_ROLES = frozenset({AGENT, STAFF, HEAD, MAYOR, ADMIN})


def is_staff_path(path: str) -> bool:
    if path in STAFF_EXACT or path == DASH_CALLBACK:
        return True
    return any(
        path == prefix.rstrip("/") or path.startswith(prefix)
        for prefix in STAFF_PREFIXES
    )


def require_login():
    """Send anonymous requests for staff paths to the login page (401 for callbacks)."""
    if not is_staff_path(request.path) or g.user is not None:
        return None
    if request.path == DASH_CALLBACK:
        if is_public_callback(request.get_json(silent=True)):
            return None
        return jsonify({"error": "login required"}), 401
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
