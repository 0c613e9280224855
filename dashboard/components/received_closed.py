"""Cases received and closed per week."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure

TITLE = "Received and closed per week"


def make_figure(series: pd.DataFrame) -> go.Figure:
    """Draw grouped bars from ``received_closed_series`` (period, received, closed).

    Each bar's customdata is its week's Monday, which a click turns into a
    case-list period.
    """
    if series.empty:
        return empty_figure(TITLE, "no weeks in the period")
    weeks = [pd.Timestamp(day).date().isoformat() for day in series["period"]]
    figure = go.Figure()
    for column in ("received", "closed"):
        figure.add_bar(
            x=weeks,
            y=series[column],
            name=column.capitalize(),
            marker_color=COLORS[column],
            customdata=[[week, column] for week in weeks],
            hovertemplate="Week of %{x}: %{y:,} " + column + "<extra></extra>",
        )
    figure.update_layout(barmode="group", xaxis_title="Week starting")
    return base_layout(figure, TITLE)
