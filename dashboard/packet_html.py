"""The meeting packet as one self-contained HTML page, ready to print.

Charts arrive as SVG text and are embedded inline, so printing needs no
network and no other file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from dashboard.components.format import format_change, format_value
from dashboard.components.tiles import tile_status

STYLE = """
@page { size: Letter; margin: 14mm; }
body { font-family: sans-serif; font-size: 10pt; color: #212529; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 4pt; }
table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; }
th, td { border-bottom: 1px solid #ccc; padding: 3pt 5pt; text-align: left; }
th { background: #f1f3f5; }
.good { color: #146c43; font-weight: bold; } .bad { color: #b02a37; font-weight: bold; }
.chart { page-break-inside: avoid; margin-bottom: 8pt; }
.chart svg { width: 100%; height: auto; }
.note { color: #495057; font-size: 9pt; }
"""


@dataclass
class PacketContent:
    """What a packet shows; every value is already computed."""

    title: str
    subtitle: str
    details: dict[str, dict[str, Any]]
    group_label: str
    group_rows: list[dict[str, str]]
    charts: list[tuple[str, str]] = field(default_factory=list)  # (title, svg)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    overdue_total: int = 0
    notes: list[str] = field(default_factory=list)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def headline_table(details: dict[str, dict[str, Any]]) -> str:
    rows = []
    for detail in details.values():
        unit = detail["unit"]
        status = tile_status(detail)
        value = escape(format_value(detail["value"], unit, detail.get("reason")))
        target = detail.get("target")
        rows.append(
            [
                escape(detail["label"]),
                f'<span class="{status}">{value}</span>',
                escape(format_value(detail.get("previous"), unit, "none")),
                escape(format_change(detail["value"], detail.get("previous"), unit)),
                escape(format_value(detail.get("year_earlier"), unit, "none")),
                escape(
                    format_value(target, unit, "none") if target is not None else "none"
                ),
            ]
        )
    headers = ["Figure", "This period", "Previous", "Change", "Year earlier", "Target"]
    return _table(headers, rows)


def render(content: PacketContent) -> str:
    """Return the packet's HTML document."""
    parts = [
        f"<h1>{escape(content.title)}</h1>",
        f'<p class="note">{escape(content.subtitle)}</p>',
        "<h2>Headline figures</h2>",
        headline_table(content.details),
        f"<h2>By {escape(content.group_label.lower())}</h2>",
    ]
    if content.group_rows:
        headers = list(content.group_rows[0])
        rows = [[escape(str(r[h])) for h in headers] for r in content.group_rows]
        parts.append(_table(headers, rows))
    for title, svg in content.charts:
        parts.append(f'<div class="chart"><h2>{escape(title)}</h2>{svg}</div>')
    parts.append(
        f"<h2>Overdue cases ({content.overdue_total:,} in all, most overdue first)</h2>"
    )
    overdue_rows = [
        [
            escape(str(r["case_number"])),
            escape(str(r["service_type"])),
            escape(str(r["due_at"])),
            f"{r['days_overdue']:.1f}",
        ]
        for r in content.overdue
    ]
    parts.append(_table(["Case", "Service type", "Due", "Days overdue"], overdue_rows))
    parts.extend(f'<p class="note">{escape(note)}</p>' for note in content.notes)
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(content.title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
