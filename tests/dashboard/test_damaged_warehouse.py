"""Callbacks on a warehouse file that is deleted or truncated after the start."""

from __future__ import annotations

import shutil

import pytest

from tests.dashboard.conftest import build_server
from tests.dashboard.test_callback_inputs import post


@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_damaged_file_shows_warning(tmp_path, warehouse_file, damage):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_file, copy)
    server = build_server(tmp_path / "data", copy, warm_cache=False)
    if damage == "deleted":
        copy.unlink()
    else:
        copy.write_bytes(copy.read_bytes()[:20_000])
    client = server.test_client()
    dependencies = client.get("/_dash-dependencies").get_json()
    values = {"overview-load.data": True, "overview-query.data": {}}
    changed = "overview-load.data"
    response = post(client, dependencies, "overview-tiles", values, changed)
    assert response.status_code == 200
    alert = response.get_json()["response"]["overview-message"]["children"]
    assert alert["type"] == "Alert"
    assert alert["props"]["color"] == "warning"
    assert str(copy) in alert["props"]["children"]
