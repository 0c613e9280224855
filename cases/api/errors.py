"""Open311 error responses: a list of ``{code, description}`` in JSON or XML."""

from __future__ import annotations

import logging

from flask import Response

from cases.api.render import render

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error returned as the Open311 error body and the HTTP status ``code``."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def error_response(code: int, description: str, fmt: str = "json") -> Response:
    body = [{"code": code, "description": description}]
    return render(body, fmt, root="errors", item="error", status=code)
