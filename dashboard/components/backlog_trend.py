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
    days = [pd.Timestamp(day).date().isoformat() for day in series["day"]]
    figure = go.Figure(
        go.Scatter(
            x=days,
            y=series["open_backlog"],
            mode="lines+markers",
            line={"color": COLORS["backlog"]},
            name="Open backlog",
            hovertemplate="%{x}: %{y:,} open<extra></extra>",
        )
    )
    figure.update_yaxes(rangemode="tozero")
    return base_layout(figure, TITLE)
