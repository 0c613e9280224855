"""Figure builders: traces, drill-down data and the offline map."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.components import (
    aging,
    backlog_trend,
    case_map,
    location_map,
    outcomes,
    received_closed,
    top_types,
    transfers,
)
from dashboard.components.by_type import make_figure as by_type_figure
from dashboard.components.by_type import type_values


def test_received_closed_bars_carry_week_and_basis():
    series = pd.DataFrame(
        {
            "period": [date(2026, 11, 2), date(2026, 11, 9)],
            "received": [5, 3],
            "closed": [4, 2],
        }
    )
    figure = received_closed.make_figure(series)
    assert [trace.name for trace in figure.data] == ["Received", "Closed"]
    assert list(figure.data[0].y) == [5, 3]
    assert list(figure.data[1].customdata[0][:2]) == ["2026-11-02", "closed"]


def test_received_closed_ticks_are_dates():
    series = pd.DataFrame(
        {
            "period": [date(2026, 11, 23), date(2026, 11, 30)],
            "received": [5, 3],
            "closed": [4, 2],
        }
    )
    figure = received_closed.make_figure(series)
    assert figure.layout.xaxis.type == "category"
    assert list(figure.layout.xaxis.tickvals) == ["2026-11-23", "2026-11-30"]
    assert list(figure.layout.xaxis.ticktext) == ["23 Nov", "30 Nov"]
    bar = figure.data[0]
    assert bar.customdata[1][2] == "30 Nov 2026"
    assert bar.hovertemplate.startswith("Week of %{customdata[2]}: ")


def test_received_closed_ticks_across_years():
    mondays = pd.date_range("2025-12-01", periods=30, freq="7D").date
    series = pd.DataFrame({"period": mondays, "received": 1, "closed": 1})
    xaxis = received_closed.make_figure(series).layout.xaxis
    # 30 weeks at most 12 labels: every third week is named, with its year.
    assert len(xaxis.ticktext) == 10
    assert xaxis.ticktext[0] == "1 Dec 2025"
    assert xaxis.ticktext[1] == "22 Dec 2025"
    assert xaxis.ticktext[2] == "12 Jan 2026"


def test_received_closed_empty_series():
    figure = received_closed.make_figure(
        pd.DataFrame({"period": [], "received": [], "closed": []})
    )
    assert len(figure.data) == 0
    assert figure.layout.annotations[0].text == "no weeks in the period"


def test_top_types_largest_on_top():
    top = pd.DataFrame(
        {
            "service_type": ["A", "B"],
            "name": ["Alpha", None],
            "received": [9, 4],
            "closed": [1, 1],
        }
    )
    bar = top_types.make_figure(top).data[0]
    assert list(bar.y) == ["B", "Alpha"]
    assert list(bar.customdata) == ["B", "A"]


def test_backlog_line():
    series = pd.DataFrame({"day": [date(2026, 11, 2)], "open_backlog": [3]})
    assert list(backlog_trend.make_figure(series).data[0].y) == [3]


def test_aging_buckets_in_order():
    buckets = pd.DataFrame({"bucket": ["0-2 days", "3-7 days"], "open": [1, 0]})
    assert list(aging.make_figure(buckets).data[0].x) == ["0-2 days", "3-7 days"]


def test_transfers_for_department():
    frame = pd.DataFrame(
        {"department": ["PW", "WTR"], "transfers_out": [1, 0], "transfers_in": [0, 1]}
    )
    assert list(transfers.make_figure(frame, "WTR").data[0].y) == [1, 0]


def test_map_offline_without_tiles():
    districts = pd.DataFrame(
        {
            "district": ["1", "2"],
            "name": ["D1", "D2"],
            "latitude": [39.7, 39.8],
            "longitude": [-75.5, -75.6],
            "received": [100, 25],
            "open_now": [3, 1],
        }
    )
    figure = case_map.make_figure(districts, None, (39.74, -75.55))
    assert figure.data[0].type == "scatter"
    assert list(figure.data[0].x) == [-75.5, -75.6]
    assert list(figure.data[0].y) == [39.7, 39.8]
    assert figure.layout.yaxis.scaleanchor == "x"
    assert figure.layout.yaxis.scaleratio == pytest.approx(
        1 / math.cos(math.radians(39.74))
    )
    assert figure.layout.yaxis.range[0] < 39.74 < figure.layout.yaxis.range[1]
    assert figure.layout.xaxis.range[0] < -75.55 < figure.layout.xaxis.range[1]
    assert figure.layout.map.style is None
    assert [list(d) for d in figure.data[0].customdata] == [
        ["district", "1"],
        ["district", "2"],
    ]
    assert figure.data[0].mode == "markers+text"
    assert list(figure.data[0].text) == ["1", "2"]


def test_map_tiles_from_setting():
    districts = pd.DataFrame(
        {
            "district": ["1"],
            "name": ["D1"],
            "latitude": [39.7],
            "longitude": [-75.5],
            "received": [1],
            "open_now": [0],
        }
    )
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    figure = case_map.make_figure(districts, None, (39.74, -75.55), url)
    assert figure.data[0].type == "scattermap"
    assert list(figure.data[0].lat) == [39.7]
    assert figure.layout.map.style == "white-bg"
    assert list(figure.layout.map.layers[0].source) == [url]
    assert figure.data[0].mode == "markers"


def test_location_map_without_tiles():
    figure = location_map.make_figure(39.74, -75.55, "2026-000061")
    assert figure.data[0].type == "scatter"
    assert list(figure.data[0].x) == [-75.55]
    assert figure.layout.yaxis.range[0] < 39.74 < figure.layout.yaxis.range[1]
    assert figure.layout.dragmode == "pan"


def test_location_map_marks_district_points_as_landmarks():
    districts = pd.DataFrame(
        {
            "district": ["1", "2"],
            "latitude": [39.75, 39.73],
            "longitude": [-75.55, -75.56],
        }
    )
    figure = location_map.make_figure(39.74, -75.55, "26-000061-5", "", districts)
    landmarks, case = figure.data
    assert list(landmarks.text) == ["District 1", "District 2"]
    assert list(case.x) == [-75.55]
    assert figure.layout.yaxis.range[0] < 39.73 < 39.75 < figure.layout.yaxis.range[1]


def test_location_map_with_tiles():
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    figure = location_map.make_figure(39.74, -75.55, "2026-000061", url)
    assert figure.data[0].type == "scattermap"
    assert figure.layout.map.center.lat == 39.74
    assert list(figure.layout.map.layers[0].source) == [url]


def test_bubble_sizes_by_area():
    assert case_map.bubble_sizes(pd.Series([100, 25]), largest=40) == [40.0, 20.0]
    assert case_map.bubble_sizes(pd.Series([0, 0])) == [8.0, 8.0]


def test_by_type_lists_insufficient_groups():
    rows = [
        {
            "service_type": "POTHOLE",
            "details": {
                "on_time_rate": {
                    "value": 1.0,
                    "unit": "fraction",
                    "reason": None,
                    "n": 30,
                    "target": 0.85,
                }
            },
        },
        {
            "service_type": "MISSED_TRASH",
            "details": {
                "on_time_rate": {
                    "value": None,
                    "unit": "fraction",
                    "reason": "insufficient data",
                    "n": 8,
                    "target": 0.9,
                }
            },
        },
    ]
    records = type_values(rows, "on_time_rate", {"POTHOLE": "Pothole"})
    figure = by_type_figure(records, "On-time rate", "fraction")
    assert list(figure.data[0].y) == ["Pothole"]
    assert list(figure.data[0].x) == [100.0]
    notes = [a.text for a in figure.layout.annotations]
    assert any("insufficient data: MISSED_TRASH" in text for text in notes)


def _on_time_row(code: str, value: float, score: float | None) -> dict:
    detail = {
        "value": value,
        "unit": "fraction",
        "reason": None,
        "n": 40,
        "target": 0.85 if score is not None else None,
        "score": score,
    }
    return {"service_type": code, "details": {"on_time_rate": detail}}


def test_by_type_colours_bars_against_target():
    rows = [
        _on_time_row("A", 0.9, 0.9 / 0.85),
        _on_time_row("B", 0.5, 0.5 / 0.85),
        _on_time_row("C", 0.7, None),
    ]
    records = type_values(rows, "on_time_rate", {})
    figure = by_type_figure(records, "On-time rate", "fraction")
    assert list(figure.data[0].marker.color) == ["#2f8f5b", "#b02a37", "#1f5fa8"]
    assert "misses target 85%" in figure.data[0].hovertext[1]
    assert "no target set" in figure.data[0].hovertext[2]


def test_outcomes_are_horizontal_bars_with_readable_names():
    frame = pd.DataFrame(
        {
            "outcome": ["resolved", "no_action_needed"],
            "closed": [30, 10],
            "share": [0.75, 0.25],
        }
    )
    bar = outcomes.make_figure(frame).data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ["resolved", "no action needed"]
    assert list(bar.x) == [30, 10]
    assert list(bar.text) == ["75%", "25%"]


def test_backlog_trend_labels_days():
    series = pd.DataFrame(
        {"day": [date(2026, 11, 29), date(2026, 11, 30)], "open_backlog": [3, 4]}
    )
    figure = backlog_trend.make_figure(series)
    assert list(figure.data[0].text) == ["29 Nov 2026", "30 Nov 2026"]
    assert figure.data[0].hovertemplate.startswith("%{text}")
    assert figure.layout.xaxis.tickformat == "%-d %b"


def test_backlog_trend_year_on_axis_across_years():
    series = pd.DataFrame(
        {"day": [date(2026, 12, 31), date(2027, 1, 1)], "open_backlog": [3, 4]}
    )
    figure = backlog_trend.make_figure(series)
    assert figure.layout.xaxis.tickformat == "%-d %b %Y"


def test_week_hover_names_days_counted():
    monday = date(2026, 11, 30)
    assert received_closed.hover_label(monday, None, None) == "30 Nov 2026"
    whole = received_closed.hover_label(monday, date(2026, 11, 1), date(2026, 12, 31))
    assert whole == "30 Nov 2026"
    cut = received_closed.hover_label(monday, date(2026, 12, 1), date(2026, 12, 4))
    assert cut == "30 Nov 2026, 1–4 Dec only"
    one_day = received_closed.hover_label(monday, date(2026, 12, 6), None)
    assert one_day == "30 Nov 2026, 6 Dec only"
    across = received_closed.hover_label(monday, None, date(2026, 12, 2))
    assert across == "30 Nov 2026, 30 Nov–2 Dec only"


def test_weekly_bars_hover_partial_week():
    series = pd.DataFrame(
        {"period": [date(2026, 11, 30)], "received": [4], "closed": [2]}
    )
    figure = received_closed.make_figure(series, date(2026, 12, 1), date(2026, 12, 4))
    assert figure.data[0].customdata[0][2] == "30 Nov 2026, 1–4 Dec only"


def test_by_type_without_any_value_shows_message():
    rows = [
        {
            "service_type": "MISSED_TRASH",
            "details": {
                "on_time_rate": {
                    "value": None,
                    "unit": "fraction",
                    "reason": "insufficient data",
                    "n": 8,
                    "target": 0.9,
                }
            },
        }
    ]
    records = type_values(rows, "on_time_rate", {"MISSED_TRASH": "Missed trash"})
    figure = by_type_figure(records, "On-time rate by service type", "fraction")
    assert figure.data == ()
    texts = [note.text for note in figure.layout.annotations]
    assert texts == ["insufficient data for every service type"]
