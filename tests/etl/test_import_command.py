"""`city311 import` in process, with a small CSV format registered for the test."""

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from city311.cli import main
from etl import import_commands
from etl.sources.record import RejectedRow, SourceRecord
from tests.conftest import REPO_ROOT
from tests.etl.records import at

TEST_CITY = REPO_ROOT / "tests" / "cases" / "fixtures" / "testville.toml"


def read_tiny(path: Path, **options):
    """Read ``id,created,status,type`` rows; a row without a date is rejected."""
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            if not row["created"]:
                yield RejectedRow(
                    number, "created date is empty", ",".join(row.values())
                )
                continue
            yield SourceRecord(
                row_number=number,
                source="tiny",
                external_id=row["id"],
                service_code=row["type"],
                service_name=row["type"].title(),
                department_code="PW",
                department_name="Public Works",
                status=row["status"],
                created_at=at(row["created"]),
                closed_at=at("2025-03-09 10:00") if row["status"] == "closed" else None,
            )


@pytest.fixture
def cli(tmp_path, monkeypatch, database_url):
    monkeypatch.setattr(
        import_commands, "available_formats", lambda: {"tiny": read_tiny}
    )
    env = {
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": database_url,
    }
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)

    assert invoke("init").exit_code == 0
    return invoke


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,created,status,type\n"
        "T1,2025-03-02 14:00,new,POTHOLE\n"
        "T2,2025-03-03 09:30,closed,ODD_NEW_TYPE\n"
        "T3,,new,POTHOLE\n"
    )
    return path


def test_import_json_counts(cli, export, tmp_path):
    result = cli("import", "tiny", str(export), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["read"] == 3
    assert payload["inserted"] == 2
    assert payload["updated"] == 0
    assert payload["unchanged"] == 0
    assert payload["rejected"] == 1
    assert payload["flagged"] == 0
    rejects = Path(payload["rejects_file"])
    assert rejects.parent == tmp_path / "var" / "rejects"
    assert "created date is empty" in rejects.read_text()


def test_import_twice_noop(cli, export):
    cli("import", "tiny", str(export))
    second = json.loads(cli("import", "tiny", str(export), "--json").stdout)
    assert second["inserted"] == 0
    assert second["updated"] == 0
    assert second["unchanged"] == 2
    assert second["rejected"] == 1


def test_import_text_summary(cli, export):
    result = cli("import", "tiny", str(export))
    assert "read 3, inserted 2" in result.stdout


def test_imported_case_lookup(cli, export):
    cli("import", "tiny", str(export))
    result = cli("case", "lookup", "T2", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["status"] == "closed"
    assert payload["service_type"] == "ODD_NEW_TYPE"


def test_import_missing_file(cli, tmp_path):
    missing = tmp_path / "nowhere.csv"
    result = cli("import", "tiny", str(missing))
    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert "not found" in result.stderr


def test_import_unknown_format(cli, export):
    result = cli("import", "fortran", str(export))
    assert result.exit_code == 2
    assert "fortran" in result.stderr


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


def test_import_open311_url(cli, httpserver):
    from tests.etl.open311_servers import PATH, make_requests, paging_server

    httpserver.expect_request(PATH).respond_with_handler(
        paging_server(make_requests(40, days=20))
    )
    url = httpserver.url_for("/open311/v2")
    result = cli("import", "open311", url, "--since", "2026-01-01", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["read"] == 40
    assert payload["inserted"] == 40
    assert payload["source"].startswith("open311:127.0.0.1:")


def test_import_open311_times_out(cli, httpserver, monkeypatch):
    from etl.sources import open311
    from tests.etl.open311_servers import PATH, make_requests, paging_server, slow

    handler = slow(paging_server(make_requests(10)), seconds=1.0)
    httpserver.expect_request(PATH).respond_with_handler(handler)
    quick = functools.partial(
        open311.Open311Puller, timeout=0.2, retries=1, backoff=0.01
    )
    monkeypatch.setattr(open311, "Open311Puller", quick)
    result = cli("import", "open311", httpserver.url_for("/open311/v2"))
    assert result.exit_code == 1
    assert "failed after 1 retries" in result.stderr
    assert "timed out" in result.stderr
    assert "check that the server is up" in result.stderr


def test_import_open311_down(cli, httpserver):
    httpserver.expect_request("/v2/requests.json").respond_with_data("no", status=404)
    result = cli("import", "open311", httpserver.url_for("/v2"))
    assert result.exit_code == 1
    assert "HTTP 404" in result.stderr
