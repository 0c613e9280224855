"""Headline tiles: status against the target and the text they show."""

from __future__ import annotations

from dashboard.components.tiles import make_tile, target_text, tile_status


def detail(value, previous=None, target=None, score=None, unit="fraction", reason=None):
    return {
        "label": "On-time rate",
        "unit": unit,
        "value": value,
        "previous": previous,
        "target": target,
        "score": score,
        "reason": reason,
    }


def texts(component) -> list[str]:
    return [child.children for child in component.children]


def test_status_from_score():
    assert tile_status(detail(0.9, target=0.85, score=0.9 / 0.85)) == "good"
    assert tile_status(detail(0.7, target=0.85, score=0.7 / 0.85)) == "bad"
    assert tile_status(detail(0.7)) == "neutral"


def test_target_text():
    assert target_text(detail(0.9, target=0.85), "good") == "meets target 85%"
    assert target_text(detail(0.9), "neutral") == "no target set"


def test_tile_shows_value_change_and_link():
    tile = make_tile("on_time_rate", detail(0.73, 0.8, 0.85, 0.86), "/cases?x=1")
    assert tile.href == "/cases?x=1"
    assert tile.id == "overview-tile-on_time_rate"
    assert "tile-bad" in tile.className
    assert texts(tile) == [
        "On-time rate",
        "73%",
        "▼ 7.0 points vs previous period",
        "misses target 85%",
    ]


def test_tile_shows_reason_for_missing_value():
    tile = make_tile("on_time_rate", detail(None, reason="insufficient data"), "/")
    assert texts(tile)[1] == "insufficient data"
