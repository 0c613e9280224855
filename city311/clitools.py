"""Helpers shared by every ``city311`` subcommand: errors, JSON output, the context."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from city311.app import AppContext
from city311.settings import SettingsError

log = logging.getLogger(__name__)
pass_app = click.make_pass_decorator(AppContext)


def fail(message: str) -> None:
    """Print one error sentence to standard error and exit with status 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the domain's errors into a one-line message and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        from cases.city import CityConfigError
        from cases.errors import CaseError
        from cases.numbers import InvalidCaseNumber

        try:
            return func(*args, **kwargs)
        except (CaseError, InvalidCaseNumber, CityConfigError, SettingsError) as error:
            fail(str(error))
        except (OperationalError, ProgrammingError) as error:
            fail(database_error_message(error))

    return wrapper


def database_error_message(error: Exception) -> str:
    """Return one sentence for a case-store failure, without the SQL or its values."""
    cause = str(getattr(error, "orig", None) or error).splitlines()[0]
    log.error("case store operation failed: %s", cause)
    if "no such table" in cause or ("relation" in cause and "does not exist" in cause):
        advice = "the case store has no tables yet; run `city311 init` first"
    elif "locked" in cause:
        advice = "another process holds the write lock; try again when it finishes"
    elif "full" in cause:
        advice = "free disk space where the case store lives, then run it again"
    else:
        advice = "check CITY311_DATABASE_URL and that the database is reachable"
    return f"the case store failed: {cause}; {advice}"


def print_json(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, indent=2, default=str))


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """Format an instant in city time with its zone abbreviation, or a dash."""
    if value is None:
        return "-"
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
