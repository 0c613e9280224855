"""A small least-recently-used cache of metric results keyed by snapshot version.

Keys start with the snapshot version, so a result computed from one snapshot
is never served for another; entries of old versions age out as new ones
arrive. Values are copied on the way out, so a caller that changes a frame
does not change the cached one.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ResultCache:
    """Thread-safe LRU mapping with a fixed number of entries."""

    def __init__(self, max_entries: int = 512) -> None:
        if max_entries < 1:
            raise ValueError(f"cache size {max_entries} must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Return the cached value of ``key``, computing and storing it on a miss.

        Two threads missing the same key at once both compute it; the second
        result replaces the first.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return copy.deepcopy(self._entries[key])
            self.misses += 1
        value = compute()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return copy.deepcopy(value)

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """Return ``(True, value)`` for a cached key, else ``(False, None)``."""
        with self._lock:
            if key not in self._entries:
                return False, None
            self._entries.move_to_end(key)
            self.hits += 1
            return True, copy.deepcopy(self._entries[key])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
