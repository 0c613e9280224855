"""Business days and business hours of a city: holidays, opening hours, DST.

All instants are timezone-aware datetimes; results are in UTC. Business time is
real elapsed time inside the city's business hours on business days, so a working
day of 08:00-17:00 counts 9 hours even on a daylight-saving change.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from cases.city_model import CityConfig

# A calendar without a single business day in this many days is misconfigured.
MAX_DAYS_WITHOUT_BUSINESS = 366


def require_aware(value: datetime, name: str) -> None:
    """Raise ValueError naming the value unless it is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} {value!r} is not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} {value.isoformat()} has no time zone; pass an aware datetime "
            "(UTC, or use to_utc to read a city-local wall time)"
        )


def to_utc(local: datetime, timezone: ZoneInfo) -> datetime:
    """Read a naive city-local wall time as a UTC instant.

    A wall time inside the spring-forward gap does not exist, so it moves forward
    by the length of the gap: 02:30 on 2026-03-08 in New York becomes 03:30 EDT.
    A wall time that occurs twice when clocks fall back takes the first, daylight
    occurrence: 01:30 on 2026-11-01 becomes 01:30 EDT (05:30 UTC). Both follow
    from reading the wall time with ``fold=0`` in zoneinfo (PEP 495).
    """
    if local.tzinfo is not None:
        raise ValueError(
            f"local time {local.isoformat()} already has a time zone; "
            "use astimezone() to convert an aware datetime"
        )
    return local.replace(tzinfo=timezone, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class _YearIndex:
    """The business intervals of one local year with cumulative business time.

    ``before[i]`` is the business time in the year before ``starts[i]`` and
    ``after[i]`` the business time up to ``ends[i]``.
    """

    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]
    before: tuple[timedelta, ...]
    after: tuple[timedelta, ...]

    @property
    def total(self) -> timedelta:
        return self.after[-1] if self.after else timedelta(0)


