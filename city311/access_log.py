"""The development server's access log, without query strings.

Query strings can carry an Open311 ``api_key``, a resident's e-mail or phone
number (Open311 clients may send POST fields there) or a phone number searched
in the agent console. The access log keeps the method, path, status and size.
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

HIDDEN_QUERY = "?[query hidden]"


class PathOnlyRequestHandler(WSGIRequestHandler):
    """Write access log lines with the query string replaced by a marker."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None)
        if path is None or "?" not in path:
            super().log_request(code, size)
            return
        self.path = path.split("?", 1)[0] + HIDDEN_QUERY
        try:
            super().log_request(code, size)
        finally:
            self.path = path
