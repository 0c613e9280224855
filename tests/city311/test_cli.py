"""The `city311` command as a user runs it: a real process, a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

TEST_CITY = REPO_ROOT / "tests" / "cases" / "fixtures" / "testville.toml"


def run(tmp_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "city311", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"city311 {' '.join(args)} failed: {result.stderr}")
    return result


@pytest.fixture
def store(tmp_path: Path) -> Path:
    run(tmp_path, "init")
    return tmp_path


def test_types_json_contract(store):
    payload = json.loads(run(store, "types", "--json").stdout)
    pothole = next(t for t in payload["types"] if t["code"] == "POTHOLE")
    assert pothole == {
        "code": "POTHOLE",
        "name": "Pothole",
        "department": "PW",
        "kind": "service_request",
        "sla": {"value": 3, "unit": "business_days"},
        "needs_location": True,
    }


def test_file_then_show_prints_history(store):
    filed = json.loads(
        run(
            store,
            "case",
            "file",
            "--type",
            "POTHOLE",
            "--description",
            "Deep hole",
            "--address",
            "800 N French St",
            "--json",
        ).stdout
    )
    assert set(filed) >= {
        "case_number",
        "status",
        "service_type",
        "department",
        "created_at",
        "due_at",
    }
    assert filed["due_at"].endswith(("-04:00", "-05:00", "+00:00"))
    number = filed["case_number"]
    run(store, "case", "acknowledge", number)
    shown = json.loads(run(store, "case", "show", number, "--json").stdout)
    assert [e["kind"] for e in shown["events"]] == ["created", "acknowledged"]
    assert all("at" in e for e in shown["events"])
    text = run(store, "case", "show", number).stdout
    assert f"Case {number}  (Acknowledged)" in text
    assert "Due:" in text
    assert "History:" in text


def test_lookup_hides_requester(store):
    number = run(
        store,
        "case",
        "file",
        "--type",
        "INFO",
        "--description",
        "Library hours?",
        "--name",
        "Robin Sample",
        "--phone",
        "302-555-0199",
    ).stdout.strip()
    output = run(store, "case", "lookup", number, "--json").stdout
    assert json.loads(output)["case_number"] == number
    assert "Robin" not in output
    assert "555-0199" not in output
    text = run(store, "case", "lookup", number).stdout
    assert text.startswith(f"Case {number}: Received\n")


def test_errors_exit_one_with_one_sentence(store):
    result = run(
        store, "case", "file", "--type", "NOPE", "--description", "x", check=False
    )
    assert result.returncode == 1
    assert "service type 'NOPE' is unknown" in result.stderr
    error_lines = [
        line for line in result.stderr.splitlines() if line.startswith("error:")
    ]
    assert len(error_lines) == 1
    invalid = run(store, "case", "show", "26-000001-1", check=False)
    assert invalid.returncode == 1
    assert "check digit" in invalid.stderr or "not found" in invalid.stderr


def test_bad_usage_exits_two(store):
    result = run(store, "case", "file", "--description", "no type", check=False)
    assert result.returncode == 2


@pytest.mark.parametrize("phone", ["-------", "(((( ))))", "......."])
def test_file_rejects_phone_without_digits(store, phone):
    result = run(
        store,
        *("case", "file", "--type", "INFO", "--description", "x", "--phone", phone),
        check=False,
    )
    assert result.returncode == 1
    assert "at least 7 digits" in result.stderr


def test_demo_on_busy_port_fails_before_any_work(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(tmp_path, "demo", "--port", str(port), check=False)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr
    # Nothing was set up: no case store and no warehouse.
    assert not (tmp_path / "var").exists()
