"""Pull service requests from an Open311 GeoReport v2 server (``GET requests.json``).

The pull walks windows of at most 90 days (the span GeoReport v2 servers
accept) from the start day to now; the newest window ends at the moment the
pull started, so a later pull from the same start picks up what came after.
A server that honours ``updated_after`` (probed once) is walked by update
time, which also brings back older requests that changed; otherwise windows
use ``start_date``/``end_date`` on the request time.

Inside a window the pull asks for ``page``/``page_size`` pages while a page
comes back full. A server that ignores paging returns the first page again,
or caps every answer (commonly at 50 requests); both show up as a full page
with no new ids, and the window is split in half instead.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from cases.quality import CLOSED_BEFORE_CREATED, UNREADABLE_TEXT, ZERO_COORDINATES
from etl.sources.chunk import CONTROL_PATTERN
from etl.sources.open311_fields import parse_instant, read_float, slug
from etl.sources.record import RejectedRow, SourceRecord

log = logging.getLogger(__name__)

_CONTROL = re.compile(CONTROL_PATTERN)
MAX_WINDOW = timedelta(days=90)
DEFAULT_LOOKBACK = timedelta(days=90)
# The result count at which common servers cap a response that is not paged.
COMMON_CAP = 50
# Below this a window is not split further; a full page there is logged as
# possibly incomplete.
MIN_WINDOW = timedelta(minutes=1)
RETRY_STATUSES = (500, 502, 503, 504)


class Open311Error(RuntimeError):
    """A server that cannot be read: the message names the URL and what failed."""


def make_session(retries: int, backoff: float) -> requests.Session:
    """Return a session that retries timeouts, connection errors and 5xx responses.

    urllib3 waits ``backoff * 2 ** (attempt - 1)`` seconds between attempts and
    gives up after ``retries`` retries.
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["Accept"] = "application/json"
    return session


@dataclass
class PullStats:
    requests: int = 0
    windows: int = 0
    splits: int = 0
    repeats: int = 0
    paging: bool | None = None  # None until a full page showed whether it pages


