from __future__ import annotations

import json
from datetime import UTC, datetime

from etl.sources import nyc

from .conftest import split

PORTAL_HEADER = (
    "Unique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,"
    "Status,Due Date,Resolution Description,Resolution Action Updated Date,Borough,"
    "Open Data Channel Type,Incident Address,Latitude,Longitude\n"
)


def row(
    key, created, closed="", status="Closed", resolution="", lat="40.7", lon="-73.9",
    due="",
):  # fmt: skip
    """Return one portal CSV line; Resolution Action Updated Date repeats closed."""
    return (
        f"{key},{created},{closed},DOT,Department of Things,Street Condition,Pothole,"
        f'{status},{due},"{resolution}",{closed},BROOKLYN,PHONE,1 MAIN ST,'
        f"{lat},{lon}\n"
    )


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_portal_csv_fields(write):
    path = write(
        "nyc.csv",
        PORTAL_HEADER
        + row(
            "101", "01/22/2018 09:15:00 AM", "01/23/2018 10:00:00 AM",
            resolution="The Department observed no evidence of the condition.",
            due="02/05/2018 10:02:43 AM",
        ),
    )  # fmt: skip
    [record] = list(nyc.read_file(path))
    assert record.row_number == 1
    assert record.source == "nyc"
    assert record.external_id == "101"
    assert record.created_at == utc(2018, 1, 22, 14, 15)
    assert record.closed_at == utc(2018, 1, 23, 15, 0)
    assert record.updated_at == utc(2018, 1, 23, 15, 0)
    assert record.due_at == utc(2018, 2, 5, 15, 2, 43)
    assert record.status == "closed"
    assert record.source_status == "Closed"
    assert record.outcome == "no_action_needed"
    assert record.resolution_notes.startswith("The Department observed")
    assert record.department_code == "DOT"
    assert record.department_name == "Department of Things"
    assert record.service_code == "STREET_CONDITION"
    assert record.service_name == "Street Condition"
    assert record.channel == "phone"
    assert record.description == "Pothole"
    assert record.address == "1 MAIN ST"
    assert record.district == "BROOKLYN"
    assert (record.latitude, record.longitude) == (40.7, -73.9)
    assert record.flags == set()


def test_status_mapping(write):
    rows = [
        row(i, "01/22/2018 09:15:00 AM", status=status)
        for i, status in enumerate(
            ["Open", "Assigned", "In Progress", "Started", "Pending"]
        )
    ]
    records, _ = split(nyc.read_file(write("nyc.csv", PORTAL_HEADER + "".join(rows))))
    assert [r.status for r in records] == [
        "new", "acknowledged", "in_progress", "in_progress", "on_hold",
    ]  # fmt: skip
    assert all(r.outcome is None for r in records)


def test_closed_without_text_is_resolved(write):
    path = write(
        "nyc.csv",
        PORTAL_HEADER + row(1, "01/22/2018 09:15:00 AM", "01/22/2018 10:15:00 AM"),
    )
    [record] = list(nyc.read_file(path))
    assert record.outcome == "resolved"


def test_spreadsheet_dates_no_seconds(write):
    path = write("nyc.csv", PORTAL_HEADER + row(1, "3/14/2025 1:20", "3/14/2025 1:20"))
    [record] = list(nyc.read_file(path))
    assert record.created_at == utc(2025, 3, 14, 5, 20)
    assert record.closed_at == record.created_at
    assert record.flags == set()


def test_flags(write):
    rows = [
        row(1, "01/22/2018 12:00:00 AM", "11/28/2017 12:00:00 AM"),
        row(2, "01/22/2018 12:00:00 AM", status="Closed"),
        row(3, "01/22/2018 12:00:00 AM", "01/23/2018 12:00:00 AM", status="Pending"),
        row(4, "01/22/2018 12:00:00 AM", "01/01/1900 12:00:00 AM"),
        row(5, "01/22/2018 12:00:00 AM", "01/23/2018 12:00:00 AM", lat="0", lon="0"),
        row(
            6,
            "01/22/2018 12:00:00 AM",
            "01/23/2018 12:00:00 AM",
            lat="34.05",
            lon="-118.2",
        ),
        row(6, "01/23/2018 12:00:00 AM", "01/24/2018 12:00:00 AM"),
        row(
            8,
            "01/22/2018 12:00:00 AM",
            "01/23/2018 12:00:00 AM",
            resolution="caf\ufffd",
        ),
    ]
    records, rejects = split(
        nyc.read_file(write("nyc.csv", PORTAL_HEADER + "".join(rows)))
    )
    assert rejects == []
    flags = [r.flags for r in records]
    assert flags[0] == {"closed_before_created"}
    assert flags[1] == {"status_date_mismatch"}
    assert flags[2] == {"status_date_mismatch"}
    assert flags[3] == {"placeholder_date"}
    assert records[3].closed_at is None
    assert flags[4] == {"zero_coordinates"}
    assert (records[4].latitude, records[4].longitude) == (None, None)
    assert flags[5] == {"out_of_area"}
    assert (records[5].latitude, records[5].longitude) == (34.05, -118.2)
    assert flags[6] == {"duplicate_id"}
    assert records[6].row_number == 7
    assert flags[7] == {"unreadable_text"}
    assert records[7].resolution_notes == "caf\ufffd"


