from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cases.city import load_city
from metrics import citistat
from metrics.filters import Filters
from metrics.registry import HEADLINE
from tests.metrics.builder import local
from tests.metrics.scenario import END_OF_NOVEMBER


def _clock():
    return END_OF_NOVEMBER


@pytest.fixture(scope="module")
def wilmington():
    return load_city("wilmington")


def test_compute_headline_values(con, november):
    result = citistat.compute(con, november, clock=_clock, min_n=1)
    values = result["metrics"]
    assert list(values) == list(HEADLINE)
    assert values["received"] == 11
    assert values["closed"] == 11
    assert values["time_to_close_median_hours"] == pytest.approx(36.5)
    assert values["time_to_close_p90_hours"] == pytest.approx(110.4)
    assert values["first_response_median_hours"] == 1.0
    assert values["on_time_rate"] == 0.75
    assert values["overdue_open"] == 2
    assert values["open_backlog"] == 3
    assert values["clearance_rate"] == 1.0
    assert values["resolution_rate"] == pytest.approx(6 / 9)
    assert values["reopen_rate"] == pytest.approx(0.1)
    assert values["duplicate_share"] == pytest.approx(1 / 11)


def test_compute_is_json_ready(con, november):
    result = citistat.compute(con, november, by="week", clock=_clock, min_n=1)
    assert json.loads(json.dumps(result))["metrics"]["received"] == 11


def test_compute_insufficient_data(con, november):
    result = citistat.compute(con, november, clock=_clock)
    detail = result["details"]["on_time_rate"]
    assert detail["value"] is None
    assert detail["n"] == 8
    assert detail["reason"] == "insufficient data"
    assert result["metrics"]["received"] == 11  # counts have no minimum


