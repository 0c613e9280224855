"""Cases received and closed per week."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure

TITLE = "Received and closed per week"
# More week labels than this crowd the axis, so only every n-th week is named.
MAX_TICK_LABELS = 12


def week_label(monday: date, with_year: bool) -> str:
    """Return an axis label for a week: '30 Nov', or '30 Nov 2026' with the year."""
    label = f"{monday.day} {monday:%b}"
    return f"{label} {monday.year}" if with_year else label


def hover_label(monday: date, first: date | None, last: date | None) -> str:
    """Return a week's hover label, naming the days counted when the period cuts it.

    '30 Nov 2026', or '30 Nov 2026, 1–4 Dec only' for a week of which the
    period (``first`` to ``last``) has only some days.
    """
    label = week_label(monday, with_year=True)
    sunday = monday + timedelta(days=6)
    start = max(monday, first) if first else monday
    end = min(sunday, last) if last else sunday
    if (start, end) == (monday, sunday):
        return label
    if start == end:
        return f"{label}, {end.day} {end:%b} only"
    if start.month == end.month:
        return f"{label}, {start.day}–{end.day} {end:%b} only"
    return f"{label}, {start.day} {start:%b}–{end.day} {end:%b} only"


def make_figure(
    series: pd.DataFrame, first: date | None = None, last: date | None = None
) -> go.Figure:
    """Draw grouped bars from ``received_closed_series`` (period, received, closed).

    Each bar's customdata is its week's Monday (which a click turns into a
    case-list period), the basis and the hover label. The axis is a category
    axis labelled with the dates, so plotly never shows a week as a time of day.
    ``first`` and ``last`` are the period's days: the hover of a week they cut
    names the days counted.
    """
    if series.empty:
        return empty_figure(TITLE, "no weeks in the period")
    mondays = [pd.Timestamp(day).date() for day in series["period"]]
    weeks = [monday.isoformat() for monday in mondays]
    hover = [hover_label(monday, first, last) for monday in mondays]
    figure = go.Figure()
    for column in ("received", "closed"):
        figure.add_bar(
            x=weeks,
            y=series[column],
            name=column.capitalize(),
            marker_color=COLORS[column],
            customdata=[
                [week, column, label] for week, label in zip(weeks, hover, strict=True)
            ],
            hovertemplate=(
                "Week of %{customdata[2]}: %{y:,} " + column + "<extra></extra>"
            ),
        )
    several_years = mondays[0].year != mondays[-1].year
    step = math.ceil(len(mondays) / MAX_TICK_LABELS)
    figure.update_layout(barmode="group", xaxis_title="Week starting")
    figure.update_xaxes(
        type="category",
        tickvals=weeks[::step],
        ticktext=[week_label(monday, several_years) for monday in mondays[::step]],
    )
    return base_layout(figure, TITLE)
