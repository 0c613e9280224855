from __future__ import annotations

from datetime import UTC, datetime

import pytest

from etl.sources import FORMATS, mapped
from etl.sources.mapping_file import MappingError, load_mapping
from tests.conftest import REPO_ROOT as REPO

from .conftest import split

EXAMPLE = REPO / "docs" / "examples" / "mapping-example.toml"
HEADER = (
    "Request ID,Date Opened,Date Closed,Last Updated,Target Date,Status,Type Code,"
    "Request Type,Dept,Department,Origin,Details,Resolution,Address,Lat,Lon,Ward\n"
)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_example_mapping(write):
    path = write(
        "s.csv",
        HEADER
        + "A-1,03/14/2021 02:30:00 AM,03/15/2021 09:00:00 AM,1615800000,2021-03-20,"
        "Completed,PH,Pothole,PW,Public Works,Phone,Deep hole,"
        "Completed - no problem found,1 Main St,39.8,-89.6,3\n"
        "A-2,11/07/2021 01:30:00 AM,,NA,NULL,Received,,Graffiti,Parks,Parks Dept,"
        "Kiosk,,,,0,0,4\n"
        "A-3,11/08/2021 01:30:00 AM,,,,Lost,,Graffiti,Parks,Parks Dept,,,,,,,\n"
        "A-4,11/08/2021 01:30:00 AM,,,,Received,,Graffiti,Parks,Parks Dept,,,,,"
        "41.9,-87.6,\n",
    )
    records, rejects = split(FORMATS["mapped"](path, mapping=EXAMPLE))
    first, second, fourth = records
    assert first.source == "springfield"
    assert first.created_at == utc(2021, 3, 14, 8, 30)  # 02:30 CST is in the gap
    assert first.closed_at == utc(2021, 3, 15, 14, 0)
    assert first.updated_at == utc(2021, 3, 15, 9, 20)
    assert first.due_at == utc(2021, 3, 20, 5, 0)
    assert (first.status, first.outcome) == ("closed", "no_action_needed")
    assert (first.department_code, first.department_name) == ("DPW", "Public Works")
    assert (first.service_code, first.service_name) == ("PH", "Pothole")
    assert first.channel == "phone"
    assert first.district == "3"
    assert second.created_at == utc(2021, 11, 7, 6, 30)  # first 01:30, CDT
    assert second.status == "acknowledged"
    assert (second.service_code, second.department_code) == ("GRAFFITI", "PARKS")
    assert second.channel == "import"
    assert second.flags == {"zero_coordinates"}
    assert fourth.flags == {"out_of_area"}
    assert [r.row_number for r in rejects] == [3]
    assert rejects[0].reason.startswith("unknown status 'Lost' in column 'Status'")


def test_control_characters_kept_and_flagged(write):
    path = write(
        "s.csv",
        HEADER
        + "A-1,03/14/2021 09:30:00 AM,,,,Received,PH,Pothole,PW,Public Works,Phone,"
        "Deep hole,,12 Main\x01St,39.8,-89.6,3\n"
        "A-2,03/14/2021 09:30:00 AM,,,,Received,PH,Pothole,PW,Public Works,Phone,"
        "Deep hole,,12 Main St,39.8,-89.6,3\n",
    )
    records, rejects = split(FORMATS["mapped"](path, mapping=EXAMPLE))
    assert rejects == []
    assert records[0].address == "12 Main\x01St"
    assert records[0].flags == {"unreadable_text"}
    assert records[1].flags == set()


def test_loaded_mapping_accepted(write):
    path = write("s.csv", HEADER)
    assert list(mapped.read_file(path, mapping=load_mapping(EXAMPLE))) == []


def test_missing_mapping_raises(write):
    with pytest.raises(ValueError, match="mapping=PATH"):
        list(mapped.read_file(write("s.csv", HEADER)))


def test_missing_column_raises(write):
    path = write("s.csv", "Request ID,Date Opened\nA-1,03/14/2021 02:30:00 AM\n")
    with pytest.raises(ValueError, match="'Status'"):
        list(mapped.read_file(path, mapping=EXAMPLE))


def mapping_text(**sections: str) -> str:
    base = {
        "source": 'name = "x"\ntime_zone = "America/Chicago"',
        "columns": 'id = "id"\ncreated = "opened"\nstatus = "s"\nservice_name = "t"',
        "dates": 'created = "%Y-%m-%d %H:%M"',
        "status_map": '"Open" = "new"',
    }
    base.update(sections)
    return "\n".join(f"[{name}]\n{body}" for name, body in base.items() if body)


ZONE = 'name = "x"\ntime_zone = "UTC"\n'
COLUMNS = 'id = "id"\ncreated = "o"\nstatus = "s"\n'
BAD_MAPPINGS = [
    ({"source": ZONE.replace("UTC", "Mars/Olympus")}, "source.time_zone: unknown"),
    ({"source": 'time_zone = "UTC"'}, "source.name: missing"),
    ({"columns": 'id = "id"\nstatus = "s"\nservice_name = "t"'}, "columns.created"),
    ({"columns": COLUMNS}, "columns.service_name: missing"),
    ({"columns": COLUMNS + 'service_name = "t"\ncolour = "c"'}, "columns.colour"),
    ({"dates": ""}, "dates.created: missing"),
    ({"status_map": '"Open" = "opened"'}, "'opened' is not one of"),
    ({"status_map": ""}, "status_map: missing"),
    ({"channel_map": '"Fax" = "fax"'}, "channel_map.'Fax'"),
    ({"outcome_map": '"x" = "fixed"'}, "outcome_map.'x'"),
    ({"source": ZONE + 'delimiter = ";;"'}, "source.delimiter"),
    (
        {"source": ZONE + "bounding_box = {south = 2, west = 0, north = 1, east = 1}"},
        "south must be below north",
    ),
    ({"extra": 'a = "b"'}, "extra: unknown section"),
]


@pytest.mark.parametrize(("sections", "message"), BAD_MAPPINGS)
def test_invalid_mapping(write, sections, message):
    path = write("m.toml", mapping_text(**sections))
    with pytest.raises(MappingError, match=message.replace("(", r"\(")):
        load_mapping(path)


def test_invalid_toml(write):
    with pytest.raises(MappingError, match="cannot read the mapping file"):
        load_mapping(write("m.toml", "[source\n"))


def test_example_loads():
    mapping = load_mapping(EXAMPLE)
    assert mapping.source == "springfield"
    assert mapping.null_values == ("", "NA", "NULL")
    assert mapping.department_map == {"pw": "DPW", "parks": "PARKS"}
