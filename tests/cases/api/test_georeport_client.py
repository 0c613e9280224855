"""The third-party `georeport` client (0.3.1, package index) against the API."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_lists_services(live, fmt):
    client = GeoReport(live.url + "/open311/v2", output_format=fmt)
    codes = {service["service_code"] for service in client.get_service_list()}
    assert codes == {"HOUSING", "INFO", "POTHOLE", "STREETLIGHT", "WATER_MAIN"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_definition(live, fmt):
    client = GeoReport(live.url + "/open311/v2", output_format=fmt)
    definition = client.get_service_definition("POTHOLE")
    assert definition["service_code"] == "POTHOLE"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_one_request(live, seeded, fmt):
    client = GeoReport(live.url + "/open311/v2", output_format=fmt)
    number = seeded["closed"].case_number
    record = client.get_service_request(number)
    assert record["service_request_id"] == number
    assert record["status"] == "closed"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_lists_requests(live, seeded, fmt):
    client = GeoReport(live.url + "/open311/v2", output_format=fmt)
    records = client.get_service_requests(status="open")
    if isinstance(records, dict):
        records = [records]  # xmltodict returns a lone element as a dict
    assert [r["service_request_id"] for r in records] == [seeded["open"].case_number]


def test_client_unknown_request_raises_404(live):
    client = GeoReport(live.url + "/open311/v2")
    with pytest.raises(requests.HTTPError) as raised:
        client.get_service_request("26-999999-4")
    assert raised.value.response.status_code == 404
