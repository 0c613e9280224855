"""Metric calls from callbacks: a cursor on the current snapshot, and the cache.

``WarehouseReader.call(func, *args)`` runs ``func(connection, *args)`` once
per snapshot version and arguments; the next call after the ETL publishes a
new snapshot runs it again on the new one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dashboard.cache import ResultCache
from dashboard.warehouse import SnapshotPool

log = logging.getLogger(__name__)


class NotCachedError(LookupError):
    """A call inside ``WarehouseReader.cached_only`` has no cached result."""


class WarehouseReader:
    def __init__(self, pool: SnapshotPool, cache: ResultCache) -> None:
        self.pool = pool
        self.cache = cache
        self._local = threading.local()

    @contextmanager
    def cached_only(self) -> Iterator[None]:
        """Make this thread's calls raise NotCachedError instead of querying."""
        self._local.cached_only = True
        try:
            yield
        finally:
            self._local.cached_only = False

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Return ``func(connection, *args, **kwargs)`` from the cache or the warehouse.

        Arguments are part of the key through their ``repr``, so they must
        have a stable one (dataclasses, tuples, dates and strings do).
        """
        version = self.pool.version()
        name = f"{func.__module__}.{func.__qualname__}"
        key = (version, name, repr(args), repr(sorted(kwargs.items())))

        def compute() -> Any:
            started = time.perf_counter()
            with self.pool.cursor(version) as connection:
                result = func(connection, *args, **kwargs)
            log.debug(
                "%s on snapshot %s: %.1f ms",
                name,
                version,
                (time.perf_counter() - started) * 1000,
            )
            return result

        if getattr(self._local, "cached_only", False):
            found, value = self.cache.lookup(key)
            if not found:
                raise NotCachedError(f"{name} is not cached for snapshot {version}")
            return value
        return self.cache.get_or_compute(key, compute)
