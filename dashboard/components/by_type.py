"""A figure per service type from ``compute(by='service_type')`` rows.

Used for the on-time rate and the median first response of a department.
Types whose figure rests on too few cases show as 'insufficient data' in the
hover text and in a note under the title, with no bar. A bar is green when its
figure meets the type's target, red when it misses, blue with no target.
"""

from __future__ import annotations

import textwrap
from typing import Any

import plotly.graph_objects as go

from dashboard.components.charts import STATUS_COLORS, base_layout, empty_figure
from dashboard.components.format import format_value
from dashboard.components.tiles import target_text, tile_status


def type_values(
    rows: list[dict[str, Any]], metric: str, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Return one record per type: code, name, value, display text and n."""
    records = []
    for row in rows:
        code = row["service_type"]
        if code is None:
            continue
        detail = row["details"][metric]
        status = tile_status(detail)
        records.append(
            {
                "code": code,
                "name": names.get(code, code),
                "value": detail["value"],
                "text": format_value(detail["value"], detail["unit"], detail["reason"]),
                "n": detail["n"],
                "target": detail.get("target"),
                "status": status,
                "verdict": target_text(detail, status),
            }
        )
    return sorted(records, key=lambda r: r["name"])


def make_figure(records: list[dict[str, Any]], title: str, unit: str) -> go.Figure:
    """Draw horizontal bars; customdata holds the type code for drill-down."""
    if not records:
        return empty_figure(title, "no cases in the period")
    scale = 100 if unit == "fraction" else 1
    shown = [r for r in records if r["value"] is not None]
    missing = [r["name"] for r in records if r["value"] is None]
    if not shown:
        # Without a bar the axes would show a meaningless range.
        return empty_figure(title, "insufficient data for every service type")
    figure = go.Figure(
        go.Bar(
            x=[r["value"] * scale for r in shown],
            y=[r["name"] for r in shown],
            orientation="h",
            marker_color=[STATUS_COLORS[r["status"]] for r in shown],
            customdata=[r["code"] for r in shown],
            hovertext=[
                f"{r['name']}: {r['text']} (n={r['n']}), {r['verdict']}" for r in shown
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    target = next((r["target"] for r in records if r["target"] is not None), None)
    if target is not None:
        figure.add_vline(x=target * scale, line_dash="dash", annotation_text="target")
    axis = "percent" if unit == "fraction" else "hours"
    figure.update_layout(xaxis_title=axis, yaxis={"automargin": True})
    base_layout(figure, title, height=max(260, 60 + 32 * len(shown)))
    if missing:
        _note_below(figure, f"insufficient data: {', '.join(missing)}")
    return figure


def _note_below(figure: go.Figure, text: str) -> None:
    """Write ``text`` under the x-axis title, wrapped, and make room for it.

    Plotly wraps neither titles nor annotations, so the text is broken here.
    """
    lines = textwrap.wrap(text, 80)
    figure.add_annotation(
        text="<br>".join(lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-62,
        align="left",
        showarrow=False,
        font={"size": 11, "color": "#495057"},
    )
    extra = 16 * len(lines) + 26
    figure.update_layout(
        height=figure.layout.height + extra, margin_b=figure.layout.margin.b + extra
    )
