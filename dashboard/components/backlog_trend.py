"""Open backlog at the end of each day or week."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure

TITLE = "Open backlog over time"


def make_figure(series: pd.DataFrame) -> go.Figure:
    """Draw ``backlog_series`` (day, open_backlog) as a line."""
    if series.empty:
        return empty_figure(TITLE, "no days in the period")
    days = [pd.Timestamp(day).date() for day in series["day"]]
    figure = go.Figure(
        go.Scatter(
            x=[day.isoformat() for day in days],
            y=series["open_backlog"],
            text=[f"{day.day} {day:%b %Y}" for day in days],
            mode="lines+markers",
            line={"color": COLORS["backlog"]},
            name="Open backlog",
            hovertemplate="%{text}: %{y:,} open<extra></extra>",
        )
    )
    # The same day-month labels as the weekly chart, with the year when the
    # period spans two years.
    several_years = days[0].year != days[-1].year
    figure.update_xaxes(tickformat="%-d %b %Y" if several_years else "%-d %b")
    figure.update_yaxes(rangemode="tozero")
    return base_layout(figure, TITLE)
