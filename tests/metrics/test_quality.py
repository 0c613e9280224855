from __future__ import annotations

from metrics import quality


def test_counts(con, november):
    row = quality.counts(con, november).iloc[0]
    assert row["flagged_cases"] == 1  # G
    assert row["duration_flagged_cases"] == 1


def test_flags_by_source(con, november):
    frame = quality.flags_by_source(con, november)
    assert frame.to_dict("records") == [
        {"flag": "closed_before_created", "source": "legacy", "cases": 1}
    ]
