"""A single case's location on a map, drawn without tiles unless configured."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.case_map import MARGINS
from dashboard.components.charts import base_layout, empty_figure
from dashboard.components.map_frame import frame_map, labelled_mode, point_trace

TITLE = "Location"
HEIGHT = 300


def make_figure(
    latitude: float | None,
    longitude: float | None,
    label: str,
    tiles_url: str = "",
    districts: pd.DataFrame | None = None,
) -> go.Figure:
    """Draw the case's point, with ``districts`` as labelled landmarks.

    ``districts`` comes from ``metrics.map_points.district_points``; a map
    without tiles has no streets, so the district points show where the case is.
    """
    if latitude is None or longitude is None:
        return empty_figure(TITLE, "this case has no coordinates")
    figure = go.Figure()
    if districts is not None and not districts.empty:
        figure.add_trace(
            point_trace(
                districts["latitude"],
                districts["longitude"],
                tiles_url,
                mode=labelled_mode(tiles_url),
                marker={"size": 9, "color": "#adb5bd"},
                text=[f"District {d}" for d in districts["district"]],
                textposition="top center",
                textfont={"color": "#6c757d", "size": 11},
                hovertemplate="%{text}<extra></extra>",
                name="District",
            )
        )
    figure.add_trace(
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
    zoom = 14 if districts is None or districts.empty else 12.5
    frame_map(figure, (latitude, longitude), zoom, HEIGHT - MARGINS, tiles_url)
    figure.update_layout(showlegend=False)
    return base_layout(figure, TITLE, height=HEIGHT)
