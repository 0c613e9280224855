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
    # Horizontal bars, largest on top: outcome names stay readable, unrotated.
    figure = go.Figure(
        go.Bar(
            x=outcomes["closed"],
            y=labels,
            orientation="h",
            marker_color=COLORS["closed"],
            text=[f"{s:.0%}" for s in outcomes["share"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} (%{text})<extra></extra>",
        )
    )
    figure.update_layout(
        yaxis={"automargin": True, "autorange": "reversed"}, xaxis_title="cases"
    )
    return base_layout(figure, TITLE, height=max(220, 80 + 26 * len(labels)))
