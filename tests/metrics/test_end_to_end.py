"""The November scenario through the real pipeline: case service, ETL, snapshot.

The cases are filed and worked with ``CaseService`` on a SQLite case store,
with a settable clock at the scenario's times, then ``etl.load.run`` publishes
a snapshot that the metrics read. The service computes due dates from the test
city's SLAs, so figures that depend on them are compared with the pandas
reference. Case G (closed before it was created) cannot be made through the
service, so it is left out here; the hand-built warehouse covers it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from bench.reference_pandas import figures, load_tables
from tests.conftest import REPO_ROOT
from tests.metrics.builder import local
from tests.metrics.scenario import END_OF_NOVEMBER, NOVEMBER

load = pytest.importorskip("etl.load", reason="the ETL is not in this checkout")

TEST_CITY = REPO_ROOT / "tests" / "cases" / "fixtures" / "testville.toml"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _replay(service, clock: Clock) -> None:
    """File and work cases A to M (without G) at the scenario's local times."""
    from cases.intake import NewCase

    numbers: dict[str, str] = {}

    def at(*parts):
        clock.now = local(*parts)

    def file(letter, type_code, *when):
        at(*when)
        new = NewCase(type_code, f"case {letter}", address="1 Market St", district="1")
        detail = service.file(new)
        numbers[letter] = detail.case_number

    steps = [
        lambda: file("K", "POTHOLE", 2026, 10, 1, 9),
        lambda: (at(2026, 10, 2, 9), service.transfer(numbers["K"], "LI")),
        lambda: (at(2026, 10, 2, 10), service.acknowledge(numbers["K"])),
        lambda: file("A", "POTHOLE", 2026, 10, 31, 22),
        lambda: (at(2026, 11, 1, 22), service.close(numbers["A"], "resolved")),
        lambda: file("B", "POTHOLE", 2026, 11, 2, 8),
        lambda: (at(2026, 11, 2, 10), service.acknowledge(numbers["B"])),
        lambda: file("D", "POTHOLE", 2026, 11, 3, 9),
        lambda: (at(2026, 11, 4, 9), service.close(numbers["D"], "resolved")),
        lambda: (at(2026, 11, 5, 9), service.reopen(numbers["D"])),
        lambda: file("E", "POTHOLE", 2026, 11, 5, 12),
        lambda: (at(2026, 11, 5, 13), service.merge(numbers["E"], numbers["B"])),
        lambda: (at(2026, 11, 6, 8), service.close(numbers["B"], "resolved")),
        lambda: file("F", "INFO", 2026, 11, 6, 10),
        lambda: (at(2026, 11, 6, 11), service.close(numbers["F"], "no_action_needed")),
        lambda: (at(2026, 11, 9, 9), service.close(numbers["D"], "resolved")),
        lambda: file("C", "HOUSING", 2026, 11, 10, 9),
        lambda: (at(2026, 11, 10, 10), service.acknowledge(numbers["C"])),
        lambda: file("I", "HOUSING", 2026, 11, 12, 9),
        lambda: (at(2026, 11, 12, 9, 4), service.close(numbers["I"], "administrative")),
        lambda: (at(2026, 11, 12, 15), service.close(numbers["C"], "resolved")),
        lambda: file("L", "POTHOLE", 2026, 11, 16, 9),
        lambda: (at(2026, 11, 16, 10), service.transfer(numbers["L"], "LI")),
        lambda: (at(2026, 11, 18, 9), service.close(numbers["L"], "resolved")),
        lambda: file("H", "HOUSING", 2026, 11, 20, 10),
        lambda: (at(2026, 11, 20, 11), service.acknowledge(numbers["H"])),
        lambda: file("M", "HOUSING", 2026, 11, 24, 9),
        lambda: (at(2026, 11, 25, 9), service.close(numbers["M"], "unable_to_locate")),
        lambda: file("J", "POTHOLE", 2026, 11, 29, 12),
        lambda: (at(2026, 12, 2, 10), service.close(numbers["H"], "resolved")),
    ]
    for step in steps:
        step()


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Replay the scenario into a case store, publish a snapshot, return settings."""

    from cases import schema
    from cases.catalogue import sync_catalogue
    from cases.city import load_city
    from cases.db import make_engine, make_session_factory, transaction
    from cases.service import CaseService
    from city311.settings import load_settings

    folder = tmp_path_factory.mktemp("pipeline")
    settings = load_settings(
        overrides={"data_dir": str(folder), "city": str(TEST_CITY)}, environ={}
    )
    city = load_city(str(TEST_CITY))
    engine = make_engine(settings.database_url)
    schema.upgrade(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        sync_catalogue(session, city)
    clock = Clock()
    _replay(CaseService(sessions, city, clock=clock), clock)
    load.run(settings, engine, city, full=True)
    engine.dispose()
    return settings


@pytest.fixture(scope="module")
def snapshot(pipeline):
    from etl.warehouse import open_snapshot

    con = open_snapshot(pipeline)
    yield con
    con.close()


def test_pipeline_counts(snapshot):
    from metrics import volume
    from metrics.filters import Filters

    row = volume.throughput(snapshot, Filters(*NOVEMBER)).iloc[0]
    assert row["received"] == 10  # the scenario's 11 without G
    assert row["closed"] == 10  # D twice, E's merge; H closes in December


def test_pipeline_durations(snapshot):
    from metrics import timeliness
    from metrics.filters import Filters

    row = timeliness.closures(snapshot, Filters(*NOVEMBER)).iloc[0]
    assert row["n_durations"] == 8  # A, B, C, D, F, I, L, M
    assert row["time_to_close_median_hours"] == pytest.approx(36.5, abs=1 / 3600)
    assert row["time_to_close_p90_hours"] == pytest.approx(110.4, abs=1 / 3600)
    assert row["reopen_rate"] == pytest.approx(1 / 9)


def test_pipeline_backlog(snapshot):
    from metrics import backlog
    from metrics.filters import Filters

    november = Filters(*NOVEMBER)
    assert (
        backlog.state(snapshot, november, END_OF_NOVEMBER).iloc[0]["open_backlog"] == 3
    )  # H, J, K
    reopened = backlog.state(snapshot, november, local(2026, 11, 5, 12)).iloc[0]
    assert reopened["open_backlog"] == 4  # B, D, E, K


def test_pipeline_transfers(snapshot):
    from metrics import volume
    from metrics.filters import Filters

    frame = volume.transfers(snapshot, Filters(*NOVEMBER)).set_index("department")
    assert frame.loc["PW", "transfers_out"] == 1  # L
    assert frame.loc["LI", "transfers_in"] == 1


def test_pipeline_matches_reference(snapshot):
    from metrics import backlog, timeliness, volume
    from metrics.filters import Filters

    november = Filters(*NOVEMBER)
    expected = figures(load_tables(snapshot), *NOVEMBER, END_OF_NOVEMBER)[None]
    closures = timeliness.closures(snapshot, november).iloc[0]
    state = backlog.state(snapshot, november, END_OF_NOVEMBER).iloc[0]
    first = timeliness.first_response(snapshot, november).iloc[0]
    assert closures["on_time_rate"] == pytest.approx(expected["on_time_rate"])
    assert closures["resolution_rate"] == pytest.approx(expected["resolution_rate"])
    assert state["overdue_open"] == expected["overdue_open"]
    assert first["first_response_median_hours"] == pytest.approx(
        expected["first_response_median_hours"], abs=1 / 3600
    )
    assert volume.throughput(snapshot, november).iloc[0]["duplicate_share"] == 0.1


def test_pipeline_report_command(pipeline):
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(pipeline.data_dir),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "city311",
            "report",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--as-of",
            "2026-12-01T00:00",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["metrics"]["received"] == 10
    assert payload["metrics"]["open_backlog"] == 3
