"""Callback requests with inputs of the wrong shape, as a hand-made POST sends them.

Each must end in no update (HTTP 204) or a warning in the page's message
area, never a server error.
"""

from __future__ import annotations

from typing import Any

import pytest

NO_UPDATE = 204


@pytest.fixture(scope="module")
def client(dash_server):
    return dash_server.test_client()


@pytest.fixture(scope="module")
def dependencies(client) -> list[dict[str, Any]]:
    return client.get("/_dash-dependencies").get_json()


def _outputs(output: str) -> list[dict[str, str]]:
    """Split a dependency's output string into the ``outputs`` of a request."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]


def callback_body(dependencies, output: str, values: dict, changed: str) -> dict:
    """Build the request that the browser sends for the callback of ``output``.

    ``values`` maps ``id.property`` to the value sent; others are sent as null.
    """
    dependency = next(d for d in dependencies if output in d["output"])
    outputs = _outputs(dependency["output"])

    def fill(items):
        return [
            {**item, "value": values.get(f"{item['id']}.{item['property']}")}
            for item in items
        ]

    return {
        "output": dependency["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": fill(dependency["inputs"]),
        "state": fill(dependency["state"]),
        "changedPropIds": [changed],
    }


def post(client, dependencies, output: str, values: dict, changed: str):
    body = callback_body(dependencies, output, values, changed)
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize("period", [["4"], {"weeks": "4"}])
@pytest.mark.parametrize(
    "output", ["public-departments.children", "public-types", "public-map"]
)
def test_public_period_not_text(client, dependencies, output, period):
    values = {"public-period.value": period}
    response = post(client, dependencies, output, values, "public-period.value")
    # A period that is not one of the choices shows the default four weeks.
    assert response.status_code == 200
    assert output.split(".")[0] in response.get_data(as_text=True)


@pytest.mark.parametrize("number", [5, ["26-000001-1"], {"a": 1}])
def test_public_lookup_not_text(client, dependencies, number):
    values = {
        "public-lookup-input.value": number,
        "public-lookup-button.n_clicks": 1,
    }
    changed = "public-lookup-button.n_clicks"
    response = post(client, dependencies, "public-lookup-result", values, changed)
    assert response.status_code == NO_UPDATE


SCORECARD_CLICK = "overview-scorecard-grid-click.data"
WEEKLY_CLICK = "overview-received-closed.clickData"
TYPE_CLICK = "overview-top-types.clickData"
MAP_CLICK = "overview-map.clickData"


def points(*customdata) -> dict:
    return {"points": [{"customdata": data} for data in customdata]}


@pytest.mark.parametrize(
    ("changed", "click"),
    [
        (SCORECARD_CLICK, "PW"),
        (SCORECARD_CLICK, ["PW"]),
        (SCORECARD_CLICK, {"rowId": ["PW"], "colId": "name"}),
        (SCORECARD_CLICK, {"rowId": {"code": "PW"}, "colId": "on_time_rate"}),
        (SCORECARD_CLICK, {"rowId": "", "colId": "name"}),
        (WEEKLY_CLICK, {"points": []}),
        (WEEKLY_CLICK, {"points": "x"}),
        (WEEKLY_CLICK, {"points": [5]}),
        (WEEKLY_CLICK, points(3)),
        (WEEKLY_CLICK, points(["2026-11-02", "received"])),
        (WEEKLY_CLICK, points(["2026-13-40", "received", "label"])),
        (WEEKLY_CLICK, points(["9999-12-31", "received", "label"])),
        (WEEKLY_CLICK, points([20261102, "received", "label"])),
        (TYPE_CLICK, points(["POT"])),
        (TYPE_CLICK, points("")),
        (MAP_CLICK, points("ab")),
        (MAP_CLICK, points(["district", [1]])),
        (MAP_CLICK, "x"),
    ],
)
def test_overview_drill_down_malformed(client, dependencies, changed, click):
    values = {changed: click, "overview-query.data": {}}
    response = post(client, dependencies, "overview-go.href", values, changed)
    assert response.status_code == NO_UPDATE


def test_overview_drill_down_odd_column(client, dependencies):
    click = {"rowId": "PW", "colId": ["on_time_rate"]}
    values = {SCORECARD_CLICK: click, "overview-query.data": {}}
    response = post(client, dependencies, "overview-go.href", values, SCORECARD_CLICK)
    assert response.status_code == 200
    assert "department=PW&basis=received" in response.get_data(as_text=True)


def test_overview_drill_down_week(client, dependencies):
    click = points(["2026-11-02", "closed", "2 Nov"])
    values = {WEEKLY_CLICK: click, "overview-query.data": {}}
    response = post(client, dependencies, "overview-go.href", values, WEEKLY_CLICK)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "from=2026-11-02&to=2026-11-08&basis=closed" in text


@pytest.mark.parametrize("query", [5, "from=2026-11-02", [1]])
def test_overview_query_not_mapping(client, dependencies, query):
    values = {"overview-load.data": True, "overview-query.data": query}
    response = post(
        client, dependencies, "overview-tiles", values, "overview-load.data"
    )
    assert response.status_code == 200
    assert "is invalid; open the page from a link" in response.get_data(as_text=True)


DEPARTMENT_OUTPUTS = [
    "department-on-time.figure",
    "department-aging",
    "department-transfers",
    "department-overdue.children",
]


@pytest.mark.parametrize("code", [["PW"], {"code": "PW"}])
@pytest.mark.parametrize("output", DEPARTMENT_OUTPUTS)
def test_department_code_not_text(client, dependencies, output, code):
    values = {"department-code.data": code, "department-query.data": {}}
    response = post(client, dependencies, output, values, "department-code.data")
    assert response.status_code in (200, NO_UPDATE)
    if response.status_code == 200:
        assert "unknown department" in response.get_data(as_text=True)


@pytest.mark.parametrize("output", DEPARTMENT_OUTPUTS)
def test_department_query_number(client, dependencies, output):
    values = {"department-code.data": "PW", "department-query.data": 5}
    response = post(client, dependencies, output, values, "department-query.data")
    assert response.status_code in (200, NO_UPDATE)
    if response.status_code == 200:
        assert "query 5 is invalid" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changed", "value"),
    [
        ("department-overdue-grid-click.data", "x"),
        ("department-overdue-grid-click.data", {"colId": "case_number", "value": [1]}),
        ("department-on-time.clickData", {"points": []}),
        ("department-on-time.clickData", points(["POT"])),
    ],
)
def test_department_drill_down_malformed(client, dependencies, changed, value):
    values = {changed: value, "department-code.data": "PW", "department-query.data": {}}
    response = post(client, dependencies, "department-go.href", values, changed)
    assert response.status_code == NO_UPDATE


GRID_REQUEST = "cases-grid.getRowsRequest"


@pytest.mark.parametrize(
    "request_body",
    [
        "x",
        {"startRow": "x"},
        {"startRow": 1e308},
        {"startRow": 10**30},
        {"startRow": True},
        {"startRow": -1},
        {"startRow": 0, "endRow": "100"},
    ],
)
def test_case_grid_bad_rows(client, dependencies, request_body):
    values = {GRID_REQUEST: request_body, "cases-query.data": {}}
    response = post(client, dependencies, "cases-grid", values, GRID_REQUEST)
    assert response.status_code == NO_UPDATE


@pytest.mark.parametrize(
    ("grid_request", "message"),
    [
        ({"sortModel": "created_at"}, "sort model 'created_at' is invalid"),
        ({"sortModel": ["created_at"]}, "sort 'created_at' is invalid"),
        ({"sortModel": [{"colId": ["status"], "sort": "asc"}]}, "is invalid"),
        ({"filterModel": "status"}, "filter model 'status' is invalid"),
        ({"filterModel": {"status": "Open"}}, "is invalid"),
    ],
)
def test_case_grid_bad_models(client, dependencies, grid_request, message):
    body = {"startRow": 0, "endRow": 100, **grid_request}
    values = {GRID_REQUEST: body, "cases-query.data": {}}
    response = post(client, dependencies, "cases-grid", values, GRID_REQUEST)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("cell", ["x", {"colId": "case_number", "value": {"a": 1}}])
def test_case_grid_click_malformed(client, dependencies, cell):
    values = {"cases-grid-click.data": cell}
    changed = "cases-grid-click.data"
    response = post(client, dependencies, "cases-go.href", values, changed)
    assert response.status_code == NO_UPDATE


def test_case_summary_query_number(client, dependencies):
    values = {"cases-query.data": 5}
    response = post(client, dependencies, "cases-summary", values, "cases-query.data")
    assert response.status_code == 200
    assert "query 5 is invalid" in response.get_data(as_text=True)
