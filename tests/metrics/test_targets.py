from __future__ import annotations

import pytest

from cases.city import load_city
from metrics.targets import score, target_for


@pytest.fixture(scope="module")
def wilmington():
    return load_city("wilmington")


def test_target_city_wide(wilmington):
    assert target_for(wilmington, "on_time_rate") == 0.85


def test_target_department_override(wilmington):
    assert target_for(wilmington, "open_backlog", "PW") == 400
    assert target_for(wilmington, "open_backlog") is None


def test_target_unknown_department(wilmington):
    assert target_for(wilmington, "on_time_rate", "BOSTON-PWD") == 0.85


def test_target_extra_figure(wilmington):
    assert target_for(wilmington, "time_to_close_mean_hours") is None


def test_target_without_city():
    assert target_for(None, "on_time_rate") is None


@pytest.mark.parametrize(
    ("name", "value", "target", "expected"),
    [
        ("on_time_rate", 0.68, 0.85, (0.8, None)),
        ("time_to_close_median_hours", 60.0, 120.0, (2.0, None)),
        ("overdue_open", 0, 40, (None, "actual is zero")),
        ("on_time_rate", 0.5, 0.0, (None, "target is zero")),
        ("received", 10, 5, (None, "no better direction")),
        ("on_time_rate", None, 0.85, (None, "no value")),
        ("on_time_rate", 0.5, None, (None, "no target")),
    ],
)
def test_score(name, value, target, expected):
    result, reason = score(name, value, target)
    assert reason == expected[1]
    assert result == pytest.approx(expected[0]) if expected[0] else result is None
