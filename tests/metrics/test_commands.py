"""``city311 report`` run as a real process on the hand-made November warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import click.testing
import pytest

from tests.conftest import REPO_ROOT

AS_OF = "2026-12-01T00:00"  # city time: midnight EST


def report(tmp_path: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": "wilmington",
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "city311", "report", "--warehouse", str(warehouse)]
        + list(args),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.fixture
def run(tmp_path, scenario_path):
    return lambda *args: report(tmp_path, scenario_path, *args)


def test_report_json_metrics(run):
    result = run(
        "--from", "2026-11-01", "--to", "2026-11-30", "--as-of", AS_OF, "--json"
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["metrics"]["received"] == 11
    assert payload["metrics"]["closed"] == 11
    assert payload["metrics"]["open_backlog"] == 3
    assert payload["metrics"]["overdue_open"] == 2
    assert payload["metrics"]["on_time_rate"] is None  # 8 cases, below 30
    assert payload["as_of"] == "2026-12-01T00:00:00-05:00"
    # October: K (1 October) and A (31 October).
    assert payload["details"]["received"]["previous"] == 2


def test_report_json_by_department(run):
    result = run(
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--as-of",
        AS_OF,
        "--by",
        "department",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    rows = {row["department"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["PW"]["metrics"]["received"] == 6
    assert rows["TR"]["metrics"]["open_backlog"] == 2


def test_report_department_filter(run):
    result = run(
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--as-of",
        AS_OF,
        "--department",
        "PW",
        "--service-type",
        "pothole",
        "--json",
    )
    payload = json.loads(result.stdout)
    assert payload["metrics"]["received"] == 5  # B, D, E, G, J
    # The backlog target is set for all of Public Works, not for its potholes.
    assert payload["details"]["open_backlog"]["target"] is None
    assert payload["details"]["on_time_rate"]["target"] is not None


def test_report_table(run):
    result = run("--from", "2026-11-01", "--to", "2026-11-30", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CitiStat 2026-11-01 to 2026-11-30")
    assert lines[0].endswith(
        "(backlog as of 2026-12-01 00:00 EST); previous period 2026-10-01 to 2026-10-31"
    )
    assert lines[1].startswith("Data: file ")
    received = next(line for line in lines if line.startswith("Received"))
    assert received.split()[1:4] == ["11", "2", "-"]
    median = next(line for line in lines if line.startswith("Median time to close"))
    assert " h " in median
    on_time = next(line for line in lines if line.startswith("On-time rate"))
    assert on_time.rstrip().endswith("insufficient data")


def test_report_period_to_date(run):
    result = run(
        "--from", "2026-11-01", "--to", "2026-11-30", "--as-of", "2026-11-05T12:00"
    )
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        "CitiStat 2026-11-01 to 2026-11-30, to date 2026-11-01 to 2026-11-05 "
    )
    assert first.endswith("previous period 2026-10-01 to 2026-10-05")


def test_report_bad_date(run):
    result = run("--from", "2026-11-31", "--to", "2026-12-01")
    assert result.returncode == 2
    assert "'2026-11-31' is not a date" in result.stderr


def test_report_inverted_range(run):
    result = run("--from", "2026-11-30", "--to", "2026-11-01")
    assert result.returncode == 2
    assert "period end 2026-11-01 is before its start 2026-11-30" in result.stderr


def test_report_bad_as_of(run):
    result = run("--from", "2026-11-01", "--to", "2026-11-30", "--as-of", "noon")
    assert result.returncode == 2
    assert "'noon' is not a timestamp" in result.stderr


def test_report_unknown_department(run):
    result = run("--from", "2026-11-01", "--to", "2026-11-30", "--department", "XX")
    assert result.returncode == 2
    assert "unknown department code 'XX'" in result.stderr


def test_report_warehouse_not_duckdb(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    result = report(tmp_path, text_file, "--from", "2026-11-01", "--to", "2026-11-30")
    assert result.returncode == 1
    assert "notes.txt could not be opened" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_missing_warehouse(tmp_path):
    result = report(
        tmp_path, tmp_path / "none.duckdb", "--from", "2026-11-01", "--to", "2026-11-30"
    )
    assert result.returncode == 1
    assert "none.duckdb not found" in result.stderr


def _runs(rows: list[tuple]):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE etl_run (run_id INTEGER, status VARCHAR, snapshot VARCHAR, "
        "finished_at TIMESTAMPTZ)"
    )
    for row in rows:
        con.execute("INSERT INTO etl_run VALUES (?, ?, ?, ?)", row)
    return con


def test_data_source_names_version_read():
    from metrics.commands import data_source

    con = _runs(
        [
            (1, "succeeded", "v000001", "2026-11-30 10:00:00+00"),
            (2, "succeeded", "v000002", "2026-12-01 06:05:00+00"),
            (3, "failed", None, "2026-12-01 06:10:00+00"),
        ]
    )
    finished = "ETL run finished 2026-12-01 06:05 UTC"
    assert data_source(con, None, None) == f"snapshot v000002, {finished}"
    assert data_source(con, "nov", None) == (
        f"frozen snapshot nov (version v000002), {finished}"
    )
    assert data_source(con, None, Path("w.duckdb")) == f"file w.duckdb, {finished}"
    assert data_source(_runs([]), None, None) == (
        "snapshot unknown version, no ETL run recorded"
    )


def test_score_column_rounds_down():
    from metrics.commands import _print_table

    detail = {
        "label": "Resolution rate",
        "unit": "fraction",
        "value": 0.799,
        "previous": None,
        "year_earlier": None,
        "target": 0.8,
        "score": 0.799 / 0.8,
        "reason": None,
        "n": 100,
    }
    runner = click.testing.CliRunner()
    command = click.Command("t", callback=lambda: _print_table({"r": detail}))
    line = runner.invoke(command).output.splitlines()[1]
    assert line.split()[-2] == "0.99"
