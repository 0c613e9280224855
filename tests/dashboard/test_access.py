"""Which callback requests an anonymous user may make."""

from __future__ import annotations

from dashboard.access import is_public_callback


def body(outputs, pathname=None):
    inputs = []
    if pathname is not None:
        inputs.append(
            {"id": "_pages_location", "property": "pathname", "value": pathname}
        )
    return {"outputs": outputs, "inputs": inputs}


def test_public_outputs_allowed():
    request = body(
        [
            {"id": "public-map", "property": "figure"},
            {"id": "public-types", "property": "children"},
        ]
    )
    assert is_public_callback(request)


def test_single_output_form_allowed():
    assert is_public_callback(
        body({"id": "public-lookup-result", "property": "children"})
    )


def test_mixed_outputs_refused():
    request = body(
        [
            {"id": "public-map", "property": "figure"},
            {"id": "overview-tiles", "property": "children"},
        ]
    )
    assert not is_public_callback(request)


def test_router_for_public_page_allowed():
    outputs = [
        {"id": "_pages_content", "property": "children"},
        {"id": "_pages_store", "property": "data"},
    ]
    assert is_public_callback(body(outputs, "/public"))
    assert not is_public_callback(body(outputs, "/"))
    assert not is_public_callback(body(outputs, "/cases"))


ROUTER_OUTPUTS = [
    {"id": "_pages_content", "property": "children"},
    {"id": "_pages_store", "property": "data"},
]


def test_router_with_real_inputs_allowed():
    request = body(ROUTER_OUTPUTS, "/public")
    request["inputs"].append(
        {"id": "_pages_location", "property": "search", "value": "?lang=es"}
    )
    assert is_public_callback(request)


def test_router_with_extra_input_refused():
    """Dash passes inputs by position: an extra first input would set the path."""
    request = body(ROUTER_OUTPUTS, "/public")
    request["inputs"].insert(0, {"id": "x", "property": "y", "value": "/department/PW"})
    assert not is_public_callback(request)


def test_router_with_search_first_refused():
    request = body(ROUTER_OUTPUTS)
    request["inputs"] = [
        {"id": "_pages_location", "property": "search", "value": "/cases"},
        {"id": "_pages_location", "property": "pathname", "value": "/public"},
    ]
    assert not is_public_callback(request)


def test_router_with_state_refused():
    request = body(ROUTER_OUTPUTS, "/public")
    request["state"] = [{"id": "x", "property": "data", "value": 1}]
    assert not is_public_callback(request)


def test_pattern_id_by_type():
    public = body({"id": {"type": "public-card", "index": 1}, "property": "children"})
    staff = body({"id": {"type": "filter-nav", "page": "public"}, "property": "href"})
    assert is_public_callback(public)
    assert not is_public_callback(staff)


def test_malformed_body_refused():
    assert not is_public_callback(None)
    assert not is_public_callback({"outputs": "public-map"})
