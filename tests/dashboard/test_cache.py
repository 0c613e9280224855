"""The result cache: least recently used eviction and copies on the way out."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.cache import ResultCache


def test_cache_computes_once():
    cache = ResultCache(4)
    calls = []
    for _ in range(3):
        cache.get_or_compute("k", lambda: calls.append(1) or 7)
    assert len(calls) == 1
    assert (cache.hits, cache.misses) == (2, 1)


def test_cache_evicts_least_recent():
    cache = ResultCache(2)
    cache.get_or_compute("a", lambda: 1)
    cache.get_or_compute("b", lambda: 2)
    cache.get_or_compute("a", lambda: 1)  # a is now the most recent
    cache.get_or_compute("c", lambda: 3)  # evicts b
    assert cache.get_or_compute("a", lambda: "recomputed") == 1
    assert cache.get_or_compute("b", lambda: "recomputed") == "recomputed"


def test_cache_returns_copies():
    cache = ResultCache(2)
    frame = cache.get_or_compute("f", lambda: pd.DataFrame({"x": [1, 2]}))
    frame.loc[0, "x"] = 99
    assert cache.get_or_compute("f", lambda: None)["x"].tolist() == [1, 2]


def test_cache_size_checked():
    with pytest.raises(ValueError, match="cache size 0"):
        ResultCache(0)


def test_cache_lookup_reports_miss_and_hit():
    cache = ResultCache(2)
    assert cache.lookup("k") == (False, None)
    cache.get_or_compute("k", lambda: [1])
    found, value = cache.lookup("k")
    assert found
    assert value == [1]
    value.append(2)
    assert cache.lookup("k") == (True, [1])
