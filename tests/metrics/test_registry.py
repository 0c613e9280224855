from __future__ import annotations

import importlib

from metrics.citistat import FAMILIES
from metrics.registry import DISTRIBUTIONS, HEADLINE, METRICS

CONTRACT_NAMES = (
    "received",
    "closed",
    "time_to_close_median_hours",
    "time_to_close_p90_hours",
    "first_response_median_hours",
    "on_time_rate",
    "overdue_open",
    "open_backlog",
    "clearance_rate",
    "resolution_rate",
    "reopen_rate",
    "duplicate_share",
)


def test_headline_names_match_contract():
    assert HEADLINE == CONTRACT_NAMES


def test_headline_names_match_city_targets():
    from cases.city import TARGET_METRICS

    assert set(HEADLINE) == set(TARGET_METRICS)


def test_every_metric_has_a_family():
    for metric in METRICS.values():
        assert metric.family in FAMILIES, metric.name
        assert metric.direction in ("higher", "lower", "neutral"), metric.name
        assert metric.definition.endswith("."), metric.name


def test_rates_are_bounded():
    bounded = {m.name for m in METRICS.values() if m.bounded}
    assert bounded == {
        "on_time_rate",
        "resolution_rate",
        "reopen_rate",
        "duplicate_share",
    }


def test_distribution_functions_exist():
    for distribution in DISTRIBUTIONS.values():
        module, _, name = distribution.function.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name))
