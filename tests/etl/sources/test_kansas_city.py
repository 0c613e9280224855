from __future__ import annotations

from datetime import UTC, datetime

from etl.sources import kansas_city

from .conftest import split

HEADER = (
    "\ufeffCASE ID,SOURCE,DEPARTMENT,TYPE,DETAIL,CREATION DATE,CREATION TIME,STATUS,"
    "CLOSED DATE,STREET ADDRESS,ADDRESS WITH GEOCODE,NEIGHBORHOOD,LATITUDE,LONGITUDE\n"
)


def line(case, created, time, status, closed, lat="39.01", lon="-94.52"):
    return (
        f"{case},PHONE,Public Works,Pothole,District 3,{created},{time},{status},"
        f'{closed},4900 E 63rd St,"4900 E 63rd St64130\n({lat}, {lon})",Swope,'
        f"{lat},{lon}"
    )


def test_date_and_time_columns(write):
    path = write(
        "kc.csv", HEADER + line(2020002530, "1/7/20", "12:59 PM", "RESOL", "2/12/20")
    )
    [record] = list(kansas_city.read_file(path))
    assert record.row_number == 1
    assert record.created_at == datetime(2020, 1, 7, 18, 59, tzinfo=UTC)
    assert record.closed_at == datetime(2020, 2, 12, 6, 0, tzinfo=UTC)
    assert record.status == "closed"
    assert record.department_code == "PUBLIC_WORKS"
    assert record.service_code == "POTHOLE"
    assert record.channel == "phone"
    assert record.flags == set()


def test_same_day_close_not_flagged(write):
    rows = [
        line(1, "1/7/20", "12:59 PM", "RESOL", "1/7/20"),
        line(2, "1/7/20", "12:59 PM", "RESOL", "1/6/20"),
        line(3, "1/7/20", "12:59 PM", "RESOL", ""),
        line(4, "1/7/20", "", "OPEN", ""),
        line(5, "1/7/20", "9:00 AM", "OPEN", "", lat="35.79", lon="-103.89"),
    ]
    records, rejects = split(
        kansas_city.read_file(write("kc.csv", HEADER + "\n".join(rows)))
    )
    assert records[0].flags == set()
    assert records[1].flags == {"closed_before_created"}
    assert records[2].flags == {"status_date_mismatch"}
    assert [r.row_number for r in rejects] == [4]
    assert rejects[0].reason.startswith("invalid creation date '1/7/20'")
    assert records[3].row_number == 5
    assert records[3].flags == {"out_of_area"}
