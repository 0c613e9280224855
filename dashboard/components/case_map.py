"""The case map: districts sized by cases received, and open cases as points.

By default the map is an SVG scatter plot without tiles, so it works offline
and needs no WebGL. The ``map_tiles_url`` setting draws it on a MapLibre map
with raster tiles from a server the city runs (``dashboard.components.map_frame``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.components.charts import base_layout
from dashboard.components.map_frame import frame_map, labelled_mode, point_trace

TITLE = "Cases by district"
HEIGHT = 420
# Top and bottom margins of base_layout: the plot area is this much shorter.
MARGINS = 85


def bubble_sizes(counts: pd.Series, largest: float = 45.0) -> list[float]:
    """Scale counts to marker diameters by area: the largest count gets ``largest``."""
    top = float(counts.max()) if len(counts) else 0.0
    if top <= 0:
        return [8.0] * len(counts)
    return [max(8.0, largest * math.sqrt(float(n) / top)) for n in counts]


def make_figure(
    districts: pd.DataFrame,
    points: pd.DataFrame | None,
    center: tuple[float, float],
    tiles_url: str = "",
    title: str = TITLE,
) -> go.Figure:
    """Draw district bubbles and, when given, open-case points.

    District customdata is ``["district", code]`` and point customdata
    ``["case", number]``, so one click handler can distinguish them.
    """
    figure = go.Figure()
    if points is not None and not points.empty:
        figure.add_trace(
            point_trace(
                points["latitude"],
                points["longitude"],
                tiles_url,
                mode="markers",
                # A numeric colour on a two-step scale: plotly validates a list
                # of colour strings element by element, which is slow.
                marker={
                    "size": 7,
                    "color": points["overdue"].astype(int).to_numpy(),
                    "colorscale": [[0, "#495057"], [1, "#b02a37"]],
                    "cmin": 0,
                    "cmax": 1,
                },
                customdata=np.array(
                    [["case", n] for n in points["case_number"]], dtype=object
                ),
                text=points["case_number"],
                name="Open cases (red: overdue)",
                hovertemplate="%{text}<extra></extra>",
            )
        )
    figure.add_trace(
        point_trace(
            districts["latitude"],
            districts["longitude"],
            tiles_url,
            mode=labelled_mode(tiles_url),
            text=districts["district"],
            textfont={"color": "white", "size": 12},
            marker={
                "size": bubble_sizes(districts["received"]),
                "color": "#1f5fa8",
                "opacity": 0.75,
            },
            customdata=[["district", d] for d in districts["district"]],
            name="Received per district",
            hovertext=[
                f"{name}: {n:,} received, {o:,} still open"
                for name, n, o in zip(
                    districts["name"],
                    districts["received"],
                    districts["open_now"],
                    strict=True,
                )
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    figure.update_layout(showlegend=True)
    frame_map(figure, center, 11.5, HEIGHT - MARGINS, tiles_url)
    return base_layout(figure, title, height=HEIGHT)
