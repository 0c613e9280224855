"""The SLA clock: due dates from a service type's SLA, and pauses while on hold.

Inputs are timezone-aware datetimes and results are aware UTC datetimes; a naive
datetime raises ValueError. Read a city-local wall time with ``to_utc`` first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cases.business_calendar import BusinessCalendar, require_aware, to_utc
from cases.city_model import SLA

__all__ = ["BusinessCalendar", "compute_due_at", "extend_for_hold", "to_utc"]

CALENDAR_UNITS = frozenset({"calendar_hours", "calendar_days"})


def compute_due_at(
    created_at: datetime, sla: SLA | None, calendar: BusinessCalendar
) -> datetime | None:
    """Return when a case created at ``created_at`` is due, or None without an SLA.

    The rule for each unit is stated where it is applied below.
    """
    require_aware(created_at, "created_at")
    if sla is None:
        return None
    created = created_at.astimezone(UTC)

    if sla.unit == "calendar_hours":
        # Elapsed time. 48 hours from 20:00 EST on 2026-03-07 end at 21:00 EDT on
        # 2026-03-09, 49 hours later on the wall clock because the clocks sprang
        # forward. Across the fall-back change they span 47 wall-clock hours.
        return created + timedelta(hours=sla.value)

    if sla.unit == "calendar_days":
        # Same local wall time N days later, weekends and holidays included. A wall
        # time that does not exist or occurs twice is read by to_utc: forward past
        # the gap, or the first (daylight) occurrence.
        local = created.astimezone(calendar.timezone).replace(tzinfo=None)
        return to_utc(local + timedelta(days=int(sla.value)), calendar.timezone)

    if sla.unit == "business_hours":
        # Only time inside business hours on business days counts: a case filed on
        # a Saturday starts counting at Monday's opening, or Tuesday's when Monday
        # is a holiday.
        return calendar.add_business_hours(created, sla.value)

    # Business days: due at close of business on the Nth business day after the
    # intake day (day 0). The intake day is the filing date when the case is filed
    # on a business day before close, and otherwise the next business day. So 1
    # business day from Monday 10:00 is Tuesday 17:00. From Friday 18:00 it is
    # also Tuesday 17:00 when Monday is a business day.
    due_day = calendar.add_business_days(created, int(sla.value))
    return calendar.close_of_business(due_day)


def extend_for_hold(
    due_at: datetime | None,
    hold_start: datetime,
    hold_end: datetime,
    sla: SLA | None,
    calendar: BusinessCalendar,
) -> datetime | None:
    """Return the due date moved later by the time a case spent on hold.

    Used for service types with ``pause_on_hold``. The time on hold is measured in
    the SLA's own kind of time: elapsed time for calendar units, business time for
    business units (a hold from Friday 16:00 to Monday 10:00 adds 3 business hours).
    For business days the extended due date may therefore fall inside a business
    day rather than at close. A hold that begins at or after the due date does not
    move it, because the SLA was already missed when the clock would have paused.
    Apply each hold separately in time order, each time to the due date that the
    previous call returned. Without an SLA or a due date, ``due_at`` is returned
    unchanged.
    """
    require_aware(hold_start, "hold_start")
    require_aware(hold_end, "hold_end")
    if hold_end < hold_start:
        raise ValueError(
            f"hold_end {hold_end.isoformat()} is before "
            f"hold_start {hold_start.isoformat()}"
        )
    if due_at is None or sla is None:
        return due_at
    require_aware(due_at, "due_at")
    due = due_at.astimezone(UTC)
    if hold_start >= due:
        return due

    if sla.unit in CALENDAR_UNITS:
        return due + (hold_end - hold_start)
    time_on_hold = calendar.business_time_between(hold_start, hold_end)
    return calendar.add_business_time(due, time_on_hold)
