"""The department scorecard's rows and sparklines."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.components.scorecard import SCORECARD_METRICS, scorecard_rows, sparkline


def test_sparkline_scales_to_maximum():
    assert sparkline([0, 5, 10]) == "▁▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


def _details(value, reason=None):
    return {
        name: {
            "value": value,
            "unit": "fraction" if "rate" in name else "cases",
            "reason": reason,
        }
        for name in SCORECARD_METRICS
    }


def test_rows_show_insufficient_data_and_trend():
    rows = [
        {"department": "SAN", "details": _details(None, "insufficient data")},
        {"department": None, "details": _details(1)},
    ]
    weeks = [date(2026, 11, 2), date(2026, 11, 9)]
    weekly = pd.DataFrame(
        {"department": ["SAN"], "week": [date(2026, 11, 9)], "received": [4]}
    )
    table = scorecard_rows(rows, weekly, weeks, {"SAN": "Sanitation"})
    assert len(table) == 1
    assert table[0]["name"] == "Sanitation"
    assert table[0]["on_time_rate"] == "insufficient data"
    assert table[0]["trend"] == "▁█"
