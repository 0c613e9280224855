"""CSV exports never hand a spreadsheet a formula taken from imported text."""

from __future__ import annotations

import pandas as pd

from dashboard.exports import defuse_formulas


def test_formula_cells_get_a_quote():
    frame = pd.DataFrame(
        {
            "service_type": ['=HYPERLINK("http://x.example")', "Pothole", None],
            "district": ["@SUM(1+1)", "-2", "+1"],
            "longitude": [-75.5, -75.6, None],
        }
    )
    safe = defuse_formulas(frame)
    assert list(safe["service_type"][:2]) == [
        '\'=HYPERLINK("http://x.example")',
        "Pothole",
    ]
    assert pd.isna(safe["service_type"][2])
    assert list(safe["district"]) == ["'@SUM(1+1)", "'-2", "'+1"]
    assert list(safe["longitude"][:2]) == [-75.5, -75.6]


def test_frame_without_formulas_is_unchanged():
    frame = pd.DataFrame({"case_number": ["26-000001-9"], "district": ["3"]})
    pd.testing.assert_frame_equal(defuse_formulas(frame), frame)
