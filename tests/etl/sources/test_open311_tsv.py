from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import open311_tsv

from .conftest import split

HEADER = (
    "city\tservice_request_id\tstatus\tservice_name\tservice_code\t"
    "requested_datetime\tupdated_datetime\taddress\tlat\tlong\n"
)


def test_offsets_and_sources(write):
    path = write(
        "o.tsv",
        HEADER + "Boston_MA\t1001\tclosed\tPothole\t4f3c\t2019-11-14T00:21:08-05:00\t"
        "2019-11-14T00:20:00-05:00\t1 Main St\t42.35\t-71.06\n"
        "Chicago, IL\tSR19-1\topen\tGraffiti\t\t2019-07-01T10:00:00-05:00\t"
        "2019-07-02T10:00:00-05:00\t2 Main St\t41.88\t-87.63\n"
        "San Francisco_CA\t1001\topen\tGraffiti\t7\t2019-07-01T10:00:00\t\t\t0\t0\n",
    )
    records, rejects = split(open311_tsv.read_file(path))
    assert [r.source for r in records] == ["open311:boston_ma", "open311:chicago_il"]
    assert records[0].created_at == datetime(2019, 11, 14, 5, 21, 8, tzinfo=UTC)
    assert records[0].updated_at == datetime(2019, 11, 14, 5, 20, tzinfo=UTC)
    assert records[0].closed_at is None
    assert records[0].outcome == "resolved"
    assert records[0].service_code == "4F3C"
    assert records[1].service_code == "GRAFFITI"
    assert records[1].status == "new"
    assert [r.row_number for r in rejects] == [3]
    assert "expected the format 'iso'" in rejects[0].reason
