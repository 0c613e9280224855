from __future__ import annotations

import threading

import pytest

from etl.sources.prefetch import prefetch


def test_prefetch_keeps_order():
    assert list(prefetch(iter(range(50)))) == list(range(50))


def test_prefetch_reraises_error():
    def items():
        yield 1
        raise ValueError("broken row")

    stream = prefetch(items())
    assert next(stream) == 1
    with pytest.raises(ValueError, match="broken row"):
        next(stream)


def test_prefetch_stops_worker_on_close():
    stream = prefetch(iter(range(1000)), depth=1)
    assert next(stream) == 0
    stream.close()
    assert not any(thread.name == "prefetch" for thread in threading.enumerate())