def test_rejects(write):
    rows = [
        row("", "01/22/2018 09:15:00 AM"),
        row(2, ""),
        row(3, "2018-01-22 09:15"),
        row(4, "01/01/1900 12:00:00 AM"),
        row(5, "01/22/2018 09:15:00 AM", "31/01/2018 09:15:00 AM"),
        row(6, "01/22/2018 09:15:00 AM", status="Unspecified"),
        "7,01/22/2018 09:15:00 AM,too,few\n",
        row(8, "01/22/2018 09:15:00 AM"),
    ]
    records, rejects = split(
        nyc.read_file(write("nyc.csv", PORTAL_HEADER + "".join(rows)))
    )
    assert [r.external_id for r in records] == ["8"]
    assert records[0].row_number == 8
    reasons = {r.row_number: r.reason for r in rejects}
    assert reasons[1] == "missing id in column 'unique_key'"
    assert reasons[2] == "missing creation date in column 'created_date'"
    assert reasons[3].startswith("invalid creation date '2018-01-22 09:15'")
    assert (
        reasons[4]
        == "placeholder creation date '01/01/1900 12:00:00 AM' in column 'created_date'"
    )
    assert reasons[5].startswith(
        "invalid date '31/01/2018 09:15:00 AM' in column 'closed_date'"
    )
    assert reasons[6].startswith("unknown status 'Unspecified'")
    assert reasons[7] == "expected 16 fields, found 4"
    assert all(r.raw for r in rejects)


def test_api_csv_and_json_agree(write):
    header = (
        "unique_key,created_date,agency,agency_name,complaint_type,status,"
        "closed_date,latitude,longitude\n"
    )
    csv_path = write(
        "api.csv",
        header
        + "9001,2024-05-26T23:10:10.000,NYPD,New York City Police Department,Noise,"
        "Closed,2024-05-27T00:10:00.000,40.84,-73.93\n"
        "9002,2024-05-26T23:12:00.000,NYPD,New York City Police Department,Noise,"
        "In Progress,,,\n",
    )
    json_path = write(
        "api.json",
        json.dumps(
            [
                {"unique_key": "9001", "created_date": "2024-05-26T23:10:10.000",
                 "agency": "NYPD", "agency_name": "New York City Police Department",
                 "complaint_type": "Noise", "status": "Closed",
                 "closed_date": "2024-05-27T00:10:00.000", "latitude": "40.84",
                 "longitude": "-73.93", "location": {"latitude": "40.84"}},
                {"unique_key": "9002", "created_date": "2024-05-26T23:12:00.000",
                 "agency": "NYPD", "agency_name": "New York City Police Department",
                 "complaint_type": "Noise", "status": "In Progress"},
            ]
        ),
    )  # fmt: skip
    from_csv = list(nyc.read_file(csv_path))
    from_json = list(nyc.read_file(json_path))
    assert from_csv == from_json
    assert from_csv[0].created_at == utc(2024, 5, 27, 3, 10, 10)
    assert from_csv[1].latitude is None


def test_json_non_object_rejected(write):
    path = write(
        "api.json",
        json.dumps([["not", "an", "object"], {"unique_key": "1", "created_date":
            "2024-05-26T23:10:10.000", "agency": "DOT", "complaint_type": "X",
            "status": "Open"}]),
    )  # fmt: skip
    records, rejects = split(nyc.read_file(path))
    assert [r.row_number for r in records] == [2]
    assert rejects[0].row_number == 1
    assert rejects[0].reason == "expected a JSON object, found list"


def test_missing_column_raises(write):
    import pytest

    path = write("nyc.csv", "Unique Key,Created Date\n1,01/22/2018 09:15:00 AM\n")
    with pytest.raises(ValueError, match="'agency'"):
        list(nyc.read_file(path))


def test_non_numeric_coordinates(write, caplog):
    path = write(
        "nyc.csv", PORTAL_HEADER + row(1, "01/22/2018 09:15:00 AM", lat="north")
    )
    [record] = list(nyc.read_file(path))
    assert record.latitude is None
    assert "column 'latitude': 1 values are not numbers" in caplog.text
