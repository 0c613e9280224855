"""Compute the default views of each new snapshot before a visitor requests them.

``CacheWarmer`` runs one background thread per server process. It starts with
the first request the process serves (so a web server that forks workers gets
one per worker), checks the snapshot version every ``interval`` seconds, and
when the version is new it runs each page's default-view loaders through the
result cache: the overview, every department's page and the public page. A
request never waits for it; a visitor who arrives while it runs computes the
same figures in parallel, as two requests would.
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable

import dash
import flask

log = logging.getLogger(__name__)

View = tuple[str, Callable[[], object]]


def page_views() -> list[View]:
    """Return the default-view loaders the page modules offer.

    A page module that defines ``default_views()`` returns ``(label, loader)``
    pairs; each loader fills the cache entries of that view's callbacks.
    """
    views: list[View] = []
    # A copy: building another Dash app in this process re-registers pages
    # while this runs in the warm-up thread.
    for page in list(dash.page_registry.values()):
        module = sys.modules.get(page["module"])
        offer = getattr(module, "default_views", None)
        if offer is not None:
            views.extend(offer())
    return views


class CacheWarmer:
    """Background computation of the default views, once per snapshot version."""

    def __init__(
        self,
        server: flask.Flask,
        version: Callable[[], str],
        views: Callable[[], Iterable[View]] = page_views,
        interval: float = 10.0,
    ) -> None:
        self.server = server
        self._version = version
        self._views = views
        self.interval = interval
        self.warmed: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.done = threading.Event()

    def start(self) -> None:
        """Start the thread unless it is running; each request calls this."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="city311-cache-warmer", daemon=True
                )
                self._thread.start()
                # A daemon thread still inside a DuckDB query when the
                # interpreter finalizes aborts the process, so exit waits for
                # the current view to finish.
                atexit.register(self.stop, 60)

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                version = self._version()
            except Exception as error:  # no snapshot yet, or an unreadable pointer
                log.debug("cache warm-up waits for a snapshot: %s", error)
            else:
                if version != self.warmed:
                    self._warm_logged(version)
            self._stop.wait(self.interval)

    def _warm_logged(self, version: str) -> None:
        """Warm ``version``, logging any failure so the thread stays alive.

        A failed warm-up leaves ``warmed`` unchanged, so the next check
        retries the same version.
        """
        try:
            self.warm(version)
        except Exception:
            log.exception(
                "cache warm-up of snapshot %s failed; retrying in %.0f s",
                version,
                self.interval,
            )

    def warm(self, version: str) -> None:
        """Run every default-view loader once; log what failed and the duration."""
        started = time.perf_counter()
        log.info("cache warm-up of snapshot %s started", version)
        failed = 0
        with self.server.app_context():
            views = list(self._views())
            for label, load in views:
                if self._stop.is_set():
                    return
                try:
                    load()
                except Exception:
                    failed += 1
                    log.exception("cache warm-up of %s failed", label)
        self.warmed = version
        self.done.set()
        log.info(
            "cache warm-up of snapshot %s finished: %d views (%d failed) in %.1f s",
            version,
            len(views),
            failed,
            time.perf_counter() - started,
        )
