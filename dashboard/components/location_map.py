"""A single case's location on a map, drawn without tiles unless configured."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components.case_map import MARGINS
from dashboard.components.charts import base_layout, empty_figure
from dashboard.components.map_frame import frame_map, point_trace

TITLE = "Location"
HEIGHT = 300


def make_figure(
    latitude: float | None, longitude: float | None, label: str, tiles_url: str = ""
) -> go.Figure:
    if latitude is None or longitude is None:
        return empty_figure(TITLE, "this case has no coordinates")
    figure = go.Figure(
        point_trace(
            [latitude],
            [longitude],
            tiles_url,
            mode="markers",
            marker={"size": 14, "color": "#b02a37"},
            hovertext=[label],
            hovertemplate="%{hovertext}<extra></extra>",
            name=label,
        )
    )
    frame_map(figure, (latitude, longitude), 14, HEIGHT - MARGINS, tiles_url)
    return base_layout(figure, TITLE, height=HEIGHT)
