from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import la

from .conftest import split

HEADER_2017 = (
    "SRNumber,CreatedDate,UpdatedDate,ActionTaken,Owner,RequestType,Status,"
    "RequestSource,ClosedDate,Address,Latitude,Longitude,NCName\n"
)
HEADER_2020 = (
    "srnumber,requesttype,status,actiontaken,createddate,updateddate,closeddate,"
    "requestsource,owner,latitude,longitude,address,ncname\n"
)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_2017_layout_and_midnight_close(write):
    path = write(
        "la.csv",
        HEADER_2017
        + "1-100,12/31/2017 11:59:58 PM,04/09/2018 09:25:28 AM,SR Created,BOS,"
        'Bulky Items,Closed,Call,04/09/2018 09:18:35 AM,"1 MAIN ST, 90012",34.05,'
        "-118.25,DOWNTOWN NC\n"
        "1-101,12/30/2017 03:00:00 PM,,SR Created,OCB,Graffiti Removal,Cancelled,"
        "Mobile App,12/30/2017 12:00:00 AM,,,,\n"
        "1-102,12/30/2017 03:00:00 PM,,SR Created,OCB,Graffiti Removal,"
        "Referred Out,Walk-in,12/31/2017 12:00:00 AM,,,,\n",
    )
    records, _ = split(la.read_file(path))
    first = records[0]
    assert first.created_at == utc(2018, 1, 1, 7, 59, 58)
    assert first.closed_at == utc(2018, 4, 9, 16, 18, 35)
    assert first.department_code == "BOS"
    assert first.service_code == "BULKY_ITEMS"
    assert first.channel == "phone"
    assert first.district == "DOWNTOWN NC"
    assert first.outcome == "resolved"
    cancelled = records[1]
    assert (cancelled.status, cancelled.outcome) == ("closed", "withdrawn")
    assert cancelled.flags == {"closed_before_created"}
    assert cancelled.channel == "mobile"
    assert (records[2].outcome, records[2].channel) == ("referred_elsewhere", "walk-in")


def test_2020_two_digit_years_crlf(write):
    path = write(
        "la.csv",
        HEADER_2020.replace("\n", "\r\n")
        + "1-200,Illegal Dumping Pickup,Closed,SR Created,1/1/20 0:05,1/2/20 8:43,"
        '1/2/20 8:43,Call,BOS,34.19,-118.49,"16815 W VANOWEN ST, 91406",LAKE NC\r\n'
        "1-201,Metal,Closed,SR Created,1/1/20 0:21,1/3/20 15:54,,Email,BOS,,,,\r\n"
        "1-202,Metal,Pending,SR Created,1/1/20 0:21,1/3/20 15:54,,Email,BOS,,,,",
    )
    records, rejects = split(la.read_file(path))
    assert rejects == []
    assert records[0].created_at == utc(2020, 1, 1, 8, 5)
    assert records[0].closed_at == utc(2020, 1, 2, 16, 43)
    assert records[1].flags == {"status_date_mismatch"}
    assert records[1].channel == "email"
    assert records[2].status == "on_hold"