@dataclass
class Open311Puller:
    """Read one GeoReport v2 endpoint (the URL that ``requests.json`` hangs off).

    ``zone`` reads times without an offset as city-local time.
    """

    base_url: str
    page_size: int = 100
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    jurisdiction_id: str | None = None
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    stats: PullStats = field(default_factory=PullStats)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.base_url.endswith("requests.json"):
            self.base_url = self.base_url.rsplit("/", 1)[0]
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Open311Error(
                f"{self.base_url!r} is not an http(s) URL; give the server's "
                "GeoReport v2 endpoint, such as https://example.org/open311/v2"
            )
        self.session = make_session(self.retries, self.backoff)
        self._row = 0

    @property
    def source(self) -> str:
        return f"open311:{urlsplit(self.base_url).netloc}"

    @property
    def requests_url(self) -> str:
        return f"{self.base_url}/requests.json"

    def pull(
        self, since: date | None, now: datetime
    ) -> Iterator[SourceRecord | RejectedRow]:
        """Yield every request from ``since`` (default 90 days ago) up to ``now``."""
        start = (
            datetime.combine(since, datetime.min.time(), tzinfo=UTC)
            if since
            else now - DEFAULT_LOOKBACK
        )
        by_update = self.supports_updated_after(now)
        log.info(
            "pulling %s from %s to %s by %s time",
            self.requests_url,
            start.isoformat(),
            now.isoformat(),
            "update" if by_update else "request",
        )
        seen: set[str] = set()
        window_start = start
        while window_start < now:
            window_end = min(window_start + MAX_WINDOW, now)
            for item in self._window(window_start, window_end, by_update):
                yield from self._convert(item, seen)
            window_start = window_end
        log.info(
            "pulled %s: %d requests made, %d windows, %d splits, %d repeated ids",
            self.source,
            self.stats.requests,
            self.stats.windows,
            self.stats.splits,
            self.stats.repeats,
        )

    def supports_updated_after(self, now: datetime) -> bool:
        """Tell whether the server filters by ``updated_after``.

        Asks for requests updated after ``now``: a server that filters returns
        none, one that ignores the parameter returns its usual list.
        """
        probe = self._get({"updated_after": _iso(now + timedelta(days=1))})
        return len(probe) == 0

    def _window(
        self, start: datetime, end: datetime, by_update: bool
    ) -> Iterator[dict[str, Any]]:
        """Yield a window's requests, paging or splitting as the server needs."""
        self.stats.windows += 1
        if by_update:
            params = {"updated_after": _iso(start), "updated_before": _iso(end)}
        else:
            params = {"start_date": _iso(start), "end_date": _iso(end)}
        full_at = min(self.page_size, COMMON_CAP)
        if self.stats.paging is False:
            first = self._get(params)
            if len(first) >= full_at and end - start > MIN_WINDOW:
                yield from self._split(start, end, by_update)
            else:
                yield from first
            return
        window_ids: set[str] = set()
        page = 1
        while True:
            items = self._get(params | {"page": page, "page_size": self.page_size})
            fresh = [i for i in items if _identity(i) not in window_ids]
            if page > 1 and items and not fresh:
                # The same response again: the server ignores paging.
                self.stats.paging = False
                yield from self._split(start, end, by_update, window_ids)
                return
            for item in fresh:
                window_ids.add(_identity(item))
            yield from fresh
            if len(items) < full_at:
                return
            if page > 1:
                self.stats.paging = True
            page += 1

    def _split(
        self,
        start: datetime,
        end: datetime,
        by_update: bool,
        already: set[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        if end - start <= MIN_WINDOW:
            log.warning(
                "%s returned a full page for %s to %s, which cannot be split "
                "further; requests in it may be missing",
                self.source,
                _iso(start),
                _iso(end),
            )
            return
        self.stats.splits += 1
        middle = start + (end - start) / 2
        for half in ((start, middle), (middle, end)):
            for item in self._window(*half, by_update):
                if already is None or _identity(item) not in already:
                    yield item

    def _get(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.jurisdiction_id:
            params = params | {"jurisdiction_id": self.jurisdiction_id}
        self.stats.requests += 1
        url = self.requests_url
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise Open311Error(
                f"GET {url} failed after {self.retries} retries: {error}; "
                "check that the server is up and the URL is right"
            ) from error
        if response.status_code != 200:
            raise Open311Error(
                f"GET {response.url} returned HTTP {response.status_code}: "
                f"{response.text[:200]!r}"
            )
        try:
            payload = response.json()
        except ValueError:
            raise Open311Error(
                f"GET {response.url} did not return JSON: {response.text[:200]!r}"
            ) from None
        if not isinstance(payload, list):
            raise Open311Error(
                f"GET {response.url} returned {type(payload).__name__}, not the "
                "list of requests GeoReport v2 specifies"
            )
        return payload

    def _convert(
        self, item: dict[str, Any], seen: set[str]
    ) -> Iterator[SourceRecord | RejectedRow]:
        self._row += 1
        identity = _identity(item)
        if identity in seen:
            self.stats.repeats += 1
            return
        seen.add(identity)
        try:
            yield to_record(item, self._row, self.source, self.zone)
        except ValueError as error:
            yield RejectedRow(self._row, str(error), json.dumps(item, sort_keys=True))


def _identity(item: dict[str, Any]) -> str:
    """Return the request's id, ``token:<token>`` without one, or its JSON text."""
    request_id = item.get("service_request_id")
    if request_id not in (None, ""):
        return str(request_id)
    token = item.get("token")
    if token not in (None, ""):
        return f"token:{token}"
    return json.dumps(item, sort_keys=True)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_record(
    item: dict[str, Any], row_number: int, source: str, zone: ZoneInfo
) -> SourceRecord:
    """Map one GeoReport v2 request to a SourceRecord; raise ValueError if unusable.

    GeoReport v2 has no closing time, so a closed request's ``updated_datetime``
    is used as its closing time. A request known only by its token (not yet given an id)
    gets the external id ``token:<token>``.
    """
    request_id = item.get("service_request_id")
    token = item.get("token")
    if request_id in (None, "") and token in (None, ""):
        raise ValueError("request has neither service_request_id nor token")
    external_id = str(request_id) if request_id not in (None, "") else f"token:{token}"

    created = parse_instant(item.get("requested_datetime"), "requested_datetime", zone)
    if created is None:
        raise ValueError("requested_datetime is missing")
    updated = parse_instant(item.get("updated_datetime"), "updated_datetime", zone)
    due = parse_instant(item.get("expected_datetime"), "expected_datetime", zone)
    status_text = str(item.get("status") or "").strip().lower()
    if status_text not in ("open", "closed"):
        raise ValueError(f"status {item.get('status')!r} is neither open nor closed")
    closed = status_text == "closed"

    service_name = str(item.get("service_name") or "").strip()
    service_code = str(item.get("service_code") or "").strip() or slug(service_name)
    agency = str(item.get("agency_responsible") or "").strip()
    latitude = read_float(item.get("lat"), "lat")
    longitude = read_float(item.get("long"), "long")
    flags = set()
    if latitude == 0.0 and longitude == 0.0:
        flags.add(ZERO_COORDINATES)
    if closed and updated is not None and updated < created:
        flags.add(CLOSED_BEFORE_CREATED)
    description = str(item.get("description") or "")
    notes = str(item.get("status_notes") or "")
    address = str(item.get("address") or "").strip() or None
    texts = (service_name, service_code, agency, description, notes, address or "")
    if any(_CONTROL.search(text) for text in texts):
        flags.add(UNREADABLE_TEXT)
    return SourceRecord(
        row_number=row_number,
        source=source,
        external_id=external_id,
        service_code=service_code,
        service_name=service_name or service_code,
        department_code=slug(agency).upper() if agency else "",
        department_name=agency,
        status="closed" if closed else "new",
        source_status=status_text,
        created_at=created,
        closed_at=(updated or created) if closed else None,
        updated_at=updated,
        due_at=due,
        description=description,
        resolution_notes=notes,
        address=address,
        latitude=latitude,
        longitude=longitude,
        flags=flags,
    )