class BusinessCalendar:
    """A city's holidays and business hours, with business-time arithmetic.

    Holidays and business intervals are computed once per year and cached in the
    instance, so build one calendar per city and reuse it.
    """

    def __init__(self, city: CityConfig) -> None:
        self.city = city
        self.timezone = city.timezone
        self.business_hours = city.business_hours
        self._holidays: dict[int, dict[date, str]] = {}
        self._years: dict[int, _YearIndex] = {}

    # --- dates and holidays -------------------------------------------------

    def local_date(self, at: datetime) -> date:
        """Return the city-local date of an instant."""
        require_aware(at, "at")
        return at.astimezone(self.timezone).date()

    def holidays_in(self, year: int) -> dict[date, str]:
        """Return the holidays of a local year, date to name."""
        found = self._holidays.get(year)
        if found is None:
            found = self._compute_holidays(year)
            self._holidays[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        _require_date(day)
        return self.holidays_in(day.year).get(day)

    def is_holiday(self, day: date) -> bool:
        return self.holiday_name(day) is not None

    def is_business_day(self, day: date) -> bool:
        """Return whether city offices are open on a local date."""
        _require_date(day)
        return day.weekday() in self.business_hours.weekdays and not self.is_holiday(
            day
        )

    def next_business_day(self, day: date) -> date:
        """Return the first business day strictly after a local date."""
        for offset in range(1, MAX_DAYS_WITHOUT_BUSINESS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError(
            f"no business day in the {MAX_DAYS_WITHOUT_BUSINESS} days after {day}; "
            "check business_hours.weekdays and the holidays in the city configuration"
        )

    def call_center_open(self, at: datetime) -> bool:
        """Return whether the 311 call center is open at an instant.

        The call center opens at ``start`` and closes at ``end`` (city-local wall
        time) on its weekdays; it is closed on holidays unless the configuration
        sets ``open_on_holidays``.
        """
        require_aware(at, "at")
        local = at.astimezone(self.timezone)
        hours = self.city.call_center_hours
        if local.weekday() not in hours.weekdays:
            return False
        if not hours.open_on_holidays and self.is_holiday(local.date()):
            return False
        return hours.start <= local.time() < hours.end

    # --- business days ------------------------------------------------------

    def start_of_business(self, day: date) -> datetime:
        """Return the UTC instant at which business hours begin on a local date."""
        return to_utc(datetime.combine(day, self.business_hours.start), self.timezone)

    def close_of_business(self, day: date) -> datetime:
        """Return the UTC instant at which business hours end on a local date."""
        return to_utc(datetime.combine(day, self.business_hours.end), self.timezone)

    def intake_day(self, at: datetime) -> date:
        """Return the business day on which a case filed at ``at`` counts as received.

        A case filed on a business day before close counts on that day, even when
        it is filed before opening. A case filed after close, on a weekend or on a
        holiday counts on the next business day.
        """
        require_aware(at, "at")
        day = self.local_date(at)
        if self.is_business_day(day) and at < self.close_of_business(day):
            return day
        return self.next_business_day(day)

    def add_business_days(self, start: date | datetime, days: int) -> date:
        """Return the local date ``days`` business days after the intake day.

        For an instant the intake day follows ``intake_day``. A date counts like a
        filing during that date, so a weekend or holiday first rolls forward to the
        next business day. Saturday plus 1 business day is therefore Tuesday when
        Monday is a business day, and Friday plus 1 is Monday.
        """
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ValueError(f"days {days!r} must be a whole number, 0 or more")
        if isinstance(start, datetime):
            day = self.intake_day(start)
        elif self.is_business_day(start):
            day = start
        else:
            day = self.next_business_day(start)
        for _ in range(days):
            day = self.next_business_day(day)
        return day

    # --- business hours -----------------------------------------------------

    @property
    def business_day_hours(self) -> float:
        """Length of a business day in hours, measured on the wall clock."""
        day = date(2000, 1, 3)
        start = datetime.combine(day, self.business_hours.start)
        end = datetime.combine(day, self.business_hours.end)
        return (end - start).total_seconds() / 3600

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time from start to end, negative when end is earlier."""
        require_aware(start, "start")
        require_aware(end, "end")
        if end < start:
            return -self.business_time_between(end, start)
        first_year = self.local_date(start).year
        last_year = self.local_date(end).year
        whole_years = sum(
            (self._year_index(year).total for year in range(first_year, last_year)),
            timedelta(0),
        )
        return whole_years + self._time_before(end) - self._time_before(start)

    def business_hours_between(self, start: datetime, end: datetime) -> float:
        """Return the business hours from start to end, negative when end is earlier."""
        return self.business_time_between(start, end).total_seconds() / 3600

    def business_days_between(self, start: datetime, end: datetime) -> float:
        """Return the business hours between two instants over the business-day length.

        A case filed Monday 08:00 and closed Tuesday 12:30 took 1.5 business days
        with hours of 08:00-17:00.
        """
        return self.business_hours_between(start, end) / self.business_day_hours

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """Return the earliest instant with ``duration`` of business time after start.

        Counting starts at the next opening when ``start`` is outside business hours,
        and a result that lands exactly on a close stays at that close rather than
        moving to the next opening.
        """
        require_aware(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"duration {duration} must not be negative")
        start = start.astimezone(UTC)
        if duration == timedelta(0):
            return start
        year = self.local_date(start).year
        index = self._year_index(year)
        target = self._time_before(start) + duration
        while target > index.total:
            if index.total == timedelta(0):
                raise ValueError(
                    f"no business time in {year}; check business_hours and the "
                    "holidays in the city configuration"
                )
            target -= index.total
            year += 1
            index = self._year_index(year)
        position = bisect_left(index.after, target)
        return index.starts[position] + (target - index.before[position])

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """Return the earliest instant with ``hours`` business hours after start."""
        if not hours >= 0:
            raise ValueError(f"hours {hours!r} must be 0 or more")
        return self.add_business_time(start, timedelta(hours=hours))

    # --- internals ----------------------------------------------------------

    def _compute_holidays(self, year: int) -> dict[date, str]:
        rules = self.city.holidays
        found: dict[date, str] = {}
        if rules.country is not None:
            # Neighbouring years too, because an observed day can fall in the year
            # before its holiday (New Year's Day 2022 was observed on 2021-12-31).
            listed = holidays.country_holidays(
                rules.country,
                subdiv=rules.subdivision,
                years=(year - 1, year, year + 1),
                observed=rules.observed,
            )
            found = {day: name for day, name in listed.items() if day.year == year}
        for day, name in rules.extra_holidays:
            if day.year == year:
                found[day] = f"{found[day]}; {name}" if day in found else name
        for day in rules.working_days:
            found.pop(day, None)
        return found

    def _year_index(self, year: int) -> _YearIndex:
        index = self._years.get(year)
        if index is None:
            index = self._build_year_index(year)
            self._years[year] = index
        return index

    def _build_year_index(self, year: int) -> _YearIndex:
        starts, ends, before, after = [], [], [], []
        total = timedelta(0)
        day = date(year, 1, 1)
        while day.year == year:
            if self.is_business_day(day):
                opening = self.start_of_business(day)
                closing = self.close_of_business(day)
                starts.append(opening)
                ends.append(closing)
                before.append(total)
                total += closing - opening
                after.append(total)
            day += timedelta(days=1)
        return _YearIndex(tuple(starts), tuple(ends), tuple(before), tuple(after))

    def _time_before(self, at: datetime) -> timedelta:
        """Return the business time in the local year of ``at`` before ``at``."""
        at = at.astimezone(UTC)
        index = self._year_index(self.local_date(at).year)
        position = bisect_right(index.starts, at) - 1
        if position < 0:
            return timedelta(0)
        return (
            index.before[position]
            + min(at, index.ends[position])
            - (index.starts[position])
        )


def _require_date(day: date) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"{day!r} is not a date; pass a city-local date, such as local_date(at)"
        )
