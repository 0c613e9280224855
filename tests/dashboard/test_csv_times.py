"""CSV exports write instants in the city's local time with the UTC offset."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.exports import csv_rows
from metrics.case_list import COLUMNS

NEW_YORK = ZoneInfo("America/New_York")


def exported(frame: pd.DataFrame) -> list[dict[str, str]]:
    text = "".join(csv_rows([frame], NEW_YORK))
    return list(csv.DictReader(io.StringIO(text)))


def case_frame(created: list[str], closed: list[str | None]) -> pd.DataFrame:
    frame = pd.DataFrame({name: [None] * len(created) for name in COLUMNS})
    frame["case_number"] = [f"26-00000{i}-0" for i in range(len(created))]
    frame["created_at"] = pd.to_datetime(created, utc=True)
    frame["closed_at"] = pd.to_datetime(closed, utc=True)
    return frame


def test_times_around_spring_forward():
    # Clocks in New York went from 02:00 EST to 03:00 EDT at 07:00 UTC on 8 March 2026.
    rows = exported(
        case_frame(
            ["2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z"],
            ["2026-03-09T15:00:00Z", None],
        )
    )
    assert rows[0]["created_at"] == "2026-03-08T01:30:00-0500"
    assert rows[1]["created_at"] == "2026-03-08T03:30:00-0400"
    assert rows[0]["closed_at"] == "2026-03-09T11:00:00-0400"
    assert rows[1]["closed_at"] == ""


def test_times_in_the_fall_back_hour():
    # 01:30 happened twice on 1 November 2026: at 05:30 and at 06:30 UTC.
    rows = exported(
        case_frame(["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"], [None, None])
    )
    first, second = (row["created_at"] for row in rows)
    assert first == "2026-11-01T01:30:00-0400"
    assert second == "2026-11-01T01:30:00-0500"
    parsed = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%S%z") for t in (first, second)]
    assert (parsed[1] - parsed[0]).total_seconds() == 3600
