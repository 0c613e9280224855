"""Figures on Boston's 2015 open data against counts made straight from the files.

The five per-type files are imported with ``city311 import boston`` into a fresh
SQLite case store and loaded with ``city311 etl run --full``. Received and
closed per day must equal counts of OPEN_DT and CLOSED_DT (New York wall time)
made with the csv module, and the on-time rate must equal the share of
OnTime_Status "ONTIME" among the same closed cases with a TARGET_DT. In these
files a blank OnTime_Status on a closed case with a target always means it
closed after its target, so it counts as late.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from calendar import monthrange
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

FOLDER = Path("boston") / "johnsliao__bostonservicemap"
YEAR = (date(2015, 1, 1), date(2015, 12, 31))


def _local(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")


def _raw_rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def _city311(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": "wilmington",  # also America/New_York
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "city311", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=1200,
    )


@pytest.fixture(scope="module")
def boston(real_data_dir, tmp_path_factory):
    """Import and load the files; yield (raw rows, read-only warehouse connection)."""
    folder = real_data_dir / FOLDER
    tmp_path = tmp_path_factory.mktemp("boston")
    commands = _city311(tmp_path, "--help").stdout
    if " import " not in commands or " etl " not in commands:
        pytest.skip("the import and etl commands are not installed in this checkout")
    steps = [("init",)] + [("import", "boston", str(p)) for p in folder.glob("*.csv")]
    for step in steps + [("etl", "run", "--full")]:
        result = _city311(tmp_path, *step)
        assert result.returncode == 0, f"city311 {' '.join(step)}: {result.stderr}"

    from city311.settings import load_settings
    from etl.warehouse import open_snapshot

    settings = load_settings(overrides={"data_dir": str(tmp_path / "var")})
    con = open_snapshot(settings)
    yield _raw_rows(folder), con
    con.close()


def test_received_per_day(boston):
    from metrics import volume
    from metrics.filters import Filters

    rows, con = boston
    expected = Counter(_local(r["OPEN_DT"]).date() for r in rows)
    frame = volume.throughput(con, Filters(*YEAR), by="day")
    actual = {k: int(v) for k, v in zip(frame["key"], frame["received"], strict=True)}
    assert {k: v for k, v in actual.items() if v} == {
        k: v for k, v in expected.items() if YEAR[0] <= k <= YEAR[1]
    }


def test_closed_per_day(boston):
    from metrics import volume
    from metrics.filters import Filters

    rows, con = boston
    expected = Counter(
        _local(r["CLOSED_DT"]).date()
        for r in rows
        if r["CASE_STATUS"] == "Closed" and r["CLOSED_DT"]
    )
    frame = volume.throughput(con, Filters(*YEAR), by="day")
    actual = {k: int(v) for k, v in zip(frame["key"], frame["closed"], strict=True)}
    assert {k: v for k, v in actual.items() if v} == {
        k: v for k, v in expected.items() if YEAR[0] <= k <= YEAR[1]
    }


@pytest.mark.parametrize("month", [1, 6, 11])
def test_on_time_rate_matches_boston(boston, month):
    from metrics import timeliness
    from metrics.filters import Filters

    rows, con = boston
    start = date(2015, month, 1)
    end = date(2015, month, monthrange(2015, month)[1])
    closed = [
        r
        for r in rows
        if r["CASE_STATUS"] == "Closed"
        and r["CLOSED_DT"]
        and r["TARGET_DT"]
        and start <= _local(r["CLOSED_DT"]).date() <= end
    ]
    boston_rate = sum(r["OnTime_Status"] == "ONTIME" for r in closed) / len(closed)
    row = timeliness.closures(con, Filters(start, end)).iloc[0]
    assert row["n_with_due"] == len(closed)
    assert row["on_time_rate"] == pytest.approx(boston_rate, abs=1e-12)
    print(json.dumps({"month": month, "cases": len(closed), "rate": boston_rate}))
