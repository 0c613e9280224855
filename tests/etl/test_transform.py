"""Every derived column of fact_case, fact_case_event and the dimensions, on
hand-written histories with hand-computed expected values (Testville:
America/New_York, business days Monday to Friday, US and Delaware holidays)."""

from __future__ import annotations

from datetime import date

import pytest

from etl import load, warehouse
from tests.etl.conftest import Event, as_dicts, utc

SEEN = utc(2026, 11, 20, 12)


@pytest.fixture
def snapshot(settings, engine, city, writer):
    """Run one full load over the histories the test wrote, then open the snapshot."""

    def run():
        load.run(settings, engine, city, full=True)
        return warehouse.open_snapshot(settings)

    return run


def fact_case(connection, case_id: int) -> dict:
    return as_dicts(connection, "SELECT * FROM fact_case WHERE case_id = ?", [case_id])[
        0
    ]


def events_of(connection, case_id: int) -> list[dict]:
    return as_dicts(
        connection,
        "SELECT * FROM fact_case_event WHERE case_id = ? "
        "ORDER BY kind <> 'created', \"at\", event_id",
        [case_id],
    )


def test_closed_case_durations(writer, snapshot):
    # Tuesday 2026-06-02 10:00 EDT; acknowledged 2 h later; closed Thursday 14:00 EDT.
    created = utc(2026, 6, 2, 14)
    writer.write(
        1,
        [
            writer.created(created, "POTHOLE", due_at=utc(2026, 6, 5, 21)),
            Event("acknowledged", utc(2026, 6, 2, 16), {"status": "acknowledged"}),
            Event(
                "closed",
                utc(2026, 6, 4, 18),
                {"status": "closed", "outcome": "resolved", "parent_id": None},
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
    assert row["status"] == "closed"
    assert row["is_open"] is False
    assert row["is_duplicate"] is False
    assert row["outcome"] == "resolved"
    assert row["created_date"] == date(2026, 6, 2)
    assert row["closed_date"] == date(2026, 6, 4)
    assert row["hours_to_close"] == 52.0
    assert row["hours_to_first_response"] == 2.0
    assert row["business_days_to_close"] == 2.0  # Wednesday and Thursday
    assert row["on_time"] is True
    assert row["reopen_count"] == 0
    assert row["flags"] == ""
    assert row["has_duration_flag"] is False
    assert row["kind"] == "service_request"
    assert row["channel"] == "web"
    assert row["service_type_id"] == writer.type_id("POTHOLE")
    assert row["updated_at"] == SEEN


def test_open_case_has_no_durations(writer, snapshot):
    writer.write(
        1,
        [writer.created(utc(2026, 6, 2, 14), "POTHOLE", due_at=utc(2026, 6, 5, 21))],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
    assert row["is_open"] is True
    assert row["closed_at"] is None
    assert row["closed_date"] is None
    assert row["hours_to_close"] is None
    assert row["hours_to_first_response"] is None
    assert row["business_days_to_close"] is None
    assert row["on_time"] is None


def test_reopened_case_counts_final_closure(writer, snapshot):
    writer.write(
        1,
        [
            writer.created(utc(2026, 6, 1, 14), "POTHOLE", due_at=utc(2026, 6, 4, 21)),
            Event(
                "closed",
                utc(2026, 6, 2, 14),
                {"status": "closed", "outcome": "resolved"},
            ),
            Event(
                "reopened",
                utc(2026, 6, 3, 14),
                {"status": "in_progress", "outcome": None, "parent_id": None},
            ),
            Event(
                "closed",
                utc(2026, 6, 8, 14),
                {"status": "closed", "outcome": "resolved"},
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
        history = events_of(connection, 1)
    assert row["reopen_count"] == 1
    assert row["closed_at"] == utc(2026, 6, 8, 14)
    assert row["hours_to_close"] == 7 * 24.0
    assert row["business_days_to_close"] == 5.0  # Tue 2 .. Mon 8, weekend excluded
    assert row["on_time"] is False
    assert [e["status_after"] for e in history] == [
        "new",
        "closed",
        "in_progress",
        "closed",
    ]
    assert [e["outcome_after"] for e in history] == [None, "resolved", None, "resolved"]
    assert [e["kind"] for e in history] == ["created", "closed", "reopened", "closed"]


def test_duplicate_points_to_parent(writer, snapshot):
    writer.write(1, [writer.created(utc(2026, 6, 1, 14), "POTHOLE")], updated_at=SEEN)
    writer.write(
        2,
        [
            writer.created(utc(2026, 6, 1, 15), "POTHOLE"),
            Event(
                "merged",
                utc(2026, 6, 1, 16),
                {"status": "closed", "outcome": "duplicate", "parent_id": 1},
                actor="agent:pat",
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        child = fact_case(connection, 2)
        parent = fact_case(connection, 1)
        history = events_of(connection, 2)
    assert child["is_duplicate"] is True
    assert child["parent_case_id"] == 1
    assert child["first_response_at"] == utc(2026, 6, 1, 16)
    assert parent["is_duplicate"] is False
    assert parent["parent_case_id"] is None
    assert [e["parent_case_id_after"] for e in history] == [None, 1]
    assert [e["actor_role"] for e in history] == ["public", "agent"]


def test_closed_before_created_flagged(writer, snapshot):
    created = utc(2026, 6, 2, 14)
    writer.write(
        1,
        [
            writer.created(created, "POTHOLE", due_at=utc(2026, 6, 5, 21)),
            Event(
                "closed",
                utc(2026, 6, 1, 14),
                {"status": "closed", "outcome": "resolved"},
                actor="import:nyc",
            ),
        ],
        updated_at=SEEN,
        source="nyc",
        external_id="N-1",
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
        history = events_of(connection, 1)
        run = as_dicts(connection, "SELECT * FROM etl_run")[0]
    assert row["status"] == "closed"
    assert row["flags"] == "closed_before_created"
    assert row["has_duration_flag"] is True
    assert row["hours_to_close"] is None
    assert row["hours_to_first_response"] is None
    assert row["business_days_to_close"] is None
    assert row["on_time"] is True  # closed_at is before due_at
    assert row["source"] == "nyc"
    assert row["external_id"] == "N-1"
    assert [e["kind"] for e in history] == ["created", "closed"]
    assert history[1]["actor_role"] == "import"
    assert run["flagged"] == 1


def test_stored_flags_kept_and_sorted(writer, snapshot):
    writer.write(
        1,
        [
            writer.created(
                utc(2026, 6, 2, 14),
                "POTHOLE",
                flags="zero_coordinates,placeholder_date",
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
    assert row["flags"] == "placeholder_date,zero_coordinates"
    assert row["has_duration_flag"] is True


def test_type_without_sla_has_no_due_date(writer, snapshot):
    writer.write(
        1,
        [
            writer.created(utc(2026, 6, 2, 14), "INFO"),
            Event(
                "closed",
                utc(2026, 6, 2, 15),
                {"status": "closed", "outcome": "resolved"},
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
        history = events_of(connection, 1)
    assert row["kind"] == "information"
    assert row["due_at"] is None
    assert row["on_time"] is None
    assert row["hours_to_close"] == 1.0
    assert [e["due_at_after"] for e in history] == [None, None]


def test_type_change_clears_due_date(writer, snapshot):
    writer.write(
        1,
        [
            writer.created(utc(2026, 6, 2, 14), "POTHOLE", due_at=utc(2026, 6, 5, 21)),
            Event(
                "service_type_changed",
                utc(2026, 6, 2, 15),
                {
                    "service_type_id": writer.type_id("INFO"),
                    "department_id": writer.department_ids["MO"],
                    "kind": "information",
                    "due_at": None,
                },
                actor="staff:alice",
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        history = events_of(connection, 1)
    assert [e["due_at_after"] for e in history] == [utc(2026, 6, 5, 21), None]
    assert [e["service_type_id_after"] for e in history] == [
        writer.type_id("POTHOLE"),
        writer.type_id("INFO"),
    ]
    assert [e["department_id_after"] for e in history] == [
        writer.department_ids["PW"],
        writer.department_ids["MO"],
    ]
    assert history[1]["actor_role"] == "staff"


def test_transfer_and_notes_replay(writer, snapshot):
    writer.write(
        1,
        [
            writer.created(utc(2026, 6, 2, 14), "HOUSING"),
            Event(
                "transferred",
                utc(2026, 6, 2, 15),
                {"department_id": writer.department_ids["PW"], "assignee": None},
                actor="head:sam",
                note="wrong department",
            ),
            Event(
                "public_note",
                utc(2026, 6, 2, 16),
                {},
                public=True,
                note="crew scheduled",
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        history = events_of(connection, 1)
        row = fact_case(connection, 1)
    assert [e["department_id_after"] for e in history] == [
        writer.department_ids["LI"],
        writer.department_ids["PW"],
        writer.department_ids["PW"],
    ]
    assert [e["status_after"] for e in history] == ["new", "new", "new"]
    assert [e["public"] for e in history] == [False, False, True]
    assert [e["actor_role"] for e in history] == ["public", "head", "system"]
    assert row["department_id"] == writer.department_ids["PW"]
    assert row["first_response_at"] == utc(2026, 6, 2, 16)  # the public note


def test_local_dates_across_dst(writer, snapshot):
    # 2026-03-08: clocks go forward at 02:00 EST. 06:30 UTC is 01:30 EST that day,
    # 04:30 UTC is still 23:30 EST on March 7.
    # 2026-11-01: clocks go back at 02:00 EDT. 03:59 UTC is 23:59 EDT on Oct 31.
    writer.write(
        1,
        [
            writer.created(utc(2026, 3, 8, 6, 30), "WATER_MAIN"),
            Event("internal_note", utc(2026, 3, 8, 4, 30), {}, note="before creation"),
        ],
        updated_at=SEEN,
    )
    writer.write(
        2,
        [
            writer.created(utc(2026, 11, 1, 3, 59), "WATER_MAIN"),
            Event(
                "closed",
                utc(2026, 11, 1, 6, 30),
                {"status": "closed", "outcome": "resolved"},
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        spring = fact_case(connection, 1)
        spring_events = events_of(connection, 1)
        autumn = fact_case(connection, 2)
    assert spring["created_date"] == date(2026, 3, 8)
    assert [e["local_date"] for e in spring_events] == [
        date(2026, 3, 8),
        date(2026, 3, 7),
    ]
    assert autumn["created_date"] == date(2026, 10, 31)
    assert autumn["closed_date"] == date(2026, 11, 1)  # 01:30 EST
    assert autumn["hours_to_close"] == pytest.approx(2.5166666, abs=1e-6)


def test_business_days_skip_holiday(writer, snapshot):
    # Independence Day 2026 is a Saturday, observed on Friday July 3.
    writer.write(
        1,
        [
            writer.created(utc(2026, 7, 2, 14), "POTHOLE"),
            Event(
                "closed",
                utc(2026, 7, 6, 14),
                {"status": "closed", "outcome": "resolved"},
            ),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        row = fact_case(connection, 1)
        days = as_dicts(
            connection,
            "SELECT * FROM dim_date WHERE date BETWEEN '2026-07-02' AND '2026-07-06' "
            "ORDER BY date",
        )
    assert row["business_days_to_close"] == 1.0  # Monday July 6 only
    assert [d["is_business_day"] for d in days] == [True, False, False, False, True]
    assert [d["is_holiday"] for d in days] == [False, True, True, False, False]
    assert days[1]["holiday_name"] is not None
    assert days[3]["holiday_name"] is None
    assert [d["is_weekend"] for d in days] == [False, False, True, True, False]
    assert [d["day_of_week"] for d in days] == [4, 5, 6, 7, 1]
    assert [d["week_start"] for d in days] == [date(2026, 6, 29)] * 4 + [
        date(2026, 7, 6)
    ]
    assert days[0]["quarter"] == 3
    assert days[0]["month"] == 7
    assert days[0]["year"] == 2026


def test_dim_date_covers_cases_and_today(writer, snapshot, city):
    writer.write(1, [writer.created(utc(2025, 12, 30, 14), "POTHOLE")], updated_at=SEEN)
    with snapshot() as connection:
        first, last, count = connection.execute(
            "SELECT min(date), max(date), count(*) FROM dim_date"
        ).fetchall()[0]
    from datetime import datetime

    today = datetime.now(city.timezone).date()
    assert first == date(2025, 12, 30)
    assert last == today
    assert count == (today - first).days + 1


def test_dimensions_from_store_and_city(writer, snapshot):
    writer.write(
        1,
        [writer.created(utc(2026, 6, 2, 14), "POTHOLE", district="9")],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        geography = as_dicts(
            connection, "SELECT * FROM dim_geography ORDER BY district"
        )
        departments = as_dicts(connection, "SELECT * FROM dim_department ORDER BY code")
        pothole = as_dicts(
            connection, "SELECT * FROM dim_service_type WHERE code = 'POTHOLE'"
        )[0]
    assert geography == [
        {
            "district": "1",
            "name": "District 1",
            "latitude": 39.756,
            "longitude": -75.529,
        },
        {"district": "9", "name": "9", "latitude": None, "longitude": None},
    ]
    assert [d["code"] for d in departments] == ["LI", "MO", "PW"]
    assert pothole["sla_value"] == 3.0
    assert pothole["sla_unit"] == "business_days"
    assert pothole["kind"] == "service_request"
    assert pothole["department_id"] == writer.department_ids["PW"]


def test_no_personal_data_in_warehouse(writer, snapshot, settings):
    writer.write(
        1,
        [
            writer.created(utc(2026, 6, 2, 14), "POTHOLE"),
            Event(
                "internal_note",
                utc(2026, 6, 2, 15),
                {"assignee": "Alice Staffer"},
                actor="staff:alice.staffer",
                note="caller said her neighbour Bob Jones is to blame",
            ),
        ],
        updated_at=SEEN,
        requester={
            "name": "Rita Requester",
            "email": "rita@example.org",
            "phone": "555-0100",
        },
    )
    with snapshot() as connection:
        tables = [row[0] for row in connection.execute("SHOW TABLES").fetchall()]
        text = ""
        for table in tables:
            text += repr(connection.execute(f"SELECT * FROM {table}").fetchall())
    for secret in (
        "Rita",
        "rita@example.org",
        "555-0100",
        "Bob Jones",
        "alice",
        "Alice",
        "private description",
    ):
        assert secret not in text
    segment_bytes = b"".join(
        p.read_bytes() for p in (settings.warehouse_dir / "segments").glob("*.duckdb")
    )
    assert b"Rita" not in segment_bytes
    assert b"private description" not in segment_bytes


def test_etl_run_row(writer, snapshot):
    writer.write(1, [writer.created(utc(2026, 6, 2, 14), "POTHOLE")], updated_at=SEEN)
    writer.write(2, [writer.created(utc(2026, 6, 2, 15), "POTHOLE")], updated_at=SEEN)
    with snapshot() as connection:
        run = as_dicts(connection, "SELECT * FROM etl_run")[0]
    assert run["run_id"] == 1
    assert run["status"] == "succeeded"
    assert run["full_rebuild"] is True
    assert run["rows_read"] == 2
    assert run["inserted"] == 2
    assert run["updated"] == 0
    assert run["rejected"] == 0
    assert run["watermark_updated_at"] == SEEN
    assert run["watermark_case_id"] == 2
    assert run["fact_case_rows"] == 2
    assert run["fact_case_event_rows"] == 2
    assert run["snapshot"] == "v000001"
    assert run["error"] is None
    assert run["finished_at"] >= run["started_at"]


def test_next_at_in_case_order(writer, snapshot):
    # The import stamped the closure before the creation; two notes share an
    # instant, so their ids order them; the last event has no next event.
    created = utc(2026, 6, 2, 14)
    writer.write(
        1,
        [
            writer.created(created, "POTHOLE"),
            Event(
                "closed",
                utc(2026, 6, 1, 14),
                {"status": "closed", "outcome": "resolved"},
                actor="import:nyc",
            ),
            Event("public_note", utc(2026, 6, 3, 9), {}, public=True, note="first"),
            Event("public_note", utc(2026, 6, 3, 9), {}, public=True, note="second"),
        ],
        updated_at=SEEN,
    )
    with snapshot() as connection:
        history = events_of(connection, 1)
    assert [e["kind"] for e in history] == [
        "created",
        "closed",
        "public_note",
        "public_note",
    ]
    assert history[2]["event_id"] < history[3]["event_id"]
    assert [e["next_at"] for e in history] == [
        utc(2026, 6, 1, 14),
        utc(2026, 6, 3, 9),
        utc(2026, 6, 3, 9),
        None,
    ]
