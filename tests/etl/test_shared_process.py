"""The ETL and the case service in one process, with another process writing too.

POSIX file locks belong to a process, so if the ETL read the store through a
second copy of SQLite, closing that copy would drop the service's locks and
another process could delete the write-ahead log under them, losing writes.
"""

from __future__ import annotations

import os
import subprocess
import sys

from cases.catalogue import sync_catalogue
from cases.db import make_engine, make_session_factory, transaction
from cases.intake import NewCase
from cases.schema import upgrade
from cases.service import CaseService
from city311.settings import load_settings
from etl.load import run
from tests.conftest import REPO_ROOT
from tests.etl.conftest import TEST_CITY


def test_writes_survive_etl_and_other_process(tmp_path, city):
    url = f"sqlite:///{tmp_path / 'cases.sqlite'}"
    settings = load_settings(
        overrides={
            "data_dir": str(tmp_path),
            "database_url": url,
            "city": str(TEST_CITY),
        },
        environ={},
    )
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        sync_catalogue(session, city)
    service = CaseService(sessions, city)
    service.file(NewCase("INFO", "first question", channel="web"))

    run(settings, engine, city, full=True)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "CITY311_DATABASE_URL": url,
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATA_DIR": str(tmp_path),
    }
    other = subprocess.run(
        [
            sys.executable,
            "-m",
            "city311",
            "case",
            "file",
            "--type",
            "INFO",
            "--description",
            "from another process",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    number = service.file(NewCase("INFO", "after the ETL", channel="web")).case_number
    engine.dispose()

    lookup = subprocess.run(
        [sys.executable, "-m", "city311", "case", "lookup", number],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert lookup.returncode == 0, lookup.stderr
    assert other.stdout.strip() != number
