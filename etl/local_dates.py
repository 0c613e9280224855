"""UTC offsets of a city's time zone per UTC date, for local dates in DuckDB SQL.

DuckDB's ``timezone()`` calls ICU for every value (about 0.2 microseconds
each), and a full load converts about four million instants. Instead the UTC
offset is looked up once per UTC date that occurs in the data. The instants of
a date without an offset change share its offset. On a date with a change, the
exact second of the change is found by bisection. The derivation SQL joins
this small table (see ``LOCAL_DATE_SQL``). Offsets come from the city's
``ZoneInfo``, the same time-zone data as the rest of the Python code.

Assumes at most one offset change within any UTC date. In the tz database of
Debian 12's tzdata, no two changes of any zone since 1970 lie within 24 hours
of each other (checked by listing every zone's transitions with dateutil).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
# Offsets are read within these instants, so that converting to any zone stays
# in Python's datetime range. A date beyond them gets the offset at the nearer
# one.
FIRST = datetime(1, 1, 2, tzinfo=UTC)
LAST = datetime(9999, 12, 30, tzinfo=UTC)

# The city-local date of the naive-UTC timestamp {instant}, where {offset} is
# the alias of its date's day_offset row (joined on utc_date = {instant}::DATE).
LOCAL_DATE_SQL = (
    "({instant} + CASE WHEN {instant} >= {offset}.change_at "
    "THEN {offset}.offset_after ELSE {offset}.offset_before END)::DATE"
)

DAY_OFFSET_NAMES = ("utc_date", "offset_before", "change_at", "offset_after")
DAY_OFFSET_COLUMNS = (
    "utc_date DATE, offset_before INTERVAL, change_at TIMESTAMP, offset_after INTERVAL"
)


def day_offsets(utc_dates: Iterable[date], zone: ZoneInfo) -> dict[str, list]:
    """Return the day_offset columns for the given UTC dates, one row per date.

    ``offset_before`` is the offset at the date's first instant. Where the
    offset changes within the date, ``change_at`` is the naive-UTC instant of
    the change and ``offset_after`` the offset from then on. Otherwise both
    are null.
    """
    columns = {name: [] for name in DAY_OFFSET_NAMES}
    for utc_date in sorted(set(utc_dates)):
        start = datetime(utc_date.year, utc_date.month, utc_date.day, tzinfo=UTC)
        before, after = _offset(start, zone), _offset(min(start, LAST) + DAY, zone)
        change = None
        if after != before:
            change = _change_instant(start, zone).replace(tzinfo=None)
        columns["utc_date"].append(utc_date)
        columns["offset_before"].append(before)
        columns["change_at"].append(change)
        columns["offset_after"].append(after if change else None)
    return columns


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta:
    clamped = min(max(moment, FIRST), LAST)
    return clamped.astimezone(zone).utcoffset()


def _change_instant(start: datetime, zone: ZoneInfo) -> datetime:
    """Return the first whole second of the UTC date from ``start`` with the new offset.

    The tz database gives changes to the second.
    """
    settled = _offset(start + DAY, zone)
    low, high = 0, int(DAY.total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(start + timedelta(seconds=middle), zone) == settled:
            high = middle
        else:
            low = middle
    return start + timedelta(seconds=high)
