from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import sf

from .conftest import split

HEADER = (
    '"","CaseID","Opened","Closed","Updated","Status","Status.Notes",'
    '"Responsible.Agency","Category","Request.Type","Request.Details","Address",'
    '"Supervisor.District","Neighborhood","Point","Source","Media.URL"\n'
)


def test_fields_and_point(write):
    path = write(
        "sf.csv",
        HEADER
        + '"17",4100001,"04/30/2014 02:51:52 PM","","04/30/2014 03:37:59 PM","Open",'
        '"Open","DPW Ops Queue","Sewer Issues","Odor","From_other_location",'
        '"1 MARKET ST, SAN FRANCISCO, CA",6,"Mission Bay","(37.77, -122.39)",'
        '"Voice In",""\n',
    )
    [record] = list(sf.read_file(path))
    assert record.external_id == "4100001"
    assert record.created_at == datetime(2014, 4, 30, 21, 51, 52, tzinfo=UTC)
    assert record.updated_at == datetime(2014, 4, 30, 22, 37, 59, tzinfo=UTC)
    assert record.status == "new"
    assert record.department_code == "DPW_OPS_QUEUE"
    assert record.service_code == "SEWER_ISSUES"
    assert record.description == "Odor - From_other_location"
    assert (record.latitude, record.longitude) == (37.77, -122.39)
    assert record.channel == "phone"


def test_multiline_notes_and_early_close(write):
    path = write(
        "sf.csv",
        HEADER + '"1",4100002,"07/15/2012 08:08:00 AM","07/15/2012 06:00:00 AM",'
        '"07/15/2012 08:15:00 PM","Closed","Case Resolved\nsecond line",'
        '"DPW Ops Queue","Graffiti","Graffiti","x","a",1,"N","","Open311",""\n'
        '"2",4100003,"07/15/2012 08:08:00 AM","","","Open","","Q","Graffiti",'
        '"Graffiti","x","a",1,"N","","e-mail In",""\n',
    )
    records, rejects = split(sf.read_file(path))
    assert rejects == []
    assert [r.row_number for r in records] == [1, 2]
    assert records[0].flags == {"closed_before_created"}
    assert records[0].resolution_notes == "Case Resolved\nsecond line"
    assert records[0].channel == "api"
    assert records[0].latitude is None
    assert records[1].channel == "email"
