"""The rule for dashboard requests that anyone may make without logging in.

A login check (a ``before_request`` hook) calls ``is_public_callback`` with the
JSON body of a ``POST /_dash-update-component``. A callback is public when
every output id (or the ``type`` key of a pattern-matching id) starts with
``public-``, or when it is Dash's page router
rendering a public page: the router's outputs are ``_pages_content`` and
``_pages_store``, and its ``pathname`` input names the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PUBLIC_PREFIX = "public-"
PUBLIC_PAGES = frozenset({"/public"})
ROUTER_OUTPUTS = frozenset({"_pages_content", "_pages_store"})
ROUTER_LOCATION = "_pages_location"


def _output_ids(body: dict[str, Any]) -> list[str]:
    outputs = body.get("outputs")
    items: Iterable[Any] = outputs if isinstance(outputs, list) else [outputs]
    ids = []
    for item in items:
        if not isinstance(item, dict):
            return []
        ident = item.get("id")
        if isinstance(ident, dict):
            # A pattern-matching id is public by its "type" key.
            ident = ident.get("type")
        ids.append(ident if isinstance(ident, str) else "")
    return ids


def _router_path(body: dict[str, Any]) -> str | None:
    """Return the path the page router would draw, or None for any other shape.

    Dash hands a callback its inputs by position, so the pathname must be the
    first input, and any input from another component (which would take its
    place) or any state makes the request something other than the router.
    """
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or not inputs or body.get("state"):
        return None
    if any(not isinstance(i, dict) or i.get("id") != ROUTER_LOCATION for i in inputs):
        return None
    first = inputs[0]
    if first.get("property") != "pathname" or not isinstance(first.get("value"), str):
        return None
    return first["value"]


def is_public_callback(body: dict[str, Any] | None) -> bool:
    """Tell whether a Dash callback request may run for an anonymous user."""
    if not isinstance(body, dict):
        return False
    ids = _output_ids(body)
    if not ids:
        return False
    if all(ident.startswith(PUBLIC_PREFIX) for ident in ids):
        return True
    if set(ids) == ROUTER_OUTPUTS:
        path = _router_path(body)
        return path is not None and path.rstrip("/") in PUBLIC_PAGES
    return False