def test_compute_previous_period(con, november):
    result = citistat.compute(con, november, clock=_clock, min_n=1)
    assert result["previous_period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    # K (1 October) and A (31 October).
    assert result["details"]["received"]["previous"] == 2
    assert result["details"]["closed"]["previous"] == 0
    # As of a month earlier, 1 November 00:00 EDT: A and K open, K overdue.
    assert result["details"]["open_backlog"]["previous"] == 2
    assert result["details"]["overdue_open"]["previous"] == 1
    assert result["details"]["on_time_rate"]["previous"] is None


def test_as_of_in_utc_keeps_local_midnight(con, november, wilmington):
    """The same instant given in UTC must not move the previous as-of by the
    daylight-saving hour: 30 days before 1 December 00:00 EST is 1 November
    00:00 EDT, not 01:00."""
    default = citistat.compute(con, november, wilmington, clock=_clock, min_n=1)
    midnight = datetime(2026, 12, 1, 5, tzinfo=UTC)
    utc_filters = Filters(november.start, november.end, as_of=midnight)
    in_utc = citistat.compute(con, utc_filters, wilmington, clock=_clock, min_n=1)
    for name in ("open_backlog", "overdue_open"):
        assert (
            in_utc["details"][name]["previous"]
            == (default["details"][name]["previous"])
        )
    assert in_utc["as_of"] == default["as_of"] == "2026-12-01T00:00:00-05:00"


def test_compute_period_to_date(con, november, wilmington):
    """At noon on 5 November, November to date is 1-5 November, compared
    with 1-5 October, the first five days of the month before."""
    at = Filters(november.start, november.end, as_of=local(2026, 11, 5, 12))
    result = citistat.compute(con, at, wilmington, clock=_clock, min_n=1)
    assert result["to_date"] is True
    assert result["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert result["period_to_date"] == {"from": "2026-11-01", "to": "2026-11-05"}
    assert result["previous_period"] == {"from": "2026-10-01", "to": "2026-10-05"}
    assert result["year_earlier_period"] == {"from": "2025-11-01", "to": "2025-11-05"}
    # B (2nd), D (3rd) and E (5th); K on 1 October, where the whole month
    # also has A (31 October).
    assert result["metrics"]["received"] == 3
    assert result["details"]["received"]["previous"] == 1
    # A (1st), D's first closure (4th) and E (5th).
    assert result["metrics"]["closed"] == 3
    # 5 October at noon: K is open and overdue (due 4 October).
    assert result["details"]["open_backlog"]["previous"] == 1
    assert result["details"]["overdue_open"]["previous"] == 1


def test_compute_whole_period_not_to_date(con, november, wilmington):
    result = citistat.compute(con, november, wilmington, clock=_clock, min_n=1)
    assert result["to_date"] is False
    assert result["period_to_date"] == {"from": "2026-11-01", "to": "2026-11-30"}


def test_compute_year_earlier(con, november):
    result = citistat.compute(con, november, clock=_clock, min_n=1)
    assert result["year_earlier_period"] == {"from": "2025-11-01", "to": "2025-11-30"}
    # November 2025 ends before the first case (1 October 2026): unknown, not 0.
    assert result["details"]["received"]["year_earlier"] is None
    assert result["details"]["open_backlog"]["year_earlier"] is None


def test_compute_comparison_partly_covered(con):
    october = Filters(date(2026, 10, 1), date(2026, 10, 31))
    result = citistat.compute(con, october, clock=_clock, min_n=1)
    assert result["details"]["received"]["previous"] is None  # September
    assert result["metrics"]["received"] == 2  # K and A


def test_compute_as_of_overrides_clock(con, november):
    at = Filters(november.start, november.end, as_of=local(2026, 11, 5, 12))
    result = citistat.compute(con, at, clock=_clock, min_n=1)
    assert result["metrics"]["open_backlog"] == 4
    assert result["as_of"] == "2026-11-05T12:00:00-05:00"


def test_compute_targets_and_scores(con, november, wilmington):
    result = citistat.compute(con, november, wilmington, clock=_clock, min_n=1)
    on_time = result["details"]["on_time_rate"]
    assert on_time["target"] == 0.85
    assert on_time["score"] == pytest.approx(0.75 / 0.85)
    median = result["details"]["time_to_close_median_hours"]
    assert median["target"] == 120
    assert median["score"] == pytest.approx(120 / 36.5)  # lower is better
    assert result["details"]["open_backlog"]["target"] is None  # per department


def test_compute_department_target(con, november, wilmington):
    pw = Filters(november.start, november.end, departments=("PW",))
    result = citistat.compute(con, pw, wilmington, clock=_clock, min_n=1)
    backlog = result["details"]["open_backlog"]
    assert backlog["value"] == 1
    assert backlog["target"] == 400
    assert backlog["score"] == 400.0


def test_count_targets_skip_part_of_a_department(con, november, wilmington):
    phone = Filters(
        november.start, november.end, departments=("PW",), channels=("phone",)
    )
    result = citistat.compute(con, phone, wilmington, clock=_clock, min_n=1)
    assert result["details"]["open_backlog"]["target"] is None
    assert result["details"]["overdue_open"]["target"] is None
    assert result["details"]["on_time_rate"]["target"] == 0.85


def test_count_targets_skip_type_rows(con, november, wilmington):
    pw = Filters(november.start, november.end, departments=("PW",))
    result = citistat.compute(
        con, pw, wilmington, by="service_type", clock=_clock, min_n=1
    )
    for row in result["rows"]:
        assert row["details"]["open_backlog"]["target"] is None
        assert row["details"]["on_time_rate"]["target"] == 0.85


def test_compute_by_department(con, november, wilmington):
    result = citistat.compute(
        con, november, wilmington, by="department", clock=_clock, min_n=1
    )
    rows = {row["department"]: row for row in result["rows"]}
    assert set(rows) == {"PW", "TR"}
    assert rows["PW"]["metrics"]["received"] == 6
    assert rows["TR"]["metrics"]["open_backlog"] == 2
    assert rows["PW"]["details"]["open_backlog"]["target"] == 400
    assert rows["TR"]["details"]["open_backlog"]["target"] is None  # not configured
    assert rows["TR"]["details"]["closed"]["previous"] == 0


def test_compute_without_comparisons(con, november, wilmington):
    full = citistat.compute(
        con, november, wilmington, by="department", clock=_clock, min_n=1
    )
    alone = citistat.compute(
        con,
        november,
        wilmington,
        by="department",
        clock=_clock,
        min_n=1,
        comparisons=False,
    )
    assert alone["metrics"] == full["metrics"]
    assert alone["metrics"]["received"] == 11
    assert alone["details"]["received"]["previous"] is None
    assert alone["details"]["received"]["year_earlier"] is None
    rows = {row["department"]: row for row in alone["rows"]}
    assert rows["PW"]["metrics"]["received"] == 6
    assert rows["TR"]["metrics"]["open_backlog"] == 2
    assert rows["TR"]["details"]["closed"]["previous"] is None
    assert rows["PW"]["details"]["on_time_rate"]["rank"] == 2
    for row, full_row in zip(alone["rows"], full["rows"], strict=True):
        assert row["metrics"] == full_row["metrics"]


def test_compute_previous_period_only(con, november, wilmington):
    full = citistat.compute(
        con, november, wilmington, by="department", clock=_clock, min_n=1
    )
    previous = citistat.compute(
        con,
        november,
        wilmington,
        by="department",
        clock=_clock,
        min_n=1,
        comparisons=("previous",),
    )
    assert previous["metrics"] == full["metrics"]
    for name, detail in previous["details"].items():
        assert detail["previous"] == full["details"][name]["previous"], name
        assert detail["year_earlier"] is None, name
    rows = {row["department"]: row["details"] for row in previous["rows"]}
    assert rows["TR"]["closed"]["previous"] == 0
    assert rows["TR"]["open_backlog"]["year_earlier"] is None


def test_compute_rejects_unknown_comparison(con, november):
    with pytest.raises(ValueError, match="'last_week'"):
        citistat.compute(con, november, clock=_clock, comparisons=("last_week",))


def test_compute_ranks(con, november):
    result = citistat.compute(con, november, by="department", clock=_clock, min_n=1)
    rows = {row["department"]: row["details"] for row in result["rows"]}
    # PW: B late, D late of A, B, D, E => 2/4; TR: C, I, L, M all on time.
    assert rows["PW"]["on_time_rate"]["value"] == 0.5
    assert rows["TR"]["on_time_rate"]["rank"] == 1
    assert rows["PW"]["on_time_rate"]["rank"] == 2
    assert rows["PW"]["received"]["rank"] is None  # no better direction


def test_compute_small_groups_unranked(con, november):
    result = citistat.compute(con, november, by="department", clock=_clock)
    for row in result["rows"]:
        assert row["details"]["on_time_rate"]["value"] is None
        assert row["details"]["on_time_rate"]["reason"] == "insufficient data"
        assert row["details"]["on_time_rate"]["rank"] is None


def test_compute_by_week(con, november):
    result = citistat.compute(con, november, by="week", clock=_clock, min_n=1)
    first = result["rows"][0]
    assert first["week"] == "2026-10-26"
    assert first["metrics"]["closed"] == 1
    assert first["metrics"]["open_backlog"] is None
    assert first["details"]["closed"]["previous"] is None


def test_compute_unknown_metric(con, november):
    with pytest.raises(KeyError, match="unknown metric 'speed'"):
        citistat.compute(con, november, names=["speed"], clock=_clock)


def test_compute_extra_figures(con, november):
    names = ["time_to_close_mean_hours", "business_days_to_close_median"]
    result = citistat.compute(con, november, names=names, clock=_clock, min_n=1)
    assert result["metrics"]["business_days_to_close_median"] == 1.0
    assert result["metrics"]["time_to_close_mean_hours"] == pytest.approx(
        (392 + 4 / 60) / 8
    )


def test_scorecard(con, november):
    result = citistat.compute(con, november, clock=_clock, min_n=1)
    frame = citistat.scorecard(result)
    assert list(frame["metric"]) == list(HEADLINE)
    assert "previous" in frame.columns


def test_compute_empty_year(con):
    empty = Filters(date(2019, 1, 1), date(2019, 12, 31))
    result = citistat.compute(con, empty, clock=_clock)
    assert result["metrics"]["received"] == 0
    assert result["metrics"]["on_time_rate"] is None
    assert result["details"]["on_time_rate"]["reason"] == "no cases with a due date"
    assert result["details"]["time_to_close_median_hours"]["reason"] == "no cases"
