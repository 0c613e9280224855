from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import boston

from .conftest import split

OLD_HEADER = (
    ",CASE_ENQUIRY_ID,OPEN_DT,TARGET_DT,CLOSED_DT,OnTime_Status,CASE_STATUS,"
    "CLOSURE_REASON,CASE_TITLE,TYPE,Department,Location,neighborhood,LATITUDE,"
    "LONGITUDE,Source\n"
)
NEW_HEADER = (
    ",case_enquiry_id,open_dt,sla_target_dt,closed_dt,on_time,case_status,"
    "closure_reason,case_title,type,department,location,neighborhood,latitude,"
    "longitude,source\n"
)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_2015_layout(write):
    path = write(
        "b.csv",
        OLD_HEADER + "7,900000000001,01/02/2015 09:27:07 AM,02/02/2015 09:26:00 AM,"
        "01/08/2015 08:03:37 AM,ONTIME,Closed,Case Closed Case Resolved towed,"
        "Abandoned Car,Abandoned Vehicles,BTDT,1 Elm St  Boston  MA,Dorchester,"
        "42.30,-71.06,Constituent Call\n",
    )
    [record] = list(boston.read_file(path))
    assert record.external_id == "900000000001"
    assert record.created_at == utc(2015, 1, 2, 14, 27, 7)
    assert record.due_at == utc(2015, 2, 2, 14, 26)
    assert record.closed_at == utc(2015, 1, 8, 13, 3, 37)
    assert record.status == "closed"
    assert record.outcome == "resolved"
    assert record.resolution_notes == "Case Closed Case Resolved towed"
    assert record.department_code == "BTDT"
    assert record.service_code == "ABANDONED_VEHICLES"
    assert record.channel == "phone"
    assert record.district == "Dorchester"


def test_2025_layout(write):
    path = write(
        "b.csv",
        NEW_HEADER
        + '51,900000000002,2025-01-24 03:24:56,2025-02-07 03:30:00,,OVERDUE,Open," ",'
        "Street Light Outages,Street Light Outages,PWDx,9 Elm St,East Boston,42.36,"
        "-71.03,Citizens Connect App\n",
    )
    [record] = list(boston.read_file(path))
    assert record.created_at == utc(2025, 1, 24, 8, 24, 56)
    assert record.due_at == utc(2025, 2, 7, 8, 30)
    assert record.status == "new"
    assert record.outcome is None
    assert record.resolution_notes == ""
    assert record.department_code == "PWDX"
    assert record.department_name == "PWDx"
    assert record.channel == "mobile"


def test_closure_reason_outcomes(write):
    reasons = [
        "Case Closed Case Noted nothing to do",
        "Case Closed Duplicate of Existing Case",
        "Case Invalid test case",
        "Case Closed. Closed date : 2015-07-20 16:39:07.267 Case Resolved fixed",
        "Case Closed Case Referred to External Agency",
    ]
    lines = [
        f"{i},9{i},01/02/2015 09:00:00 AM,,01/03/2015 09:00:00 AM,ONTIME,Closed,"
        f'"{text}",T,Catchbasin,GEN_,,,42.3,-71.0,Twitter\n'
        for i, text in enumerate(reasons)
    ]
    records, _ = split(boston.read_file(write("b.csv", OLD_HEADER + "".join(lines))))
    assert [r.outcome for r in records] == [
        "no_action_needed", "duplicate", "administrative", "resolved",
        "referred_elsewhere",
    ]  # fmt: skip
    assert records[0].department_code == "GEN"
    assert records[0].due_at is None


def test_replacement_character_flagged(write):
    path = write(
        "b.csv",
        OLD_HEADER
        + "1,91,05/15/2015 02:40:00 PM,,05/15/2015 02:59:56 PM,ONTIME,Closed,"
        '"Case Closed Case Resolved at\ufffd55 Main St",Needles,Needle Pickup,GEN_,,,'
        "42.35,-71.06,Twitter\n",
    )  # fmt: skip
    [record] = list(boston.read_file(path))
    assert record.flags == {"unreadable_text"}
    assert "at\ufffd55" in record.resolution_notes
