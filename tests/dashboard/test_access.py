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


def test_pattern_id_by_type():
    public = body({"id": {"type": "public-card", "index": 1}, "property": "children"})
    staff = body({"id": {"type": "filter-nav", "page": "public"}, "property": "href"})
    assert is_public_callback(public)
    assert not is_public_callback(staff)


def test_malformed_body_refused():
    assert not is_public_callback(None)
    assert not is_public_callback({"outputs": "public-map"})
