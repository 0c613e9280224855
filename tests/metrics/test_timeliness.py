from __future__ import annotations

from datetime import date

import pytest

from metrics import timeliness
from metrics.filters import Filters


def test_closures_durations(con, november):
    row = timeliness.closures(con, november).iloc[0]
    # A 25 (DST), B 96, C 54, D 144 (final closure), F 1, I 4 minutes, L 48,
    # M 24; E (duplicate) and G (closed before created) are left out.
    assert row["n_durations"] == 8
    assert row["time_to_close_median_hours"] == pytest.approx(36.5, abs=1e-9)
    assert row["time_to_close_p90_hours"] == pytest.approx(110.4, abs=1e-9)
    assert row["time_to_close_mean_hours"] == pytest.approx(
        (25 + 96 + 54 + 144 + 1 + 4 / 60 + 48 + 24) / 8, abs=1e-9
    )


def test_closures_dst_case(con):
    one_day = Filters(date(2026, 11, 1), date(2026, 11, 1))
    row = timeliness.closures(con, one_day).iloc[0]
    assert row["time_to_close_median_hours"] == 25.0


def test_closures_on_time(con, november):
    row = timeliness.closures(con, november).iloc[0]
    # Due and unflagged: A, B, C, D, E, I, L, M; late: B and D.
    assert row["n_with_due"] == 8
    assert row["on_time_rate"] == 0.75


def test_closures_holiday_due(con):
    day = Filters(date(2026, 11, 12), date(2026, 11, 12), service_types="signal")
    row = timeliness.closures(con, day).iloc[0]
    assert row["n_with_due"] == 2  # C and I
    assert row["on_time_rate"] == 1.0


def test_closures_resolution_reopen(con, november):
    row = timeliness.closures(con, november).iloc[0]
    assert row["n_closed_cases"] == 10
    assert row["n_closed_unique"] == 9
    assert row["resolution_rate"] == 6 / 9
    assert row["reopen_rate"] == 0.1


def test_closures_business_days(con, november):
    row = timeliness.closures(con, november).iloc[0]
    assert row["n_business_days"] == 3
    assert row["business_days_to_close_median"] == 1.0


def test_closures_administrative(con):
    day = Filters(date(2026, 11, 12), date(2026, 11, 12), districts="D2")
    frame = timeliness.closures(con, day, by="service_type")
    assert frame.iloc[0]["time_to_close_median_hours"] == pytest.approx(
        (54 + 4 / 60) / 2, abs=1e-9
    )


def test_closures_by_month(con):
    autumn = Filters(date(2026, 10, 1), date(2026, 12, 31))
    frame = timeliness.closures(con, autumn, by="month").set_index("key")
    assert frame.loc[date(2026, 11, 1), "n_closed_cases"] == 10
    assert frame.loc[date(2026, 12, 1), "n_closed_cases"] == 1  # H


def test_first_response(con, november):
    row = timeliness.first_response(con, november).iloc[0]
    # B 2, C 1, D 24, E 1, F 1, H 1, I 4 min, L 48, M 24; G flagged, J none.
    assert row["n_responses"] == 9
    assert row["first_response_median_hours"] == 1.0


def test_outcomes(con, november):
    frame = timeliness.outcomes(con, november).set_index("outcome")
    assert frame.loc["resolved", "closed"] == 6
    assert frame.loc["duplicate", "closed"] == 1
    assert frame.loc["administrative", "closed"] == 1
    assert frame["closed"].sum() == 10
    assert frame["share"].sum() == pytest.approx(1.0)
