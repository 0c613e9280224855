"""The printable CitiStat meeting packet for a period and, optionally, a department.

``write_packet(context, filters, path)`` is the entry point for the
``/packet.pdf`` route and for ``city311 report --pdf FILE``. It computes the
figures through the metrics layer, draws the charts as SVG with Kaleido (which
drives the system Chromium; nothing is downloaded), renders one HTML page and
prints it with headless Chromium.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from city311.app import AppContext
from dashboard.cache import ResultCache
from dashboard.components import aging, backlog_trend, received_closed, top_types
from dashboard.components.format import (
    format_comparison,
    format_instant,
    format_value,
)
from dashboard.components.overdue_table import overdue_rows
from dashboard.packet_html import PacketContent, render
from dashboard.pdf import PdfError, html_to_pdf
from dashboard.reader import WarehouseReader
from dashboard.urlstate import as_of, check_codes
from dashboard.view import view_errors
from dashboard.warehouse import SnapshotPool
from metrics import backlog, volume
from metrics.citistat import compute
from metrics.dimensions import dimensions
from metrics.filters import Filters

log = logging.getLogger(__name__)

GROUP_METRICS = (
    "received",
    "closed",
    "on_time_rate",
    "time_to_close_median_hours",
    "open_backlog",
    "overdue_open",
)
OVERDUE_ROWS = 25
CHART_SIZE = {"width": 900, "height": 380}


class PacketError(RuntimeError):
    """The packet could not be built; the message says why and what to do."""


def write_packet(
    context: AppContext,
    filters: Filters,
    path: str | Path,
    *,
    reader: WarehouseReader | None = None,
    now: datetime | None = None,
    snapshot: str | None = None,
) -> Path:
    """Write the meeting packet PDF for ``filters`` to ``path`` and return the path.

    ``snapshot`` names a frozen or published snapshot to read instead of the
    one the settings select. Raises PacketError when no snapshot is published,
    a filter names an unknown code, or Chromium is missing or fails.
    """
    target = Path(path)
    if reader is None:
        settings = context.settings
        if snapshot:
            settings = replace(settings, dashboard_snapshot=snapshot)
        reader = WarehouseReader(SnapshotPool(settings), ResultCache())
    now = now or datetime.now(UTC)
    city = context.city
    if filters.as_of is None:
        filters = replace(filters, as_of=as_of(filters, now, city.timezone))
    try:
        content = packet_content(context, reader, filters)
    except view_errors() as error:
        raise PacketError(str(error)) from error
    charts = _chart_figures(reader, filters, city.timezone)
    content.charts = list(zip([t for t, _ in charts], _svgs(charts), strict=True))
    try:
        html_to_pdf(render(content), target)
    except PdfError as error:
        raise PacketError(str(error)) from error
    log.info(
        "meeting packet for %s to %s written to %s", filters.start, filters.end, target
    )
    return target


def packet_content(
    context: AppContext, reader: WarehouseReader, filters: Filters
) -> PacketContent:
    """Compute every figure and table of the packet (charts excluded)."""
    city = context.city
    dims = reader.call(dimensions)
    check_codes(filters, dims)
    department = filters.departments[0] if len(filters.departments) == 1 else None
    by = "service_type" if department else "department"
    names = (
        {c: n for c, n, _ in dims.service_types}
        if department
        else dict(dims.departments)
    )
    headline = reader.call(compute, filters, city)
    grouped = reader.call(compute, filters, city, by=by, names=GROUP_METRICS)
    overdue = reader.call(
        backlog.overdue_list, filters, filters.as_of, limit=OVERDUE_ROWS
    )
    scope = (
        dict(dims.departments).get(department, department)
        if department
        else "City-wide"
    )
    version = reader.pool.version()
    return PacketContent(
        title=f"CitiStat: {city.name}, {scope}",
        subtitle=(
            f"Period {format_comparison(headline)}; backlog and overdue as of "
            f"{format_instant(filters.as_of, city.timezone)}; warehouse snapshot "
            f"{version}."
        ),
        details=headline["details"],
        group_label="Service type" if department else "Department",
        group_rows=_group_rows(grouped["rows"], by, names),
        overdue=overdue_rows(
            overdue.rows,
            city.timezone,
            {c: n for c, n, _ in dims.service_types},
        ),
        overdue_total=overdue.total,
        notes=[
            "A figure resting on fewer cases than the minimum shows "
            "'insufficient data'. Rates are shares of cases with a due date.",
        ],
    )


def _group_rows(rows, by: str, names: dict[str, str]) -> list[dict[str, str]]:
    table = []
    for row in rows:
        code = row[by]
        if code is None:
            continue
        record = {"Name": names.get(code, code)}
        for metric in GROUP_METRICS:
            detail = row["details"][metric]
            record[detail["label"]] = format_value(
                detail["value"], detail["unit"], detail.get("reason")
            )
        table.append(record)
    return sorted(table, key=lambda r: r["Name"])


def _chart_figures(
    reader: WarehouseReader, filters: Filters, zone: ZoneInfo
) -> list[tuple[str, go.Figure]]:
    freq = "day" if filters.days <= 92 else "week"
    series = reader.call(volume.received_closed_series, filters, "week")
    trend = reader.call(backlog.backlog_series, filters, freq, zone.key)
    top = reader.call(volume.top_service_types, filters, 10)
    buckets = reader.call(backlog.aging, filters, filters.as_of)
    return [
        (received_closed.TITLE, received_closed.make_figure(series)),
        (backlog_trend.TITLE, backlog_trend.make_figure(trend)),
        (top_types.TITLE, top_types.make_figure(top)),
        (aging.TITLE, aging.make_figure(buckets)),
    ]


def _svgs(charts: list[tuple[str, go.Figure]]) -> list[str]:
    """Export figures to SVG text in one Kaleido browser session."""
    import kaleido

    with tempfile.TemporaryDirectory(prefix="city311-charts-") as folder:
        jobs = []
        for index, (_, figure) in enumerate(charts):
            figure.update_layout(title=None)
            jobs.append(
                {
                    "fig": figure,
                    "path": str(Path(folder) / f"chart{index}.svg"),
                    "opts": {"format": "svg", **CHART_SIZE},
                }
            )
        try:
            kaleido.write_fig_from_object_sync(jobs)
        except Exception as error:  # noqa: BLE001 - Kaleido raises many browser errors
            raise PacketError(
                f"chart export with Kaleido failed: {type(error).__name__}: {error}; "
                "check that Debian's chromium package is installed"
            ) from error
        return [Path(job["path"]).read_text(encoding="utf-8") for job in jobs]
