"""The cache warm-up: default views computed per snapshot version, off requests."""

from __future__ import annotations

import threading

import flask
import pytest

from dashboard.runtime import runtime
from dashboard.warmup import CacheWarmer, page_views
from tests.dashboard.conftest import build_server


def test_warmer_runs_views_once_per_version(caplog):
    server = flask.Flask("warm-test")
    versions = ["v1"]
    calls: list[str] = []
    second = threading.Event()

    def view(label):
        def load():
            calls.append(f"{versions[0]}:{label}")
            if versions[0] == "v2" and label == "b":
                second.set()

        return load

    def broken():
        raise RuntimeError("view failed")

    warmer = CacheWarmer(
        server,
        lambda: versions[0],
        lambda: [("a", view("a")), ("broken", broken), ("b", view("b"))],
        interval=0.01,
    )
    caplog.set_level("INFO", logger="dashboard.warmup")
    warmer.start()
    try:
        assert warmer.done.wait(10)
        versions[0] = "v2"
        assert second.wait(10)
    finally:
        warmer.stop(10)
    assert calls[:4] == ["v1:a", "v1:b", "v2:a", "v2:b"]
    assert "cache warm-up of broken failed" in caplog.text
    assert "finished: 3 views (1 failed)" in caplog.text


def test_warmer_survives_failing_view_list(caplog):
    server = flask.Flask("warm-retry-test")
    attempts: list[int] = []
    loaded = threading.Event()

    def views():
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("segment file missing")
        return [("a", loaded.set)]

    warmer = CacheWarmer(server, lambda: "v1", views, interval=0.01)
    caplog.set_level("INFO", logger="dashboard.warmup")
    warmer.start()
    try:
        assert warmer.done.wait(10)
    finally:
        warmer.stop(10)
    assert loaded.is_set()
    assert len(attempts) == 2
    assert "cache warm-up of snapshot v1 failed; retrying" in caplog.text
    assert "segment file missing" in caplog.text
    assert warmer.warmed == "v1"


def test_first_request_warms_default_views(tmp_path, warehouse_file):
    server = build_server(tmp_path, warehouse_file)
    rt = runtime(server)
    assert rt.warmer is not None and not rt.warmer.done.is_set()
    server.test_client().get("/public")
    try:
        assert rt.warmer.done.wait(60)
    finally:
        rt.warmer.stop(10)
    with server.app_context():
        views = page_views()
        labels = [label for label, _ in views]
        misses = rt.reader.cache.misses
        for _, load in views:
            load()
    assert {"overview tiles", "overview charts", "public page"} <= set(labels)
    assert any(label.startswith("department ") for label in labels)
    assert rt.reader.cache.misses == misses


@pytest.mark.parametrize("path", ["/", "/public"])
def test_pages_render_with_warm_up_off(tmp_path, warehouse_file, path):
    from city311.app import AppContext
    from city311.settings import load_settings
    from dashboard.app import create_dash_app
    from tests.dashboard import scenario
    from tests.dashboard.conftest import VERSION, file_opener

    settings = load_settings({"data_dir": str(tmp_path)}, environ={})
    context = AppContext(settings)
    server = flask.Flask("warm-off")
    server.extensions["city311"] = context
    create_dash_app(
        server,
        context,
        opener=file_opener(warehouse_file),
        versioner=lambda s: VERSION,
        clock=lambda: scenario.CLOCK,
        warm_cache=False,
    )
    assert runtime(server).warmer is None
    assert server.test_client().get(path).status_code == 200
