"""GeoReport v2 servers for the pull tests, shaped like real ones' behaviour."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from werkzeug import Request, Response

PATH = "/open311/v2/requests.json"
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


def make_requests(count: int, days: int = 60) -> list[dict]:
    """Invented requests spread evenly over the ``days`` before NOW."""
    items = []
    step = timedelta(days=days) / count
    for i in range(count):
        requested = NOW - timedelta(days=days) + step * i
        closed = i % 3 == 0
        items.append(
            {
                "service_request_id": f"R{i:04d}",
                "status": "closed" if closed else "open",
                "status_notes": "Crew repaired it" if closed else None,
                "service_name": "Pothole" if i % 2 else "Street light out",
                "service_code": "POTHOLE" if i % 2 else "LIGHT",
                "description": "Synthetic test request",
                "agency_responsible": "Public Works",
                "requested_datetime": requested.isoformat(),
                "updated_datetime": (requested + timedelta(hours=5)).isoformat(),
                "expected_datetime": (requested + timedelta(days=3)).isoformat(),
                "address": f"{100 + i} Test St",
                "lat": 39.74 + i * 1e-5,
                "long": -75.55,
            }
        )
    return items


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def in_window(items: list[dict], args, field: str, low: str, high: str) -> list[dict]:
    start, end = _instant(args.get(low)), _instant(args.get(high))
    chosen = []
    for item in items:
        moment = _instant(item[field])
        if start and moment < start:
            continue
        if end and moment >= end:
            continue
        chosen.append(item)
    return chosen


def json_response(payload) -> Response:
    return Response(json.dumps(payload), content_type="application/json")


def paging_server(items: list[dict], with_updated_after: bool = False):
    """Filter by date window and page with page/page_size (default 50 per page)."""

    def handle(request: Request) -> Response:
        args = request.args
        if with_updated_after and "updated_after" in args:
            chosen = in_window(
                items, args, "updated_datetime", "updated_after", "updated_before"
            )
        else:
            chosen = in_window(
                items, args, "requested_datetime", "start_date", "end_date"
            )
        size = int(args.get("page_size", 50))
        page = int(args.get("page", 1))
        return json_response(chosen[(page - 1) * size : page * size])

    return handle


def capped_server(items: list[dict], cap: int = 50):
    """Filter by date window, ignore page/page_size, return at most ``cap``."""

    def handle(request: Request) -> Response:
        chosen = in_window(
            items, request.args, "requested_datetime", "start_date", "end_date"
        )
        return json_response(chosen[:cap])

    return handle


def slow(handler, seconds: float, times: int | None = None):
    """Wait ``seconds`` before answering the first ``times`` requests (every
    request when None), then delegate to ``handler``; a client with a shorter
    read timeout gives up on those answers."""
    calls = {"count": 0}

    def handle(request: Request) -> Response:
        calls["count"] += 1
        if times is None or calls["count"] <= times:
            time.sleep(seconds)
        return handler(request)

    handle.calls = calls
    return handle


def failing_once(handler):
    """Answer HTTP 500 to the first request, then delegate to ``handler``."""
    calls = {"count": 0}

    def handle(request: Request) -> Response:
        calls["count"] += 1
        if calls["count"] == 1:
            return Response("temporarily unavailable", status=500)
        return handler(request)

    handle.calls = calls
    return handle
