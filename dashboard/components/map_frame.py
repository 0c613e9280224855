"""Map traces and frame shared by the dashboard's maps, with or without tiles.

Without a tile server (the default) a map is a cartesian scatter plot in SVG:
longitude on x, latitude on y, with the y unit drawn 1 / cos(latitude) times
as long as the x unit, so distances keep their proportions as on a map
(an equirectangular projection, close to Web Mercator over a city). It needs
no WebGL and only the scatter trace of plotly.js. With ``tiles_url`` the map
is a MapLibre ``map`` subplot with the tiles as a raster layer below the
traces.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

# MapLibre draws 512-pixel tiles: at zoom z one pixel spans 360 / (512 * 2**z)
# degrees of longitude at the equator.
TILE_PIXELS = 512


def point_trace(latitude, longitude, tiles_url: str, **properties: Any):
    """Return a marker trace at the given coordinates for the kind of map drawn."""
    if tiles_url:
        return go.Scattermap(lat=latitude, lon=longitude, **properties)
    return go.Scatter(x=longitude, y=latitude, **properties)


def labelled_mode(tiles_url: str) -> str:
    """Return the marker mode for points with text labels on this kind of map.

    Text on a MapLibre map needs glyphs from a font server, so with tiles the
    labels are left out and only the hover text remains.
    """
    return "markers" if tiles_url else "markers+text"


def frame_map(
    figure: go.Figure,
    center: tuple[float, float],
    zoom: float,
    plot_height: int,
    tiles_url: str,
) -> go.Figure:
    """Centre the map on ``center`` at MapLibre's ``zoom`` level.

    Without tiles the axes show the area that the zoom level shows across
    ``plot_height`` pixels; plotly widens the longitude range to fill the
    plot's width.
    """
    latitude, longitude = center
    if tiles_url:
        layer = {"sourcetype": "raster", "source": [tiles_url], "below": "traces"}
        figure.update_layout(
            map={
                "style": "white-bg",
                "center": {"lat": latitude, "lon": longitude},
                "zoom": zoom,
                "layers": [layer],
            }
        )
        return figure
    stretch = 1 / math.cos(math.radians(latitude))
    degrees_per_pixel = 360 / (TILE_PIXELS * 2**zoom)
    half_height = plot_height * degrees_per_pixel / stretch / 2
    half_width = half_height * stretch
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    figure.update_xaxes(
        range=[longitude - half_width, longitude + half_width], **hidden
    )
    figure.update_yaxes(
        range=[latitude - half_height, latitude + half_height],
        scaleanchor="x",
        scaleratio=stretch,
        **hidden,
    )
    figure.update_layout(dragmode="pan", hovermode="closest")
    return figure
