"""Outcomes of the cases finally closed in the period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure

TITLE = "Outcomes of closed cases"


def make_figure(outcomes: pd.DataFrame) -> go.Figure:
    """Draw ``timeliness.outcomes`` (outcome, closed, share) as bars."""
    if outcomes.empty:
        return empty_figure(TITLE, "no cases closed in the period")
    labels = [str(o).replace("_", " ") for o in outcomes["outcome"]]
    figure = go.Figure(
        go.Bar(
            x=labels,
            y=outcomes["closed"],
            marker_color=COLORS["closed"],
            text=[f"{s:.0%}" for s in outcomes["share"]],
            hovertemplate="%{x}: %{y:,} (%{text})<extra></extra>",
        )
    )
    return base_layout(figure, TITLE, height=280)
