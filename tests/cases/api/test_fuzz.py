"""Fuzzing the Open311 API from its OpenAPI description: no input gets a 5xx."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.intake import NewCase
from tests.live_server import build_server, serve

OPENAPI = Path(__file__).resolve().parents[3] / "cases" / "api" / "openapi.yaml"
schema = schemathesis.openapi.from_path(str(OPENAPI))


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    with serve(build_server(f"sqlite:///{folder / 'cases.sqlite'}", folder)) as live:
        live.cases.file(NewCase("INFO", "A question"))
        yield live


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_has_no_server_errors(case, fuzz_server):
    response = case.call(base_url=fuzz_server.url + "/open311")
    assert response.status_code < 500, response.text


@pytest.fixture(scope="module")
def fuzz_key(fuzz_server) -> str:
    return fuzz_server.add_api_key("fuzzer")


FIELD_NAMES = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "email",
    "phone",
    "description",
    "attribute[size]",
    "attribute[hazards][]",
    "attribute[[x]",
)
field_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["POTHOLE", "INFO", "39.75", "-75.55", "1e309", "nan", "small"]),
)


@given(fields=st.dictionaries(st.sampled_from(FIELD_NAMES), field_values))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_create_with_valid_key_has_no_server_errors(fuzz_server, fuzz_key, fields):
    response = requests.post(
        f"{fuzz_server.url}/open311/v2/requests.json",
        data={"api_key": fuzz_key, **fields},
        timeout=30,
    )
    assert response.status_code in (201, 400), response.text
