"""The meeting packet's content and its errors, without printing."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.packet import PacketError, packet_content, write_packet
from dashboard.runtime import runtime
from metrics.filters import Filters
from tests.dashboard import scenario


def test_content_for_one_department(dash_server):
    rt = runtime(dash_server)
    filters = Filters(*scenario.PERIOD, departments=("PW",), as_of=scenario.CLOCK)
    content = packet_content(rt.context, rt.reader, filters)
    assert content.title == "CitiStat: City of Wilmington, Delaware, Public Works"
    assert content.group_label == "Service type"
    assert [row["Name"] for row in content.group_rows] == ["Pothole"]
    assert content.details["received"]["value"] == 40
    assert content.overdue_total == 10
    assert len(content.overdue) == 10


def test_content_city_wide_groups_departments(dash_server):
    rt = runtime(dash_server)
    filters = Filters(*scenario.PERIOD, as_of=scenario.CLOCK)
    content = packet_content(rt.context, rt.reader, filters)
    assert [row["Name"] for row in content.group_rows] == [
        "Public Works",
        "Sanitation",
        "Water",
    ]
    sanitation = content.group_rows[1]
    assert sanitation["On-time rate"] == "insufficient data"


def test_unknown_department_is_packet_error(dash_server, tmp_path):
    rt = runtime(dash_server)
    filters = Filters(date(2026, 11, 2), date(2026, 11, 29), departments=("XX",))
    with pytest.raises(PacketError, match="unknown department 'XX'"):
        write_packet(
            rt.context,
            filters,
            tmp_path / "p.pdf",
            reader=rt.reader,
            now=scenario.CLOCK,
        )
