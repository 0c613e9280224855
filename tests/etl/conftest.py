"""Fixtures of the ETL tests: a bulk writer on the migrated case store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from etl.bulk import ImportSummary, write_records

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def write(engine: Engine, tmp_path: Path) -> Callable[..., ImportSummary]:
    """Write records into the test store; keyword options go to the BulkWriter."""

    def run(items, **options) -> ImportSummary:
        options.setdefault("zone", NEW_YORK)
        options.setdefault("rejects_dir", tmp_path / "rejects")
        options.setdefault("source", "testcity")
        if "now" in options:
            moment: datetime = options.pop("now")
            options["clock"] = lambda: moment
        return write_records(engine, items, **options)

    return run
