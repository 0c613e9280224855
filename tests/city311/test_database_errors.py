"""Case-store failures reach the user as one sentence without SQL values."""

from __future__ import annotations

import sqlite3

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from cases.db import make_engine
from city311.clitools import handle_errors

SECRET = "Jane Resident 302-555-0188"


def failing_command(error: Exception) -> click.Command:
    @click.command()
    @handle_errors
    def command() -> None:
        raise error

    return command


def driver_error(message: str) -> OperationalError:
    return OperationalError(
        "INSERT INTO requester (name) VALUES (?)",
        (SECRET,),
        sqlite3.OperationalError(message),
    )


@pytest.mark.parametrize(
    ("message", "advice"),
    [
        ("database is locked", "another process holds the write lock"),
        ("database or disk is full", "free disk space"),
        ("unable to open database file", "check CITY311_DATABASE_URL"),
        ("no such table: case_alias", "run `city311 init` first"),
        ('relation "case_alias" does not exist', "run `city311 init` first"),
        ('database "cases" does not exist', "check CITY311_DATABASE_URL"),
    ],
)
def test_operational_error_is_one_sentence(message, advice):
    result = CliRunner().invoke(failing_command(driver_error(message)))
    assert result.exit_code == 1
    assert result.output.startswith(f"error: the case store failed: {message};")
    assert advice in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert SECRET not in result.output
    assert "INSERT" not in result.output


def test_engine_hides_bound_values(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE person (name TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO person VALUES (:name)"), {"name": SECRET})
    with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
        connection.execute(text("INSERT INTO person VALUES (:name)"), {"name": SECRET})
    assert SECRET not in str(caught.value)
    assert "hidden due to hide_parameters" in str(caught.value)
