"""Open cases by age bucket at the as-of moment."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout

TITLE = "Backlog aging (open cases by age)"


def make_figure(buckets: pd.DataFrame) -> go.Figure:
    """Draw ``backlog.aging`` (bucket, open) as bars in bucket order."""
    figure = go.Figure(
        go.Bar(
            x=buckets["bucket"],
            y=buckets["open"],
            marker_color=COLORS["backlog"],
            hovertemplate="%{x}: %{y:,} open<extra></extra>",
        )
    )
    figure.update_layout(xaxis_title="Age", yaxis_title="Open cases")
    return base_layout(figure, TITLE)
