"""The warehouse notebooks read: one named in the environment, or a demo one.

Notebooks call ``notebook_warehouse()``. With ``CITY311_NOTEBOOK_WAREHOUSE`` set
to a DuckDB file (a copied or frozen snapshot, say), they read that file.
Otherwise they read a demo warehouse built once in the system's temporary
folder: one year of the demo city from ``city311 demo-data`` loaded by
``city311 etl run``. A checkout without those commands gets 20,000 random cases
from ``metrics.synthetic`` instead. Either way the figures are computed by real
queries, never typed in.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
from filelock import FileLock

from metrics.synthetic import write_synthetic_warehouse

log = logging.getLogger(__name__)

WAREHOUSE_ENV = "CITY311_NOTEBOOK_WAREHOUSE"
DEMO_CASES = 20_000
DEMO_FOLDER = "city311-notebook-demo"


def notebook_warehouse(cases: int = DEMO_CASES) -> duckdb.DuckDBPyConnection:
    """Open the notebook warehouse read-only, building the demo one if needed."""
    named = os.environ.get(WAREHOUSE_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(
                f"{WAREHOUSE_ENV} is {named}, which is not a file; "
                "point it at a DuckDB warehouse or unset it"
            )
        return duckdb.connect(str(path), read_only=True)
    if _pipeline_available():
        return _demo_snapshot(Path(tempfile.gettempdir()) / DEMO_FOLDER)
    return _synthetic(
        Path(tempfile.gettempdir()) / f"city311-notebook-{cases}.duckdb", cases
    )


def _pipeline_available() -> bool:
    modules = ("etl.demo", "etl.load", "etl.warehouse")
    return all(importlib.util.find_spec(name) is not None for name in modules)


def _demo_snapshot(folder: Path) -> duckdb.DuckDBPyConnection:
    """Build the demo city's warehouse in ``folder`` once, then open its snapshot."""
    from city311.settings import load_settings
    from etl.warehouse import current_version, open_snapshot

    folder.mkdir(parents=True, exist_ok=True)
    settings = load_settings(overrides={"data_dir": str(folder)}, environ={})
    with FileLock(str(folder / "notebook.lock")):
        if current_version(settings) is None:
            log.info("building the demo warehouse in %s", folder)
            _city311(folder, "demo-data", "--years", "1", "--seed", "311")
            _city311(folder, "etl", "run", "--full")
    return open_snapshot(settings)


def _city311(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(folder),
        "CITY311_DATABASE_URL": "",
        "CITY311_CITY": "wilmington",
    }
    result = subprocess.run(
        [sys.executable, "-m", "city311", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"city311 {' '.join(args)} failed in {folder}: {result.stderr.strip()}"
        )


def _synthetic(path: Path, cases: int) -> duckdb.DuckDBPyConnection:
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
