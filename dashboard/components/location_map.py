"""A single case's location on a tile-free map."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components.charts import base_layout, empty_figure

TITLE = "Location"


def make_figure(
    latitude: float | None, longitude: float | None, label: str, tiles_url: str = ""
) -> go.Figure:
    if latitude is None or longitude is None:
        return empty_figure(TITLE, "this case has no coordinates")
    figure = go.Figure(
        go.Scattermap(
            lat=[latitude],
            lon=[longitude],
            mode="markers",
            marker={"size": 14, "color": "#b02a37"},
            hovertext=[label],
            hovertemplate="%{hovertext}<extra></extra>",
            name=label,
        )
    )
    layers = (
        [{"sourcetype": "raster", "source": [tiles_url], "below": "traces"}]
        if tiles_url
        else []
    )
    figure.update_layout(
        map={
            "style": "white-bg",
            "center": {"lat": latitude, "lon": longitude},
            "zoom": 14,
            "layers": layers,
        }
    )
    return base_layout(figure, TITLE, height=300)
