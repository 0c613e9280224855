"""The service types with most cases received in the period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure

TITLE = "Top service types by cases received"


def make_figure(top: pd.DataFrame) -> go.Figure:
    """Draw ``top_service_types`` as horizontal bars, largest at the top.

    customdata holds the service type code for drill-down.
    """
    if top.empty:
        return empty_figure(TITLE, "no cases received in the period")
    ordered = top.iloc[::-1]
    figure = go.Figure(
        go.Bar(
            x=ordered["received"],
            y=ordered["name"].fillna(ordered["service_type"]),
            orientation="h",
            marker_color=COLORS["received"],
            customdata=ordered["service_type"],
            hovertemplate="%{y}: %{x:,} received<extra></extra>",
        )
    )
    figure.update_layout(yaxis={"automargin": True})
    return base_layout(figure, TITLE, height=360)
