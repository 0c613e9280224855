"""Layout shared by the dashboard's plotly figures."""

from __future__ import annotations

import plotly.graph_objects as go

COLORS = {"received": "#1f5fa8", "closed": "#2f8f5b", "backlog": "#7a4fa3"}
# Bars scored against a target: meets it, misses it, or no target to compare.
STATUS_COLORS = {"good": "#2f8f5b", "bad": "#b02a37", "neutral": "#1f5fa8"}


def base_layout(figure: go.Figure, title: str, height: int = 320) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height,
        margin={"l": 50, "r": 20, "t": 45, "b": 40},
        # Plain colours instead of template="plotly_white": plotly deep-copies
        # a named template into every figure, which costs tens of milliseconds.
        template="none",
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": "sans-serif", "color": "#212529"},
        legend={"orientation": "h", "y": -0.15},
    )
    figure.update_xaxes(gridcolor="#e9ecef", zerolinecolor="#ced4da")
    figure.update_yaxes(gridcolor="#e9ecef", zerolinecolor="#ced4da")
    return figure


def empty_figure(title: str, message: str) -> go.Figure:
    """Return a figure with no data and ``message`` in its middle."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return base_layout(figure, title)
