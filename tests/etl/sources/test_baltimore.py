from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import baltimore

from .conftest import split

HEADER = (
    '"","SRRecordID","ServiceRequestNum","SRType","MethodReceived","CreatedDate",'
    '"SRStatus","StatusDate","DueDate","CloseDate","Agency","Outcome","Address",'
    '"Neighborhood","Latitude","Longitude"\n'
)


def line(
    number, status, close="", due='"04/18/2020 11:49:49 AM"', lat="39.31", lon="-76.65"
):
    return (
        f'"{number}","5004M0000{number}","19-0071{number}","TRM-Street Markings","API",'
        f'"10/21/2019 11:49:49 AM","{status}","10/21/2019 11:50:08 AM",{due},'
        f'"{close}","Transportation",NA,"1 LIBERTY HTS AVE","Mondawmin",{lat},{lon}\n'
    )


def test_fields_and_na(write):
    path = write("b.csv", HEADER + line(1, "Open", lat="NA", lon="NA"))
    [record] = list(baltimore.read_file(path))
    assert record.external_id == "19-00711"
    assert record.created_at == datetime(2019, 10, 21, 15, 49, 49, tzinfo=UTC)
    assert record.updated_at == datetime(2019, 10, 21, 15, 50, 8, tzinfo=UTC)
    assert record.due_at == datetime(2020, 4, 18, 15, 49, 49, tzinfo=UTC)
    assert record.status == "in_progress"
    assert record.resolution_notes == ""
    assert (record.latitude, record.longitude) == (None, None)
    assert record.department_code == "TRANSPORTATION"
    assert record.service_code == "TRM_STREET_MARKINGS"
    assert record.channel == "api"
    assert record.flags == set()


def test_status_qualifiers(write):
    closed = "10/21/2019 11:49:53 AM"
    lines = [
        line(1, "New"),
        line(2, "New (Duplicate)"),
        line(3, "Closed (Duplicate)", closed),
        line(4, "Closed (Transferred)", closed),
        line(5, "Hold"),
        line(6, "Pending"),
        line(7, "Closed", closed, due='""'),
    ]
    records, rejects = split(
        baltimore.read_file(write("b.csv", HEADER + "".join(lines)))
    )
    assert rejects == []
    assert [r.status for r in records] == [
        "new", "new", "closed", "closed", "on_hold", "on_hold", "closed",
    ]  # fmt: skip
    assert [r.outcome for r in records] == [
        None, None, "duplicate", "referred_elsewhere", None, None, "resolved",
    ]  # fmt: skip
    assert records[1].source_status == "New (Duplicate)"
    assert records[6].due_at is None


def test_split_status():
    assert baltimore.split_status("Closed (Transferred)") == ("closed", "transferred")
    assert baltimore.split_status("Open") == ("open", "")
