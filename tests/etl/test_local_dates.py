"""City-local dates through day_offset equal zoneinfo's, across offset changes."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pytest

from etl import transform
from etl.local_dates import LOCAL_DATE_SQL, day_offsets

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # changes by 30 minutes
    "Asia/Kathmandu",  # +05:30 to +05:45 in 1986
    "Pacific/Chatham",  # +12:45 and +13:45
    "America/St_Johns",  # -03:30 and -02:30
    "Africa/Casablanca",  # leaves DST for Ramadan, twice a year
    "Europe/Moscow",  # permanent changes in 2011 and 2014
    "UTC",
]


def changes_between(zone: ZoneInfo, first: datetime, last: datetime) -> list[datetime]:
    """Return the UTC instants of offset changes, found by sampling every 15 minutes.

    Independent of etl.local_dates, which looks per UTC date and bisects.
    """
    found = []
    step = timedelta(minutes=15)
    moment, offset = first, first.astimezone(zone).utcoffset()
    while moment < last:
        later = moment + step
        later_offset = later.astimezone(zone).utcoffset()
        if later_offset != offset:
            low, high = moment, later
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == later_offset:
                    high = middle
                else:
                    low = middle
            found.append(high.replace(microsecond=0))
        moment, offset = later, later_offset
    return found


def instants_for(zone: ZoneInfo) -> list[datetime]:
    """Return random instants of 1960 to 2040 and instants at the changes of 1986,
    2011, 2014, 2020 and 2021."""
    rng = random.Random(zone.key)
    start = datetime(1960, 1, 1, tzinfo=UTC)
    instants = [
        start + timedelta(seconds=rng.uniform(0, 80 * 365.25 * 86400))
        for _ in range(3000)
    ]
    for first, last in [(1986, 1987), (2011, 2012), (2014, 2015), (2020, 2022)]:
        window = (datetime(first, 1, 1, tzinfo=UTC), datetime(last, 1, 1, tzinfo=UTC))
        for change in changes_between(zone, *window):
            for delta in (-3600, -1, -1e-6, 0, 1e-6, 1, 3600):
                instants.append(change + timedelta(seconds=delta))
    # Around UTC midnight, where the UTC date and the local date differ.
    instants += [
        datetime(2021, 3, 14, 0, 0, tzinfo=UTC) + timedelta(hours=h)
        for h in range(-30, 30)
    ]
    return instants


def local_dates_in_duckdb(instants: list[datetime], zone: ZoneInfo) -> list[date]:
    naive = [i.astimezone(UTC).replace(tzinfo=None) for i in instants]
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    at = pa.array(naive, pa.timestamp("us"))
    connection.register("raw_case", pa.table({"created_at": at, "closed_at": at}))
    connection.register("raw_event", pa.table({"at": at}))
    transform.create_day_offsets(connection, zone)
    local = LOCAL_DATE_SQL.format(instant="e.at", offset="o")
    rows = connection.execute(
        f"SELECT {local} FROM (SELECT *, row_number() OVER () AS n FROM raw_event) e "
        "LEFT JOIN day_offset AS o ON o.utc_date = e.at::DATE ORDER BY e.n"
    ).fetchall()
    connection.close()
    return [row[0] for row in rows]


@pytest.mark.parametrize("zone_name", ZONES)
def test_local_dates_equal_zoneinfo(zone_name):
    zone = ZoneInfo(zone_name)
    instants = instants_for(zone)
    expected = [i.astimezone(zone).date() for i in instants]
    assert local_dates_in_duckdb(instants, zone) == expected


def test_new_york_dst_days():
    zone = ZoneInfo("America/New_York")
    # Clocks go forward at 07:00 UTC on 8 March and back at 06:00 UTC on 1 November.
    instants = [
        datetime(2026, 3, 8, 4, 59, 59, tzinfo=UTC),  # 23:59:59 EST, 7 March
        datetime(2026, 3, 8, 5, 0, 0, tzinfo=UTC),  # 00:00 EST, 8 March
        datetime(2026, 3, 9, 3, 59, 59, tzinfo=UTC),  # 23:59:59 EDT, 8 March
        datetime(2026, 3, 9, 4, 0, 0, tzinfo=UTC),  # 00:00 EDT, 9 March
        datetime(2026, 11, 1, 3, 59, 59, tzinfo=UTC),  # 23:59:59 EDT, 31 October
        datetime(2026, 11, 1, 5, 59, 59, tzinfo=UTC),  # 01:59:59 EDT, 1 November
        datetime(2026, 11, 2, 4, 59, 59, tzinfo=UTC),  # 23:59:59 EST, 1 November
        datetime(2026, 11, 2, 5, 0, 0, tzinfo=UTC),  # 00:00 EST, 2 November
    ]
    assert local_dates_in_duckdb(instants, zone) == [
        date(2026, 3, 7),
        date(2026, 3, 8),
        date(2026, 3, 8),
        date(2026, 3, 9),
        date(2026, 10, 31),
        date(2026, 11, 1),
        date(2026, 11, 1),
        date(2026, 11, 2),
    ]


def test_day_offsets_change_to_second():
    columns = day_offsets(
        [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 8)],
        ZoneInfo("America/New_York"),
    )
    assert columns == {
        "utc_date": [date(2026, 3, 8), date(2026, 3, 9)],
        "offset_before": [timedelta(hours=-5), timedelta(hours=-4)],
        "change_at": [datetime(2026, 3, 8, 7, 0), None],
        "offset_after": [timedelta(hours=-4), None],
    }


def test_far_dates_use_nearest_offset():
    zone = ZoneInfo("America/New_York")
    far = [datetime(1, 1, 1, 12, tzinfo=UTC), datetime(9999, 12, 31, 12, tzinfo=UTC)]
    assert local_dates_in_duckdb(far, zone) == [date(1, 1, 1), date(9999, 12, 31)]


def test_nulls_and_no_rows():
    connection = duckdb.connect()
    empty = pa.table({"created_at": pa.nulls(2, pa.timestamp("us"))})
    connection.register("raw_case", empty.append_column("closed_at", empty[0]))
    connection.register("raw_event", pa.table({"at": pa.nulls(0, pa.timestamp("us"))}))
    transform.create_day_offsets(connection, ZoneInfo("Europe/London"))
    assert connection.execute("SELECT count(*) FROM day_offset").fetchall() == [(0,)]
