"""The packet's HTML: headline table, groups, charts and escaping."""

from __future__ import annotations

from dashboard.packet_html import PacketContent, render


def test_render_escapes_and_lists_sections():
    details = {
        "on_time_rate": {
            "label": "On-time rate",
            "unit": "fraction",
            "value": 0.73,
            "previous": None,
            "year_earlier": None,
            "target": 0.85,
            "score": 0.86,
            "reason": None,
        },
    }
    content = PacketContent(
        title="CitiStat: <City>",
        subtitle="Period",
        details=details,
        group_label="Department",
        group_rows=[{"Name": "Water", "Received": "35"}],
        charts=[("Backlog", "<svg></svg>")],
        overdue=[
            {
                "case_number": "26-000051-6",
                "service_type": "POTHOLE",
                "due_at": "2026-11-20 10:00 EST",
                "days_overdue": 9.6,
            }
        ],
        overdue_total=10,
    )
    html = render(content)
    assert "<title>CitiStat: &lt;City&gt;</title>" in html
    assert '<span class="bad">73%</span>' in html
    assert "<td>Water</td>" in html
    assert "<svg></svg>" in html
    assert "Overdue cases (10 in all" in html
    assert "<td>9.6</td>" in html
