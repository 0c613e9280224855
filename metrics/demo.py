"""The warehouse notebooks read: one named in the environment, or a synthetic one.

Notebooks call ``notebook_warehouse()``. With ``CITY311_NOTEBOOK_WAREHOUSE`` set
to a DuckDB file (a copied or frozen snapshot, say), they read that file.
Otherwise they get a synthetic warehouse of 20,000 cases written by
``metrics.synthetic`` into the system's temporary folder and reused on later
runs, so the figures are computed from real queries over random data.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
from filelock import FileLock

from metrics.synthetic import write_synthetic_warehouse

log = logging.getLogger(__name__)

WAREHOUSE_ENV = "CITY311_NOTEBOOK_WAREHOUSE"
DEMO_CASES = 20_000


def notebook_warehouse(cases: int = DEMO_CASES) -> duckdb.DuckDBPyConnection:
    """Open the notebook warehouse read-only, writing the synthetic one if needed."""
    # TODO: build the demo warehouse with `city311 demo-data` and the ETL once
    # both exist, so notebooks show the demo city rather than random cases.
    named = os.environ.get(WAREHOUSE_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(
                f"{WAREHOUSE_ENV} is {named}, which is not a file; "
                "point it at a DuckDB warehouse or unset it"
            )
        return duckdb.connect(str(path), read_only=True)
    path = Path(tempfile.gettempdir()) / f"city311-notebook-{cases}.duckdb"
    with FileLock(str(path) + ".lock"):
        if not path.exists():
            log.info("writing synthetic notebook warehouse %s", path)
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            write_synthetic_warehouse(partial, cases)
            partial.replace(path)
    return duckdb.connect(str(path), read_only=True)


def data_horizon(con: duckdb.DuckDBPyConnection) -> datetime:
    """Return the time of the latest event, a stand-in for "now" on old data."""
    (latest,) = con.execute('SELECT max("at") FROM fact_case_event').fetchone()
    if latest is None:
        raise ValueError("the warehouse has no events; load cases first")
    return latest


def busiest_department(con: duckdb.DuckDBPyConnection) -> str:
    """Return the code of the department with the most cases."""
    (code,) = con.execute(
        "SELECT d.code FROM fact_case c JOIN dim_department d USING (department_id) "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    ).fetchone()
    return code
