"""``city311 user add`` and ``city311 apikey add``."""

from __future__ import annotations

import logging
import sys

import click

from city311.app import AppContext
from city311.clitools import handle_errors, pass_app

log = logging.getLogger(__name__)


def _read_password() -> str:
    """Read the password: a hidden prompt on a terminal, else all of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    text = sys.stdin.read()
    return text.removesuffix("\n").removesuffix("\r")


@click.group()
def user() -> None:
    """Manage staff logins."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["agent", "staff", "head", "mayor", "admin"]),
    help="What the user may do; staff and head act only on their department.",
)
@click.option("--department", default=None, help="Department code (staff and head).")
@pass_app
@handle_errors
def add_user_command(
    app: AppContext, username: str, role: str, department: str | None
) -> None:
    """Create a staff login; the password is read from standard input."""
    from cases.accounts import add_user
    from cases.db import transaction
    from cases.errors import ValidationError

    password = _read_password()
    try:
        with transaction(app.sessions) as session:
            add_user(session, username, password, role, department)
    except ValidationError as error:
        raise click.UsageError(str(error)) from None
    log.info("user %r added with role %s", username, role)
    click.echo(f"User {username} added with role {role}.")


@click.group()
def apikey() -> None:
    """Manage Open311 API keys of client applications."""


@apikey.command("add")
@click.argument("name")
@pass_app
@handle_errors
def add_api_key_command(app: AppContext, name: str) -> None:
    """Create an API key for client application NAME and print it once."""
    from cases.accounts import add_api_key
    from cases.db import transaction
    from cases.errors import ValidationError

    try:
        with transaction(app.sessions) as session:
            key = add_api_key(session, name)
    except ValidationError as error:
        raise click.UsageError(str(error)) from None
    log.info("API key added for client %r", name)
    click.echo(key)
