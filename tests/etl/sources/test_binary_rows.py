"""Every CSV format rejects a block of binary bytes in mid-file and reads the rest."""

from __future__ import annotations

import pytest

from etl.sources import FORMATS
from tests.conftest import REPO_ROOT

from . import test_baltimore, test_kansas_city, test_la, test_mapped, test_nyc
from .conftest import split
from .test_csvread import garbage_bytes

MAPPING = REPO_ROOT / "docs" / "examples" / "mapping-example.toml"

# (format, header, one valid data line, reader options)
CASES = [
    (
        "nyc",
        test_nyc.PORTAL_HEADER,
        test_nyc.row("101", "01/22/2018 09:15:00 AM", "01/23/2018 10:00:00 AM"),
        {},
    ),
    (
        "boston",
        ",CASE_ENQUIRY_ID,OPEN_DT,TARGET_DT,CLOSED_DT,OnTime_Status,CASE_STATUS,"
        "CLOSURE_REASON,CASE_TITLE,TYPE,Department,Location,neighborhood,LATITUDE,"
        "LONGITUDE,Source\n",
        "7,900000000001,01/02/2015 09:27:07 AM,02/02/2015 09:26:00 AM,"
        "01/08/2015 08:03:37 AM,ONTIME,Closed,Case Closed Case Resolved towed,"
        "Abandoned Car,Abandoned Vehicles,BTDT,1 Elm St  Boston  MA,Dorchester,"
        "42.30,-71.06,Constituent Call\n",
        {},
    ),
    (
        "sf",
        '"","CaseID","Opened","Closed","Updated","Status","Status.Notes",'
        '"Responsible.Agency","Category","Request.Type","Request.Details","Address",'
        '"Supervisor.District","Neighborhood","Point","Source","Media.URL"\n',
        '"17",4100001,"04/30/2014 02:51:52 PM","","04/30/2014 03:37:59 PM","Open",'
        '"Open","DPW Ops Queue","Sewer Issues","Odor","From_other_location",'
        '"1 MARKET ST, SAN FRANCISCO, CA",6,"Mission Bay","(37.77, -122.39)",'
        '"Voice In",""\n',
        {},
    ),
    (
        "la",
        test_la.HEADER_2017,
        "1-100,12/31/2017 11:59:58 PM,04/09/2018 09:25:28 AM,SR Created,BOS,"
        'Bulky Items,Closed,Call,04/09/2018 09:18:35 AM,"1 MAIN ST, 90012",34.05,'
        "-118.25,DOWNTOWN NC\n",
        {},
    ),
    ("baltimore", test_baltimore.HEADER, test_baltimore.line(1, "Open"), {}),
    (
        "kansas-city",
        test_kansas_city.HEADER,
        test_kansas_city.line(2020002530, "1/7/20", "12:59 PM", "RESOL", "2/12/20")
        + "\n",
        {},
    ),
    (
        "open311-tsv",
        "city\tservice_request_id\tstatus\tservice_name\tservice_code\t"
        "requested_datetime\tupdated_datetime\taddress\tlat\tlong\n",
        "Boston_MA\t1001\tclosed\tPothole\t4f3c\t2019-11-14T00:21:08-05:00\t"
        "2019-11-14T00:20:00-05:00\t1 Main St\t42.35\t-71.06\n",
        {},
    ),
    (
        "mapped",
        test_mapped.HEADER,
        "A-1,03/14/2021 02:30:00 AM,03/15/2021 09:00:00 AM,1615800000,2021-03-20,"
        "Completed,PH,Pothole,PW,Public Works,Phone,Deep hole,"
        "Completed - no problem found,1 Main St,39.8,-89.6,3\n",
        {"mapping": MAPPING},
    ),
]


@pytest.mark.parametrize(
    ("name", "header", "line", "options"), CASES, ids=[case[0] for case in CASES]
)
def test_binary_block_rejected(write, capfd, name, header, line, options):
    valid = (header + line).encode()
    [record], rejects = split(FORMATS[name](write("one.csv", valid), **options))
    assert rejects == []
    content = (
        header.encode()
        + line.encode() * 3500
        + garbage_bytes(3000)
        + b"\n"
        + line.encode() * 3500
    )
    records, rejects = split(FORMATS[name](write("mixed.csv", content), **options))
    assert len(records) == 7000
    assert {r.external_id for r in records} == {record.external_id}
    assert rejects
    assert [r.row_number for r in rejects] == list(range(3501, 3501 + len(rejects)))
    assert records[3500].row_number == 3501 + len(rejects)
    assert all(isinstance(r.raw, str) for r in rejects)
    assert any("\ufffd" in r.raw for r in rejects)
    assert "Exception ignored" not in capfd.readouterr().err
