"""Transfers into and out of a department in the period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout

TITLE = "Transfers in and out"


def make_figure(transfers: pd.DataFrame, department: str) -> go.Figure:
    """Draw the department's row of ``volume.transfers`` as two bars."""
    own = transfers[transfers["department"] == department]
    moved_in = int(own["transfers_in"].sum()) if not own.empty else 0
    moved_out = int(own["transfers_out"].sum()) if not own.empty else 0
    figure = go.Figure(
        go.Bar(
            x=["Transferred in", "Transferred out"],
            y=[moved_in, moved_out],
            # Neither direction is good or bad, so no green or red.
            marker_color=[COLORS["received"], COLORS["backlog"]],
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    return base_layout(figure, TITLE, height=280)
