"""`city311 import nyc` on files that a first import can meet in practice."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from city311.cli import main
from tests.conftest import REPO_ROOT
from tests.etl.sources.test_csvread import garbage_bytes
from tests.etl.sources.test_nyc import PORTAL_HEADER, row

TEST_CITY = REPO_ROOT / "tests" / "cases" / "fixtures" / "testville.toml"


def city311_env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": database_url,
    }


@pytest.fixture
def cli(tmp_path, database_url):
    env = city311_env(tmp_path, database_url)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert invoke("init").exit_code == 0
    return invoke


def nyc_lines(first: int, count: int) -> str:
    return "".join(
        row(str(key), "01/22/2018 09:15:00 AM", "01/23/2018 10:00:00 AM")
        for key in range(first, first + count)
    )


def test_binary_block_rows_rejected(cli, tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(
        PORTAL_HEADER.encode()
        + nyc_lines(1, 3500).encode()
        + garbage_bytes(3000)
        + b"\n"
        + nyc_lines(3501, 3500).encode()
    )
    result = cli("import", "nyc", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert "Exception ignored" not in result.stderr
    payload = json.loads(result.stdout)
    assert payload["inserted"] == 7000
    assert payload["rejected"] > 0
    assert payload["read"] == payload["inserted"] + payload["rejected"]
    with open(payload["rejects_file"], newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == payload["rejected"]
    numbers = [int(reject["row_number"]) for reject in rejects]
    assert numbers == list(range(3501, 3501 + len(rejects)))
    assert all(reject["reason"].startswith("expected 16 fields") for reject in rejects)
    assert any("\ufffd" in reject["raw"] for reject in rejects)
    lookup = cli("case", "lookup", str(7000), "--json")
    assert lookup.exit_code == 0, lookup.output
