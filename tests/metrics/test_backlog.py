from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pytest

from metrics import backlog
from metrics.filters import Filters
from tests.metrics.builder import Case, Event, local, write_warehouse
from tests.metrics.scenario import (
    DEPARTMENTS,
    END_OF_NOVEMBER,
    NOVEMBER,
    POTHOLE,
    PW,
    SERVICE_TYPES,
)

NOVEMBER_FILTERS = Filters(*NOVEMBER)


def _state(con, filters, at, by=None):
    return backlog.state(con, filters, at, by)


def test_state_end_of_november(con, november):
    row = _state(con, november, END_OF_NOVEMBER).iloc[0]
    assert row["open_backlog"] == 3  # H, J, K
    assert row["overdue_open"] == 2  # H, K


def test_state_by_department_at_time(con, november):
    frame = _state(con, november, END_OF_NOVEMBER, "department").set_index("key")
    assert frame.loc["PW", "open_backlog"] == 1  # J
    assert frame.loc["TR", "open_backlog"] == 2  # H, and K after its transfer


def test_state_before_transfer(con, november):
    frame = _state(con, november, local(2026, 10, 1, 12), "department")
    assert list(frame["key"]) == ["PW"]  # K still belonged to PW


def test_state_reopened_case_open(con, november):
    row = _state(con, november, local(2026, 11, 5, 12)).iloc[0]
    assert row["open_backlog"] == 4  # B, D reopened, E created at 12:00, K
    assert row["overdue_open"] == 2  # B (due 08:00) and K


def test_state_between_closures(con, november):
    row = _state(con, november, local(2026, 11, 4, 12)).iloc[0]
    assert row["open_backlog"] == 2  # B, K; D closed for the first time


def test_state_closed_before_created(con, november):
    before = _state(con, november, local(2026, 11, 7, 9)).iloc[0]
    after = _state(con, november, local(2026, 11, 7, 11)).iloc[0]
    assert before["open_backlog"] == 2  # D, K: G not yet created
    assert after["open_backlog"] == 2  # G's closure orders after its creation


def test_state_rejects_naive_time(con, november):
    with pytest.raises(ValueError, match="no UTC offset"):
        _state(con, november, END_OF_NOVEMBER.replace(tzinfo=None))


def test_state_week_breakdown_rejected(con, november):
    with pytest.raises(ValueError, match="needs a dated metric"):
        _state(con, november, END_OF_NOVEMBER, "week")


def test_aging(con, november):
    frame = backlog.aging(con, november, END_OF_NOVEMBER).set_index("bucket")
    assert frame.loc["0-2 days", "open"] == 1  # J, 1.5 days
    assert frame.loc["3-7 days", "open"] == 0
    assert frame.loc["8-30 days", "open"] == 1  # H, 10.6 days
    assert frame.loc["31-90 days", "open"] == 1  # K, 61.6 days
    assert frame.loc["over 90 days", "open"] == 0


def test_overdue_list(con, november):
    page = backlog.overdue_list(con, november, END_OF_NOVEMBER)
    assert page.total == 2
    assert list(page.rows["case_number"]) == ["26-000011-0", "26-000008-0"]
    assert list(page.rows["department"]) == ["TR", "TR"]
    assert list(page.rows["service_type"]) == ["pothole", "signal"]
    assert page.rows["days_overdue"].iloc[0] == pytest.approx(57 + 16 / 24)
    assert page.rows["days_overdue"].iloc[1] == pytest.approx(6 + 14 / 24)


def test_overdue_list_paging(con, november):
    page = backlog.overdue_list(con, november, END_OF_NOVEMBER, limit=1, offset=1)
    assert page.total == 2
    assert list(page.rows["case_number"]) == ["26-000008-0"]


DAILY = {
    date(2026, 11, 1): 1,  # K; A closed that evening
    date(2026, 11, 3): 3,  # B, D, K
    date(2026, 11, 4): 2,  # D closed
    date(2026, 11, 5): 3,  # D reopened; E created and merged the same day
    date(2026, 11, 7): 2,  # G never open
    date(2026, 11, 9): 1,
    date(2026, 11, 10): 2,
    date(2026, 11, 24): 3,
    date(2026, 11, 25): 2,
    date(2026, 11, 30): 3,
}


def test_backlog_series_daily(con, november):
    frame = backlog.backlog_series(con, november, "day").set_index("day")
    assert len(frame) == 30
    for day, expected in DAILY.items():
        assert frame.loc[day, "open_backlog"] == expected, day


def test_backlog_series_stops_at_as_of(con, november):
    at = replace(november, as_of=local(2026, 11, 5, 12))
    frame = backlog.backlog_series(con, at, "day")
    days = [date(2026, 11, d) for d in range(1, 6)]
    assert list(frame["day"]) == days
    # K; K and B; B, D and K; D closed; D reopened.
    assert list(frame["open_backlog"]) == [1, 2, 3, 2, 3]


def test_backlog_series_weekly(con, november):
    frame = backlog.backlog_series(con, november, "week")
    assert list(frame["day"]) == [date(2026, 11, d) for d in (1, 8, 15, 22, 29, 30)]
    assert list(frame["open_backlog"]) == [1, 2, 1, 2, 3, 3]


def test_backlog_series_matches_state(con, november):
    series = backlog.backlog_series(con, november, "day")
    for day, value in zip(series["day"], series["open_backlog"], strict=True):
        next_midnight = local(day.year, day.month, day.day) + timedelta(days=1)
        row = _state(con, november, next_midnight - timedelta(seconds=1)).iloc[0]
        assert row["open_backlog"] == value, day


def test_backlog_series_department(con):
    pw = Filters(date(2026, 10, 1), date(2026, 10, 3), departments=("PW",))
    frame = backlog.backlog_series(con, pw, "day")
    assert list(frame["open_backlog"]) == [1, 0, 0]  # K left PW on 2 October


def test_overdue_list_orders_ties_by_number(tmp_path):
    """Cases due at the same moment are listed by case number, across pages."""
    due = local(2026, 11, 10, 9)
    created = local(2026, 11, 9, 9)
    cases = [
        Case(
            case_id,
            POTHOLE,
            PW,
            created,
            created.date(),
            "new",
            [Event("created", created, created.date(), "new")],
            due_at=due if case_id != 5 else local(2026, 11, 11, 9),
        )
        # Inserted out of number order, so storage order cannot produce the result.
        for case_id in (4, 2, 5, 3, 1)
    ]
    path = write_warehouse(tmp_path / "ties.duckdb", DEPARTMENTS, SERVICE_TYPES, cases)
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        pages = [
            backlog.overdue_list(
                con, NOVEMBER_FILTERS, END_OF_NOVEMBER, limit=2, offset=o
            )
            for o in (0, 2, 4, 6)
        ]
    numbers = [list(page.rows["case_number"]) for page in pages]
    assert numbers == [
        ["26-000001-0", "26-000002-0"],
        ["26-000003-0", "26-000004-0"],
        ["26-000005-0"],
        [],
    ]
    assert [page.total for page in pages] == [5, 5, 5, 5]
