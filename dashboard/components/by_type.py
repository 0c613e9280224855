"""A figure per service type from ``compute(by='service_type')`` rows.

Used for the on-time rate and the median first response of a department.
Types whose figure rests on too few cases show as 'insufficient data' in the
hover text and in a note under the title, with no bar.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.components.charts import COLORS, base_layout, empty_figure
from dashboard.components.format import format_value


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
        records.append(
            {
                "code": code,
                "name": names.get(code, code),
                "value": detail["value"],
                "text": format_value(detail["value"], detail["unit"], detail["reason"]),
                "n": detail["n"],
                "target": detail.get("target"),
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
    figure = go.Figure(
        go.Bar(
            x=[r["value"] * scale for r in shown],
            y=[r["name"] for r in shown],
            orientation="h",
            marker_color=COLORS["closed"],
            customdata=[r["code"] for r in shown],
            hovertext=[f"{r['name']}: {r['text']} (n={r['n']})" for r in shown],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    target = next((r["target"] for r in records if r["target"] is not None), None)
    if target is not None:
        figure.add_vline(x=target * scale, line_dash="dash", annotation_text="target")
    axis = "percent" if unit == "fraction" else "hours"
    figure.update_layout(xaxis_title=axis, yaxis={"automargin": True})
    if missing:
        title = f"{title}<br><sup>insufficient data: {', '.join(missing)}</sup>"
    return base_layout(figure, title, height=max(260, 60 + 32 * len(records)))
