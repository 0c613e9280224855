from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import volume
from metrics.filters import Filters


def _row(frame: pd.DataFrame, key) -> pd.Series:
    return frame.set_index("key").loc[key]


def test_throughput_citywide(con, november):
    row = volume.throughput(con, november).iloc[0]
    assert row["received"] == 11
    assert row["closed"] == 11  # D counts twice, E's merge once, H not yet
    assert row["clearance_rate"] == 1.0
    assert row["duplicate_share"] == 1 / 11


def test_throughput_by_department(con, november):
    frame = volume.throughput(con, november, by="department")
    assert list(frame["key"]) == ["PW", "TR"]
    assert _row(frame, "PW")["received"] == 6
    assert _row(frame, "TR")["received"] == 5  # L counts under its current TR
    assert _row(frame, "PW")["closed"] == 7
    assert _row(frame, "TR")["closed"] == 4  # L closed by TR after its transfer


def test_throughput_filters_department(con, november):
    filters = Filters(november.start, november.end, departments="TR")
    row = volume.throughput(con, filters).iloc[0]
    assert row["received"] == 5
    assert row["closed"] == 4


def test_throughput_filters_type_channel_district(con, november):
    signal = Filters(november.start, november.end, service_types=("signal",))
    web = Filters(november.start, november.end, channels=("web",))
    d2 = Filters(november.start, november.end, districts=("D2",))
    assert volume.throughput(con, signal).iloc[0]["received"] == 4
    assert volume.throughput(con, web).iloc[0]["received"] == 3
    assert volume.throughput(con, d2).iloc[0]["closed"] == 3


def test_throughput_empty_period(con):
    row = volume.throughput(con, Filters(date(2020, 1, 1), date(2020, 1, 31))).iloc[0]
    assert row["received"] == 0
    assert row["closed"] == 0
    assert pd.isna(row["clearance_rate"])


def test_previous_period_counts(con, november):
    row = volume.throughput(con, november.previous_period()).iloc[0]
    # October, the month before November: K on 1 October and A on 31 October.
    assert row["received"] == 2
    assert row["closed"] == 0


def test_weekly_series(con, november):
    frame = volume.received_closed_series(con, november, "week")
    assert frame["period"].iloc[0] == date(2026, 10, 26)
    assert frame["period"].iloc[-1] == date(2026, 11, 30)
    assert list(frame["closed"]) == [1, 5, 3, 1, 1, 0]
    assert list(frame["received"]) == [0, 5, 2, 2, 2, 0]
    assert frame["received"].sum() == 11


def test_channel_mix(con, november):
    frame = volume.channel_mix(con, november).set_index("channel")
    assert frame.loc["phone", "received"] == 7
    assert frame.loc["web", "received"] == 3
    assert frame.loc["mobile", "received"] == 1
    assert frame["share"].sum() == 1.0


def test_top_service_types(con, november):
    frame = volume.top_service_types(con, november, limit=2)
    assert list(frame["service_type"]) == ["pothole", "signal"]
    assert list(frame["received"]) == [6, 4]
    assert frame["name"].iloc[0] == "Pothole"


def test_transfers(con, november):
    frame = volume.transfers(con, november).set_index("department")
    assert frame.loc["PW", "transfers_out"] == 1
    assert frame.loc["PW", "transfers_in"] == 0
    assert frame.loc["TR", "transfers_in"] == 1
    assert frame.loc["TR", "transfers_out"] == 0


def test_transfers_department_filter(con, november):
    filters = Filters(november.start, november.end, departments=("TR",))
    frame = volume.transfers(con, filters)
    assert list(frame["department"]) == ["TR"]


def test_transfers_outside_period(con):
    frame = volume.transfers(con, Filters(date(2026, 10, 1), date(2026, 10, 31)))
    assert frame.set_index("department").loc["PW", "transfers_out"] == 1
