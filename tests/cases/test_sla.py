"""Tests for the business calendar and the SLA clock, with hand-computed dates.

Wilmington is in America/New_York: EST is UTC-5 and EDT is UTC-4. Business hours
are 08:00-17:00 Monday to Friday; 2026 holidays include Memorial Day (May 25),
Independence Day observed (July 3), Election Day (November 3), Thanksgiving and
the day after (November 26 and 27).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.city import SLA, city_config_path, load_city
from cases.sla import BusinessCalendar, compute_due_at, extend_for_hold, to_utc

NEW_YORK = ZoneInfo("America/New_York")


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def local(*fields: int) -> datetime:
    """Build an aware New York wall time that exists and is unambiguous."""
    return datetime(*fields, tzinfo=NEW_YORK)


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar(load_city("wilmington"))


# --- holidays and business days ---


def test_holidays_2026(calendar):
    assert calendar.is_holiday(date(2026, 5, 25))
    assert calendar.is_holiday(date(2026, 7, 3))
    assert calendar.is_holiday(date(2026, 7, 4))
    assert calendar.is_holiday(date(2026, 11, 3))
    assert calendar.is_holiday(date(2026, 11, 27))
    assert not calendar.is_holiday(date(2026, 5, 26))
    assert calendar.holiday_name(date(2026, 5, 25)) == "Memorial Day"


def test_observed_in_previous_year(calendar):
    # New Year's Day 2022 fell on a Saturday and was observed on Friday.
    assert calendar.is_holiday(date(2021, 12, 31))
    assert not calendar.is_business_day(date(2021, 12, 31))


def test_business_days(calendar):
    assert calendar.is_business_day(date(2026, 5, 22))
    assert not calendar.is_business_day(date(2026, 5, 23))
    assert not calendar.is_business_day(date(2026, 5, 25))
    assert not calendar.is_business_day(date(2026, 7, 3))
    assert calendar.next_business_day(date(2026, 5, 22)) == date(2026, 5, 26)


def test_is_holiday_rejects_datetime(calendar):
    with pytest.raises(TypeError, match="is not a date"):
        calendar.is_holiday(local(2026, 5, 25, 12))


def test_local_date(calendar):
    # 02:00 UTC on May 23 is 22:00 EDT on May 22.
    assert calendar.local_date(utc(2026, 5, 23, 2)) == date(2026, 5, 22)


def wilmington_variant(tmp_path: Path, old: str, new: str) -> BusinessCalendar:
    source = city_config_path("wilmington").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "variant.toml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return BusinessCalendar(load_city(str(path)))


def test_extra_holidays_and_working_days(tmp_path):
    source = city_config_path("wilmington").read_text(encoding="utf-8")
    source = source.replace(
        "extra_holidays = []",
        'extra_holidays = [{ date = 2026-12-24, name = "Christmas Eve" }]',
    ).replace("working_days = []", "working_days = [2026-11-03]")
    path = tmp_path / "closures.toml"
    path.write_text(source, encoding="utf-8")
    closures = BusinessCalendar(load_city(str(path)))
    assert closures.holiday_name(date(2026, 12, 24)) == "Christmas Eve"
    assert not closures.is_business_day(date(2026, 12, 24))
    assert not closures.is_holiday(date(2026, 11, 3))
    assert closures.is_business_day(date(2026, 11, 3))


def test_observed_days_off(tmp_path):
    unobserved = wilmington_variant(tmp_path, "observed = true", "observed = false")
    assert not unobserved.is_holiday(date(2026, 7, 3))
    assert unobserved.is_holiday(date(2026, 7, 4))


def test_add_business_days_from_dates(calendar):
    assert calendar.add_business_days(date(2026, 5, 15), 1) == date(2026, 5, 18)
    assert calendar.add_business_days(date(2026, 5, 16), 1) == date(2026, 5, 19)
    assert calendar.add_business_days(date(2026, 5, 16), 0) == date(2026, 5, 18)
    assert calendar.add_business_days(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_add_business_days_from_instants(calendar):
    assert calendar.add_business_days(local(2026, 5, 22, 16, 59), 1) == date(
        2026, 5, 26
    )
    assert calendar.add_business_days(local(2026, 5, 22, 17, 0), 1) == date(2026, 5, 27)
    assert calendar.add_business_days(local(2026, 5, 22, 6, 0), 1) == date(2026, 5, 26)


def test_add_business_days_rejects_negative(calendar):
    with pytest.raises(ValueError, match="days -1 must be a whole number"):
        calendar.add_business_days(date(2026, 5, 22), -1)


# --- call center ---


@pytest.mark.parametrize(
    ("hour", "minute", "is_open"),
    [(7, 29, False), (7, 30, True), (19, 29, True), (19, 30, False)],
)
def test_call_center_weekday(calendar, hour, minute, is_open):
    assert calendar.call_center_open(local(2026, 5, 20, hour, minute)) is is_open


@pytest.mark.parametrize(("hour", "minute"), [(7, 29), (7, 30), (19, 29), (19, 30)])
def test_call_center_saturday(calendar, hour, minute):
    assert calendar.call_center_open(local(2026, 5, 23, hour, minute)) is False


@pytest.mark.parametrize(("hour", "minute"), [(7, 29), (7, 30), (19, 29), (19, 30)])
def test_call_center_holiday(calendar, hour, minute):
    assert calendar.call_center_open(local(2026, 5, 25, hour, minute)) is False


def test_call_center_converts_to_city_time(calendar):
    # 11:30 UTC is 07:30 EDT on a Wednesday.
    assert calendar.call_center_open(utc(2026, 5, 20, 11, 30)) is True
    assert calendar.call_center_open(utc(2026, 5, 20, 11, 29)) is False


# --- business time between instants ---


def test_hours_between_weekend(calendar):
    # Friday 15:00-17:00 and Monday 08:00-10:00.
    start, end = local(2026, 5, 15, 15), local(2026, 5, 18, 10)
    assert calendar.business_hours_between(start, end) == 4


def test_hours_between_holiday_weekend(calendar):
    # Friday 15:00-17:00, Memorial Day closed, Tuesday 08:00-10:00.
    start, end = local(2026, 5, 22, 15), local(2026, 5, 26, 10)
    assert calendar.business_hours_between(start, end) == 4


def test_hours_between_new_year(calendar):
    # Wed Dec 30 16:00-17:00, Thu Dec 31 9 hours, Fri Jan 1 closed, Mon 08:00-09:00.
    start, end = local(2026, 12, 30, 16), local(2027, 1, 4, 9)
    assert calendar.business_hours_between(start, end) == 11


def test_hours_between_reversed(calendar):
    start, end = local(2026, 5, 15, 15), local(2026, 5, 18, 10)
    assert calendar.business_hours_between(end, start) == -4


def test_hours_between_outside_hours(calendar):
    start, end = local(2026, 5, 23, 9), local(2026, 5, 24, 18)
    assert calendar.business_hours_between(start, end) == 0


def test_days_between(calendar):
    start, end = local(2026, 5, 18, 8), local(2026, 5, 19, 12, 30)
    assert calendar.business_days_between(start, end) == 1.5


# --- due dates ---


def test_no_sla(calendar):
    assert compute_due_at(local(2026, 5, 22, 10), None, calendar) is None


def test_business_days_memorial_day(calendar):
    created = local(2026, 5, 22, 10)  # Friday before Memorial Day
    due = compute_due_at(created, SLA(1, "business_days"), calendar)
    assert due == utc(2026, 5, 26, 21)  # Tuesday 17:00 EDT
    due = compute_due_at(created, SLA(3, "business_days"), calendar)
    assert due == utc(2026, 5, 28, 21)  # Thursday 17:00 EDT


def test_business_days_after_close(calendar):
    # Filed Friday after close: counts from Tuesday, so due Wednesday 17:00 EDT.
    created = local(2026, 5, 22, 18)
    due = compute_due_at(created, SLA(1, "business_days"), calendar)
    assert due == utc(2026, 5, 27, 21)


def test_business_days_thanksgiving(calendar):
    # Wednesday; Thursday and Friday are holidays; due Tuesday Dec 1 17:00 EST.
    created = local(2026, 11, 25, 12)
    due = compute_due_at(created, SLA(2, "business_days"), calendar)
    assert due == utc(2026, 12, 1, 22)


def test_calendar_hours_spring_forward(calendar):
    created = local(2026, 3, 7, 20)  # 01:00 UTC on March 8
    due = compute_due_at(created, SLA(48, "calendar_hours"), calendar)
    assert due == utc(2026, 3, 10, 1)
    assert due - created == timedelta(hours=48)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 3, 9, 21)


def test_calendar_hours_fall_back(calendar):
    created = local(2026, 10, 31, 20)  # 00:00 UTC on November 1
    due = compute_due_at(created, SLA(48, "calendar_hours"), calendar)
    assert due == utc(2026, 11, 3, 0)
    assert due.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2026, 11, 2, 19)


def test_calendar_days_spring_forward(calendar):
    # 09:00 EST to 09:00 EDT: 47 elapsed hours.
    due = compute_due_at(local(2026, 3, 7, 9), SLA(2, "calendar_days"), calendar)
    assert due == utc(2026, 3, 9, 13)


def test_calendar_days_fall_back(calendar):
    # 09:00 EDT to 09:00 EST: 49 elapsed hours.
    due = compute_due_at(local(2026, 10, 31, 9), SLA(2, "calendar_days"), calendar)
    assert due == utc(2026, 11, 2, 14)


def test_calendar_days_into_gap(calendar):
    # 02:30 on March 8 does not exist; it moves forward to 03:30 EDT.
    due = compute_due_at(local(2026, 3, 7, 2, 30), SLA(1, "calendar_days"), calendar)
    assert due == utc(2026, 3, 8, 7, 30)


def test_calendar_days_into_ambiguous_hour(calendar):
    # 01:30 on November 1 occurs twice; the first (EDT) is chosen.
    due = compute_due_at(local(2026, 10, 31, 1, 30), SLA(1, "calendar_days"), calendar)
    assert due == utc(2026, 11, 1, 5, 30)


def test_business_hours_saturday(calendar):
    created = local(2026, 5, 16, 11)  # Saturday
    due = compute_due_at(created, SLA(8, "business_hours"), calendar)
    assert due == utc(2026, 5, 18, 20)  # Monday 16:00 EDT
    due = compute_due_at(created, SLA(12, "business_hours"), calendar)
    assert due == utc(2026, 5, 19, 15)  # Tuesday 11:00 EDT


def test_business_hours_saturday_before_holiday(calendar):
    created = local(2026, 5, 23, 11)  # Saturday before Memorial Day
    due = compute_due_at(created, SLA(8, "business_hours"), calendar)
    assert due == utc(2026, 5, 26, 20)  # Tuesday 16:00 EDT


def test_business_hours_end_at_close(calendar):
    created = local(2026, 5, 18, 8)
    due = compute_due_at(created, SLA(9, "business_hours"), calendar)
    assert due == utc(2026, 5, 18, 21)  # Monday 17:00 EDT, not Tuesday 08:00


def test_due_at_is_utc(calendar):
    due = compute_due_at(local(2026, 5, 18, 8), SLA(4, "calendar_hours"), calendar)
    assert due.tzinfo is UTC


def test_naive_created_at(calendar):
    with pytest.raises(ValueError, match="created_at 2026-05-01T10:00:00 has no time"):
        compute_due_at(datetime(2026, 5, 1, 10), SLA(4, "calendar_hours"), calendar)


# --- holds ---


def test_hold_calendar_hours(calendar):
    due = utc(2026, 5, 22, 12)
    extended = extend_for_hold(
        due,
        utc(2026, 5, 21, 10),
        utc(2026, 5, 21, 13, 30),
        SLA(48, "calendar_hours"),
        calendar,
    )
    assert extended == utc(2026, 5, 22, 15, 30)


def test_hold_calendar_days(calendar):
    # A hold across a weekend counts every elapsed hour: 2 days and 2 hours.
    due = utc(2026, 5, 27, 14)
    extended = extend_for_hold(
        due,
        utc(2026, 5, 22, 12),
        utc(2026, 5, 24, 14),
        SLA(7, "calendar_days"),
        calendar,
    )
    assert extended == utc(2026, 5, 29, 16)


def test_hold_business_hours(calendar):
    # Friday 16:00-17:00 and Monday 08:00-10:00: 3 business hours.
    due = local(2026, 5, 20, 12)
    extended = extend_for_hold(
        due,
        local(2026, 5, 15, 16),
        local(2026, 5, 18, 10),
        SLA(24, "business_hours"),
        calendar,
    )
    assert extended == utc(2026, 5, 20, 19)  # Wednesday 15:00 EDT


def test_hold_business_days(calendar):
    # Friday 15:00-17:00, Memorial Day closed, Tuesday 08:00-09:00: 3 business
    # hours, added after the Tuesday 17:00 due date: Wednesday 11:00 EDT.
    due = local(2026, 5, 26, 17)
    extended = extend_for_hold(
        due,
        local(2026, 5, 22, 15),
        local(2026, 5, 26, 9),
        SLA(1, "business_days"),
        calendar,
    )
    assert extended == utc(2026, 5, 27, 15)


def test_hold_over_weekend_business_units(calendar):
    due = local(2026, 5, 20, 12)
    extended = extend_for_hold(
        due,
        local(2026, 5, 16, 9),
        local(2026, 5, 17, 18),
        SLA(24, "business_hours"),
        calendar,
    )
    assert extended == due


def test_hold_after_due(calendar):
    due = utc(2026, 5, 22, 12)
    extended = extend_for_hold(
        due,
        utc(2026, 5, 22, 12),
        utc(2026, 5, 23, 12),
        SLA(48, "calendar_hours"),
        calendar,
    )
    assert extended == due


def test_hold_without_sla(calendar):
    start, end = utc(2026, 5, 21, 10), utc(2026, 5, 21, 13)
    assert extend_for_hold(None, start, end, None, calendar) is None


def test_hold_end_before_start(calendar):
    with pytest.raises(ValueError, match="hold_end .* is before hold_start"):
        extend_for_hold(
            utc(2026, 5, 22, 12),
            utc(2026, 5, 21, 13),
            utc(2026, 5, 21, 10),
            SLA(48, "calendar_hours"),
            calendar,
        )


# --- reading local wall times ---


def test_to_utc_gap():
    assert to_utc(datetime(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)


def test_to_utc_ambiguous():
    assert to_utc(datetime(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


def test_to_utc_plain():
    assert to_utc(datetime(2026, 5, 20, 8), NEW_YORK) == utc(2026, 5, 20, 12)


def test_to_utc_rejects_aware():
    with pytest.raises(ValueError, match="already has a time zone"):
        to_utc(utc(2026, 5, 20, 8), NEW_YORK)


# --- properties ---

INSTANTS = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.just(UTC),
)
HOUR_SLAS = st.builds(
    SLA,
    st.floats(min_value=0.25, max_value=2000, allow_nan=False),
    st.sampled_from(["calendar_hours", "business_hours"]),
)
DAY_SLAS = st.builds(
    SLA,
    st.integers(min_value=1, max_value=60).map(float),
    st.sampled_from(["calendar_days", "business_days"]),
)


@settings(max_examples=300, deadline=None)
@given(created=INSTANTS, sla=st.one_of(HOUR_SLAS, DAY_SLAS))
def test_due_not_before_created(calendar, created, sla):
    assert compute_due_at(created, sla, calendar) >= created


@settings(max_examples=300, deadline=None)
@given(
    created=INSTANTS,
    hours=st.floats(min_value=0.25, max_value=2000, allow_nan=False),
)
def test_business_hours_round_trip(calendar, created, hours):
    due = compute_due_at(created, SLA(hours, "business_hours"), calendar)
    assert calendar.business_hours_between(created, due) == pytest.approx(
        hours, abs=1e-6
    )


@settings(max_examples=200, deadline=None)
@given(created=INSTANTS, days=st.integers(min_value=1, max_value=30))
def test_business_days_due_at_close(calendar, created, days):
    due = compute_due_at(created, SLA(days, "business_days"), calendar)
    local_due = due.astimezone(NEW_YORK)
    assert local_due.time() == calendar.business_hours.end
    assert calendar.is_business_day(local_due.date())


@settings(max_examples=200, deadline=None)
@given(
    created=INSTANTS,
    sla=st.one_of(HOUR_SLAS, DAY_SLAS),
    hold_offset=st.floats(min_value=0, max_value=500, allow_nan=False),
    hold_hours=st.floats(min_value=0, max_value=500, allow_nan=False),
)
def test_hold_never_moves_due_earlier(calendar, created, sla, hold_offset, hold_hours):
    due = compute_due_at(created, sla, calendar)
    hold_start = created + timedelta(hours=hold_offset)
    hold_end = hold_start + timedelta(hours=hold_hours)
    assert extend_for_hold(due, hold_start, hold_end, sla, calendar) >= due
