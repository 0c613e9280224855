"""Parse every real export and compare with counts and values read by hand.

Expected row counts are the parsed-record counts of each file; the first
rows' ids and creation times were read from the files and converted to UTC
by hand (EST is UTC-5, EDT UTC-4, PST UTC-8, PDT UTC-7, CST UTC-6).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from etl.sources import FORMATS
from etl.sources.record import RejectedRow
from tests.conftest import shared_data_dir, skip_or_fail

pytestmark = pytest.mark.realdata

DATA = shared_data_dir()


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


KANSAS_CITY = (
    "kansas_city/patrickcurran38__Kansas_City_Pothole_Dashboard_Project/"
    "311_Call_Center_Service_Requests.csv"
)
# (format, file under the data folder, rows, first id, first created_at in UTC)
FILES = [
    ("boston", "boston/AbsolumFrAG__SaferTrail-back/311.csv", 2424,
     "101005870246", utc(2025, 1, 24, 8, 24, 56)),
    ("boston", "boston/johnsliao__bostonservicemap/Abandoned Vehicles.csv", 2607,
     "101001241058", utc(2015, 1, 2, 14, 27, 7)),
    ("boston", "boston/johnsliao__bostonservicemap/Building Inspection Request.csv",
     4961, "101001241344", utc(2015, 1, 2, 18, 30, 55)),
    ("boston", "boston/johnsliao__bostonservicemap/Catchbasin.csv", 405,
     "101001241038", utc(2015, 1, 2, 14, 17, 37)),
    ("boston", "boston/johnsliao__bostonservicemap/Needle Pickup.csv", 622,
     "101001378529", utc(2015, 5, 15, 18, 40)),
    ("boston", "boston/johnsliao__bostonservicemap/Street Light Outages.csv", 7956,
     "101001240735", utc(2015, 1, 1, 5, 25, 23)),
    ("nyc", "nyc/AnthonyUPF__lab-sql-intro-es/311_Service_Requests.csv", 1000,
     "61276295", utc(2024, 5, 27, 6, 8, 51)),
    ("nyc", "nyc/AnthonyUPF__lab-sql-intro-es/311_Service_Requests.json", 1000,
     "61276295", utc(2024, 5, 27, 6, 8, 51)),
    ("nyc", "nyc/RJHCarto__Cegeg076/311_Service_Requests_from_2010_to_Present.csv",
     155, "38270553", utc(2018, 1, 22, 5, 0)),
    ("nyc", "nyc/fedhere__PyBOOT/311_Service_Requests_from_2010_to_Present.csv", 924,
     "54049402", utc(2022, 5, 1, 4, 0, 3)),
    ("nyc", "nyc/plotly__datasets/311_Animals_short.csv", 4969,
     "64345465", utc(2025, 3, 14, 5, 20)),
    ("nyc", "nyc/somaiyahhafeez__newyork/311.csv", 235,
     "64446107", utc(2025, 3, 25, 3, 33, 7)),
    ("sf", "sf/sfbrigade__data-science-wg/cases_sample_10000(no-geo).csv", 10000,
     "3600298", utc(2014, 4, 30, 21, 51, 52)),
    ("la", "la/hackforla__311-data/MyLA311_Service_Request_Data_2017_Subset.csv", 9999,
     "1-870704831", utc(2018, 1, 1, 7, 59, 58)),
    ("la", "la/hackforla__311-data/requests.csv", 10000,
     "1-1523590121", utc(2020, 1, 1, 8, 5)),
    ("baltimore", "baltimore/JiyangWen__Data-Sprint/311_Customer_Service_Requests.csv",
     3000, "19-00711545", utc(2019, 10, 21, 15, 49, 49)),
    ("kansas-city", KANSAS_CITY, 4493, "2020002530", utc(2020, 1, 7, 18, 59)),
    ("open311-tsv", "multi_city_open311/miguelito34__mse_231/sample_311_data.tsv", 701,
     "170962", utc(2019, 11, 14, 5, 21, 8)),
]  # fmt: skip

# Flag counts stated for the files, checked where the rule matches ours.
EXPECTED_FLAGS = {
    "nyc/RJHCarto__Cegeg076/311_Service_Requests_from_2010_to_Present.csv": {
        "closed_before_created": 16,
        "status_date_mismatch": 16,
    },
    "nyc/somaiyahhafeez__newyork/311.csv": {"status_date_mismatch": 9},
    "sf/sfbrigade__data-science-wg/cases_sample_10000(no-geo).csv": {
        "closed_before_created": 129
    },
    "la/hackforla__311-data/MyLA311_Service_Request_Data_2017_Subset.csv": {
        "closed_before_created": 12
    },
    "la/hackforla__311-data/requests.csv": {"status_date_mismatch": 18},
    KANSAS_CITY: {"status_date_mismatch": 457},
}


@pytest.fixture(scope="module", autouse=True)
def data_folder():
    if not DATA.is_dir():
        skip_or_fail(
            f"real 311 exports not found at {DATA}; put the shared data folder beside "
            "the repository or set CITY311_SHARED_DATA",
            "CITY311_REQUIRE_REAL_DATA",
        )


@pytest.mark.parametrize(("fmt", "name", "rows", "first_id", "first_created"), FILES)
def test_real_file(fmt, name, rows, first_id, first_created):
    path = DATA / name
    if not path.is_file():
        skip_or_fail(f"real export {path} not found", "CITY311_REQUIRE_REAL_DATA")
    items = list(FORMATS[fmt](path))
    records = [item for item in items if not isinstance(item, RejectedRow)]
    rejects = [item for item in items if isinstance(item, RejectedRow)]
    assert len(records) + len(rejects) == rows
    assert len(records) == rows
    assert all(reject.reason for reject in rejects)
    numbers = [item.row_number for item in items]
    assert numbers == list(range(1, rows + 1))
    assert records[0].external_id == first_id
    assert records[0].created_at == first_created
    assert all(r.created_at.tzinfo is UTC for r in records)
    flags = Counter(flag for record in records for flag in record.flags)
    for flag, count in EXPECTED_FLAGS.get(name, {}).items():
        assert flags[flag] == count, flag


def test_csv_and_json_agree():
    folder = DATA / "nyc/AnthonyUPF__lab-sql-intro-es"
    if not folder.is_dir():
        skip_or_fail(
            f"real export folder {folder} not found", "CITY311_REQUIRE_REAL_DATA"
        )
    from_csv = list(FORMATS["nyc"](folder / "311_Service_Requests.csv"))
    from_json = list(FORMATS["nyc"](folder / "311_Service_Requests.json"))
    assert [r.external_id for r in from_csv] == [r.external_id for r in from_json]
    assert [r.created_at for r in from_csv] == [r.created_at for r in from_json]
    assert [r.status for r in from_csv] == [r.status for r in from_json]
