"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test session.

PostgreSQL tests use ``CITY311_TEST_POSTGRES_URL`` (default
postgresql://postgres@127.0.0.1:5432/test) to create a database of their own,
dropped at the end. Where no server answers they skip, unless
``CITY311_REQUIRE_POSTGRES=1`` (set by CI), where they fail instead. The real
311 exports, the browser and the ETL's C column reader follow the same rule with
CITY311_REQUIRE_REAL_DATA, CITY311_REQUIRE_BROWSER and
CITY311_REQUIRE_SQLITE_COLUMNS.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def shared_data_dir() -> Path:
    """Folder of the real 311 exports: ../shared/data/311 beside the repository."""
    override = os.environ.get("CITY311_SHARED_DATA")
    return Path(override) if override else REPO_ROOT.parent / "shared" / "data" / "311"


def skip_or_fail(message: str, required_by: str) -> None:
    """Skip a test for a missing component, or fail when the environment requires it."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{message} ({required_by}=1)")
    pytest.skip(message)


def require_sqlite_columns() -> None:
    """Skip, or fail in CI, unless the etl._sqlite_columns extension is usable."""
    from etl import sqlite_columns

    if not sqlite_columns.available():
        skip_or_fail(
            "the etl._sqlite_columns extension is not built or uses another SQLite "
            "than the sqlite3 module: install a C compiler and SQLite's headers "
            "(Debian: gcc libsqlite3-dev), then reinstall the package",
            "CITY311_REQUIRE_SQLITE_COLUMNS",
        )


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    folder = shared_data_dir()
    if not folder.is_dir():
        skip_or_fail(
            f"real 311 exports not found at {folder}; put the shared data folder "
            "beside the repository or set CITY311_SHARED_DATA",
            "CITY311_REQUIRE_REAL_DATA",
        )
    return folder


def _admin_url() -> str:
    url = os.environ.get("CITY311_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a database created for this test session on the PostgreSQL server."""
    admin_url = _admin_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        message = (
            f"PostgreSQL not reachable at {make_url(admin_url).render_as_string()}: "
            f"{type(error).__name__}; start a server or set CITY311_TEST_POSTGRES_URL"
        )
        skip_or_fail(message, "CITY311_REQUIRE_POSTGRES")
    name = f"city311_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty case-store URL: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite'}"
    url = request.getfixturevalue("postgres_server_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated, empty case store."""
    from cases import schema
    from cases.db import make_engine

    engine = make_engine(database_url)
    schema.upgrade(engine)
    yield engine
    engine.dispose()
